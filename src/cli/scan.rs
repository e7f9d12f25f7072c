//! `nhiscan scan <source>`: collect from each target, judge with the posture rules, apply the
//! baseline, render, write, and map the result to an exit code.

use super::args::{
    AwsArgs, CommonScanArgs, GlobalArgs, KubernetesArgs, RepoArgs, ScanArgs, ScanSource,
};
use super::setup::{self, rule_docs};
use crate::baseline::Baseline;
use crate::config::Config;
use crate::connectors::kubernetes::KubernetesOffline;
use crate::connectors::repo::{AllowList, HistoryScope, RepoMode, RepoOptions, RepoScanner};
use crate::connectors::{Collected, Connector};
use crate::detectors::DetectorSet;
use crate::exit::Outcome;
use crate::inventory::merge::{Batch, dedup_findings, merge_identities};
use crate::inventory::{
    Note, NoteLevel, Report, ScanStats, Severity, SourceRun, SourceStatus, Summary,
};
use crate::progress::Progress;
use crate::report::{Format, render_to};
use crate::rules::sort_findings;
use crate::sources::SourceSpec;
use anyhow::{Context, Result, bail};
use chrono::Utc;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

pub fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<Outcome> {
    match &args.source {
        Some(ScanSource::Repo(repo)) => run_repo(global, repo),
        Some(ScanSource::Kubernetes(k)) => run_kubernetes(global, k),
        Some(ScanSource::Aws(a)) => super::scan_aws::run_aws(global, a),
        #[cfg(feature = "github")]
        Some(ScanSource::Github(g)) => super::scan_github::run_github(global, g),
        None => run_sources(global, &args.common),
    }
}

/// `scan` without a subcommand: every `[[sources]]` entry of the config, into one inventory, so
/// the joins see every source at once. Each entry is built exactly as its subcommand would build
/// it; a source that fails is a failed entry in the report while the others complete (exit 3).
fn run_sources(global: &GlobalArgs, common: &CommonScanArgs) -> Result<Outcome> {
    let started = crate::clock::now();
    let loaded = setup::load(global, None)?;
    let cfg = &loaded.config;
    let Some(origin) = cfg.origin.as_ref() else {
        bail!(
            "no source given and no config found: name a source (`nhiscan scan repo PATH`) or give \
             --config FILE with [[sources]] tables"
        );
    };
    if cfg.sources.is_empty() {
        bail!(
            "{}: no [[sources]] to scan; add one (see README \"Several sources in one run\") or \
             name a source on the command line",
            origin.display()
        );
    }
    let detectors = &loaded.detectors;
    let mut connectors: Vec<Box<dyn Connector>> = Vec::new();
    for spec in &cfg.sources {
        match spec {
            SourceSpec::Repo(r) => {
                let args = RepoArgs {
                    paths: vec![r.path.clone()],
                    no_ignore: r.no_ignore,
                    max_file_size: None,
                    history: r.history,
                    since: r.since.clone(),
                    staged: false,
                    common: common.clone(),
                };
                match repo_connectors(&args, cfg, detectors) {
                    Ok(c) => connectors.extend(c),
                    Err(e) => connectors.push(Unusable::boxed("repo", &r.path, e)),
                }
            }
            SourceSpec::Kubernetes(k) => {
                let args = KubernetesArgs {
                    from: k.from.clone(),
                    kubeconfig: k.kubeconfig.clone(),
                    context: k.context.clone(),
                    namespace: k.namespace.clone(),
                    cluster: k.cluster.clone(),
                    common: common.clone(),
                };
                connectors.push(kubernetes_connector(&args, cfg).unwrap_or_else(|e| {
                    let target = k.from.as_deref().unwrap_or(Path::new("kubeconfig"));
                    Unusable::boxed("kubernetes", target, e)
                }));
            }
            SourceSpec::Aws(a) => {
                let args = AwsArgs {
                    from: a.from.clone(),
                    credential_report: a.credential_report.clone(),
                    account_id: a.account_id.clone(),
                    profile: a.profile.clone(),
                    region: a.region.clone(),
                    endpoint_url: a.endpoint_url.clone(),
                    common: common.clone(),
                };
                connectors.push(
                    super::scan_aws::aws_connector(&args, cfg).unwrap_or_else(|e| {
                        let target = a.from.as_deref().unwrap_or(Path::new("aws"));
                        Unusable::boxed("aws", target, e)
                    }),
                );
            }
            SourceSpec::Github(g) => connectors.push(github_source(g, common)),
        }
    }
    run_connectors(global, common, &Judge::of(&loaded), connectors, started)
}

#[cfg(feature = "github")]
fn github_source(g: &crate::sources::GithubSource, common: &CommonScanArgs) -> Box<dyn Connector> {
    let args = super::scan_github::GithubArgs {
        org: g.org.clone(),
        from: g.from.clone(),
        api_url: g
            .api_url
            .clone()
            .unwrap_or_else(|| "https://api.github.com".into()),
        token_env: g.token_env.clone().unwrap_or_else(|| "GITHUB_TOKEN".into()),
        app_id: None,
        app_key: None,
        installation_id: None,
        concurrency: 16,
        max_rate_limit_wait: 60,
        common: common.clone(),
    };
    super::scan_github::github_connector(&args)
        .unwrap_or_else(|e| Unusable::boxed("github", Path::new(&g.org), e))
}

#[cfg(not(feature = "github"))]
fn github_source(g: &crate::sources::GithubSource, _: &CommonScanArgs) -> Box<dyn Connector> {
    let e = anyhow::anyhow!("this build has no GitHub support (feature `github`)");
    Unusable::boxed("github", Path::new(&g.org), e)
}

/// A `[[sources]]` entry that could not even be set up (a missing path, a folder that is not a
/// repository): reported as a failed source so the other entries still run.
struct Unusable {
    source: &'static str,
    target: String,
    error: String,
}

impl Unusable {
    fn boxed(source: &'static str, target: &Path, error: anyhow::Error) -> Box<dyn Connector> {
        Box::new(Unusable {
            source,
            target: target.display().to_string(),
            error: format!("{error:#}"),
        })
    }
}

impl Connector for Unusable {
    fn source(&self) -> &'static str {
        self.source
    }

    fn target(&self) -> String {
        self.target.clone()
    }

    fn collect(&self, _: &Progress) -> Result<Collected> {
        bail!("{}", self.error)
    }
}

fn run_kubernetes(global: &GlobalArgs, args: &KubernetesArgs) -> Result<Outcome> {
    run_single(global, &args.common, |cfg| kubernetes_connector(args, cfg))
}

/// A scan of one identity source (a cluster, an account, an org): its connector is built from
/// the config (failing fast, exit 2), then collected and judged like any other.
pub(super) fn run_single(
    global: &GlobalArgs,
    common: &CommonScanArgs,
    build: impl FnOnce(&Config) -> Result<Box<dyn Connector>>,
) -> Result<Outcome> {
    let started = crate::clock::now();
    let loaded = setup::load_for_posture(global)?;
    let connector = build(&loaded.config)?;
    run_connectors(
        global,
        common,
        &Judge::of(&loaded),
        vec![connector],
        started,
    )
}

fn kubernetes_connector(args: &KubernetesArgs, cfg: &Config) -> Result<Box<dyn Connector>> {
    let owner_keys = cfg.owners.keys.clone();
    Ok(match &args.from {
        Some(from) => {
            if !from.exists() {
                bail!(
                    "{}: no such file or folder (give --from manifests or kubectl dumps)",
                    from.display()
                );
            }
            Box::new(KubernetesOffline {
                from: from.clone(),
                cluster: args.cluster.clone().unwrap_or_else(|| "offline".into()),
                owner_keys,
            })
        }
        None => live_kubernetes(args, owner_keys)?,
    })
}

#[cfg(feature = "kubernetes")]
fn live_kubernetes(args: &KubernetesArgs, owner_keys: Vec<String>) -> Result<Box<dyn Connector>> {
    Ok(Box::new(crate::connectors::kubernetes::KubernetesLive {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
        namespace: args.namespace.clone(),
        cluster: args.cluster.clone(),
        owner_keys,
    }))
}

#[cfg(not(feature = "kubernetes"))]
fn live_kubernetes(_: &KubernetesArgs, _: Vec<String>) -> Result<Box<dyn Connector>> {
    bail!(
        "this build has no live Kubernetes support (feature `kubernetes`); scan manifests with --from"
    )
}

fn run_repo(global: &GlobalArgs, args: &RepoArgs) -> Result<Outcome> {
    let started = crate::clock::now();
    let loaded = setup::load(global, args.paths.first().map(|p| p.as_path()))?;
    let connectors = repo_connectors(args, &loaded.config, &loaded.detectors)?;
    run_connectors(
        global,
        &args.common,
        &Judge::of(&loaded),
        connectors,
        started,
    )
}

/// One scanner per path, checked before anything runs (a path that is not a repository for
/// --history fails here, with exit 2).
fn repo_connectors(
    args: &RepoArgs,
    cfg: &Config,
    detectors: &Arc<DetectorSet>,
) -> Result<Vec<Box<dyn Connector>>> {
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!(
                "{}: no such file or folder (give `scan repo` paths that exist)",
                p.display()
            );
        }
    }
    let options = RepoOptions {
        max_file_size: args
            .max_file_size
            .or(cfg.scan.max_file_size)
            .unwrap_or(crate::connectors::repo::DEFAULT_MAX_FILE_SIZE),
        no_ignore: args.no_ignore || cfg.scan.no_ignore,
        reveal: args.common.reveal,
        allow: AllowList::new(&cfg.allow.paths, &cfg.allow.values)?,
    };
    let mode = repo_mode(args);
    let mut out: Vec<Box<dyn Connector>> = Vec::new();
    for p in &args.paths {
        let scanner = RepoScanner {
            root: p.clone(),
            mode: mode.clone(),
            options: options.clone(),
            detectors: detectors.clone(),
        };
        scanner.preflight()?;
        out.push(Box::new(scanner));
    }
    Ok(out)
}

/// Everything after the connectors are built is the same for every source: collect from each
/// (a failing one becomes a failed source, not the end of the run), judge, apply the baseline,
/// render, write, and map to an exit code.
pub(super) fn run_connectors(
    global: &GlobalArgs,
    common: &CommonScanArgs,
    judge_with: &Judge,
    connectors: Vec<Box<dyn Connector>>,
    started: chrono::DateTime<Utc>,
) -> Result<Outcome> {
    let fail_on = parse_fail_on(&common.fail_on)?;
    let baseline = common.baseline.as_deref().map(Baseline::read).transpose()?;
    let progress = Progress::new(global.quiet);
    let clock = std::time::Instant::now();
    // Sources are independent: collect them side by side (each also parallel inside).
    let collected = std::thread::scope(|scope| {
        let running: Vec<_> = connectors
            .iter()
            .map(|c| scope.spawn(|| collect_one(c.as_ref(), &progress)))
            .collect();
        running
            .into_iter()
            .map(|h| h.join().expect("a connector thread panicked"))
            .collect()
    });
    progress.finish();
    tracing::debug!("collected in {:?}", clock.elapsed());
    let report = judge(started, collected, judge_with, baseline.as_ref());
    tracing::debug!("judged in {:?}", clock.elapsed());
    emit(&report, common, &rule_docs(judge_with.engine))?;
    tracing::debug!("written in {:?}", clock.elapsed());
    let outcome = outcome(&report, fail_on);
    // The process ends right after this: freeing a large inventory one allocation at a time
    // would only delay the exit (a tenth of a second per 100k findings).
    std::mem::forget(report);
    Ok(outcome)
}

fn repo_mode(args: &RepoArgs) -> RepoMode {
    if args.staged {
        return RepoMode::Staged;
    }
    match &args.since {
        Some(range) => {
            let (base, head) = match range.split_once("..") {
                Some((b, h)) => (
                    b.to_string(),
                    if h.is_empty() {
                        "HEAD".into()
                    } else {
                        h.to_string()
                    },
                ),
                None => (range.clone(), "HEAD".to_string()),
            };
            RepoMode::History(HistoryScope::Range { base, head })
        }
        None if args.history => RepoMode::History(HistoryScope::All),
        None => RepoMode::Files,
    }
}

/// A source that cannot be scanned at all is a failed run entry, not the end of the scan.
fn collect_one(c: &dyn Connector, progress: &Progress) -> Collected {
    match c.collect(progress) {
        Ok(x) => x,
        Err(e) => {
            tracing::error!("{e:#}");
            Collected {
                identities: vec![],
                run: SourceRun {
                    source: c.source().into(),
                    target: c.target(),
                    status: SourceStatus::Failed,
                    stats: ScanStats::default(),
                    notes: vec![Note::new(NoteLevel::Error, c.target(), format!("{e:#}"))],
                },
            }
        }
    }
}

/// What judging an inventory needs besides the inventory.
pub struct Judge<'a> {
    pub engine: &'a crate::rules::PostureEngine,
    pub eval: &'a crate::rules::EvalContext,
    pub owners: &'a crate::owners::OwnerMap,
}

impl<'a> Judge<'a> {
    pub fn of(loaded: &'a setup::Loaded) -> Judge<'a> {
        Judge {
            engine: &loaded.engine,
            eval: &loaded.eval,
            owners: &loaded.owners,
        }
    }
}

/// Everything after collection is source-independent: one inventory (identities seen by several
/// connectors merged by id), then the judgement `merge` shares.
fn judge(
    started: chrono::DateTime<Utc>,
    collected: Vec<Collected>,
    with: &Judge,
    baseline: Option<&Baseline>,
) -> Report {
    let mut report = Report::new(started);
    let mut batches = Vec::with_capacity(collected.len());
    for c in collected {
        batches.push(Batch {
            run: format!("{} {}", c.run.source, c.run.target),
            identities: c.identities,
        });
        report.sources.push(c.run);
    }
    let (identities, notes) = merge_identities(batches);
    report.identities = identities;
    report.notes = notes;
    judge_inventory(&mut report, with, baseline);
    report
}

/// Joins, owners, rules, baseline and summary over an assembled inventory; shared by `scan` and
/// `merge` so both judge the same way. Findings already in the report whose rule this engine does not have (a
/// merged run's custom rules, or every rule under `merge --no-rules`) are kept, deduplicated by
/// fingerprint; the engine's own rules are evaluated afresh.
pub(super) fn judge_inventory(report: &mut Report, with: &Judge, baseline: Option<&Baseline>) {
    let engine = with.engine;
    // Ids are unique once merged, so an unstable sort is still deterministic (and cheaper).
    let clock = std::time::Instant::now();
    report.identities.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    crate::correlate::join(&mut report.identities);
    tracing::debug!("joined in {:.2?}", clock.elapsed());
    crate::owners::resolve(&mut report.identities, with.owners);
    tracing::debug!("owners resolved at {:.2?}", clock.elapsed());
    let (evaluated, notes) = engine.evaluate(&report.identities, with.eval);
    tracing::debug!("rules evaluated at {:.2?}", clock.elapsed());
    let known: std::collections::HashSet<&str> =
        engine.rules.iter().map(|r| r.id.as_str()).collect();
    let mut findings: Vec<_> = std::mem::take(&mut report.findings)
        .into_iter()
        .filter(|f| !known.contains(f.rule_id.as_str()))
        .collect();
    findings.extend(evaluated);
    let mut findings = dedup_findings(findings);
    sort_findings(&mut findings);
    tracing::debug!(
        "findings deduplicated and sorted at {:.2?}",
        clock.elapsed()
    );
    if let Some(b) = baseline {
        b.apply(&mut findings);
    }
    report.findings = findings;
    report.notes.extend(notes);
    report.summary = Summary::compute(&report.identities, &report.findings);
    report.finished_at = crate::clock::finished();
    tracing::debug!("judged at {:.2?}", clock.elapsed());
}

pub(super) fn emit(
    report: &Report,
    common: &CommonScanArgs,
    docs: &[crate::report::RuleDoc],
) -> Result<()> {
    let format = common
        .format
        .unwrap_or_else(|| default_format(common.output.as_deref()));
    crate::output::write_with(common.output.as_deref(), |out| {
        render_to(report, format, docs, out).context("rendering the report")
    })
}

fn default_format(output: Option<&Path>) -> Format {
    match output {
        Some(p) if p.as_os_str() != "-" => Format::from_path(p).unwrap_or(Format::Json),
        _ if std::io::stdout().is_terminal() => Format::Table,
        _ => Format::Json,
    }
}

pub(super) fn parse_fail_on(s: &str) -> Result<Option<Severity>> {
    if s.eq_ignore_ascii_case("none") || s.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    match s.parse::<Severity>() {
        Ok(sev) => Ok(Some(sev)),
        Err(e) => bail!("--fail-on: {e}, or none"),
    }
}

/// 1 if any new finding reaches the threshold, else 3 if some source was partial, else 0.
pub(super) fn outcome(report: &Report, fail_on: Option<Severity>) -> Outcome {
    let failing = fail_on.is_some_and(|t| {
        report
            .findings
            .iter()
            .any(|f| f.severity >= t && f.baseline_state.as_deref() != Some("baselined"))
    });
    if failing {
        Outcome::Findings
    } else if report
        .sources
        .iter()
        .any(|s| s.status != SourceStatus::Complete)
    {
        Outcome::Partial
    } else {
        Outcome::Clean
    }
}

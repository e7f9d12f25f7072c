//! `nhiscan scan <source>`: collect from each target, judge with the posture rules, apply the
//! baseline, render, write, and map the result to an exit code.

use super::args::{CommonScanArgs, GlobalArgs, KubernetesArgs, RepoArgs, ScanArgs, ScanSource};
use super::setup::{self, rule_docs};
use crate::baseline::Baseline;
use crate::connectors::kubernetes::KubernetesOffline;
use crate::connectors::repo::{AllowList, HistoryScope, RepoMode, RepoOptions, RepoScanner};
use crate::connectors::{Collected, Connector};
use crate::exit::Outcome;
use crate::inventory::{
    Note, NoteLevel, Report, ScanStats, Severity, SourceRun, SourceStatus, Summary,
};
use crate::progress::Progress;
use crate::report::{Format, render};
use anyhow::{Context, Result, bail};
use chrono::Utc;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

pub fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<Outcome> {
    match &args.source {
        ScanSource::Repo(repo) => run_repo(global, repo),
        ScanSource::Kubernetes(k) => run_kubernetes(global, k),
        #[cfg(feature = "github")]
        ScanSource::Github(g) => super::scan_github::run_github(global, g),
    }
}

fn run_kubernetes(global: &GlobalArgs, args: &KubernetesArgs) -> Result<Outcome> {
    let started = Utc::now();
    if !args.from.exists() {
        bail!(
            "{}: no such file or folder (give --from manifests or kubectl dumps)",
            args.from.display()
        );
    }
    let loaded = setup::load(global, None)?;
    let connector = KubernetesOffline {
        from: args.from.clone(),
        cluster: args.cluster.clone(),
        owner_keys: loaded.config.owners.keys.clone(),
    };
    run_connectors(
        global,
        &args.common,
        &loaded.engine,
        &loaded.eval,
        vec![Box::new(connector)],
        started,
    )
}

fn run_repo(global: &GlobalArgs, args: &RepoArgs) -> Result<Outcome> {
    let started = Utc::now();
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!(
                "{}: no such file or folder (give `scan repo` paths that exist)",
                p.display()
            );
        }
    }
    let loaded = setup::load(global, args.paths.first().map(|p| p.as_path()))?;
    let cfg = &loaded.config;
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
    let detectors = Arc::new(loaded.detectors);
    let scanners: Vec<RepoScanner> = args
        .paths
        .iter()
        .map(|p| RepoScanner {
            root: p.clone(),
            mode: mode.clone(),
            options: options.clone(),
            detectors: detectors.clone(),
        })
        .collect();
    for c in &scanners {
        c.preflight()?;
    }
    let connectors = scanners
        .into_iter()
        .map(|s| Box::new(s) as Box<dyn Connector>)
        .collect();
    run_connectors(
        global,
        &args.common,
        &loaded.engine,
        &loaded.eval,
        connectors,
        started,
    )
}

/// Everything after the connectors are built is the same for every source: collect from each
/// (a failing one becomes a failed source, not the end of the run), judge, apply the baseline,
/// render, write, and map to an exit code.
pub(super) fn run_connectors(
    global: &GlobalArgs,
    common: &CommonScanArgs,
    engine: &crate::rules::PostureEngine,
    eval: &crate::rules::EvalContext,
    connectors: Vec<Box<dyn Connector>>,
    started: chrono::DateTime<Utc>,
) -> Result<Outcome> {
    let fail_on = parse_fail_on(&common.fail_on)?;
    let baseline = common.baseline.as_deref().map(Baseline::read).transpose()?;
    let progress = Progress::new(global.quiet);
    let collected = connectors
        .iter()
        .map(|c| collect_one(c.as_ref(), &progress))
        .collect();
    progress.finish();
    let report = judge(started, collected, engine, eval, baseline.as_ref());
    emit(&report, common, &rule_docs(engine))?;
    Ok(outcome(&report, fail_on))
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

/// Everything after collection is source-independent: rules, baseline, summary.
fn judge(
    started: chrono::DateTime<Utc>,
    collected: Vec<Collected>,
    engine: &crate::rules::PostureEngine,
    eval: &crate::rules::EvalContext,
    baseline: Option<&Baseline>,
) -> Report {
    let mut report = Report::new(started);
    for c in collected {
        report.identities.extend(c.identities);
        report.sources.push(c.run);
    }
    report.identities.sort_by(|a, b| a.id.cmp(&b.id));
    let (mut findings, notes) = engine.evaluate(&report.identities, eval);
    if let Some(b) = baseline {
        b.apply(&mut findings);
    }
    report.findings = findings;
    report.notes = notes;
    report.summary = Summary::compute(&report.identities, &report.findings);
    report.finished_at = Utc::now();
    report
}

fn emit(report: &Report, common: &CommonScanArgs, docs: &[crate::report::RuleDoc]) -> Result<()> {
    let format = common
        .format
        .unwrap_or_else(|| default_format(common.output.as_deref()));
    let bytes = render(report, format, docs).context("rendering the report")?;
    crate::output::write_output(common.output.as_deref(), &bytes)
}

fn default_format(output: Option<&Path>) -> Format {
    match output {
        Some(p) if p.as_os_str() != "-" => match p.extension().and_then(|e| e.to_str()) {
            Some("sarif") => Format::Sarif,
            Some("txt") => Format::Table,
            _ => Format::Json,
        },
        _ if std::io::stdout().is_terminal() => Format::Table,
        _ => Format::Json,
    }
}

fn parse_fail_on(s: &str) -> Result<Option<Severity>> {
    if s.eq_ignore_ascii_case("none") || s.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    match s.parse::<Severity>() {
        Ok(sev) => Ok(Some(sev)),
        Err(e) => bail!("--fail-on: {e}, or none"),
    }
}

/// 1 if any new finding reaches the threshold, else 3 if some source was partial, else 0.
fn outcome(report: &Report, fail_on: Option<Severity>) -> Outcome {
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

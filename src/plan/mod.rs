//! The scan plan: everything a run will do, typed and checked before anything is scanned. The
//! command line and nhiscan.toml both become a [`ScanPlan`] (or a [`MergePlan`]); running it
//! builds each source's connector, collects, judges, writes the report and maps the result to an
//! exit code. Exit code 2 comes only from here, before scanning starts (or when the report
//! cannot be written); after that, what goes wrong with a source is a note in the report.

mod build;
mod config;
mod exit;
mod fail_on;
mod output;
mod setup;
mod sources;
mod trust;

pub use build::BuildContext;
pub use config::{AllowSection, CONFIG_FILE_NAME, Config, OwnersSection, default_thresholds};
pub use exit::Outcome;
pub use fail_on::FailOn;
pub use output::{Destination, write_output, write_with};
pub use setup::{Loaded, contract};
pub use sources::{
    AwsSource, GITHUB_API_URL, GITHUB_TOKEN_ENV, GithubSource, KubernetesSource, RepoSource,
    SourceConfig,
};
pub(crate) use trust::is_cleartext_remote;

use crate::baseline::Baseline;
use crate::connectors::Connector;
use crate::inventory::Report;
use crate::judge::outcome;
use crate::progress::Progress;
use crate::report::{Format, RuleDoc, render_to};
use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::path::PathBuf;

/// One scan: what to read, how to judge it, where the report goes.
pub struct ScanPlan {
    /// nhiscan.toml (or the defaults): thresholds, allow-lists, owners, disabled rules.
    pub config: Config,
    pub sources: Vec<SourceConfig>,
    /// Rule folders from `--rules`, added to the built-in ones and the config's.
    pub rules_dirs: Vec<PathBuf>,
    pub setup: SourceSetup,
    pub report: ReportPlan,
    /// `--allow-insecure-http`: API roots and endpoints may be `http://` to any host.
    pub allow_insecure_http: bool,
}

/// What to do with a source that cannot even be set up (a missing path, a rejected token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceSetup {
    /// `scan <source>`: the user named one thing to scan; not being able to is a usage error.
    FailFast,
    /// `[[sources]]`: that entry is a failed source and the others still run (exit 3).
    FailedSource,
}

/// How the judged report is written and turned into an exit code.
pub struct ReportPlan {
    /// `None`: from the output file's extension, else table on a terminal, else JSON.
    pub format: Option<Format>,
    /// `None` or `-`: stdout.
    pub output: Option<PathBuf>,
    pub fail_on: FailOn,
    pub baseline: Option<PathBuf>,
    /// Secrets themselves go in the report (and the file is created owner-only).
    pub reveal: bool,
    /// `--only-valid`: only findings whose credential validated as working fail the run.
    pub only_valid: bool,
}

/// `merge`: reports of sharded runs in, one judged report out.
pub struct MergePlan {
    pub config: Config,
    pub reports: Vec<PathBuf>,
    pub rules_dirs: Vec<PathBuf>,
    /// Keep the input findings instead of evaluating the posture rules again.
    pub no_rules: bool,
    pub report: ReportPlan,
}

impl ScanPlan {
    /// Load rules, open the output, build every connector, then scan, judge and write.
    pub fn run(self, progress: &Progress) -> Result<Outcome> {
        let started = crate::clock::now();
        trust::check(
            &self.config,
            self.setup == SourceSetup::FailedSource,
            &self.sources,
        )?;
        trust::check_transport(&self.sources, self.allow_insecure_http)?;
        let content = self.sources.iter().any(SourceConfig::scans_content);
        let loaded = Loaded::load(&self.config, &self.rules_dirs, content)?;
        let baseline = self.report.read_baseline()?;
        let destination = self.report.open()?;
        let ctx = BuildContext {
            config: &self.config,
            detectors: &loaded.detectors,
            reveal: self.report.reveal,
            allow_insecure_http: self.allow_insecure_http,
            #[cfg(feature = "validate")]
            validation_cache: Default::default(),
        };
        let mut connectors: Vec<Box<dyn Connector>> = Vec::new();
        for source in &self.sources {
            match source.connectors(&ctx) {
                Ok(c) => connectors.extend(c),
                Err(e) if self.setup == SourceSetup::FailedSource => {
                    connectors.push(Box::new(Unusable::new(source, e)))
                }
                Err(e) => return Err(e),
            }
        }
        let clock = std::time::Instant::now();
        let collected = crate::judge::collect(&connectors, progress);
        progress.finish();
        tracing::debug!("collected in {:?}", clock.elapsed());
        let mut report = loaded.judge().scan(started, collected, baseline.as_ref());
        let suppressed = loaded.suppressed(&report.identities);
        report
            .notes
            .extend(trust::narrowing_notes(&self.config, &suppressed));
        tracing::debug!("judged in {:?}", clock.elapsed());
        self.report.finish(report, destination, &loaded.rule_docs())
    }
}

impl MergePlan {
    pub fn run(self) -> Result<Outcome> {
        let loaded = Loaded::load(&self.config, &self.rules_dirs, false)?;
        let docs = loaded.rule_docs();
        let baseline = self.report.read_baseline()?;
        let destination = self.report.open()?;
        trust::check(&self.config, false, &[])?;
        let mut report = crate::judge::merge_reports(&self.reports, self.report.reveal)?;
        let mut judge = loaded.judge();
        let none;
        if self.no_rules {
            none = loaded.engine.none();
            judge.engine = &none;
        }
        judge.inventory(&mut report, baseline.as_ref());
        let suppressed = loaded.suppressed(&report.identities);
        report
            .notes
            .extend(trust::narrowing_notes(&self.config, &suppressed));
        tracing::info!(
            "judged: {} identities, {} findings",
            report.summary.identities,
            report.summary.findings
        );
        self.report.finish(report, destination, &docs)
    }
}

impl ReportPlan {
    fn read_baseline(&self) -> Result<Option<Baseline>> {
        self.baseline.as_deref().map(Baseline::read).transpose()
    }

    fn open(&self) -> Result<Destination> {
        Destination::open(self.output.as_deref(), self.reveal)
    }

    fn format(&self) -> Format {
        self.format.unwrap_or_else(|| match self.output.as_deref() {
            Some(p) if p.as_os_str() != "-" => Format::from_path(p).unwrap_or(Format::Json),
            _ if std::io::stdout().is_terminal() => Format::Table,
            _ => Format::Json,
        })
    }

    /// Render and write the judged report, and say what the run means as an exit code.
    fn finish(&self, report: Report, to: Destination, docs: &[RuleDoc]) -> Result<Outcome> {
        let format = self.format();
        to.write(|out| render_to(&report, format, docs, out).context("rendering the report"))?;
        let outcome = outcome(&report, self.fail_on.threshold(), self.only_valid);
        // The process ends right after this: freeing a large inventory one allocation at a time
        // would only delay the exit (a tenth of a second per 100k findings).
        std::mem::forget(report);
        Ok(outcome)
    }
}

/// A `[[sources]]` entry that could not even be set up: reported as a failed source so the
/// other entries still run.
struct Unusable {
    source: &'static str,
    target: String,
    error: String,
}

impl Unusable {
    fn new(source: &SourceConfig, error: anyhow::Error) -> Unusable {
        Unusable {
            source: source.kind(),
            target: source.target(),
            error: format!("{error:#}"),
        }
    }
}

impl Connector for Unusable {
    fn source(&self) -> &'static str {
        self.source
    }

    fn target(&self) -> String {
        self.target.clone()
    }

    /// Fails with the setup error: the judge records it as this source's failure.
    fn collect(&self, _: &Progress) -> Result<crate::connectors::Collected> {
        anyhow::bail!("{}", self.error)
    }
}

//! Argument definitions. Help text here is the user's first documentation: keep it precise.

use crate::plan::{AwsSource, FailOn, GithubSource, KubernetesSource, RepoSource};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `rules list --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Parser)]
#[command(
    name = "nhiscan",
    version,
    about = "Find non-human identities and hardcoded credentials; flag the unowned, stale and over-privileged.",
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage/config error, 3 completed but some input failed."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Only errors on stderr; no progress bar.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More logging on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Configuration file (default: ./nhiscan.toml, then nhiscan.toml in the scanned folder).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Extra rule folder (repeatable): detectors and posture rules, added to the built-in ones.
    #[arg(long = "rules", global = true, value_name = "DIR")]
    pub rules_dirs: Vec<PathBuf>,
    /// Let API roots and endpoints be plain http:// to hosts other than loopback (tokens and
    /// signed requests then cross the network unencrypted).
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
    /// Judge as if it were this time (RFC 3339 or YYYY-MM-DD): every "days since", every rule's
    /// `now` and the report's timestamps. For tests and for reproducing an earlier report.
    #[arg(long, global = true, hide = true, env = "NHISCAN_NOW", value_name = "TIME", value_parser = crate::clock::parse)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a source and report its identities, credentials and findings.
    Scan(Box<ScanArgs>),
    /// Write a sorted baseline from a JSON report, for `scan --baseline`.
    Baseline(BaselineArgs),
    /// List, explain or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the JSON Schema of the JSON report.
    Schema,
    /// Combine JSON reports from separate runs (CI matrix shards) into one report, judged again.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `nhiscan scan … --format json` (schema_version 1).
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Keep the input findings (deduplicated by fingerprint) instead of evaluating the posture
    /// rules again over the merged inventory.
    #[arg(long)]
    pub no_rules: bool,
    #[command(flatten)]
    pub common: CommonScanArgs,
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Without a source, scans every [[sources]] entry of the config file (--config, or ./nhiscan.toml) into one inventory."
)]
pub struct ScanArgs {
    #[command(subcommand)]
    pub source: Option<ScanSource>,
    /// Report options when scanning the config's [[sources]].
    #[command(flatten)]
    pub common: CommonScanArgs,
}

#[derive(Debug, Subcommand)]
pub enum ScanSource {
    /// Hardcoded credentials in files and folders.
    Repo(SourceArgs<RepoSource>),
    /// Service accounts, their RBAC, tokens and workloads: from the cluster in the kubeconfig,
    /// or from manifests and kubectl dumps with --from.
    Kubernetes(SourceArgs<KubernetesSource>),
    /// IAM users, roles and root with keys, passwords, owners, effective permissions and trust,
    /// live through the AWS API or from a `get-account-authorization-details` export.
    Aws(SourceArgs<AwsSource>),
    /// Tokens, Apps, deploy keys and secrets of a GitHub organisation (API or saved responses).
    Github(SourceArgs<GithubSource>),
}

/// A `scan <source>` subcommand: the source's own settings (the same struct a `[[sources]]`
/// table deserialises into) and the report options every scan shares.
#[derive(Debug, Args)]
pub struct SourceArgs<S: Args> {
    #[command(flatten)]
    pub source: S,
    #[command(flatten)]
    pub common: CommonScanArgs,
}

#[derive(Debug, Args, Clone)]
pub struct CommonScanArgs {
    /// Output format: json, sarif, table, html, csv, markdown or ocsf (default: table on a
    /// terminal, else json; with --output, from the file extension: .json .sarif .txt .html .csv
    /// .md .ocsf/.ocsf.jsonl).
    #[arg(long, short = 'f', value_name = "FORMAT")]
    pub format: Option<crate::report::Format>,
    /// Write the report here instead of stdout (`-` is stdout). Regular files are replaced
    /// atomically; devices and pipes are written in place.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity; none never fails on findings.
    #[arg(long, value_enum, default_value_t = FailOn::Low, ignore_case = true, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Only findings whose fingerprint is not in this baseline (or JSON report) count.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Put the secrets themselves in the report. Never use in CI logs.
    #[arg(long)]
    pub reveal: bool,
    /// With --fail-on: only findings about credentials that `--validate` found working count.
    #[arg(long)]
    pub only_valid: bool,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// A JSON report from `nhiscan scan … --format json` (`-` for stdin).
    pub report: PathBuf,
    /// Where to write the baseline (default stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every detector and posture rule.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show a rule's documentation: what it checks, why it matters, how to fix it.
    Explain { id: String },
    /// Validate rule files and run their examples (file:line for every problem).
    Check {
        /// Rule folders or files; the built-in rules when none is given.
        dirs: Vec<PathBuf>,
    },
}

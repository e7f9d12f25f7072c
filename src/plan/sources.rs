//! The sources a run scans, each described once: the same struct is a `scan <source>`
//! subcommand's arguments (clap) and a `[[sources]]` table of nhiscan.toml (serde), with one set
//! of defaults and one [`SourceConfig::validate`] for both. Building the connector from it is
//! `super::build`.

use crate::connectors::repo::Confidence;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};

/// GitHub's public API root; `--api-url` / `api_url` points elsewhere for Enterprise Server.
pub const GITHUB_API_URL: &str = "https://api.github.com";
/// Where the GitHub token is read from unless `--token-env` / `token_env` names another.
pub const GITHUB_TOKEN_ENV: &str = "GITHUB_TOKEN";
const GITHUB_CONCURRENCY: usize = 16;
/// 15 minutes: a CI job can afford it, and GitHub's hourly limit is often that close to resetting.
const GITHUB_MAX_RATE_LIMIT_WAIT: u64 = 900;

/// One source of a run, tagged by `kind` in nhiscan.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceConfig {
    Repo(RepoSource),
    Kubernetes(KubernetesSource),
    Aws(AwsSource),
    Github(GithubSource),
}

/// Files, folders and git history: `scan repo PATH… [--history | --since REV | --staged]`, or
/// `kind = "repo"` with `path` (or `paths`).
#[derive(Debug, Clone, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSource {
    /// Files or folders to scan.
    #[arg(default_value = ".")]
    #[serde(alias = "path", deserialize_with = "one_or_many")]
    pub paths: Vec<PathBuf>,
    /// Also scan files that .gitignore, .ignore and git's excludes would skip.
    #[arg(long)]
    #[serde(default)]
    pub no_ignore: bool,
    /// Skip files larger than this many bytes (default 25 MiB).
    #[arg(long, value_name = "BYTES")]
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Scan git history: every unique blob reachable from any ref, once, with the commit,
    /// author and date that introduced each secret. PATH must be a git repository.
    #[arg(long)]
    #[serde(default)]
    pub history: bool,
    /// Only what commits after REV introduced (REV..HEAD), or a range `BASE..HEAD`: what a
    /// pull-request job needs. Implies --history.
    #[arg(long, value_name = "REV")]
    #[serde(default)]
    pub since: Option<String>,
    /// Only what is staged in the git index and not yet committed: what a pre-commit hook needs.
    #[arg(long)]
    #[serde(default)]
    pub staged: bool,
    /// Ask each found secret's provider whether it still works (sends the secret to the
    /// provider's documented API host, or to --validate-endpoint): valid ones become critical,
    /// rejected ones low. Off unless given; see the README's "Validation" section.
    #[arg(long)]
    #[serde(default)]
    pub validate: bool,
    /// Send PROVIDER's checks to this API root instead (GitHub Enterprise Server, GitLab
    /// self-managed, a test server), e.g. github=https://ghe.example/api/v3. Repeatable.
    #[arg(long, value_name = "PROVIDER=URL", requires = "validate")]
    #[serde(default)]
    pub validate_endpoint: Vec<String>,
    /// Seconds a provider has to answer a check before its verdict is unknown (default 10).
    #[arg(long, value_name = "SECS", requires = "validate")]
    #[serde(default)]
    pub validate_timeout: Option<u64>,
    /// Report secrets found at this confidence or above (default medium). Values under names
    /// that mark them as examples or test doubles (`FAKE_TOKEN`, `test_password`; the words are
    /// in rules/secrets/_placeholders.yaml) are low unless a provider checksum passes.
    #[arg(long, value_enum, value_name = "LEVEL")]
    #[serde(default)]
    pub min_confidence: Option<Confidence>,
}

/// A cluster through a kubeconfig, or manifests and kubectl dumps with `from`.
#[derive(Debug, Clone, Default, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesSource {
    /// Scan files instead of a cluster: a manifest file or folder (multi-document YAML, Helm or
    /// kustomize output) or `kubectl get … -o json|yaml` dumps.
    #[arg(long, value_name = "PATH")]
    pub from: Option<PathBuf>,
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Only this namespace's service accounts, workloads and bindings (cluster roles and cluster
    /// role bindings are always read).
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Cluster name used in identity ids (`k8s:<cluster>/<namespace>/<sa>`); default: the
    /// context's cluster, or `offline` with --from.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Also judge what the platform itself creates: the bootstrap RBAC policy's roles, bindings
    /// and controller accounts, and managed clusters' add-on accounts (by default inventoried
    /// with `managed_by` and judged only where they differ from the default).
    #[arg(long)]
    #[serde(default)]
    pub include_platform: bool,
    /// Do not list Secrets (live): the scan then needs no access to Secrets at all, and legacy
    /// service-account token Secrets are not reported (a coverage note says so).
    #[arg(long)]
    #[serde(default)]
    pub no_secrets: bool,
}

/// An AWS account through the credential chain, or an export with `from`.
#[derive(Debug, Clone, Default, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsSource {
    /// Offline: the JSON of `aws iam get-account-authorization-details` (no API calls).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Offline: the credential report CSV (`aws iam get-credential-report --query Content
    /// --output text | base64 -d`): access keys, passwords, root account.
    #[arg(long, value_name = "FILE")]
    pub credential_report: Option<PathBuf>,
    /// Account id for identities when the export has no ARN to take it from.
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,
    /// Live: named profile from the AWS config/credentials files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Live: region to sign for (IAM is global; default: the configured one, else us-east-1).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Live: IAM endpoint override (also read from AWS_ENDPOINT_URL by the SDK).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Roles people assume (glob on role name or ARN, repeatable), e.g. cross-account roles
    /// from an identity account: inventoried as `aws.human_role`, not judged as machine
    /// identities. Identity Center, SAML and MFA-only roles are recognised without this.
    #[arg(long = "human-role", value_name = "PATTERN")]
    #[serde(default)]
    pub human_roles: Vec<String>,
    /// The organisation's service (or resource) control policies over this account: policy
    /// documents or `aws organizations describe-policy` output. Actions they deny are not
    /// counted, and the evidence names the SCP.
    #[arg(long = "scp", value_name = "FILE", num_args = 1..)]
    #[serde(default)]
    pub scps: Vec<PathBuf>,
    /// The organisation's management account id: SCPs and RCPs do not restrict it.
    #[arg(long, value_name = "ID")]
    #[serde(default)]
    pub management_account: Option<String>,
    /// Live: scan every active account of the organisation (management or delegated-admin
    /// credentials), each as its own source, assuming --assume-role in each.
    #[arg(long)]
    #[serde(default)]
    pub org: bool,
    /// With --org: the role to assume in each account (default OrganizationAccountAccessRole).
    #[arg(long, value_name = "NAME")]
    #[serde(default)]
    pub assume_role: Option<String>,
    /// With --org: the sts:ExternalId the role's trust policy requires.
    #[arg(long, value_name = "ID")]
    #[serde(default)]
    pub external_id: Option<String>,
    /// With --org: only these accounts (comma-separated ids).
    #[arg(long, value_name = "ID,…", value_delimiter = ',')]
    #[serde(default)]
    pub accounts: Vec<String>,
}

/// A GitHub organisation through the API, or saved responses with `from`.
#[derive(Debug, Clone, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubSource {
    /// The organisation to scan (its login, as in github.com/ORG).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// Read API responses saved to this folder instead of calling the API (layout in the
    /// README); no token needed.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// API root: https://HOST/api/v3 for GitHub Enterprise Server.
    #[arg(long, value_name = "URL", default_value = GITHUB_API_URL)]
    #[serde(default = "github_api_url")]
    pub api_url: String,
    /// Environment variable holding the token (an org owner's, with read:org, admin:org,
    /// repo and security_events for full coverage).
    #[arg(long, value_name = "NAME", default_value = GITHUB_TOKEN_ENV)]
    #[serde(default = "github_token_env")]
    pub token_env: String,
    /// Authenticate as this GitHub App instead of with a token (needed to list fine-grained
    /// PATs); requires --app-key.
    #[arg(long, value_name = "ID")]
    pub app_id: Option<u64>,
    /// The App's private key (PEM file).
    #[arg(long, value_name = "FILE")]
    pub app_key: Option<PathBuf>,
    /// The App's installation on the org (looked up when not given).
    #[arg(long, value_name = "ID")]
    pub installation_id: Option<u64>,
    /// Repositories read at once.
    #[arg(long, value_name = "N", default_value_t = GITHUB_CONCURRENCY)]
    #[serde(default = "github_concurrency")]
    pub concurrency: usize,
    /// Longest wait, in seconds, for a rate limit to lift; past it the scan stops reading and
    /// reports partial coverage.
    #[arg(long, value_name = "SECS", default_value_t = GITHUB_MAX_RATE_LIMIT_WAIT)]
    #[serde(default = "github_max_rate_limit_wait")]
    pub max_rate_limit_wait: u64,
    /// Keep GitHub's ETags in this folder and send them back: an unchanged page costs a `304`,
    /// which GitHub does not charge to the rate limit (a nightly re-scan costs little).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Read only these repositories (comma-separated names), e.g. those a run stopped by the
    /// rate limit named; `nhiscan merge` the two reports for the whole organisation.
    #[arg(long, value_name = "NAME,…", value_delimiter = ',')]
    #[serde(default)]
    pub repos: Vec<String>,
}

fn github_api_url() -> String {
    GITHUB_API_URL.into()
}
fn github_token_env() -> String {
    GITHUB_TOKEN_ENV.into()
}
fn github_concurrency() -> usize {
    GITHUB_CONCURRENCY
}
fn github_max_rate_limit_wait() -> u64 {
    GITHUB_MAX_RATE_LIMIT_WAIT
}

/// `path = "x"` or `paths = ["x", "y"]`.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PathBuf>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(PathBuf),
        Many(Vec<PathBuf>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(p) => vec![p],
        OneOrMany::Many(v) => v,
    })
}

impl SourceConfig {
    /// `repo`, `kubernetes`, `aws`, `github`: the connector this source feeds.
    pub fn kind(&self) -> &'static str {
        match self {
            SourceConfig::Repo(_) => "repo",
            SourceConfig::Kubernetes(_) => "kubernetes",
            SourceConfig::Aws(_) => "aws",
            SourceConfig::Github(_) => "github",
        }
    }

    /// What is scanned, for messages about a source that could not be set up.
    pub fn target(&self) -> String {
        let show = |p: &Option<PathBuf>, otherwise: &str| {
            p.as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| otherwise.to_string())
        };
        match self {
            SourceConfig::Repo(r) => r
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            SourceConfig::Kubernetes(k) => show(&k.from, "kubeconfig"),
            SourceConfig::Aws(a) => show(&a.from, "aws"),
            SourceConfig::Github(g) => g.org.clone(),
        }
    }

    /// Whether scanning this source reads content with the secret detectors.
    pub fn scans_content(&self) -> bool {
        matches!(self, SourceConfig::Repo(_))
    }

    /// The combinations no source can honour, checked the same way for the command line and
    /// for nhiscan.toml.
    pub fn validate(&self) -> Result<(), String> {
        let conflict = |a: &str, b: &str| Err(format!("{a} and {b} cannot be used together"));
        match self {
            SourceConfig::Repo(r) => {
                if r.paths.is_empty() {
                    return Err("no path to scan".into());
                }
                if r.staged && r.history {
                    return conflict("--staged", "--history");
                }
                if r.staged && r.since.is_some() {
                    return conflict("--staged", "--since");
                }
                if !r.validate && (!r.validate_endpoint.is_empty() || r.validate_timeout.is_some())
                {
                    return Err("--validate-endpoint and --validate-timeout need --validate".into());
                }
                for e in &r.validate_endpoint {
                    crate::validate::parse_endpoint(e)?;
                }
                if r.validate_timeout == Some(0) {
                    return Err("--validate-timeout must be at least 1 second".into());
                }
            }
            SourceConfig::Kubernetes(k) => {
                if k.from.is_some() {
                    for (given, name) in [
                        (k.kubeconfig.is_some(), "--kubeconfig"),
                        (k.context.is_some(), "--context"),
                        (k.namespace.is_some(), "--namespace"),
                        (k.no_secrets, "--no-secrets"),
                    ] {
                        if given {
                            return conflict("--from", name);
                        }
                    }
                }
            }
            SourceConfig::Aws(a) => {
                if a.from.is_some() {
                    for (given, name) in [
                        (a.profile.is_some(), "--profile"),
                        (a.endpoint_url.is_some(), "--endpoint-url"),
                    ] {
                        if given {
                            return conflict("--from", name);
                        }
                    }
                } else if a.credential_report.is_some() {
                    return Err("--credential-report reads an export: give --from too".into());
                }
            }
            SourceConfig::Github(g) => {
                if g.from.is_some() {
                    if g.api_url != GITHUB_API_URL {
                        return conflict("--from", "--api-url");
                    }
                    if g.app_id.is_some() {
                        return conflict("--from", "--app-id");
                    }
                }
                if g.app_id.is_some() != g.app_key.is_some() {
                    return Err("--app-id and --app-key go together".into());
                }
                if g.installation_id.is_some() && g.app_id.is_none() {
                    return Err("--installation-id needs --app-id and --app-key".into());
                }
            }
        }
        Ok(())
    }

    /// Make every path relative to the config file's folder, so a config checked into a
    /// repository works from any working directory.
    pub fn resolve_paths(&mut self, base: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        match self {
            SourceConfig::Repo(r) => r.paths.iter_mut().for_each(join),
            SourceConfig::Kubernetes(k) => {
                k.from.as_mut().map(join);
                k.kubeconfig.as_mut().map(join);
            }
            SourceConfig::Aws(a) => {
                a.from.as_mut().map(join);
                a.credential_report.as_mut().map(join);
            }
            SourceConfig::Github(g) => {
                g.from.as_mut().map(join);
                g.app_key.as_mut().map(join);
            }
        }
    }
}

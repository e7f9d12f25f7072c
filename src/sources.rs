//! `[[sources]]` in nhiscan.toml: the sources one `nhiscan scan --config FILE` run covers (repos,
//! clusters, and later accounts and orgs), each with the same options as its `scan <source>`
//! subcommand. Paths are relative to the config file, so a config checked into a repository works
//! from any working directory.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One source, tagged by `kind`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceSpec {
    Repo(RepoSource),
    Kubernetes(KubernetesSource),
    Aws(AwsSource),
    Github(GithubSource),
}

/// `kind = "repo"`: as `scan repo PATH [--history | --since REV] [--no-ignore]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSource {
    pub path: PathBuf,
    #[serde(default)]
    pub history: bool,
    pub since: Option<String>,
    #[serde(default)]
    pub no_ignore: bool,
}

/// `kind = "kubernetes"`: a cluster through a kubeconfig, or manifests with `from`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesSource {
    pub from: Option<PathBuf>,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub cluster: Option<String>,
}

/// `kind = "aws"`: an account through the credential chain (`profile`, `region`,
/// `endpoint_url`), or an export with `from` (+ `credential_report`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsSource {
    pub from: Option<PathBuf>,
    pub credential_report: Option<PathBuf>,
    pub account_id: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// `kind = "github"`: an organisation through the API (token from `token_env`, default
/// GITHUB_TOKEN), or saved responses with `from`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubSource {
    pub org: String,
    pub from: Option<PathBuf>,
    pub api_url: Option<String>,
    pub token_env: Option<String>,
}

impl SourceSpec {
    /// Make every path relative to the config file's folder.
    pub fn resolve_paths(&mut self, base: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        match self {
            SourceSpec::Repo(r) => join(&mut r.path),
            SourceSpec::Kubernetes(k) => {
                k.from.as_mut().map(join);
                k.kubeconfig.as_mut().map(join);
            }
            SourceSpec::Aws(a) => {
                a.from.as_mut().map(join);
                a.credential_report.as_mut().map(join);
            }
            SourceSpec::Github(g) => {
                g.from.as_mut().map(join);
            }
        }
    }
}

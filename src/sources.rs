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
        }
    }
}

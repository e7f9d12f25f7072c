//! From a source's configuration to its connector(s): the one place each connector is built,
//! whether the source came from the command line or from `[[sources]]`. Everything checked here
//! is checked before anything is scanned.

use super::Config;
use super::sources::{AwsSource, GithubSource, KubernetesSource, RepoSource, SourceConfig};
use crate::connectors::Connector;
use crate::connectors::aws::AwsOffline;
use crate::connectors::kubernetes::KubernetesOffline;
use crate::connectors::repo::{
    AllowList, DEFAULT_MAX_FILE_SIZE, HistoryScope, RepoMode, RepoOptions, RepoScanner,
};
use crate::detectors::DetectorSet;
use anyhow::{Result, bail};
use std::sync::Arc;

/// What building a connector may need besides the source's own settings.
pub struct BuildContext<'a> {
    pub config: &'a Config,
    pub detectors: &'a Arc<DetectorSet>,
    /// `--reveal`: found secrets keep their value in the report.
    pub reveal: bool,
    /// `--allow-insecure-http`: `--validate-endpoint` may be http:// to any host.
    pub allow_insecure_http: bool,
    /// `--validate` verdicts of this run, shared by every repo connector (each check once).
    #[cfg(feature = "validate")]
    pub validation_cache: Arc<crate::validate::Cache>,
}

impl SourceConfig {
    /// The connectors this source scans with (a repo source has one per path), checked as far as
    /// can be without scanning: paths exist, a history scan names a repository and known
    /// revisions, GitHub credentials and the org are accepted.
    pub fn connectors(&self, ctx: &BuildContext) -> Result<Vec<Box<dyn Connector>>> {
        self.validate().map_err(anyhow::Error::msg)?;
        match self {
            SourceConfig::Repo(r) => repo(r, ctx),
            SourceConfig::Kubernetes(k) => kubernetes(k, ctx.config).map(|c| vec![c]),
            SourceConfig::Aws(a) => aws(a, ctx.config),
            SourceConfig::Github(g) => github(g).map(|c| vec![c]),
        }
    }
}

fn repo(r: &RepoSource, ctx: &BuildContext) -> Result<Vec<Box<dyn Connector>>> {
    for p in &r.paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!(
                "{}: no such file or folder (give `scan repo` paths that exist)",
                p.display()
            );
        }
    }
    let cfg = ctx.config;
    let options = RepoOptions {
        max_file_size: r
            .max_file_size
            .or(cfg.scan.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
        no_ignore: r.no_ignore || cfg.scan.no_ignore,
        reveal: ctx.reveal,
        allow: AllowList::new(&cfg.allow.paths, &cfg.allow.values)?,
        #[cfg(feature = "validate")]
        validator: None,
        min_confidence: r.min_confidence.unwrap_or_default(),
    };
    let options = with_validator(options, r, ctx)?;
    let mode = repo_mode(r);
    let mut out: Vec<Box<dyn Connector>> = Vec::new();
    for p in &r.paths {
        let scanner = RepoScanner {
            root: p.clone(),
            mode: mode.clone(),
            options: options.clone(),
            detectors: ctx.detectors.clone(),
        };
        scanner.preflight()?;
        out.push(Box::new(scanner));
    }
    Ok(out)
}

/// `--validate`: the settings every connector of this source checks with.
#[cfg(feature = "validate")]
fn with_validator(
    mut options: RepoOptions,
    r: &RepoSource,
    ctx: &BuildContext,
) -> Result<RepoOptions> {
    if r.validate {
        let endpoints = r
            .validate_endpoint
            .iter()
            .map(|e| crate::validate::parse_endpoint(e))
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::msg)?;
        options.validator = Some(Arc::new(crate::validate::Validator {
            endpoints,
            timeout: std::time::Duration::from_secs(
                r.validate_timeout
                    .unwrap_or(crate::validate::DEFAULT_TIMEOUT_SECS),
            ),
            allow_insecure_http: ctx.allow_insecure_http,
            cache: ctx.validation_cache.clone(),
        }));
    }
    Ok(options)
}

#[cfg(not(feature = "validate"))]
fn with_validator(options: RepoOptions, r: &RepoSource, _: &BuildContext) -> Result<RepoOptions> {
    if r.validate {
        bail!("this build has no live validation (feature `validate`); scan without --validate");
    }
    Ok(options)
}

fn repo_mode(r: &RepoSource) -> RepoMode {
    if r.staged {
        return RepoMode::Staged;
    }
    match &r.since {
        Some(range) => {
            let (base, head) = match range.split_once("..") {
                Some((b, "")) => (b.to_string(), "HEAD".to_string()),
                Some((b, h)) => (b.to_string(), h.to_string()),
                None => (range.clone(), "HEAD".to_string()),
            };
            RepoMode::History(HistoryScope::Range { base, head })
        }
        None if r.history => RepoMode::History(HistoryScope::All),
        None => RepoMode::Files,
    }
}

fn kubernetes(k: &KubernetesSource, cfg: &Config) -> Result<Box<dyn Connector>> {
    let owner_keys = cfg.owners.keys.clone();
    match &k.from {
        Some(from) => {
            if !from.exists() {
                bail!(
                    "{}: no such file or folder (give --from manifests or kubectl dumps)",
                    from.display()
                );
            }
            Ok(Box::new(KubernetesOffline {
                from: from.clone(),
                cluster: k.cluster.clone().unwrap_or_else(|| "offline".into()),
                owner_keys,
                include_platform: k.include_platform,
            }))
        }
        None => live_kubernetes(k, owner_keys),
    }
}

#[cfg(feature = "kubernetes")]
fn live_kubernetes(k: &KubernetesSource, owner_keys: Vec<String>) -> Result<Box<dyn Connector>> {
    Ok(Box::new(crate::connectors::kubernetes::KubernetesLive {
        kubeconfig: k.kubeconfig.clone(),
        context: k.context.clone(),
        namespace: k.namespace.clone(),
        cluster: k.cluster.clone(),
        owner_keys,
        include_platform: k.include_platform,
        no_secrets: k.no_secrets,
    }))
}

#[cfg(not(feature = "kubernetes"))]
fn live_kubernetes(_: &KubernetesSource, _: Vec<String>) -> Result<Box<dyn Connector>> {
    bail!(
        "this build has no live Kubernetes support (feature `kubernetes`); scan manifests with --from"
    )
}

fn aws(a: &AwsSource, cfg: &Config) -> Result<Vec<Box<dyn Connector>>> {
    for p in a
        .from
        .iter()
        .chain(a.credential_report.iter())
        .chain(&a.scps)
    {
        if !p.is_file() {
            bail!("{}: no such file", p.display());
        }
    }
    if !a.org && (a.assume_role.is_some() || a.external_id.is_some() || !a.accounts.is_empty()) {
        bail!("--assume-role, --external-id and --accounts go with --org (scan every account)");
    }
    if a.org && a.from.is_some() {
        bail!(
            "--org scans live; for exports, run one `scan aws --from` per account and `merge` them"
        );
    }
    let options = crate::connectors::aws::mapping::MapOptions {
        owner_keys: cfg.owners.keys.clone(),
        human_roles: a.human_roles.clone(),
        scp_files: a.scps.clone(),
        management_account: a.management_account.clone(),
        ceiling: None,
    };
    match &a.from {
        Some(from) => Ok(vec![Box::new(AwsOffline {
            from: from.clone(),
            credential_report: a.credential_report.clone(),
            account_id: a.account_id.clone(),
            options,
        })]),
        None => live_aws(a, options),
    }
}

#[cfg(feature = "aws")]
fn live_aws(
    a: &AwsSource,
    options: crate::connectors::aws::mapping::MapOptions,
) -> Result<Vec<Box<dyn Connector>>> {
    use crate::connectors::aws::live;
    if a.org {
        return live::plan_org(&live::OrgScan {
            profile: a.profile.clone(),
            region: a.region.clone(),
            endpoint_url: a.endpoint_url.clone(),
            assume_role: a
                .assume_role
                .clone()
                .unwrap_or_else(|| "OrganizationAccountAccessRole".into()),
            external_id: a.external_id.clone(),
            accounts: a.accounts.clone(),
            options,
        });
    }
    Ok(vec![Box::new(live::AwsLive {
        profile: a.profile.clone(),
        region: a.region.clone(),
        endpoint_url: a.endpoint_url.clone(),
        account_id: a.account_id.clone(),
        options,
        assume: None,
        slots: None,
    })])
}

#[cfg(not(feature = "aws"))]
fn live_aws(
    _: &AwsSource,
    _: crate::connectors::aws::mapping::MapOptions,
) -> Result<Vec<Box<dyn Connector>>> {
    bail!("this build has no live AWS support (feature `aws`); scan an export with --from")
}

/// The GitHub connector with its credentials and org already checked (a preflight call).
#[cfg(feature = "github")]
fn github(g: &GithubSource) -> Result<Box<dyn Connector>> {
    use crate::connectors::github::{Auth, GithubLive, GithubOffline};
    use anyhow::Context;
    if let Some(from) = &g.from {
        if !from.is_dir() {
            bail!(
                "{}: not a folder (give --from the folder of saved API responses)",
                from.display()
            );
        }
        return Ok(Box::new(GithubOffline {
            org: g.org.clone(),
            from: from.clone(),
        }));
    }
    let auth = match (&g.app_id, &g.app_key) {
        (Some(app_id), Some(key)) => Auth::App {
            app_id: *app_id,
            key_pem: read_key(key).with_context(|| format!("--app-key {}", key.display()))?,
            installation_id: g.installation_id,
        },
        _ => match std::env::var(&g.token_env) {
            Ok(t) if !t.trim().is_empty() => Auth::Token(t.trim().to_string()),
            _ => bail!(
                "no GitHub token: set {} (or name another variable with --token-env), or \
                 authenticate as a GitHub App with --app-id and --app-key",
                g.token_env
            ),
        },
    };
    let mut connector = GithubLive::new(g.org.clone(), g.api_url.clone(), auth);
    connector.concurrency = g.concurrency.max(1);
    connector.max_rate_limit_wait = std::time::Duration::from_secs(g.max_rate_limit_wait);
    connector.cache_dir = g.cache.clone();
    connector.only_repos = g.repos.clone();
    connector.preflight()?;
    Ok(Box::new(connector))
}

#[cfg(feature = "github")]
fn read_key(path: &std::path::Path) -> Result<Vec<u8>> {
    Ok(std::fs::read(path)?)
}

#[cfg(not(feature = "github"))]
fn github(_: &GithubSource) -> Result<Box<dyn Connector>> {
    bail!("this build has no GitHub support (feature `github`)")
}

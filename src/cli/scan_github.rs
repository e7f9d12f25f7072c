//! `nhiscan scan github`: build the live GitHub connector from its arguments (token or App),
//! check the credentials and the org before scanning (a bad token is a usage error, exit 2),
//! then hand over to the common collect → judge → emit path.

use super::args::{CommonScanArgs, GlobalArgs};
use crate::connectors::Connector;
use crate::connectors::github::{Auth, GithubLive, GithubOffline};
use crate::exit::Outcome;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct GithubArgs {
    /// The organisation to scan (its login, as in github.com/ORG).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// Read API responses saved to this folder instead of calling the API (layout in the
    /// README); no token needed.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["api_url", "app_id"])]
    pub from: Option<PathBuf>,
    /// API root: https://HOST/api/v3 for GitHub Enterprise Server.
    #[arg(long, value_name = "URL", default_value = "https://api.github.com")]
    pub api_url: String,
    /// Environment variable holding the token (an org owner's, with read:org, admin:org,
    /// repo and security_events for full coverage).
    #[arg(long, value_name = "NAME", default_value = "GITHUB_TOKEN")]
    pub token_env: String,
    /// Authenticate as this GitHub App instead of with a token (needed to list fine-grained
    /// PATs); requires --app-key.
    #[arg(long, value_name = "ID", requires = "app_key")]
    pub app_id: Option<u64>,
    /// The App's private key (PEM file).
    #[arg(long, value_name = "FILE", requires = "app_id")]
    pub app_key: Option<PathBuf>,
    /// The App's installation on the org (looked up when not given).
    #[arg(long, value_name = "ID", requires = "app_id")]
    pub installation_id: Option<u64>,
    /// Repositories read at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub concurrency: usize,
    /// Longest wait, in seconds, for a rate limit to lift; past it the scan stops reading and
    /// reports partial coverage.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub max_rate_limit_wait: u64,
    #[command(flatten)]
    pub common: CommonScanArgs,
}

pub fn run_github(global: &GlobalArgs, args: &GithubArgs) -> Result<Outcome> {
    super::scan::run_single(global, &args.common, |_| github_connector(args))
}

/// The connector `scan github` (or an `[[sources]]` entry of kind `github`) describes, with its
/// credentials and org already checked.
pub fn github_connector(args: &GithubArgs) -> Result<Box<dyn Connector>> {
    if let Some(from) = &args.from {
        if !from.is_dir() {
            bail!(
                "{}: not a folder (give --from the folder of saved API responses)",
                from.display()
            );
        }
        let offline = GithubOffline {
            org: args.org.clone(),
            from: from.clone(),
        };
        return Ok(Box::new(offline));
    }
    let auth = match (&args.app_id, &args.app_key) {
        (Some(app_id), Some(key)) => Auth::App {
            app_id: *app_id,
            key_pem: std::fs::read(key)
                .with_context(|| format!("--app-key {}: cannot read", key.display()))?,
            installation_id: args.installation_id,
        },
        _ => match std::env::var(&args.token_env) {
            Ok(t) if !t.trim().is_empty() => Auth::Token(t.trim().to_string()),
            _ => bail!(
                "no GitHub token: set {} (or name another variable with --token-env), or \
                 authenticate as a GitHub App with --app-id and --app-key",
                args.token_env
            ),
        },
    };
    let mut connector = GithubLive::new(args.org.clone(), args.api_url.clone(), auth);
    connector.concurrency = args.concurrency.max(1);
    connector.max_rate_limit_wait = Duration::from_secs(args.max_rate_limit_wait);
    connector.preflight()?;
    Ok(Box::new(connector))
}

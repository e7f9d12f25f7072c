//! The GitHub connector: the machine credentials that reach one organisation — fine-grained PAT
//! grants and requests, SAML-authorised classic PATs and SSH keys, App installations, deploy
//! keys, Actions/Dependabot/Codespaces secrets at org, repo and environment level — with
//! open secret-scanning alerts as evidence.
//!
//! `client` speaks HTTP (octocrab), `collect` decides what to read, `offline` reads the same
//! responses saved to a folder, `api` holds the response shapes and `map` (with `permissions`
//! and `alerts`) turns them into the model without I/O.

mod alerts;
pub mod api;
mod cache;
mod client;
mod collect;
pub mod map;
mod offline;
mod permissions;

pub use offline::GithubOffline;

use super::{Collected, Connector, runtime};
use crate::inventory::{Note, NoteLevel, ScanStats, SourceRun};
use crate::progress::Progress;
use anyhow::{Context, Result, bail};
use client::{Api, ApiError};
use octocrab::Octocrab;
use octocrab::models::{AppId, InstallationId};
use octocrab::service::middleware::retry::RetryConfig;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How the connector authenticates.
pub enum Auth {
    /// A personal (classic or fine-grained) token, or any bearer token.
    Token(String),
    /// A GitHub App: the org's installation is looked up when not given.
    App {
        app_id: u64,
        key_pem: Vec<u8>,
        installation_id: Option<u64>,
    },
}

pub struct GithubLive {
    pub org: String,
    /// API root: `https://api.github.com`, `https://HOST/api/v3` for Enterprise Server, or a
    /// test server.
    pub api_url: String,
    pub auth: Auth,
    /// Repositories read at once.
    pub concurrency: usize,
    /// Longest wait for a rate limit to lift before stopping with a coverage note.
    pub max_rate_limit_wait: Duration,
    /// `--cache DIR`: ETags of earlier answers, so unchanged pages cost a free `304`.
    pub cache_dir: Option<std::path::PathBuf>,
    /// `--repos`: read only these repositories (by name), e.g. the ones a stopped run named.
    pub only_repos: Vec<String>,
    /// API calls the preflight made, added to the scan's count.
    preflight_calls: AtomicU64,
    /// The App installation the preflight found, so the scan does not look it up again.
    installation: OnceLock<u64>,
}

impl GithubLive {
    pub fn new(org: String, api_url: String, auth: Auth) -> GithubLive {
        GithubLive {
            org,
            api_url: api_url.trim_end_matches('/').to_string(),
            auth,
            concurrency: 16,
            max_rate_limit_wait: Duration::from_secs(900),
            cache_dir: None,
            only_repos: Vec::new(),
            preflight_calls: AtomicU64::new(0),
            installation: OnceLock::new(),
        }
    }

    /// An authenticated client; for an App, scoped to the org's installation.
    async fn client(&self) -> Result<Octocrab> {
        let builder = Octocrab::builder()
            .base_uri(self.api_url.as_str())
            .with_context(|| format!("--api-url {}: not a valid URL", self.api_url))?
            .add_retry_config(RetryConfig::None)
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(60)));
        match &self.auth {
            Auth::Token(t) => Ok(builder.personal_token(t.clone()).build()?),
            Auth::App {
                app_id,
                key_pem,
                installation_id,
            } => {
                let key = octocrab::EncodingKey::from_rsa_pem(key_pem).context(
                    "--app-key: not an RSA private key in PEM format (download one from the \
                     App's settings page)",
                )?;
                let app = builder.app(AppId(*app_id), key).build()?;
                let id = match installation_id.or(self.installation.get().copied()) {
                    Some(id) => id,
                    None => {
                        self.preflight_calls.fetch_add(1, Ordering::Relaxed);
                        let inst: serde_json::Value = app
                            .get(format!("/orgs/{}/installation", self.org), None::<&()>)
                            .await
                            .with_context(|| {
                                format!(
                                    "finding App {app_id}'s installation on {} (install the App \
                                     on the organisation, or pass --installation-id)",
                                    self.org
                                )
                            })?;
                        inst["id"].as_u64().context("installation without an id")?
                    }
                };
                let _ = self.installation.set(id);
                Ok(app.installation(InstallationId(id))?)
            }
        }
    }

    /// Check, before the scan, that the credentials work and the organisation exists: either
    /// failing is a usage error (exit 2) with one clear message, not a partial scan.
    pub fn preflight(&self) -> Result<()> {
        runtime::block_on(async {
            let crab = self.client().await?;
            let api = Api::new(crab, &self.api_url, self.max_rate_limit_wait);
            let r = api
                .get::<serde_json::Value>(&format!("/orgs/{}", self.org))
                .await;
            self.preflight_calls
                .fetch_add(api.calls(), Ordering::Relaxed);
            match r {
                Ok(_) => Ok(()),
                Err(ApiError::Status {
                    status: 401,
                    message,
                }) => bail!(
                    "GitHub rejected the credentials ({message}): the token is wrong, expired or \
                     revoked. Set a valid token in the environment variable named by \
                     --token-env (default GITHUB_TOKEN), or use --app-id/--app-key"
                ),
                Err(ApiError::Status { status: 404, .. }) => bail!(
                    "organisation `{}` not found at {} (check --org; a private org is invisible \
                     to a token without read:org)",
                    self.org,
                    self.api_url
                ),
                Err(e) => bail!(
                    "cannot read organisation `{}` at {}: {e}",
                    self.org,
                    self.api_url
                ),
            }
        })?
    }
}

impl Connector for GithubLive {
    fn source(&self) -> &'static str {
        "github"
    }

    fn target(&self) -> String {
        self.org.clone()
    }

    fn collect(&self, progress: &Progress) -> Result<Collected> {
        progress.set_message(format!("GitHub {}", self.org));
        let started = Instant::now();
        let cache = match &self.cache_dir {
            Some(dir) => Some(cache::EtagCache::open(dir).with_context(|| {
                format!(
                    "--cache {}: cannot create or open the folder",
                    dir.display()
                )
            })?),
            None => None,
        };
        let (collection, calls, not_modified) = runtime::block_on(async {
            let crab = self.client().await?;
            let api = Api::new(crab, &self.api_url, self.max_rate_limit_wait).with_cache(cache);
            let user_token = matches!(self.auth, Auth::Token(_));
            let scope = collect::Scope {
                concurrency: self.concurrency,
                user_token,
                only_repos: &self.only_repos,
            };
            let c = collect::collect(&api, &self.org, &scope).await;
            anyhow::Ok((c, api.calls(), api.not_modified()))
        })??;
        let calls = calls + self.preflight_calls.load(Ordering::Relaxed);
        let mut notes = collection.notes;
        let identities = map::identities(&collection.data);
        notes.push(Note::new(
            NoteLevel::Info,
            format!("{} API", self.api_url),
            format!(
                "{calls} API calls in {:.2}s ({not_modified} answered 304 Not Modified from \
                 --cache, not charged to the rate limit)",
                started.elapsed().as_secs_f64()
            ),
        ));
        Ok(Collected {
            identities,
            run: SourceRun::new("github", self.org.clone(), ScanStats::default(), notes),
        })
    }
}

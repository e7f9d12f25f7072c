//! The IAM calls of a live scan and what each failure becomes: a coverage note naming the call
//! and the rules it starves, or (bad credentials) the end of the source.

use super::super::credential_report;
use super::super::export::{AccessKey, AccountData, AuthDetails, OtherCredential};
use super::convert::{self, time};
use super::errors::{Failure, classify};
use super::pages::{PageError, all_pages};
use super::per_user::{PerUser, per_user};
use crate::inventory::Note;
use anyhow::{Result, bail};
use aws_sdk_iam::Client;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use base64::Engine;
use futures_util::{StreamExt, stream};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Concurrent per-user / per-key calls.
pub(super) const CONCURRENCY: usize = 8;
/// Credential report polling: first wait, cap of each wait, and total attempts.
const POLL_START: Duration = Duration::from_millis(250);
const POLL_CAP: Duration = Duration::from_secs(4);
const POLL_ATTEMPTS: u32 = 12;
/// `GetAccountAuthorizationDetails` items per page (the API's maximum; its default is 100).
const GAAD_PAGE: i32 = 1000;

pub struct Fetcher {
    pub(super) client: Client,
    pub calls: Arc<AtomicU64>,
    pub notes: Vec<Note>,
}

/// The marker of the next page of a list call, if there is one.
pub(super) fn next_marker(marker: Option<&str>, truncated: bool) -> Option<String> {
    marker.filter(|_| truncated).map(str::to_string)
}

impl Fetcher {
    pub fn new(client: Client) -> Fetcher {
        Fetcher {
            client,
            calls: Arc::new(AtomicU64::new(0)),
            notes: Vec::new(),
        }
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// A failure of `call` that the scan survives becomes a note; bad credentials end it.
    pub(super) fn gap(&mut self, call: &str, failure: Failure, consequence: &str) -> Result<()> {
        match failure {
            Failure::Credentials(m) => bail!(
                "AWS rejected the credentials on {call} ({m}); refresh them (`aws sso login`, \
                 new keys, --profile) and rerun"
            ),
            Failure::Denied(m) => self.notes.push(Note::warning(
                call,
                format!("access denied (grant iam:{call}); {consequence}: {m}"),
            )),
            Failure::Unsupported(_) => self.notes.push(Note::warning(
                call,
                format!("unsupported by this endpoint; {consequence}"),
            )),
            Failure::Other(m) => self
                .notes
                .push(Note::warning(call, format!("failed ({m}); {consequence}"))),
        }
        Ok(())
    }

    pub async fn account(&mut self, account_id: Option<String>) -> Result<AccountData> {
        let details = self.details().await?;
        let report = self.credential_report().await?;
        let users: Vec<String> = details
            .user_detail_list
            .iter()
            .map(|u| u.user_name.clone())
            .collect();
        let access_keys = self.access_keys(&users).await?;
        let mut other_credentials = self.service_specific().await?;
        for (user, keys) in self.ssh_public_keys(&users).await? {
            other_credentials.entry(user).or_default().extend(keys);
        }
        Ok(AccountData {
            details,
            report,
            access_keys,
            other_credentials,
            account_id,
            pod_identities: vec![],
        })
    }

    async fn details(&mut self) -> Result<AuthDetails> {
        let client = self.client.clone();
        let calls = self.calls.clone();
        let result = all_pages(|marker| {
            let client = client.clone();
            calls.fetch_add(1, Ordering::Relaxed);
            async move {
                client
                    .get_account_authorization_details()
                    // The API's default page is 100 items; 1,000 is its maximum.
                    .max_items(GAAD_PAGE)
                    .set_marker(marker)
                    .send()
                    .await
                    .map(|o| convert::page(&o))
            }
        })
        .await;
        match result {
            Ok((d, _pages)) => Ok(d),
            Err(PageError::Call(e)) => {
                self.gap(
                    "GetAccountAuthorizationDetails",
                    classify(&e),
                    "no users, roles, groups or policies: permission, trust and owner rules cannot run",
                )?;
                Ok(AuthDetails::default())
            }
            Err(PageError::TooMany) => bail!(
                "GetAccountAuthorizationDetails kept returning IsTruncated after {} pages; stopping",
                super::pages::MAX_PAGES
            ),
        }
    }

    /// Generate, poll with capped exponential backoff, fetch and parse the report.
    async fn credential_report(&mut self) -> Result<Option<Vec<credential_report::ReportRow>>> {
        const MISSING: &str = "passwords, key ages from the report and the root account are not \
             inventoried: root-key, console-password and key rules have less to work on";
        let mut wait = POLL_START;
        for _ in 0..POLL_ATTEMPTS {
            self.count();
            if let Err(e) = self.client.generate_credential_report().send().await {
                self.gap("GenerateCredentialReport", classify(&e), MISSING)?;
                return Ok(None);
            }
            self.count();
            match self.client.get_credential_report().send().await {
                Ok(out) => {
                    let Some(blob) = out.content() else {
                        self.notes.push(Note::warning(
                            "GetCredentialReport",
                            format!("empty report; {MISSING}"),
                        ));
                        return Ok(None);
                    };
                    // The SDK decodes the base64 of the wire format; some endpoints encode twice.
                    let bytes = blob.as_ref();
                    let text = match base64::engine::general_purpose::STANDARD.decode(bytes) {
                        Ok(inner) if !bytes.contains(&b',') => inner,
                        _ => bytes.to_vec(),
                    };
                    // Bytes, not lossy text: a row that is not UTF-8 is skipped with a note.
                    let rows =
                        credential_report::parse(&text, "GetCredentialReport", &mut self.notes)?;
                    return Ok(Some(rows));
                }
                Err(e) if not_ready(&e) => {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(POLL_CAP);
                }
                Err(e) => {
                    self.gap("GetCredentialReport", classify(&e), MISSING)?;
                    return Ok(None);
                }
            }
        }
        self.notes.push(Note::warning(
            "GetCredentialReport",
            format!("report still not ready after {POLL_ATTEMPTS} attempts; {MISSING}"),
        ));
        Ok(None)
    }

    /// `ListAccessKeys` per user, then `GetAccessKeyLastUsed` per key, `CONCURRENCY` at a time.
    /// `None` when listing was denied everywhere (the mapping falls back to the report).
    async fn access_keys(
        &mut self,
        users: &[String],
    ) -> Result<Option<BTreeMap<String, Vec<AccessKey>>>> {
        let client = &self.client.clone();
        let calls = &self.calls.clone();
        let PerUser {
            listed: mut out,
            failed: denied,
            first_failure,
        } = per_user(users, calls, false, |user, marker| {
            let client = client.clone();
            async move {
                let out = client
                    .list_access_keys()
                    .user_name(user)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| classify(&e))?;
                let keys = out
                    .access_key_metadata()
                    .iter()
                    .map(|k| AccessKey {
                        id: k.access_key_id().unwrap_or_default().to_string(),
                        status: k
                            .status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_else(|| "unknown".into()),
                        created: time(k.create_date()),
                        ..Default::default()
                    })
                    .collect();
                Ok((keys, next_marker(out.marker(), out.is_truncated())))
            }
        })
        .await;
        if let Some(f) = first_failure {
            self.gap(
                "ListAccessKeys",
                f,
                &format!("{denied} user(s) without live key data (the credential report's key slots are used instead)"),
            )?;
        }
        if out.is_empty() && denied > 0 {
            return Ok(None);
        }
        // Fresh last-use per key (the report can be hours old).
        let ids: Vec<(String, usize, String)> = out
            .iter()
            .flat_map(|(u, ks)| {
                ks.iter()
                    .enumerate()
                    .map(move |(i, k)| (u.clone(), i, k.id.clone()))
            })
            .collect();
        let used: Vec<_> = stream::iter(ids)
            .map(|(u, i, id)| async move {
                calls.fetch_add(1, Ordering::Relaxed);
                let r = client
                    .get_access_key_last_used()
                    .access_key_id(&id)
                    .send()
                    .await;
                (u, i, r.map_err(|e| classify(&e)))
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut failure = None;
        for (u, i, r) in used {
            match r {
                Ok(o) => {
                    if let (Some(k), Some(l)) = (
                        out.get_mut(&u).and_then(|v| v.get_mut(i)),
                        o.access_key_last_used(),
                    ) {
                        k.last_used = time(l.last_used_date());
                        k.last_used_service =
                            Some(l.service_name().to_string()).filter(|s| s != "N/A");
                        k.last_used_region = Some(l.region().to_string()).filter(|s| s != "N/A");
                    }
                }
                Err(f) => {
                    failure.get_or_insert(f);
                }
            }
        }
        if let Some(f) = failure {
            self.gap(
                "GetAccessKeyLastUsed",
                f,
                "some keys have no last-used date: stale/unused key rules may misjudge them",
            )?;
        }
        Ok(Some(out))
    }

    /// Service-specific credentials (CodeCommit, Keyspaces, Bedrock API keys) for every user in
    /// one paginated call.
    async fn service_specific(&mut self) -> Result<BTreeMap<String, Vec<OtherCredential>>> {
        let mut out: BTreeMap<String, Vec<OtherCredential>> = BTreeMap::new();
        let mut marker = None;
        loop {
            self.count();
            let r = self
                .client
                .list_service_specific_credentials()
                .all_users(true)
                .set_marker(marker.take())
                .customize()
                // Optional data: one retry, not five, when an endpoint answers 5xx.
                .config_override(aws_sdk_iam::config::Builder::default().retry_config(
                    aws_sdk_iam::config::retry::RetryConfig::standard().with_max_attempts(2),
                ))
                .send()
                .await;
            let o = match r {
                Ok(o) => o,
                Err(e) => {
                    self.gap(
                        "ListServiceSpecificCredentials",
                        classify(&e),
                        "service-specific credentials (CodeCommit, Keyspaces, Bedrock) are not inventoried",
                    )?;
                    return Ok(out);
                }
            };
            for c in o.service_specific_credentials() {
                out.entry(c.user_name().to_string())
                    .or_default()
                    .push(OtherCredential {
                        kind: "service_specific_credential".into(),
                        id: c.service_specific_credential_id().to_string(),
                        status: c.status().as_str().to_ascii_lowercase(),
                        created: time(Some(c.create_date())),
                        expires: time(c.expiration_date()),
                    });
            }
            match next_marker(o.marker(), o.is_truncated()) {
                Some(m) => marker = Some(m),
                None => return Ok(out),
            }
        }
    }
}

/// `ReportInProgress` / `ReportNotPresent`: generate again and wait.
fn not_ready<E: ProvideErrorMetadata>(e: &SdkError<E>) -> bool {
    e.as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|c| {
            c.starts_with("ReportInProgress")
                || c.starts_with("ReportNotPresent")
                || c == "ReportExpired"
        })
}

//! `ListSSHPublicKeys` per user (live mode only: an authorization-details export has no SSH
//! keys). An SSH key uploaded to IAM opens CodeCommit over SSH and is as long-lived as an access
//! key, so each one becomes an `ssh_public_key` credential on its user. Listed with the same
//! concurrency bound and failure handling as `ListAccessKeys`: a denial is a coverage note and a
//! partial run; an endpoint that does not implement the call is told once and not asked again.

use super::super::export::OtherCredential;
use super::convert::time;
use super::errors::{Failure, classify};
use super::fetch::{CONCURRENCY, Fetcher};
use anyhow::Result;
use futures_util::{StreamExt, stream};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// The credential kind the mapping and the posture rules see.
pub const KIND: &str = "ssh_public_key";

impl Fetcher {
    /// Every user's SSH public keys (metadata only: id, status, upload date), by user name. Users
    /// whose listing failed are absent; the first failure becomes one note counting them.
    pub async fn ssh_public_keys(
        &mut self,
        users: &[String],
    ) -> Result<BTreeMap<String, Vec<OtherCredential>>> {
        let client = &self.client.clone();
        let calls = &self.calls.clone();
        // Once the endpoint says it does not implement the call, asking for the other users would
        // only cost retries.
        let unsupported = &AtomicBool::new(false);
        let listed: Vec<(String, Result<Vec<OtherCredential>, Failure>)> =
            stream::iter(users.iter().cloned())
                .map(|user| async move {
                    let mut keys = Vec::new();
                    let mut marker = None;
                    loop {
                        if unsupported.load(Ordering::Relaxed) {
                            return (user, Err(Failure::Unsupported(String::new())));
                        }
                        calls.fetch_add(1, Ordering::Relaxed);
                        let out = match client
                            .list_ssh_public_keys()
                            .user_name(&user)
                            .set_marker(marker.take())
                            .send()
                            .await
                        {
                            Ok(o) => o,
                            Err(e) => {
                                let f = classify(&e);
                                if matches!(f, Failure::Unsupported(_)) {
                                    unsupported.store(true, Ordering::Relaxed);
                                }
                                return (user, Err(f));
                            }
                        };
                        keys.extend(out.ssh_public_keys().iter().map(|k| OtherCredential {
                            kind: KIND.into(),
                            id: k.ssh_public_key_id().to_string(),
                            status: k.status().as_str().to_ascii_lowercase(),
                            created: time(Some(k.upload_date())),
                            expires: None,
                        }));
                        match out.marker().filter(|_| out.is_truncated()) {
                            Some(m) => marker = Some(m.to_string()),
                            None => break,
                        }
                    }
                    (user, Ok(keys))
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
        let mut out = BTreeMap::new();
        let mut failed = 0;
        let mut first_failure: Option<Failure> = None;
        for (user, r) in listed {
            match r {
                Ok(keys) if keys.is_empty() => {}
                Ok(keys) => {
                    out.insert(user, keys);
                }
                Err(f) => {
                    failed += 1;
                    // Prefer a failure with a message over the placeholder of a skipped user.
                    if first_failure
                        .as_ref()
                        .is_none_or(|g| matches!(g, Failure::Unsupported(m) if m.is_empty()))
                    {
                        first_failure = Some(f);
                    }
                }
            }
        }
        if let Some(f) = first_failure {
            self.gap(
                "ListSSHPublicKeys",
                f,
                &format!(
                    "{failed} user(s) without SSH public key data: their SSH keys are not inventoried"
                ),
            )?;
        }
        Ok(out)
    }
}

//! `ListSSHPublicKeys` per user (live mode only: an authorization-details export has no SSH
//! keys). An SSH key uploaded to IAM opens CodeCommit over SSH and is as long-lived as an access
//! key, so each one becomes an `ssh_public_key` credential on its user. Listed with the same
//! concurrency bound and failure handling as `ListAccessKeys`: a denial is a coverage note and a
//! partial run; an endpoint that does not implement the call is told once and not asked again.

use super::super::export::OtherCredential;
use super::convert::time;
use super::errors::classify;
use super::fetch::{Fetcher, next_marker};
use super::per_user::{PerUser, per_user};
use anyhow::Result;
use std::collections::BTreeMap;

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
        let PerUser {
            mut listed,
            failed,
            first_failure,
        } = per_user(users, calls, true, |user, marker| {
            let client = client.clone();
            async move {
                let out = client
                    .list_ssh_public_keys()
                    .user_name(user)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| classify(&e))?;
                let keys = out
                    .ssh_public_keys()
                    .iter()
                    .map(|k| OtherCredential {
                        kind: KIND.into(),
                        id: k.ssh_public_key_id().to_string(),
                        status: k.status().as_str().to_ascii_lowercase(),
                        created: time(Some(k.upload_date())),
                        expires: None,
                    })
                    .collect();
                Ok((keys, next_marker(out.marker(), out.is_truncated())))
            }
        })
        .await;
        listed.retain(|_, keys| !keys.is_empty());
        if let Some(f) = first_failure {
            self.gap(
                "ListSSHPublicKeys",
                f,
                &format!(
                    "{failed} user(s) without SSH public key data: their SSH keys are not inventoried"
                ),
            )?;
        }
        Ok(listed)
    }
}

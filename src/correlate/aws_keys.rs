//! An AWS access key id found in code ↔ the IAM access key with that id. The key id itself is
//! never compared or stored in clear: both sides are matched by the SHA-256 the model already
//! carries for found secrets.
//!
//! Facts written on the found key (source `repo`): `iam_identity` (the user's ARN),
//! `iam_key_status`, `iam_key_last_used_at`, `iam_flags` (the user's permission flags),
//! `iam_owner`, and `iam_key_used_after_leak` when IAM saw the key used after the earliest
//! commit that contains it. A key whose account was not scanned, when some account was, gets
//! `aws_account_foreign: true`. On the IAM user: `leaked_in` (found identity ids) and
//! `leaked_at` (where).

use super::index::{Edit, Index, found_secrets, seen_at};
use crate::inventory::Identity;
use serde_json::{Value, json};

pub fn join(identities: &[Identity], idx: &Index, edits: &mut Vec<Edit>) {
    for (i, found_id, found) in found_secrets(identities) {
        if found.detector != "aws.access-key-id" {
            continue;
        }
        match idx.aws_key_by_hash.get(&found.secret_sha256) {
            Some(&(u, c)) => {
                let user = &identities[u];
                let key = &user.credentials[c];
                edits.push(Edit::set(i, "iam_identity", json!(user.id)));
                edits.push(Edit::set(i, "iam_key_status", json!(key.status)));
                if let Some(t) = key.last_used_at {
                    edits.push(Edit::set(i, "iam_key_last_used_at", json!(t)));
                    let leaked = found
                        .first_seen_at
                        .or_else(|| found.locations.iter().filter_map(|l| l.date).min());
                    if let Some(leak) = leaked {
                        edits.push(Edit::set(i, "iam_key_used_after_leak", json!(t > leak)));
                    }
                }
                edits.push(Edit::set(i, "iam_flags", json!(user.permissions.flags)));
                if let Some(o) = &user.owner {
                    edits.push(Edit::set(i, "iam_owner", json!(o.name)));
                }
                edits.push(Edit::push(u, "leaked_in", json!(found_id.id)));
                for at in seen_at(found_id) {
                    edits.push(Edit::push(u, "leaked_at", Value::String(at)));
                }
            }
            None => {
                let account = found.attributes.get("aws_account_id");
                if let Some(a) = account
                    && !idx.aws_accounts.is_empty()
                    && !idx.aws_accounts.contains(a)
                {
                    edits.push(Edit::set(i, "aws_account_foreign", json!(true)));
                }
            }
        }
    }
}

//! A Kubernetes service-account JWT found in code ↔ that service account, by the namespace and
//! name in the token's claims. Without the cluster in the claims, a token matches the account
//! of that name in every scanned cluster (`k8s_identities` lists them all).
//!
//! On the found token: `k8s_identities` and `k8s_flags` (the union of those accounts' RBAC
//! flags). On each service account: `leaked_in` and `leaked_at`.

use super::index::{Edit, Index, found_secrets, seen_at};
use crate::inventory::Identity;
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub fn join(identities: &[Identity], idx: &Index, edits: &mut Vec<Edit>) {
    for (i, found_id, found) in found_secrets(identities) {
        if !(found.attributes.contains_key("k8s_namespace")
            && found.attributes.contains_key("k8s_service_account"))
        {
            continue;
        }
        let key = (
            found.attributes["k8s_namespace"].clone(),
            found.attributes["k8s_service_account"].clone(),
        );
        let Some(accounts) = idx.service_accounts.get(&key) else {
            continue;
        };
        let mut flags = BTreeSet::new();
        for &sa in accounts {
            flags.extend(identities[sa].permissions.flags.iter().cloned());
            edits.push(Edit::push(i, "k8s_identities", json!(identities[sa].id)));
            edits.push(Edit::push(sa, "leaked_in", json!(found_id.id)));
            for at in seen_at(found_id) {
                edits.push(Edit::push(sa, "leaked_at", Value::String(at)));
            }
        }
        edits.push(Edit::set(i, "k8s_flags", json!(flags)));
    }
}

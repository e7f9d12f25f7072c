//! A GitHub secret-scanning alert ↔ the secret found in code with the same value, and ↔ the
//! inventoried identity the leaked secret belongs to. Both sides are matched by SHA-256: the
//! GitHub connector keeps only the hash of an alert's secret, the repo scanner only the hash of
//! what it found, so equal hashes mean the same secret and neither value is ever compared in
//! clear. The alert's `secret_type` is carried across so a reader sees what GitHub called it.
//!
//! Alerts live in `secret_scanning_alerts` of a GitHub identity: an alert identity
//! (`github.secret_scanning_alert`, one alert) or a token the connector attached the alert to by
//! its last eight characters (a classic PAT, an OAuth token: identities nhiscan enumerates).
//!
//! Facts written on the found secret (source `repo`): `github_alerts` (one object per alert:
//! `identity`, `number`, `repository`, `state`, `validity`, `publicly_leaked`, `secret_type`,
//! `html_url`), `github_alert_urls` (for messages) and, when the alert sits on a token
//! identity, `github_identities` (its owner is then borrowed, see `owners`). On the GitHub
//! side: `found_in` (found identity ids) and `found_at` (where). An alert whose secret is an
//! AWS access key id that IAM lists is also joined to that key: on the alert `iam_identity`,
//! `iam_key_status`, `iam_flags`; on the IAM user `leaked_in` and `leaked_at` (the alert's URL).

use super::index::{Edit, Index, found_secrets, seen_at};
use crate::inventory::Identity;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The alert fields carried onto the found secret.
const CARRIED: [&str; 7] = [
    "number",
    "repository",
    "state",
    "validity",
    "publicly_leaked",
    "secret_type",
    "html_url",
];

/// One alert: the GitHub identity that carries it and its summary.
type Alert<'a> = (usize, &'a Map<String, Value>);

pub fn join(identities: &[Identity], idx: &Index, edits: &mut Vec<Edit>) {
    // secret hash → its alerts, in inventory order.
    let mut alerts: HashMap<&str, Vec<Alert>> = HashMap::new();
    for (g, id) in identities.iter().enumerate() {
        if id.source != "github" {
            continue;
        }
        for alert in alerts_of(id) {
            if let Some(Value::String(h)) = alert.get("secret_sha256") {
                alerts.entry(h.as_str()).or_default().push((g, alert));
            }
        }
    }
    if alerts.is_empty() {
        return;
    }
    for (i, found_id, found) in found_secrets(identities) {
        for (g, alert) in alerts
            .get(found.secret_sha256.as_str())
            .into_iter()
            .flatten()
        {
            let github = &identities[*g];
            let mut carried: Map<String, Value> = CARRIED
                .iter()
                .filter_map(|k| alert.get(*k).map(|v| (k.to_string(), v.clone())))
                .collect();
            carried.insert("identity".into(), json!(github.id));
            edits.push(Edit::push(i, "github_alerts", Value::Object(carried)));
            if let Some(url) = alert.get("html_url") {
                edits.push(Edit::push(i, "github_alert_urls", url.clone()));
            }
            if github.kind != "github.secret_scanning_alert" {
                edits.push(Edit::push(i, "github_identities", json!(github.id)));
            }
            edits.push(Edit::push(*g, "found_in", json!(found_id.id)));
            for at in seen_at(found_id) {
                edits.push(Edit::push(*g, "found_at", Value::String(at)));
            }
        }
    }
    // An alert on an AWS access key id: the key IAM lists under that id.
    for (g, alert_id) in identities.iter().enumerate() {
        if alert_id.kind != "github.secret_scanning_alert" {
            continue;
        }
        let Some(Value::String(h)) = alert_id.attributes.get("secret_sha256") else {
            continue;
        };
        let Some(&(u, c)) = idx.aws_key_by_hash.get(h) else {
            continue;
        };
        let user = &identities[u];
        edits.push(Edit::set(g, "iam_identity", json!(user.id)));
        edits.push(Edit::set(
            g,
            "iam_key_status",
            json!(user.credentials[c].status),
        ));
        edits.push(Edit::set(g, "iam_flags", json!(user.permissions.flags)));
        edits.push(Edit::push(u, "leaked_in", json!(alert_id.id)));
        if let Some(url) = alert_id.attributes.get("html_url") {
            edits.push(Edit::push(u, "leaked_at", url.clone()));
        }
    }
}

/// The alert summaries an identity carries (see `connectors::github::alerts`).
fn alerts_of(id: &Identity) -> impl Iterator<Item = &Map<String, Value>> {
    id.attributes
        .get("secret_scanning_alerts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

//! Secret-scanning alerts as evidence. An alert whose secret ends in the `token_last_eight` of a
//! SAML-authorised token is attached to that token's identity (`secret_scanning_alerts`); any
//! other alert becomes an identity of its own (`github.secret_scanning_alert`) so it is still
//! judged. The secret value, when the API returns it, is reduced at once to its SHA-256 and a
//! redacted preview: it never reaches the inventory.

use super::api::{SecretScanningAlert, enum_str};
use crate::inventory::{Credential, Identity, Permissions, redact, secret_sha256};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The facts of one alert a rule and an auditor need.
fn summary(a: &SecretScanningAlert, locations: Option<usize>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("number".into(), json!(a.number));
    if let Some(r) = &a.repository {
        m.insert("repository".into(), json!(r.name));
    }
    m.insert("state".into(), json!(enum_str(&a.state)));
    if let Some(r) = a.resolution.as_ref().and_then(enum_str) {
        m.insert("resolution".into(), json!(r));
    }
    m.insert("validity".into(), json!(enum_str(&a.validity)));
    m.insert(
        "publicly_leaked".into(),
        json!(a.publicly_leaked.unwrap_or(false)),
    );
    m.insert("secret_type".into(), json!(a.secret_type));
    if let Some(n) = locations {
        m.insert("locations".into(), json!(n));
    }
    m.insert("created_at".into(), json!(a.created_at));
    m.insert("html_url".into(), json!(a.html_url.as_str()));
    if let Some(s) = Some(a.secret.as_str()).filter(|s| !s.is_empty()) {
        m.insert("secret_sha256".into(), json!(secret_sha256(s.as_bytes())));
        m.insert("secret_redacted".into(), json!(redact(s)));
    }
    Value::Object(m)
}

/// The identity a leaked token belongs to, by the last eight characters GitHub reports for
/// SAML-authorised tokens.
fn owner_of(alert: &SecretScanningAlert, identities: &[Identity]) -> Option<usize> {
    let secret = alert.secret.as_str();
    if secret.len() < 8 || !secret.is_char_boundary(secret.len() - 8) {
        return None;
    }
    let last8 = &secret[secret.len() - 8..];
    identities
        .iter()
        .position(|i| i.attributes.get("token_last_eight").and_then(Value::as_str) == Some(last8))
}

/// Attach each alert to its token's identity, or add an alert identity.
pub fn attach(
    org: &str,
    alerts: &[(SecretScanningAlert, Option<usize>)],
    identities: &mut Vec<Identity>,
) {
    for (alert, locations) in alerts {
        let s = summary(alert, *locations);
        if let Some(i) = owner_of(alert, identities) {
            let list = identities[i]
                .attributes
                .entry("secret_scanning_alerts".into())
                .or_insert_with(|| json!([]));
            if let Some(arr) = list.as_array_mut() {
                arr.push(s);
            }
            continue;
        }
        identities.push(alert_identity(org, alert, s));
    }
}

fn alert_identity(org: &str, a: &SecretScanningAlert, s: Value) -> Identity {
    let repo = a
        .repository
        .as_ref()
        .map(|r| r.name.as_str())
        .unwrap_or("unknown");
    let kind_name = if a.secret_type_display_name.is_empty() {
        a.secret_type.as_str()
    } else {
        a.secret_type_display_name.as_str()
    };
    let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
    for k in [
        "state",
        "validity",
        "publicly_leaked",
        "secret_type",
        "locations",
        "repository",
        "secret_sha256",
        "secret_redacted",
        "html_url",
    ] {
        if let Some(v) = s.get(k) {
            attributes.insert(k.into(), v.clone());
        }
    }
    attributes.insert("secret_scanning_alerts".into(), json!([s.clone()]));
    let credential_id = match s.get("secret_sha256").and_then(Value::as_str) {
        Some(h) => format!("sha256:{}", &h[..16]),
        None => format!("alert:{repo}#{}", a.number),
    };
    Identity {
        id: format!("github:{org}/secret_scanning_alert/{repo}/{}", a.number),
        kind: "github.secret_scanning_alert".into(),
        source: "github".into(),
        name: format!("{kind_name} leaked in {repo} (alert #{})", a.number),
        created_at: Some(a.created_at),
        last_used_at: None,
        labels: BTreeMap::new(),
        owner: None,
        permissions: Permissions::default(),
        credentials: vec![Credential {
            id: credential_id,
            kind: a.secret_type.clone(),
            created_at: Some(a.created_at),
            last_used_at: None,
            expires_at: None,
            last_rotated_at: None,
            status: enum_str(&a.validity).unwrap_or_else(|| "unknown".into()),
            found: None,
        }],
        attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's example alert with the fields a case needs changed.
    fn alert(secret: &str, state: &str) -> SecretScanningAlert {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/github/examples/orgs_org_secret-scanning_alerts.json"
        );
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        let a = &mut v[0];
        a["number"] = json!(7);
        a["state"] = json!(state);
        a["secret_type"] = json!("github_personal_access_token");
        a["secret"] = json!(secret);
        a["validity"] = json!("active");
        a["publicly_leaked"] = json!(true);
        a["repository"]["name"] = json!("api");
        serde_json::from_value(v[0].take()).unwrap()
    }

    #[test]
    fn alert_matching_a_tokens_last_eight_is_attached_to_it() {
        let mut token: Identity = serde_json::from_value(json!({
            "id": "github:o/classic_pat/1", "kind": "github.classic_pat", "source": "github",
            "name": "t", "attributes": {"token_last_eight": "71c3fc11"}
        }))
        .unwrap();
        token.attributes.insert("x".into(), json!(1));
        let mut ids = vec![token];
        let secret = "ghp_0000000000000000000000000000071c3fc11";
        attach("o", &[(alert(secret, "open"), Some(2))], &mut ids);
        assert_eq!(ids.len(), 1);
        let a = &ids[0].attributes["secret_scanning_alerts"][0];
        assert_eq!(a["locations"], 2);
        assert_eq!(a["secret_sha256"], secret_sha256(secret.as_bytes()));
        let text = serde_json::to_string(&ids).unwrap();
        assert!(!text.contains(secret), "secret value leaked: {text}");
    }

    #[test]
    fn unmatched_alert_becomes_an_identity_without_the_secret() {
        let mut ids = vec![];
        let secret = "aio_abcdefghijklmnopqrstuvwxyz012345";
        attach("o", &[(alert(secret, "open"), None)], &mut ids);
        assert_eq!(ids[0].id, "github:o/secret_scanning_alert/api/7");
        assert_eq!(ids[0].attributes["validity"], "active");
        assert!(!serde_json::to_string(&ids).unwrap().contains(secret));
    }
}

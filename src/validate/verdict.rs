//! A provider's answer → valid, invalid or unknown. Only the statuses and the JSON field the rule
//! names decide; a status the rule does not name (rate limits, server errors, redirects) is
//! unknown, because it says nothing about the secret.

use super::request::Rendered;
use crate::inventory::{Validation, Validity};

pub fn verdict(r: &Rendered, status: u16, body: &[u8]) -> Validation {
    let host = &r.host;
    if r.valid_status.contains(&status) {
        let Some(check) = &r.valid_json else {
            return Validation::new(Validity::Valid, format!("HTTP {status} from {host}"));
        };
        let value = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get(&check.field).cloned());
        return match value {
            Some(v) if v == check.equals => Validation::new(
                Validity::Valid,
                format!(
                    "HTTP {status} from {host} with `{}` = {}",
                    check.field, check.equals
                ),
            ),
            Some(_) => Validation::new(
                Validity::Invalid,
                format!(
                    "HTTP {status} from {host} but `{}` is not {}",
                    check.field, check.equals
                ),
            ),
            None => Validation::new(
                Validity::Unknown,
                format!(
                    "HTTP {status} from {host} without a JSON `{}` field",
                    check.field
                ),
            ),
        };
    }
    if r.invalid_status.contains(&status) {
        return Validation::new(
            Validity::Invalid,
            format!("HTTP {status} from {host}: the provider rejected it"),
        );
    }
    let why = match status {
        429 => "rate limited",
        300..=399 => "a redirect, not followed",
        500..=599 => "a server error",
        _ => "a status this check does not interpret",
    };
    Validation::new(
        Validity::Unknown,
        format!("HTTP {status} from {host} ({why})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Endpoints, render};
    use std::collections::BTreeMap;

    fn rendered(v: serde_json::Value) -> Rendered {
        let spec = serde_json::from_value(v).unwrap();
        let vars = BTreeMap::from([("secret".to_string(), "s".to_string())]);
        render(&spec, "p", &vars, &Endpoints::new(), false).unwrap()
    }

    #[test]
    fn statuses_and_json_fields_decide() {
        let r = rendered(serde_json::json!({"url": "https://api.example.com/"}));
        assert_eq!(verdict(&r, 200, b"").validity, Validity::Valid);
        assert_eq!(verdict(&r, 401, b"").validity, Validity::Invalid);
        assert_eq!(verdict(&r, 403, b"").validity, Validity::Invalid);
        assert_eq!(verdict(&r, 500, b"").validity, Validity::Unknown);
        assert_eq!(verdict(&r, 429, b"").validity, Validity::Unknown);
        assert_eq!(verdict(&r, 302, b"").validity, Validity::Unknown);
        let slack = rendered(serde_json::json!({
            "url": "https://slack.example.com/api/auth.test",
            "valid_json": {"field": "ok", "equals": true}
        }));
        assert_eq!(
            verdict(&slack, 200, br#"{"ok":true}"#).validity,
            Validity::Valid
        );
        assert_eq!(
            verdict(&slack, 200, br#"{"ok":false,"error":"invalid_auth"}"#).validity,
            Validity::Invalid
        );
        assert_eq!(verdict(&slack, 200, b"<html>").validity, Validity::Unknown);
    }
}

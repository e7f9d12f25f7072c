//! A `validate:` block plus one secret's values → the exact request that would be sent, checked
//! for where it goes before anything is sent.

use super::endpoints::{Endpoints, rebase};
use super::spec_check::origin_of;
use super::template::fill;
use crate::detectors::{JsonFieldSpec, ValidateSpec};
use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Everything but unreserved characters is escaped when a value goes into a URL.
const URL_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// AWS SigV4 signing inputs, already filled in.
#[derive(Clone)]
pub struct SigV4 {
    pub service: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// One request ready to send. Holds secrets: never logged, never in a report.
#[derive(Clone)]
pub struct Rendered {
    /// The detector's service: names the concurrency bound and `--validate-endpoint`.
    pub provider: String,
    pub method: String,
    pub url: String,
    /// Host (and port) the request goes to: the only part of the target reasons may show.
    pub host: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub sigv4: Option<SigV4>,
    pub valid_status: Vec<u16>,
    pub invalid_status: Vec<u16>,
    pub valid_json: Option<JsonFieldSpec>,
    /// SHA-256 of everything sent but the signature: two credentials that would send the same
    /// request (an AWS key id and its secret key, found as two hits) share one check.
    pub key: String,
}

/// Fill `spec` with `vars` (`secret`, captured groups, paired parts). `Err` is the reason the
/// check cannot be made, phrased for the report.
pub fn render(
    spec: &ValidateSpec,
    provider: &str,
    vars: &BTreeMap<String, String>,
    endpoints: &Endpoints,
    allow_insecure_http: bool,
) -> Result<Rendered, String> {
    let missing = |name: String| {
        format!(
            "needs the `{name}` that belongs with this secret (a paired part found within 5 \
             lines), and none was found"
        )
    };
    let url = fill(&spec.url, vars, |v| {
        utf8_percent_encode(v, URL_VALUE).to_string()
    })
    .map_err(missing)?;
    let origin = origin_of(&spec.url)?;
    // The origin is fixed text (checked at load), so the rendered URL starts with it.
    let path_and_query = url
        .strip_prefix(origin)
        .ok_or("the rule's URL changed host when filled in")?;
    let url = match endpoints.get(provider) {
        Some(root) => rebase(root, path_and_query),
        None => url.clone(),
    };
    let parsed = url::Url::parse(&url).map_err(|e| format!("the check's URL is invalid: {e}"))?;
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => return Err("the check's URL has no host".into()),
    };
    if parsed.scheme() != "https" && !allow_insecure_http && crate::plan::is_cleartext_remote(&url)
    {
        return Err(format!(
            "refused to send a secret over http:// to {host} (not loopback; \
             --allow-insecure-http allows it)"
        ));
    }
    let plain = |t: &str| fill(t, vars, str::to_string).map_err(missing);
    let mut headers = Vec::new();
    for (k, v) in &spec.headers {
        headers.push((k.clone(), plain(v)?));
    }
    if let Some(b) = &spec.basic_auth {
        let pair = format!("{}:{}", plain(&b.user)?, plain(&b.password)?);
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        headers.push(("Authorization".into(), format!("Basic {encoded}")));
    }
    if headers
        .iter()
        .any(|(_, v)| v.bytes().any(|b| b.is_ascii_control()))
    {
        return Err("the secret holds control characters and cannot be sent in a header".into());
    }
    let body = spec
        .body
        .as_deref()
        .map(plain)
        .transpose()?
        .unwrap_or_default()
        .into_bytes();
    let sigv4 = match &spec.sigv4 {
        Some(s) => Some(SigV4 {
            service: s.service.clone(),
            region: s.region.clone(),
            access_key_id: plain(&s.access_key_id)?,
            secret_access_key: plain(&s.secret_access_key)?,
        }),
        None => None,
    };
    let mut h = Sha256::new();
    for part in [spec.method.as_bytes(), url.as_bytes(), &body] {
        h.update(part);
        h.update([0]);
    }
    for (k, v) in &headers {
        h.update(k.to_ascii_lowercase().as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    if let Some(s) = &sigv4 {
        for part in [
            &s.service,
            &s.region,
            &s.access_key_id,
            &s.secret_access_key,
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    Ok(Rendered {
        provider: provider.to_string(),
        method: spec.method.clone(),
        url,
        host,
        headers,
        body,
        sigv4,
        valid_status: spec.valid_status.clone(),
        invalid_status: spec.invalid_status.clone(),
        valid_json: spec.valid_json.clone(),
        key: hex::encode(h.finalize()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(v: serde_json::Value) -> ValidateSpec {
        serde_json::from_value(v).unwrap()
    }

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn secrets_are_encoded_in_urls_and_hosts_stay_fixed() {
        let s = spec(serde_json::json!({"url": "https://maps.example.com/x?key={{secret}}"}));
        let r = render(
            &s,
            "gcp",
            &vars(&[("secret", "a/b?c#d")]),
            &Endpoints::new(),
            false,
        )
        .unwrap();
        assert_eq!(r.url, "https://maps.example.com/x?key=a%2Fb%3Fc%23d");
        assert_eq!(r.host, "maps.example.com");
    }

    #[test]
    fn endpoints_replace_the_root_and_cleartext_is_loopback_only() {
        let s = spec(serde_json::json!({
            "url": "https://api.github.com/user",
            "headers": {"Authorization": "Bearer {{secret}}"}
        }));
        let v = vars(&[("secret", "ghp_x")]);
        let mut e = Endpoints::new();
        e.insert(
            "github".into(),
            url::Url::parse("http://127.0.0.1:9/api/v3").unwrap(),
        );
        let r = render(&s, "github", &v, &e, false).unwrap();
        assert_eq!(r.url, "http://127.0.0.1:9/api/v3/user");
        assert_eq!(
            r.headers,
            vec![("Authorization".into(), "Bearer ghp_x".into())]
        );
        e.insert(
            "github".into(),
            url::Url::parse("http://ghe.example/").unwrap(),
        );
        let err = render(&s, "github", &v, &e, false).err().unwrap();
        assert!(err.contains("refused"), "{err}");
        assert!(render(&s, "github", &v, &e, true).is_ok());
    }

    #[test]
    fn a_missing_pair_is_a_reason_and_equal_requests_share_a_key() {
        let s = spec(serde_json::json!({
            "url": "https://api.twilio.com/Accounts/{{account_sid}}.json",
            "basic_auth": {"user": "{{account_sid}}", "password": "{{secret}}"}
        }));
        let err = render(
            &s,
            "twilio",
            &vars(&[("secret", "t")]),
            &Endpoints::new(),
            false,
        )
        .err()
        .unwrap();
        assert!(err.contains("account_sid"), "{err}");
        let v = vars(&[("secret", "t"), ("account_sid", "AC1")]);
        let a = render(&s, "twilio", &v, &Endpoints::new(), false).unwrap();
        let b = render(&s, "twilio", &v, &Endpoints::new(), false).unwrap();
        assert_eq!(a.key, b.key);
        let c = render(
            &s,
            "twilio",
            &vars(&[("secret", "u"), ("account_sid", "AC1")]),
            &Endpoints::new(),
            false,
        )
        .unwrap();
        assert_ne!(a.key, c.key);
    }
}

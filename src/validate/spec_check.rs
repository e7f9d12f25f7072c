//! What a `validate:` block must be before it is trusted with a secret: an `https://` URL whose
//! scheme and host are fixed text (a placeholder may only sit in the path or query, so nothing
//! found in a scanned file can choose where a secret goes), a known method, well-formed
//! placeholders and real HTTP statuses.

use super::template;
use crate::detectors::ValidateSpec;

pub fn check_spec(v: &ValidateSpec) -> Result<(), String> {
    if !matches!(v.method.as_str(), "GET" | "POST" | "HEAD") {
        return Err(format!("method `{}` must be GET, POST or HEAD", v.method));
    }
    let origin = origin_of(&v.url)?;
    if origin.contains("{{") {
        return Err(format!(
            "url `{}`: the scheme and host must be fixed text, a placeholder may only be in the \
             path or query",
            v.url
        ));
    }
    let u = url::Url::parse(origin).map_err(|e| format!("url `{}`: {e}", v.url))?;
    if u.scheme() != "https" || u.host_str().is_none() {
        return Err(format!(
            "url `{}` must be https:// to the provider's host (tests and self-hosted servers \
             use --validate-endpoint instead)",
            v.url
        ));
    }
    let mut texts: Vec<&str> = vec![&v.url];
    texts.extend(
        v.headers
            .iter()
            .flat_map(|(k, val)| [k.as_str(), val.as_str()]),
    );
    texts.extend(v.body.as_deref());
    if let Some(b) = &v.basic_auth {
        texts.extend([b.user.as_str(), b.password.as_str()]);
    }
    if let Some(s) = &v.sigv4 {
        texts.extend([s.access_key_id.as_str(), s.secret_access_key.as_str()]);
        if s.service.is_empty() || s.region.is_empty() {
            return Err("sigv4 needs a service and a region".into());
        }
    }
    for t in texts {
        template::names(t)?;
    }
    for s in v.valid_status.iter().chain(&v.invalid_status) {
        if !(100..=599).contains(s) {
            return Err(format!("{s} is not an HTTP status"));
        }
    }
    if let Some(s) = v.valid_status.iter().find(|s| v.invalid_status.contains(s)) {
        return Err(format!("status {s} is both valid and invalid"));
    }
    Ok(())
}

/// `https://host:port` of a URL (text up to the path).
pub(super) fn origin_of(url: &str) -> Result<&str, String> {
    let scheme_end = url
        .find("://")
        .ok_or_else(|| format!("url `{url}` has no scheme"))?;
    let rest = &url[scheme_end + 3..];
    let end = rest
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + 3 + i);
    Ok(&url[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(url: &str) -> ValidateSpec {
        serde_json::from_value(serde_json::json!({ "url": url })).unwrap()
    }

    #[test]
    fn the_host_is_fixed_and_encrypted() {
        assert!(check_spec(&spec("https://api.github.com/user")).is_ok());
        assert!(
            check_spec(&spec(
                "https://api.twilio.com/Accounts/{{account_sid}}.json"
            ))
            .is_ok()
        );
        assert!(check_spec(&spec("http://api.github.com/user")).is_err());
        assert!(check_spec(&spec("https://{{host}}/user")).is_err());
        assert!(check_spec(&spec("https://api.{{x}}.com/user")).is_err());
        assert!(check_spec(&spec("api.github.com/user")).is_err());
    }
}

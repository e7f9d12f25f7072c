//! `--validate-endpoint PROVIDER=URL`: where a provider's check goes instead of its public host
//! (GitHub Enterprise Server, GitLab self-managed, a test double). The rule's path and query
//! are kept and appended to URL, so `github=https://ghe.example/api/v3` checks
//! `https://ghe.example/api/v3/user`.

use std::collections::BTreeMap;

/// Provider (a detector's `service`) → API root to use instead of the rule's host.
pub type Endpoints = BTreeMap<String, url::Url>;

/// One `PROVIDER=URL`: an http(s) URL without credentials, query or fragment.
pub fn parse_endpoint(arg: &str) -> Result<(String, url::Url), String> {
    let (provider, url) = arg.split_once('=').ok_or_else(|| {
        format!("--validate-endpoint {arg}: expected PROVIDER=URL, e.g. github=https://ghe.example/api/v3")
    })?;
    let provider = provider.trim().to_ascii_lowercase();
    if provider.is_empty() {
        return Err(format!("--validate-endpoint {arg}: no provider before `=`"));
    }
    let u = url::Url::parse(url.trim())
        .map_err(|e| format!("--validate-endpoint {provider}=…: not a URL ({e})"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!(
            "--validate-endpoint {provider}=…: must be an http:// or https:// URL with a host"
        ));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(format!(
            "--validate-endpoint {provider}=…: must not carry credentials"
        ));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(format!(
            "--validate-endpoint {provider}=…: give an API root without a query or fragment"
        ));
    }
    Ok((provider, u))
}

/// The override's root joined with the rule's path and query.
pub(super) fn rebase(root: &url::Url, path_and_query: &str) -> String {
    format!(
        "{}{}",
        root.as_str().trim_end_matches('/'),
        if path_and_query.starts_with('/') {
            path_and_query.to_string()
        } else {
            format!("/{path_and_query}")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rebases() {
        let (p, u) = parse_endpoint("GitHub=https://ghe.example/api/v3/").unwrap();
        assert_eq!(p, "github");
        assert_eq!(rebase(&u, "/user"), "https://ghe.example/api/v3/user");
        let (_, u) = parse_endpoint("aws=http://127.0.0.1:5000").unwrap();
        assert_eq!(rebase(&u, "/"), "http://127.0.0.1:5000/");
        assert!(parse_endpoint("github").is_err());
        assert!(parse_endpoint("github=ftp://x").is_err());
        assert!(parse_endpoint("github=https://u:p@x/").is_err());
        assert!(parse_endpoint("github=https://x/?a=b").is_err());
    }
}

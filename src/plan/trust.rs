//! What a config file may ask for depends on who wrote it. A config given with `--config` is the
//! user's: it may name sources, endpoints, token variables and rule folders. A config nhiscan
//! finds by itself (`./nhiscan.toml`, or the scanned folder's) may be the scanned repository's
//! own, which is hostile input: it may only narrow the scan (allow-lists, disabled rules,
//! thresholds, owner names, repo sources inside its own folder), and what it narrows is said in
//! the report's notes. Whatever the config, a token or signed request is never sent in clear
//! over `http://` to anything but loopback unless `--allow-insecure-http` says so.

use super::{Config, SourceConfig};
use crate::inventory::{Note, NoteLevel};
use anyhow::{Result, bail};
use std::path::Path;

/// Refuse, before anything runs, what this config may not ask for.
pub fn check(config: &Config, sources_from_config: bool, sources: &[SourceConfig]) -> Result<()> {
    let Some(origin) = config.origin.as_deref() else {
        return Ok(());
    };
    if config.discovered {
        let refuse = |what: &str| {
            bail!(
                "{}: {what} — a config nhiscan finds by itself (in the working directory or the \
                 scanned folder) may be the scanned repository's own and may only narrow the scan; \
                 give it with --config {} if you trust it",
                origin.display(),
                origin.display()
            )
        };
        if !config.rules.dirs.is_empty() {
            return refuse("`[rules] dirs` adds rule folders");
        }
        let home = origin
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        for s in &config.sources {
            match s {
                SourceConfig::Repo(r) => {
                    if r.validate || !r.validate_endpoint.is_empty() {
                        return refuse(
                            "`validate` sends found secrets to their providers; only you can \
                             ask for that (scan repo --validate, or a config given with --config)",
                        );
                    }
                    for p in &r.paths {
                        if !inside(p, home) {
                            return refuse(&format!(
                                "a repo source reads {}, outside the config's folder",
                                p.display()
                            ));
                        }
                    }
                }
                other => {
                    return refuse(&format!(
                        "a `{}` source connects to an account, cluster or organisation",
                        other.kind()
                    ));
                }
            }
        }
    }
    if sources_from_config {
        for s in sources {
            if let SourceConfig::Github(g) = s
                && !looks_like_github_token_variable(&g.token_env)
            {
                bail!(
                    "{}: token_env = \"{}\" does not name a GitHub token variable (GITHUB_TOKEN, \
                     GH_TOKEN, GH_ENTERPRISE_TOKEN, …); to read the token from another variable, \
                     use --token-env on the command line",
                    origin.display(),
                    g.token_env
                );
            }
        }
    }
    Ok(())
}

/// Refuse a credential sent in clear: an `http://` API root or endpoint that is not loopback.
pub fn check_transport(sources: &[SourceConfig], allow_insecure_http: bool) -> Result<()> {
    if allow_insecure_http {
        return Ok(());
    }
    for s in sources {
        if let SourceConfig::Repo(r) = s {
            for e in &r.validate_endpoint {
                if let Ok((provider, url)) = crate::validate::parse_endpoint(e)
                    && is_cleartext_remote(url.as_str())
                {
                    bail!(
                        "--validate-endpoint {provider}={url}: found secrets would cross the \
                         network unencrypted; use https, or pass --allow-insecure-http if this is \
                         a test server you control"
                    );
                }
            }
        }
        let (url, what) = match s {
            SourceConfig::Github(g) if g.from.is_none() => (Some(g.api_url.as_str()), "--api-url"),
            SourceConfig::Aws(a) => (a.endpoint_url.as_deref(), "--endpoint-url"),
            _ => (None, ""),
        };
        if let Some(url) = url
            && is_cleartext_remote(url)
        {
            bail!(
                "{what} {url}: the credentials would cross the network unencrypted; use https, or \
                 pass --allow-insecure-http if this is a test server you control"
            );
        }
    }
    Ok(())
}

/// Whether `url` is `http://` to a host other than loopback.
pub(crate) fn is_cleartext_remote(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if u.scheme() != "http" {
        return false;
    }
    match u.host() {
        Some(url::Host::Domain(d)) => !d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
        None => true,
    }
}

/// `GITHUB_TOKEN`, `GH_TOKEN`, `GH_ENTERPRISE_TOKEN`, `GITHUB_PAT_ORG`, … — a variable named for
/// GitHub, so a config cannot turn `token_env` into a way to send `AWS_SECRET_ACCESS_KEY` away.
pub fn looks_like_github_token_variable(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let named_for_github = upper.contains("GITHUB")
        || ["GH_", "GHE_", "GHES_"]
            .iter()
            .any(|p| upper.starts_with(p));
    named_for_github && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `path` (relative paths are already joined to the config's folder) stays inside
/// `home` once `..` and symlinks are resolved.
fn inside(path: &Path, home: &Path) -> bool {
    match (path.canonicalize(), home.canonicalize()) {
        (Ok(p), Ok(h)) => p.starts_with(h),
        // A path that does not exist reads nothing; setting up the source will say so.
        (Err(_), Ok(_)) => !path
            .components()
            .any(|c| c == std::path::Component::ParentDir),
        _ => false,
    }
}

/// The report's account of what the config took out of the scan, and where that came from, so a
/// repository that allows everything is visible. `suppressed` counts, per disabled posture rule,
/// the findings it would have raised.
pub fn narrowing_notes(config: &Config, suppressed: &[(String, usize)]) -> Vec<Note> {
    let Some(origin) = config.origin.as_deref() else {
        return vec![];
    };
    let whose = if config.discovered {
        "found in the working directory or the scanned folder, not given with --config"
    } else {
        "given with --config"
    };
    let subject = origin.display().to_string();
    let mut notes = Vec::new();
    let mut say = |message: String| {
        notes.push(Note::new(
            NoteLevel::Info,
            subject.clone(),
            format!("{message} ({whose})"),
        ))
    };
    if !config.allow.paths.is_empty() {
        say(format!(
            "[allow] paths skips files matching {}",
            config.allow.paths.join(", ")
        ));
    }
    if !config.allow.values.is_empty() {
        say(format!(
            "[allow] values allows {} value(s) (not shown) wherever they are found",
            config.allow.values.len()
        ));
    }
    for id in &config.rules.disabled {
        let n = suppressed
            .iter()
            .find(|(rule, _)| rule == id)
            .map(|(_, n)| *n);
        say(match n {
            Some(n) => format!("[rules] disabled `{id}`: {n} finding(s) suppressed"),
            None => format!("[rules] disabled `{id}`"),
        });
    }
    if !config.thresholds.is_empty() {
        let keys: Vec<String> = config
            .thresholds
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        say(format!("[thresholds] sets {}", keys.join(", ")));
    }
    if !config.owners.map.is_empty() {
        say(format!(
            "[[owners.map]] names owners for {} pattern(s)",
            config.owners.map.len()
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleartext_is_refused_except_to_loopback() {
        assert!(is_cleartext_remote("http://evil.example/api"));
        assert!(is_cleartext_remote("http://10.0.0.1:8080"));
        assert!(!is_cleartext_remote("http://127.0.0.1:9000"));
        assert!(!is_cleartext_remote("http://localhost:9000/api/v3"));
        assert!(!is_cleartext_remote("http://[::1]:80"));
        assert!(!is_cleartext_remote("https://ghe.example/api/v3"));
    }

    #[test]
    fn token_variables_must_be_named_for_github() {
        for ok in [
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "GH_ENTERPRISE_TOKEN",
            "ACME_GITHUB_PAT",
        ] {
            assert!(looks_like_github_token_variable(ok), "{ok}");
        }
        for bad in [
            "AWS_SECRET_ACCESS_KEY",
            "HOME",
            "TOKEN",
            "GITHUB TOKEN",
            "ghx",
        ] {
            assert!(!looks_like_github_token_variable(bad), "{bad}");
        }
    }
}

//! An AWS role that trusts GitHub Actions OIDC ↔ the scanned repositories whose workflows can
//! assume it. A workflow's token carries `sub = repo:ORG/REPO:<ref, environment or event>`; the
//! role's trust lets it in when the `sub` matches one of the role's patterns
//! (`github_oidc_subjects`, from the AWS connector), or always when the role checks no `sub`
//! at all. Whoever can push a workflow to such a repository holds the role.
//!
//! The repositories are the ones a GitHub scan saw: the `repository` of deploy keys, repository
//! and environment secrets and alerts, and the `repositories` a fine-grained PAT may reach, each
//! as `ORG/REPO` with ORG taken from the identity id (`github:ORG/…`). What comes after the
//! repository in a pattern (branch, environment) is not known for a repository, so a repository
//! matches when some `sub` of it could match: the join over-approximates, as an auditor wants.
//! Patterns are matched as `StringLike` globs (`*`, `?`) and case-insensitively (GitHub names
//! are); a `StringEquals` pattern holding no wildcard matches the same either way.
//!
//! On the role: `assumable_from_repositories` (`ORG/REPO`, sorted). On the GitHub identities of
//! those repositories (deploy keys, secrets): `can_assume_aws_roles` (role ARNs).

use super::index::Edit;
use crate::inventory::Identity;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn join(identities: &[Identity], edits: &mut Vec<Edit>) {
    let repos = repositories(identities);
    if repos.is_empty() {
        return;
    }
    for (r, role) in identities.iter().enumerate() {
        if role.kind != "aws.role" || role.attributes.get("github_oidc") != Some(&json!(true)) {
            continue;
        }
        let subjects: Vec<String> = role
            .attributes
            .get("github_oidc_subjects")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        // No pattern lets every repository in, unless the connector said the trust is pinned
        // (a pattern it kept but this inventory lost, e.g. an edited or foreign file).
        if subjects.is_empty() && role.attributes.get("github_oidc_unpinned") == Some(&json!(false))
        {
            continue;
        }
        for (key, (full_name, holders)) in &repos {
            let prefix = format!("repo:{key}:");
            if !subjects.is_empty() && !subjects.iter().any(|p| may_match_prefix(p, &prefix)) {
                continue;
            }
            edits.push(Edit::push(
                r,
                "assumable_from_repositories",
                json!(full_name),
            ));
            for &h in holders {
                edits.push(Edit::push(h, "can_assume_aws_roles", json!(role.id)));
            }
        }
    }
}

/// Lower-cased `org/repo` → (`Org/Repo` as GitHub wrote it, the identities that belong to it).
fn repositories(identities: &[Identity]) -> BTreeMap<String, (String, Vec<usize>)> {
    let mut out: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, id) in identities.iter().enumerate() {
        if id.source != "github" {
            continue;
        }
        let Some(org) = id
            .id
            .strip_prefix("github:")
            .and_then(|r| r.split('/').next())
        else {
            continue;
        };
        let mut add = |repo: &str, holder: Option<usize>| {
            let full = format!("{org}/{repo}");
            let entry = out
                .entry(full.to_lowercase())
                .or_insert_with(|| (full, vec![]));
            entry.1.extend(holder);
        };
        if let Some(Value::String(repo)) = id.attributes.get("repository") {
            let holds = id.kind != "github.secret_scanning_alert";
            add(repo, holds.then_some(i));
        }
        if let Some(Value::Array(list)) = id.attributes.get("repositories") {
            for repo in list.iter().filter_map(Value::as_str) {
                add(repo, None);
            }
        }
    }
    out
}

/// Whether glob `pattern` (`*` any run, `?` one character) matches some string that starts with
/// `prefix`: after consuming the whole prefix, whatever is left of the pattern can always match
/// some rest. Simulates the pattern as a set of positions, so it is linear in both lengths.
fn may_match_prefix(pattern: &str, prefix: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    // Positions reachable before reading anything: a `*` may match nothing.
    let close = |set: &mut Vec<bool>| {
        for j in 0..p.len() {
            if set[j] && p[j] == '*' {
                set[j + 1] = true;
            }
        }
    };
    let mut at = vec![false; p.len() + 1];
    at[0] = true;
    close(&mut at);
    for c in prefix.chars() {
        let mut next = vec![false; p.len() + 1];
        for j in 0..p.len() {
            if !at[j] {
                continue;
            }
            match p[j] {
                '*' => next[j] = true,
                '?' => next[j + 1] = true,
                x if x == c => next[j + 1] = true,
                _ => {}
            }
        }
        close(&mut next);
        if !next.iter().any(|&b| b) {
            return false;
        }
        at = next;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::may_match_prefix;

    #[test]
    fn sub_patterns_against_a_repository() {
        let repo = "repo:acme/site:";
        for yes in [
            "repo:acme/site:ref:refs/heads/main",
            "repo:acme/site:*",
            "repo:acme/*",
            "repo:acme/s?te:environment:prod",
            "repo:*",
            "*",
            "repo:acme*",
        ] {
            assert!(may_match_prefix(yes, repo), "{yes}");
        }
        for no in [
            "repo:acme/api:ref:refs/heads/main",
            "repo:acme/site",
            "repo:acme/site-v2:*",
            "repo:other/*",
            "",
        ] {
            assert!(!may_match_prefix(no, repo), "{no}");
        }
    }
}

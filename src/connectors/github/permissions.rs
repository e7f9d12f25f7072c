//! GitHub permissions normalised to the model: `name:level` actions (`contents:write`,
//! `administration:write`; classic scopes as they are, `repo`, `admin:org`) and the risk flags
//! posture rules test (`admin`, `all_repositories`, `write`, `contents_write`, `workflows_write`,
//! `secrets_write`, `members_write`). One place decides what a permission means, whatever
//! credential carries it (fine-grained PAT, App installation, classic PAT, deploy key).

use crate::inventory::Permissions;
use std::collections::{BTreeMap, BTreeSet};

/// Fine-grained permissions (PAT grants and App installations): name → `read`/`write`/`admin`.
pub fn fine_grained<'a>(
    perms: impl IntoIterator<Item = (&'a String, &'a String)>,
    repository_selection: Option<&str>,
) -> Permissions {
    let mut actions = BTreeSet::new();
    let mut flags = BTreeSet::new();
    for (name, level) in perms {
        actions.insert(format!("{name}:{level}"));
        let writes = level == "write" || level == "admin";
        if !writes {
            continue;
        }
        // Metadata is read-only by nature; anything else at write changes the org or its code.
        flags.insert("write");
        if level == "admin" || name == "administration" || name == "organization_administration" {
            flags.insert("admin");
        }
        match name.as_str() {
            "contents" => {
                flags.insert("contents_write");
            }
            "workflows" => {
                flags.insert("workflows_write");
            }
            "members" | "organization_user_blocking" => {
                flags.insert("members_write");
            }
            n if n.contains("secrets") => {
                flags.insert("secrets_write");
            }
            _ => {}
        }
    }
    if repository_selection == Some("all") {
        flags.insert("all_repositories");
    }
    Permissions {
        actions: actions.into_iter().collect(),
        flags: flags.into_iter().map(str::to_string).collect(),
    }
}

/// OAuth scopes of a classic PAT (or OAuth token): kept as actions, mapped to the same flags.
/// Classic tokens reach every repository the user can, so `all_repositories` is always set.
pub fn classic_scopes(scopes: &[String]) -> Permissions {
    let mut flags = BTreeSet::new();
    for s in scopes {
        match s.as_str() {
            "repo" | "public_repo" => {
                flags.extend(["write", "contents_write"]);
            }
            "admin:org" => {
                flags.extend(["admin", "write", "members_write", "secrets_write"]);
            }
            "admin:enterprise" | "site_admin" => {
                flags.extend(["admin", "write"]);
            }
            "delete_repo" => {
                flags.extend(["admin", "write"]);
            }
            "workflow" => {
                flags.extend(["write", "workflows_write"]);
            }
            "write:org" => {
                flags.extend(["write", "members_write"]);
            }
            s if s.starts_with("write:") || s.starts_with("admin:") => {
                flags.insert("write");
            }
            _ => {}
        }
    }
    if !scopes.is_empty() {
        flags.insert("all_repositories");
    }
    Permissions {
        actions: scopes.to_vec(),
        flags: flags.into_iter().map(str::to_string).collect(),
    }
}

/// A deploy key reads, or reads and writes, one repository's contents.
pub fn deploy_key(read_only: bool) -> Permissions {
    if read_only {
        Permissions {
            actions: vec!["contents:read".into()],
            flags: vec![],
        }
    } else {
        Permissions {
            actions: vec!["contents:write".into()],
            flags: vec!["contents_write".into(), "write".into()],
        }
    }
}

/// A PAT grant's organisation, repository and other permissions, flattened into one map (the
/// names do not collide across the three groups in GitHub's schema).
pub fn grant_map(groups: [&BTreeMap<String, String>; 3]) -> BTreeMap<&String, &String> {
    groups.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn write_on_sensitive_permissions_sets_flags() {
        let m = map(&[
            ("administration", "write"),
            ("secrets", "write"),
            ("metadata", "read"),
        ]);
        let p = fine_grained(&m, Some("all"));
        assert_eq!(
            p.actions,
            ["administration:write", "metadata:read", "secrets:write"]
        );
        assert_eq!(
            p.flags,
            ["admin", "all_repositories", "secrets_write", "write"]
        );
    }

    #[test]
    fn read_only_grants_set_no_write_flags() {
        let m = map(&[("contents", "read"), ("members", "read")]);
        let p = fine_grained(&m, Some("subset"));
        assert!(p.flags.is_empty(), "{:?}", p.flags);
    }

    #[test]
    fn classic_scopes_map_to_flags() {
        let p = classic_scopes(&["repo".into(), "workflow".into()]);
        assert!(p.flags.contains(&"workflows_write".to_string()));
        assert!(p.flags.contains(&"contents_write".to_string()));
        assert!(!p.flags.contains(&"admin".to_string()));
        assert!(classic_scopes(&[]).flags.is_empty());
    }
}

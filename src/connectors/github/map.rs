//! Pure mapping from what the GitHub API returned ([`OrgData`]) to inventory identities: one
//! identity per fine-grained PAT grant or request, SAML-authorised credential (classic PAT, SSH
//! key, OAuth token), App installation, deploy key and Actions/Dependabot/Codespaces secret.
//! No I/O here: the live client and the tests' example responses feed the same code.
//!
//! Ids are `github:<org>/<kind>/<local id>`; every fact a rule judges (who owns it and whether
//! they are still a member, when it was created, used, rotated, when it expires) is put in an
//! identity field or attribute, so a finding's evidence shows it.

use super::api::{
    CredentialAuthorization, DeployKey, Installation, OrgData, PatGrant, Secret, SecretScope,
    SecretStore,
};
use super::permissions;
use crate::inventory::{Credential, Identity, Owner, OwnerSource};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// All identities of one organisation, secret-scanning alerts attached (see `alerts`).
pub fn identities(data: &OrgData) -> Vec<Identity> {
    let m = Mapper::new(data);
    let mut out = Vec::new();
    out.extend(data.pat_grants.iter().map(|g| m.pat(g, false)));
    out.extend(data.pat_requests.iter().map(|g| m.pat(g, true)));
    out.extend(
        data.credential_authorizations
            .iter()
            .map(|c| m.credential_authorization(c)),
    );
    out.extend(data.installations.iter().map(|i| m.installation(i)));
    out.extend(data.deploy_keys.iter().map(|(r, k)| m.deploy_key(r, k)));
    out.extend(
        data.hooks
            .iter()
            .filter(|h| h.config.secret.as_deref().is_some_and(|s| !s.is_empty()))
            .map(|h| m.webhook(h)),
    );
    out.extend(
        data.secrets
            .iter()
            .map(|(store, scope, s)| m.secret(*store, scope, s)),
    );
    super::alerts::attach(&data.org, &data.alerts, &mut out);
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

struct Mapper<'a> {
    org: &'a str,
    /// Lower-cased logins of the org's members; `None` when the member list was not read.
    members: Option<BTreeSet<String>>,
    pat_repositories: &'a BTreeMap<u64, Vec<String>>,
}

impl<'a> Mapper<'a> {
    fn new(data: &'a OrgData) -> Self {
        Mapper {
            org: &data.org,
            members: data
                .members
                .as_ref()
                .map(|ms| ms.iter().map(|m| m.login.to_lowercase()).collect()),
            pat_repositories: &data.pat_repositories,
        }
    }

    /// The skeleton every GitHub identity shares.
    fn base(&self, kind: &str, local_id: &str, name: String) -> Identity {
        Identity::new(
            format!("github:{}/{kind}/{local_id}", self.org),
            format!("github.{kind}"),
            "github",
            name,
        )
    }

    /// Owner from an API field, plus `owner_is_member` when the member list is known: a
    /// credential whose owner left the org is orphaned.
    fn set_owner(&self, id: &mut Identity, login: Option<&str>, field: &str) {
        let Some(login) = login.filter(|l| !l.is_empty()) else {
            return;
        };
        id.owner = Some(Owner {
            name: login.to_string(),
            source: OwnerSource::ApiField,
            detail: Some(field.to_string()),
        });
        if let Some(members) = &self.members {
            id.attributes.insert(
                "owner_is_member".into(),
                json!(members.contains(&login.to_lowercase())),
            );
        }
    }

    fn pat(&self, g: &PatGrant, request: bool) -> Identity {
        let kind = if request {
            "pat_request"
        } else {
            "fine_grained_pat"
        };
        let name = g
            .token_name
            .clone()
            .unwrap_or_else(|| format!("token {}", g.token_id.unwrap_or(g.id)));
        let mut id = self.base(kind, &g.id.to_string(), name);
        let granted = if request {
            g.created_at
        } else {
            g.access_granted_at.or(g.created_at)
        };
        id.created_at = granted;
        id.last_used_at = g.token_last_used_at;
        self.set_owner(
            &mut id,
            g.owner.as_ref().map(|u| u.login.as_str()),
            "owner.login",
        );
        let p = &g.permissions;
        id.permissions = permissions::fine_grained(
            permissions::grant_map([&p.organization, &p.repository, &p.other]),
            g.repository_selection.as_deref(),
        );
        let a = &mut id.attributes;
        if let Some(t) = g.token_id {
            a.insert("token_id".into(), json!(t));
        }
        if let Some(s) = &g.repository_selection {
            a.insert("repository_selection".into(), json!(s));
        }
        if !request && let Some(repos) = self.pat_repositories.get(&g.id) {
            a.insert("repositories".into(), json!(repos));
        }
        a.insert("token_expired".into(), json!(g.token_expired));
        if let Some(r) = &g.reason {
            a.insert("reason".into(), json!(r));
        }
        expiry(a, granted, g.token_expires_at);
        id.credentials.push(Credential {
            id: format!("pat:{}", g.token_id.unwrap_or(g.id)),
            kind: "fine_grained_pat".into(),
            created_at: granted,
            last_used_at: g.token_last_used_at,
            expires_at: g.token_expires_at,
            last_rotated_at: None,
            status: if g.token_expired {
                "expired".into()
            } else if request {
                "pending".into()
            } else {
                "active".into()
            },
            found: None,
        });
        id
    }

    fn credential_authorization(&self, c: &CredentialAuthorization) -> Identity {
        let (kind, cred_kind) = match c.credential_type.to_ascii_lowercase().as_str() {
            "personal access token" => ("classic_pat", "token"),
            "ssh key" => ("ssh_key", "private_key"),
            _ => ("oauth_token", "token"),
        };
        let label = c
            .authorized_credential_title
            .clone()
            .or_else(|| c.authorized_credential_note.clone())
            .or_else(|| c.token_last_eight.as_ref().map(|l| format!("…{l}")))
            .or_else(|| c.fingerprint.clone())
            .unwrap_or_else(|| c.credential_id.to_string());
        let mut id = self.base(
            kind,
            &c.credential_id.to_string(),
            format!("{} of {} ({label})", c.credential_type, c.login),
        );
        id.created_at = c.credential_authorized_at;
        id.last_used_at = c.credential_accessed_at;
        self.set_owner(&mut id, Some(&c.login), "login");
        if kind != "ssh_key" {
            id.permissions = permissions::classic_scopes(&c.scopes);
        }
        let a = &mut id.attributes;
        a.insert("credential_type".into(), json!(c.credential_type));
        // As GitHub writes them in X-OAuth-Scopes; the list itself is permissions.actions.
        a.insert("scopes".into(), json!(c.scopes.join(", ")));
        if let Some(l) = &c.token_last_eight {
            a.insert("token_last_eight".into(), json!(l));
        }
        if let Some(f) = &c.fingerprint {
            a.insert("fingerprint".into(), json!(f));
        }
        expiry(
            a,
            c.credential_authorized_at,
            c.authorized_credential_expires_at,
        );
        let expired = c
            .authorized_credential_expires_at
            .is_some_and(|e| e < crate::clock::now());
        id.credentials.push(Credential {
            id: format!("credential:{}", c.credential_id),
            kind: cred_kind.into(),
            created_at: c.credential_authorized_at,
            last_used_at: c.credential_accessed_at,
            expires_at: c.authorized_credential_expires_at,
            last_rotated_at: None,
            status: if expired { "expired" } else { "active" }.into(),
            found: None,
        });
        id
    }

    fn installation(&self, i: &Installation) -> Identity {
        let slug = i
            .app_slug
            .clone()
            .unwrap_or_else(|| format!("app {}", i.app_id.unwrap_or_default()));
        let mut id = self.base("app_installation", &i.id.to_string(), slug.clone());
        id.created_at = i.created_at;
        id.permissions =
            permissions::fine_grained(&i.permissions, i.repository_selection.as_deref());
        let a = &mut id.attributes;
        a.insert("app_slug".into(), json!(slug));
        if let Some(app) = i.app_id {
            a.insert("app_id".into(), json!(app));
        }
        if let Some(s) = &i.repository_selection {
            a.insert("repository_selection".into(), json!(s));
        }
        a.insert("events".into(), json!(i.events));
        a.insert("suspended".into(), json!(i.suspended_at.is_some()));
        if let Some(u) = i.updated_at {
            a.insert("updated_at".into(), json!(u));
        }
        id
    }

    /// An org webhook with a secret. Only the URL's scheme and host are kept: a hook URL may
    /// carry a token in its path or query, and the secret itself is never returned by GitHub.
    fn webhook(&self, h: &super::api::OrgHook) -> Identity {
        let parsed = h
            .config
            .url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok());
        let host = parsed
            .as_ref()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "?".into());
        let mut id = self.base(
            "webhook",
            &h.id.to_string(),
            format!("{} webhook {} → {host}", h.name, h.id),
        );
        id.created_at = h.created_at;
        let insecure = match &h.config.insecure_ssl {
            Some(Value::String(s)) => s.trim() != "0",
            Some(Value::Number(n)) => n.as_u64() != Some(0),
            _ => false,
        };
        let a = &mut id.attributes;
        a.insert("enabled".into(), json!(h.active));
        a.insert("events".into(), json!(h.events));
        a.insert("url_host".into(), json!(host));
        if let Some(u) = &parsed {
            a.insert("url_scheme".into(), json!(u.scheme()));
        }
        a.insert("insecure_ssl".into(), json!(insecure));
        if let Some(u) = h.updated_at {
            a.insert("updated_at".into(), json!(u));
        }
        id.credentials.push(Credential {
            id: format!("webhook_secret:{}", h.id),
            kind: "webhook_secret".into(),
            created_at: h.created_at,
            last_used_at: None,
            expires_at: None,
            last_rotated_at: None,
            status: if h.active { "active" } else { "inactive" }.into(),
            found: None,
        });
        id
    }

    fn deploy_key(&self, repo: &str, k: &DeployKey) -> Identity {
        let key_id = k.id.into_inner();
        let mut id = self.base(
            "deploy_key",
            &format!("{repo}/{key_id}"),
            format!("{repo}: {}", k.title),
        );
        id.created_at = Some(k.created_at);
        id.last_used_at = k.last_used;
        self.set_owner(&mut id, k.added_by.as_deref(), "added_by");
        id.permissions = permissions::deploy_key(k.read_only);
        let a = &mut id.attributes;
        a.insert("repository".into(), json!(repo));
        a.insert("read_only".into(), json!(k.read_only));
        if let Some(e) = k.enabled {
            a.insert("enabled".into(), json!(e));
        }
        a.insert("verified".into(), json!(k.verified));
        id.credentials.push(Credential {
            id: format!("deploy_key:{key_id}"),
            kind: "ssh_key".into(),
            created_at: Some(k.created_at),
            last_used_at: k.last_used,
            expires_at: None,
            last_rotated_at: None,
            status: if k.enabled == Some(false) {
                "inactive"
            } else {
                "active"
            }
            .into(),
            found: None,
        });
        id
    }

    fn secret(&self, store: SecretStore, scope: &SecretScope, s: &Secret) -> Identity {
        let (local, label, scope_name) = match scope {
            SecretScope::Org => (format!("org/{}", s.name), "org".to_string(), "organization"),
            SecretScope::Repo(r) => (format!("repo/{r}/{}", s.name), r.clone(), "repository"),
            SecretScope::Environment { repo, environment } => (
                format!("env/{repo}/{environment}/{}", s.name),
                format!("{repo} environment {environment}"),
                "environment",
            ),
        };
        let mut id = self.base(store.kind(), &local, format!("{} ({label})", s.name));
        id.created_at = s.created_at;
        let a = &mut id.attributes;
        a.insert("store".into(), json!(store.segment()));
        a.insert("scope".into(), json!(scope_name));
        match scope {
            SecretScope::Org => {}
            SecretScope::Repo(r) => {
                a.insert("repository".into(), json!(r));
            }
            SecretScope::Environment { repo, environment } => {
                a.insert("repository".into(), json!(repo));
                a.insert("environment".into(), json!(environment));
            }
        }
        if let Some(v) = &s.visibility {
            a.insert("visibility".into(), json!(v));
        }
        if let Some(r) = &s.repositories {
            a.insert("repositories".into(), json!(r));
        }
        // GitHub sets updated_at when the value is replaced: the last rotation.
        let rotated = s.updated_at.or(s.created_at);
        if let Some(r) = rotated {
            a.insert("updated_at".into(), json!(r));
        }
        id.credentials.push(Credential {
            id: format!("secret:{}", s.name),
            kind: "secret".into(),
            created_at: s.created_at,
            last_used_at: None,
            expires_at: None,
            last_rotated_at: rotated,
            status: "active".into(),
            found: None,
        });
        id
    }
}

/// `expires_at` and the token's whole lifetime in days, or `no_expiry: true`.
fn expiry(
    a: &mut BTreeMap<String, Value>,
    from: Option<DateTime<Utc>>,
    expires: Option<DateTime<Utc>>,
) {
    match expires {
        Some(e) => {
            a.insert("expires_at".into(), json!(e));
            a.insert("no_expiry".into(), json!(false));
            if let Some(f) = from {
                a.insert("lifetime_days".into(), json!((e - f).num_days()));
            }
        }
        None => {
            a.insert("no_expiry".into(), json!(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::api::*;
    use super::*;
    use std::path::PathBuf;

    fn example<T: serde::de::DeserializeOwned>(file: &str) -> T {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/github/examples")
            .join(file);
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn listed<T: serde::de::DeserializeOwned>(file: &str, key: &str) -> Vec<T> {
        let v: Value = example(file);
        serde_json::from_value(v[key].clone()).unwrap()
    }

    fn data() -> OrgData {
        let keys: Vec<DeployKey> = example("repos_owner_repo_keys.json");
        let secrets: Vec<OrganizationSecret> = listed("orgs_org_actions_secrets.json", "secrets");
        let env: Vec<RepositorySecret> = listed(
            "repos_owner_repo_environments_environment_name_secrets.json",
            "secrets",
        );
        let mut all: Vec<(SecretStore, SecretScope, Secret)> = secrets
            .into_iter()
            .map(|s| (SecretStore::Actions, SecretScope::Org, s.into()))
            .collect();
        all.extend(env.into_iter().map(|s| {
            (
                SecretStore::Actions,
                SecretScope::Environment {
                    repo: "Hello-World".into(),
                    environment: "staging".into(),
                },
                s.into(),
            )
        }));
        OrgData {
            org: "octo-org".into(),
            members: Some(example("orgs_org_members.json")),
            pat_grants: example("orgs_org_personal-access-tokens.json"),
            pat_requests: example("orgs_org_personal-access-token-requests.json"),
            pat_repositories: BTreeMap::from([(25381, vec!["Hello-World".to_string()])]),
            credential_authorizations: example("orgs_org_credential-authorizations.json"),
            installations: listed("orgs_org_installations.json", "installations"),
            deploy_keys: keys
                .into_iter()
                .map(|k| ("Hello-World".into(), k))
                .collect(),
            secrets: all,
            hooks: example("orgs_org_hooks.json"),
            alerts: example::<Vec<SecretScanningAlert>>("orgs_org_secret-scanning_alerts.json")
                .into_iter()
                .map(|a| (a, Some(3)))
                .collect(),
        }
    }

    fn find<'a>(ids: &'a [Identity], id: &str) -> &'a Identity {
        ids.iter().find(|i| i.id == id).unwrap_or_else(|| {
            panic!(
                "no {id} in {:?}",
                ids.iter().map(|i| &i.id).collect::<Vec<_>>()
            )
        })
    }

    #[test]
    fn examples_map_to_identities_with_owner_membership_and_dates() {
        let ids = identities(&data());
        let pat = find(&ids, "github:octo-org/fine_grained_pat/25381");
        assert_eq!(pat.kind, "github.fine_grained_pat");
        assert_eq!(pat.owner.as_ref().unwrap().name, "octocat");
        assert_eq!(pat.attributes["owner_is_member"], json!(true));
        assert_eq!(pat.attributes["lifetime_days"], json!(184));
        assert!(pat.last_used_at.is_none());
        assert_eq!(pat.permissions.actions, ["members:read", "metadata:read"]);
        assert_eq!(pat.permissions.flags, ["all_repositories"]);
        assert_eq!(pat.attributes["repositories"], json!(["Hello-World"]));
        let hubot = find(&ids, "github:octo-org/classic_pat/161196");
        assert_eq!(hubot.attributes["owner_is_member"], json!(false));
        assert_eq!(hubot.permissions.actions, ["repo"]);
        let ssh = find(&ids, "github:octo-org/ssh_key/161199");
        assert_eq!(ssh.kind, "github.ssh_key");
        assert_eq!(ssh.attributes["no_expiry"], json!(true));
        let key = find(&ids, "github:octo-org/deploy_key/Hello-World/1");
        assert_eq!(key.permissions.actions, ["contents:read"]);
        assert_eq!(
            key.owner.as_ref().unwrap().detail.as_deref(),
            Some("added_by")
        );
        let env = find(
            &ids,
            "github:octo-org/actions_secret/env/Hello-World/staging/GH_TOKEN",
        );
        assert_eq!(env.attributes["updated_at"], json!("2020-01-10T14:59:22Z"));
        assert_eq!(
            env.credentials[0].last_rotated_at.unwrap().to_rfc3339(),
            "2020-01-10T14:59:22+00:00"
        );
        // Every permission GitHub listed survives (octocrab's fixed struct would drop these).
        let app = find(&ids, "github:octo-org/app_installation/25381");
        assert_eq!(
            app.permissions.actions,
            [
                "deployments:write",
                "metadata:read",
                "pull_requests:read",
                "statuses:read"
            ]
        );
        assert!(app.permissions.flags.contains(&"write".to_string()));
        assert_eq!(
            ids.iter()
                .filter(|i| i.kind == "github.pat_request")
                .count(),
            1
        );
    }

    #[test]
    fn unknown_membership_leaves_owner_is_member_unset() {
        let mut d = data();
        d.members = None;
        let ids = identities(&d);
        let pat = find(&ids, "github:octo-org/fine_grained_pat/25381");
        assert!(!pat.attributes.contains_key("owner_is_member"));
    }

    /// A hook URL may carry a token (path, query, user info): only scheme and host are kept.
    #[test]
    fn a_webhook_keeps_only_the_urls_scheme_and_host() {
        let mut hooks: Vec<super::super::api::OrgHook> = example("orgs_org_hooks.json");
        hooks[0].config.url = Some("https://u:pw@hooks.example/t/sekrit?token=abc".into());
        hooks[0].config.secret = Some("********".into());
        let data = OrgData {
            org: "o".into(),
            hooks,
            ..Default::default()
        };
        let ids = identities(&data);
        assert_eq!(ids.len(), 1);
        let text = serde_json::to_string(&ids[0]).unwrap();
        assert!(!text.contains("sekrit") && !text.contains("abc") && !text.contains("pw@"));
        assert_eq!(ids[0].attributes["url_host"], "hooks.example");
        assert_eq!(ids[0].attributes["insecure_ssl"], false);
    }
}

//! The GitHub REST API response shapes the connector reads. octocrab's typed models where they
//! read GitHub's published examples without losing a field the rules need (repositories,
//! members, deploy keys, secrets, environments, secret-scanning alerts); our own serde structs
//! where octocrab has no model (fine-grained PAT grants and requests, SAML credential
//! authorizations) or where its model drops facts: octocrab's `Installation.permissions` is a
//! fixed struct that loses permissions it does not list (the example's `deployments: write`),
//! so installations keep GitHub's permission map as it is.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A user reference (`owner`, `resolved_by`, …): only the login matters here.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
}

/// `permissions` of a fine-grained PAT grant or request: `organization` and `repository` maps
/// of permission name to `read` / `write` / `admin`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GrantPermissions {
    #[serde(default)]
    pub organization: BTreeMap<String, String>,
    #[serde(default)]
    pub repository: BTreeMap<String, String>,
    #[serde(default)]
    pub other: BTreeMap<String, String>,
}

/// `GET /orgs/{org}/personal-access-tokens` (a grant) and `…/personal-access-token-requests`
/// (a pending request; `created_at` instead of `access_granted_at`, plus `reason`).
#[derive(Debug, Clone, Deserialize)]
pub struct PatGrant {
    pub id: u64,
    pub owner: Option<User>,
    pub repository_selection: Option<String>,
    #[serde(default)]
    pub permissions: GrantPermissions,
    pub access_granted_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub token_id: Option<u64>,
    pub token_name: Option<String>,
    #[serde(default)]
    pub token_expired: bool,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub token_last_used_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// `GET /orgs/{org}/credential-authorizations` (SAML SSO, Enterprise Cloud): classic PATs, SSH
/// keys and OAuth/App tokens a member authorised for the org.
#[derive(Debug, Clone, Deserialize)]
pub struct CredentialAuthorization {
    pub login: String,
    pub credential_id: u64,
    pub credential_type: String,
    pub token_last_eight: Option<String>,
    pub credential_authorized_at: Option<DateTime<Utc>>,
    pub credential_accessed_at: Option<DateTime<Utc>>,
    pub authorized_credential_expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub fingerprint: Option<String>,
    pub authorized_credential_title: Option<String>,
    pub authorized_credential_note: Option<String>,
}

/// `GET /orgs/{org}/installations` → `{installations: [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Installation {
    pub id: u64,
    pub app_id: Option<u64>,
    pub app_slug: Option<String>,
    pub repository_selection: Option<String>,
    #[serde(default)]
    pub permissions: BTreeMap<String, String>,
    #[serde(default)]
    pub events: Vec<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub suspended_at: Option<DateTime<Utc>>,
    pub suspended_by: Option<User>,
}

/// `GET /orgs/{org}/hooks`: an org webhook. With a `config.secret` (GitHub masks it as
/// `********`), every delivery is signed with that shared key: a credential of the org.
#[derive(Debug, Clone, Deserialize)]
pub struct OrgHook {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub config: HookConfig,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A webhook's `config` (GitHub's `webhook-config`): `insecure_ssl` is `"0"`/`"1"` or a number.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HookConfig {
    pub url: Option<String>,
    pub secret: Option<String>,
    pub insecure_ssl: Option<serde_json::Value>,
}

pub use octocrab::models::Author as Member;
pub use octocrab::models::Repository as Repo;
pub use octocrab::models::orgs::secrets::OrganizationSecret;
pub use octocrab::models::repos::DeployKey;
pub use octocrab::models::repos::environments::Environment;
pub use octocrab::models::repos::secret_scanning_alert::SecretScanningAlert;
pub use octocrab::models::repos::secrets::RepositorySecret;

/// One Actions / Dependabot / Codespaces secret as the mapping sees it, from an org or a
/// repository/environment listing (never its value: the API has none).
#[derive(Debug, Clone)]
pub struct Secret {
    pub name: String,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Org secrets only: `all`, `private` or `selected`.
    pub visibility: Option<String>,
    /// An org secret with `selected` visibility: the repositories whose workflows can read it
    /// (`None` when not read).
    pub repositories: Option<Vec<String>>,
}

impl From<OrganizationSecret> for Secret {
    fn from(s: OrganizationSecret) -> Secret {
        Secret {
            name: s.name,
            created_at: Some(s.created_at),
            updated_at: Some(s.updated_at),
            visibility: enum_str(&s.visibility),
            repositories: None,
        }
    }
}

impl From<RepositorySecret> for Secret {
    fn from(s: RepositorySecret) -> Secret {
        Secret {
            name: s.name,
            created_at: Some(s.created_at),
            updated_at: Some(s.updated_at),
            visibility: None,
            repositories: None,
        }
    }
}

/// An octocrab enum (`Visibility`, alert `State`, `Validity`, `Resolution`) as GitHub spells it.
pub fn enum_str<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

/// The three secret stores that exist at org and repo level (Actions also per environment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecretStore {
    Actions,
    Dependabot,
    Codespaces,
}

impl SecretStore {
    pub const ALL: [SecretStore; 3] = [
        SecretStore::Actions,
        SecretStore::Dependabot,
        SecretStore::Codespaces,
    ];

    /// The path segment: `/orgs/{org}/<segment>/secrets`.
    pub fn segment(self) -> &'static str {
        match self {
            SecretStore::Actions => "actions",
            SecretStore::Dependabot => "dependabot",
            SecretStore::Codespaces => "codespaces",
        }
    }

    /// The identity kind suffix: `github.<kind>`.
    pub fn kind(self) -> &'static str {
        match self {
            SecretStore::Actions => "actions_secret",
            SecretStore::Dependabot => "dependabot_secret",
            SecretStore::Codespaces => "codespaces_secret",
        }
    }
}

/// Where a secret lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecretScope {
    Org,
    Repo(String),
    Environment { repo: String, environment: String },
}

/// Everything read from one organisation: the input of the pure mapping. Each list is `None`
/// when it could not be read (a coverage note says why), so the mapping can tell "no PATs"
/// from "PATs unknown" (e.g. `owner_is_member` is only set when the member list was read).
#[derive(Debug, Clone, Default)]
pub struct OrgData {
    pub org: String,
    pub members: Option<Vec<Member>>,
    pub pat_grants: Vec<PatGrant>,
    pub pat_requests: Vec<PatGrant>,
    /// Grant id → the repositories a `subset`-of-repositories grant reaches.
    pub pat_repositories: BTreeMap<u64, Vec<String>>,
    pub credential_authorizations: Vec<CredentialAuthorization>,
    pub installations: Vec<Installation>,
    /// (repo name, key).
    pub deploy_keys: Vec<(String, DeployKey)>,
    pub secrets: Vec<(SecretStore, SecretScope, Secret)>,
    /// Org webhooks (all of them; the mapping keeps those with a secret).
    pub hooks: Vec<OrgHook>,
    /// (alert, number of locations when they were listed).
    pub alerts: Vec<(SecretScanningAlert, Option<usize>)>,
}

//! The GitHub REST API response shapes the connector reads, as serde structs holding only the
//! fields the mapping uses. Our own structs rather than octocrab's models: octocrab has no typed
//! model for fine-grained PAT grants, PAT requests, SAML credential authorizations, secret lists
//! with `visibility` or secret-scanning `validity`, and the mapping must read the live API and
//! the committed example responses through the same types. Unknown fields are ignored, missing
//! optional fields are `None`, so GitHub adding fields never breaks a scan.

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

/// `GET /orgs/{org}/repos`: the repositories whose deploy keys and secrets are read.
#[derive(Debug, Clone, Deserialize)]
pub struct Repo {
    pub name: String,
    pub full_name: Option<String>,
    #[serde(default)]
    pub archived: bool,
}

/// `GET /repos/{owner}/{repo}/keys`. The public key itself is not kept.
#[derive(Debug, Clone, Deserialize)]
pub struct DeployKey {
    pub id: u64,
    pub title: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub read_only: bool,
    pub added_by: Option<String>,
    pub last_used: Option<DateTime<Utc>>,
    pub enabled: Option<bool>,
    pub verified: Option<bool>,
}

/// One Actions / Dependabot / Codespaces secret (never its value: the API has none).
#[derive(Debug, Clone, Deserialize)]
pub struct Secret {
    pub name: String,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Org secrets only: `all`, `private` or `selected`.
    pub visibility: Option<String>,
}

/// `GET /repos/{owner}/{repo}/environments` → `{environments: [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Environment {
    pub name: String,
}

/// `GET /orgs/{org}/secret-scanning/alerts`.
#[derive(Debug, Clone, Deserialize)]
pub struct SecretScanningAlert {
    pub number: u64,
    pub created_at: Option<DateTime<Utc>>,
    pub state: Option<String>,
    pub resolution: Option<String>,
    pub secret_type: Option<String>,
    pub secret_type_display_name: Option<String>,
    /// The secret itself, when the token may see it. Hashed and redacted at once, never kept.
    pub secret: Option<String>,
    pub validity: Option<String>,
    pub publicly_leaked: Option<bool>,
    pub html_url: Option<String>,
    pub repository: Option<AlertRepo>,
    pub has_more_locations: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AlertRepo {
    pub name: String,
}

/// `GET /orgs/{org}/members`.
#[derive(Debug, Clone, Deserialize)]
pub struct Member {
    pub login: String,
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
    pub credential_authorizations: Vec<CredentialAuthorization>,
    pub installations: Vec<Installation>,
    /// (repo name, key).
    pub deploy_keys: Vec<(String, DeployKey)>,
    pub secrets: Vec<(SecretStore, SecretScope, Secret)>,
    /// (alert, number of locations when they were listed).
    pub alerts: Vec<(SecretScanningAlert, Option<usize>)>,
}

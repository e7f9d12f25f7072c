//! Live collection of one organisation: org-level lists first (members, PAT grants and
//! requests, SAML credential authorizations, App installations, org secrets, open
//! secret-scanning alerts), then every repository's deploy keys, secrets and environment
//! secrets with bounded concurrency. Each endpoint that cannot be read becomes a coverage note
//! saying what access is missing; the rest of the scan goes on.

use super::api::{
    CredentialAuthorization, DeployKey, Environment, Installation, Member, OrgData, OrgHook,
    OrganizationSecret, PatGrant, Repo, RepositorySecret, Secret, SecretScanningAlert, SecretScope,
    SecretStore,
};
use super::client::{Api, ApiError};
use crate::inventory::Note;
use futures_util::StreamExt;
use std::collections::BTreeMap;

/// What a token needs to read each org-level endpoint, for the note when it cannot. Each
/// starts with what is missing, so a truncated note in the table still says it.
/// The permission names are GitHub's own (its "Permissions required for GitHub Apps" data, copied
/// in fixtures/github/openapi/permissions.json; a test holds these notes and the README to it).
const NEEDS_PAT_GRANTS: &str = "needs a GitHub App (--app-id, --app-key) with the organization \
    permission \"Personal access tokens\": read; a personal token cannot list PAT grants";
const NEEDS_PAT_REQUESTS: &str = "needs a GitHub App (--app-id, --app-key) with the organization \
    permission \"Personal access token requests\": read; a personal token cannot list PAT \
    requests";
const NEEDS_SAML: &str = "needs GitHub Enterprise Cloud with SAML single sign-on, and an org \
    owner's token with read:org";
const NEEDS_ADMIN: &str = "needs an org owner's token (read:org) or an App with the \
    organization permission \"Administration\": read";
const NEEDS_SECRETS: &str = "needs admin:org (classic token) or the organization permission \
    \"Secrets\": read (fine-grained token or App)";
const NEEDS_DEPENDABOT: &str = "needs admin:org (classic token) or the organization permission \
    \"Organization dependabot secrets\": read (fine-grained token or App)";
const NEEDS_CODESPACES: &str = "needs admin:org or the organization permission \"Organization \
    codespaces secrets\": read, and Codespaces enabled for the organisation";
const NEEDS_SCANNING: &str = "needs secret scanning enabled (GitHub Secret Protection / \
    Advanced Security) and security_events or \"Secret scanning alerts\": read";
const NEEDS_HOOKS: &str = "needs admin:org_hook (classic token, org owner) or the organization \
    permission \"Webhooks\": read";
const NEEDS_MEMBERS: &str = "needs read:org (or the organization permission \"Members\": read)";
const NEEDS_REPOS: &str = "needs repo or read:org (or the repository permission \"Metadata\": \
    read on the org's repositories)";

pub struct Collection {
    pub data: OrgData,
    pub notes: Vec<Note>,
}

/// A per-repository read that failed, grouped into one note per resource and cause.
type RepoFailures = BTreeMap<(String, String), Vec<String>>;

/// How much of the organisation to read, and how.
pub struct Scope<'a> {
    /// Repositories read at once.
    pub concurrency: usize,
    /// The token belongs to a user (not an App), whose view of the member list depends on
    /// being a member.
    pub user_token: bool,
    /// Read only these repositories (empty: all).
    pub only_repos: &'a [String],
}

pub async fn collect(api: &Api, org: &str, scope: &Scope<'_>) -> Collection {
    let (concurrency, user_token) = (scope.concurrency, scope.user_token);
    let mut notes = Vec::new();
    let mut data = OrgData {
        org: org.to_string(),
        ..Default::default()
    };
    data.members = org_list::<Member>(
        api,
        &mut notes,
        format!("/orgs/{org}/members"),
        None,
        NEEDS_MEMBERS,
    )
    .await;
    if user_token && data.members.is_some() && !token_user_is_member(api, org, &mut notes).await {
        data.members = None;
    }
    data.pat_grants = org_list(
        api,
        &mut notes,
        format!("/orgs/{org}/personal-access-tokens"),
        None,
        NEEDS_PAT_GRANTS,
    )
    .await
    .unwrap_or_default();
    data.pat_repositories =
        pat_repositories(api, org, &data.pat_grants, concurrency, &mut notes).await;
    data.pat_requests = org_list(
        api,
        &mut notes,
        format!("/orgs/{org}/personal-access-token-requests"),
        None,
        NEEDS_PAT_REQUESTS,
    )
    .await
    .unwrap_or_default();
    data.credential_authorizations = org_list::<CredentialAuthorization>(
        api,
        &mut notes,
        format!("/orgs/{org}/credential-authorizations"),
        None,
        NEEDS_SAML,
    )
    .await
    .unwrap_or_default();
    data.installations = org_list::<Installation>(
        api,
        &mut notes,
        format!("/orgs/{org}/installations"),
        Some("installations"),
        NEEDS_ADMIN,
    )
    .await
    .unwrap_or_default();
    for store in SecretStore::ALL {
        let needs = match store {
            SecretStore::Actions => NEEDS_SECRETS,
            SecretStore::Dependabot => NEEDS_DEPENDABOT,
            SecretStore::Codespaces => NEEDS_CODESPACES,
        };
        let secrets: Vec<OrganizationSecret> = org_list(
            api,
            &mut notes,
            format!("/orgs/{org}/{}/secrets", store.segment()),
            Some("secrets"),
            needs,
        )
        .await
        .unwrap_or_default();
        for s in secrets {
            let mut secret: Secret = s.into();
            if secret.visibility.as_deref() == Some("selected") {
                secret.repositories =
                    selected_repositories(api, org, store, &secret.name, needs, &mut notes).await;
            }
            data.secrets.push((store, SecretScope::Org, secret));
        }
    }
    data.hooks = org_list::<OrgHook>(
        api,
        &mut notes,
        format!("/orgs/{org}/hooks"),
        None,
        NEEDS_HOOKS,
    )
    .await
    .unwrap_or_default();
    let alerts: Vec<SecretScanningAlert> = org_list(
        api,
        &mut notes,
        format!("/orgs/{org}/secret-scanning/alerts?state=open"),
        None,
        NEEDS_SCANNING,
    )
    .await
    .unwrap_or_default();
    let repos: Vec<Repo> = org_list(
        api,
        &mut notes,
        format!("/orgs/{org}/repos?type=all"),
        None,
        NEEDS_REPOS,
    )
    .await
    .unwrap_or_default();
    let repos = only(repos, scope.only_repos, org, &mut notes);

    repo_level(api, org, &repos, alerts, concurrency, &mut data, &mut notes).await;
    Collection { data, notes }
}

/// Which repositories an org secret with `selected` visibility reaches: one org-level call
/// answers for the whole org (no per-repository reads needed to know a secret's reach).
async fn selected_repositories(
    api: &Api,
    org: &str,
    store: SecretStore,
    name: &str,
    needs: &str,
    notes: &mut Vec<Note>,
) -> Option<Vec<String>> {
    let path = format!(
        "/orgs/{org}/{}/secrets/{}/repositories",
        store.segment(),
        encode(name)
    );
    let repos: Vec<Repo> = org_list(api, notes, path, Some("repositories"), needs).await?;
    let mut names: Vec<String> = repos.into_iter().map(|r| r.name).collect();
    names.sort();
    Some(names)
}

/// The repositories `--repos` names (all when it names none); a name the org does not have is
/// a note.
fn only(repos: Vec<Repo>, names: &[String], org: &str, notes: &mut Vec<Note>) -> Vec<Repo> {
    if names.is_empty() {
        return repos;
    }
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| !repos.iter().any(|r| &r.name == *n))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        notes.push(Note::warning(
            format!("GET /orgs/{org}/repos"),
            format!(
                "--repos names repositories {org} does not have (or the token cannot see): {}",
                missing.join(", ")
            ),
        ));
    }
    repos
        .into_iter()
        .filter(|r| names.contains(&r.name))
        .collect()
}

/// Per-repository reads (and each open alert's locations), `concurrency` at a time; failures
/// grouped into one note per resource and cause, naming the repositories.
async fn repo_level(
    api: &Api,
    org: &str,
    repos: &[Repo],
    alerts: Vec<SecretScanningAlert>,
    concurrency: usize,
    data: &mut OrgData,
    notes: &mut Vec<Note>,
) {
    let mut failures = RepoFailures::new();
    data.alerts = alert_locations(api, org, alerts, concurrency, &mut failures).await;
    let per_repo: Vec<RepoResult> = futures_util::stream::iter(repos.iter())
        .map(|r| read_repo(api, org, &r.name))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    // Repositories the rate limit kept (wholly or partly) unread, and why the limit stopped
    // the scan: one note naming every one, so a later run (`--repos`) or a merge completes them.
    let mut unread: Vec<String> = Vec::new();
    let mut stopped_because = None;
    for r in per_repo {
        data.deploy_keys
            .extend(r.keys.into_iter().map(|k| (r.repo.clone(), k)));
        data.secrets.extend(r.secrets);
        let mut rate_limited = false;
        for (resource, e) in r.failures {
            if let ApiError::RateLimited(why) = &e {
                rate_limited = true;
                stopped_because.get_or_insert_with(|| why.clone());
                continue;
            }
            failures
                .entry((resource, cause(&e)))
                .or_default()
                .push(r.repo.clone());
        }
        if rate_limited {
            unread.push(r.repo.clone());
        }
    }
    if let Some(why) = stopped_because {
        unread.sort();
        notes.push(Note::warning(
            format!("GET /repos/{org}/{{repo}}/…"),
            format!(
                "rate limit: {} of {} repositories not (completely) read ({why}): {}",
                unread.len(),
                repos.len(),
                unread.join(", ")
            ),
        ));
    }
    for ((resource, why), mut repos) in failures {
        repos.sort();
        let total = repos.len();
        let shown: Vec<String> = repos.into_iter().take(10).collect();
        let more = if total > shown.len() {
            format!(" and {} more", total - shown.len())
        } else {
            String::new()
        };
        notes.push(Note::warning(
            format!("GET /repos/{org}/{{repo}}/{resource}"),
            format!("{why} for {}{more}", shown.join(", ")),
        ));
    }
    data.deploy_keys
        .sort_by(|a, b| (&a.0, a.1.id).cmp(&(&b.0, b.1.id)));
}

/// GitHub lists only public members to a user who is not a member of the org; judging
/// `owner_is_member` from that list would call every private member's token orphaned.
async fn token_user_is_member(api: &Api, org: &str, notes: &mut Vec<Note>) -> bool {
    let path = format!("/user/memberships/orgs/{org}");
    let why = match api.get::<serde_json::Value>(&path).await {
        Ok(m) if m["state"] == "active" => return true,
        Ok(m) => format!("membership state {}", m["state"]),
        Err(e) => e.to_string(),
    };
    notes.push(Note::warning(
        format!("GET {path}"),
        format!(
            "the token's user is not an active member of {org} ({why}): GitHub shows such a \
             user only public members, so whether credential owners are still members is not \
             judged (use an org member's token or a GitHub App with \"Members\" read)"
        ),
    ));
    false
}

/// Every page of an org-level list, or `None` with a note saying what access is missing.
async fn org_list<T: serde::de::DeserializeOwned>(
    api: &Api,
    notes: &mut Vec<Note>,
    path: String,
    key: Option<&str>,
    needs: &str,
) -> Option<Vec<T>> {
    let r = api.list(&path, key).await;
    if let Err(e) = &r {
        notes.push(org_note(&path, e, needs));
    }
    r.ok()
}

/// The note for an org-level endpoint: access problems name what is missing.
fn org_note(path: &str, e: &ApiError, needs: &str) -> Note {
    let subject = format!("GET {}", path.split('?').next().unwrap_or(path));
    let message = match e.status() {
        Some(401 | 403 | 404 | 422) => format!("{needs} (GitHub answered {e})"),
        _ => format!("{e}"),
    };
    Note::warning(subject, message)
}

/// The cause of a per-repository failure, worded for a grouped note.
fn cause(e: &ApiError) -> String {
    match e.status() {
        Some(404) => "not found (the repository was deleted or renamed during the scan, or the \
                      token cannot see this resource); skipped"
            .into(),
        Some(403) => "forbidden (needs admin access to the repository, or the \"Secrets\" / \
                      \"Administration\" read permission); not read"
            .into(),
        _ => format!("{e}; not read"),
    }
}

struct RepoResult {
    repo: String,
    keys: Vec<DeployKey>,
    secrets: Vec<(SecretStore, SecretScope, Secret)>,
    failures: Vec<(String, ApiError)>,
}

/// One call per resource kind for a repository (plus one per environment).
async fn read_repo(api: &Api, org: &str, repo: &str) -> RepoResult {
    let mut out = RepoResult {
        repo: repo.to_string(),
        keys: vec![],
        secrets: vec![],
        failures: vec![],
    };
    let base = format!("/repos/{org}/{}", encode(repo));
    match api.list::<DeployKey>(&format!("{base}/keys"), None).await {
        Ok(k) => out.keys = k,
        Err(e) => out.failures.push(("keys".into(), e)),
    }
    for store in SecretStore::ALL {
        let resource = format!("{}/secrets", store.segment());
        match api
            .list::<RepositorySecret>(&format!("{base}/{resource}"), Some("secrets"))
            .await
        {
            Ok(s) => out.secrets.extend(
                s.into_iter()
                    .map(|s| (store, SecretScope::Repo(repo.to_string()), s.into())),
            ),
            Err(e) => out.failures.push((resource, e)),
        }
    }
    let envs = match api
        .list::<Environment>(&format!("{base}/environments"), Some("environments"))
        .await
    {
        Ok(e) => e,
        Err(e) => {
            out.failures.push(("environments".into(), e));
            vec![]
        }
    };
    for env in envs {
        let path = format!("{base}/environments/{}/secrets", encode(&env.name));
        match api.list::<RepositorySecret>(&path, Some("secrets")).await {
            Ok(s) => out.secrets.extend(s.into_iter().map(|s| {
                (
                    SecretStore::Actions,
                    SecretScope::Environment {
                        repo: repo.to_string(),
                        environment: env.name.clone(),
                    },
                    s.into(),
                )
            })),
            Err(e) => out
                .failures
                .push(("environments/{environment}/secrets".into(), e)),
        }
    }
    out
}

/// The repositories each grant limited to some repositories reaches (one call per grant): the
/// "why does it have this access" of a fine-grained PAT. GitHub's schema for a grant
/// (`organization-programmatic-access-grant`) spells that selection `subset` (`none | all |
/// subset`); `selected` is an App installation's word and never appears here.
async fn pat_repositories(
    api: &Api,
    org: &str,
    grants: &[PatGrant],
    concurrency: usize,
    notes: &mut Vec<Note>,
) -> BTreeMap<u64, Vec<String>> {
    let selected = grants
        .iter()
        .filter(|g| g.repository_selection.as_deref() == Some("subset"));
    let results: Vec<_> = futures_util::stream::iter(selected)
        .map(|g| async move {
            let path = format!("/orgs/{org}/personal-access-tokens/{}/repositories", g.id);
            (g.id, api.list::<Repo>(&path, None).await)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut out = BTreeMap::new();
    for (id, r) in results {
        match r {
            Ok(repos) => {
                let mut names: Vec<String> = repos.into_iter().map(|r| r.name).collect();
                names.sort();
                out.insert(id, names);
            }
            Err(e) => notes.push(org_note(
                &format!("/orgs/{org}/personal-access-tokens/{id}/repositories"),
                &e,
                NEEDS_PAT_GRANTS,
            )),
        }
    }
    out
}

/// How many places each open alert was seen in (one paginated call per alert).
async fn alert_locations(
    api: &Api,
    org: &str,
    alerts: Vec<SecretScanningAlert>,
    concurrency: usize,
    failures: &mut RepoFailures,
) -> Vec<(SecretScanningAlert, Option<usize>)> {
    let results: Vec<_> = futures_util::stream::iter(alerts)
        .map(|a| async move {
            let Some(repo) = a.repository.as_ref().map(|r| r.name.clone()) else {
                return (a, None, None);
            };
            let path = format!(
                "/repos/{org}/{}/secret-scanning/alerts/{}/locations",
                encode(&repo),
                a.number
            );
            match api.list::<serde_json::Value>(&path, None).await {
                Ok(l) => (a, Some(l.len()), None),
                Err(e) => (a, None, Some((repo, e))),
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut out = Vec::new();
    for (a, n, failure) in results {
        if let Some((repo, e)) = failure {
            failures
                .entry((
                    "secret-scanning/alerts/{number}/locations".into(),
                    cause(&e),
                ))
                .or_default()
                .push(repo);
        }
        out.push((a, n));
    }
    out.sort_by_key(|(a, _)| a.number);
    out
}

/// What stays literal in a path segment: RFC 3986's unreserved characters.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode a path segment (repository and environment names may hold spaces etc.).
fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, PATH_SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each org-level note names the permission GitHub's published metadata gives that
    /// endpoint (fixtures/github/openapi/permissions.json), so a wrong name fails here.
    #[test]
    fn notes_name_the_permission_github_documents() {
        let data: serde_json::Value = serde_json::from_str(include_str!(
            "../../../fixtures/github/openapi/permissions.json"
        ))
        .unwrap();
        let title = |op: &str| {
            let t = data["operations"][op]["title"].as_str();
            format!(
                "\"{}\"",
                t.unwrap_or_else(|| panic!("{op} not in permissions.json"))
            )
        };
        for (op, note) in [
            ("GET /orgs/{org}/personal-access-tokens", NEEDS_PAT_GRANTS),
            (
                "GET /orgs/{org}/personal-access-token-requests",
                NEEDS_PAT_REQUESTS,
            ),
            ("GET /orgs/{org}/installations", NEEDS_ADMIN),
            ("GET /orgs/{org}/members", NEEDS_MEMBERS),
            ("GET /orgs/{org}/actions/secrets", NEEDS_SECRETS),
            ("GET /orgs/{org}/dependabot/secrets", NEEDS_DEPENDABOT),
            ("GET /orgs/{org}/codespaces/secrets", NEEDS_CODESPACES),
        ] {
            assert!(
                note.contains(&title(op)),
                "{op}: {note} should name {}",
                title(op)
            );
        }
        assert!(!NEEDS_PAT_REQUESTS.contains("\"Personal access tokens\""));
    }

    #[test]
    fn path_segments_keep_only_unreserved_characters() {
        assert_eq!(super::encode("my-repo_1.x~"), "my-repo_1.x~");
        assert_eq!(super::encode("a b/c?d%"), "a%20b%2Fc%3Fd%25");
        assert_eq!(super::encode("prod é"), "prod%20%C3%A9");
    }
}

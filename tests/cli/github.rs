//! `scan github` against a loopback server answering with GitHub's published example responses
//! (fixtures/github/examples): inventory and findings through the real binary, pagination by
//! Link headers, rate-limit waits and stops, 403/404 coverage notes, bad token, unknown org,
//! malformed JSON.

use crate::common::github_server::{ApiServer, Reply, Request, Sent, schema_divergences};
use crate::common::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const ORG: &str = "acme";
const TOKEN: &str = "test-token-not-a-secret";
/// The installation token of GitHub's example `POST /app/installations/{id}/access_tokens`.
const INSTALLATION_TOKEN: &str = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

fn example(file: &str) -> Value {
    let p = root().join("fixtures/github/examples").join(file);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A leaked token whose last eight characters are hubot's SAML-authorised classic PAT's.
fn leaked_token() -> String {
    format!("ghp_{}Ae178B4a", "q7Z".repeat(10))
}

/// Repositories `Hello-World` and `api` on page 1, `gone` (deleted mid-scan) on page 2.
fn repo(name: &str) -> Value {
    let mut r = example("orgs_org_repos.json")[0].clone();
    r["name"] = json!(name);
    r["full_name"] = json!(format!("{ORG}/{name}"));
    r
}

/// The example organisation, with the few changes the scenario needs, made here in code so
/// the fixtures stay GitHub's own examples.
fn acme(base: &str, r: &Request, seen: &Mutex<HashMap<String, usize>>) -> Reply {
    let nth = {
        let mut s = seen.lock().unwrap();
        let n = s.entry(r.path().to_string()).or_insert(0);
        *n += 1;
        *n
    };
    if r.authorization.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return Reply::status(401, "Bad credentials");
    }
    let org = format!("/orgs/{ORG}");
    let repos = format!("/repos/{ORG}");
    let p = r.path();
    let file = |f: &str| Reply::json(example(f).to_string());
    match p {
        _ if p == org => organization(),
        _ if p == format!("{org}/members") => file("orgs_org_members.json"),
        _ if p == format!("/user/memberships/orgs/{ORG}") => active_membership(),
        _ if p == format!("{org}/personal-access-tokens") => {
            // Limited to some repositories: GitHub's word for that is `subset`.
            let mut grants = example("orgs_org_personal-access-tokens.json");
            grants[0]["repository_selection"] = json!("subset");
            // Still valid (the example's expiry has passed): expiring in a month.
            grants[0]["token_expires_at"] =
                json!(crate::common::now() + chrono::Duration::days(30));
            Reply::json(grants.to_string())
        }
        _ if p == format!("{org}/personal-access-tokens/25381/repositories") => {
            file("orgs_org_personal-access-tokens_pat_id_repositories.json")
        }
        _ if p == format!("{org}/personal-access-token-requests") => {
            Reply::status(403, "Resource not accessible by personal access token")
        }
        _ if p == format!("{org}/credential-authorizations") => {
            // hubot's classic PAT never expires (the example's expired in 2019).
            let mut creds = example("orgs_org_credential-authorizations.json");
            creds[1]["authorized_credential_expires_at"] = Value::Null;
            Reply::json(creds.to_string())
        }
        _ if p == format!("{org}/installations") => file("orgs_org_installations.json"),
        // GitHub's example hook (http://example.com), given a secret (GitHub masks it).
        _ if p == format!("{org}/hooks") => {
            let mut hooks = example("orgs_org_hooks.json");
            hooks[0]["config"]["secret"] = json!("********");
            let mut unsigned = hooks[0].clone();
            unsigned["id"] = json!(2);
            unsigned["config"] = json!({"url": "https://example.com/hook", "content_type": "json"});
            hooks.as_array_mut().unwrap().push(unsigned);
            Reply::json(hooks.to_string())
        }
        _ if p == format!("{org}/actions/secrets") => file("orgs_org_actions_secrets.json"),
        // GH_TOKEN (Actions and Dependabot) has `selected` visibility: which repositories.
        _ if p == format!("{org}/actions/secrets/GH_TOKEN/repositories")
            || p == format!("{org}/dependabot/secrets/GH_TOKEN/repositories") =>
        {
            file("orgs_org_actions_secrets_secret_name_repositories.json")
        }
        _ if p == format!("{org}/dependabot/secrets") => file("orgs_org_dependabot_secrets.json"),
        _ if p == format!("{org}/codespaces/secrets") => file("orgs_org_codespaces_secrets.json"),
        _ if p == format!("{org}/secret-scanning/alerts") => {
            assert!(r.query_has("state=open"), "{}", r.target);
            let mut matched = example("orgs_org_secret-scanning_alerts.json")[0].clone();
            matched["state"] = json!("open");
            matched["validity"] = json!("active");
            matched["secret"] = json!(leaked_token());
            matched["repository"]["name"] = json!("api");
            let mut public = example("orgs_org_secret-scanning_alerts.json")[0].clone();
            public["number"] = json!(1);
            public["state"] = json!("open");
            public["validity"] = json!("unknown");
            public["publicly_leaked"] = json!(true);
            Reply::json(json!([matched, public]).to_string())
        }
        _ if p == format!("{org}/repos") => {
            if r.query_has("page=2") {
                Reply::json(json!([repo("gone")]).to_string())
            } else {
                Reply::json(json!([repo("Hello-World"), repo("api")]).to_string()).header(
                    "link",
                    format!(
                        "<{base}{org}/repos?per_page=100&page=2>; rel=\"next\", \
                         <{base}{org}/repos?per_page=100&page=2>; rel=\"last\""
                    ),
                )
            }
        }
        _ if p.starts_with(&format!("{repos}/gone/")) => Reply::status(404, "Not Found"),
        _ if p.ends_with("/codespaces/secrets") => {
            Reply::status(403, "Resource not accessible by integration")
        }
        _ if p.ends_with("/secret-scanning/alerts/2/locations")
            || p.ends_with("/secret-scanning/alerts/1/locations") =>
        {
            file("repos_owner_repo_secret-scanning_alerts_alert_number_locations.json")
        }
        _ if p == format!("{repos}/api/keys") => {
            let mut k = example("repos_owner_repo_keys.json")[0].clone();
            k["id"] = json!(2);
            k["read_only"] = json!(false);
            k["added_by"] = json!("hubot");
            k["last_used"] = Value::Null;
            Reply::json(json!([k]).to_string())
        }
        _ if p.ends_with("/keys") => file("repos_owner_repo_keys.json"),
        // The first read of api's Actions secrets hits the primary rate limit, reset in 1 s.
        _ if p == format!("{repos}/api/actions/secrets") && nth == 1 => {
            Reply::status(403, "API rate limit exceeded for user ID 1.")
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", (now() + 1).to_string())
        }
        // A secondary rate limit (429 + retry-after) on Hello-World's Dependabot secrets.
        _ if p == format!("{repos}/Hello-World/dependabot/secrets") && nth == 1 => {
            Reply::status(429, "You have exceeded a secondary rate limit.")
                .header("retry-after", "1")
        }
        _ if p.ends_with("/environments") => file("repos_owner_repo_environments.json"),
        _ if p.ends_with("/environments/staging/secrets") => {
            file("repos_owner_repo_environments_environment_name_secrets.json")
        }
        _ if p.ends_with("/actions/secrets") || p.ends_with("/dependabot/secrets") => {
            file("repos_owner_repo_actions_secrets.json")
        }
        _ => Reply::status(404, "Not Found"),
    }
}

/// GitHub's example organisation. The example lacks `archived_at`, which the schema of
/// `orgs/get` requires (null for an org that is not archived): added, so the reply is GitHub's.
fn organization() -> Reply {
    let mut o = example("orgs_org.json");
    o["archived_at"] = Value::Null;
    Reply::json(o.to_string())
}

/// The token's user is an active member (GitHub's example membership, which is pending).
fn active_membership() -> Reply {
    let mut m = example("user_memberships_orgs_org.json");
    m["state"] = json!("active");
    Reply::json(m.to_string())
}

fn acme_server() -> ApiServer {
    let seen = Arc::new(Mutex::new(HashMap::new()));
    ApiServer::start(move |base, r| acme(base, r, &seen))
}

fn scan(server: &ApiServer, token: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "scan",
        "github",
        "--org",
        ORG,
        "--api-url",
        &server.url,
        "--token-env",
        "NHISCAN_TEST_GH_TOKEN",
        "-f",
        "json",
        "-q",
    ];
    args.extend_from_slice(extra);
    let out = nhiscan()
        .env("NHISCAN_TEST_GH_TOKEN", token)
        .timeout(Duration::from_secs(120))
        .args(&args)
        .output()
        .expect("runs");
    server.assert_schema_true();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn notes(j: &Value) -> Vec<String> {
    j["sources"][0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{} | {}",
                n["subject"].as_str().unwrap(),
                n["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn inventory_and_findings_of_an_org() {
    let server = acme_server();
    let r = scan(&server, TOKEN, &["--fail-on", "none"]);
    assert_eq!(r.code, 3, "partial: some endpoints denied\n{}", r.stderr);
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "partial");
    let id = |s: &str| format!("github:{ORG}/{s}");

    let pat = identity(&j, &id("fine_grained_pat/25381"));
    assert_eq!(pat["owner"]["name"], "octocat");
    assert_eq!(pat["attributes"]["owner_is_member"], true);
    // Limited to selected repositories: which ones is read from the grant's repository list.
    assert_eq!(pat["attributes"]["repository_selection"], "subset");
    assert_eq!(pat["attributes"]["repositories"], json!(["Hello-World"]));
    assert_eq!(
        rules_for(&j, &id("fine_grained_pat/25381")),
        ["github.pat-long-lived", "github.pat-unused"]
    );

    // hubot left the org; its classic PAT's SAML authorization remains, and a secret-scanning
    // alert for that very token (matched by its last eight characters) is open and active.
    let hubot = id("classic_pat/161196");
    assert_eq!(
        rules_for(&j, &hubot),
        [
            "github.classic-pat-broad-scopes",
            "github.classic-pat-no-expiry",
            "github.leaked-secret-alert",
            "github.orphaned-credential"
        ],
        "{:#?}",
        notes(&j)
    );
    // Findings carry the facts they judged, and say whose credential it is.
    let finding = |rule: &str| {
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["identity_id"] == hubot && f["rule_id"] == rule)
            .unwrap()
            .clone()
    };
    let orphaned = finding("github.orphaned-credential");
    assert_eq!(orphaned["evidence"]["attributes.owner_is_member"], false);
    assert!(
        orphaned["message"].as_str().unwrap().contains("hubot"),
        "{orphaned}"
    );
    let leak = finding("github.leaked-secret-alert");
    assert_eq!(
        leak["evidence"]["attributes.secret_scanning_alerts"][0]["validity"],
        "active"
    );
    let alerts = &identity(&j, &hubot)["attributes"]["secret_scanning_alerts"];
    assert_eq!(alerts[0]["locations"], 13, "{alerts}");
    assert!(
        !r.stdout.contains(&leaked_token()),
        "secret value in the report"
    );
    assert!(alerts[0]["secret_sha256"].as_str().unwrap().len() == 64);

    // The other alert has no matching credential: an identity of its own.
    let public = id("secret_scanning_alert/Hello-World/1");
    assert_eq!(rules_for(&j, &public), ["github.leaked-secret-alert"]);

    // Deploy keys of both pages of repositories; api's key can push and was added by hubot.
    let key = id("deploy_key/api/2");
    assert_eq!(
        rules_for(&j, &key),
        [
            "github.deploy-key-unused",
            "github.deploy-key-write",
            "github.orphaned-credential"
        ]
    );
    assert_eq!(
        rules_for(&j, &id("deploy_key/Hello-World/1")),
        ["github.deploy-key-unused"]
    );

    // Secrets at org, repo and environment level; api's Actions secrets came after a
    // rate-limit wait.
    for s in [
        "actions_secret/org/GH_TOKEN",
        "dependabot_secret/org/NPM_TOKEN",
        "codespaces_secret/org/GIST_ID",
        "actions_secret/repo/api/GIST_ID",
        "dependabot_secret/repo/Hello-World/GH_TOKEN",
        "actions_secret/env/Hello-World/staging/GH_TOKEN",
    ] {
        assert_eq!(rules_for(&j, &id(s)), ["github.secret-not-rotated"], "{s}");
    }
    assert_eq!(server.hits(&format!("/repos/{ORG}/api/actions/secrets")), 2);
    // An org secret limited to selected repositories says which (one org-level call each).
    for store in ["actions", "dependabot"] {
        let s = identity(&j, &id(&format!("{store}_secret/org/GH_TOKEN")));
        assert_eq!(s["attributes"]["visibility"], "selected");
        assert_eq!(
            s["attributes"]["repositories"],
            json!(["Hello-World"]),
            "{s}"
        );
    }
    assert!(
        identity(&j, &id("actions_secret/org/GIST_ID"))["attributes"]
            .get("repositories")
            .is_none()
    );
    assert_eq!(
        server.hits(&format!("/repos/{ORG}/Hello-World/dependabot/secrets")),
        2
    );

    // A webhook with a secret is a credential; over http its signed deliveries are readable.
    let hook = identity(&j, &id("webhook/1"));
    assert_eq!(hook["attributes"]["url_host"], "example.com");
    assert_eq!(hook["attributes"]["url_scheme"], "http");
    assert_eq!(
        rules_for(&j, &id("webhook/1")),
        ["github.webhook-secret-without-tls"]
    );
    // One without a secret signs nothing: not an identity.
    assert!(
        !j["identities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id("webhook/2"))
    );

    // The App installation writes deployments only: inventoried, not flagged.
    let app = identity(&j, &id("app_installation/25381"));
    assert_eq!(app["attributes"]["app_slug"], "github-actions");
    assert!(rules_for(&j, &id("app_installation/25381")).is_empty());

    // Page 2 was fetched from the Link header, with the token.
    let gone_keys: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|q| q.path() == format!("/repos/{ORG}/gone/keys"))
        .collect();
    assert_eq!(gone_keys.len(), 1);
    assert!(gone_keys[0].authorization.is_some());

    let n = notes(&j);
    let has = |a: &str, b: &str| n.iter().any(|x| x.contains(a) && x.contains(b));
    assert!(
        has(
            "personal-access-token-requests",
            "GitHub App (--app-id, --app-key) with the organization permission \"Personal access \
             token requests\""
        ),
        "{n:#?}"
    );
    assert!(has("codespaces/secrets", "forbidden"), "{n:#?}");
    assert!(has("keys", "gone") && has("keys", "not found"), "{n:#?}");
    // Every request the server saw is counted.
    let calls = format!("{} API calls", server.requests().len());
    assert!(n.iter().any(|x| x.contains(&calls)), "{calls} in {n:#?}");
}

#[test]
fn findings_fail_the_run_by_default() {
    let server = acme_server();
    let r = scan(&server, TOKEN, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn bad_token_is_one_clear_usage_error() {
    let server = acme_server();
    let r = scan(&server, "expired-token", &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("rejected the credentials"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("expired-token"),
        "token echoed: {}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    assert_eq!(server.requests().len(), 1, "stops after the first call");
}

#[test]
fn unknown_org_and_missing_token_are_usage_errors() {
    let server = ApiServer::start(|_, _| Reply::status(404, "Not Found"));
    let r = scan(&server, TOKEN, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("organisation `acme` not found"),
        "{}",
        r.stderr
    );
    let r = scan(&server, "", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("NHISCAN_TEST_GH_TOKEN"), "{}", r.stderr);
}

#[test]
fn a_distant_rate_limit_stops_the_scan_with_notes() {
    let server = ApiServer::start(|_, r| match r.path() {
        "/orgs/acme" => organization(),
        _ => Reply::status(403, "You have exceeded a secondary rate limit")
            .header("retry-after", "3600"),
    });
    let r = scan(&server, TOKEN, &["--fail-on", "none"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let n = notes(&j);
    assert!(n.iter().any(|x| x.contains("3600s")), "{n:#?}");
    assert_eq!(
        server.requests().len(),
        2,
        "after the limit, no more calls: {:?}",
        server.requests()
    );
}

#[test]
fn malformed_json_is_a_note_naming_the_endpoint() {
    let server = ApiServer::start(|_, r| match r.path() {
        "/orgs/acme" => organization(),
        "/orgs/acme/installations" => {
            Reply::json(r#"{"installations": [{"id": "#).malformed_on_purpose()
        }
        "/orgs/acme/repos" => Reply::json("[]"),
        _ => empty_org(r),
    });
    let r = scan(&server, TOKEN, &["--fail-on", "none"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let n = notes(&r.json());
    assert!(
        n.iter()
            .any(|x| x.starts_with("GET /orgs/acme/installations") && x.contains("malformed")),
        "{n:#?}"
    );
}

#[test]
fn a_next_link_to_another_host_is_not_followed() {
    let server = ApiServer::start(|_, r| match r.path() {
        "/orgs/acme" => organization(),
        "/orgs/acme/repos" => Reply::json("[]").header(
            "link",
            "<http://198.51.100.7/orgs/acme/repos?page=2>; rel=\"next\"",
        ),
        _ => empty_org(r),
    });
    let r = scan(&server, TOKEN, &["--fail-on", "none"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let n = notes(&r.json());
    assert!(n.iter().any(|x| x.contains("another host")), "{n:#?}");
}

/// Empty answers for every list, in each list's own shape (a bare array, or GitHub's
/// `{"total_count": 0, "<items>": []}` wrapper), so a scan is complete when authentication works.
fn empty_org(r: &Request) -> Reply {
    let p = r.path();
    let wrapped = |key: &str| {
        let mut list = json!({"total_count": 0});
        list[key] = json!([]);
        Reply::json(list.to_string())
    };
    match p {
        "/orgs/acme" => organization(),
        "/user/memberships/orgs/acme" => active_membership(),
        _ if p.ends_with("/secrets") => wrapped("secrets"),
        _ if p.ends_with("/installations") => wrapped("installations"),
        _ if p.ends_with("/environments") => wrapped("environments"),
        _ if p.ends_with("/repositories") && p.contains("/secrets/") => wrapped("repositories"),
        _ if p.ends_with("/runners") => wrapped("runners"),
        _ => Reply::json("[]"),
    }
}

#[test]
fn a_github_app_authenticates_through_its_installation() {
    use base64::Engine;
    let server = ApiServer::start(|_, r| {
        let bearer = r.authorization.as_deref().unwrap_or("");
        let is_jwt = bearer.starts_with("Bearer ") && bearer.matches('.').count() == 2;
        match (r.method.as_str(), r.path()) {
            ("GET", "/orgs/acme/installation") if is_jwt => {
                Reply::json(example("orgs_org_installation.json").to_string())
            }
            ("POST", "/app/installations/1/access_tokens") if is_jwt => {
                // GitHub's example token, valid for longer than the scan.
                let mut t = example("app_installations_installation_id_access_tokens.json");
                t["expires_at"] = json!("2999-01-01T00:00:00Z");
                Reply {
                    status: 201,
                    ..Reply::json(t.to_string())
                }
            }
            _ if bearer == format!("Bearer {INSTALLATION_TOKEN}") => empty_org(r),
            _ => Reply::status(401, "Bad credentials"),
        }
    });
    let r = scan(
        &server,
        "",
        &[
            "--app-id",
            "7",
            "--app-key",
            "fixtures/github/test-app-key.pem",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    assert_eq!(r.json()["sources"][0]["status"], "complete");
    let reqs = server.requests();
    assert_eq!(reqs[0].path(), "/orgs/acme/installation");
    let jwt = reqs[0].authorization.as_deref().unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["iss"], 7, "{claims}");
    assert_eq!(reqs[1].method, "POST");
    // The installation is looked up once; every API call uses the installation token.
    assert_eq!(server.hits("/orgs/acme/installation"), 1);
    let api: Vec<&Request> = reqs
        .iter()
        .filter(|q| !q.path().starts_with("/app/") && q.path() != "/orgs/acme/installation")
        .collect();
    assert!(api.len() > 10);
    assert!(
        api.iter()
            .all(|q| q.authorization.as_deref() == Some(&*format!("Bearer {INSTALLATION_TOKEN}"))),
        "{api:?}"
    );
    server.assert_schema_true();
}

#[test]
fn a_key_that_is_not_pem_is_a_usage_error() {
    let server = ApiServer::start(|_, r| empty_org(r));
    let r = scan(&server, "", &["--app-id", "7", "--app-key", "README.md"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--app-key"), "{}", r.stderr);
    assert!(server.requests().is_empty());
}

#[test]
fn enterprise_server_api_path_is_kept_for_every_call_and_page() {
    let server = ApiServer::start(|base, r| {
        let Some(rest) = r.target.strip_prefix("/api/v3") else {
            return Reply::status(404, "Not Found");
        };
        let inner = Request {
            target: rest.to_string(),
            ..r.clone()
        };
        match inner.path() {
            "/orgs/acme/repos" if inner.query_has("page=2") => {
                Reply::json(json!([repo("second-page")]).to_string())
            }
            "/orgs/acme/repos" => Reply::json(json!([repo("first-page")]).to_string()).header(
                "link",
                format!("<{base}/api/v3/orgs/acme/repos?per_page=100&page=2>; rel=\"next\""),
            ),
            _ => empty_org(&inner),
        }
    });
    let api_url = format!("{}/api/v3", server.url);
    let out = nhiscan()
        .env("NHISCAN_TEST_GH_TOKEN", TOKEN)
        .timeout(Duration::from_secs(120))
        .args([
            "scan",
            "github",
            "--org",
            ORG,
            "--api-url",
            &api_url,
            "--token-env",
            "NHISCAN_TEST_GH_TOKEN",
            "-f",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.target.starts_with("/api/v3/"))
    );
    assert_eq!(server.hits("/api/v3/repos/acme/second-page/keys"), 1);
    server.assert_schema_true();
}

#[test]
fn an_unreachable_api_is_one_clear_usage_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = nhiscan()
        .env("NHISCAN_TEST_GH_TOKEN", TOKEN)
        .timeout(Duration::from_secs(120))
        .args([
            "scan",
            "github",
            "--org",
            ORG,
            "--api-url",
            &format!("http://127.0.0.1:{port}"),
            "--token-env",
            "NHISCAN_TEST_GH_TOKEN",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read organisation `acme`"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN));
}

fn scan_export(dir: &std::path::Path) -> Run {
    run(&[
        "scan",
        "github",
        "--org",
        "octo-org",
        "--from",
        dir.to_str().unwrap(),
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ])
}

#[test]
fn saved_api_responses_give_the_same_inventory_offline() {
    let r = scan_export(&root().join("fixtures/github/export"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "complete");
    let pat = identity(&j, "github:octo-org/fine_grained_pat/25381");
    assert_eq!(pat["attributes"]["repositories"], json!(["Hello-World"]));
    // hubot left and the token is broad, but its authorization expired in 2019: nothing to act on.
    let hubot = "github:octo-org/classic_pat/161196";
    assert_eq!(identity(&j, hubot)["attributes"]["owner_is_member"], false);
    assert!(
        rules_for(&j, hubot).is_empty(),
        "{:?}",
        rules_for(&j, hubot)
    );
    assert_eq!(
        rules_for(
            &j,
            "github:octo-org/actions_secret/env/Hello-World/staging/GIST_ID"
        ),
        ["github.secret-not-rotated"]
    );
    // The example alert is resolved: inventoried as evidence, not a finding.
    let alert = identity(&j, "github:octo-org/secret_scanning_alert/Hello-World/2");
    assert_eq!(alert["attributes"]["state"], "resolved");
    assert!(rules_for(&j, "github:octo-org/secret_scanning_alert/Hello-World/2").is_empty());
    assert!(
        !r.stdout.contains("aio_XXXX"),
        "alert secret value in the report"
    );
}

#[test]
fn a_malformed_saved_response_is_a_note_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("fixtures/github/export");
    for f in ["members.json", "credential-authorizations.json"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join("dependabot-secrets.json"),
        r#"{"secrets": [{"#,
    )
    .unwrap();
    let r = scan_export(dir.path());
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let n = notes(&j);
    assert!(
        n.iter()
            .any(|x| x.starts_with("dependabot-secrets.json | malformed")),
        "{n:#?}"
    );
    let hubot = identity(&j, "github:octo-org/classic_pat/161196");
    assert_eq!(hubot["attributes"]["owner_is_member"], false);
}

#[test]
fn a_token_of_a_non_member_does_not_judge_membership() {
    // The same org, but the token's user is not a member: GitHub would list public members
    // only, so no credential is called orphaned and a note says why.
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let server = ApiServer::start(move |base, r| {
        if r.path() == format!("/user/memberships/orgs/{ORG}") {
            return Reply::status(404, "Not Found");
        }
        acme(base, r, &seen)
    });
    let r = scan(&server, TOKEN, &["--fail-on", "none"]);
    let j = r.json();
    let hubot = format!("github:{ORG}/classic_pat/161196");
    assert!(
        identity(&j, &hubot)["attributes"]
            .get("owner_is_member")
            .is_none()
    );
    assert!(!rules_for(&j, &hubot).contains(&"github.orphaned-credential".to_string()));
    let n = notes(&j);
    assert!(
        n.iter().any(|x| x.contains("not an active member of acme")),
        "{n:#?}"
    );
}

/// What a user sees of GitHub's example org, as JSON: the report contract for this source.
#[test]
fn github_export_report_snapshot() {
    let r = scan_export(&root().join("fixtures/github/export"));
    let mut j = r.json();
    j["started_at"] = "[time]".into();
    j["finished_at"] = "[time]".into();
    j["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("github_export_report", j);
}

/// The schema check can fail: a PAT grant limited to `selected` repositories (the word the
/// suite used to rewrite GitHub's example to, and an App installation's, never a grant's), an
/// error without GitHub's `message`, and a path GitHub does not have are each named.
#[test]
fn the_schema_check_names_what_github_would_never_send() {
    let mut grants = example("orgs_org_personal-access-tokens.json");
    grants[0]["repository_selection"] = json!("selected");
    let sent = |target: &str, status: u16, body: String| Sent {
        method: "GET".into(),
        target: target.into(),
        status,
        body,
        malformed_on_purpose: false,
    };
    let problems = schema_divergences(&[
        sent(
            "/orgs/acme/personal-access-tokens?per_page=100",
            200,
            grants.to_string(),
        ),
        sent("/orgs/acme/members", 500, "{}".into()),
        sent("/orgs/acme/not-an-endpoint", 200, "[]".into()),
    ]);
    let lines: Vec<&str> = problems.lines().collect();
    assert_eq!(lines.len(), 3, "{problems}");
    assert!(
        lines[0].contains("orgs/list-pat-grants") && lines[0].contains("'selected' is not one of"),
        "{problems}"
    );
    assert!(
        lines[1].contains("'message' is a required property"),
        "{problems}"
    );
    assert!(lines[2].contains("no such operation"), "{problems}");
    // GitHub's own example is schema-true as published.
    let ok = example("orgs_org_personal-access-tokens.json").to_string();
    assert_eq!(
        schema_divergences(&[sent("/orgs/acme/personal-access-tokens", 200, ok)]),
        ""
    );
}

/// README's GitHub permission table names, for every endpoint GitHub's published permission
/// metadata covers (fixtures/github/openapi/permissions.json), that endpoint's permission as
/// GitHub spells it: a wrong name (e.g. "Personal access tokens" for PAT requests) fails.
#[test]
fn readme_permission_table_matches_githubs_permission_metadata() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let data: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/github/openapi/permissions.json")).unwrap(),
    )
    .unwrap();
    let header =
        "| data | endpoints | classic token scope | fine-grained token or App permission |";
    let table = &readme[readme.find(header).expect("the GitHub permission table")..];
    let rows: Vec<&str> = table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(rows.len() >= 8, "{rows:#?}");
    let mut checked = 0;
    for row in rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (endpoints, permission) = (cells[2], cells[4]);
        // Every quoted name in the permission cell.
        let named: Vec<&str> = permission.split('"').skip(1).step_by(2).collect();
        for op in endpoints.split('`').skip(1).step_by(2) {
            let Some(meta) = data["operations"].get(op) else {
                continue;
            };
            let title = meta["title"].as_str().unwrap();
            let group = meta["group"].as_str().unwrap().to_lowercase();
            assert!(
                named.contains(&title),
                "README names {named:?} for {op}; GitHub's permission is \"{title}\""
            );
            assert!(
                permission.contains(&format!("{group} \"")),
                "README's row for {op} should say it is an {group} permission: {permission}"
            );
            checked += 1;
        }
    }
    // Every endpoint the metadata file covers that README lists was checked.
    assert!(checked >= 10, "{checked} endpoints checked");
}

/// An org of three repositories (`alpha`, `beta`, `gamma`), each with GitHub's example deploy
/// key, everything else empty.
fn three_repos(base: &str, r: &Request) -> Reply {
    let _ = base;
    match r.path() {
        "/orgs/acme/repos" => {
            Reply::json(json!([repo("alpha"), repo("beta"), repo("gamma")]).to_string())
        }
        "/orgs/acme/members" => Reply::json(example("orgs_org_members.json").to_string()),
        p if p.ends_with("/keys") => Reply::json(example("repos_owner_repo_keys.json").to_string()),
        _ => empty_org(r),
    }
}

/// Issue 13 / 18.14: a 502 on one list and a dropped connection on another are retried, and
/// the data is complete.
#[test]
fn a_502_and_a_connection_reset_are_retried_and_the_data_is_complete() {
    let seen = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let server = ApiServer::start(move |base, r| {
        let nth = {
            let mut s = seen.lock().unwrap();
            let n = s.entry(r.path().to_string()).or_insert(0);
            *n += 1;
            *n
        };
        match r.path() {
            "/orgs/acme/members" if nth == 1 => Reply::status(502, "Server Error"),
            "/repos/acme/beta/keys" if nth == 1 => Reply::reset(),
            _ => three_repos(base, r),
        }
    });
    let r = scan(&server, TOKEN, &["--fail-on", "none"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "complete", "{:#?}", notes(&j));
    assert_eq!(server.hits("/orgs/acme/members"), 2);
    assert_eq!(server.hits("/repos/acme/beta/keys"), 2);
    for repo in ["alpha", "beta", "gamma"] {
        identity(&j, &format!("github:acme/deploy_key/{repo}/1"));
    }
    // Members were read after the retry: the deploy keys' adder is judged a member or not.
    let key = identity(&j, "github:acme/deploy_key/beta/1");
    assert!(key["attributes"].get("owner_is_member").is_some(), "{key}");
}

/// A 5xx that does not go away is retried a bounded number of times, then a note.
#[test]
fn a_lasting_5xx_is_retried_three_times_then_noted() {
    let server = ApiServer::start(|base, r| match r.path() {
        "/orgs/acme/installations" => Reply::status(503, "Service Unavailable"),
        _ => three_repos(base, r),
    });
    let r = scan(&server, TOKEN, &["--fail-on", "none"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(
        server.hits("/orgs/acme/installations"),
        4,
        "1 call + 3 retries"
    );
    let n = notes(&r.json());
    assert!(
        n.iter()
            .any(|x| x.starts_with("GET /orgs/acme/installations") && x.contains("HTTP 503")),
        "{n:#?}"
    );
}

/// A rate limit that lifts within --max-rate-limit-wait but keeps coming back: the note says
/// so (not "longer than allowed"); the repositories the stop left unread are named, all of them.
#[test]
fn a_limit_within_the_wait_that_keeps_coming_back_is_told_as_such() {
    let server = ApiServer::start(|base, r| match r.path() {
        "/repos/acme/beta/keys" => Reply::status(429, "You have exceeded a secondary rate limit.")
            .header("retry-after", "1"),
        _ => three_repos(base, r),
    });
    let r = scan(
        &server,
        TOKEN,
        &[
            "--fail-on",
            "none",
            "--concurrency",
            "1",
            "--max-rate-limit-wait",
            "5",
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let n = notes(&j);
    assert_eq!(server.hits("/repos/acme/beta/keys"), 4, "1 call + 3 waits");
    assert!(
        n.iter().any(|x| x.contains("still limited after 3 waits")
            && x.contains("/repos/acme/beta/keys")
            && !x.contains("longer than")),
        "{n:#?}"
    );
    // alpha was read; beta and gamma (never started: the client stopped) are named.
    identity(&j, "github:acme/deploy_key/alpha/1");
    assert!(
        n.iter().any(
            |x| x.contains("rate limit: 2 of 3 repositories not (completely) read")
                && x.ends_with(": beta, gamma")
        ),
        "{n:#?}"
    );
    assert_eq!(server.hits("/repos/acme/gamma/keys"), 0);
}

/// A generated organisation of `n` repositories (`repo-0000`…) on a loopback server that
/// enforces GitHub's primary rate limit: `budget` charged calls, then 403 with
/// `x-ratelimit-remaining: 0` and a reset 30 minutes away. Every 200 carries an ETag; a request
/// whose `If-None-Match` matches gets a `304`, which is not charged (as on GitHub).
struct BigOrg {
    server: ApiServer,
    budget: Arc<std::sync::atomic::AtomicI64>,
    charged: Arc<std::sync::atomic::AtomicU64>,
}

impl BigOrg {
    fn start(n: usize) -> BigOrg {
        use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
        let budget = Arc::new(AtomicI64::new(0));
        let charged = Arc::new(AtomicU64::new(0));
        let reset = (now() + 1800).to_string();
        let (b, c) = (budget.clone(), charged.clone());
        let names: Vec<String> = (0..n).map(|i| format!("repo-{i:04}")).collect();
        let server = ApiServer::start(move |base, r| {
            let reply = big_org(base, r, &names);
            if reply.status != 200 {
                return reply;
            }
            let etag = format!("\"{}\"", sha256_hex(&reply.body));
            if r.if_none_match.as_deref() == Some(etag.as_str()) {
                return Reply::not_modified();
            }
            if b.fetch_sub(1, Ordering::SeqCst) <= 0 {
                return Reply::status(403, "API rate limit exceeded for user ID 1.")
                    .header("x-ratelimit-remaining", "0")
                    .header("x-ratelimit-reset", reset.clone());
            }
            c.fetch_add(1, Ordering::SeqCst);
            reply.header("etag", etag)
        });
        BigOrg {
            server,
            budget,
            charged,
        }
    }

    /// A new hour: `calls` to spend; returns what the last run was charged.
    fn new_hour(&self, calls: i64) -> u64 {
        use std::sync::atomic::Ordering;
        self.budget.store(calls, Ordering::SeqCst);
        self.charged.swap(0, Ordering::SeqCst)
    }
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// The generated org's answers: GitHub's examples, one deploy key and one Actions secret per
/// repository, other lists empty in their own shapes; 100 repositories a page.
fn big_org(base: &str, r: &Request, names: &[String]) -> Reply {
    let p = r.path();
    if p == "/orgs/acme/repos" {
        let page: usize = r
            .target
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("page="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let chunk: Vec<Value> = names
            .iter()
            .skip((page - 1) * 100)
            .take(100)
            .map(|n| repo(n))
            .collect();
        let reply = Reply::json(Value::Array(chunk).to_string());
        return if page * 100 < names.len() {
            reply.header(
                "link",
                format!(
                    "<{base}/orgs/acme/repos?per_page=100&type=all&page={}>; rel=\"next\"",
                    page + 1
                ),
            )
        } else {
            reply
        };
    }
    if let Some(rest) = p.strip_prefix("/repos/acme/repo-") {
        let (num, what) = rest.split_once('/').unwrap_or((rest, ""));
        let i: u64 = num.parse().unwrap_or(0);
        match what {
            "keys" => {
                let mut k = example("repos_owner_repo_keys.json")[0].clone();
                k["id"] = json!(i + 1);
                return Reply::json(json!([k]).to_string());
            }
            "actions/secrets" => {
                return Reply::json(example("repos_owner_repo_actions_secrets.json").to_string());
            }
            _ => {}
        }
    }
    match p {
        "/orgs/acme/members" => Reply::json(example("orgs_org_members.json").to_string()),
        _ => empty_org(r),
    }
}

fn scan_to(server: &ApiServer, out: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "scan",
        "github",
        "--org",
        ORG,
        "--api-url",
        &server.url,
        "--token-env",
        "NHISCAN_TEST_GH_TOKEN",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = nhiscan()
        .env("NHISCAN_TEST_GH_TOKEN", TOKEN)
        .timeout(Duration::from_secs(600))
        .args(&args)
        .output()
        .expect("runs");
    let code = o.status.code();
    assert!(
        matches!(code, Some(0 | 3)),
        "{code:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// The repositories a stopped run named as not (completely) read.
fn unread(j: &Value) -> Vec<String> {
    notes(j)
        .iter()
        .find_map(|n| {
            n.contains("rate limit:").then(|| {
                n.rsplit(": ")
                    .next()
                    .unwrap()
                    .split(", ")
                    .map(String::from)
                    .collect()
            })
        })
        .unwrap_or_default()
}

fn sorted_identities(j: &Value) -> Vec<Value> {
    let mut ids = j["identities"].as_array().unwrap().clone();
    ids.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    ids
}

/// Issue 13: 2,000 repositories, 5,000 calls an hour, the reset 30 minutes away (past the
/// 15-minute default wait). Cold, the run stops with a note naming exactly the unread
/// repositories; later runs of just those (`--repos`, one hour each) complete them, and their
/// merge equals one complete scan; with the ETag cache warm a whole scan fits in one hour.
#[test]
fn a_large_org_within_the_rate_limit_cache_stop_and_merge() {
    let org = BigOrg::start(2000);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cache_arg = cache.to_str().unwrap();

    // Cold: stops, naming what it did not read.
    org.new_hour(5000);
    let first = dir.path().join("run-0.json");
    let j = scan_to(&org.server, &first, &["--cache", cache_arg]);
    assert_eq!(j["sources"][0]["status"], "partial");
    let mut missing = unread(&j);
    assert!(
        missing.len() > 900 && missing.len() < 1100,
        "{} unread: {:#?}",
        missing.len(),
        notes(&j)
    );
    // Exactly those: every other repository's five lists were answered and its key and two
    // secrets are in the report; each named one has a list that was not answered.
    let ids: std::collections::HashSet<&str> = j["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    let mut answered: HashMap<String, usize> = HashMap::new();
    for s in org.server.replies() {
        if let Some(rest) = s.target.strip_prefix("/repos/acme/")
            && matches!(s.status, 200 | 304)
        {
            *answered
                .entry(rest.split('/').next().unwrap().to_string())
                .or_default() += 1;
        }
    }
    for i in 0..2000 {
        let name = format!("repo-{i:04}");
        let read = answered.get(&name).copied().unwrap_or(0) == 5;
        assert_eq!(read, !missing.contains(&name), "{name}");
        if read {
            assert!(ids.contains(format!("github:acme/deploy_key/{name}/{}", i + 1).as_str()));
            for secret in ["GH_TOKEN", "GIST_ID"] {
                let id = format!("github:acme/actions_secret/repo/{name}/{secret}");
                assert!(ids.contains(id.as_str()), "{id}");
            }
        }
    }
    assert!(org.new_hour(0) <= 5000);

    // Later hours: only the named repositories, until none is left (bounded).
    let mut reports = vec![first];
    for hour in 1..=4 {
        if missing.is_empty() {
            break;
        }
        org.new_hour(5000);
        let out = dir.path().join(format!("run-{hour}.json"));
        let list = missing.join(",");
        let j = scan_to(&org.server, &out, &["--cache", cache_arg, "--repos", &list]);
        let left = unread(&j);
        assert!(left.len() < missing.len(), "no progress in hour {hour}");
        assert!(left.iter().all(|r| missing.contains(r)));
        missing = left;
        reports.push(out);
    }
    assert!(
        missing.is_empty(),
        "still unread after 4 more hours: {missing:?}"
    );
    let mut args = vec!["merge".to_string()];
    args.extend(reports.iter().map(|p| p.display().to_string()));
    args.extend(["-f", "json", "-q", "--fail-on", "none"].map(String::from));
    let merged = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let merged = merged.json();

    // Warm: the whole org again within one hour, complete, equal to the merge.
    org.new_hour(5000);
    let warm = scan_to(
        &org.server,
        &dir.path().join("warm.json"),
        &["--cache", cache_arg],
    );
    let charged = org.new_hour(0);
    assert_eq!(
        warm["sources"][0]["status"],
        "complete",
        "{:#?}",
        notes(&warm)
    );
    assert!(charged < 50, "a warm re-scan was charged {charged} calls");
    let calls_note = notes(&warm)
        .into_iter()
        .find(|n| n.contains("API calls"))
        .unwrap();
    assert!(calls_note.contains("answered 304"), "{calls_note}");
    assert_eq!(warm["identities"].as_array().unwrap().len(), 2000 * 3);
    assert_eq!(sorted_identities(&merged), sorted_identities(&warm));
}

//! Joins on small hand-built inventories: each side gets its facts, and nothing joins by accident.

use super::join;
use crate::inventory::{Credential, FoundSecret, Identity, Location, secret_sha256};
use chrono::{TimeZone, Utc};
use serde_json::json;

fn identity(id: &str, kind: &str, source: &str, name: &str) -> Identity {
    Identity::new(id, kind, source, name)
}

fn found(detector: &str, secret: &str, attrs: &[(&str, &str)]) -> Identity {
    let mut i = identity(
        &format!("repo:{}", &secret_sha256(secret.as_bytes())[..16]),
        "aws.access_key",
        "repo",
        detector,
    );
    i.credentials.push(Credential {
        id: "sha256:x".into(),
        kind: "access_key".into(),
        created_at: None,
        last_used_at: None,
        expires_at: None,
        last_rotated_at: None,
        status: "unknown".into(),
        found: Some(FoundSecret {
            detector: detector.into(),
            detector_name: detector.into(),
            service: "aws".into(),
            category: "cloud".into(),
            confidence: "high".into(),
            secret_sha256: secret_sha256(secret.as_bytes()),
            secret_hmac: None,
            redacted: "AKIA…".into(),
            secret: None,
            checksum_valid: false,
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            locations: vec![Location {
                path: "deploy/env.sh".into(),
                line: 3,
                column: 1,
                snippet: None,
                commit: Some("0123456789abcdef0123".into()),
                author: None,
                date: Some(Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap()),
                introductions: None,
            }],
            present_at_head: Some(false),
            first_seen_at: Some(Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap()),
            validation: None,
        }),
    });
    i
}

fn iam_user(key_id: &str, last_used: (i32, u32, u32)) -> Identity {
    let mut u = identity("arn:aws:iam::123456789012:user/ci", "aws.user", "aws", "ci");
    u.permissions.flags = vec!["admin".into()];
    u.credentials.push(Credential {
        id: key_id.into(),
        kind: "access_key".into(),
        created_at: None,
        last_used_at: Some(
            Utc.with_ymd_and_hms(last_used.0, last_used.1, last_used.2, 0, 0, 0)
                .unwrap(),
        ),
        expires_at: None,
        last_rotated_at: None,
        status: "active".into(),
        found: None,
    });
    u
}

#[test]
fn found_aws_key_joins_the_iam_key_with_the_same_id() {
    let key = "AKIAZ7VRSQ5T4BNXK2PM";
    let mut inv = vec![
        found(
            "aws.access-key-id",
            key,
            &[("aws_account_id", "123456789012")],
        ),
        iam_user(key, (2026, 3, 1)),
    ];
    join(&mut inv);
    let f = &inv[0].attributes;
    assert_eq!(f["iam_identity"], "arn:aws:iam::123456789012:user/ci");
    assert_eq!(f["iam_key_status"], "active");
    assert_eq!(f["iam_flags"], json!(["admin"]));
    assert_eq!(f["iam_key_used_after_leak"], true);
    let u = &inv[1].attributes;
    assert_eq!(u["leaked_in"], json!([inv[0].id]));
    assert_eq!(u["leaked_at"], json!(["deploy/env.sh:3@0123456789ab"]));
    // The clear key id appears nowhere in what was added.
    let added = serde_json::to_string(&inv[0].attributes).unwrap();
    assert!(!added.contains(key));
}

#[test]
fn a_key_used_only_before_the_leak_and_an_unscanned_account() {
    let mut inv = vec![
        found("aws.access-key-id", "AKIAZ7VRSQ5T4BNXK2PM", &[]),
        iam_user("AKIAZ7VRSQ5T4BNXK2PM", (2025, 12, 1)),
        found(
            "aws.access-key-id",
            "AKIAQ3ERTYUIOPASDFGH",
            &[("aws_account_id", "999999999999")],
        ),
    ];
    join(&mut inv);
    assert_eq!(inv[0].attributes["iam_key_used_after_leak"], false);
    assert_eq!(inv[2].attributes["aws_account_foreign"], true);
    assert!(!inv[2].attributes.contains_key("iam_identity"));
}

#[test]
fn without_an_aws_source_no_key_is_called_foreign() {
    let mut inv = vec![found(
        "aws.access-key-id",
        "AKIAQ3ERTYUIOPASDFGH",
        &[("aws_account_id", "999999999999")],
    )];
    join(&mut inv);
    assert!(inv[0].attributes.is_empty());
}

#[test]
fn service_account_token_and_irsa_role_joins() {
    let mut token = found(
        "kubernetes.service-account-token",
        "eyJhbGciOiJSUzI1NiJ9.e30.sig",
        &[("k8s_namespace", "ci"), ("k8s_service_account", "deployer")],
    );
    token.kind = "k8s.service_account".into();
    let mut sa = identity(
        "k8s:prod/ci/deployer",
        "k8s.service_account",
        "kubernetes",
        "ci/deployer",
    );
    sa.permissions.flags = vec!["cluster_admin".into()];
    sa.attributes.insert(
        "cloud_identity".into(),
        json!("arn:aws:iam::123456789012:role/deployer"),
    );
    let mut role = identity(
        "arn:aws:iam::123456789012:role/deployer",
        "aws.role",
        "aws",
        "deployer",
    );
    role.permissions.flags = vec!["privilege_escalation".into()];
    let mut inv = vec![token, sa, role];
    join(&mut inv);
    assert_eq!(
        inv[0].attributes["k8s_identities"],
        json!(["k8s:prod/ci/deployer"])
    );
    assert_eq!(inv[0].attributes["k8s_flags"], json!(["cluster_admin"]));
    assert_eq!(inv[1].attributes["leaked_in"], json!([inv[0].id]));
    assert_eq!(
        inv[1].attributes["cloud_identity_flags"],
        json!(["privilege_escalation"])
    );
    assert_eq!(
        inv[2].attributes["assumed_by_service_accounts"],
        json!(["k8s:prod/ci/deployer"])
    );
}

fn alert(number: u64, repo: &str, secret: &str, validity: &str, public: bool) -> serde_json::Value {
    json!({
        "number": number, "repository": repo, "state": "open", "validity": validity,
        "publicly_leaked": public, "secret_type": "github_personal_access_token",
        "html_url": format!("https://github.com/acme/{repo}/security/secret-scanning/{number}"),
        "secret_sha256": secret_sha256(secret.as_bytes()),
    })
}

fn alert_identity(number: u64, repo: &str, secret: &str) -> Identity {
    let a = alert(number, repo, secret, "active", true);
    let mut i = identity(
        &format!("github:acme/secret_scanning_alert/{repo}/{number}"),
        "github.secret_scanning_alert",
        "github",
        "leak",
    );
    for k in ["secret_sha256", "html_url", "repository", "validity"] {
        i.attributes.insert(k.into(), a[k].clone());
    }
    i.attributes
        .insert("secret_scanning_alerts".into(), json!([a]));
    i
}

#[test]
fn found_token_joins_its_alert_and_the_token_identity_the_alert_is_attached_to() {
    let leaked = "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";
    let known = "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";
    let mut pat = identity(
        "github:acme/classic_pat/7",
        "github.classic_pat",
        "github",
        "ci token",
    );
    pat.attributes.insert(
        "secret_scanning_alerts".into(),
        json!([alert(3, "site", known, "inactive", false)]),
    );
    let mut inv = vec![
        found("github.classic-pat", leaked, &[]),
        found("github.classic-pat", known, &[]),
        alert_identity(2, "api", leaked),
        pat,
        found(
            "github.classic-pat",
            "ghp_unrelatedunrelatedunrelatedunrelat",
            &[],
        ),
    ];
    join(&mut inv);
    let a = &inv[0].attributes["github_alerts"][0];
    assert_eq!(a["identity"], "github:acme/secret_scanning_alert/api/2");
    assert_eq!(a["publicly_leaked"], true);
    assert_eq!(a["validity"], "active");
    assert_eq!(a["number"], 2);
    assert!(a.get("secret_sha256").is_none(), "the hash is not copied");
    assert_eq!(
        inv[0].attributes["github_alert_urls"],
        json!(["https://github.com/acme/api/security/secret-scanning/2"])
    );
    assert!(!inv[0].attributes.contains_key("github_identities"));
    assert_eq!(inv[2].attributes["found_in"], json!([inv[0].id]));
    assert_eq!(
        inv[2].attributes["found_at"],
        json!(["deploy/env.sh:3@0123456789ab"])
    );
    // The second token's alert sits on the PAT identity: the found token is that PAT.
    assert_eq!(
        inv[1].attributes["github_identities"],
        json!(["github:acme/classic_pat/7"])
    );
    assert_eq!(
        inv[1].attributes["github_alerts"][0]["validity"],
        "inactive"
    );
    assert_eq!(inv[3].attributes["found_in"], json!([inv[1].id]));
    assert!(inv[4].attributes.is_empty());
}

#[test]
fn an_alert_on_an_aws_key_id_joins_the_iam_key() {
    let key = "AKIAZ7VRSQ5T4BNXK2PM";
    let mut inv = vec![alert_identity(5, "infra", key), iam_user(key, (2026, 3, 1))];
    join(&mut inv);
    assert_eq!(
        inv[0].attributes["iam_identity"],
        "arn:aws:iam::123456789012:user/ci"
    );
    assert_eq!(inv[0].attributes["iam_key_status"], "active");
    assert_eq!(inv[0].attributes["iam_flags"], json!(["admin"]));
    assert_eq!(inv[1].attributes["leaked_in"], json!([inv[0].id]));
    assert_eq!(
        inv[1].attributes["leaked_at"],
        json!(["https://github.com/acme/infra/security/secret-scanning/5"])
    );
}

fn oidc_role(name: &str, subjects: &[&str]) -> Identity {
    let mut r = identity(
        &format!("arn:aws:iam::123456789012:role/{name}"),
        "aws.role",
        "aws",
        name,
    );
    r.attributes.insert("github_oidc".into(), json!(true));
    r.attributes
        .insert("github_oidc_subjects".into(), json!(subjects));
    r
}

fn in_repo(id: &str, kind: &str, repo: &str) -> Identity {
    let mut i = identity(id, kind, "github", id);
    i.attributes.insert("repository".into(), json!(repo));
    i
}

#[test]
fn github_oidc_roles_join_the_repositories_whose_workflows_can_assume_them() {
    let mut pat = identity(
        "github:Acme/fine_grained_pat/1",
        "github.fine_grained_pat",
        "github",
        "pat",
    );
    pat.attributes
        .insert("repositories".into(), json!(["docs"]));
    let mut inv = vec![
        oidc_role("any", &[]),
        oidc_role("pinned", &["repo:acme/site:ref:refs/heads/main"]),
        oidc_role("elsewhere", &["repo:other-org/*"]),
        in_repo("github:Acme/deploy_key/Site/1", "github.deploy_key", "Site"),
        in_repo(
            "github:Acme/actions_secret/repo/api/TOKEN",
            "github.actions_secret",
            "api",
        ),
        in_repo(
            "github:Acme/secret_scanning_alert/api/4",
            "github.secret_scanning_alert",
            "api",
        ),
        pat,
        identity(
            "arn:aws:iam::123456789012:role/plain",
            "aws.role",
            "aws",
            "plain",
        ),
    ];
    join(&mut inv);
    assert_eq!(
        inv[0].attributes["assumable_from_repositories"],
        json!(["Acme/api", "Acme/docs", "Acme/Site"])
    );
    assert_eq!(
        inv[1].attributes["assumable_from_repositories"],
        json!(["Acme/Site"])
    );
    assert!(
        !inv[2]
            .attributes
            .contains_key("assumable_from_repositories")
    );
    assert_eq!(
        inv[3].attributes["can_assume_aws_roles"],
        json!([
            "arn:aws:iam::123456789012:role/any",
            "arn:aws:iam::123456789012:role/pinned"
        ])
    );
    assert_eq!(
        inv[4].attributes["can_assume_aws_roles"],
        json!(["arn:aws:iam::123456789012:role/any"])
    );
    assert!(!inv[5].attributes.contains_key("can_assume_aws_roles"));
    assert!(
        !inv[7]
            .attributes
            .contains_key("assumable_from_repositories")
    );
}

#[test]
fn without_a_github_source_no_role_is_joined() {
    let mut inv = vec![oidc_role("any", &[])];
    join(&mut inv);
    assert!(
        !inv[0]
            .attributes
            .contains_key("assumable_from_repositories")
    );
}

#[test]
fn odd_attribute_shapes_join_nothing_and_do_not_panic() {
    let mut role = oidc_role("odd", &[]);
    role.attributes
        .insert("github_oidc_subjects".into(), json!("repo:acme/*"));
    role.attributes
        .insert("github_oidc_unpinned".into(), json!(false));
    let mut odd = in_repo("github:acme/deploy_key/site/1", "github.deploy_key", "site");
    odd.attributes
        .insert("secret_scanning_alerts".into(), json!("not a list"));
    odd.attributes
        .insert("repositories".into(), json!({"x": 1}));
    let mut inv = vec![
        role,
        odd,
        found(
            "github.classic-pat",
            "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",
            &[],
        ),
    ];
    join(&mut inv);
    assert!(
        !inv[0]
            .attributes
            .contains_key("assumable_from_repositories")
    );
    assert!(inv[2].attributes.is_empty());
}

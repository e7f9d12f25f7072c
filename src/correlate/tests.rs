//! Joins on small hand-built inventories: each side gets its facts, and nothing joins by accident.

use super::join;
use crate::inventory::{Credential, FoundSecret, Identity, Location, Permissions, secret_sha256};
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::collections::BTreeMap;

fn identity(id: &str, kind: &str, source: &str, name: &str) -> Identity {
    Identity {
        id: id.into(),
        kind: kind.into(),
        source: source.into(),
        name: name.into(),
        created_at: None,
        last_used_at: None,
        labels: BTreeMap::new(),
        owner: None,
        permissions: Permissions::default(),
        credentials: vec![],
        attributes: BTreeMap::new(),
    }
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
            }],
            present_at_head: Some(false),
            first_seen_at: Some(Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap()),
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

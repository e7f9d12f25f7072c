//! Several sources in one run (`scan --config` with `[[sources]]`) and the joins across them.

use crate::common::*;
use serde_json::Value;

fn ids_with_rule<'a>(j: &'a Value, rule: &str) -> Vec<&'a str> {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| f["identity_id"].as_str().unwrap())
        .collect()
}

#[test]
fn a_token_found_in_the_repo_is_joined_to_its_service_account() {
    let r = run(&[
        "scan",
        "--config",
        "fixtures/joined/nhiscan.toml",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let sources: Vec<&str> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["repo", "kubernetes"]);
    let ids = j["identities"].as_array().unwrap();
    let sa = ids
        .iter()
        .find(|i| i["id"] == "k8s:payments-prod/payments/ci-bot")
        .unwrap();
    let token = ids.iter().find(|i| i["source"] == "repo").unwrap();
    // Both sides carry the link; the token inherits what the account may do.
    assert_eq!(
        sa["attributes"]["leaked_in"],
        serde_json::json!([token["id"]])
    );
    assert_eq!(
        sa["attributes"]["leaked_at"],
        serde_json::json!(["deploy.env:3"])
    );
    assert_eq!(
        token["attributes"]["k8s_identities"],
        serde_json::json!(["k8s:payments-prod/payments/ci-bot"])
    );
    assert!(
        token["attributes"]["k8s_flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "cluster_admin")
    );
    assert_eq!(
        ids_with_rule(&j, "joined.leaked-privileged-service-account-token"),
        [token["id"].as_str().unwrap()]
    );
    // The token has no CODEOWNERS owner: it takes its service account's (a `team` label).
    assert_eq!(token["owner"]["name"], "payments-platform");
    assert_eq!(token["owner"]["source"], "joined");
    assert_eq!(token["attributes"]["owner_confidence"], "medium");
    // The same fixtures scanned one at a time have nothing to join.
    let alone = run(&[
        "scan",
        "repo",
        "fixtures/joined/repo",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ])
    .json();
    assert!(ids_with_rule(&alone, "joined.leaked-privileged-service-account-token").is_empty());
}

#[test]
fn a_failing_source_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let root = root();
    std::fs::write(
        dir.path().join("nhiscan.toml"),
        format!(
            "[[sources]]\nkind = \"repo\"\npath = \"{}\"\n\n[[sources]]\nkind = \"kubernetes\"\nfrom = \"missing-manifests\"\n\n[[sources]]\nkind = \"repo\"\npath = \"not-a-repo\"\nhistory = true\n",
            root.join("fixtures/demo").display()
        ),
    )
    .unwrap();
    let r = run_in(
        dir.path(),
        &["scan", "-f", "json", "-q", "--fail-on", "none"],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let status: Vec<(&str, &str)> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["source"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        [
            ("repo", "complete"),
            ("kubernetes", "failed"),
            ("repo", "failed")
        ]
    );
    assert_eq!(
        j["summary"]["findings"], 10,
        "the demo's findings are all there"
    );
    assert!(r.stderr.contains("missing-manifests"), "{}", r.stderr);
}

#[test]
fn scan_without_a_source_needs_a_config_with_sources() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["scan", "-q"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("name a source"), "{}", r.stderr);
    std::fs::write(
        dir.path().join("nhiscan.toml"),
        "[thresholds]\nstale_days = 30\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["scan", "-q"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no [[sources]]"), "{}", r.stderr);
    std::fs::write(
        dir.path().join("nhiscan.toml"),
        "[[sources]]\nkind = \"repo\"\npath = \".\"\nhistroy = true\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["scan", "-q"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("histroy"), "{}", r.stderr);
}

#[test]
fn owner_map_names_owners_nothing_else_did_and_unowned_says_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("nhiscan.toml");
    std::fs::write(
        &cfg,
        "[[owners.map]]\npattern = \"k8s:*/argocd/*\"\nowner = \"platform-gitops\"\n",
    )
    .unwrap();
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        "fixtures/kubernetes-known",
        "--config",
        cfg.to_str().unwrap(),
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ]);
    let j = r.json();
    let ids = j["identities"].as_array().unwrap();
    let argo = ids
        .iter()
        .find(|i| i["id"] == "k8s:offline/argocd/argocd-server")
        .unwrap();
    assert_eq!(argo["owner"]["name"], "platform-gitops");
    assert_eq!(argo["owner"]["source"], "mapping");
    assert_eq!(argo["owner"]["detail"], "k8s:*/argocd/*");
    assert!(!ids_with_rule(&j, "k8s.no-owner").contains(&"k8s:offline/argocd/argocd-server"));
    let nginx = ids
        .iter()
        .find(|i| i["id"] == "k8s:offline/ingress-nginx/ingress-nginx")
        .unwrap();
    assert!(nginx["owner"].is_null());
    assert_eq!(
        nginx["attributes"]["owner_tried"],
        serde_json::json!([
            "labels and annotations",
            "joined identities",
            "[[owners.map]]"
        ])
    );
    assert!(ids_with_rule(&j, "k8s.no-owner").contains(&"k8s:offline/ingress-nginx/ingress-nginx"));

    std::fs::write(&cfg, "[[owners.map]]\npattern = \"k8s:[\"\nowner = \"x\"\n").unwrap();
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        "fixtures/kubernetes-known",
        "--config",
        cfg.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("[[owners.map]] pattern"), "{}", r.stderr);
}

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

/// A key in a scanned folder that is the live, admin key of an IAM user on a (moto) account:
/// the join names the user on the found key and the leak on the user, and the critical joined
/// rule fires; a key of another account is called foreign.
#[test]
fn a_key_found_in_code_is_joined_to_its_iam_user_on_a_live_account() {
    let moto = crate::common::moto::Moto::start();
    let created = moto.populate(&root().join("fixtures/joined/populate_leak.py"));
    let key = created["key_id"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    // The second key decodes to account 999999999999, which is not scanned.
    std::fs::write(
        dir.path().join("app/deploy.sh"),
        format!("export AWS_ACCESS_KEY_ID={key}\nexport VENDOR_AWS_KEY_ID=AKIA6RVFFB77QD2HT7WN\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("nhiscan.toml"),
        format!(
            "[[sources]]\nkind = \"repo\"\npath = \"app\"\n\n[[sources]]\nkind = \"aws\"\n\
             endpoint_url = \"{}\"\nregion = \"us-east-1\"\n",
            moto.url
        ),
    )
    .unwrap();
    let out = nhiscan()
        .current_dir(dir.path())
        .envs(moto.env())
        .args(["scan", "-f", "json", "-q", "--fail-on", "none"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let j: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let ids = j["identities"].as_array().unwrap();
    let user_arn = created["user_arn"].as_str().unwrap();
    let user = ids.iter().find(|i| i["id"] == user_arn).expect("IAM user");
    let found: Vec<&Value> = ids.iter().filter(|i| i["source"] == "repo").collect();
    assert_eq!(found.len(), 2, "{found:?}");
    let leaked = found
        .iter()
        .find(|i| i["attributes"]["iam_identity"] == user_arn)
        .expect("the found key is joined to the user");
    assert_eq!(leaked["attributes"]["iam_key_status"], "active");
    // IAM's inventory lists key ids (they are not secrets); the found side never spells it out.
    assert!(!leaked.to_string().contains(key), "{leaked}");
    assert!(
        leaked["attributes"]["iam_flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "admin")
    );
    assert_eq!(
        leaked["owner"]["name"], "release-eng",
        "borrowed from the user's tag"
    );
    assert_eq!(
        user["attributes"]["leaked_in"],
        serde_json::json!([leaked["id"]])
    );
    assert_eq!(
        user["attributes"]["leaked_at"],
        serde_json::json!(["deploy.sh:1"])
    );
    let foreign = found.iter().find(|i| i["id"] != leaked["id"]).unwrap();
    assert_eq!(
        foreign["attributes"]["aws_account_foreign"], true,
        "{foreign}"
    );
    let leaked_id = leaked["id"].as_str().unwrap();
    assert!(ids_with_rule(&j, "joined.leaked-active-privileged-key").contains(&leaked_id));
    assert!(ids_with_rule(&j, "joined.foreign-aws-key").contains(&foreign["id"].as_str().unwrap()));
}

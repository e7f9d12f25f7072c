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
    // It names paths outside its folder: a config nhiscan finds by itself may not, so it is
    // given with --config.
    let r = run_in(
        dir.path(),
        &[
            "--config",
            "nhiscan.toml",
            "scan",
            "-f",
            "json",
            "-q",
            "--fail-on",
            "none",
        ],
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
#[cfg(feature = "aws")]
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
    let out = nhiscan_wall_clock()
        .current_dir(dir.path())
        .envs(moto.env())
        .args([
            "--config",
            "nhiscan.toml",
            "scan",
            "-f",
            "json",
            "-q",
            "--fail-on",
            "none",
        ])
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

/// Runs `fixtures/joined/github-aws.toml`: a folder holding two GitHub tokens, the `acme` org's
/// saved API responses (two secret-scanning alerts on those tokens, one attached to a
/// SAML-authorised PAT) and the AWS export (roles `gha-deploy`, unpinned and admin, and
/// `gha-pinned`, pinned to `acme/site`).
#[cfg(feature = "github")]
fn github_aws_scan() -> Value {
    let r = run(&[
        "scan",
        "--config",
        "fixtures/joined/github-aws.toml",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

#[test]
#[cfg(feature = "github")]
fn tokens_found_in_code_are_joined_to_their_github_secret_scanning_alerts() {
    let j = github_aws_scan();
    let sources: Vec<&str> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["repo", "github", "aws"]);
    let found: Vec<&Value> = j["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["source"] == "repo")
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    let by_line = |line: u64| {
        *found
            .iter()
            .find(|i| i["credentials"][0]["found"]["locations"][0]["line"] == line)
            .unwrap_or_else(|| panic!("no token on line {line}: {found:?}"))
    };
    // Line 4: the secret of alert #2, an alert identity of its own, publicly leaked.
    let public = by_line(4);
    let alert = identity(&j, "github:acme/secret_scanning_alert/api/2");
    let link = &public["attributes"]["github_alerts"][0];
    assert_eq!(link["identity"], alert["id"]);
    assert_eq!(link["publicly_leaked"], true);
    assert_eq!(link["secret_type"], "github_personal_access_token");
    assert_eq!(
        alert["attributes"]["found_in"],
        serde_json::json!([public["id"]])
    );
    assert_eq!(
        alert["attributes"]["found_at"],
        serde_json::json!(["scripts/publish.sh:4"])
    );
    // Line 3: alert #3 sits on release-bot's PAT; the found token is that PAT and borrows its owner.
    let pat_token = by_line(3);
    let pat = identity(&j, "github:acme/classic_pat/5101");
    assert_eq!(
        pat_token["attributes"]["github_identities"],
        serde_json::json!([pat["id"]])
    );
    assert_eq!(
        pat_token["attributes"]["github_alerts"][0]["validity"],
        "inactive"
    );
    assert_eq!(
        pat["attributes"]["found_in"],
        serde_json::json!([pat_token["id"]])
    );
    assert_eq!(pat_token["owner"]["name"], "release-bot");
    assert_eq!(pat_token["owner"]["source"], "joined");
    // Only the publicly leaked one is critical; the inactive, private one is not.
    assert_eq!(
        ids_with_rule(&j, "joined.leaked-secret-publicly-exposed"),
        [public["id"].as_str().unwrap()]
    );
    // Neither token value is written anywhere in the report.
    let text = j.to_string();
    for t in [
        "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",
        "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",
    ] {
        assert!(!text.contains(t));
    }
    // The folder alone has no alerts to join.
    let alone = run(&[
        "scan",
        "repo",
        "fixtures/joined/github-repo",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ])
    .json();
    assert_eq!(alone["identities"].as_array().unwrap().len(), 2);
    assert!(ids_with_rule(&alone, "joined.leaked-secret-publicly-exposed").is_empty());
    assert!(!alone.to_string().contains("github_alerts"));
}

#[test]
#[cfg(feature = "github")]
fn aws_roles_trusting_github_oidc_are_joined_to_the_repositories_that_can_assume_them() {
    let j = github_aws_scan();
    let deploy = identity(&j, "arn:aws:iam::123456789012:role/gha-deploy");
    let pinned = identity(&j, "arn:aws:iam::123456789012:role/gha-pinned");
    // No `sub` condition: every scanned repository; pinned to acme/site: only that one.
    assert_eq!(
        deploy["attributes"]["assumable_from_repositories"],
        serde_json::json!(["acme/api", "acme/site"])
    );
    assert_eq!(
        pinned["attributes"]["assumable_from_repositories"],
        serde_json::json!(["acme/site"])
    );
    // The other side: the write deploy key of acme/site reaches both roles, api's secret one.
    assert_eq!(
        identity(&j, "github:acme/deploy_key/site/71")["attributes"]["can_assume_aws_roles"],
        serde_json::json!([deploy["id"], pinned["id"]])
    );
    assert_eq!(
        identity(&j, "github:acme/actions_secret/repo/api/NPM_TOKEN")["attributes"]["can_assume_aws_roles"],
        serde_json::json!([deploy["id"]])
    );
    // The unpinned role is admin: the joined rule names it; the pinned one holds no risky flag.
    assert_eq!(
        ids_with_rule(&j, "joined.privileged-role-assumable-from-github"),
        [deploy["id"].as_str().unwrap()]
    );
    // Without the GitHub source, the roles are judged alone and nothing is joined.
    let alone = run(&[
        "scan",
        "aws",
        "--from",
        "fixtures/aws/auth-details.json",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ])
    .json();
    assert!(!alone.to_string().contains("assumable_from_repositories"));
    assert!(ids_with_rule(&alone, "joined.privileged-role-assumable-from-github").is_empty());
}

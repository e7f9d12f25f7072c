//! The organisation's SCPs and RCPs as a ceiling (`--scp FILE…`): actions they deny are not
//! counted and the evidence names the SCP; the management account is exempt; a file that is not
//! a control policy is a warning and the scan goes on.

use crate::common::*;
use serde_json::Value;

const BOT: &str = "arn:aws:iam::111111111111:user/iam-bot";

fn scan(extra: &[&str]) -> Run {
    let dir = root().join("fixtures/aws/org-account");
    let from = dir.join("auth-details.json");
    let mut args = vec!["scan", "aws", "--from", from.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "json", "-q", "--fail-on", "none"]);
    run(&args)
}

fn scp(name: &str) -> String {
    root()
        .join("fixtures/aws/org-account")
        .join(name)
        .display()
        .to_string()
}

fn flags(j: &Value, id: &str) -> Vec<String> {
    identity(j, id)["permissions"]["flags"]
        .as_array()
        .map(|a| a.iter().map(|f| f.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn an_scp_denying_iam_removes_escalation_and_is_named() {
    let before = scan(&[]).json();
    assert!(flags(&before, BOT).contains(&"privilege_escalation".to_string()));
    assert!(rules_for(&before, BOT).contains(&"aws.privilege-escalation".to_string()));

    let r = scan(&[
        "--scp",
        &scp("scp-full-aws-access.json"),
        &scp("scp-deny-iam.json"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert!(flags(&j, BOT).is_empty(), "{:?}", flags(&j, BOT));
    assert!(!rules_for(&j, BOT).contains(&"aws.privilege-escalation".to_string()));
    let denied = identity(&j, BOT)["attributes"]["denied_by_scp"].clone();
    assert!(
        denied.as_array().unwrap().iter().any(|d| d
            == "iam:CreateAccessKey denied by SCP DenyIAMChanges (p-examplepolicyid222) (Deny DenyIAMOutsidePipeline)"),
        "{denied}"
    );
    // Untouched by an SCP on IAM: the S3-only IRSA role still reads everything.
    assert!(
        flags(&j, "arn:aws:iam::111111111111:role/irsa-unpinned")
            .contains(&"data_read_all".to_string())
    );
    // Service-linked roles are exempt and carry no SCP evidence.
    let slr = identity(
        &j,
        "arn:aws:iam::111111111111:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
    );
    assert!(slr["attributes"].get("denied_by_scp").is_none());
}

#[test]
fn the_management_account_is_exempt() {
    let r = scan(&[
        "--scp",
        &scp("scp-deny-iam.json"),
        "--management-account",
        "111111111111",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert!(flags(&j, BOT).contains(&"privilege_escalation".to_string()));
    assert!(
        j["sources"][0]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["message"]
                .as_str()
                .unwrap()
                .contains("management account"))
    );
}

#[test]
fn a_file_that_is_not_a_control_policy_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("tag-policy.json");
    std::fs::write(
        &bad,
        r#"{"Policy": {"PolicySummary": {"Id": "p-1", "Name": "Tags", "Type": "TAG_POLICY"}, "Content": "{}"}}"#,
    )
    .unwrap();
    let r = scan(&["--scp", bad.to_str().unwrap(), &scp("scp-deny-iam.json")]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    assert!(
        j["sources"][0]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["subject"] == bad.to_str().unwrap()
                && n["message"].as_str().unwrap().contains("not applied"))
    );
    // The good file still applies.
    assert!(flags(&j, BOT).is_empty());
}

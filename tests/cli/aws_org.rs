//! `scan aws --org` on a moto organisation (fixtures/aws/populate_moto_org.py): every active
//! account is its own source, reached through OrganizationAccountAccessRole; the SCP on member
//! A's OU removes its IAM escalation and is named; Identity Center roles are people's; a member
//! whose role cannot be assumed (STS answers AccessDenied, as AWS documents it) fails alone.

use crate::common::moto::Moto;
use crate::common::*;
use serde_json::Value;

fn scan(endpoint: &str, moto: &Moto, extra: &[&str]) -> (Option<i32>, Value, String) {
    let mut args = vec![
        "scan",
        "aws",
        "--org",
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ];
    args.extend_from_slice(extra);
    let out = nhiscan_wall_clock()
        .args(&args)
        .envs(moto.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let j = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code(), j, stderr)
}

fn source<'a>(j: &'a Value, account: &str) -> &'a Value {
    j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["target"]
                .as_str()
                .unwrap()
                .contains(&format!("account {account}"))
        })
        .unwrap_or_else(|| panic!("no source for {account}: {}", j["sources"]))
}

#[test]
fn every_account_is_scanned_with_its_scps_and_a_failed_assume_role_is_a_note() {
    let moto = Moto::start();
    let org = moto.populate(&root().join("fixtures/aws/populate_moto_org.py"));
    let (mgmt, a, b) = (
        org["management"].as_str().unwrap().to_string(),
        org["a"].as_str().unwrap().to_string(),
        org["b"].as_str().unwrap().to_string(),
    );
    // STS refuses the role in member B.
    let denied_role = format!("arn%3Aaws%3Aiam%3A%3A{b}%3Arole%2FOrganizationAccountAccessRole");
    let endpoint = crate::aws_router::start(&moto.url, move |_, body| {
        let body = String::from_utf8_lossy(body);
        (body.contains("Action=AssumeRole") && body.contains(&denied_role)).then(|| {
            (
                "403 Forbidden",
                "text/xml",
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
                 <Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/auditor is not authorized \
                 to perform: sts:AssumeRole</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
                    .to_string(),
            )
        })
    });
    let (code, j, stderr) = scan(&endpoint, &moto, &[]);
    assert_eq!(code, Some(3), "{stderr}");
    assert_eq!(
        j["sources"].as_array().unwrap().len(),
        3,
        "{}",
        j["sources"]
    );

    // Member B failed alone, saying which role could not be assumed.
    let sb = source(&j, &b);
    assert_eq!(sb["status"], "failed");
    let why = sb["notes"][0]["message"].as_str().unwrap();
    assert!(
        why.contains(&format!(
            "arn:aws:iam::{b}:role/OrganizationAccountAccessRole"
        )) && why.contains("AccessDenied"),
        "{why}"
    );

    // Member A: the OU's SCP denies iam:*; the user's escalation is gone and the SCP named.
    let sa = source(&j, &a);
    assert_ne!(sa["status"], "failed");
    let bot = identity(&j, &format!("arn:aws:iam::{a}:user/iam-bot"));
    assert!(
        !bot["permissions"]["flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "privilege_escalation")),
        "{}",
        bot["permissions"]
    );
    let scp = org["scp"].as_str().unwrap();
    assert!(
        bot["attributes"]["denied_by_scp"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d
                == &format!(
                    "iam:CreateAccessKey denied by SCP DenyIAMChanges ({scp}) (Deny NoIAM)"
                )),
        "{}",
        bot["attributes"]["denied_by_scp"]
    );
    assert!(
        !rules_for(&j, &format!("arn:aws:iam::{a}:user/iam-bot"))
            .contains(&"aws.privilege-escalation".to_string())
    );

    // The Identity Center-shaped admin role is a person's: no NHI admin finding.
    let sso = format!(
        "arn:aws:iam::{a}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    );
    assert_eq!(identity(&j, &sso)["kind"], "aws.human_role");
    assert_eq!(
        identity(&j, &sso)["attributes"]["permission_set"],
        "AdministratorAccess"
    );
    assert!(rules_for(&j, &sso).is_empty(), "{:?}", rules_for(&j, &sso));
    // IRSA without `sub`, and the Pod Identity role as a compute service.
    assert!(
        rules_for(&j, &format!("arn:aws:iam::{a}:role/irsa-unpinned"))
            .contains(&"aws.eks-oidc-unpinned".to_string())
    );
    assert_eq!(
        identity(&j, &format!("arn:aws:iam::{a}:role/pod-identity"))["attributes"]["trusted_compute_services"]
            [0],
        "pods.eks.amazonaws.com"
    );

    // The management account is scanned with the caller's own credentials, exempt from SCPs.
    let sm = source(&j, &mgmt);
    assert!(
        sm["notes"].as_array().unwrap().iter().any(|n| n["message"]
            .as_str()
            .unwrap()
            .contains("management account")),
        "{}",
        sm["notes"]
    );

    // Without the refusal, member B scans and keeps its escalation (no SCP above it).
    let (_, j, stderr) = scan(&moto.url, &moto, &["--accounts", &b]);
    assert_eq!(j["sources"].as_array().unwrap().len(), 1, "{stderr}");
    assert!(
        rules_for(&j, &format!("arn:aws:iam::{b}:user/iam-bot"))
            .contains(&"aws.privilege-escalation".to_string())
    );

    // An account outside the organisation is a usage error.
    let out = nhiscan_wall_clock()
        .args([
            "scan",
            "aws",
            "--org",
            "--endpoint-url",
            &moto.url,
            "--region",
            "us-east-1",
            "--accounts",
            "999999999999",
            "-q",
        ])
        .envs(moto.env())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("999999999999"));
}

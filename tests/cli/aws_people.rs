//! Who is a person: roles people assume (Identity Center permission sets, SAML, MFA-only trust,
//! configured patterns) are `aws.human_role`, not judged by the machine-identity rules, while
//! their trust problems still are. Also EKS: IRSA trust without a pinned service account, and
//! Pod Identity as a compute service.

use crate::common::*;
use serde_json::Value;

const ORG: &str = "arn:aws:iam::111111111111";

fn scan(extra: &[&str]) -> Value {
    let from = root().join("fixtures/aws/org-account/auth-details.json");
    let mut args = vec!["scan", "aws", "--from", from.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "json", "-q", "--fail-on", "none"]);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

#[test]
fn identity_center_saml_and_mfa_roles_are_people_and_not_judged_as_machines() {
    let j = scan(&[]);
    let sso = format!(
        "{ORG}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    );
    let r = identity(&j, &sso);
    assert_eq!(r["kind"], "aws.human_role");
    assert_eq!(r["attributes"]["human_access"], "identity_center");
    assert_eq!(r["attributes"]["permission_set"], "AdministratorAccess");
    // Still inventoried with its permissions, but no admin / no-owner / unused finding.
    assert!(
        r["permissions"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "admin")
    );
    assert_eq!(rules_for(&j, &sso), Vec::<String>::new());

    let okta = format!("{ORG}:role/okta-engineers");
    let r = identity(&j, &okta);
    assert_eq!(r["kind"], "aws.human_role");
    assert_eq!(r["attributes"]["human_access"], "saml");
    assert_eq!(
        r["attributes"]["human_idp"][0],
        format!("{ORG}:saml-provider/Okta")
    );
    assert_eq!(rules_for(&j, &okta), Vec::<String>::new());

    let bg = format!("{ORG}:role/breakglass");
    assert_eq!(identity(&j, &bg)["attributes"]["human_access"], "mfa");
    assert_eq!(rules_for(&j, &bg), Vec::<String>::new());

    // A person's role whose trust lets any AWS principal in is still reported.
    let anyone = format!("{ORG}:role/anyone-with-mfa");
    assert_eq!(identity(&j, &anyone)["kind"], "aws.human_role");
    assert_eq!(rules_for(&j, &anyone), vec!["aws.trust-public"]);

    // Service-linked roles stay AWS's.
    let slr = format!("{ORG}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport");
    assert_eq!(identity(&j, &slr)["kind"], "aws.role");
    assert_eq!(identity(&j, &slr)["attributes"]["service_linked"], true);
}

#[test]
fn cross_account_roles_people_assume_are_configured_by_pattern() {
    let ops = format!("{ORG}:role/ops-from-identity-account");
    let j = scan(&[]);
    assert_eq!(identity(&j, &ops)["kind"], "aws.role");
    assert!(rules_for(&j, &ops).contains(&"aws.admin".to_string()));

    let j = scan(&["--human-role", "ops-*"]);
    let r = identity(&j, &ops);
    assert_eq!(r["kind"], "aws.human_role");
    assert_eq!(r["attributes"]["human_access"], "configured");
    assert_eq!(r["attributes"]["human_role_pattern"], "ops-*");
    assert_eq!(rules_for(&j, &ops), Vec::<String>::new());

    // The same from a config given with --config.
    let dir = tempfile::tempdir().unwrap();
    let from = root().join("fixtures/aws/org-account/auth-details.json");
    let cfg = dir.path().join("nhiscan.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[sources]]\nkind = \"aws\"\nfrom = {:?}\nhuman_roles = [\"arn:aws:iam::111111111111:role/ops-*\"]\n",
            from.to_str().unwrap()
        ),
    )
    .unwrap();
    let r = run(&[
        "scan",
        "--config",
        cfg.to_str().unwrap(),
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(identity(&j, &ops)["kind"], "aws.human_role");
}

#[test]
fn eks_irsa_without_a_pinned_service_account_and_pod_identity_roles() {
    let j = scan(&[]);
    for (role, flagged) in [
        ("irsa-unpinned", true),
        ("irsa-wildcard", true),
        ("irsa-pinned", false),
    ] {
        let id = format!("{ORG}:role/{role}");
        assert_eq!(
            rules_for(&j, &id).contains(&"aws.eks-oidc-unpinned".to_string()),
            flagged,
            "{role}: {:?}",
            rules_for(&j, &id)
        );
        assert_eq!(identity(&j, &id)["kind"], "aws.role");
    }
    let pinned = identity(&j, &format!("{ORG}:role/irsa-pinned"));
    assert_eq!(
        pinned["attributes"]["eks_oidc_subjects"][0],
        "system:serviceaccount:payments:api"
    );
    let pod = format!("{ORG}:role/pod-identity-deployer");
    assert_eq!(
        identity(&j, &pod)["attributes"]["trusted_compute_services"][0],
        "pods.eks.amazonaws.com"
    );
    assert!(
        rules_for(&j, &pod).contains(&"aws.compute-role-privileged".to_string()),
        "{:?}",
        rules_for(&j, &pod)
    );
}

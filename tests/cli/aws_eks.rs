//! EKS Pod Identity, live: IAM answered by moto, EKS (which moto does not implement for Pod
//! Identity) by a test double answering with the EKS API reference's JSON shapes, both behind one
//! loopback endpoint. The role is linked to `k8s:<cluster>/<ns>/<sa>` and the join marks the
//! service account of a Kubernetes scan of the same cluster.

use crate::common::moto::Moto;
use crate::common::*;

const ROLE: &str = "arn:aws:iam::123456789012:role/payments-api";

/// EKS answers shaped as the API reference's ListClusters, ListPodIdentityAssociations and
/// DescribePodIdentityAssociation responses.
fn eks(path: &str) -> (&'static str, String) {
    let path = path.split('?').next().unwrap();
    match path {
        "/clusters" => ("200 OK", r#"{"clusters": ["prod"]}"#.into()),
        "/clusters/prod/pod-identity-associations" => (
            "200 OK",
            r#"{"associations": [{"clusterName": "prod", "namespace": "payments", "serviceAccount": "api",
                "associationArn": "arn:aws:eks:us-east-1:123456789012:podidentityassociation/prod/a-abcdefghijklmnop1",
                "associationId": "a-abcdefghijklmnop1"}]}"#
                .into(),
        ),
        "/clusters/prod/pod-identity-associations/a-abcdefghijklmnop1" => (
            "200 OK",
            format!(
                r#"{{"association": {{"clusterName": "prod", "namespace": "payments", "serviceAccount": "api",
                "roleArn": "{ROLE}",
                "associationArn": "arn:aws:eks:us-east-1:123456789012:podidentityassociation/prod/a-abcdefghijklmnop1",
                "associationId": "a-abcdefghijklmnop1", "tags": {{}}, "createdAt": 1.7300000E9, "modifiedAt": 1.7300000E9}}}}"#
            ),
        ),
        _ => (
            "404 Not Found",
            r#"{"message": "No cluster found"}"#.into(),
        ),
    }
}

#[test]
fn pod_identity_associations_link_roles_to_service_accounts() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("populate.py");
    std::fs::write(
        &script,
        r#"import json, sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
iam.create_role(RoleName="payments-api", AssumeRolePolicyDocument=json.dumps(trust),
    Tags=[{"Key": "owner", "Value": "payments"}])
iam.put_role_policy(RoleName="payments-api", PolicyName="deploy", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]}))
print(json.dumps({}))
"#,
    )
    .unwrap();
    moto.populate(&script);
    let endpoint = crate::aws_router::start(&moto.url, |head, _| {
        let path = head.split_whitespace().nth(1)?;
        path.starts_with("/clusters").then(|| {
            let (status, json) = eks(path);
            (status, "application/json", json)
        })
    });
    let manifests = dir.path().join("k8s");
    std::fs::create_dir(&manifests).unwrap();
    std::fs::write(
        manifests.join("sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payments\n",
    )
    .unwrap();
    let cfg = dir.path().join("nhiscan.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[sources]]\nkind = \"aws\"\nendpoint_url = \"{endpoint}\"\nregion = \"us-east-1\"\n\n\
             [[sources]]\nkind = \"kubernetes\"\nfrom = {:?}\ncluster = \"prod\"\n",
            manifests.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = nhiscan_wall_clock()
        .args([
            "scan",
            "--config",
            cfg.to_str().unwrap(),
            "-f",
            "json",
            "-q",
            "--fail-on",
            "none",
        ])
        .envs(moto.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let j: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let role = identity(&j, ROLE);
    assert_eq!(
        role["attributes"]["pod_identity_service_accounts"],
        serde_json::json!(["k8s:prod/payments/api"])
    );
    assert_eq!(
        role["attributes"]["trusted_compute_services"],
        serde_json::json!(["pods.eks.amazonaws.com"])
    );
    assert_eq!(
        role["attributes"]["assumed_by_service_accounts"],
        serde_json::json!(["k8s:prod/payments/api"])
    );
    let sa = identity(&j, "k8s:prod/payments/api");
    assert_eq!(sa["attributes"]["cloud_identity_joined"], true);
    assert!(
        sa["attributes"]["cloud_identity_flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "privilege_escalation")
    );
    assert!(
        rules_for(&j, ROLE).contains(&"aws.compute-role-privileged".to_string()),
        "{:?}",
        rules_for(&j, ROLE)
    );
    let aws = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "aws")
        .unwrap();
    let calls = aws["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["subject"] == "eks_api_calls")
        .unwrap();
    // ListClusters + ListPodIdentityAssociations + DescribePodIdentityAssociation.
    assert_eq!(calls["message"], "3 EKS API calls");
}

//! Kubernetes offline mode: manifests and kubectl dumps to service accounts with effective RBAC.

use crate::common::*;
use serde_json::Value;

fn scan() -> (i32, Value) {
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        "fixtures/kubernetes",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
        "--cluster",
        "prod",
    ]);
    (r.code, r.json())
}

#[test]
fn effective_rbac_through_bindings_groups_and_aggregation() {
    let (code, j) = scan();
    assert_eq!(
        code, 3,
        "one invalid document and one missing role: partial"
    );
    let flags = |id: &str| identity(&j, id)["permissions"]["flags"].clone();
    // Aggregated ClusterRole: secrets read and binding creation reach the operator.
    let op = flags("k8s:prod/platform/operator");
    for f in ["secrets_read_cluster", "escalate_bind"] {
        assert!(op.as_array().unwrap().iter().any(|x| x == f), "{f} in {op}");
    }
    assert!(!op.as_array().unwrap().iter().any(|x| x == "cluster_admin"));
    let ci = flags("k8s:prod/ci/deployer");
    assert!(ci.as_array().unwrap().iter().any(|x| x == "cluster_admin"));
    // system:authenticated reaches every service account, including undeclared `default`.
    let d = flags("k8s:prod/legacy/default");
    assert!(
        d.as_array().unwrap().iter().any(|x| x == "pods_exec"),
        "{d}"
    );
}

#[test]
fn identity_facts_owner_workloads_cloud_link_and_legacy_token() {
    let (_, j) = scan();
    let op = identity(&j, "k8s:prod/platform/operator");
    assert_eq!(op["owner"]["name"], "team-platform");
    assert_eq!(op["owner"]["source"], "label");
    assert_eq!(op["attributes"]["workloads"][0], "Deployment/operator");
    assert_eq!(
        op["attributes"]["cloud_identity"],
        "arn:aws:iam::123456789012:role/operator"
    );
    let ci = identity(&j, "k8s:prod/ci/deployer");
    let token = &ci["credentials"][0];
    assert_eq!(token["kind"], "legacy_service_account_token");
    assert_eq!(token["last_used_at"], "2024-01-15T00:00:00Z");
    assert!(
        !j.to_string().contains("\"data\""),
        "token values are never read"
    );
    // The kubectl List dump is flattened.
    assert_eq!(
        identity(&j, "k8s:prod/legacy/default")["attributes"]["workloads"][0],
        "Pod/batch-1"
    );
}

#[test]
fn posture_findings_and_coverage_notes() {
    let (_, j) = scan();
    let ci = rules_for(&j, "k8s:prod/ci/deployer");
    for r in [
        "k8s.cluster-admin",
        "k8s.privileged-legacy-token",
        "k8s.stale-legacy-token",
        "k8s.no-owner",
        "k8s.unused-service-account",
    ] {
        assert!(ci.contains(&r.to_string()), "{r} not in {ci:?}");
    }
    let op = rules_for(&j, "k8s:prod/platform/operator");
    assert!(op.contains(&"k8s.secrets-read".to_string()));
    assert!(!op.contains(&"k8s.no-owner".to_string()));
    assert!(!op.contains(&"k8s.unused-service-account".to_string()));
    assert_eq!(
        rules_for(&j, "k8s:prod/group/system:authenticated")[0],
        "k8s.broad-group-binding"
    );
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["subject"] == "fixtures/kubernetes/cluster.yaml#11"),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| {
        n["message"]
            .as_str()
            .unwrap()
            .contains("Role does-not-exist")
    }));
}

#[test]
fn missing_input_is_a_usage_error() {
    let r = run(&["scan", "kubernetes", "--from", "/nonexistent/manifests"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/manifests"));
}

#[test]
fn known_over_privileged_installs_are_flagged_for_what_they_are_known_for() {
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        "fixtures/kubernetes-known",
        "-f",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 1, "critical findings fail the run: {}", r.stderr);
    let j = r.json();
    // A custom resource (Argo CD's AppProject) is read and ignored, not an error.
    assert_eq!(j["sources"][0]["status"], "complete", "{}", j["sources"]);
    let flags = |id: &str| identity(&j, id)["permissions"]["flags"].clone();
    let has = |v: &Value, f: &str| v.as_array().unwrap().iter().any(|x| x == f);

    // ingress-nginx: Secrets of every namespace, but nothing close to admin.
    let nginx = flags("k8s:offline/ingress-nginx/ingress-nginx");
    assert!(has(&nginx, "secrets_read_cluster"), "{nginx}");
    assert!(
        !has(&nginx, "cluster_admin") && !has(&nginx, "wildcard"),
        "{nginx}"
    );
    assert_eq!(
        rules_for(&j, "k8s:offline/ingress-nginx/ingress-nginx"),
        [
            "k8s.automounted-privileged-token",
            "k8s.no-owner",
            "k8s.secrets-read"
        ]
    );
    let admission = flags("k8s:offline/ingress-nginx/ingress-nginx-admission");
    assert_eq!(admission, serde_json::json!(["webhook_write"]));

    // Argo CD: the controller is cluster-admin in all but name; the server can patch bindings
    // (an escalation path) without holding `*` verbs.
    for id in [
        "k8s:offline/argocd/argocd-application-controller",
        "k8s:offline/kube-system/kubernetes-dashboard",
    ] {
        assert!(has(&flags(id), "cluster_admin"), "{id}");
        assert!(rules_for(&j, id).contains(&"k8s.cluster-admin".to_string()));
    }
    let server = flags("k8s:offline/argocd/argocd-server");
    assert!(!has(&server, "cluster_admin"), "{server}");
    for f in ["escalate_bind", "secrets_read_cluster", "wildcard"] {
        assert!(has(&server, f), "{f} in {server}");
    }
}

#[test]
fn pod_templates_of_any_kind_count_as_use() {
    // Shapes as the projects document them: an Argo Rollout and a Knative Service keep the pod
    // template at spec.template, a KEDA ScaledJob at spec.jobTargetRef.template.
    let manifests = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: canary, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: canary}}
  template:
    metadata: {labels: {app: canary}}
    spec:
      serviceAccountName: canary
      containers: [{name: app, image: registry.example/app:2}]
  strategy: {canary: {steps: [{setWeight: 20}]}}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: hello
      containers: [{image: registry.example/hello:1}]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: {name: drain, namespace: shop}
spec:
  jobTargetRef:
    template:
      spec:
        serviceAccountName: drain
        containers: [{name: drain, image: registry.example/drain:1}]
        restartPolicy: Never
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: idle, namespace: shop}
";
    let dir = tree(&[("apps.yaml", manifests.as_bytes())]);
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        dir.path().to_str().unwrap(),
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ]);
    let j = r.json();
    for (sa, workload) in [
        ("canary", "Rollout/canary"),
        ("hello", "Service/hello"),
        ("drain", "ScaledJob/drain"),
    ] {
        let id = format!("k8s:offline/shop/{sa}");
        assert_eq!(
            identity(&j, &id)["attributes"]["workloads"],
            serde_json::json!([workload])
        );
        assert!(!rules_for(&j, &id).contains(&"k8s.unused-service-account".to_string()));
    }
    assert!(
        rules_for(&j, "k8s:offline/shop/idle").contains(&"k8s.unused-service-account".to_string())
    );
}

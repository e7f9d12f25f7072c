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

/// One published install (a folder of fixtures/kubernetes-known), scanned on its own.
fn install(name: &str) -> Value {
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        &format!("fixtures/kubernetes-known/{name}"),
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ]);
    assert_eq!(r.code, 0, "{name}: {}", r.stderr);
    let j = r.json();
    assert_eq!(
        j["sources"][0]["status"], "complete",
        "{name}: {}",
        j["sources"]
    );
    j
}

fn flag_list(j: &Value, id: &str) -> Vec<String> {
    identity(j, id)["permissions"]["flags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ingress_nginx_reads_secrets_everywhere_and_nothing_admin_like() {
    let j = install("ingress-nginx");
    let nginx = "k8s:offline/ingress-nginx/ingress-nginx";
    assert_eq!(
        flag_list(&j, nginx),
        [
            "secrets_read",
            "secrets_read_cluster",
            "secrets_read_kube_system"
        ]
    );
    assert_eq!(
        rules_for(&j, nginx),
        [
            "k8s.automounted-privileged-token",
            "k8s.no-owner",
            "k8s.secrets-read"
        ]
    );
    assert_eq!(
        identity(&j, nginx)["attributes"]["workloads"],
        serde_json::json!(["Deployment/ingress-nginx-controller"])
    );
    let admission = "k8s:offline/ingress-nginx/ingress-nginx-admission";
    assert_eq!(flag_list(&j, admission), ["secrets_read", "webhook_write"]);
    assert_eq!(
        identity(&j, admission)["attributes"]["workloads"],
        serde_json::json!([
            "Job/ingress-nginx-admission-create",
            "Job/ingress-nginx-admission-patch"
        ])
    );
    assert!(
        !j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "critical"),
        "{}",
        j["findings"]
    );
}

#[test]
fn dashboard_sample_admin_user_is_cluster_admin_through_the_built_in_role() {
    let j = install("kubernetes-dashboard");
    let admin = "k8s:offline/kubernetes-dashboard/admin-user";
    let rules = rules_for(&j, admin);
    for r in [
        "k8s.cluster-admin",
        "k8s.privileged-legacy-token",
        "k8s.legacy-token-secret",
    ] {
        assert!(rules.contains(&r.to_string()), "{r} in {rules:?}");
    }
    assert_eq!(
        identity(&j, admin)["attributes"]["bindings"],
        serde_json::json!(["ClusterRoleBinding admin-user -> ClusterRole cluster-admin"])
    );
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["subject"], "ClusterRoleBinding admin-user");
    // The dashboard's own account reads only the Secrets it names: no flag, no finding beyond
    // hygiene.
    let ui = "k8s:offline/kubernetes-dashboard/kubernetes-dashboard";
    assert!(flag_list(&j, ui).is_empty());
    assert_eq!(rules_for(&j, ui), ["k8s.no-owner"]);
}

#[test]
fn metrics_server_binds_built_in_roles_and_holds_nothing_risky() {
    let j = install("metrics-server");
    let ms = "k8s:offline/kube-system/metrics-server";
    let sa = identity(&j, ms);
    assert_eq!(
        sa["attributes"]["bindings"],
        serde_json::json!([
            "ClusterRoleBinding metrics-server:system:auth-delegator -> ClusterRole \
             system:auth-delegator",
            "ClusterRoleBinding system:metrics-server -> ClusterRole system:metrics-server",
            "RoleBinding kube-system/metrics-server-auth-reader -> Role \
             extension-apiserver-authentication-reader"
        ])
    );
    // The built-in roles' rules reached the account.
    let actions = sa["permissions"]["actions"].to_string();
    for a in [
        "create tokenreviews (cluster)",
        "create subjectaccessreviews (cluster)",
        "get,list,watch configmaps [extension-apiserver-authentication] (kube-system)",
    ] {
        assert!(actions.contains(a), "{a} in {actions}");
    }
    assert!(flag_list(&j, ms).is_empty());
    assert_eq!(rules_for(&j, ms), ["k8s.no-owner"]);
    let notes = j["sources"][0]["notes"].to_string();
    assert!(
        notes.contains("built-in ClusterRole system:auth-delegator"),
        "{notes}"
    );
    assert!(
        notes.contains("built-in Role extension-apiserver-authentication-reader"),
        "{notes}"
    );
}

#[test]
fn argo_cd_controller_is_cluster_admin_and_server_can_rewrite_anything() {
    let j = install("argo-cd");
    let controller = "k8s:offline/argocd/argocd-application-controller";
    assert!(rules_for(&j, controller).contains(&"k8s.cluster-admin".to_string()));
    let server = flag_list(&j, "k8s:offline/argocd/argocd-server");
    assert!(!server.contains(&"cluster_admin".to_string()), "{server:?}");
    for f in [
        "escalate_bind",
        "secrets_read_cluster",
        "webhook_write",
        "wildcard",
    ] {
        assert!(server.contains(&f.to_string()), "{f} in {server:?}");
    }
}

#[test]
fn all_known_installs_together_keep_their_findings_apart() {
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
    let critical: std::collections::BTreeSet<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical" && f["rule_id"] == "k8s.cluster-admin")
        .map(|f| f["identity_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        critical,
        [
            "k8s:offline/argocd/argocd-application-controller",
            "k8s:offline/kubernetes-dashboard/admin-user"
        ]
        .into()
    );
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

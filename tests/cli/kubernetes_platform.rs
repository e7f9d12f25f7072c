//! Kubernetes: the bootstrap policy known offline (built-in roles, aggregation into them) and the
//! platform's own identities and bindings inventoried but not judged, except where they differ
//! from the default.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

const BOOTSTRAP: &str = "data/kubernetes/bootstrap";

fn scan(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["scan", "kubernetes", "--from", dir.to_str().unwrap()];
    args.extend(["-f", "json", "-q", "--fail-on", "none"]);
    args.extend(extra);
    run(&args)
}

fn flags(j: &Value, id: &str) -> Vec<String> {
    identity(j, id)["permissions"]["flags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

/// The upstream bootstrap files, plus a ServiceAccount for every service account they bind (as a
/// cluster has), plus `extra` files.
fn stock_cluster(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut accounts = String::new();
    for e in std::fs::read_dir(root().join(BOOTSTRAP)).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(dir.path().join(p.file_name().unwrap()), &text).unwrap();
            let list: Value = serde_saphyr::from_str(&text).unwrap();
            for item in list["items"].as_array().unwrap() {
                for s in item["subjects"].as_array().into_iter().flatten() {
                    if s["kind"] == "ServiceAccount" {
                        accounts.push_str(&format!(
                            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {}\n  \
                             namespace: {}\n",
                            s["name"].as_str().unwrap(),
                            s["namespace"].as_str().unwrap()
                        ));
                    }
                }
            }
        }
    }
    assert!(accounts.matches("kind: ServiceAccount").count() > 30);
    std::fs::write(dir.path().join("accounts.yaml"), accounts).unwrap();
    for (name, text) in extra {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// A pod that names no service account: it runs as its namespace's `default`.
const APP_POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: apps}
spec:
  containers: [{name: web, image: nginx}]
";

#[test]
fn a_stock_cluster_has_no_critical_high_or_medium_findings() {
    let dir = stock_cluster(&[("pod.yaml", APP_POD)]);
    let r = scan(dir.path(), &[]);
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "complete", "{}", j["sources"]);
    let serious: Vec<&Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| ["critical", "high", "medium"].contains(&f["severity"].as_str().unwrap()))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The controller accounts are inventoried, as the platform's, with what the defaults give.
    let gc = identity(&j, "k8s:offline/kube-system/generic-garbage-collector");
    assert_eq!(gc["attributes"]["managed_by"], "kubernetes");
    let defaults = gc["attributes"]["platform_bindings"].to_string();
    for b in [
        "ClusterRoleBinding system:controller:generic-garbage-collector -> ClusterRole \
         system:controller:generic-garbage-collector",
        "ClusterRoleBinding system:discovery -> ClusterRole system:discovery",
    ] {
        assert!(defaults.contains(b), "{b} in {defaults}");
    }
    assert!(flags(&j, "k8s:offline/kube-system/generic-garbage-collector").is_empty());
    assert!(gc["attributes"]["bindings"].as_array().unwrap().is_empty());
    // `default` is reached by the system:authenticated defaults only: not "bound".
    let d = identity(&j, "k8s:offline/apps/default");
    assert_eq!(d["attributes"]["bindings"], serde_json::json!([]));
    // The defaults granted to every caller are not reported as a broad binding.
    assert!(
        !j["identities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "k8s.group"),
        "{}",
        j["identities"]
    );

    // --include-platform judges it all, as before.
    let all = scan(dir.path(), &["--include-platform"]).json();
    let gc = rules_for(&all, "k8s:offline/kube-system/generic-garbage-collector");
    assert!(
        gc.contains(&"k8s.wildcard-permissions".to_string()),
        "{gc:?}"
    );
    assert!(
        identity(&all, "k8s:offline/kube-system/generic-garbage-collector")["attributes"]
            .get("managed_by")
            .is_none()
    );
    assert_eq!(
        rules_for(&all, "k8s:offline/group/system:authenticated"),
        ["k8s.broad-group-binding"]
    );
}

#[test]
fn what_a_user_adds_to_a_stock_cluster_is_judged() {
    let added = "apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
---
# The bootstrap binding of the garbage collector, with one subject added.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:controller:generic-garbage-collector
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:controller:generic-garbage-collector}
subjects:
- {kind: ServiceAccount, name: generic-garbage-collector, namespace: kube-system}
- {kind: ServiceAccount, name: cleaner, namespace: apps}
---
# Everyone may read Secrets: beyond the bootstrap defaults for system:authenticated.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-reads}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}]
---
# A workload running as a controller's account.
apiVersion: apps/v1
kind: Deployment
metadata: {name: sweeper, namespace: kube-system}
spec:
  template:
    spec:
      serviceAccountName: namespace-controller
      containers: [{name: s, image: busybox}]
";
    let dir = stock_cluster(&[("added.yaml", added)]);
    let r = scan(dir.path(), &[]);
    let j = r.json();
    assert_eq!(r.code, 0, "--fail-on none: {}", r.stderr);
    let deployer = rules_for(&j, "k8s:offline/ci/deployer");
    assert!(
        deployer.contains(&"k8s.cluster-admin".to_string()),
        "{deployer:?}"
    );
    // The added subject gets the collector's `*` verbs; the collector itself stays quiet.
    assert!(flags(&j, "k8s:offline/apps/cleaner").contains(&"wildcard".to_string()));
    assert!(flags(&j, "k8s:offline/kube-system/generic-garbage-collector").is_empty());
    assert_eq!(
        rules_for(&j, "k8s:offline/group/system:authenticated"),
        ["k8s.broad-group-binding"]
    );
    assert_eq!(
        identity(&j, "k8s:offline/group/system:authenticated")["attributes"]["bindings"],
        serde_json::json!(["ClusterRoleBinding everyone-reads -> ClusterRole view"])
    );
    assert!(
        rules_for(&j, "k8s:offline/kube-system/namespace-controller")
            .contains(&"k8s.controller-account-used-by-workload".to_string())
    );
}

#[test]
fn offline_a_binding_to_an_undefined_role_resolves_to_the_built_in_one() {
    let manifests = "apiVersion: v1
kind: ServiceAccount
metadata: {name: ui, namespace: tools}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ui-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: ui, namespace: tools}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer, namespace: tools}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: viewer}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ops, namespace: tools}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: ServiceAccount, name: ops}]
---
# An add-on's role aggregated into the built-in view (and so into edit and admin).
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: addon-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: \"true\"}
rules:
- {apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}
";
    // The input's own `edit` wins over the built-in one.
    let own_edit = "apiVersion: v1
kind: ServiceAccount
metadata: {name: own, namespace: tools}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: edit}
rules:
- {apiGroups: [\"\"], resources: [configmaps], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: own, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: own}]
";
    let dir = tree(&[("install.yaml", manifests.as_bytes())]);
    let r = scan(dir.path(), &[]);
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "complete", "{}", j["sources"]);
    assert!(rules_for(&j, "k8s:offline/tools/ui").contains(&"k8s.cluster-admin".to_string()));
    assert_eq!(flags(&j, "k8s:offline/tools/viewer"), ["nodes_proxy"]);
    let ops = flags(&j, "k8s:offline/tools/ops");
    for f in [
        "nodes_proxy",
        "secrets_read",
        "pods_exec",
        "escalate_bind",
        "token_create",
    ] {
        assert!(ops.contains(&f.to_string()), "{f} in {ops:?}");
    }
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    let note = notes
        .iter()
        .find(|n| n["subject"] == "ClusterRoleBinding ui-admin")
        .unwrap_or_else(|| panic!("{notes:?}"));
    assert_eq!(note["level"], "info");
    assert!(
        note["message"]
            .as_str()
            .unwrap()
            .contains("built-in ClusterRole cluster-admin"),
        "{note}"
    );

    let dir = tree(&[("own-edit.yaml", own_edit.as_bytes())]);
    let j = scan(dir.path(), &[]).json();
    assert!(flags(&j, "k8s:offline/tools/own").is_empty());
    assert!(
        j["sources"][0].get("notes").is_none(),
        "the input defines edit: {}",
        j["sources"][0]
    );
}

#[test]
fn include_platform_is_a_source_setting_in_the_config_too() {
    let dir = stock_cluster(&[]);
    let cfg = dir.path().join("nhiscan.toml");
    let report = |include: bool| {
        std::fs::write(
            &cfg,
            format!(
                "[[sources]]\nkind = \"kubernetes\"\nfrom = \"{}\"\ninclude_platform = {include}\n",
                dir.path().display()
            ),
        )
        .unwrap();
        run_in(
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
        )
        .json()
    };
    let gc = "k8s:offline/kube-system/generic-garbage-collector";
    assert!(rules_for(&report(false), gc).is_empty());
    assert!(rules_for(&report(true), gc).contains(&"k8s.wildcard-permissions".to_string()));
}

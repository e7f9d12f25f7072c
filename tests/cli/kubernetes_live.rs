//! Kubernetes live mode against a loopback API server: the production client path
//! (kubeconfig → kube::Client), pagination with `continue`, metadata-only Secret lists, 403 on
//! one kind (a coverage note), and the two ways a cluster can be unusable.

use crate::common::http_stub::{Request, Response, StubServer};
use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("fixtures/kubernetes-api").join(name)).unwrap()
}

/// The API paths kube's list calls use, answered from fixtures; cronjobs are forbidden.
fn cluster(req: &Request) -> Response {
    let file = match req.path.as_str() {
        "/api/v1/serviceaccounts" => match req.query.get("continue").map(String::as_str) {
            None => "serviceaccounts-1.json",
            Some("page-2") => "serviceaccounts-2.json",
            Some(other) => panic!("unexpected continue token {other}"),
        },
        "/api/v1/pods" => "pods.json",
        "/api/v1/secrets" => "secrets-metadata.json",
        "/apis/apps/v1/deployments" => "deployments.json",
        "/apis/apps/v1/replicasets" => "replicasets.json",
        "/apis/apps/v1/statefulsets" => "statefulsets.json",
        "/apis/apps/v1/daemonsets" => "daemonsets.json",
        "/apis/batch/v1/jobs" => "jobs.json",
        "/apis/batch/v1/cronjobs" => {
            return Response::json(403, fixture("forbidden-cronjobs.json"));
        }
        "/apis/rbac.authorization.k8s.io/v1/roles" => "roles.json",
        "/apis/rbac.authorization.k8s.io/v1/rolebindings" => "rolebindings.json",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles" => "clusterroles.json",
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings" => "clusterrolebindings.json",
        _ => {
            return Response::json(
                404,
                r#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"#,
            );
        }
    };
    Response::json(200, fixture(file))
}

/// A kubeconfig whose current context points at `server` with a bearer token.
fn kubeconfig(dir: &Path, server: &str) -> PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: loop\nclusters:\n- name: loopback\n  \
             cluster:\n    server: {server}\ncontexts:\n- name: loop\n  context:\n    cluster: \
             loopback\n    user: scanner\nusers:\n- name: scanner\n  user:\n    token: \
             test-token-not-secret\n"
        ),
    )
    .unwrap();
    path
}

fn scan_live(kubeconfig: &Path) -> Run {
    let mut cmd = nhiscan();
    let out = cmd
        .env_remove("KUBECONFIG")
        .env("HOME", kubeconfig.parent().unwrap())
        .args(["scan", "kubernetes", "--kubeconfig"])
        .arg(kubeconfig)
        .args(["-f", "json", "-q", "--fail-on", "none"])
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn has(v: &Value, want: &str) -> bool {
    v.as_array().unwrap().iter().any(|x| x == want)
}

#[test]
fn live_scan_reads_every_kind_paginates_and_notes_forbidden_lists() {
    let server = StubServer::start(cluster);
    let dir = tempfile::tempdir().unwrap();
    let r = scan_live(&kubeconfig(dir.path(), &server.url()));
    assert_eq!(
        r.code, 3,
        "403 on cronjobs makes the scan partial: {}",
        r.stderr
    );
    let j = r.json();

    // Ids use the kubeconfig context's cluster name; page 2 of service accounts was read.
    let ci = identity(&j, "k8s:loopback/payments/ci-bot");
    assert!(has(&ci["permissions"]["flags"], "cluster_admin"), "{ci}");
    assert_eq!(
        ci["attributes"]["cloud_identity"],
        "arn:aws:iam::123456789012:role/ci-bot"
    );
    let token = &ci["credentials"][0];
    assert_eq!(token["id"], "secret:payments/ci-bot-token");
    assert_eq!(token["last_used_at"], "2025-01-15T00:00:00Z");
    identity(&j, "k8s:loopback/monitoring/prom");

    // The Deployment counts as a workload; its Pod (through its ReplicaSet) is named after it.
    let dep = identity(&j, "k8s:loopback/payments/deployer");
    assert_eq!(
        dep["attributes"]["workloads"],
        serde_json::json!(["Deployment/api"])
    );
    assert!(has(&dep["permissions"]["flags"], "secrets_read"), "{dep}");
    assert_eq!(dep["owner"]["name"], "team-payments");
    let default = identity(&j, "k8s:loopback/payments/default");
    assert_eq!(
        default["attributes"]["workloads"],
        serde_json::json!(["Pod/debug"])
    );

    // The forbidden kind is a note that names it; rules still ran on the rest.
    let src = &j["sources"][0];
    assert_eq!(src["status"], "partial");
    let notes = src["notes"].to_string();
    assert!(
        notes.contains("list cronjobs.batch") && notes.contains("403"),
        "{notes}"
    );
    let rules: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["identity_id"] == "k8s:loopback/payments/ci-bot")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"k8s.cluster-admin"), "{rules:?}");

    // What was asked: bearer token, continue tokens followed, Secrets as metadata only and
    // filtered to service-account tokens.
    let reqs = server.requests();
    assert!(
        reqs.iter()
            .all(|r| r.headers.get("authorization").map(String::as_str)
                == Some("Bearer test-token-not-secret"))
    );
    let sa_pages: Vec<&Request> = reqs
        .iter()
        .filter(|r| r.path == "/api/v1/serviceaccounts")
        .collect();
    assert_eq!(sa_pages.len(), 2);
    assert_eq!(
        sa_pages[0].query.get("limit").map(String::as_str),
        Some("500")
    );
    let secrets = reqs.iter().find(|r| r.path == "/api/v1/secrets").unwrap();
    assert_eq!(
        secrets.query.get("fieldSelector").map(String::as_str),
        Some("type=kubernetes.io/service-account-token")
    );
    assert!(
        secrets.headers["accept"].contains("as=PartialObjectMetadataList"),
        "{:?}",
        secrets.headers
    );
}

#[test]
fn namespace_filter_lists_namespaced_kinds_in_that_namespace_only() {
    let server = StubServer::start(|req: &Request| {
        // Namespaced paths get empty lists; cluster-scoped ones the fixtures.
        if req.path.starts_with("/api/v1/namespaces/payments/")
            || req.path.starts_with("/apis/apps/v1/namespaces/payments/")
            || req.path.starts_with("/apis/batch/v1/namespaces/payments/")
            || req
                .path
                .starts_with("/apis/rbac.authorization.k8s.io/v1/namespaces/payments/")
        {
            return Response::json(
                200,
                r#"{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}"#,
            );
        }
        cluster(req)
    });
    let dir = tempfile::tempdir().unwrap();
    let kc = kubeconfig(dir.path(), &server.url());
    let out = nhiscan()
        .env_remove("KUBECONFIG")
        .args(["scan", "kubernetes", "--kubeconfig"])
        .arg(&kc)
        .args(["-n", "payments", "-f", "json", "-q", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reqs = server.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert!(
        paths.contains(&"/api/v1/namespaces/payments/serviceaccounts"),
        "{paths:?}"
    );
    assert!(paths.contains(&"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"));
    assert!(!paths.contains(&"/api/v1/serviceaccounts"), "{paths:?}");
}

#[test]
fn rejected_credentials_and_unreachable_servers_fail_with_one_clear_message() {
    let server = StubServer::start(|_: &Request| Response::json(401, fixture("unauthorized.json")));
    let dir = tempfile::tempdir().unwrap();
    let r = scan_live(&kubeconfig(dir.path(), &server.url()));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("rejected the credentials (401"),
        "{}",
        r.stderr
    );
    assert_eq!(r.json()["sources"][0]["status"], "failed");
    assert_eq!(server.requests().len(), 1, "no further calls after a 401");

    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let r = scan_live(&kubeconfig(dir.path(), &url));
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("cannot reach the Kubernetes API server"),
        "{}",
        r.stderr
    );

    // A kubeconfig that is not one.
    let bad = dir.path().join("bad-kubeconfig");
    std::fs::write(&bad, "clusters: [unterminated").unwrap();
    let r = scan_live(&bad);
    assert!(r.stderr.contains("bad-kubeconfig"), "{}", r.stderr);
}

/// A cluster where the owner chain is all there is: the Deployment list is empty (as for a
/// Deployment deleted with `--cascade=orphan`, or one the credentials may not list), a ReplicaSet
/// names its Deployment, and a Pod is owned by a custom resource (an Argo Rollout) nothing lists.
fn owner_chain_cluster(req: &Request) -> Response {
    let list = |kind: &str, api: &str, items: Value| {
        Response::json(
            200,
            serde_json::json!({
                "kind": format!("{kind}List"), "apiVersion": api,
                "metadata": {"resourceVersion": "7"}, "items": items,
            })
            .to_string(),
        )
    };
    let owner = |api: &str, kind: &str, name: &str| {
        serde_json::json!([{"apiVersion": api, "kind": kind, "name": name,
            "uid": format!("{name}-uid"), "controller": true, "blockOwnerDeletion": true}])
    };
    let sa = |name: &str| {
        serde_json::json!({"kind": "ServiceAccount", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "shop", "uid": format!("{name}-sa")}})
    };
    let pod = |name: &str, sa: &str, owners: Value| {
        serde_json::json!({"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "shop", "uid": format!("{name}-pod"),
                "ownerReferences": owners},
            "spec": {"serviceAccountName": sa,
                "containers": [{"name": "app", "image": "registry.example/app:2"}]},
            "status": {"phase": "Running"}})
    };
    match req.path.as_str() {
        "/api/v1/serviceaccounts" => list(
            "ServiceAccount",
            "v1",
            serde_json::json!([sa("web"), sa("canary")]),
        ),
        "/api/v1/pods" => list(
            "Pod",
            "v1",
            serde_json::json!([
                pod(
                    "web-5f7c9-abcde",
                    "web",
                    owner("apps/v1", "ReplicaSet", "web-5f7c9")
                ),
                pod(
                    "canary-6b8d-fghij",
                    "canary",
                    owner("argoproj.io/v1alpha1", "Rollout", "canary")
                ),
            ]),
        ),
        "/apis/apps/v1/replicasets" => list(
            "ReplicaSet",
            "apps/v1",
            serde_json::json!([{
                "kind": "ReplicaSet", "apiVersion": "apps/v1",
                "metadata": {"name": "web-5f7c9", "namespace": "shop", "uid": "web-5f7c9-uid",
                    "ownerReferences": owner("apps/v1", "Deployment", "web")},
                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"serviceAccountName": "web",
                            "containers": [{"name": "app", "image": "registry.example/app:2"}]}}}
            }]),
        ),
        p if p.starts_with("/apis/rbac.authorization.k8s.io/") => list(
            "Role",
            "rbac.authorization.k8s.io/v1",
            serde_json::json!([]),
        ),
        _ => list("Item", "v1", serde_json::json!([])),
    }
}

#[test]
fn pods_count_whatever_owns_them_named_after_their_top_controller() {
    let server = StubServer::start(owner_chain_cluster);
    let dir = tempfile::tempdir().unwrap();
    let r = scan_live(&kubeconfig(dir.path(), &server.url()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(
        identity(&j, "k8s:loopback/shop/web")["attributes"]["workloads"],
        serde_json::json!(["Deployment/web"])
    );
    assert_eq!(
        identity(&j, "k8s:loopback/shop/canary")["attributes"]["workloads"],
        serde_json::json!(["Rollout/canary"])
    );
    for id in ["k8s:loopback/shop/web", "k8s:loopback/shop/canary"] {
        assert!(
            !rules_for(&j, id).contains(&"k8s.unused-service-account".to_string()),
            "{id}: {:?}",
            rules_for(&j, id)
        );
    }
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path == "/apis/apps/v1/replicasets"),
        "ReplicaSets are listed"
    );
}

#[test]
fn no_secrets_skips_the_secret_list_and_says_so() {
    let server = StubServer::start(owner_chain_cluster);
    let dir = tempfile::tempdir().unwrap();
    let kc = kubeconfig(dir.path(), &server.url());
    let out = nhiscan()
        .env_remove("KUBECONFIG")
        .args(["scan", "kubernetes", "--no-secrets", "--kubeconfig"])
        .arg(&kc)
        .args(["-f", "json", "-q", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = j["sources"][0]["notes"].to_string();
    assert!(
        notes.contains("--no-secrets") && notes.contains("long-lived tokens are not reported"),
        "{notes}"
    );
    assert!(
        !server.requests().iter().any(|r| r.path.contains("secrets")),
        "no Secret list was requested"
    );
    // The same flag means nothing offline: refused, not ignored.
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        "fixtures/kubernetes",
        "--no-secrets",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn a_failing_credential_plugin_is_reported_as_that_with_its_stderr() {
    let server = StubServer::start(owner_chain_cluster);
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    // An exec plugin as kubeconfigs for EKS, AKS or GKE have one, failing as an expired SSO
    // session does.
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: loop\nclusters:\n- name: loopback\n  \
             cluster:\n    server: {}\ncontexts:\n- name: loop\n  context:\n    cluster: \
             loopback\n    user: sso\nusers:\n- name: sso\n  user:\n    exec:\n      \
             apiVersion: client.authentication.k8s.io/v1beta1\n      command: sh\n      args:\n      \
             - -c\n      - \"echo 'Error: the SSO session has expired or is invalid' >&2; exit 255\"\n      \
             interactiveMode: Never\n",
            server.url()
        ),
    )
    .unwrap();
    let r = scan_live(&kc);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("credential plugin failed")
            && r.stderr
                .contains("the SSO session has expired or is invalid"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("cannot reach"), "{}", r.stderr);
    assert!(server.requests().is_empty(), "no call without credentials");

    // A plugin that is not installed.
    let text = std::fs::read_to_string(&kc)
        .unwrap()
        .replace("command: sh", "command: /nonexistent/kubelogin");
    std::fs::write(&kc, text).unwrap();
    let r = scan_live(&kc);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("could not be started"), "{}", r.stderr);
}

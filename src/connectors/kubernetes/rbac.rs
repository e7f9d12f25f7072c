//! RBAC resolution: which rules reach a subject through every RoleBinding and ClusterRoleBinding
//! (direct, or through the `system:serviceaccounts[:<ns>]` and `system:authenticated` groups),
//! with ClusterRole aggregation, and the risk flags those rules add up to.

use super::objects::Object;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub groups: Vec<String>,
    pub resources: Vec<String>,
    pub names: Vec<String>,
}

/// A rule that applies to a subject, where, and through which binding.
#[derive(Debug, Clone)]
pub struct Grant {
    pub rule: Rule,
    /// `None`: cluster-wide (ClusterRoleBinding).
    pub namespace: Option<String>,
    pub via: String,
}

/// Who a binding names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    ServiceAccount { namespace: String, name: String },
    Group(String),
    User(String),
}

pub struct Rbac {
    /// (subject, grant) pairs from every binding.
    pub grants: Vec<(Subject, Grant)>,
    /// Bindings whose role does not exist: `binding -> role`.
    pub missing_roles: Vec<(String, String)>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn rules_of(o: &Object) -> Vec<Rule> {
    o.get(&["rules"])
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .map(|r| Rule {
                    verbs: strings(r.get("verbs")),
                    groups: strings(r.get("apiGroups")),
                    resources: strings(r.get("resources")),
                    names: strings(r.get("resourceNames")),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn resolve(objects: &[Object]) -> Rbac {
    let mut roles: BTreeMap<(String, String), Vec<Rule>> = BTreeMap::new();
    let mut cluster_roles: BTreeMap<String, Vec<Rule>> = BTreeMap::new();
    for o in objects {
        match o.kind.as_str() {
            "Role" => {
                let ns = o.namespace.clone().unwrap_or_else(|| "default".into());
                roles.insert((ns, o.name.clone()), rules_of(o));
            }
            "ClusterRole" => {
                cluster_roles.insert(o.name.clone(), rules_of(o));
            }
            _ => {}
        }
    }
    aggregate(objects, &mut cluster_roles);
    let mut grants = Vec::new();
    let mut missing_roles = Vec::new();
    for o in objects {
        let (scope, binding) = match o.kind.as_str() {
            "RoleBinding" => (
                Some(o.namespace.clone().unwrap_or_else(|| "default".into())),
                format!(
                    "RoleBinding {}/{}",
                    o.namespace.as_deref().unwrap_or("default"),
                    o.name
                ),
            ),
            "ClusterRoleBinding" => (None, format!("ClusterRoleBinding {}", o.name)),
            _ => continue,
        };
        let role_kind = o.str_at(&["roleRef", "kind"]).unwrap_or_default();
        let role_name = o
            .str_at(&["roleRef", "name"])
            .unwrap_or_default()
            .to_string();
        let rules = match (role_kind, &scope) {
            ("Role", Some(ns)) => roles.get(&(ns.clone(), role_name.clone())),
            ("ClusterRole", _) => cluster_roles.get(&role_name),
            _ => None,
        };
        let Some(rules) = rules else {
            missing_roles.push((binding.clone(), format!("{role_kind} {role_name}")));
            continue;
        };
        let via = format!("{binding} -> {role_kind} {role_name}");
        for s in o
            .get(&["subjects"])
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = s
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let subject = match s.get("kind").and_then(Value::as_str) {
                Some("ServiceAccount") => Subject::ServiceAccount {
                    namespace: s
                        .get("namespace")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| scope.clone())
                        .unwrap_or_else(|| "default".into()),
                    name,
                },
                Some("Group") => Subject::Group(name),
                Some("User") => Subject::User(name),
                _ => continue,
            };
            for r in rules {
                grants.push((
                    subject.clone(),
                    Grant {
                        rule: r.clone(),
                        namespace: scope.clone(),
                        via: via.clone(),
                    },
                ));
            }
        }
    }
    Rbac {
        grants,
        missing_roles,
    }
}

/// ClusterRoles with an `aggregationRule` get the rules of every ClusterRole whose labels match.
fn aggregate(objects: &[Object], cluster_roles: &mut BTreeMap<String, Vec<Rule>>) {
    for o in objects.iter().filter(|o| o.kind == "ClusterRole") {
        let Some(selectors) = o
            .get(&["aggregationRule", "clusterRoleSelectors"])
            .and_then(Value::as_array)
        else {
            continue;
        };
        let mut extra = Vec::new();
        for other in objects
            .iter()
            .filter(|x| x.kind == "ClusterRole" && x.name != o.name)
        {
            let labels = other.get(&["metadata", "labels"]);
            let matches = selectors.iter().any(|sel| {
                sel.get("matchLabels")
                    .and_then(Value::as_object)
                    .is_some_and(|want| {
                        !want.is_empty()
                            && want
                                .iter()
                                .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
                    })
            });
            if matches {
                extra.extend(rules_of(other));
            }
        }
        cluster_roles
            .entry(o.name.clone())
            .or_default()
            .extend(extra);
    }
}

/// Every subject a binding may name to reach a service account: itself, and the groups every
/// service account (or every one of its namespace, or every authenticated caller) belongs to.
pub fn subjects_of(namespace: &str, name: &str) -> [Subject; 4] {
    [
        Subject::ServiceAccount {
            namespace: namespace.to_string(),
            name: name.to_string(),
        },
        Subject::Group("system:serviceaccounts".into()),
        Subject::Group(format!("system:serviceaccounts:{namespace}")),
        Subject::Group("system:authenticated".into()),
    ]
}

fn has(list: &[String], want: &str) -> bool {
    list.iter().any(|x| x == "*" || x == want)
}

/// Whether a grant allows `verb` on `group`/`resource` (optionally a named object) in `ns`
/// (`None`: asking about cluster-wide access).
pub fn allows(
    g: &Grant,
    verb: &str,
    group: &str,
    resource: &str,
    name: Option<&str>,
    ns: Option<&str>,
) -> bool {
    let r = &g.rule;
    let scope_ok = match (&g.namespace, ns) {
        (None, _) => true,
        (Some(gn), Some(want)) => gn == want,
        (Some(_), None) => false,
    };
    let resource_ok = r.resources.iter().any(|x| {
        x == "*"
            || x == resource
            || resource
                .split_once('/')
                .is_some_and(|(base, _)| *x == format!("{base}/*"))
    });
    let name_ok = r.names.is_empty() || name.is_some_and(|n| r.names.iter().any(|x| x == n));
    scope_ok && has(&r.verbs, verb) && has(&r.groups, group) && resource_ok && name_ok
}

/// Risk flags of a set of grants, each with the binding that caused it (the evidence).
pub fn flags(grants: &[&Grant]) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let any =
        |verbs: &[&str], group: &str, resources: &[&str], name: Option<&str>, ns: Option<&str>| {
            grants
                .iter()
                .filter(|g| {
                    verbs
                        .iter()
                        .any(|v| resources.iter().any(|r| allows(g, v, group, r, name, ns)))
                })
                .map(|g| g.via.clone())
                .collect::<BTreeSet<_>>()
        };
    let mut set = |flag: &'static str, vias: BTreeSet<String>| {
        if !vias.is_empty() {
            out.entry(flag).or_default().extend(vias);
        }
    };
    let admin: BTreeSet<String> = grants
        .iter()
        .filter(|g| {
            g.namespace.is_none()
                && g.rule.verbs.iter().any(|v| v == "*")
                && g.rule.groups.iter().any(|v| v == "*")
                && g.rule.resources.iter().any(|v| v == "*")
        })
        .map(|g| g.via.clone())
        .collect();
    set("cluster_admin", admin);
    set(
        "wildcard",
        grants
            .iter()
            .filter(|g| {
                g.rule.verbs.iter().any(|v| v == "*") || g.rule.resources.iter().any(|v| v == "*")
            })
            .map(|g| g.via.clone())
            .collect(),
    );
    let read = ["get", "list", "watch"];
    set(
        "secrets_read_cluster",
        any(&read, "", &["secrets"], None, None),
    );
    set(
        "secrets_read_kube_system",
        any(&read, "", &["secrets"], None, Some("kube-system")),
    );
    set(
        "secrets_read",
        grants
            .iter()
            .filter(|g| {
                read.iter()
                    .any(|v| allows(g, v, "", "secrets", None, g.namespace.as_deref()))
            })
            .map(|g| g.via.clone())
            .collect(),
    );
    let rbac = "rbac.authorization.k8s.io";
    let mut esc = BTreeSet::new();
    for ns in grants
        .iter()
        .map(|g| g.namespace.as_deref())
        .collect::<BTreeSet<_>>()
    {
        esc.extend(any(
            &["escalate", "bind"],
            rbac,
            &["roles", "clusterroles"],
            None,
            ns,
        ));
        esc.extend(any(
            &["create", "update", "patch"],
            rbac,
            &["rolebindings", "clusterrolebindings"],
            None,
            ns,
        ));
    }
    set("escalate_bind", esc);
    let per_scope = |verbs: &[&str], group: &str, resources: &[&str]| {
        let mut s = BTreeSet::new();
        for ns in grants
            .iter()
            .map(|g| g.namespace.as_deref())
            .collect::<BTreeSet<_>>()
        {
            s.extend(any(verbs, group, resources, None, ns));
        }
        s
    };
    set(
        "impersonate",
        per_scope(
            &["impersonate"],
            "",
            &["users", "groups", "serviceaccounts"],
        ),
    );
    set(
        "pods_exec",
        per_scope(&["create"], "", &["pods/exec", "pods/attach"]),
    );
    let mut eph = per_scope(&["patch", "update"], "", &["pods/ephemeralcontainers"]);
    out.entry("pods_exec").or_default().append(&mut eph);
    out.retain(|_, v| !v.is_empty());
    let mut set = |flag: &'static str, vias: BTreeSet<String>| {
        if !vias.is_empty() {
            out.entry(flag).or_default().extend(vias);
        }
    };
    set(
        "nodes_proxy",
        per_scope(&["get", "create"], "", &["nodes/proxy"]),
    );
    set(
        "token_create",
        per_scope(&["create"], "", &["serviceaccounts/token"]),
    );
    set(
        "csr_approve",
        per_scope(
            &["update", "patch"],
            "certificates.k8s.io",
            &["certificatesigningrequests/approval"],
        ),
    );
    set(
        "webhook_write",
        per_scope(
            &["create", "update", "patch"],
            "admissionregistration.k8s.io",
            &[
                "mutatingwebhookconfigurations",
                "validatingwebhookconfigurations",
            ],
        ),
    );
    set(
        "aws_auth_write",
        any(
            &["update", "patch"],
            "",
            &["configmaps"],
            Some("aws-auth"),
            Some("kube-system"),
        ),
    );
    let mut wl = any(&["create"], "", &["pods"], None, Some("kube-system"));
    wl.extend(any(
        &["create"],
        "apps",
        &["deployments", "daemonsets", "statefulsets"],
        None,
        Some("kube-system"),
    ));
    set("workload_create_kube_system", wl);
    out
}

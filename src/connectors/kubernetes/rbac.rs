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

/// Where an action must be allowed for a flag to hold.
#[derive(Clone, Copy)]
enum Place {
    /// In the grant's own scope (its namespace, or anywhere if cluster-wide).
    Own,
    /// In this namespace (`None`: cluster-wide).
    At(Option<&'static str>),
}

/// One way to earn a flag: any of `verbs` on any of `resources` (optionally one named object).
struct Check {
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
    name: Option<&'static str>,
    place: Place,
}

const fn own(
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
) -> Check {
    Check {
        verbs,
        group,
        resources,
        name: None,
        place: Place::Own,
    }
}

const fn at(
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
    name: Option<&'static str>,
    ns: Option<&'static str>,
) -> Check {
    Check {
        verbs,
        group,
        resources,
        name,
        place: Place::At(ns),
    }
}

const READ: &[&str] = &["get", "list", "watch"];
const RBAC: &str = "rbac.authorization.k8s.io";
const KS: Option<&str> = Some("kube-system");

/// Each action-based flag and the checks that earn it (any one suffices).
const FLAG_CHECKS: &[(&str, &[Check])] = &[
    (
        "secrets_read_cluster",
        &[at(READ, "", &["secrets"], None, None)],
    ),
    (
        "secrets_read_kube_system",
        &[at(READ, "", &["secrets"], None, KS)],
    ),
    ("secrets_read", &[own(READ, "", &["secrets"])]),
    (
        "escalate_bind",
        &[
            own(&["escalate", "bind"], RBAC, &["roles", "clusterroles"]),
            own(
                &["create", "update", "patch"],
                RBAC,
                &["rolebindings", "clusterrolebindings"],
            ),
        ],
    ),
    (
        "impersonate",
        &[own(
            &["impersonate"],
            "",
            &["users", "groups", "serviceaccounts"],
        )],
    ),
    (
        "pods_exec",
        &[
            own(&["create"], "", &["pods/exec", "pods/attach"]),
            own(&["patch", "update"], "", &["pods/ephemeralcontainers"]),
        ],
    ),
    (
        "nodes_proxy",
        &[own(&["get", "create"], "", &["nodes/proxy"])],
    ),
    (
        "token_create",
        &[own(&["create"], "", &["serviceaccounts/token"])],
    ),
    (
        "csr_approve",
        &[own(
            &["update", "patch"],
            "certificates.k8s.io",
            &["certificatesigningrequests/approval"],
        )],
    ),
    (
        "webhook_write",
        &[own(
            &["create", "update", "patch"],
            "admissionregistration.k8s.io",
            &[
                "mutatingwebhookconfigurations",
                "validatingwebhookconfigurations",
            ],
        )],
    ),
    (
        "aws_auth_write",
        &[at(
            &["update", "patch"],
            "",
            &["configmaps"],
            Some("aws-auth"),
            KS,
        )],
    ),
    (
        "workload_create_kube_system",
        &[
            at(&["create"], "", &["pods"], None, KS),
            at(
                &["create"],
                "apps",
                &["deployments", "daemonsets", "statefulsets"],
                None,
                KS,
            ),
        ],
    ),
];

impl Check {
    fn holds(&self, g: &Grant) -> bool {
        let ns = match self.place {
            Place::Own => g.namespace.as_deref(),
            Place::At(ns) => ns,
        };
        self.verbs.iter().any(|v| {
            self.resources
                .iter()
                .any(|r| allows(g, v, self.group, r, self.name, ns))
        })
    }
}

/// A test of one grant's shape (not of what it allows).
type GrantTest<'a> = &'a dyn Fn(&Grant) -> bool;

/// Risk flags of a set of grants, each with the bindings that caused it (the evidence).
pub fn flags(grants: &[&Grant]) -> BTreeMap<&'static str, BTreeSet<String>> {
    let star = |list: &[String]| list.iter().any(|v| v == "*");
    let shape_flags: [(&'static str, GrantTest); 2] = [
        ("cluster_admin", &|g: &Grant| {
            g.namespace.is_none()
                && star(&g.rule.verbs)
                && star(&g.rule.groups)
                && star(&g.rule.resources)
        }),
        ("wildcard", &|g: &Grant| {
            star(&g.rule.verbs) || star(&g.rule.resources)
        }),
    ];
    let action_flags = FLAG_CHECKS.iter().map(|(flag, checks)| {
        (
            *flag,
            grants
                .iter()
                .filter(|g| checks.iter().any(|c| c.holds(g)))
                .map(|g| g.via.clone())
                .collect(),
        )
    });
    shape_flags
        .iter()
        .map(|(flag, holds)| {
            (
                *flag,
                grants
                    .iter()
                    .filter(|g| holds(g))
                    .map(|g| g.via.clone())
                    .collect(),
            )
        })
        .chain(action_flags)
        .filter(|(_, vias): &(&str, BTreeSet<String>)| !vias.is_empty())
        .collect()
}

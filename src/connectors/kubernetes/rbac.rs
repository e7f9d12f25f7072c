//! RBAC resolution: which rules reach a subject through every RoleBinding and ClusterRoleBinding
//! (direct, or through the `system:serviceaccounts[:<ns>]` and `system:authenticated` groups),
//! with ClusterRole aggregation, and the risk flags those rules add up to. Offline, a role the
//! input does not define resolves to the built-in one of the bootstrap policy; every grant is
//! marked default when the platform itself makes it (see [`super::bootstrap`]).

use super::bootstrap;
use super::objects::Object;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// The platform's own grant: a bootstrap-policy binding, to a subject the policy names, of a
    /// rule the built-in role has. Inventoried, not judged (unless `--include-platform`).
    pub default: bool,
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
    /// Bindings whose role the input does not define, resolved to the built-in one:
    /// `binding -> role`.
    pub builtin_roles: Vec<(String, String)>,
    /// Bootstrap-policy bindings whose role neither the input nor the embedded policy defines.
    pub platform_unresolved: Vec<(String, String)>,
}

/// How roles are found and which grants count as the platform's.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Resolve a role the input does not define to the bootstrap policy's (offline: the API
    /// server would have it; live, a missing role really is missing).
    pub builtin_roles: bool,
    /// Judge the platform's own grants like any other (no grant is marked default).
    pub include_platform: bool,
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

pub fn resolve(objects: &[Object], options: Options) -> Rbac {
    let policy = bootstrap::policy();
    let mut roles: BTreeMap<(String, String), &Object> = BTreeMap::new();
    let mut cluster_roles: BTreeMap<String, &Object> = BTreeMap::new();
    for o in objects {
        match o.kind.as_str() {
            "Role" => {
                roles.insert((ns_or_default(o), o.name.clone()), o);
            }
            "ClusterRole" => {
                cluster_roles.insert(o.name.clone(), o);
            }
            _ => {}
        }
    }
    // Built-in roles the input does not define (a definition in the input wins). They take part
    // in aggregation too: the input's ClusterRoles labelled aggregate-to-view reach `view`.
    let defined_in_input: BTreeSet<String> = cluster_roles.keys().cloned().collect();
    if options.builtin_roles {
        for o in &policy.objects {
            match o.kind.as_str() {
                "Role" => {
                    roles.entry((ns_or_default(o), o.name.clone())).or_insert(o);
                }
                "ClusterRole" => {
                    cluster_roles.entry(o.name.clone()).or_insert(o);
                }
                _ => {}
            }
        }
    }
    let cluster_rules = aggregate(&cluster_roles);
    let mut grants = Vec::new();
    let mut missing_roles = Vec::new();
    let mut builtin_roles = Vec::new();
    let mut platform_unresolved = Vec::new();
    for o in objects {
        let (scope, binding) = match o.kind.as_str() {
            "RoleBinding" => (
                Some(ns_or_default(o)),
                format!("RoleBinding {}/{}", ns_or_default(o), o.name),
            ),
            "ClusterRoleBinding" => (None, format!("ClusterRoleBinding {}", o.name)),
            _ => continue,
        };
        let role_kind = o.str_at(&["roleRef", "kind"]).unwrap_or_default();
        let role_name = o
            .str_at(&["roleRef", "name"])
            .unwrap_or_default()
            .to_string();
        let (rules, role_obj) = match (role_kind, &scope) {
            ("Role", Some(ns)) => match roles.get(&(ns.clone(), role_name.clone())) {
                Some(r) => (Some(rules_of(r)), Some(*r)),
                None => (None, None),
            },
            ("ClusterRole", _) => (
                cluster_rules.get(&role_name).cloned(),
                cluster_roles.get(&role_name).copied(),
            ),
            _ => (None, None),
        };
        let Some(rules) = rules else {
            let role = format!("{role_kind} {role_name}");
            if policy.is_default_binding(o) {
                // The platform's own binding to a role this version of the embedded policy does
                // not define (a newer or older Kubernetes): nothing is known to judge.
                platform_unresolved.push((binding.clone(), role));
            } else {
                missing_roles.push((binding.clone(), role));
            }
            continue;
        };
        if role_obj.is_some_and(|r| r.origin.starts_with("builtin:"))
            && !(role_kind == "ClusterRole" && defined_in_input.contains(&role_name))
        {
            builtin_roles.push((binding.clone(), format!("{role_kind} {role_name}")));
        }
        // The rules the platform's own role has, to tell an added rule from a default one.
        let default_binding = !options.include_platform && policy.is_default_binding(o);
        let builtin_rules: Option<Vec<Rule>> = default_binding
            .then(|| {
                policy
                    .role(role_kind, scope.as_deref(), &role_name)
                    .map(rules_of)
            })
            .flatten();
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
            let kind = s.get("kind").and_then(Value::as_str).unwrap_or_default();
            let subject = match kind {
                "ServiceAccount" => Subject::ServiceAccount {
                    namespace: s
                        .get("namespace")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| scope.clone())
                        .unwrap_or_else(|| "default".into()),
                    name,
                },
                "Group" => Subject::Group(name),
                "User" => Subject::User(name),
                _ => continue,
            };
            let subject_is_default = default_binding && {
                let (ns, n) = match &subject {
                    Subject::ServiceAccount { namespace, name } => (namespace.as_str(), name),
                    Subject::Group(n) | Subject::User(n) => ("", n),
                };
                policy.binds(o, &bootstrap::subject_key(kind, ns, n))
            };
            for r in &rules {
                let default = subject_is_default
                    && builtin_rules
                        .as_ref()
                        .is_none_or(|builtin| builtin.contains(r));
                grants.push((
                    subject.clone(),
                    Grant {
                        rule: r.clone(),
                        namespace: scope.clone(),
                        via: via.clone(),
                        default,
                    },
                ));
            }
        }
    }
    Rbac {
        grants,
        missing_roles,
        builtin_roles,
        platform_unresolved,
    }
}

fn ns_or_default(o: &Object) -> String {
    o.namespace.clone().unwrap_or_else(|| "default".into())
}

/// The rules of every ClusterRole, with aggregation: a ClusterRole with an `aggregationRule` gets
/// the rules of every ClusterRole whose labels match, themselves aggregated (`admin` takes `edit`,
/// which takes `view`), as the API server's aggregation controller does. Cycles stop.
fn aggregate(cluster_roles: &BTreeMap<String, &Object>) -> BTreeMap<String, Vec<Rule>> {
    fn rules(
        name: &str,
        cluster_roles: &BTreeMap<String, &Object>,
        seen: &mut BTreeSet<String>,
    ) -> Vec<Rule> {
        let Some(o) = cluster_roles.get(name) else {
            return Vec::new();
        };
        if !seen.insert(name.to_string()) {
            return Vec::new();
        }
        let mut out = rules_of(o);
        let Some(selectors) = o
            .get(&["aggregationRule", "clusterRoleSelectors"])
            .and_then(Value::as_array)
        else {
            return out;
        };
        for (other_name, other) in cluster_roles.iter().filter(|(n, _)| n.as_str() != name) {
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
                for r in rules(other_name, cluster_roles, seen) {
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
            }
        }
        out
    }
    cluster_roles
        .keys()
        .map(|name| {
            (
                name.clone(),
                rules(name, cluster_roles, &mut BTreeSet::new()),
            )
        })
        .collect()
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

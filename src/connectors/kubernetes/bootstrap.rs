//! The Kubernetes bootstrap RBAC policy, embedded: the ClusterRoles, ClusterRoleBindings, Roles
//! and RoleBindings every API server creates at start-up (upstream golden files, verbatim, in
//! `data/kubernetes/bootstrap/`; see the README there for the version).
//!
//! Two uses. Offline, manifests bind to `cluster-admin`, `edit` or `system:auth-delegator` without
//! defining them (the API server does), so a roleRef the input does not define resolves to the
//! built-in role. And on every input, a binding, role or service account the platform itself
//! creates is told apart from what a user added, so the defaults are inventoried but not judged.

use super::objects::{Object, flatten};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The upstream files, in the order they are read.
const FILES: [(&str, &str); 6] = [
    (
        "cluster-roles.yaml",
        include_str!("../../../data/kubernetes/bootstrap/cluster-roles.yaml"),
    ),
    (
        "cluster-role-bindings.yaml",
        include_str!("../../../data/kubernetes/bootstrap/cluster-role-bindings.yaml"),
    ),
    (
        "controller-roles.yaml",
        include_str!("../../../data/kubernetes/bootstrap/controller-roles.yaml"),
    ),
    (
        "controller-role-bindings.yaml",
        include_str!("../../../data/kubernetes/bootstrap/controller-role-bindings.yaml"),
    ),
    (
        "namespace-roles.yaml",
        include_str!("../../../data/kubernetes/bootstrap/namespace-roles.yaml"),
    ),
    (
        "namespace-role-bindings.yaml",
        include_str!("../../../data/kubernetes/bootstrap/namespace-role-bindings.yaml"),
    ),
];

/// The label the API server puts on every object of its bootstrap policy.
pub const LABEL: (&str, &str) = ("kubernetes.io/bootstrapping", "rbac-defaults");

/// The bootstrap policy, indexed for the lookups RBAC resolution and the mapping make.
pub struct Policy {
    /// Every object of the policy, origin `builtin:<file>`.
    pub objects: Vec<Object>,
    /// `(kind, namespace, name)` of every role and binding.
    keys: BTreeSet<(String, Option<String>, String)>,
    /// Service accounts the policy binds: `(namespace, name)`.
    accounts: BTreeSet<(String, String)>,
    /// Subjects of each binding, as `kind/namespace/name` strings.
    subjects: BTreeMap<(String, Option<String>, String), BTreeSet<String>>,
}

/// The embedded policy, parsed once. The files are part of the binary, so a parse failure is a
/// build defect, caught by the unit test below.
pub fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let mut objects = Vec::new();
        for (file, text) in FILES {
            let v: Value = serde_saphyr::from_str(text)
                .unwrap_or_else(|e| panic!("embedded bootstrap policy {file}: {e}"));
            flatten(v, &format!("builtin:{file}"), &mut objects);
        }
        let key = |o: &Object| (o.kind.clone(), o.namespace.clone(), o.name.clone());
        let keys = objects.iter().map(key).collect();
        let mut accounts = BTreeSet::new();
        let mut subjects = BTreeMap::new();
        for o in objects.iter().filter(|o| o.kind.ends_with("Binding")) {
            let mut names = BTreeSet::new();
            for s in o
                .get(&["subjects"])
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let kind = s.get("kind").and_then(Value::as_str).unwrap_or_default();
                let name = s.get("name").and_then(Value::as_str).unwrap_or_default();
                let ns = s
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if kind == "ServiceAccount" {
                    accounts.insert((ns.to_string(), name.to_string()));
                }
                names.insert(subject_key(kind, ns, name));
            }
            subjects.insert(key(o), names);
        }
        Policy {
            objects,
            keys,
            accounts,
            subjects,
        }
    })
}

/// How a binding subject is compared with the policy's.
pub fn subject_key(kind: &str, namespace: &str, name: &str) -> String {
    if kind == "ServiceAccount" {
        format!("{kind}/{namespace}/{name}")
    } else {
        format!("{kind}/{name}")
    }
}

/// Whether an object carries the bootstrap label.
pub fn labelled(o: &Object) -> bool {
    o.str_at(&["metadata", "labels", LABEL.0]) == Some(LABEL.1)
}

impl Policy {
    /// The built-in role of this kind and name (`namespace` for a Role), if the policy has one.
    pub fn role(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object> {
        self.objects.iter().find(|o| {
            o.kind == kind
                && o.name == name
                && (kind == "ClusterRole" || o.namespace.as_deref() == namespace)
        })
    }

    /// Whether the policy has an object of this kind, namespace and name.
    pub fn has(&self, kind: &str, namespace: Option<&str>, name: &str) -> bool {
        let ns = if kind.starts_with("Cluster") {
            None
        } else {
            namespace.map(str::to_string)
        };
        self.keys
            .contains(&(kind.to_string(), ns, name.to_string()))
    }

    /// Whether a binding in the input is the platform's: labelled as such, or named as one of the
    /// policy's.
    pub fn is_default_binding(&self, o: &Object) -> bool {
        labelled(o) || self.has(&o.kind, o.namespace.as_deref(), &o.name)
    }

    /// Whether the policy's own binding of this name lists the subject. A labelled binding the
    /// embedded version does not know (a newer Kubernetes) is taken as the platform's whole.
    pub fn binds(&self, binding: &Object, subject: &str) -> bool {
        let key = (
            binding.kind.clone(),
            if binding.kind == "RoleBinding" {
                binding.namespace.clone()
            } else {
                None
            },
            binding.name.clone(),
        );
        match self.subjects.get(&key) {
            Some(subjects) => subjects.contains(subject),
            None => labelled(binding),
        }
    }

    /// Whether the policy binds this service account (a control-plane controller's account).
    pub fn binds_account(&self, namespace: &str, name: &str) -> bool {
        self.accounts
            .contains(&(namespace.to_string(), name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_policy_parses_and_holds_the_well_known_roles() {
        let p = policy();
        for name in [
            "cluster-admin",
            "admin",
            "edit",
            "view",
            "system:basic-user",
        ] {
            assert!(p.role("ClusterRole", None, name).is_some(), "{name}");
        }
        assert!(p.has("ClusterRoleBinding", None, "system:public-info-viewer"));
        assert!(
            p.role(
                "Role",
                Some("kube-system"),
                "extension-apiserver-authentication-reader"
            )
            .is_some()
        );
        assert!(p.binds_account("kube-system", "generic-garbage-collector"));
        assert!(!p.binds_account("kube-system", "default"));
        assert!(p.objects.iter().all(labelled));
    }
}

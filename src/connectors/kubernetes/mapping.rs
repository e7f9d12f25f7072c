//! The pure mapping from Kubernetes objects to the inventory, shared by offline manifests and
//! live API lists: service accounts with their effective RBAC, the workloads that run as them,
//! token automounting, cloud identity links and legacy token Secrets, plus the "anyone" groups.

use super::objects::Object;
use super::{platform, rbac};
use crate::inventory::{Credential, Identity, Owner, OwnerSource, Permissions};
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Annotations that tie a service account to a cloud identity.
const CLOUD_LINKS: [&str; 3] = [
    "eks.amazonaws.com/role-arn",
    "iam.gke.io/gcp-service-account",
    "azure.workload.identity/client-id",
];

/// Groups whose bindings grant access to every caller (or every SA): reported as identities.
const BROAD_GROUPS: [&str; 3] = [
    "system:anonymous",
    "system:unauthenticated",
    "system:authenticated",
];

/// Where a pod spec sits in an object that runs pods. A Pod's own spec is the fact; the others
/// are templates. Any kind with `spec.template.spec` counts (Deployments, ReplicaSets, Jobs, and
/// workload custom resources such as Argo Rollouts or Knative Services), as do CronJob-style
/// `spec.jobTemplate` and KEDA ScaledJob's `spec.jobTargetRef`.
const POD_SPECS: [&[&str]; 3] = [
    &["spec", "template", "spec"],
    &["spec", "jobTemplate", "spec", "template", "spec"],
    &["spec", "jobTargetRef", "template", "spec"],
];

/// The pod spec an object runs, if it runs pods.
fn pod_spec(o: &Object) -> Option<&Value> {
    if o.kind == "Pod" {
        return o.get(&["spec"]).filter(|s| s.is_object());
    }
    if o.kind == "PodTemplate" {
        // A template stored for others to use runs nothing by itself.
        return None;
    }
    POD_SPECS
        .iter()
        .find_map(|path| o.get(path))
        .filter(|s| s.get("containers").is_some())
}

/// Owner chains are followed this far (Pod → ReplicaSet → Deployment → a GitOps object…).
const MAX_OWNER_HOPS: usize = 8;

/// The name a workload is known by: its top-most controller (`Deployment/api` for a Pod of a
/// ReplicaSet of a Deployment), followed through the objects read; an owner that was not read
/// (a custom resource such as an Argo Rollout) is named from the owner reference itself.
fn workload_label(o: &Object, index: &BTreeMap<(&str, String, &str), &Object>) -> String {
    let mut kind = o.kind.clone();
    let mut name = o.name.clone();
    let mut current = Some(o);
    for _ in 0..MAX_OWNER_HOPS {
        let Some(obj) = current else { break };
        let Some(owner) = obj
            .get(&["metadata", "ownerReferences"])
            .and_then(Value::as_array)
            .and_then(|refs| {
                refs.iter()
                    .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
            })
        else {
            break;
        };
        let (Some(k), Some(n)) = (
            owner.get("kind").and_then(Value::as_str),
            owner.get("name").and_then(Value::as_str),
        ) else {
            break;
        };
        kind = k.to_string();
        name = n.to_string();
        current = index.get(&(k, ns_of(obj), n)).copied();
    }
    format!("{kind}/{name}")
}

/// (namespace, service account name).
type SaKey = (String, String);
/// A workload running as a service account: `Kind/name` and its pod-level automount setting.
type WorkloadUse = (String, Option<bool>);

/// How identities are named and owned: the same for every way the objects were read.
pub struct Mapper<'a> {
    /// Name used in identity ids (`k8s:<cluster>/<ns>/<sa>`).
    pub cluster: &'a str,
    /// Label/annotation keys that name an owner, in order of preference.
    pub owner_keys: &'a [String],
    /// Judge the platform's own accounts and defaults like any other (no `managed_by`).
    pub include_platform: bool,
}

impl Mapper<'_> {
    /// Every service account plus the broad groups that hold bindings.
    pub fn identities(&self, objects: &[Object], rbac: &rbac::Rbac) -> Vec<Identity> {
        let mut out = self.service_accounts(objects, rbac);
        out.extend(self.broad_groups(rbac));
        out
    }

    fn service_accounts(&self, objects: &[Object], rbac: &rbac::Rbac) -> Vec<Identity> {
        // Every SA declared, plus every one a workload or binding names (the `default` SA exists
        // in every namespace even when no manifest declares it).
        let mut sas: BTreeMap<(String, String), Option<&Object>> = BTreeMap::new();
        for o in objects.iter().filter(|o| o.kind == "ServiceAccount") {
            sas.insert((ns_of(o), o.name.clone()), Some(o));
        }
        // The service account a pod (or pod template) names is the fact; what owns the pod only
        // names the workload. So every pod counts, whoever controls it, and so does every
        // template, listed or not.
        let index: BTreeMap<(&str, String, &str), &Object> = objects
            .iter()
            .map(|o| ((o.kind.as_str(), ns_of(o), o.name.as_str()), o))
            .collect();
        let mut workloads: BTreeMap<SaKey, Vec<WorkloadUse>> = BTreeMap::new();
        for o in objects {
            let Some(spec) = pod_spec(o) else {
                continue;
            };
            let sa = spec
                .get("serviceAccountName")
                .or_else(|| spec.get("serviceAccount"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or("default")
                .to_string();
            let key = (ns_of(o), sa);
            sas.entry(key.clone()).or_insert(None);
            let automount = spec
                .get("automountServiceAccountToken")
                .and_then(Value::as_bool);
            let use_ = (workload_label(o, &index), automount);
            let uses = workloads.entry(key).or_default();
            if !uses.contains(&use_) {
                uses.push(use_);
            }
        }
        for (s, _) in &rbac.grants {
            if let rbac::Subject::ServiceAccount { namespace, name } = s {
                sas.entry((namespace.clone(), name.clone())).or_insert(None);
            }
        }
        // Indexes, so each service account is resolved without scanning every binding or Secret.
        let mut by_subject: BTreeMap<&rbac::Subject, Vec<&rbac::Grant>> = BTreeMap::new();
        for (s, g) in &rbac.grants {
            by_subject.entry(s).or_default().push(g);
        }
        let mut legacy: BTreeMap<SaKey, Vec<&Object>> = BTreeMap::new();
        for o in objects.iter().filter(|o| {
            o.kind == "Secret" && o.str_at(&["type"]) == Some("kubernetes.io/service-account-token")
        }) {
            if let Some(sa) = o.str_at(&[
                "metadata",
                "annotations",
                "kubernetes.io/service-account.name",
            ]) {
                legacy
                    .entry((ns_of(o), sa.to_string()))
                    .or_default()
                    .push(o);
            }
        }
        // Each service account is resolved on its own: spread them over all cores.
        let sas: Vec<_> = sas.into_iter().collect();
        sas.into_par_iter()
            .map(|((ns, name), obj)| {
                let subjects = rbac::subjects_of(&ns, &name);
                let grants: Vec<&rbac::Grant> = subjects
                    .iter()
                    .filter_map(|s| by_subject.get(s))
                    .flatten()
                    .copied()
                    .collect();
                let used_by = workloads
                    .get(&(ns.clone(), name.clone()))
                    .cloned()
                    .unwrap_or_default();
                let tokens: Vec<&Object> = legacy
                    .get(&(ns.clone(), name.clone()))
                    .cloned()
                    .unwrap_or_default();
                self.identity(&ns, &name, obj, &grants, &used_by, &tokens)
            })
            .collect()
    }

    fn identity(
        &self,
        ns: &str,
        name: &str,
        obj: Option<&Object>,
        grants: &[&rbac::Grant],
        used_by: &[(String, Option<bool>)],
        tokens: &[&Object],
    ) -> Identity {
        let labels = string_map(obj.and_then(|o| o.get(&["metadata", "labels"])));
        let annotations = string_map(obj.and_then(|o| o.get(&["metadata", "annotations"])));
        let owner = self.owner_keys.iter().find_map(|k| {
            labels
                .get(k)
                .map(|v| (v, OwnerSource::Label, k))
                .or_else(|| annotations.get(k).map(|v| (v, OwnerSource::Annotation, k)))
                .map(|(v, source, k)| Owner {
                    name: v.clone(),
                    source,
                    detail: Some(k.clone()),
                })
        });
        // The platform's own grants are inventoried (platform_bindings) but neither flagged nor
        // counted as bindings: a stock cluster's defaults are not the user's findings.
        let (defaults, grants): (Vec<&rbac::Grant>, Vec<&rbac::Grant>) =
            grants.iter().partition(|g| g.default);
        let grants = &grants[..];
        let flags = rbac::flags(grants);
        let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
        attributes.insert("namespace".into(), json!(ns));
        if !defaults.is_empty() {
            attributes.insert("platform_bindings".into(), bindings_of(&defaults));
        }
        if !self.include_platform
            && let Some(by) = platform::managed_by(ns, name)
        {
            attributes.insert("managed_by".into(), json!(by));
        }
        attributes.insert("declared".into(), json!(obj.is_some()));
        if let Some(o) = obj {
            attributes.insert("declared_in".into(), json!(o.origin));
        }
        let mut names: Vec<&String> = Vec::new();
        for (w, _) in used_by {
            if !names.contains(&w) {
                names.push(w);
            }
        }
        attributes.insert("workloads".into(), json!(names));
        let sa_automount = obj
            .and_then(|o| o.get(&["automountServiceAccountToken"]))
            .and_then(Value::as_bool);
        // A pod mounts the token unless the pod or (failing that) the SA says not to.
        let mounted = used_by
            .iter()
            .any(|(_, pod)| pod.or(sa_automount).unwrap_or(true));
        attributes.insert(
            "automount_token".into(),
            json!(sa_automount.unwrap_or(true)),
        );
        attributes.insert("token_mounted_by_workloads".into(), json!(mounted));
        attributes.insert("bindings".into(), bindings_of(grants));
        attributes.insert(
            "flag_evidence".into(),
            json!(
                flags
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect::<BTreeMap<_, _>>()
            ),
        );
        for link in CLOUD_LINKS {
            if let Some(v) = annotations.get(link) {
                attributes.insert("cloud_identity".into(), json!(v));
                attributes.insert("cloud_identity_annotation".into(), json!(link));
            }
        }
        let credentials = tokens.iter().map(|s| legacy_token(s)).collect::<Vec<_>>();
        let last_used = credentials.iter().filter_map(|c| c.last_used_at).max();
        let mut actions: Vec<String> = grants
            .iter()
            .map(|g| {
                format!(
                    "{} {}{} ({})",
                    g.rule.verbs.join(","),
                    g.rule.resources.join(","),
                    if g.rule.names.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", g.rule.names.join(","))
                    },
                    g.namespace.as_deref().unwrap_or("cluster")
                )
            })
            .collect();
        actions.sort();
        actions.dedup();
        Identity {
            id: format!("k8s:{}/{ns}/{name}", self.cluster),
            kind: "k8s.service_account".into(),
            source: "kubernetes".into(),
            name: format!("{ns}/{name}"),
            created_at: obj
                .and_then(|o| o.str_at(&["metadata", "creationTimestamp"]))
                .and_then(|t| t.parse().ok()),
            last_used_at: last_used,
            labels: labels.into_iter().chain(annotations).collect(),
            owner,
            permissions: Permissions {
                actions,
                flags: flags.keys().map(|k| k.to_string()).collect(),
            },
            credentials,
            attributes,
        }
    }

    /// Bindings to groups that mean "anyone" become identities of their own, so rules can flag them.
    fn broad_groups(&self, rbac: &rbac::Rbac) -> Vec<Identity> {
        BROAD_GROUPS
            .iter()
            .filter_map(|g| {
                // Only what goes beyond the bootstrap defaults (discovery, basic-user,
                // public-info-viewer): those every cluster grants to every caller.
                let grants: Vec<&rbac::Grant> = rbac
                    .grants
                    .iter()
                    .filter(|(s, gr)| *s == rbac::Subject::Group(g.to_string()) && !gr.default)
                    .map(|(_, gr)| gr)
                    .collect();
                if grants.is_empty() {
                    return None;
                }
                let mut group = Identity::new(
                    format!("k8s:{}/group/{g}", self.cluster),
                    "k8s.group",
                    "kubernetes",
                    *g,
                );
                group.permissions.flags =
                    rbac::flags(&grants).keys().map(|k| k.to_string()).collect();
                group
                    .attributes
                    .insert("bindings".into(), bindings_of(&grants));
                Some(group)
            })
            .collect()
    }
}

/// The distinct bindings (`Binding -> Role`) behind a set of grants: evidence for every finding.
fn bindings_of(grants: &[&rbac::Grant]) -> Value {
    json!(
        grants
            .iter()
            .map(|g| g.via.clone())
            .collect::<BTreeSet<_>>()
    )
}

fn ns_of(o: &Object) -> String {
    o.namespace.clone().unwrap_or_else(|| "default".into())
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// A legacy long-lived token Secret: metadata only, the token value is never read.
fn legacy_token(s: &Object) -> Credential {
    let label = |k: &str| s.str_at(&["metadata", "labels", k]);
    let day = |v: Option<&str>| -> Option<DateTime<Utc>> {
        v.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
    };
    let invalid = label("kubernetes.io/legacy-token-invalid-since");
    Credential {
        id: format!("secret:{}/{}", ns_of(s), s.name),
        kind: "legacy_service_account_token".into(),
        created_at: s
            .str_at(&["metadata", "creationTimestamp"])
            .and_then(|t| t.parse().ok()),
        last_used_at: day(label("kubernetes.io/legacy-token-last-used")),
        expires_at: None,
        last_rotated_at: None,
        status: if invalid.is_some() {
            "inactive".into()
        } else {
            "active".into()
        },
        found: None,
    }
}

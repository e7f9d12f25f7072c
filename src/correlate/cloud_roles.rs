//! A service account annotated with a cloud identity (IRSA `eks.amazonaws.com/role-arn`) ↔ the
//! IAM role it assumes. Whoever controls a pod running as the account holds the role's rights, so
//! the account inherits the role's permission flags as `cloud_identity_flags`, with
//! `cloud_identity_joined: true`; the role records `assumed_by_service_accounts`.
//!
//! EKS Pod Identity links a role to service accounts from the role's side
//! (`pod_identity_service_accounts`, read by the AWS connector from the EKS API); the join writes
//! the same facts.
//!
//! GKE and Azure workload identities are recorded by the Kubernetes connector but have no cloud
//! connector to join with yet.

use super::index::{Edit, Index};
use crate::inventory::Identity;
use serde_json::{Value, json};

pub fn join(identities: &[Identity], idx: &Index, edits: &mut Vec<Edit>) {
    for (i, sa) in identities.iter().enumerate() {
        if sa.kind != "k8s.service_account" {
            continue;
        }
        let Some(Value::String(role_arn)) = sa.attributes.get("cloud_identity") else {
            continue;
        };
        let Some(&r) = idx.by_id.get(role_arn) else {
            continue;
        };
        let role = &identities[r];
        if role.kind != "aws.role" {
            continue;
        }
        edits.push(Edit::set(i, "cloud_identity_joined", json!(true)));
        edits.push(Edit::set(
            i,
            "cloud_identity_flags",
            json!(role.permissions.flags),
        ));
        edits.push(Edit::push(r, "assumed_by_service_accounts", json!(sa.id)));
    }
    pod_identity(identities, idx, edits);
}

/// EKS Pod Identity: the link is on the role (`pod_identity_service_accounts`, from the EKS API),
/// not on the service account, but it means the same and is written the same way.
fn pod_identity(identities: &[Identity], idx: &Index, edits: &mut Vec<Edit>) {
    for (r, role) in identities.iter().enumerate() {
        if role.kind != "aws.role" {
            continue;
        }
        let Some(Value::Array(sas)) = role.attributes.get("pod_identity_service_accounts") else {
            continue;
        };
        for sa_id in sas.iter().filter_map(Value::as_str) {
            let Some(&i) = idx.by_id.get(sa_id) else {
                continue;
            };
            if identities[i].kind != "k8s.service_account" {
                continue;
            }
            edits.push(Edit::set(i, "cloud_identity_joined", json!(true)));
            edits.push(Edit::set(
                i,
                "cloud_identity_flags",
                json!(role.permissions.flags),
            ));
            edits.push(Edit::push(r, "assumed_by_service_accounts", json!(sa_id)));
        }
    }
}

//! A service account annotated with a cloud identity (IRSA `eks.amazonaws.com/role-arn`) ↔ the
//! IAM role it assumes. Whoever controls a pod running as the account holds the role's rights, so
//! the account inherits the role's permission flags as `cloud_identity_flags`, with
//! `cloud_identity_joined: true`; the role records `assumed_by_service_accounts`.
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
}

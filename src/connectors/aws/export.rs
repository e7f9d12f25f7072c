//! The account as `aws iam get-account-authorization-details` prints it (PascalCase JSON), plus
//! what that call does not return (access keys, SSH keys, signing certificates, service-specific
//! credentials, the credential report). The offline reader deserialises this shape from a file and
//! the live client converts SDK types into it, so one mapping serves both modes.

use super::credential_report::ReportRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One `get-account-authorization-details` response (or several pages merged).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthDetails {
    #[serde(default)]
    pub user_detail_list: Vec<UserDetail>,
    #[serde(default)]
    pub group_detail_list: Vec<GroupDetail>,
    #[serde(default)]
    pub role_detail_list: Vec<RoleDetail>,
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
    #[serde(default)]
    pub is_truncated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

impl AuthDetails {
    /// Append another page (live pagination).
    pub fn extend(&mut self, page: AuthDetails) {
        self.user_detail_list.extend(page.user_detail_list);
        self.group_detail_list.extend(page.group_detail_list);
        self.role_detail_list.extend(page.role_detail_list);
        self.policies.extend(page.policies);
        self.is_truncated = page.is_truncated;
        self.marker = page.marker;
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetail {
    #[serde(default)]
    pub path: Option<String>,
    pub user_name: String,
    #[serde(default)]
    pub user_id: Option<String>,
    pub arn: String,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub user_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub group_list: Vec<String>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub permissions_boundary: Option<Boundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDetail {
    #[serde(default)]
    pub path: Option<String>,
    pub group_name: String,
    #[serde(default)]
    pub arn: Option<String>,
    #[serde(default)]
    pub group_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail {
    #[serde(default)]
    pub path: Option<String>,
    pub role_name: String,
    #[serde(default)]
    pub role_id: Option<String>,
    pub arn: String,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    /// A JSON object (the CLI decodes it), a URL-encoded string (the raw API), or raw JSON text.
    #[serde(default)]
    pub assume_role_policy_document: Option<serde_json::Value>,
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub permissions_boundary: Option<Boundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub role_last_used: Option<RoleLastUsed>,
    #[serde(default)]
    pub max_session_duration: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    #[serde(default)]
    pub last_used_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    /// Same shapes as [`RoleDetail::assume_role_policy_document`].
    #[serde(default)]
    pub policy_document: serde_json::Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    #[serde(default)]
    pub policy_name: Option<String>,
    pub policy_arn: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    #[serde(default)]
    pub permissions_boundary_type: Option<String>,
    pub permissions_boundary_arn: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    #[serde(default)]
    pub policy_name: Option<String>,
    pub arn: String,
    #[serde(default)]
    pub default_version_id: Option<String>,
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
}

impl ManagedPolicy {
    /// The version IAM evaluates: the one flagged default, else the one named by
    /// `DefaultVersionId`, else the only one.
    pub fn default_document(&self) -> Option<&serde_json::Value> {
        let v = &self.policy_version_list;
        v.iter()
            .find(|p| p.is_default_version)
            .or_else(|| {
                let id = self.default_version_id.as_deref()?;
                v.iter().find(|p| p.version_id.as_deref() == Some(id))
            })
            .or(if v.len() == 1 { v.first() } else { None })
            .map(|p| &p.document)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    #[serde(default)]
    pub document: serde_json::Value,
    #[serde(default)]
    pub version_id: Option<String>,
    #[serde(default)]
    pub is_default_version: bool,
}

/// An access key as `ListAccessKeys` + `GetAccessKeyLastUsed` describe it (live mode only).
#[derive(Debug, Clone, Default)]
pub struct AccessKey {
    pub id: String,
    pub status: String,
    pub created: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
    pub last_used_service: Option<String>,
    pub last_used_region: Option<String>,
}

/// SSH public keys, signing certificates and service-specific credentials (live mode only).
#[derive(Debug, Clone, Default)]
pub struct OtherCredential {
    /// `ssh_public_key`, `signing_certificate`, `service_specific_credential`.
    pub kind: String,
    pub id: String,
    pub status: String,
    pub created: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
}

/// An EKS Pod Identity association: pods running as the service account get the role.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodIdentity {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    pub association_id: String,
}

/// Everything the mapping needs about one account, from whichever mode.
#[derive(Debug, Clone, Default)]
pub struct AccountData {
    pub details: AuthDetails,
    /// Credential report rows, when one was given or fetched.
    pub report: Option<Vec<ReportRow>>,
    /// Per user name; present only when listed live.
    pub access_keys: Option<BTreeMap<String, Vec<AccessKey>>>,
    /// Per user name.
    pub other_credentials: BTreeMap<String, Vec<OtherCredential>>,
    /// `--account-id`, else derived from the first ARN.
    pub account_id: Option<String>,
    /// EKS Pod Identity associations (live mode only).
    pub pod_identities: Vec<PodIdentity>,
}

//! SDK response types into the export structs the offline reader produces, so the live and
//! offline modes share one mapping. Policy documents stay strings (URL-encoded or raw JSON, as
//! the endpoint sent them); the mapping decodes them by shape.

use super::super::export::{
    AttachedPolicy, AuthDetails, Boundary, GroupDetail, InlinePolicy, ManagedPolicy, PolicyVersion,
    RoleDetail, RoleLastUsed, Tag, UserDetail,
};
use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput as Gaad;
use aws_sdk_iam::types as sdk;
use chrono::{DateTime, Utc};
use serde_json::Value;

pub fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

fn s(v: Option<&str>) -> String {
    v.unwrap_or_default().to_string()
}

fn doc(v: Option<&str>) -> Value {
    v.map(|d| Value::String(d.to_string()))
        .unwrap_or(Value::Null)
}

pub fn page(o: &Gaad) -> AuthDetails {
    AuthDetails {
        user_detail_list: o.user_detail_list().iter().map(user).collect(),
        group_detail_list: o.group_detail_list().iter().map(group).collect(),
        role_detail_list: o.role_detail_list().iter().map(role).collect(),
        policies: o.policies().iter().map(managed).collect(),
        is_truncated: o.is_truncated(),
        marker: o.marker().map(String::from),
    }
}

fn inline(p: &[sdk::PolicyDetail]) -> Vec<InlinePolicy> {
    p.iter()
        .map(|p| InlinePolicy {
            policy_name: s(p.policy_name()),
            policy_document: doc(p.policy_document()),
        })
        .collect()
}

fn attached(p: &[sdk::AttachedPolicy]) -> Vec<AttachedPolicy> {
    p.iter()
        .map(|p| AttachedPolicy {
            policy_name: p.policy_name().map(String::from),
            policy_arn: s(p.policy_arn()),
        })
        .collect()
}

fn boundary(b: Option<&sdk::AttachedPermissionsBoundary>) -> Option<Boundary> {
    b.and_then(|b| {
        Some(Boundary {
            permissions_boundary_type: b
                .permissions_boundary_type()
                .map(|t| t.as_str().to_string()),
            permissions_boundary_arn: b.permissions_boundary_arn()?.to_string(),
        })
    })
}

fn tags(t: &[sdk::Tag]) -> Vec<Tag> {
    t.iter()
        .map(|t| Tag {
            key: t.key().to_string(),
            value: t.value().to_string(),
        })
        .collect()
}

fn user(u: &sdk::UserDetail) -> UserDetail {
    UserDetail {
        path: u.path().map(String::from),
        user_name: s(u.user_name()),
        user_id: u.user_id().map(String::from),
        arn: s(u.arn()),
        create_date: time(u.create_date()),
        user_policy_list: inline(u.user_policy_list()),
        group_list: u.group_list().to_vec(),
        attached_managed_policies: attached(u.attached_managed_policies()),
        permissions_boundary: boundary(u.permissions_boundary()),
        tags: tags(u.tags()),
    }
}

fn group(g: &sdk::GroupDetail) -> GroupDetail {
    GroupDetail {
        path: g.path().map(String::from),
        group_name: s(g.group_name()),
        arn: g.arn().map(String::from),
        group_policy_list: inline(g.group_policy_list()),
        attached_managed_policies: attached(g.attached_managed_policies()),
    }
}

fn role(r: &sdk::RoleDetail) -> RoleDetail {
    RoleDetail {
        path: r.path().map(String::from),
        role_name: s(r.role_name()),
        role_id: r.role_id().map(String::from),
        arn: s(r.arn()),
        create_date: time(r.create_date()),
        assume_role_policy_document: r
            .assume_role_policy_document()
            .map(|d| Value::String(d.into())),
        role_policy_list: inline(r.role_policy_list()),
        attached_managed_policies: attached(r.attached_managed_policies()),
        permissions_boundary: boundary(r.permissions_boundary()),
        tags: tags(r.tags()),
        role_last_used: r.role_last_used().map(|l| RoleLastUsed {
            last_used_date: time(l.last_used_date()),
            region: l.region().map(String::from),
        }),
        max_session_duration: None,
    }
}

fn managed(p: &sdk::ManagedPolicyDetail) -> ManagedPolicy {
    ManagedPolicy {
        policy_name: p.policy_name().map(String::from),
        arn: s(p.arn()),
        default_version_id: p.default_version_id().map(String::from),
        policy_version_list: p
            .policy_version_list()
            .iter()
            .map(|v| PolicyVersion {
                document: doc(v.document()),
                version_id: v.version_id().map(String::from),
                is_default_version: v.is_default_version(),
            })
            .collect(),
    }
}

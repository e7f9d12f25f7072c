//! Joins across sources: the step that turns "a string in a repository" into "the IAM key of
//! user X, active, admin, owned by nobody". It runs on the merged inventory, after every
//! connector and before the rules, and only adds facts: each join is written on both sides as
//! attributes (see each module), so a rule can judge the joined facts and an auditor can follow
//! the link from either end. Nothing here calls a source; an inventory from one source simply
//! has nothing to join.

mod aws_keys;
mod cloud_roles;
mod github_alerts;
mod github_oidc;
mod index;
mod k8s_tokens;

use crate::inventory::Identity;

/// Every attribute a join adds to an identity (of any source): part of the contract rules are
/// checked against (`crate::inventory::Emits`).
pub const ATTRIBUTES: &[&str] = &[
    "assumable_from_repositories",
    "assumed_by_service_accounts",
    "aws_account_foreign",
    "can_assume_aws_roles",
    "cloud_identity_flags",
    "cloud_identity_joined",
    "found_at",
    "found_in",
    "github_alert_urls",
    "github_alerts",
    "github_identities",
    "iam_flags",
    "iam_identity",
    "iam_key_last_used_at",
    "iam_key_status",
    "iam_key_used_after_leak",
    "iam_owner",
    "k8s_flags",
    "k8s_identities",
    "leaked_at",
    "leaked_in",
];

/// Every join, in an order where later ones may use earlier facts (none do yet).
pub fn join(identities: &mut [Identity]) {
    let idx = index::Index::build(identities);
    let mut edits = Vec::new();
    aws_keys::join(identities, &idx, &mut edits);
    k8s_tokens::join(identities, &idx, &mut edits);
    cloud_roles::join(identities, &idx, &mut edits);
    github_alerts::join(identities, &idx, &mut edits);
    github_oidc::join(identities, &mut edits);
    index::apply(identities, edits);
}

#[cfg(test)]
mod tests;

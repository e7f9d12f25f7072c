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

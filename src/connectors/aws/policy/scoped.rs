//! Whether a principal may perform one action on one named resource (a role ARN), for grants
//! that [`super::eval`] does not count because they do not reach "everything": `iam:PassRole`
//! scoped to `arn:aws:iam::…:role/Admin` lets the holder hand that one role to a compute service,
//! which is escalation exactly when that role is stronger than the holder.
//!
//! Same model as `eval`: identity Allows minus Denies (a Deny naming the resource or everything),
//! intersected with the boundary; conditions are not evaluated, so an Allow under one is
//! `conditional`. Resource patterns are matched case-sensitively, as IAM matches ARNs.

use super::document::{Names, ParsedPolicy, Statement};
use super::eval::{Decision, Grant, PolicySet};
use super::glob;
use std::sync::Arc;

impl PolicySet {
    /// `action` lower-case (`iam:passrole`), `resource` an ARN as IAM spells it.
    pub fn decide_on(&self, action: &str, resource: &str) -> Decision {
        let d = combine_on(&self.identity, action, resource);
        if !d.allowed {
            return d;
        }
        if let Some(c) = &self.ceiling
            && let Err(why) = c.blocks(&|p: &ParsedPolicy| super::eval::verdict_of(p, action))
        {
            return Decision {
                allowed: false,
                conditional: false,
                grant: d.grant,
                blocked_by: Some(why),
            };
        }
        if let Some(b) = self.boundary.as_ref().filter(|b| !b.is_empty()) {
            let bd = combine_on(b, action, resource);
            if !bd.allowed {
                return Decision {
                    allowed: false,
                    conditional: false,
                    grant: d.grant,
                    blocked_by: Some(format!("permissions boundary {}", b[0].label)),
                };
            }
            return Decision {
                conditional: d.conditional || bd.conditional,
                ..d
            };
        }
        d
    }
}

fn combine_on(policies: &[Arc<ParsedPolicy>], action: &str, resource: &str) -> Decision {
    let mut grant: Option<Grant> = None;
    let mut conditional_deny = false;
    for p in policies {
        for (i, s) in p.statements.iter().enumerate() {
            if !action_matches(s, action) || !resource_matches(&s.resources, resource) {
                continue;
            }
            if !s.allow {
                if s.condition.is_none() {
                    return Decision {
                        allowed: false,
                        conditional: false,
                        grant: None,
                        blocked_by: Some(format!("Deny {} in {}", s.label, p.label)),
                    };
                }
                conditional_deny = true;
                continue;
            }
            Grant::keep_best(&mut grant, p, i, s.condition.is_some());
        }
    }
    Decision::from_grant(grant, conditional_deny)
}

fn action_matches(s: &Statement, action: &str) -> bool {
    match &s.actions {
        Names::Only(pats) => pats.iter().any(|p| glob::matches(p, action)),
        Names::Not(pats) => !pats.iter().any(|p| glob::matches(p, action)),
        Names::Absent => false,
    }
}

fn resource_matches(r: &Names, resource: &str) -> bool {
    match r {
        Names::Only(pats) => pats.iter().any(|p| glob::matches(p, resource)),
        Names::Not(pats) => !pats.iter().any(|p| glob::matches(p, resource)),
        Names::Absent => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ADMIN: &str = "arn:aws:iam::123456789012:role/Admin";

    fn set(docs: &[serde_json::Value], boundary: Option<serde_json::Value>) -> PolicySet {
        PolicySet::of_documents(docs, boundary)
    }

    #[test]
    fn named_role_wildcards_denies_and_boundary() {
        let pass = |r: &str| json!({"Statement": {"Effect": "Allow", "Action": "iam:PassRole", "Resource": r}});
        assert!(
            set(&[pass(ADMIN)], None)
                .decide_on("iam:passrole", ADMIN)
                .allowed
        );
        assert!(
            !set(&[pass("arn:aws:iam::123456789012:role/app")], None)
                .decide_on("iam:passrole", ADMIN)
                .allowed
        );
        assert!(
            set(&[pass("arn:aws:iam::123456789012:role/Ad*")], None)
                .decide_on("iam:passrole", ADMIN)
                .allowed
        );
        // ARNs match case-sensitively.
        assert!(
            !set(&[pass("arn:aws:iam::123456789012:role/admin")], None)
                .decide_on("iam:passrole", ADMIN)
                .allowed
        );
        let deny = json!({"Statement": {"Sid": "NoAdmin", "Effect": "Deny", "Action": "iam:*", "Resource": ADMIN}});
        let d = set(&[pass(ADMIN), deny], None).decide_on("iam:passrole", ADMIN);
        assert_eq!(d.blocked_by.as_deref(), Some("Deny NoAdmin in p1"));
        let b = json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}});
        assert!(
            !set(&[pass(ADMIN)], Some(b))
                .decide_on("iam:passrole", ADMIN)
                .allowed
        );
    }
}

//! Whether a principal may perform one action on "everything" (`*`, or every resource of a type),
//! from all the policies that apply to it: identity policies (inline, attached managed at their
//! default version, and its groups'), minus explicit Denies, intersected with a permissions
//! boundary. Conditions are not evaluated (they depend on the request): an Allow that holds only
//! under a condition, or that a conditional Deny may cancel, is reported as `conditional`.
//!
//! Resource-specific grants (`arn:aws:s3:::one-bucket/*`) do not count as "everything";
//! `NotResource` in an Allow does (it grants all but a few). The organisation's SCPs and RCPs,
//! when known, are a ceiling over all of it ([`super::ceiling`]); resource policies are out of
//! scope.

use super::document::{Names, ParsedPolicy, Statement};
use super::glob;
use std::sync::Arc;

/// The policies that apply to one principal.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub identity: Vec<Arc<ParsedPolicy>>,
    /// `None`: no boundary. `Some(empty)`: a boundary whose document is unknown (treated as no
    /// restriction, and said so in the identity's attributes).
    pub boundary: Option<Vec<Arc<ParsedPolicy>>>,
    /// The organisation's SCPs and RCPs over the account (`None`: unknown or exempt).
    pub ceiling: Option<Arc<super::ceiling::Ceiling>>,
}

/// The statement that granted an action, for evidence (an `Arc` and an index: decisions are
/// made ~60 times per principal, so they must not copy strings).
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub policy: Arc<ParsedPolicy>,
    pub statement: usize,
    pub conditional: bool,
}

impl Grant {
    /// Keep statement `statement` of `policy` as the grant when it is the first, or when it
    /// lifts the condition the one found so far has.
    pub(super) fn keep_best(
        best: &mut Option<Grant>,
        policy: &Arc<ParsedPolicy>,
        statement: usize,
        conditional: bool,
    ) {
        if best.as_ref().is_none_or(|g| g.conditional && !conditional) {
            *best = Some(Grant {
                policy: policy.clone(),
                statement,
                conditional,
            });
        }
    }

    /// `<policy label> <statement label>`.
    pub fn describe(&self) -> String {
        format!(
            "{} {}",
            self.policy.label, self.policy.statements[self.statement].label
        )
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    pub allowed: bool,
    /// Allowed only under a condition (or a conditional Deny may remove it).
    pub conditional: bool,
    /// The allowing statement: an unconditional one when there is one.
    pub grant: Option<Grant>,
    /// Why an Allow does not count: the explicit Deny or the boundary.
    pub blocked_by: Option<String>,
}

impl Decision {
    /// The verdict once no explicit Deny applied: allowed by the best grant, conditional when
    /// that grant or a Deny that may apply has a condition.
    pub(super) fn from_grant(grant: Option<Grant>, conditional_deny: bool) -> Decision {
        Decision {
            allowed: grant.is_some(),
            conditional: grant
                .as_ref()
                .is_some_and(|g| g.conditional || conditional_deny),
            grant,
            blocked_by: None,
        }
    }
}

/// What one policy says about one action on "everything": its best Allow (statement index,
/// conditional?), its first unconditional Deny, and whether a conditional Deny applies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Verdict {
    allow: Option<(usize, bool)>,
    deny: Option<usize>,
    deny_conditional: bool,
}

impl PolicySet {
    /// `action` is lower-case: a concrete `service:name`, or `*` meaning "every action" (admin).
    pub fn decide(&self, action: &str) -> Decision {
        self.decide_with(|p| verdict(p, action))
    }

    /// The same for probe `index` of [`super::flags::probe_actions`], using each policy's cached
    /// verdicts.
    pub fn decide_probe(&self, index: usize) -> Decision {
        self.decide_with(|p| {
            p.verdicts.get_or_init(|| {
                super::flags::probe_actions()
                    .iter()
                    .map(|a| verdict(p, a))
                    .collect()
            })[index]
        })
    }

    fn decide_with(&self, v: impl Fn(&ParsedPolicy) -> Verdict) -> Decision {
        let mut d = combine(&self.identity, &v);
        if !d.allowed {
            return d;
        }
        if let Some(b) = self.boundary.as_ref().filter(|b| !b.is_empty()) {
            let bd = combine(b, &v);
            if !bd.allowed {
                return Decision {
                    allowed: false,
                    conditional: false,
                    grant: d.grant,
                    blocked_by: Some(format!(
                        "permissions boundary {}",
                        bd.blocked_by.unwrap_or_else(|| b[0].label.clone())
                    )),
                };
            }
            d.conditional |= bd.conditional;
        }
        if let Some(c) = &self.ceiling {
            match c.blocks(&v) {
                Err(why) => {
                    return Decision {
                        allowed: false,
                        conditional: false,
                        grant: d.grant,
                        blocked_by: Some(why),
                    };
                }
                Ok(conditional) => d.conditional |= conditional,
            }
        }
        d
    }
}

impl Verdict {
    /// The unconditional Deny statement covering everything, if any.
    pub(super) fn deny(&self) -> Option<usize> {
        self.deny
    }

    /// Some Allow reaches everything (conditionally or not).
    pub(super) fn allows(&self) -> bool {
        self.allow.is_some()
    }

    pub(super) fn deny_conditional(&self) -> bool {
        self.deny_conditional
    }
}

/// This policy's verdict on `action` (lower-case) over everything.
pub(super) fn verdict_of(p: &ParsedPolicy, action: &str) -> Verdict {
    verdict(p, action)
}

fn verdict(p: &ParsedPolicy, action: &str) -> Verdict {
    let mut out = Verdict::default();
    for (i, s) in p.statements.iter().enumerate() {
        if !action_matches(s, action) {
            continue;
        }
        if s.allow {
            let better = out.allow.is_none_or(|(_, c)| c && s.condition.is_none());
            if better && resource_is_everything(&s.resources) {
                out.allow = Some((i, s.condition.is_some()));
            }
        } else if deny_covers_everything(&s.resources) {
            if s.condition.is_none() {
                out.deny = Some(i);
                return out;
            }
            out.deny_conditional = true;
        }
    }
    out
}

/// Deny in any policy wins; otherwise the first unconditional Allow, else the first conditional.
fn combine(policies: &[Arc<ParsedPolicy>], v: &impl Fn(&ParsedPolicy) -> Verdict) -> Decision {
    let mut grant: Option<Grant> = None;
    let mut conditional_deny = false;
    for p in policies {
        let x = v(p);
        if let Some(i) = x.deny {
            return Decision {
                allowed: false,
                conditional: false,
                grant: None,
                blocked_by: Some(format!("Deny {} in {}", p.statements[i].label, p.label)),
            };
        }
        conditional_deny |= x.deny_conditional;
        if let Some((i, conditional)) = x.allow {
            Grant::keep_best(&mut grant, p, i, conditional);
        }
    }
    Decision::from_grant(grant, conditional_deny)
}

/// `*` as the probe means "every action": only an explicit `*` grants it, and a Deny of `*` or a
/// `NotAction` Deny (which denies nearly everything) takes it away.
fn action_matches(s: &Statement, action: &str) -> bool {
    match &s.actions {
        Names::Only(pats) if action == "*" => pats.iter().any(|p| p == "*" || p == "*:*"),
        Names::Only(pats) => pats.iter().any(|p| glob::matches(p, action)),
        Names::Not(_) if action == "*" => !s.allow,
        Names::Not(pats) => !pats.iter().any(|p| glob::matches(p, action)),
        Names::Absent => false,
    }
}

/// An Allow reaches "everything" with `*`, a whole-type pattern (`arn:aws:iam::123:role/*`,
/// `arn:aws:s3:::*`) or `NotResource`.
fn resource_is_everything(r: &Names) -> bool {
    match r {
        Names::Only(pats) => pats.iter().any(|p| broad_arn(p)),
        Names::Not(_) => true,
        Names::Absent => false,
    }
}

/// A Deny removes the grant when it covers everything, or everything but a list.
fn deny_covers_everything(r: &Names) -> bool {
    resource_is_everything(r)
}

/// `*`, or `arn:<partition>:<service>:<region>:<account>:<res>` where `<res>` is `*`, `*/*` or
/// `<type>/*` (`<type>:*`) and region/account are empty, `*` or literal. S3 has no types.
fn broad_arn(p: &str) -> bool {
    if p == "*" {
        return true;
    }
    let parts: Vec<&str> = p.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return false;
    }
    let res = parts[5];
    if res == "*" || res == "*/*" {
        return true;
    }
    // In S3 the first segment is a bucket name, not a type: `b/*` is one bucket.
    if parts[2] == "s3" {
        return false;
    }
    match res.split_once(['/', ':']) {
        Some((ty, rest)) => !ty.is_empty() && !ty.contains('*') && (rest == "*" || rest == "*/*"),
        None => false,
    }
}

#[cfg(test)]
impl PolicySet {
    /// A set from literal documents, named `p0`, `p1`, … and `boundary` (for tests).
    pub(super) fn of_documents(
        docs: &[serde_json::Value],
        boundary: Option<serde_json::Value>,
    ) -> PolicySet {
        use super::document::parse_policy;
        PolicySet {
            identity: docs
                .iter()
                .enumerate()
                .map(|(i, d)| Arc::new(parse_policy(format!("p{i}"), d).unwrap()))
                .collect(),
            boundary: boundary.map(|b| vec![Arc::new(parse_policy("boundary", &b).unwrap())]),
            ceiling: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(docs: &[serde_json::Value], boundary: Option<serde_json::Value>) -> PolicySet {
        PolicySet::of_documents(docs, boundary)
    }

    fn allow(action: &str, resource: &str) -> serde_json::Value {
        json!({"Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    }

    #[test]
    fn admin_needs_an_explicit_star() {
        assert!(set(&[allow("*", "*")], None).decide("*").allowed);
        assert!(!set(&[allow("iam:*", "*")], None).decide("*").allowed);
        let power =
            json!({"Statement": {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}});
        let s = set(&[power], None);
        assert!(!s.decide("*").allowed);
        assert!(s.decide("s3:getobject").allowed);
        assert!(!s.decide("iam:passrole").allowed);
    }

    #[test]
    fn wildcards_are_case_insensitive() {
        let s = set(&[allow("S3:Get*", "*")], None);
        assert!(s.decide("s3:getobject").allowed);
        assert!(!s.decide("s3:putobject").allowed);
    }

    #[test]
    fn specific_resources_are_not_everything_but_whole_types_are() {
        assert!(
            !set(&[allow("s3:GetObject", "arn:aws:s3:::b/*")], None)
                .decide("s3:getobject")
                .allowed
        );
        assert!(
            set(&[allow("s3:GetObject", "arn:aws:s3:::*")], None)
                .decide("s3:getobject")
                .allowed
        );
        assert!(
            set(
                &[allow("iam:PassRole", "arn:aws:iam::123456789012:role/*")],
                None
            )
            .decide("iam:passrole")
            .allowed
        );
        let nr = json!({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}});
        assert!(set(&[nr], None).decide("s3:getobject").allowed);
    }

    #[test]
    fn deny_overrides_and_conditional_deny_weakens() {
        let deny = json!({"Statement": {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}});
        let d = set(&[allow("*", "*"), deny], None).decide("iam:createaccesskey");
        assert!(!d.allowed);
        assert_eq!(d.blocked_by.as_deref(), Some("Deny NoIam in p1"));
        let cdeny = json!({"Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}});
        let d = set(&[allow("*", "*"), cdeny], None).decide("iam:createaccesskey");
        assert!(d.allowed && d.conditional);
        // A Deny on one bucket does not remove "everything".
        let narrow = json!({"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}});
        assert!(
            set(&[allow("*", "*"), narrow], None)
                .decide("s3:getobject")
                .allowed
        );
    }

    #[test]
    fn conditional_allow_is_weaker_unless_an_unconditional_one_exists() {
        let c = json!({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}});
        let d = set(std::slice::from_ref(&c), None).decide("sts:assumerole");
        assert!(d.allowed && d.conditional);
        let d = set(&[c, allow("sts:AssumeRole", "*")], None).decide("sts:assumerole");
        assert!(d.allowed && !d.conditional);
        assert_eq!(d.grant.unwrap().policy.label, "p1");
    }

    #[test]
    fn boundary_intersects() {
        let s = set(&[allow("*", "*")], Some(allow("s3:*", "*")));
        assert!(s.decide("s3:getobject").allowed);
        let d = s.decide("iam:passrole");
        assert!(!d.allowed);
        assert!(d.blocked_by.unwrap().contains("boundary"));
        assert!(!s.decide("*").allowed);
        // A boundary alone grants nothing.
        assert!(
            !set(&[], Some(allow("*", "*")))
                .decide("s3:getobject")
                .allowed
        );
    }
}

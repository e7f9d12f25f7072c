//! The organisation's ceiling over an account: service control policies (SCPs) cap what its
//! principals may do, resource control policies (RCPs) cap what may be done to its resources.
//! Neither grants anything; an action a principal's own policies allow is still refused when
//!
//! - an SCP or RCP denies it (an unconditional `Deny` covering everything), or
//! - at some level of the organisation (root, each OU, the account) SCPs are attached and none
//!   of them allows it: AWS requires an Allow at every level. Read live, the levels are the
//!   account's real ones; files given with `--scp` are one level, which is exact for the usual
//!   `FullAWSAccess` + deny-list set-up and errs towards "allowed" otherwise.
//!
//! A conditional Deny does not refuse; it makes the grant `conditional`. AWS exempts the
//! management account and service-linked roles from SCPs; the mapping leaves the ceiling off for
//! them.

use super::document::ParsedPolicy;
use super::eval::Verdict;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Ceiling {
    /// SCPs per level (root first), labelled `SCP <name> (<id>)` or `SCP <file>`.
    pub scps: Vec<Vec<Arc<ParsedPolicy>>>,
    pub rcps: Vec<Arc<ParsedPolicy>>,
}

impl Ceiling {
    /// `Err(why)` when the ceiling refuses the action (`why` names the policy and statement);
    /// `Ok(conditional)` otherwise.
    pub(super) fn blocks(&self, v: &impl Fn(&ParsedPolicy) -> Verdict) -> Result<bool, String> {
        let mut conditional = false;
        for p in self.scps.iter().flatten().chain(&self.rcps) {
            let x = v(p);
            if let Some(i) = x.deny() {
                return Err(format!("{} (Deny {})", p.label, p.statements[i].label));
            }
            conditional |= x.deny_conditional();
        }
        for level in &self.scps {
            let requires_allow = level.iter().any(|p| p.statements.iter().any(|s| s.allow));
            if requires_allow && !level.iter().any(|p| v(p).allows()) {
                let names: Vec<&str> = level.iter().map(|p| p.label.as_str()).collect();
                return Err(format!("no SCP allows it ({})", names.join(", ")));
            }
        }
        Ok(conditional)
    }
}

#[cfg(test)]
mod tests {
    use super::super::document::parse_policy;
    use super::super::eval::PolicySet;
    use super::*;
    use serde_json::json;

    fn set(ceiling: Ceiling) -> PolicySet {
        PolicySet {
            identity: vec![Arc::new(
                parse_policy(
                    "inline:ops",
                    &json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
                )
                .unwrap(),
            )],
            boundary: None,
            ceiling: Some(Arc::new(ceiling)),
        }
    }

    fn scp(label: &str, doc: serde_json::Value) -> Arc<ParsedPolicy> {
        Arc::new(parse_policy(label, &doc).unwrap())
    }

    #[test]
    fn deny_list_scps_refuse_and_name_themselves() {
        let full = scp(
            "SCP FullAWSAccess (p-FullAWSAccess)",
            json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
        );
        let deny = scp(
            "SCP DenyIAM (p-12345678)",
            json!({"Statement": {"Sid": "NoIAM", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}}),
        );
        let s = set(Ceiling {
            scps: vec![vec![full], vec![deny]],
            rcps: vec![],
        });
        let d = s.decide("iam:createaccesskey");
        assert!(!d.allowed);
        assert_eq!(
            d.blocked_by.as_deref(),
            Some("SCP DenyIAM (p-12345678) (Deny NoIAM)")
        );
        assert!(s.decide("s3:getobject").allowed);
    }

    #[test]
    fn allow_list_scps_refuse_what_they_do_not_allow() {
        let only_s3 = scp(
            "SCP OnlyS3",
            json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}),
        );
        let s = set(Ceiling {
            scps: vec![vec![only_s3]],
            rcps: vec![],
        });
        assert!(s.decide("s3:getobject").allowed);
        let d = s.decide("sts:assumerole");
        assert_eq!(
            d.blocked_by.as_deref(),
            Some("no SCP allows it (SCP OnlyS3)")
        );
    }

    #[test]
    fn rcps_only_deny_and_conditions_only_weaken() {
        let rcp = scp(
            "RCP EnforceOrg",
            json!({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aa111bb222"}}}}),
        );
        let s = set(Ceiling {
            scps: vec![],
            rcps: vec![rcp],
        });
        let d = s.decide("s3:getobject");
        assert!(d.allowed && d.conditional);
        assert!(s.decide("iam:passrole").allowed);
    }
}

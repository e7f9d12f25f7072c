//! Who assumes a role: AWS itself, a person, or a workload. Only workloads are non-human
//! identities; judging a person's role by NHI rules turns every administrator permission set
//! into a critical finding nobody should act on. People's roles are inventoried as
//! `aws.human_role` (rules on trust still apply to them), with how they were recognised:
//!
//! - `identity_center`: IAM Identity Center creates one role per permission set and account,
//!   named `AWSReservedSSO_<permission set>_<16 hex>` under `/aws-reserved/sso.amazonaws.com/`;
//!   the permission set's name is read from the role name;
//! - `saml`: the trust names a SAML provider (SAML federation signs people in to the console);
//! - `oidc`: the trust names a web-identity provider of people (Cognito identity pools, Google,
//!   Facebook, Login with Amazon);
//! - `mfa`: the trust requires MFA, which only a person can present;
//! - `configured`: the role's name or ARN matches a `human_roles` pattern of the AWS source
//!   (`--human-role`, e.g. cross-account roles people assume from an identity account).
//!
//! Service-linked roles (`/aws-service-role/`) belong to AWS and stay `aws.role` with
//! `service_linked: true`, as before.

use super::policy::glob;
use super::trust::TrustFacts;

const SSO_PATH: &str = "/aws-reserved/sso.amazonaws.com/";
const SSO_PREFIX: &str = "AWSReservedSSO_";

/// Why a role is a person's, with what the evidence names.
#[derive(Debug, Clone, PartialEq)]
pub struct HumanAccess {
    /// `identity_center`, `saml`, `oidc`, `mfa` or `configured`.
    pub how: &'static str,
    /// The permission set (Identity Center), the identity providers (SAML/OIDC) or the pattern.
    pub detail: Vec<String>,
}

/// `None`: a workload's (or AWS's) role.
pub fn classify(
    name: &str,
    arn: &str,
    path: Option<&str>,
    trust: Option<&TrustFacts>,
    patterns: &[String],
) -> Option<HumanAccess> {
    let path = path.unwrap_or("/");
    if path.starts_with("/aws-service-role/") {
        return None;
    }
    if path.starts_with(SSO_PATH) || name.starts_with(SSO_PREFIX) {
        return Some(HumanAccess {
            how: "identity_center",
            detail: permission_set(name).into_iter().collect(),
        });
    }
    if let Some(t) = trust {
        // A role also trusted by a workload (compute service, IRSA, GitHub) is a workload's.
        let workload = !t.compute_services.is_empty() || !t.eks_oidc.is_empty() || t.github_oidc;
        if !workload {
            if !t.saml_providers.is_empty() {
                return Some(HumanAccess {
                    how: "saml",
                    detail: t.saml_providers.clone(),
                });
            }
            if !t.human_oidc_providers.is_empty() {
                return Some(HumanAccess {
                    how: "oidc",
                    detail: t.human_oidc_providers.clone(),
                });
            }
            if t.requires_mfa {
                return Some(HumanAccess {
                    how: "mfa",
                    detail: vec![],
                });
            }
        }
    }
    patterns
        .iter()
        .find(|p| glob::matches(p, name) || glob::matches(p, arn))
        .map(|p| HumanAccess {
            how: "configured",
            detail: vec![p.clone()],
        })
}

/// `AWSReservedSSO_<permission set>_<suffix>` → the permission set (which may hold `_`).
pub fn permission_set(name: &str) -> Option<String> {
    let rest = name.strip_prefix(SSO_PREFIX)?;
    let (set, suffix) = rest.rsplit_once('_')?;
    (!set.is_empty() && !suffix.is_empty()).then(|| set.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust() -> TrustFacts {
        TrustFacts::default()
    }

    #[test]
    fn identity_center_roles_and_their_permission_set() {
        let h = classify(
            "AWSReservedSSO_Billing_Read_Only_0123456789abcdef",
            "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Billing_Read_Only_0123456789abcdef",
            Some("/aws-reserved/sso.amazonaws.com/eu-west-1/"),
            None,
            &[],
        )
        .unwrap();
        assert_eq!(h.how, "identity_center");
        assert_eq!(h.detail, vec!["Billing_Read_Only"]);
    }

    #[test]
    fn saml_mfa_and_patterns_but_not_workloads() {
        let saml = TrustFacts {
            saml_providers: vec!["arn:aws:iam::1:saml-provider/Okta".into()],
            ..trust()
        };
        assert_eq!(
            classify("r", "arn:aws:iam::1:role/r", None, Some(&saml), &[])
                .unwrap()
                .how,
            "saml"
        );
        let both = TrustFacts {
            compute_services: vec!["ec2.amazonaws.com".into()],
            ..saml
        };
        assert_eq!(
            classify("r", "arn:aws:iam::1:role/r", None, Some(&both), &[]),
            None
        );
        let mfa = TrustFacts {
            requires_mfa: true,
            ..trust()
        };
        assert_eq!(
            classify("r", "arn:aws:iam::1:role/r", None, Some(&mfa), &[])
                .unwrap()
                .how,
            "mfa"
        );
        let pats = vec!["breakglass-*".to_string()];
        let h = classify(
            "breakglass-eu",
            "arn:aws:iam::1:role/breakglass-eu",
            None,
            Some(&trust()),
            &pats,
        )
        .unwrap();
        assert_eq!((h.how, h.detail), ("configured", pats.clone()));
        assert_eq!(
            classify(
                "app",
                "arn:aws:iam::1:role/app",
                None,
                Some(&trust()),
                &pats
            ),
            None
        );
        // Service-linked roles are AWS's, whatever the patterns say.
        assert_eq!(
            classify(
                "AWSServiceRoleForSupport",
                "arn:aws:iam::1:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
                Some("/aws-service-role/support.amazonaws.com/"),
                None,
                &["*".into()]
            ),
            None
        );
    }
}

//! Who may assume a role, from its trust policy (`AssumeRolePolicyDocument`):
//!
//! - anyone: `Principal: "*"` or `{"AWS": "*"}` in an Allow with no condition that restricts the
//!   caller (`aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceAccount`,
//!   `aws:SourceArn`, `sts:ExternalId`…);
//! - other accounts trusted without an `sts:ExternalId` condition (confused deputy);
//! - GitHub Actions OIDC (`token.actions.githubusercontent.com`) without a `…:sub` condition, or
//!   with one whose repository part is a wildcard (`repo:*`, `*`): any repository on GitHub can
//!   assume the role;
//! - EKS IRSA (a cluster's `oidc.eks.<region>.amazonaws.com/id/<ID>` provider) without a
//!   `…:sub` condition, or with a wildcard namespace or service account: any pod of the cluster
//!   (or of the namespace) can assume the role;
//! - AWS compute services (`ec2.amazonaws.com`, `lambda.amazonaws.com`, EKS Pod Identity's
//!   `pods.eks.amazonaws.com`, …) whose code runs as it;
//! - signs that people assume it: SAML providers, web-identity providers of people, a required
//!   MFA (see [`super::people`]).

use super::policy::document::{Names, ParsedPolicy};
use serde_json::Value;
use std::collections::BTreeSet;

pub const GITHUB_OIDC: &str = "token.actions.githubusercontent.com";

/// Condition keys that restrict who the caller is.
const CALLER_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:userid",
    "sts:externalid",
];

/// Services that run customer code under the role they are given.
pub const COMPUTE_SERVICES: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "ecs.amazonaws.com",
    "eks.amazonaws.com",
    "eks-fargate-pods.amazonaws.com",
    // EKS Pod Identity: pods of any associated service account run as the role.
    "pods.eks.amazonaws.com",
    "batch.amazonaws.com",
    "codebuild.amazonaws.com",
    "glue.amazonaws.com",
    "sagemaker.amazonaws.com",
    "states.amazonaws.com",
    "apprunner.amazonaws.com",
    "build.apprunner.amazonaws.com",
    "elasticmapreduce.amazonaws.com",
    "datapipeline.amazonaws.com",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustFacts {
    /// Every principal, as `AWS:<arn or account>`, `Service:<svc>`, `Federated:<provider>`, `*`.
    pub principals: Vec<String>,
    /// Statements trusting anyone without a caller condition, e.g. `#1`.
    pub public: Vec<String>,
    /// Foreign accounts (or their ARNs) trusted without `sts:ExternalId`.
    pub cross_account_without_external_id: Vec<String>,
    pub cross_account: Vec<String>,
    /// GitHub OIDC trusted at all.
    pub github_oidc: bool,
    /// `sub` patterns GitHub tokens must match (empty with `github_oidc`: unpinned).
    pub github_subjects: Vec<String>,
    /// GitHub OIDC trust with no `sub` condition or a wildcard repository.
    pub github_unpinned: bool,
    pub compute_services: Vec<String>,
    /// SAML providers trusted (`…:saml-provider/<name>`): SAML federation signs people in.
    pub saml_providers: Vec<String>,
    /// Web-identity providers whose tokens belong to people (Cognito identity pools, Google,
    /// Facebook, Login with Amazon), not to workloads.
    pub human_oidc_providers: Vec<String>,
    /// Some Allow requires `aws:MultiFactorAuthPresent`: only a person can present MFA.
    pub requires_mfa: bool,
    /// EKS cluster OIDC providers trusted (IRSA): `oidc.eks.<region>.amazonaws.com/id/<ID>`.
    pub eks_oidc: Vec<String>,
    /// `system:serviceaccount:<ns>:<sa>` patterns an IRSA token's `sub` must match.
    pub eks_subjects: Vec<String>,
    /// IRSA trust with no `:sub` condition, or one whose namespace or name is a wildcard.
    pub eks_unpinned: bool,
}

/// Web-identity providers of people (apps' end users), as they appear in `Federated`.
pub const HUMAN_OIDC: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

pub fn analyse(trust: &ParsedPolicy, own_account: Option<&str>) -> TrustFacts {
    let mut f = TrustFacts::default();
    let mut principals = BTreeSet::new();
    let mut cross = BTreeSet::new();
    let mut cross_no_ext = BTreeSet::new();
    let mut compute = BTreeSet::new();
    for s in &trust.statements {
        if !s.allow {
            continue;
        }
        let assumes = match &s.actions {
            Names::Only(a) => a
                .iter()
                .any(|x| x.starts_with("sts:assumerole") || x == "sts:*" || x == "*"),
            Names::Not(_) => true,
            Names::Absent => false,
        };
        if !assumes {
            continue;
        }
        let keys = condition_keys(s.condition.as_ref());
        let caller_restricted = keys.iter().any(|k| CALLER_KEYS.contains(&k.as_str()));
        let everyone = s.not_principal;
        for (kind, value) in principal_entries(s.principal.as_ref()) {
            principals.insert(if kind.is_empty() {
                value.clone()
            } else {
                format!("{kind}:{value}")
            });
            match kind.as_str() {
                "" | "AWS" if value == "*" && !caller_restricted => {
                    f.public.push(s.label.clone());
                }
                "" | "AWS" if value == "*" => {}
                "AWS" => {
                    let acct = account_of(&value);
                    if acct.is_some() && acct != own_account {
                        cross.insert(value.clone());
                        if !keys.iter().any(|k| k == "sts:externalid") {
                            cross_no_ext.insert(value.clone());
                        }
                    }
                }
                "Service" if COMPUTE_SERVICES.contains(&value.as_str()) => {
                    compute.insert(value.clone());
                }
                "Federated" if value.contains(":saml-provider/") => {
                    f.saml_providers.push(value.clone());
                }
                "Federated" if HUMAN_OIDC.contains(&value.as_str()) => {
                    f.human_oidc_providers.push(value.clone());
                }
                "Federated" if eks_issuer(&value).is_some() => {
                    let issuer = eks_issuer(&value).unwrap_or_default().to_string();
                    let subs = condition_values(s.condition.as_ref(), &format!("{issuer}:sub"));
                    if subs.is_empty() || subs.iter().any(|p| wildcard_service_account(p)) {
                        f.eks_unpinned = true;
                    }
                    f.eks_subjects.extend(subs);
                    f.eks_oidc.push(issuer);
                }
                "Federated" if value.contains(GITHUB_OIDC) => {
                    f.github_oidc = true;
                    let subs = sub_patterns(s.condition.as_ref());
                    if subs.is_empty() || subs.iter().any(|p| wildcard_repo(p)) {
                        f.github_unpinned = true;
                    }
                    f.github_subjects.extend(subs);
                }
                _ => {}
            }
        }
        if keys
            .iter()
            .any(|k| k == "aws:multifactorauthpresent" || k == "aws:multifactorauthage")
        {
            f.requires_mfa = true;
        }
        if everyone && !caller_restricted {
            f.public.push(s.label.clone());
        }
    }
    f.principals = principals.into_iter().collect();
    f.cross_account = cross.into_iter().collect();
    f.cross_account_without_external_id = cross_no_ext.into_iter().collect();
    f.compute_services = compute.into_iter().collect();
    f.github_subjects.sort();
    f.github_subjects.dedup();
    for v in [
        &mut f.saml_providers,
        &mut f.human_oidc_providers,
        &mut f.eks_oidc,
        &mut f.eks_subjects,
    ] {
        v.sort();
        v.dedup();
    }
    f
}

/// `oidc.eks.<region>.amazonaws.com/id/<ID>` from an IRSA provider ARN
/// (`arn:aws:iam::<acct>:oidc-provider/oidc.eks.…`) or the bare issuer.
pub fn eks_issuer(federated: &str) -> Option<&str> {
    let issuer = federated
        .split_once(":oidc-provider/")
        .map_or(federated, |(_, i)| i);
    (issuer.starts_with("oidc.eks.") && issuer.contains(".amazonaws.com/id/")).then_some(issuer)
}

/// An IRSA `sub` pattern (`system:serviceaccount:<ns>:<sa>`) that lets any service account of
/// a namespace, or of any namespace, through.
fn wildcard_service_account(p: &str) -> bool {
    match p.strip_prefix("system:serviceaccount:") {
        Some(rest) => {
            let (ns, sa) = rest.split_once(':').unwrap_or((rest, ""));
            ns.is_empty() || sa.is_empty() || ns.contains(['*', '?']) || sa.contains(['*', '?'])
        }
        None => true,
    }
}

/// `("AWS", "arn:…")`, `("Service", "ec2.amazonaws.com")`, `("", "*")`.
fn principal_entries(p: Option<&Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match p {
        Some(Value::String(s)) => out.push((String::new(), s.clone())),
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let vals: Vec<&Value> = match v {
                    Value::Array(a) => a.iter().collect(),
                    one => vec![one],
                };
                for x in vals.into_iter().filter_map(Value::as_str) {
                    out.push((k.clone(), x.to_string()));
                }
            }
        }
        _ => {}
    }
    out
}

/// The account of `arn:aws:iam::<acct>:…` or a bare 12-digit account id.
fn account_of(v: &str) -> Option<&str> {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v);
    }
    let acct = v.split(':').nth(4)?;
    (!acct.is_empty()).then_some(acct)
}

/// Lower-cased condition keys across every operator.
fn condition_keys(c: Option<&Value>) -> Vec<String> {
    c.and_then(Value::as_object)
        .map(|ops| {
            ops.values()
                .filter_map(Value::as_object)
                .flat_map(|m| m.keys().map(|k| k.to_ascii_lowercase()))
                .collect()
        })
        .unwrap_or_default()
}

/// Values of `token.actions.githubusercontent.com:sub` under any operator (StringEquals,
/// StringLike, ForAnyValue:StringLike…).
fn sub_patterns(c: Option<&Value>) -> Vec<String> {
    condition_values(c, &format!("{GITHUB_OIDC}:sub"))
}

/// Values of condition key `key` (case-insensitive) under any operator.
fn condition_values(c: Option<&Value>, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for m in c
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|o| o.values())
        .filter_map(Value::as_object)
    {
        for (k, v) in m {
            if k.eq_ignore_ascii_case(key) {
                match v {
                    Value::String(s) => out.push(s.clone()),
                    Value::Array(a) => {
                        out.extend(a.iter().filter_map(Value::as_str).map(String::from))
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// A `sub` pattern whose owner/repository part is a wildcard lets any repository through.
fn wildcard_repo(p: &str) -> bool {
    let rest = p.strip_prefix("repo:").unwrap_or(p);
    let owner = rest.split('/').next().unwrap_or("");
    owner.contains('*') || owner.contains('?') || owner.is_empty()
}

#[cfg(test)]
mod tests {
    use super::super::policy::document::parse_policy;
    use super::*;
    use serde_json::json;

    fn facts(doc: Value) -> TrustFacts {
        analyse(&parse_policy("trust", &doc).unwrap(), Some("123456789012"))
    }

    #[test]
    fn public_trust_unless_restricted() {
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}}),
        );
        assert_eq!(f.public, vec!["#1"]);
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}}),
        );
        assert!(f.public.is_empty());
    }

    #[test]
    fn cross_account_external_id() {
        let f = facts(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::123456789012:role/own"]}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]}));
        assert_eq!(
            f.cross_account_without_external_id,
            vec!["arn:aws:iam::999988887777:root"]
        );
        assert_eq!(f.cross_account.len(), 2);
    }

    #[test]
    fn github_oidc_pinning() {
        let fed = json!({"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"});
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": fed, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}}),
        );
        assert!(f.github_oidc && f.github_unpinned && f.github_subjects.is_empty());
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": fed, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}}}),
        );
        assert!(f.github_unpinned);
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": fed, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/app:ref:refs/heads/main"]}}}}),
        );
        assert!(!f.github_unpinned);
        assert_eq!(f.github_subjects, vec!["repo:acme/app:ref:refs/heads/main"]);
    }

    #[test]
    fn eks_irsa_pinning_and_pod_identity() {
        let fed = json!({"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"});
        let iss = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
        let with = |cond: Value| {
            facts(
                json!({"Statement": {"Effect": "Allow", "Principal": fed, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}}),
            )
        };
        let f = with(json!({"StringEquals": {format!("{iss}:aud"): "sts.amazonaws.com"}}));
        assert!(f.eks_unpinned && f.eks_subjects.is_empty());
        assert_eq!(f.eks_oidc, vec![iss]);
        let f = with(json!({"StringLike": {format!("{iss}:sub"): "system:serviceaccount:*:*"}}));
        assert!(f.eks_unpinned);
        let f =
            with(json!({"StringLike": {format!("{iss}:sub"): "system:serviceaccount:payments:*"}}));
        assert!(f.eks_unpinned, "any service account of the namespace");
        let f = with(
            json!({"StringEquals": {format!("{iss}:sub"): "system:serviceaccount:payments:api"}}),
        );
        assert!(!f.eks_unpinned);
        assert_eq!(f.eks_subjects, vec!["system:serviceaccount:payments:api"]);
        assert!(!f.github_oidc);
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}}),
        );
        assert_eq!(f.compute_services, vec!["pods.eks.amazonaws.com"]);
    }

    #[test]
    fn people_signs() {
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"}, "Action": "sts:AssumeRoleWithSAML"}}),
        );
        assert_eq!(
            f.saml_providers,
            vec!["arn:aws:iam::123456789012:saml-provider/Okta"]
        );
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}}),
        );
        assert_eq!(
            f.human_oidc_providers,
            vec!["cognito-identity.amazonaws.com"]
        );
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}),
        );
        assert!(f.requires_mfa);
    }

    #[test]
    fn compute_services() {
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "config.amazonaws.com"]}, "Action": "sts:AssumeRole"}}),
        );
        assert_eq!(f.compute_services, vec!["ec2.amazonaws.com"]);
        assert_eq!(f.principals.len(), 2);
    }
}

//! Risk flags derived from a principal's effective permissions on "everything" (see [`super::eval`]):
//!
//! - `admin`: `*` on `*`.
//! - `privilege_escalation`: any combination in [`ESCALATION`]. Each row is a documented path from
//!   limited to full control of the account (Rhino Security Labs' IAM escalation research and
//!   AWS's own guidance on `iam:PassRole`):
//!   - `iam:PassRole` + `ec2:RunInstances` (instance profile with a stronger role),
//!   - `iam:PassRole` + `lambda:CreateFunction` + `lambda:InvokeFunction`, or
//!     + `lambda:CreateEventSourceMapping`,
//!   - `iam:PassRole` + `cloudformation:CreateStack`,
//!   - `iam:PassRole` + `glue:CreateDevEndpoint`,
//!   - `iam:PassRole` + `datapipeline:CreatePipeline` + `datapipeline:PutPipelineDefinition`,
//!   - `iam:PassRole` + `codebuild:CreateProject` + `codebuild:StartBuild`,
//!   - `iam:PassRole` + `sagemaker:CreateNotebookInstance`,
//!   - `iam:PassRole` + `ecs:RegisterTaskDefinition` + `ecs:RunTask`,
//!   - `iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`,
//!   - `iam:AttachUserPolicy`, `iam:AttachGroupPolicy`, `iam:AttachRolePolicy`,
//!   - `iam:PutUserPolicy`, `iam:PutGroupPolicy`, `iam:PutRolePolicy`,
//!   - `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile` (on other users),
//!   - `iam:UpdateAssumeRolePolicy` (+ `sts:AssumeRole`),
//!   - `iam:AddUserToGroup`,
//!   - `iam:DeleteRolePermissionsBoundary`, `iam:DeleteUserPermissionsBoundary`,
//!   - `sts:AssumeRole` on `*`,
//!   - `glue:UpdateDevEndpoint`, `lambda:UpdateFunctionCode` (code running as an existing role).
//! - `credential_exposure`: actions that return secrets or mint credentials ([`CREDENTIAL`]).
//! - `data_read_all`: `s3:GetObject`, `dynamodb:Scan`/`Query`/`GetItem` on everything.
//! - `permissions_management`: any IAM write on everything ([`IAM_WRITE`]).
//!
//! Evidence per flag (attribute `<flag>_via`) names the policy, the statement and whether the
//! grant is conditional, so a finding says why.

use super::eval::{Decision, PolicySet};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Privilege-escalation combinations: (name, every action needed on `*`).
pub const ESCALATION: &[(&str, &[&str])] = &[
    ("passrole+ec2", &["iam:PassRole", "ec2:RunInstances"]),
    (
        "passrole+lambda-invoke",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
    ),
    (
        "passrole+lambda-event-source",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
    ),
    (
        "passrole+cloudformation",
        &["iam:PassRole", "cloudformation:CreateStack"],
    ),
    ("passrole+glue", &["iam:PassRole", "glue:CreateDevEndpoint"]),
    (
        "passrole+datapipeline",
        &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
    ),
    (
        "passrole+codebuild",
        &[
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuild",
        ],
    ),
    (
        "passrole+sagemaker",
        &["iam:PassRole", "sagemaker:CreateNotebookInstance"],
    ),
    (
        "passrole+ecs",
        &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
    ),
    ("create-policy-version", &["iam:CreatePolicyVersion"]),
    (
        "set-default-policy-version",
        &["iam:SetDefaultPolicyVersion"],
    ),
    ("attach-user-policy", &["iam:AttachUserPolicy"]),
    ("attach-group-policy", &["iam:AttachGroupPolicy"]),
    ("attach-role-policy", &["iam:AttachRolePolicy"]),
    ("put-user-policy", &["iam:PutUserPolicy"]),
    ("put-group-policy", &["iam:PutGroupPolicy"]),
    ("put-role-policy", &["iam:PutRolePolicy"]),
    ("create-access-key", &["iam:CreateAccessKey"]),
    ("create-login-profile", &["iam:CreateLoginProfile"]),
    ("update-login-profile", &["iam:UpdateLoginProfile"]),
    ("update-assume-role-policy", &["iam:UpdateAssumeRolePolicy"]),
    ("add-user-to-group", &["iam:AddUserToGroup"]),
    (
        "delete-role-boundary",
        &["iam:DeleteRolePermissionsBoundary"],
    ),
    (
        "delete-user-boundary",
        &["iam:DeleteUserPermissionsBoundary"],
    ),
    ("assume-any-role", &["sts:AssumeRole"]),
    ("glue-update-dev-endpoint", &["glue:UpdateDevEndpoint"]),
    ("lambda-update-code", &["lambda:UpdateFunctionCode"]),
];

/// Actions that hand secrets or fresh credentials to the caller.
pub const CREDENTIAL: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "kms:Decrypt",
    "iam:CreateAccessKey",
    "iam:CreateServiceSpecificCredential",
    "sts:GetFederationToken",
    "ecr:GetAuthorizationToken",
];

pub const DATA_READ: &[&str] = &[
    "s3:GetObject",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:GetItem",
];

/// IAM writes that change who can do what.
pub const IAM_WRITE: &[&str] = &[
    "iam:CreateUser",
    "iam:CreateRole",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
];

/// What rules read: flags, the risky actions allowed, and per-flag evidence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyFacts {
    pub flags: Vec<String>,
    /// Allowed risky actions (as written in the tables above), `*` for admin.
    pub actions: Vec<String>,
    /// `flag -> [evidence…]`.
    pub evidence: BTreeMap<String, Vec<Value>>,
}

/// Evaluate every action the tables name, once each.
pub fn analyse(set: &PolicySet) -> PolicyFacts {
    let mut memo: HashMap<&str, Decision> = HashMap::new();
    let mut decide = |a: &'static str| -> Decision {
        memo.entry(a)
            .or_insert_with(|| set.decide(&a.to_ascii_lowercase()))
            .clone()
    };
    let mut facts = PolicyFacts::default();
    let mut actions = BTreeSet::new();

    let admin = decide("*");
    if admin.allowed {
        actions.insert("*".to_string());
        add(&mut facts, "admin", evidence(&["*"], &[&admin], None));
    }
    for (name, combo) in ESCALATION {
        let ds: Vec<Decision> = combo.iter().map(|a| decide(a)).collect();
        if ds.iter().all(|d| d.allowed) {
            actions.extend(combo.iter().map(|a| a.to_string()));
            let refs: Vec<&Decision> = ds.iter().collect();
            add(
                &mut facts,
                "privilege_escalation",
                evidence(combo, &refs, Some(name)),
            );
        }
    }
    for (flag, table) in [
        ("credential_exposure", CREDENTIAL),
        ("data_read_all", DATA_READ),
        ("permissions_management", IAM_WRITE),
    ] {
        for a in table {
            let d = decide(a);
            if d.allowed {
                actions.insert(a.to_string());
                add(&mut facts, flag, evidence(&[a], &[&d], None));
            }
        }
    }
    facts.actions = actions.into_iter().collect();
    facts
}

fn add(facts: &mut PolicyFacts, flag: &str, ev: Value) {
    if !facts.flags.iter().any(|f| f == flag) {
        facts.flags.push(flag.to_string());
    }
    facts.evidence.entry(flag.to_string()).or_default().push(ev);
}

/// `{actions, granted_by: ["policy statement"…], conditional, combo?}`.
fn evidence(actions: &[&str], ds: &[&Decision], combo: Option<&str>) -> Value {
    let mut granted_by: Vec<String> = ds
        .iter()
        .filter_map(|d| d.grants.first())
        .map(|g| {
            let c = if g.conditional { " (conditional)" } else { "" };
            format!("{} {}{c}", g.policy, g.statement)
        })
        .collect();
    granted_by.dedup();
    let mut v = json!({
        "actions": actions,
        "granted_by": granted_by,
        "conditional": ds.iter().any(|d| d.conditional),
    });
    if let Some(c) = combo {
        v["combo"] = json!(c);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::super::document::parse_policy;
    use super::*;
    use std::sync::Arc;

    fn facts(doc: Value) -> PolicyFacts {
        analyse(&PolicySet {
            identity: vec![Arc::new(parse_policy("pol", &doc).unwrap())],
            boundary: None,
        })
    }

    #[test]
    fn admin_is_everything() {
        let f = facts(json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}));
        for flag in [
            "admin",
            "privilege_escalation",
            "credential_exposure",
            "data_read_all",
            "permissions_management",
        ] {
            assert!(f.flags.iter().any(|x| x == flag), "{flag}");
        }
        assert!(f.actions.contains(&"*".to_string()));
        assert_eq!(f.evidence["admin"][0]["granted_by"][0], "pol #1");
    }

    #[test]
    fn passrole_needs_its_partner() {
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "*"}}),
        );
        assert!(!f.flags.iter().any(|x| x == "privilege_escalation"));
        let f = facts(
            json!({"Statement": {"Sid": "Deploy", "Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}}),
        );
        let e = &f.evidence["privilege_escalation"][0];
        assert_eq!(e["combo"], "passrole+ec2");
        assert_eq!(e["granted_by"][0], "pol Deploy");
        assert_eq!(f.actions, vec!["ec2:RunInstances", "iam:PassRole"]);
    }

    #[test]
    fn conditional_grant_is_marked() {
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}}),
        );
        let e = &f.evidence["credential_exposure"][0];
        assert_eq!(e["conditional"], true);
        assert!(
            e["granted_by"][0]
                .as_str()
                .unwrap()
                .ends_with("(conditional)")
        );
        assert!(!f.flags.iter().any(|x| x == "admin"));
    }

    #[test]
    fn read_only_data_access() {
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}}),
        );
        assert_eq!(f.flags, vec!["data_read_all"]);
    }
}

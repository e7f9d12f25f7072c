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
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

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

/// Every action the tables name (and `*`), lower-cased, once: the probes whose per-policy
/// verdicts are cached (see [`super::eval::PolicySet::decide_probe`]).
pub fn probe_actions() -> &'static [String] {
    &PROBES.0
}

fn probe_index(action: &str) -> usize {
    PROBES.1[action]
}

/// (lower-cased probes, original spelling -> index).
static PROBES: LazyLock<(Vec<String>, HashMap<&'static str, usize>)> = LazyLock::new(|| {
    let mut list = Vec::new();
    let mut index = HashMap::new();
    let all = std::iter::once("*")
        .chain(ESCALATION.iter().flat_map(|(_, c)| c.iter().copied()))
        .chain(CREDENTIAL.iter().copied())
        .chain(DATA_READ.iter().copied())
        .chain(IAM_WRITE.iter().copied());
    for a in all {
        index.entry(a).or_insert_with(|| {
            list.push(a.to_ascii_lowercase());
            list.len() - 1
        });
    }
    (list, index)
});

/// Evidence entries kept per flag; the rest are counted.
const MAX_EVIDENCE: usize = 5;

/// What rules read: flags, the risky actions allowed, and per-flag evidence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyFacts {
    pub flags: Vec<String>,
    /// Allowed risky actions (as written in the tables above); just `*` for an admin.
    pub actions: Vec<String>,
    /// `flag -> ["<actions> via <policy> <statement> [(conditional)]", …]`. For an admin only
    /// `admin` has evidence: it implies the rest.
    pub evidence: BTreeMap<String, Vec<String>>,
    /// PassRole combinations whose other actions are allowed on everything while `iam:PassRole`
    /// is not: (combination, its actions, the partners' grant text). Escalation only if the
    /// roles it may pass are stronger, which needs the other roles ([`add_scoped_passrole`]).
    pub passrole_partners: Vec<(&'static str, &'static [&'static str], String)>,
    /// `<action> denied by <SCP/RCP and statement>` for risky actions the principal's own
    /// policies allow but the organisation's ceiling refuses, sorted.
    pub ceiling_denied: Vec<String>,
}

/// Evaluate every action the tables name, once each.
pub fn analyse(set: &PolicySet) -> PolicyFacts {
    let mut memo: HashMap<&str, Decision> = HashMap::new();
    let mut decide = |a: &'static str| -> Decision {
        memo.entry(a)
            .or_insert_with(|| set.decide_probe(probe_index(a)))
            .clone()
    };
    let mut facts = PolicyFacts::default();
    let mut actions = BTreeSet::new();
    // flag -> (grant text -> actions), merged so one statement granting nine actions is one line.
    let mut ev: BTreeMap<&str, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let flag = |facts: &mut PolicyFacts, name: &'static str| {
        if !facts.flags.iter().any(|f| f == name) {
            facts.flags.push(name.to_string());
        }
    };

    let admin = decide("*");
    if admin.allowed {
        flag(&mut facts, "admin");
        ev.entry("admin")
            .or_default()
            .insert(grant_text(&[&admin]), vec!["*".into()]);
    }
    for (name, combo) in ESCALATION {
        let ds: Vec<Decision> = combo.iter().map(|a| decide(a)).collect();
        if combo[0] == "iam:PassRole" && !ds[0].allowed && ds[1..].iter().all(|d| d.allowed) {
            let refs: Vec<&Decision> = ds[1..].iter().collect();
            facts
                .passrole_partners
                .push((name, combo, grant_text(&refs)));
        }
        if ds.iter().all(|d| d.allowed) {
            flag(&mut facts, "privilege_escalation");
            actions.extend(combo.iter().map(|a| a.to_string()));
            let refs: Vec<&Decision> = ds.iter().collect();
            ev.entry("privilege_escalation")
                .or_default()
                .entry(grant_text(&refs))
                .or_default()
                .push(format!("{name} ({})", combo.join(" + ")));
        }
    }
    for (name, table) in [
        ("credential_exposure", CREDENTIAL),
        ("data_read_all", DATA_READ),
        ("permissions_management", IAM_WRITE),
    ] {
        for a in table {
            let d = decide(a);
            if d.allowed {
                flag(&mut facts, name);
                actions.insert(a.to_string());
                ev.entry(name)
                    .or_default()
                    .entry(grant_text(&[&d]))
                    .or_default()
                    .push(a.to_string());
            }
        }
    }
    let mut denied: Vec<String> = memo
        .iter()
        .filter_map(|(a, d)| {
            let why = d.blocked_by.as_deref()?;
            is_ceiling(why).then(|| format!("{a} denied by {why}"))
        })
        .collect();
    denied.sort();
    if denied.len() > 2 * MAX_EVIDENCE {
        let more = denied.len() - 2 * MAX_EVIDENCE;
        denied.truncate(2 * MAX_EVIDENCE);
        denied.push(format!("… and {more} more"));
    }
    facts.ceiling_denied = denied;
    if admin.allowed {
        facts.actions = vec!["*".into()];
        ev.retain(|f, _| *f == "admin");
    } else {
        facts.actions = actions.into_iter().collect();
    }
    for (f, grants) in ev {
        let mut lines: Vec<String> = grants
            .into_iter()
            .map(|(by, acts)| format!("{} via {by}", acts.join(", ")))
            .collect();
        if lines.len() > MAX_EVIDENCE {
            let more = lines.len() - MAX_EVIDENCE;
            lines.truncate(MAX_EVIDENCE);
            lines.push(format!("… and {more} more"));
        }
        facts.evidence.insert(f.to_string(), lines);
    }
    facts
}

/// `iam:PassRole` granted on named roles only is escalation when one of them is an administrator
/// (`admins`: role ARNs with the `admin` flag) and the compute action it pairs with is allowed:
/// the holder launches code as that role. Passing a role no stronger than itself is not.
pub fn add_scoped_passrole(
    facts: &mut PolicyFacts,
    set: &PolicySet,
    self_arn: &str,
    admins: &[&str],
) {
    if facts.flags.iter().any(|f| f == "admin") {
        return;
    }
    let mut lines = Vec::new();
    for (name, combo, partners) in &facts.passrole_partners {
        let hit = admins.iter().filter(|a| **a != self_arn).find_map(|role| {
            let d = set.decide_on("iam:passrole", role);
            d.allowed.then_some((role, d))
        });
        if let Some((role, d)) = hit {
            let mut by = grant_text(&[&d]);
            if !partners.is_empty() && *partners != by {
                by = format!("{by}, {partners}");
            }
            lines.push(format!(
                "{name} (iam:PassRole on administrator role {role} + {}) via {by}",
                combo[1..].join(" + ")
            ));
        }
    }
    if lines.is_empty() {
        return;
    }
    if !facts.flags.iter().any(|f| f == "privilege_escalation") {
        facts.flags.push("privilege_escalation".into());
    }
    let mut actions: BTreeSet<String> = facts.actions.drain(..).collect();
    actions.insert("iam:PassRole".into());
    facts.actions = actions.into_iter().collect();
    let ev = facts
        .evidence
        .entry("privilege_escalation".into())
        .or_default();
    for l in lines {
        if ev.len() < MAX_EVIDENCE {
            ev.push(l);
        }
    }
}

/// A refusal by the organisation's SCPs or RCPs (see [`super::ceiling`] for the labels).
fn is_ceiling(why: &str) -> bool {
    why.starts_with("SCP ") || why.starts_with("RCP ") || why.starts_with("no SCP ")
}

/// `<policy> <statement>[, …][ (conditional)]` for the first grant of each decision.
fn grant_text(ds: &[&Decision]) -> String {
    let mut by: Vec<String> = ds
        .iter()
        .filter_map(|d| d.grant.as_ref())
        .map(|g| g.describe())
        .collect();
    by.dedup();
    let mut s = by.join(", ");
    if ds.iter().any(|d| d.conditional) {
        s.push_str(" (conditional)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::document::parse_policy;
    use super::*;
    use std::sync::Arc;

    use serde_json::{Value, json};

    fn facts(doc: Value) -> PolicyFacts {
        analyse(&PolicySet {
            identity: vec![Arc::new(parse_policy("pol", &doc).unwrap())],
            boundary: None,
            ceiling: None,
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
        assert_eq!(f.actions, vec!["*"]);
        assert_eq!(f.evidence["admin"], vec!["* via pol #1"]);
        assert_eq!(
            f.evidence.len(),
            1,
            "an admin's other flags need no evidence"
        );
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
        assert_eq!(
            f.evidence["privilege_escalation"],
            vec!["passrole+ec2 (iam:PassRole + ec2:RunInstances) via pol Deploy"]
        );
        assert_eq!(f.actions, vec!["ec2:RunInstances", "iam:PassRole"]);
    }

    #[test]
    fn passrole_on_one_role_escalates_only_to_an_administrator() {
        let admin = "arn:aws:iam::123456789012:role/Admin";
        let app = "arn:aws:iam::123456789012:role/app";
        let doc = |role: &str| {
            json!({"Statement": [
                {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": role},
                {"Sid": "Run", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}]})
        };
        let set = |role: &str| PolicySet {
            identity: vec![Arc::new(parse_policy("pol", &doc(role)).unwrap())],
            boundary: None,
            ceiling: None,
        };
        let me = "arn:aws:iam::123456789012:user/deployer";
        // Scoped to a role that is not an administrator: no escalation.
        let mut f = analyse(&set(app));
        assert!(!f.flags.iter().any(|x| x == "privilege_escalation"));
        add_scoped_passrole(&mut f, &set(app), me, &[admin]);
        assert!(!f.flags.iter().any(|x| x == "privilege_escalation"));
        // Scoped to the administrator role: escalation, naming it.
        let mut f = analyse(&set(admin));
        add_scoped_passrole(&mut f, &set(admin), me, &[admin]);
        assert!(f.flags.iter().any(|x| x == "privilege_escalation"));
        assert_eq!(
            f.evidence["privilege_escalation"],
            vec![format!(
                "passrole+ec2 (iam:PassRole on administrator role {admin} + ec2:RunInstances) via pol Pass, pol Run"
            )]
        );
        // Without its partner action PassRole alone is nothing.
        let only = PolicySet {
            identity: vec![Arc::new(
                parse_policy("pol", &json!({"Statement": {"Effect": "Allow", "Action": "iam:PassRole", "Resource": admin}}))
                    .unwrap(),
            )],
            boundary: None,
            ceiling: None,
        };
        let mut f = analyse(&only);
        add_scoped_passrole(&mut f, &only, me, &[admin]);
        assert!(f.flags.is_empty());
    }

    #[test]
    fn conditional_grant_is_marked() {
        let f = facts(
            json!({"Statement": {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}}),
        );
        assert_eq!(
            f.evidence["credential_exposure"],
            vec!["secretsmanager:GetSecretValue via pol #1 (conditional)"]
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

    #[test]
    fn cached_probe_verdicts_agree_with_direct_decisions() {
        let docs = [
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:Create*", "Resource": "*"},
                {"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}),
            json!({"Statement": {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}}),
        ];
        let set = PolicySet {
            identity: docs
                .iter()
                .map(|d| Arc::new(parse_policy("p", d).unwrap()))
                .collect(),
            boundary: Some(vec![Arc::new(
                parse_policy("b", &json!({"Statement": {"Effect": "Allow", "Action": ["iam:*", "sts:*", "kms:*"], "Resource": "*"}}))
                    .unwrap(),
            )]),
            ceiling: None,
        };
        for (i, a) in probe_actions().iter().enumerate() {
            assert_eq!(set.decide_probe(i), set.decide(a), "{a}");
        }
        assert!(set.decide("iam:passrole").allowed);
        assert!(!set.decide("iam:createaccesskey").allowed);
        assert!(set.decide("kms:decrypt").conditional);
    }

    #[test]
    fn one_statement_granting_many_actions_is_one_line() {
        let f = facts(
            json!({"Statement": {"Sid": "Ops", "Effect": "Allow", "Action": ["ssm:*", "kms:*"], "Resource": "*"}}),
        );
        assert_eq!(
            f.evidence["credential_exposure"],
            vec![
                "ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, kms:Decrypt via pol Ops"
            ]
        );
    }
}

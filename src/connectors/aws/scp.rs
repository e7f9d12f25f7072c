//! Service and resource control policies given offline (`--scp FILE…`): each file is either a
//! policy document (`{"Version": …, "Statement": …}`, taken as an SCP named after the file) or
//! what `aws organizations describe-policy --policy-id p-…` prints (`{"Policy": {"PolicySummary":
//! {"Id", "Name", "Type", …}, "Content": "<document>"}}`), whose `Type` says SCP or RCP. A file
//! that is neither is a warning naming it, and the other files still apply.

use super::policy::ceiling::Ceiling;
use super::policy::parse_policy;
use crate::inventory::Note;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// Read every file into one ceiling; `None` when no file could be used.
pub fn read(files: &[std::path::PathBuf], notes: &mut Vec<Note>) -> Option<Ceiling> {
    let mut c = Ceiling::default();
    let mut level = Vec::new();
    for f in files {
        match read_one(f) {
            Ok((rcp, p)) => {
                if rcp {
                    c.rcps.push(Arc::new(p));
                } else {
                    level.push(Arc::new(p));
                }
            }
            Err(e) => notes.push(Note::warning(
                f.display().to_string(),
                format!("{e}; this control policy is not applied"),
            )),
        }
    }
    if !level.is_empty() {
        c.scps.push(level);
    }
    (!c.scps.is_empty() || !c.rcps.is_empty()).then_some(c)
}

/// (is an RCP, the policy labelled `SCP <name> (<id>)`).
fn read_one(f: &Path) -> Result<(bool, super::policy::ParsedPolicy), String> {
    let meta = std::fs::symlink_metadata(f).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return Err("not a regular file under 1 MiB".into());
    }
    let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read: {e}"))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "not JSON ({}); give a policy document or `aws organizations describe-policy` output",
            crate::parse_note::json(&e)
        )
    })?;
    let file = f
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse(&v, &file)
}

/// A document or a `describe-policy` answer, already parsed as JSON.
pub fn parse(v: &Value, file: &str) -> Result<(bool, super::policy::ParsedPolicy), String> {
    if let Some(p) = v.get("Policy") {
        let summary = p.get("PolicySummary");
        let field = |k: &str| summary.and_then(|s| s.get(k)).and_then(Value::as_str);
        let rcp = match field("Type") {
            Some("SERVICE_CONTROL_POLICY") | None => false,
            Some("RESOURCE_CONTROL_POLICY") => true,
            Some(_) => return Err("not a service or resource control policy (Type)".into()),
        };
        let name = field("Name").unwrap_or(file);
        let label = match field("Id") {
            Some(id) => format!("{} {name} ({id})", if rcp { "RCP" } else { "SCP" }),
            None => format!("{} {name}", if rcp { "RCP" } else { "SCP" }),
        };
        let content = p
            .get("Content")
            .ok_or("describe-policy output without Content")?;
        return parse_policy(label, content).map(|x| (rcp, x));
    }
    if v.get("Statement").is_some() {
        return parse_policy(format!("SCP {file}"), v).map(|x| (false, x));
    }
    Err("neither a policy document nor `aws organizations describe-policy` output".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn describe_policy_output_and_bare_documents() {
        let out = json!({"Policy": {"PolicySummary": {"Id": "p-examplepolicyid111", "Arn": "arn:aws:organizations::111111111111:policy/o-exampleorgid/service_control_policy/p-examplepolicyid111",
            "Name": "AllowAllS3Actions", "Description": "Enables admins to delegate S3 permissions", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false},
            "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],\"Resource\":[\"*\"]}]}"}});
        let (rcp, p) = parse(&out, "f.json").unwrap();
        assert!(!rcp);
        assert_eq!(p.label, "SCP AllowAllS3Actions (p-examplepolicyid111)");
        assert_eq!(p.statements.len(), 1);
        let mut rcp_out = out.clone();
        rcp_out["Policy"]["PolicySummary"]["Type"] = json!("RESOURCE_CONTROL_POLICY");
        assert!(parse(&rcp_out, "f.json").unwrap().0);
        let mut tag = out;
        tag["Policy"]["PolicySummary"]["Type"] = json!("TAG_POLICY");
        assert!(parse(&tag, "f.json").is_err());
        let (_, p) = parse(
            &json!({"Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}}),
            "deny-iam.json",
        )
        .unwrap();
        assert_eq!(p.label, "SCP deny-iam.json");
        assert!(parse(&json!({"Users": []}), "x.json").is_err());
    }
}

//! Offline mode: an `aws iam get-account-authorization-details` export, optionally with a
//! credential report CSV, read from files so consultants can scan without credentials.

use super::credential_report;
use super::export::{AccountData, AuthDetails};
use crate::inventory::Note;
use anyhow::{Context, Result, bail};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::Path;

/// Read the export (and report). Malformed JSON is an error naming the file, line and column;
/// malformed report rows are notes.
pub fn read(
    from: &Path,
    report: Option<&Path>,
    account_id: Option<String>,
    notes: &mut Vec<Note>,
) -> Result<AccountData> {
    let text = std::fs::read_to_string(from).with_context(|| {
        format!(
            "reading {} (give --from the output of `aws iam get-account-authorization-details`)",
            from.display()
        )
    })?;
    let details = parse_details(&text, &from.display().to_string(), notes)?;
    let report = match report {
        Some(p) => {
            let text = std::fs::read(p)
                .with_context(|| format!("reading credential report {}", p.display()))?;
            Some(credential_report::parse(
                &text,
                &p.display().to_string(),
                notes,
            )?)
        }
        None => {
            notes.push(Note::new(
                crate::inventory::NoteLevel::Info,
                from.display().to_string(),
                "no --credential-report: access keys, passwords and the root account are not \
                 inventoried, and key-age/usage rules cannot run",
            ));
            None
        }
    };
    Ok(AccountData {
        details,
        report,
        access_keys: None,
        other_credentials: Default::default(),
        account_id,
        pod_identities: vec![],
    })
}

/// The export's lists, each record still JSON: one record IAM would never produce (a user without
/// `Arn`, a role whose `RoleName` is a number) is skipped with a note, not the whole account.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawDetails {
    #[serde(default)]
    user_detail_list: Vec<Value>,
    #[serde(default)]
    group_detail_list: Vec<Value>,
    #[serde(default)]
    role_detail_list: Vec<Value>,
    #[serde(default)]
    policies: Vec<Value>,
}

/// Parse an export. JSON that does not parse, or is not an object of lists, is an error naming
/// file, line and column; a malformed record inside a list is a note and is skipped.
pub fn parse_details(text: &str, source: &str, notes: &mut Vec<Note>) -> Result<AuthDetails> {
    let raw: RawDetails = serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{source}: not a get-account-authorization-details export: {}",
            crate::parse_note::json(&e)
        )
    })?;
    let d = AuthDetails {
        user_detail_list: records(raw.user_detail_list, "UserDetailList", source, notes),
        group_detail_list: records(raw.group_detail_list, "GroupDetailList", source, notes),
        role_detail_list: records(raw.role_detail_list, "RoleDetailList", source, notes),
        policies: records(raw.policies, "Policies", source, notes),
        is_truncated: false,
        marker: None,
    };
    if d.user_detail_list.is_empty()
        && d.role_detail_list.is_empty()
        && d.group_detail_list.is_empty()
        && d.policies.is_empty()
    {
        let looks_right = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| {
                v.as_object()
                    .map(|o| o.contains_key("UserDetailList") || o.contains_key("RoleDetailList"))
            })
            .unwrap_or(false);
        if !looks_right {
            bail!(
                "{source}: no UserDetailList, RoleDetailList, GroupDetailList or Policies: not a \
                 get-account-authorization-details export"
            );
        }
    }
    Ok(d)
}

/// Each record of one list; a bad one becomes a note naming the list and index (never its
/// values: the problem text has quoted values blanked).
fn records<T: DeserializeOwned>(
    list: Vec<Value>,
    name: &str,
    source: &str,
    notes: &mut Vec<Note>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(list.len());
    for (i, v) in list.into_iter().enumerate() {
        match serde_json::from_value(v) {
            Ok(x) => out.push(x),
            Err(e) => notes.push(Note::warning(
                format!("{source}: {name}[{i}]"),
                format!(
                    "record skipped: {} (the rest of the export is scanned)",
                    record_problem(&e)
                ),
            )),
        }
    }
    out
}

/// A missing field is named (field names are the export's schema, not its content); any other
/// problem has its quoted values blanked.
fn record_problem(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg
        .strip_prefix("missing field `")
        .and_then(|r| r.split_once('`'))
    {
        Some((field, _))
            if !field.is_empty() && field.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            format!("missing field `{field}`")
        }
        _ => crate::parse_note::problem(&msg),
    }
}

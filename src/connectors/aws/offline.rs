//! Offline mode: an `aws iam get-account-authorization-details` export, optionally with a
//! credential report CSV, read from files so consultants can scan without credentials.

use super::credential_report;
use super::export::{AccountData, AuthDetails};
use crate::inventory::Note;
use anyhow::{Context, Result, bail};
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
    let details = parse_details(&text, &from.display().to_string())?;
    let report = match report {
        Some(p) => {
            let text = std::fs::read_to_string(p)
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
    })
}

pub fn parse_details(text: &str, source: &str) -> Result<AuthDetails> {
    let d: AuthDetails = serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{source}: not a get-account-authorization-details export: {}",
            crate::parse_note::json(&e)
        )
    })?;
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

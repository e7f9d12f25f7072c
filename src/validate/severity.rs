//! What a verdict does to the judged report: a working credential is an incident (critical), a
//! rejected one is cleanup (low). The verdict is written into each finding's evidence
//! (`validity`) so `--only-valid` and every report format can see it. Runs in the judge, so a
//! merged report is adjusted exactly like a scan.

use crate::inventory::{Finding, Identity, Note, NoteLevel, Severity, Validation, Validity};
use std::collections::HashMap;

/// The identity's verdict: valid if any of its found credentials works, else invalid if any was
/// rejected, else unknown; `None` when nothing was checked.
fn identity_validation(id: &Identity) -> Option<&Validation> {
    let all: Vec<&Validation> = id
        .credentials
        .iter()
        .filter_map(|c| c.found.as_ref()?.validation.as_ref())
        .collect();
    [Validity::Valid, Validity::Invalid, Validity::Unknown]
        .into_iter()
        .find_map(|want| all.iter().find(|v| v.validity == want).copied())
}

fn identity_validity(id: &Identity) -> Option<Validity> {
    identity_validation(id).map(|v| v.validity)
}

pub fn adjust_findings(identities: &[Identity], findings: &mut [Finding]) {
    let by_id: HashMap<&str, &Validation> = identities
        .iter()
        .filter_map(|i| Some((i.id.as_str(), identity_validation(i)?)))
        .collect();
    if by_id.is_empty() {
        return;
    }
    for f in findings {
        let Some(&validation) = by_id.get(f.identity_id.as_str()) else {
            continue;
        };
        let v = validation.validity;
        match v {
            Validity::Valid => f.severity = Severity::Critical,
            Validity::Invalid => f.severity = f.severity.min(Severity::Low),
            Validity::Unknown => {}
        }
        f.evidence
            .insert("validity".into(), serde_json::json!(v.as_str()));
        f.evidence.insert(
            "validity_reason".into(),
            serde_json::json!(validation.reason),
        );
    }
}

/// A found AWS key joined to its IAM key: the provider's verdict and IAM's status should tell
/// the same story (an inactive key is rejected by STS). When they do not — an export older than
/// a rotation, or a check that went to another endpoint — the report says so.
pub fn agreement_notes(identities: &[Identity]) -> Vec<Note> {
    let mut notes = Vec::new();
    for id in identities {
        let Some(status) = id.attributes.get("iam_key_status").and_then(|v| v.as_str()) else {
            continue;
        };
        let Some(v) = identity_validity(id) else {
            continue;
        };
        let active = status.eq_ignore_ascii_case("active");
        let disagree = match v {
            Validity::Valid => !active,
            Validity::Invalid => active,
            Validity::Unknown => false,
        };
        if disagree {
            notes.push(Note::new(
                NoteLevel::Warning,
                id.id.clone(),
                format!(
                    "validation says {} but IAM lists the key as {status}: the IAM data may be \
                     older than the check, or the check went to another account's endpoint",
                    v.as_str()
                ),
            ));
        }
    }
    notes
}

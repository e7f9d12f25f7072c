//! `--format ocsf`: OCSF 1.3 Detection Finding records (class 2004, category 2 Findings), one JSON
//! object per line (JSON Lines), the shape SIEM pipelines (Amazon Security Lake, Splunk, Sentinel
//! via OCSF mappers) ingest record by record.
//!
//! Mapping: `finding_info.uid` is the stable fingerprint (so a SIEM de-duplicates across runs),
//! `title`/`desc` the rule title and the finding's message, `analytic` the rule; `resources[0]`
//! is the identity (uid, name, kind as type, labels, owner, and the facts an analyst needs in
//! `data`); `evidences[0].data` the facts the rule used; `remediation` the rule's fix and
//! references; `time` the end of the run in epoch milliseconds. Baselined findings are
//! `status_id` 3 (Suppressed), others 1 (New).

use super::{RuleDoc, identity_index};
use crate::inventory::{Finding, Identity, Report, Severity};
use anyhow::Result;
use serde_json::{Value, json};
use std::collections::HashMap;

pub const OCSF_VERSION: &str = "1.3.0";
const CLASS_UID: u32 = 2004;
const CATEGORY_UID: u32 = 2;
const ACTIVITY_CREATE: u32 = 1;

pub fn render(report: &Report, rules: &[RuleDoc]) -> Result<Vec<u8>> {
    let identities = identity_index(report);
    let docs: HashMap<&str, &RuleDoc> = rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let time = report.finished_at.timestamp_millis();
    let mut out = Vec::new();
    for f in &report.findings {
        let record = record(
            f,
            identities.get(f.identity_id.as_str()).copied(),
            docs.get(f.rule_id.as_str()).copied(),
            report,
            time,
        );
        serde_json::to_writer(&mut out, &record)?;
        out.push(b'\n');
    }
    Ok(out)
}

/// OCSF `severity_id`: 1 Informational … 5 Critical.
pub fn severity_id(s: Severity) -> (u32, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn record(
    f: &Finding,
    identity: Option<&Identity>,
    doc: Option<&RuleDoc>,
    report: &Report,
    time: i64,
) -> Value {
    let (severity_id, severity) = severity_id(f.severity);
    let (status_id, status) = match f.baseline_state.as_deref() {
        Some("baselined") => (3, "Suppressed"),
        _ => (1, "New"),
    };
    let mut remediation = json!({"desc": f.remediation.clone().or_else(|| doc.map(|d| d.remediation.clone())).unwrap_or_default()});
    if let Some(d) = doc.filter(|d| !d.references.is_empty()) {
        remediation["references"] = json!(d.references);
    }
    let mut evidence = json!({"data": f.evidence});
    if !f.locations.is_empty() {
        evidence["data"]["locations"] = json!(f.locations);
    }
    json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": report.tool.name,
                "vendor_name": "nhiscan",
                "version": report.tool.version,
            },
            "uid": f.fingerprint,
        },
        "finding_info": {
            "uid": f.fingerprint,
            "title": f.title,
            "desc": f.message,
            "types": [f.rule_id],
            "analytic": {"uid": f.rule_id, "name": f.title, "type_id": 1, "type": "Rule"},
        },
        "resources": [resource(f, identity)],
        "evidences": [evidence],
        "remediation": remediation,
    })
}

fn resource(f: &Finding, identity: Option<&Identity>) -> Value {
    let Some(i) = identity else {
        return json!({"uid": f.identity_id});
    };
    let mut data = serde_json::Map::new();
    data.insert("source".into(), json!(i.source));
    for (k, v) in [
        ("created_at", i.created_at),
        ("last_used_at", i.last_used_at),
    ] {
        if let Some(t) = v {
            data.insert(k.into(), json!(t));
        }
    }
    if !i.permissions.flags.is_empty() {
        data.insert("permission_flags".into(), json!(i.permissions.flags));
    }
    data.insert("credentials".into(), json!(i.credentials.len()));
    let mut r = json!({
        "uid": i.id,
        "name": i.name,
        "type": i.kind,
        "data": data,
    });
    if !i.labels.is_empty() {
        r["labels"] = json!(
            i.labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
        );
    }
    if let Some(o) = &i.owner {
        r["owner"] = json!({"name": o.name});
        r["data"]["owner_source"] = json!(o.source.as_str());
    }
    r
}

//! Baselines: the fingerprints of findings a team has accepted, so CI fails only on new ones.
//! A baseline is written sorted, so it diffs cleanly in review; a full JSON report is accepted as
//! a baseline too.

use crate::inventory::{Finding, Report, SCHEMA_VERSION, Severity};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    pub schema_version: String,
    pub kind: String,
    pub entries: Vec<BaselineEntry>,
}

/// One accepted finding. Only `fingerprint` is used for matching; the rest helps a reviewer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub severity: Severity,
    pub identity_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

const BASELINE_KIND: &str = "nhiscan-baseline";

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                severity: f.severity,
                identity_id: f.identity_id.clone(),
                path: f.locations.first().map(|l| l.path.clone()),
            })
            .collect();
        entries.sort();
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            schema_version: SCHEMA_VERSION.into(),
            kind: BASELINE_KIND.into(),
            entries,
        }
    }

    /// Read a baseline file, or a JSON report used as one.
    pub fn read(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading baseline {}", path.display()))?;
        Baseline::parse(&text).with_context(|| format!("baseline {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Baseline> {
        let value: serde_json::Value = serde_json::from_str(text)
            .context("not JSON (write one with `nhiscan baseline REPORT.json -o FILE`)")?;
        if value.get("kind").and_then(|k| k.as_str()) == Some(BASELINE_KIND) {
            return serde_json::from_value(value).context("malformed baseline");
        }
        if value.get("findings").is_some() {
            let report: Report =
                serde_json::from_value(value).context("not an nhiscan JSON report")?;
            return Ok(Baseline::from_findings(&report.findings));
        }
        bail!("neither an nhiscan baseline nor an nhiscan JSON report")
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("baseline serialises") + "\n"
    }

    /// Mark each finding `new` or `baselined`.
    pub fn apply(&self, findings: &mut [Finding]) {
        let known: HashSet<&str> = self
            .entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        for f in findings {
            f.baseline_state = Some(
                if known.contains(f.fingerprint.as_str()) {
                    "baselined"
                } else {
                    "new"
                }
                .into(),
            );
        }
    }
}

//! A judged report's exit code: the contract with CI scripts (README's table).

use crate::inventory::{Report, Severity, SourceStatus};
use crate::plan::Outcome;

/// 1 if any new finding reaches the threshold (with `only_valid`, only findings about a
/// credential validated as working), else 3 if some source was not complete, else 0.
pub fn outcome(report: &Report, fail_on: Option<Severity>, only_valid: bool) -> Outcome {
    let failing = fail_on.is_some_and(|t| {
        report.findings.iter().any(|f| {
            f.severity >= t
                && f.baseline_state.as_deref() != Some("baselined")
                && (!only_valid
                    || f.evidence.get("validity").and_then(|v| v.as_str()) == Some("valid"))
        })
    });
    if failing {
        Outcome::Findings
    } else if report
        .sources
        .iter()
        .any(|s| s.status != SourceStatus::Complete)
    {
        Outcome::Partial
    } else {
        Outcome::Clean
    }
}

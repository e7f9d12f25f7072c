//! A judged report's exit code: the contract with CI scripts (README's table).

use crate::inventory::{Report, Severity, SourceStatus};
use crate::plan::Outcome;

/// 1 if any new finding reaches the threshold, else 3 if some source was not complete, else 0.
pub fn outcome(report: &Report, fail_on: Option<Severity>) -> Outcome {
    let failing = fail_on.is_some_and(|t| {
        report
            .findings
            .iter()
            .any(|f| f.severity >= t && f.baseline_state.as_deref() != Some("baselined"))
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

//! The terminal view: a summary, then findings most severe first, one block each, with where the
//! secret is and what to do. Everything shown was redacted and sanitised upstream.

use crate::inventory::{Report, Severity, SourceStatus, sanitize_line};
use std::fmt::Write;

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    for src in &r.sources {
        let status = match src.status {
            SourceStatus::Complete => "complete",
            SourceStatus::Partial => "partial",
            SourceStatus::Failed => "FAILED",
        };
        let _ = writeln!(
            s,
            "{} {} — {status}: {} files, {:.1} MiB scanned",
            sanitize_line(&src.source, 40),
            sanitize_line(&src.target, 120),
            src.stats.files_scanned,
            src.stats.bytes_scanned as f64 / (1024.0 * 1024.0)
        );
        for n in src.notes.iter().take(10) {
            let _ = writeln!(
                s,
                "  note: {}: {}",
                sanitize_line(&n.subject, 120),
                sanitize_line(&n.message, 200)
            );
        }
        if src.notes.len() > 10 {
            let _ = writeln!(
                s,
                "  … {} more notes in the JSON report",
                src.notes.len() - 10
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{} identities, {} credentials, {} findings ({})\n",
        r.summary.identities,
        r.summary.credentials,
        r.summary.findings,
        Severity::ALL
            .iter()
            .map(|sev| format!(
                "{} {sev}",
                r.summary
                    .findings_by_severity
                    .get(sev)
                    .copied()
                    .unwrap_or(0)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for f in &r.findings {
        let tag = match f.baseline_state.as_deref() {
            Some("baselined") => " (baselined)",
            _ => "",
        };
        let _ = writeln!(
            s,
            "{:<8} {}{tag}\n         {}",
            f.severity.as_str().to_uppercase(),
            sanitize_line(&f.rule_id, 120),
            sanitize_line(&f.message, 300)
        );
        for l in f.locations.iter().take(5) {
            let _ = writeln!(
                s,
                "         at {}:{}:{}  {}",
                sanitize_line(&l.path, 160),
                l.line,
                l.column,
                sanitize_line(l.snippet.as_deref().unwrap_or(""), 300)
            );
        }
        if let Some(v) = f.evidence.get("validity").and_then(|v| v.as_str()) {
            let why = f
                .evidence
                .get("validity_reason")
                .and_then(|r| r.as_str())
                .unwrap_or("");
            let _ = writeln!(
                s,
                "         validity: {} ({})",
                sanitize_line(v, 20),
                sanitize_line(why, 200)
            );
        }
        if let Some(fix) = &f.remediation {
            let _ = writeln!(s, "         fix: {}", sanitize_line(fix, 300));
        }
        let _ = writeln!(s);
    }
    if r.findings.is_empty() {
        let _ = writeln!(s, "No findings.");
    }
    s
}

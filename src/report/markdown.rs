//! `--format markdown`: a summary for a CI job page (`$GITHUB_STEP_SUMMARY`, GitLab, a pull
//! request comment): counts by severity, source and rule, then the most severe findings. It is
//! short on purpose (the top findings only); the JSON/HTML report holds the rest.
//!
//! Every piece of scanned or user-controlled text goes through [`escape`]: Markdown and HTML
//! punctuation is backslash-escaped (so `|` cannot break a table and `<img …>` cannot render) and
//! line breaks become spaces.

use super::identity_index;
use crate::inventory::{NoteLevel, Report, Severity, SourceStatus};
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many findings the "Top findings" table lists.
pub const TOP_FINDINGS: usize = 25;

pub fn render(report: &Report) -> Vec<u8> {
    let mut s = String::new();
    let sum = &report.summary;
    let _ = writeln!(
        s,
        "## nhiscan: {} findings on {} identities\n",
        sum.findings, sum.identities
    );
    let _ = writeln!(
        s,
        "{} identities, {} credentials, {} findings ({} new). Report finished {}.\n",
        sum.identities,
        sum.credentials,
        sum.findings,
        sum.new_findings,
        report.finished_at.format("%Y-%m-%d %H:%M UTC")
    );

    let _ = writeln!(
        s,
        "### Findings by severity\n\n| Severity | Findings |\n|---|---:|"
    );
    for sev in Severity::ALL {
        let n = sum.findings_by_severity.get(&sev).copied().unwrap_or(0);
        let _ = writeln!(s, "| {} | {n} |", sev.as_str());
    }

    let identities = identity_index(report);
    let mut by_source: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for i in &report.identities {
        by_source.entry(i.source.as_str()).or_default().0 += 1;
    }
    for f in &report.findings {
        let src = identities
            .get(f.identity_id.as_str())
            .map(|i| i.source.as_str())
            .unwrap_or("unknown");
        by_source.entry(src).or_default().1 += 1;
    }
    let _ = writeln!(
        s,
        "\n### By source\n\n| Source | Identities | Findings |\n|---|---:|---:|"
    );
    for (src, (ids, fs)) in &by_source {
        let _ = writeln!(s, "| {} | {ids} | {fs} |", escape(src));
    }
    let _ = writeln!(s, "\n| Scanned | Status | Notes |\n|---|---|---:|");
    for r in &report.sources {
        let status = match r.status {
            SourceStatus::Complete => "complete",
            SourceStatus::Partial => "**partial**",
            SourceStatus::Failed => "**failed**",
        };
        let _ = writeln!(
            s,
            "| {} `{}` | {status} | {} |",
            escape(&r.source),
            code(&r.target),
            r.notes.len()
        );
    }

    let mut by_rule: BTreeMap<&str, (Severity, &str, usize)> = BTreeMap::new();
    for f in &report.findings {
        by_rule
            .entry(f.rule_id.as_str())
            .or_insert((f.severity, f.title.as_str(), 0))
            .2 += 1;
    }
    let mut rules: Vec<_> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| (b.1.0, b.1.2, a.0).cmp(&(a.1.0, a.1.2, b.0)));
    if !rules.is_empty() {
        let _ = writeln!(
            s,
            "\n### By rule\n\n| Rule | Severity | Findings | Title |\n|---|---|---:|---|"
        );
        for (id, (sev, title, n)) in &rules {
            let _ = writeln!(
                s,
                "| `{}` | {} | {n} | {} |",
                code(id),
                sev.as_str(),
                escape(title)
            );
        }
    }

    if !report.findings.is_empty() {
        let _ = writeln!(
            s,
            "\n### Top findings\n\n| Severity | Rule | Identity | Owner | Finding |\n|---|---|---|---|---|"
        );
        for f in report.findings.iter().take(TOP_FINDINGS) {
            let owner = identities
                .get(f.identity_id.as_str())
                .and_then(|i| i.owner.as_ref())
                .map(|o| escape(&o.name))
                .unwrap_or_else(|| "_unowned_".into());
            // `--validate`'s verdict follows the message, so a reviewer sees which secrets work.
            let validity = match f.evidence.get("validity").and_then(|v| v.as_str()) {
                Some(v) => format!(" — **{}**", escape(v)),
                None => String::new(),
            };
            let _ = writeln!(
                s,
                "| {} | `{}` | `{}` | {owner} | {}{validity} |",
                f.severity.as_str(),
                code(&f.rule_id),
                code(&f.identity_id),
                escape(&f.message)
            );
        }
        if report.findings.len() > TOP_FINDINGS {
            let _ = writeln!(
                s,
                "\n_{} more findings in the full report._",
                report.findings.len() - TOP_FINDINGS
            );
        }
    } else {
        let _ = writeln!(s, "\nNo findings.");
    }

    let problems: Vec<_> = report
        .sources
        .iter()
        .flat_map(|r| r.notes.iter())
        .chain(report.notes.iter())
        .filter(|n| n.level != NoteLevel::Info)
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(s, "\n### Coverage notes\n");
        for n in problems.iter().take(10) {
            let _ = writeln!(s, "- `{}`: {}", code(&n.subject), escape(&n.message));
        }
        if problems.len() > 10 {
            let _ = writeln!(s, "- … {} more in the full report", problems.len() - 10);
        }
    }
    s.into_bytes()
}

/// Text made inert for Markdown tables: punctuation that Markdown or HTML would interpret is
/// backslash-escaped, line breaks become spaces, and long text is cut.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (n, c) in text.chars().enumerate() {
        if n >= 400 {
            out.push('…');
            break;
        }
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if crate::inventory::is_unsafe_char(c) => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span, where backslash escapes do not apply: a backtick cannot close the
/// span early (it becomes `'`), `|` is escaped for the table (GFM unescapes it in code spans too),
/// and line breaks become spaces.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, c) in text.chars().enumerate() {
        if n >= 200 {
            out.push('…');
            break;
        }
        match c {
            '`' => out.push('\''),
            '|' => out.push_str("\\|"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if crate::inventory::is_unsafe_char(c) => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn pipes_and_html_cannot_escape_a_cell() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(super::code("a`b|c"), "a'b\\|c");
    }
}

//! `--format csv`: one row per finding, for spreadsheets and ticket imports. Findings (not
//! identities) are the rows because they are what someone acts on; each row carries the facts of
//! its identity (kind, source, owner, created, last used) so a sheet sorts and filters without a
//! join. The full inventory, including identities without findings, is in the JSON and HTML
//! reports.
//!
//! Quoting follows RFC 4180. A cell that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, tab or carriage return) is prefixed with `'`, so scanned text cannot execute.

use super::identity_index;
use crate::inventory::Report;

pub const HEADER: [&str; 15] = [
    "severity",
    "rule_id",
    "title",
    "identity_id",
    "identity_kind",
    "source",
    "identity_name",
    "owner",
    "owner_source",
    "created_at",
    "last_used_at",
    "location",
    "message",
    "fingerprint",
    "baseline_state",
];

pub fn render(report: &Report) -> Vec<u8> {
    let identities = identity_index(report);
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|s| s.to_string()));
    for f in &report.findings {
        let i = identities.get(f.identity_id.as_str());
        let owner = i.and_then(|i| i.owner.as_ref());
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default()
        };
        row(
            &mut out,
            [
                f.severity.as_str().to_string(),
                f.rule_id.clone(),
                f.title.clone(),
                f.identity_id.clone(),
                i.map(|i| i.kind.clone()).unwrap_or_default(),
                i.map(|i| i.source.clone()).unwrap_or_default(),
                i.map(|i| i.name.clone()).unwrap_or_default(),
                owner.map(|o| o.name.clone()).unwrap_or_default(),
                owner
                    .map(|o| super::owner_source(o.source).to_string())
                    .unwrap_or_default(),
                time(i.and_then(|i| i.created_at)),
                time(i.and_then(|i| i.last_used_at)),
                f.locations
                    .iter()
                    .map(|l| format!("{}:{}", l.path, l.line))
                    .collect::<Vec<_>>()
                    .join(" "),
                f.message.clone(),
                f.fingerprint.clone(),
                f.baseline_state.clone().unwrap_or_default(),
            ]
            .into_iter(),
        );
    }
    out.into_bytes()
}

fn row(out: &mut String, cells: impl Iterator<Item = String>) {
    for (n, c) in cells.enumerate() {
        if n > 0 {
            out.push(',');
        }
        cell(out, &c);
    }
    out.push_str("\r\n");
}

fn cell(out: &mut String, value: &str) {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let needs_quotes = formula || value.contains([',', '"', '\n', '\r']) || value.trim() != value;
    if needs_quotes {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for ch in value.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    if needs_quotes {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> String {
        let mut s = String::new();
        cell(&mut s, v);
        s
    }

    #[test]
    fn quotes_and_neutralises_formulas() {
        assert_eq!(one("plain"), "plain");
        assert_eq!(one("a,b"), "\"a,b\"");
        assert_eq!(one("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(one("two\nlines"), "\"two\nlines\"");
        assert_eq!(one("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(one("-----BEGIN"), "\"'-----BEGIN\"");
    }
}

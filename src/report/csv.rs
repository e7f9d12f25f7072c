//! `--format csv`: one row per finding, for spreadsheets and ticket imports. Findings (not
//! identities) are the rows because they are what someone acts on; each row carries the facts of
//! its identity (kind, source, owner, created, last used) so a sheet sorts and filters without a
//! join. The full inventory, including identities without findings, is in the JSON and HTML
//! reports.
//!
//! The `csv` crate writes RFC 4180 (quoting only where a cell needs it, CRLF line ends). A cell
//! that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage
//! return) is prefixed with `'` first, so scanned text cannot execute.

use super::identity_index;
use crate::inventory::Report;

pub const HEADER: [&str; 16] = [
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
    // `--validate`: valid, invalid or unknown; empty when nothing was checked.
    "validity",
];

pub fn render(report: &Report) -> Vec<u8> {
    let identities = identity_index(report);
    let mut out = writer();
    row(&mut out, HEADER.map(String::from));
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
                    .map(|o| o.source.as_str().to_string())
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
                f.evidence
                    .get("validity")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
            ],
        );
    }
    out.into_inner().expect("writing to memory cannot fail")
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

/// Every row has the header's width (the array type checks it), so the writer, which rejects
/// rows of unequal width, cannot fail on memory.
fn row(out: &mut csv::Writer<Vec<u8>>, cells: [String; HEADER.len()]) {
    out.write_record(cells.map(neutralise))
        .expect("equal-width rows written to memory cannot fail");
}

/// Control characters escaped (a terminal `cat`-ing the file would act on them), and `'` before a
/// cell a spreadsheet would evaluate; other cells unchanged.
fn neutralise(value: String) -> String {
    let value = if value.chars().any(crate::inventory::is_unsafe_char) {
        value
            .chars()
            .flat_map(|c| {
                let escaped: Vec<char> = if crate::inventory::is_unsafe_char(c) {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                escaped
            })
            .collect()
    } else {
        value
    };
    if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> String {
        let mut w = writer();
        w.write_record([neutralise(v.to_string())]).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn quotes_and_neutralises_formulas() {
        assert_eq!(one("plain"), "plain\r\n");
        assert_eq!(one("a,b"), "\"a,b\"\r\n");
        assert_eq!(one("say \"hi\""), "\"say \"\"hi\"\"\"\r\n");
        assert_eq!(one("two\nlines"), "two\\nlines\r\n");
        assert_eq!(one("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"\r\n");
        assert_eq!(one("-----BEGIN"), "'-----BEGIN\r\n");
        assert_eq!(one("\tx"), "\\tx\r\n");
        assert_eq!(one("\r=1"), "\\r=1\r\n");
        // A terminal showing the file cannot be driven by an escape sequence or a bidi override.
        assert_eq!(one("\u{1b}[2Jgone"), "\\u{1b}[2Jgone\r\n");
        assert_eq!(one("a\u{202e}b"), "a\\u{202e}b\r\n");
    }
}

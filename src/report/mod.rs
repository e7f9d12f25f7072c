//! Reports render the inventory and findings; they know nothing of connectors. Each format is one
//! file. JSON is the versioned contract; SARIF is for code scanning; the table is for people; HTML
//! is the self-contained report a consultant hands over; CSV, Markdown (CI job summaries) and OCSF
//! (SIEM ingestion) feed other tools.

mod csv;
mod html;
mod json;
mod markdown;
mod ocsf;
mod sarif;
mod table;

use crate::inventory::{Identity, Report, Severity};
use anyhow::Result;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

pub use json::json_schema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Sarif,
    Table,
    Html,
    Csv,
    Markdown,
    Ocsf,
}

impl Format {
    /// The format an output file's name implies: `.json`, `.sarif`, `.txt`, `.html`/`.htm`,
    /// `.csv`, `.md`, and `.ocsf`/`.ocsf.jsonl` (OCSF is JSON Lines). `None` for anything else.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".ocsf.jsonl") || name.ends_with(".ocsf") {
            return Some(Format::Ocsf);
        }
        match name.rsplit_once('.')?.1 {
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "txt" => Some(Format::Table),
            "html" | "htm" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "table" | "text" => Ok(Format::Table),
            "html" => Ok(Format::Html),
            "csv" => Ok(Format::Csv),
            "markdown" | "md" => Ok(Format::Markdown),
            "ocsf" => Ok(Format::Ocsf),
            other => Err(format!(
                "unknown format `{other}` (json, sarif, table, html, csv, markdown, ocsf)"
            )),
        }
    }
}

/// What a report needs to know about a rule to document it (SARIF help, explanations).
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub description: Option<String>,
    pub remediation: String,
    pub references: Vec<String>,
}

/// Write a report in `format` to `out`. JSON is streamed (it is the format of the largest
/// reports); the others are built in memory first.
pub fn render_to(
    report: &Report,
    format: Format,
    rules: &[RuleDoc],
    out: &mut dyn std::io::Write,
) -> Result<()> {
    match format {
        Format::Json => json::write(report, out),
        other => Ok(out.write_all(&render(report, other, rules)?)?),
    }
}

pub fn render(report: &Report, format: Format, rules: &[RuleDoc]) -> Result<Vec<u8>> {
    match format {
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, rules),
        Format::Table => Ok(table::render(report).into_bytes()),
        Format::Html => html::render(report, rules),
        Format::Csv => Ok(csv::render(report)),
        Format::Markdown => Ok(markdown::render(report)),
        Format::Ocsf => ocsf::render(report, rules),
    }
}

/// Identities by id, for formats that show a finding beside its identity's facts.
fn identity_index(report: &Report) -> HashMap<&str, &Identity> {
    report
        .identities
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Format;
    use std::path::Path;

    #[test]
    fn output_names_imply_formats() {
        for (name, f) in [
            ("r.json", Some(Format::Json)),
            ("r.SARIF", Some(Format::Sarif)),
            ("r.htm", Some(Format::Html)),
            ("dir/r.csv", Some(Format::Csv)),
            ("r.md", Some(Format::Markdown)),
            ("r.ocsf.jsonl", Some(Format::Ocsf)),
            ("r.ocsf", Some(Format::Ocsf)),
            ("r.jsonl", None),
            ("report", None),
        ] {
            assert_eq!(Format::from_path(Path::new(name)), f, "{name}");
        }
    }
}

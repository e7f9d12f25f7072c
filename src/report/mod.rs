//! Reports render the inventory and findings; they know nothing of connectors. Each format is one
//! file. JSON is the versioned contract; SARIF is for code scanning; the table is for people.

mod json;
mod sarif;
mod table;

use crate::inventory::{Report, Severity};
use anyhow::Result;
use std::str::FromStr;

pub use json::json_schema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Sarif,
    Table,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "table" | "text" => Ok(Format::Table),
            other => Err(format!("unknown format `{other}` (json, sarif, table)")),
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

pub fn render(report: &Report, format: Format, rules: &[RuleDoc]) -> Result<Vec<u8>> {
    match format {
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, rules),
        Format::Table => Ok(table::render(report).into_bytes()),
    }
}

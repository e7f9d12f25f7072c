//! The JSON report: the model as is, pretty-printed, plus its JSON Schema (`nhiscan schema`),
//! derived from the same types so the two cannot drift.

use crate::inventory::Report;
use anyhow::Result;

/// Stream the report as pretty JSON (plus a final newline).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn render(report: &Report) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(report)?;
    out.push(b'\n');
    Ok(out)
}

pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Report);
    serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"
}

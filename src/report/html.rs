//! placeholder
use super::RuleDoc;
use crate::inventory::Report;
use anyhow::Result;
pub fn render(_report: &Report, _rules: &[RuleDoc]) -> Result<Vec<u8>> {
    anyhow::bail!("html: not yet")
}

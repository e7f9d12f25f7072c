//! `nhiscan baseline REPORT -o FILE`: turn a JSON report into a sorted baseline.

use super::args::BaselineArgs;
use crate::baseline::Baseline;
use crate::plan::Outcome;
use anyhow::{Context, Result};
use std::io::Read;

pub fn run(args: &BaselineArgs) -> Result<Outcome> {
    let baseline = if args.report.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading a JSON report from stdin")?;
        Baseline::parse(&text).context("stdin")?
    } else {
        Baseline::read(&args.report)?
    };
    crate::plan::write_output(args.output.as_deref(), baseline.to_json().as_bytes())?;
    tracing::info!("baseline of {} findings written", baseline.entries.len());
    Ok(Outcome::Clean)
}

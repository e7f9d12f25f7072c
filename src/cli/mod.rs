//! The command line: clap definitions, and one file per command that turns arguments into a run.
//! Nothing outside `cli` imports it.

mod args;
mod baseline_cmd;
mod merge_cmd;
mod rules_cmd;
mod scan;

pub use args::{Cli, Command};

use crate::plan::Outcome;
use anyhow::Result;

/// Run a parsed command line to its outcome. Errors are usage/config errors (exit 2) unless the
/// command already mapped them.
pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Scan(ref s) => scan::run(&cli.global, s),
        Command::Baseline(ref b) => baseline_cmd::run(b),
        Command::Merge(ref m) => merge_cmd::run(&cli.global, m),
        Command::Rules(ref r) => rules_cmd::run(&cli.global, r),
        Command::Schema => {
            crate::plan::write_output(None, crate::report::json_schema().as_bytes())?;
            Ok(Outcome::Clean)
        }
    }
}

//! `--fail-on`: the severity from which findings fail the run (exit 1), or `none`.

use crate::inventory::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail on findings (exit 0 or 3 only).
    #[value(alias = "never")]
    None,
}

impl FailOn {
    /// The lowest severity that fails the run; `None` for `--fail-on none`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::None => None,
        }
    }
}

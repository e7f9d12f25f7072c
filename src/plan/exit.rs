//! Exit codes: one enum, documented in README.md. They are a contract with CI scripts; never
//! renumber them.

/// The outcome of a run, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above `--fail-on` (or nothing new against the baseline).
    Clean = 0,
    /// Findings at or above `--fail-on` (new ones, with `--baseline`). Wins over `Partial`.
    Findings = 1,
    /// Usage, configuration or rule-file error: nothing was scanned.
    UsageError = 2,
    /// The run completed but some source or input failed; see the report's notes.
    Partial = 3,
}

impl Outcome {
    pub fn code(self) -> u8 {
        self as u8
    }
}

//! The whole result of a run: the inventory, the findings, and what was and was not covered.
//! This is exactly what `--format json` writes.

use super::{Finding, Identity, SCHEMA_VERSION, Severity};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub schema_version: String,
    pub tool: ToolInfo,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// One entry per source scanned, with its coverage notes.
    pub sources: Vec<SourceRun>,
    pub identities: Vec<Identity>,
    pub findings: Vec<Finding>,
    /// Notes about the run itself rather than one source (e.g. a rule that failed to evaluate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl Default for ToolInfo {
    fn default() -> Self {
        ToolInfo {
            name: "nhiscan".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// What one connector saw of one target.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SourceRun {
    /// `repo`, `aws`, `kubernetes`, `github`.
    pub source: String,
    /// The path, account, context or org scanned.
    pub target: String,
    pub status: SourceStatus,
    #[serde(default)]
    pub stats: ScanStats,
    /// Warnings and coverage gaps, each naming what it is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

impl SourceRun {
    /// A source that was scanned, with what it covered. Its status follows from its notes (see
    /// [`SourceStatus::of`]): connectors say what happened, never how to grade it.
    pub fn new(
        source: impl Into<String>,
        target: impl Into<String>,
        stats: ScanStats,
        notes: Vec<Note>,
    ) -> SourceRun {
        SourceRun {
            source: source.into(),
            target: target.into(),
            status: SourceStatus::of(&notes),
            stats,
            notes,
        }
    }

    /// A source that could not be scanned at all: the error is its one note.
    pub fn failed(
        source: impl Into<String>,
        target: impl Into<String>,
        error: String,
    ) -> SourceRun {
        let target = target.into();
        SourceRun {
            source: source.into(),
            status: SourceStatus::Failed,
            stats: ScanStats::default(),
            notes: vec![Note::new(NoteLevel::Error, target.clone(), error)],
            target,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// Everything was read.
    Complete,
    /// The scan finished but some inputs could not be read (see notes).
    Partial,
    /// Nothing could be read.
    Failed,
}

impl SourceStatus {
    /// The one rule for a source that ran: partial when any note is a warning or an error
    /// (something was not read or not understood), complete when every note only describes
    /// the scope (info). Exit code 3 follows from this.
    pub fn of(notes: &[Note]) -> SourceStatus {
        if notes.iter().any(|n| n.level != NoteLevel::Info) {
            SourceStatus::Partial
        } else {
            SourceStatus::Complete
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ScanStats {
    #[serde(default)]
    pub files_scanned: u64,
    #[serde(default)]
    pub bytes_scanned: u64,
    #[serde(default)]
    pub files_skipped_binary: u64,
    #[serde(default)]
    pub files_skipped_large: u64,
    #[serde(default)]
    pub files_skipped_allowed: u64,
    #[serde(default)]
    pub files_failed: u64,
    /// Untracked files and folders that ignore rules hid (repository work trees).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub paths_skipped_ignored: u64,
    /// Symbolic links not followed and special files (FIFOs, sockets, devices).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub files_skipped_not_regular: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Note {
    pub level: NoteLevel,
    /// What the note is about: a file path, an API call, a resource.
    pub subject: String,
    pub message: String,
}

impl Note {
    pub fn new(level: NoteLevel, subject: impl Into<String>, message: impl Into<String>) -> Note {
        Note {
            level,
            subject: subject.into(),
            message: message.into(),
        }
    }

    /// The common case: something could not be read or evaluated, and the run went on.
    pub fn warning(subject: impl Into<String>, message: impl Into<String>) -> Note {
        Note::new(NoteLevel::Warning, subject, message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub identities: usize,
    pub credentials: usize,
    pub findings: usize,
    /// Findings per severity (all five keys always present).
    pub findings_by_severity: BTreeMap<Severity, usize>,
    /// Findings not in the baseline (equal to `findings` when no baseline was given).
    pub new_findings: usize,
}

impl Summary {
    pub fn compute(identities: &[Identity], findings: &[Finding]) -> Summary {
        let mut by = BTreeMap::new();
        for s in Severity::ALL {
            by.insert(s, 0);
        }
        for f in findings {
            *by.entry(f.severity).or_insert(0) += 1;
        }
        Summary {
            identities: identities.len(),
            credentials: identities.iter().map(|i| i.credentials.len()).sum(),
            findings: findings.len(),
            findings_by_severity: by,
            new_findings: findings
                .iter()
                .filter(|f| f.baseline_state.as_deref() != Some("baselined"))
                .count(),
        }
    }
}

impl Report {
    pub fn new(started_at: DateTime<Utc>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION.into(),
            tool: ToolInfo::default(),
            started_at,
            finished_at: started_at,
            sources: vec![],
            identities: vec![],
            findings: vec![],
            notes: vec![],
            summary: Summary::default(),
        }
    }
}

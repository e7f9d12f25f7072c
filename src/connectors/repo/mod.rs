//! The repository connector: hardcoded credentials in a directory tree. Each secret found becomes
//! a credential (with every place it was seen) of an identity `repo:<hash>`, whose kind says what
//! the secret belongs to (an AWS access key, a GitHub token, a service-account token…).

mod aggregate;
mod allow;
mod codeowners;
mod file_scan;
mod git;
mod snippet;
mod tally;
mod tracked;
mod walk;

pub use allow::AllowList;
pub use git::Scope as HistoryScope;

use super::{Collected, Connector};
use crate::detectors::DetectorSet;
use crate::inventory::SourceRun;
use crate::progress::Progress;
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::sync::Arc;

/// Default size above which a file is skipped (with a note): 25 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 * 1024 * 1024;

/// How many bytes at the start of a file are checked for NUL to call it binary.
const BINARY_SNIFF: usize = 8192;

/// Binary content (a NUL byte near the start) is not scanned.
fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_SNIFF)]).is_some()
}

/// What of a repository to scan.
#[derive(Debug, Clone)]
pub enum RepoMode {
    /// The files on disk (any folder, git or not).
    Files,
    /// Every unique blob of git history (or of a range), once.
    History(HistoryScope),
    /// What is staged in the git index (for pre-commit hooks).
    Staged,
}

#[derive(Debug, Clone)]
pub struct RepoOptions {
    pub max_file_size: u64,
    /// Scan files that .gitignore and friends would skip.
    pub no_ignore: bool,
    /// Keep the secret itself in the report (`--reveal`).
    pub reveal: bool,
    pub allow: AllowList,
    /// `--validate`: check each found secret with its provider.
    #[cfg(feature = "validate")]
    pub validator: Option<Arc<crate::validate::Validator>>,
    /// Secrets found at a lower confidence are left out of the report (counted in a note).
    pub min_confidence: Confidence,
}

/// A found secret's confidence, ordered: `Low < Medium < High`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, clap::ValueEnum, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    #[default]
    Medium,
    High,
}

impl Confidence {
    /// A detector's `confidence:` (validated when rules compile; anything else counts as low).
    pub fn of(s: &str) -> Confidence {
        match s {
            "high" => Confidence::High,
            "medium" => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

impl Default for RepoOptions {
    fn default() -> Self {
        RepoOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            no_ignore: false,
            reveal: false,
            allow: AllowList::default(),
            #[cfg(feature = "validate")]
            validator: None,
            min_confidence: Confidence::default(),
        }
    }
}

pub struct RepoScanner {
    pub root: PathBuf,
    pub mode: RepoMode,
    pub options: RepoOptions,
    pub detectors: Arc<DetectorSet>,
}

impl Connector for RepoScanner {
    fn source(&self) -> &'static str {
        "repo"
    }

    fn target(&self) -> String {
        self.root.display().to_string()
    }

    fn collect(&self, progress: &Progress) -> Result<Collected> {
        if !self.root.exists() {
            bail!(
                "{}: no such file or directory (give `scan repo` a folder or file to scan)",
                self.root.display()
            );
        }
        progress.set_message(format!("scanning {}", self.root.display()));
        let (hits, stats, mut notes) = match &self.mode {
            RepoMode::Files => {
                let w = walk::scan_tree(&self.root, &self.options, &self.detectors, progress);
                (w.hits, w.stats, w.notes)
            }
            RepoMode::History(scope) => {
                self.scan_git(git::Blobs::History(scope.clone()), progress)?
            }
            RepoMode::Staged => self.scan_git(git::Blobs::Staged, progress)?,
        };
        let (owners, owners_note) = self.codeowners();
        notes.extend(owners_note);
        let (hits, hidden) =
            aggregate::at_least(hits, &self.detectors, self.options.min_confidence);
        if hidden > 0 {
            notes.push(crate::inventory::Note::new(
                crate::inventory::NoteLevel::Info,
                self.root.display().to_string(),
                format!(
                    "{hidden} secret locations below --min-confidence {} not reported (values under example or test names, low-confidence detectors); --min-confidence low shows them",
                    format!("{:?}", self.options.min_confidence).to_ascii_lowercase()
                ),
            ));
        }
        #[allow(unused_mut)]
        let mut identities =
            aggregate::identities(&hits, &self.detectors, self.options.reveal, owners.as_ref());
        #[cfg(feature = "validate")]
        if let Some(v) = &self.options.validator {
            progress.set_message("validating found secrets".to_string());
            let secrets = hits
                .iter()
                .map(|h| (h.sha256.as_str(), h.secret.as_str()))
                .collect();
            v.apply(&mut identities, &secrets, &self.detectors)?;
        }
        notes.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok(Collected {
            identities,
            run: SourceRun::new("repo", self.root.display().to_string(), stats, notes),
        })
    }
}

impl RepoScanner {
    /// Check, before anything is scanned, what would make the whole scan meaningless: a history
    /// scan of something that is not a repository, or a range naming unknown revisions. These are
    /// usage errors (exit 2), not partial results.
    pub fn preflight(&self) -> Result<()> {
        match &self.mode {
            RepoMode::Files => Ok(()),
            RepoMode::Staged => git::open(&self.root).map(|_| ()),
            RepoMode::History(scope) => git::check_scope(&git::open(&self.root)?, scope),
        }
    }

    /// CODEOWNERS from the work tree, else (bare repositories) from HEAD's tree, and a note when
    /// one was there but could not be read.
    fn codeowners(
        &self,
    ) -> (
        Option<codeowners::CodeOwners>,
        Option<crate::inventory::Note>,
    ) {
        let dir = if self.root.is_dir() {
            self.root.as_path()
        } else {
            match self.root.parent() {
                Some(p) => p,
                None => return (None, None),
            }
        };
        let (found, note) = codeowners::CodeOwners::from_dir(dir);
        if found.is_some() || note.is_some() {
            return (found, note);
        }
        match self.mode {
            RepoMode::Files => (None, None),
            _ => match git::open(&self.root) {
                Ok(repo) => git::codeowners_at_head(&repo),
                Err(_) => (None, None),
            },
        }
    }

    fn scan_git(
        &self,
        what: git::Blobs,
        progress: &Progress,
    ) -> Result<(
        Vec<file_scan::FileHit>,
        crate::inventory::ScanStats,
        Vec<crate::inventory::Note>,
    )> {
        let repo = git::open(&self.root)?;
        let s = git::scan(repo, &what, &self.options, &self.detectors, progress)?;
        tracing::info!(
            commits = s.commits,
            unique_blobs = s.unique_blobs,
            "git scan of {} done",
            self.root.display()
        );
        Ok((s.hits, s.stats, s.notes))
    }
}

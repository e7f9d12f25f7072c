//! The repository connector: hardcoded credentials in a directory tree. Each secret found becomes
//! a credential (with every place it was seen) of an identity `repo:<hash>`, whose kind says what
//! the secret belongs to (an AWS access key, a GitHub token, a service-account token…).

mod aggregate;
mod allow;
mod file_scan;
mod walk;

pub use allow::AllowList;

use super::{Collected, Connector};
use crate::detectors::DetectorSet;
use crate::inventory::{SourceRun, SourceStatus};
use crate::progress::Progress;
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::sync::Arc;

/// Default size above which a file is skipped (with a note): 25 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct RepoOptions {
    pub max_file_size: u64,
    /// Scan files that .gitignore and friends would skip.
    pub no_ignore: bool,
    /// Keep the secret itself in the report (`--reveal`).
    pub reveal: bool,
    pub allow: AllowList,
}

impl Default for RepoOptions {
    fn default() -> Self {
        RepoOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            no_ignore: false,
            reveal: false,
            allow: AllowList::default(),
        }
    }
}

pub struct RepoScanner {
    pub root: PathBuf,
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
        let walked = walk::scan_tree(&self.root, &self.options, &self.detectors, progress);
        let identities = aggregate::identities(&walked.hits, &self.detectors, self.options.reveal);
        let status = if walked.stats.files_failed > 0 {
            SourceStatus::Partial
        } else {
            SourceStatus::Complete
        };
        Ok(Collected {
            identities,
            run: SourceRun {
                source: "repo".into(),
                target: self.root.display().to_string(),
                status,
                stats: walked.stats,
                notes: walked.notes,
            },
        })
    }
}

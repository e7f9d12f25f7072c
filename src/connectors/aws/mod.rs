//! The AWS IAM connector: users, roles and the root account with their access keys, passwords
//! and other credentials, owners from tags, effective-permission flags from every policy that
//! applies (groups, managed, inline, boundaries), and role trust analysis.
//!
//! Two modes feed the same pure [`mapping`]: [`offline`] reads an
//! `aws iam get-account-authorization-details` export (and a credential report CSV), `live`
//! calls IAM through the SDK and converts its types into the same [`export`] structs.

pub mod credential_report;
pub mod export;
#[cfg(feature = "aws")]
pub mod live;
pub mod mapping;
pub mod offline;
pub mod people;
pub mod policy;
pub mod scp;
pub mod trust;

use super::{Collected, Connector};
use crate::inventory::{ScanStats, SourceRun};
use crate::progress::Progress;
use anyhow::Result;
use std::path::PathBuf;

/// Offline scan of exported files.
pub struct AwsOffline {
    pub from: PathBuf,
    pub credential_report: Option<PathBuf>,
    pub account_id: Option<String>,
    pub options: mapping::MapOptions,
}

impl Connector for AwsOffline {
    fn source(&self) -> &'static str {
        "aws"
    }

    fn target(&self) -> String {
        self.from.display().to_string()
    }

    fn collect(&self, _progress: &Progress) -> Result<Collected> {
        let mut notes = Vec::new();
        let t0 = std::time::Instant::now();
        let data = offline::read(
            &self.from,
            self.credential_report.as_deref(),
            self.account_id.clone(),
            &mut notes,
        )?;
        let t1 = std::time::Instant::now();
        let mapped = mapping::map_account(&data, &self.options.with_ceiling(&mut notes));
        tracing::info!(
            "aws: read {:.2?}, mapped {} identities in {:.2?}",
            t1 - t0,
            mapped.identities.len(),
            t1.elapsed()
        );
        notes.extend(mapped.notes);
        Ok(Collected {
            identities: mapped.identities,
            run: finish_run(
                self.target(),
                notes,
                1 + u64::from(self.credential_report.is_some()),
            ),
        })
    }
}

/// The account's run: files read (offline) and notes; its status follows from the notes.
pub(crate) fn finish_run(
    target: String,
    notes: Vec<crate::inventory::Note>,
    files: u64,
) -> SourceRun {
    let stats = ScanStats {
        files_scanned: files,
        ..Default::default()
    };
    SourceRun::new("aws", target, stats, notes)
}

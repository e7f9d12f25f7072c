//! Connectors turn one source into the inventory model. Each knows its source and nothing of
//! rules or reports: it returns identities plus a [`SourceRun`] saying what it covered.

pub mod aws;
pub mod emits;
#[cfg(feature = "github")]
pub mod github;
pub mod kubernetes;
pub mod repo;
#[cfg(feature = "live")]
pub mod runtime;

use crate::inventory::{Identity, SourceRun};
use crate::progress::Progress;
use anyhow::Result;

/// What a connector hands back: the identities it found and how complete its view was.
#[derive(Debug, Clone)]
pub struct Collected {
    pub identities: Vec<Identity>,
    pub run: SourceRun,
}

/// A source of non-human identities. `Err` means the source could not be scanned at all
/// (bad path, bad credentials); partial failures are notes in [`SourceRun`].
/// `Send + Sync` because a multi-source run collects from every source at once.
pub trait Connector: Send + Sync {
    /// `repo`, `aws`, `kubernetes`, `github`.
    fn source(&self) -> &'static str;
    /// What is being scanned (path, account, context, org), for reports and messages.
    fn target(&self) -> String;
    fn collect(&self, progress: &Progress) -> Result<Collected>;
}

//! What the user has said is not a finding: paths (globs), exact values or their SHA-256, and the
//! inline `nhiscan:allow` marker on the line of the secret.

use crate::inventory::secret_sha256;
use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::HashSet;

/// The marker that, on the same line as a secret, suppresses it.
pub const INLINE_MARKER: &[u8] = b"nhiscan:allow";

#[derive(Debug, Clone, Default)]
pub struct AllowList {
    paths: Option<GlobSet>,
    /// Allowed values, stored as SHA-256 so the allow list itself need not hold secrets.
    value_hashes: HashSet<String>,
}

impl AllowList {
    /// `paths` are globs matched against the path relative to the scanned root; `values` are
    /// literal secrets or `sha256:<hex>` digests of them.
    pub fn new(paths: &[String], values: &[String]) -> Result<AllowList> {
        let paths = if paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in paths {
                b.add(Glob::new(p).with_context(|| format!("allow-list path glob `{p}`"))?);
            }
            Some(b.build().context("building allow-list globs")?)
        };
        let value_hashes = values
            .iter()
            .map(|v| match v.strip_prefix("sha256:") {
                Some(h) => h.to_ascii_lowercase(),
                None => secret_sha256(v.as_bytes()),
            })
            .collect();
        Ok(AllowList {
            paths,
            value_hashes,
        })
    }

    pub fn path_allowed(&self, rel_path: &str) -> bool {
        self.paths.as_ref().is_some_and(|g| g.is_match(rel_path))
    }

    pub fn value_allowed(&self, sha256: &str) -> bool {
        self.value_hashes.contains(sha256)
    }
}

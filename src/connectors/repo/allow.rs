//! What the user has said is not a finding: paths (globs), exact values or their SHA-256, and the
//! inline `nhiscan:allow` marker on the line of the secret.

use crate::inventory::{secret_hmac, secret_sha256};
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
    /// Allowed low-entropy values by the keyed hash reports show for them (`hmac:<hex>`).
    value_hmacs: HashSet<String>,
}

impl AllowList {
    /// `paths` are globs matched against the path relative to the scanned root; `values` are
    /// literal secrets, `sha256:<hex>` digests of them, or `hmac:<hex>` (the `secret_hmac` a
    /// report gives a password, under the same `NHISCAN_HASH_KEY`).
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
        let mut value_hashes = HashSet::new();
        let mut value_hmacs = HashSet::new();
        for v in values {
            if let Some(h) = v.strip_prefix("sha256:") {
                value_hashes.insert(h.to_ascii_lowercase());
            } else if let Some(h) = v.strip_prefix("hmac:") {
                value_hmacs.insert(h.to_ascii_lowercase());
            } else {
                value_hashes.insert(secret_sha256(v.as_bytes()));
                value_hmacs.insert(secret_hmac(v.as_bytes()));
            }
        }
        Ok(AllowList {
            paths,
            value_hashes,
            value_hmacs,
        })
    }

    pub fn path_allowed(&self, rel_path: &str) -> bool {
        self.paths.as_ref().is_some_and(|g| g.is_match(rel_path))
    }

    /// Whether keyed hashes are listed (so a hit's HMAC must be computed to check it).
    pub fn has_keyed_hashes(&self) -> bool {
        !self.value_hmacs.is_empty()
    }

    pub fn value_allowed(&self, sha256: &str, hmac: Option<&str>) -> bool {
        self.value_hashes.contains(sha256) || hmac.is_some_and(|h| self.value_hmacs.contains(h))
    }
}

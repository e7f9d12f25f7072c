//! The on-disk ETag cache behind `scan github --cache DIR`. GitHub answers a request whose
//! `If-None-Match` still matches with `304 Not Modified` and does not count it against the rate
//! limit, so a nightly re-scan of a large organisation costs little: each page read with a
//! `200` is kept here (its ETag, its `Link` header for pagination, its body) under the SHA-256
//! of the API root and path, and sent back as `If-None-Match` next time.
//!
//! The cache holds what the API returned (names, dates, permissions — never secret values, the
//! API has none); files are written owner-only, atomically. An unreadable entry is a miss.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub etag: String,
    pub link: Option<String>,
    pub body: String,
}

pub struct EtagCache {
    dir: PathBuf,
}

impl EtagCache {
    /// Use (creating it if needed) the folder `dir`.
    pub fn open(dir: &Path) -> std::io::Result<EtagCache> {
        std::fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(EtagCache {
            dir: dir.to_path_buf(),
        })
    }

    fn file(&self, key: &str) -> PathBuf {
        self.dir.join(format!(
            "{}.json",
            hex::encode(Sha256::digest(key.as_bytes()))
        ))
    }

    /// The cached answer for `key` (API root + path and query), if any.
    pub fn get(&self, key: &str) -> Option<Entry> {
        let text = std::fs::read_to_string(self.file(key)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Keep `entry` for `key`; a failure to write is a warning, never the end of the scan.
    pub fn put(&self, key: &str, entry: &Entry) {
        let write = || -> std::io::Result<()> {
            let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
            serde_json::to_writer(&mut tmp, entry)?;
            tmp.persist(self.file(key)).map_err(|e| e.error)?;
            Ok(())
        };
        if let Err(e) = write() {
            tracing::warn!("--cache {}: cannot write an entry: {e}", self.dir.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_comes_back_and_a_broken_one_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let c = EtagCache::open(&dir.path().join("c")).unwrap();
        assert!(c.get("k").is_none());
        let e = Entry {
            etag: "W/\"1\"".into(),
            link: Some("<x>; rel=\"next\"".into()),
            body: "[]".into(),
        };
        c.put("k", &e);
        let back = c.get("k").unwrap();
        assert_eq!((back.etag, back.link, back.body), (e.etag, e.link, e.body));
        std::fs::write(c.file("k"), "{").unwrap();
        assert!(c.get("k").is_none());
    }
}

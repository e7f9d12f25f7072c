//! Reading a small file that the scanned tree supplies for metadata (a found `nhiscan.toml`,
//! CODEOWNERS): the tree is hostile input, so such a file is only read when it is a regular file,
//! reached without leaving the tree through a symlink, and under a size cap. A symlink to
//! `/dev/zero`, a FIFO that never answers, or a 10 GB file is refused with a reason that can go
//! into a note, instead of hanging or exhausting memory.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// Nothing there.
    Missing,
    /// A symlink whose target is outside the tree (or, with no tree given, any symlink), or a
    /// path whose folders lead outside the tree.
    OutsideTree(PathBuf),
    /// A directory, device, FIFO or socket.
    NotRegular,
    /// More bytes than the cap.
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(std::io::Error),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Missing => write!(f, "no such file"),
            Refused::OutsideTree(to) => write!(
                f,
                "not read: it leads outside the scanned tree (to {}) through a symlink",
                crate::inventory::sanitize_line(&to.display().to_string(), 200)
            ),
            Refused::NotRegular => write!(
                f,
                "not read: not a regular file (a folder, device, FIFO or socket)"
            ),
            Refused::TooLarge { size, limit } => write!(
                f,
                "not read: {size} bytes is over the {limit} byte limit for this kind of file"
            ),
            Refused::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl std::error::Error for Refused {}

/// Read `path` if it is a regular file of at most `limit` bytes. With `tree`, a symlink (in the
/// file name or any folder on the way) is followed only when it resolves inside `tree`; without,
/// a symlinked file is refused.
pub fn read(path: &Path, tree: Option<&Path>, limit: u64) -> Result<Vec<u8>, Refused> {
    let link = std::fs::symlink_metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Refused::Missing,
        _ => Refused::Io(e),
    })?;
    let real = path.canonicalize().map_err(|e| match e.kind() {
        // A dangling symlink.
        std::io::ErrorKind::NotFound => {
            Refused::OutsideTree(std::fs::read_link(path).unwrap_or_else(|_| path.to_path_buf()))
        }
        _ => Refused::Io(e),
    })?;
    match tree {
        Some(tree) => {
            let tree = tree.canonicalize().map_err(Refused::Io)?;
            if !real.starts_with(&tree) {
                return Err(Refused::OutsideTree(real));
            }
        }
        None if link.file_type().is_symlink() => return Err(Refused::OutsideTree(real)),
        None => {}
    }
    // Checked before opening: opening a FIFO for reading would wait for a writer forever.
    let meta = std::fs::metadata(&real).map_err(Refused::Io)?;
    if !meta.file_type().is_file() {
        return Err(Refused::NotRegular);
    }
    if meta.len() > limit {
        return Err(Refused::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let file = std::fs::File::open(&real).map_err(Refused::Io)?;
    // The file may have been swapped or grown since: check the handle and cap the read.
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.file_type().is_file() {
        return Err(Refused::NotRegular);
    }
    let mut buf = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(Refused::Io)?;
    if buf.len() as u64 > limit {
        return Err(Refused::TooLarge {
            size: meta.len().max(buf.len() as u64),
            limit,
        });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_links_out_of_the_tree_devices_and_oversized_files() {
        let tree = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let t = tree.path();
        std::fs::write(t.join("ok"), b"hello").unwrap();
        std::fs::write(outside.path().join("secret"), b"x").unwrap();
        std::os::unix::fs::symlink(t.join("ok"), t.join("inside-link")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), t.join("out-link")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", t.join("zero")).unwrap();
        std::os::unix::fs::symlink(outside.path(), t.join("dir-link")).unwrap();
        std::fs::write(t.join("big"), vec![b'a'; 100]).unwrap();

        assert_eq!(read(&t.join("ok"), Some(t), 10).unwrap(), b"hello");
        assert_eq!(read(&t.join("inside-link"), Some(t), 10).unwrap(), b"hello");
        assert!(matches!(
            read(&t.join("inside-link"), None, 10),
            Err(Refused::OutsideTree(_))
        ));
        assert!(matches!(
            read(&t.join("out-link"), Some(t), 10),
            Err(Refused::OutsideTree(_))
        ));
        assert!(matches!(
            read(&t.join("dir-link/secret"), Some(t), 10),
            Err(Refused::OutsideTree(_))
        ));
        assert!(matches!(
            read(&t.join("zero"), Some(t), 10),
            Err(Refused::OutsideTree(_))
        ));
        assert!(matches!(
            read(Path::new("/dev/zero"), None, 10),
            Err(Refused::NotRegular)
        ));
        assert!(matches!(
            read(&t.join("big"), Some(t), 99),
            Err(Refused::TooLarge {
                size: 100,
                limit: 99
            })
        ));
        assert!(matches!(
            read(&t.join("none"), Some(t), 10),
            Err(Refused::Missing)
        ));
    }
}

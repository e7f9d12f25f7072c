//! Tracked files are the repository's content: `.gitignore` only hides *untracked* files. The
//! directory walk honours ignore files (so build output and dependencies are not read); this
//! module finds the files git tracks that the walk did not visit, so they are scanned anyway.
//!
//! The index belongs to the scanned repository and is untrusted: a path is only read when it is a
//! plain relative path under the scan root, every folder on the way is a real folder (not a
//! symlink out of the tree), and the file itself is a regular file.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// Tracked files under `root` that are not in `visited` and exist as regular files on disk.
/// `None` when `root` is not inside a git work tree (nothing is tracked); an index that cannot be
/// read is an `Err` with the reason.
pub fn missed(root: &Path, visited: &HashSet<PathBuf>) -> Option<Result<Vec<PathBuf>, String>> {
    let repo = gix::discover(root).ok()?;
    let workdir = repo.workdir()?.to_path_buf();
    let index = match repo.index_or_empty() {
        Ok(i) => i,
        Err(e) => return Some(Err(format!("the git index cannot be read: {e}"))),
    };
    let (Ok(work), Ok(root_real)) = (workdir.canonicalize(), root.canonicalize()) else {
        return None;
    };
    let mut out = Vec::new();
    for entry in index.entries() {
        if entry.mode.is_submodule()
            || entry.mode.is_sparse()
            || entry.mode == gix::index::entry::Mode::SYMLINK
        {
            continue;
        }
        let Ok(rel) = std::str::from_utf8(entry.path(&index)) else {
            continue;
        };
        let rel = Path::new(rel);
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            continue;
        }
        let real = work.join(rel);
        let Ok(under) = real.strip_prefix(&root_real) else {
            continue;
        };
        // The walk yields paths as `root` spells them.
        let path = root.join(under);
        if visited.contains(&path) || !is_plain_file_under(&real, &root_real) {
            continue;
        }
        out.push(path);
    }
    Some(Ok(out))
}

/// `path` is a regular file (not a symlink) whose folder resolves to a place under `root`.
fn is_plain_file_under(path: &Path, root: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.file_type().is_file() {
        return false;
    }
    path.parent()
        .and_then(|p| p.canonicalize().ok())
        .is_some_and(|p| p.starts_with(root))
}

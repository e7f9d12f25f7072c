//! Git history and the index: every unique blob scanned once, in parallel, with the provenance of
//! the commit that introduced it. Used by `scan repo --history`, `--since` and `--staged`.

mod enumerate;

pub use enumerate::Scope;

use super::RepoOptions;
use super::file_scan::{FileHit, HitOrigin, scan_content};
use super::tally::Tally;
use crate::detectors::DetectorSet;
use crate::inventory::{Note, NoteLevel, ScanStats};
use crate::progress::Progress;
use anyhow::{Context, Result};
use chrono::DateTime;
use gix::ObjectId;
use gix::bstr::ByteSlice;
use rayon::prelude::*;
use std::path::Path;

/// What the history walk returns: hits with provenance, stats and coverage notes.
pub struct Scanned {
    pub hits: Vec<FileHit>,
    pub stats: ScanStats,
    pub notes: Vec<Note>,
    pub commits: usize,
    pub unique_blobs: usize,
}

/// Open the repository at `path` (a work tree, a `.git` folder, a bare repo or a mirror).
pub fn open(path: &Path) -> Result<gix::Repository> {
    gix::open(path).with_context(|| {
        format!(
            "{} is not a git repository (history needs a clone or a bare repository; drop \
             --history/--since/--staged to scan files only)",
            path.display()
        )
    })
}

/// Resolve a range's revisions without walking anything.
pub fn check_scope(repo: &gix::Repository, scope: &Scope) -> Result<()> {
    match scope {
        Scope::All => Ok(()),
        Scope::Range { base, head } => {
            enumerate::resolve_commit(repo, base)?;
            enumerate::resolve_commit(repo, head)?;
            Ok(())
        }
    }
}

/// Blobs of a scope: history (all refs or a range), or what is staged.
pub enum Blobs {
    History(Scope),
    Staged,
}

struct Candidate {
    id: ObjectId,
    path: String,
    origin: Option<HitOrigin>,
}

pub fn scan(
    repo: gix::Repository,
    what: &Blobs,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    progress: &Progress,
) -> Result<Scanned> {
    let tally = Tally::default();
    let (candidates, commits) = match what {
        Blobs::History(scope) => {
            progress.set_message("walking history");
            let e = enumerate::enumerate(&repo, scope)?;
            for m in e.notes {
                tally.note(NoteLevel::Warning, "history", m);
            }
            let list = e
                .blobs
                .into_iter()
                .map(|(id, o)| Candidate {
                    id,
                    path: o.path.to_str_lossy().into_owned(),
                    origin: Some(HitOrigin {
                        commit: o.commit.to_string(),
                        author: format!("{} <{}>", o.author_name, o.author_email),
                        date: DateTime::from_timestamp(o.time, 0),
                        at_head: e.at_head.contains(&id),
                    }),
                })
                .collect::<Vec<_>>();
            (list, e.commits)
        }
        Blobs::Staged => (staged(&repo)?, 0),
    };
    progress.set_message("scanning blobs");
    let unique_blobs = candidates.len();
    let sync = repo.into_sync();
    let hits: Vec<FileHit> = candidates
        .par_iter()
        .map_init(
            || sync.to_thread_local(),
            |repo, cand| {
                progress.inc();
                scan_blob(repo, cand, opts, detectors, &tally)
            },
        )
        .flatten_iter()
        .collect();
    let (stats, notes) = tally.finish("history");
    Ok(Scanned {
        hits,
        stats,
        notes,
        commits,
        unique_blobs,
    })
}

fn scan_blob(
    repo: &gix::Repository,
    cand: &Candidate,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    t: &Tally,
) -> Vec<FileHit> {
    if opts.allow.path_allowed(&cand.path) {
        Tally::add(&t.allowed, 1);
        return Vec::new();
    }
    // The header tells the size without inflating the object.
    match repo.find_header(cand.id) {
        Ok(h) if h.size() > opts.max_file_size => {
            t.too_large(
                &cand.path,
                &format!("blob {}", cand.id),
                h.size(),
                opts.max_file_size,
            );
            return Vec::new();
        }
        Ok(_) => {}
        Err(e) => {
            t.failed(&cand.path, format!("blob {} is missing: {e}", cand.id));
            return Vec::new();
        }
    }
    let obj = match repo.find_object(cand.id) {
        Ok(o) => o,
        Err(e) => {
            t.failed(&cand.path, format!("blob {} cannot be read: {e}", cand.id));
            return Vec::new();
        }
    };
    if is_lfs_pointer(&obj.data) {
        tracing::debug!(path = %cand.path, "git LFS pointer: content lives outside git");
    }
    let mut hits = scan_content(&cand.path, &obj.data, detectors, &opts.allow, t);
    for h in &mut hits {
        h.origin = cand.origin.clone();
    }
    hits
}

/// CODEOWNERS as committed at HEAD (for bare repositories and mirrors, which have no work tree).
pub fn codeowners_at_head(repo: &gix::Repository) -> Option<super::codeowners::CodeOwners> {
    let tree = repo.head_commit().ok()?.tree().ok()?;
    super::codeowners::LOCATIONS.iter().find_map(|rel| {
        let entry = tree.lookup_entry_by_path(rel).ok()??;
        let blob = entry.object().ok()?;
        let text = String::from_utf8_lossy(&blob.data).into_owned();
        Some(super::codeowners::CodeOwners::parse(rel, &text))
    })
}

fn is_lfs_pointer(data: &[u8]) -> bool {
    data.starts_with(b"version https://git-lfs.github.com/spec/")
}

/// Index entries whose blob differs from HEAD's tree: what a commit would add.
fn staged(repo: &gix::Repository) -> Result<Vec<Candidate>> {
    let index = repo.index_or_empty().context("reading the git index")?;
    // What HEAD already has is not new; unreadable trees there only shrink that set.
    let at_head = enumerate::head_blobs(repo, &mut Vec::new());
    Ok(index
        .entries()
        .iter()
        .filter(|e| !e.mode.is_submodule() && !at_head.contains(&e.id))
        .map(|e| Candidate {
            id: e.id,
            path: e.path(&index).to_str_lossy().into_owned(),
            origin: None,
        })
        .collect())
}

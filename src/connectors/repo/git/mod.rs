//! Git history and the index: every unique blob scanned once, in parallel, with the provenance of
//! the commit that introduced it. Used by `scan repo --history`, `--since` and `--staged`.

mod enumerate;
mod introductions;

pub use enumerate::Scope;

use super::RepoOptions;
use super::file_scan::{FileHit, HitOrigin, scan_content};
use super::tally::Tally;
use crate::detectors::DetectorSet;
use crate::inventory::{Note, NoteLevel, ScanStats};
use crate::progress::Progress;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use gix::ObjectId;
use gix::bstr::ByteSlice;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
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

/// A unique blob to scan once, and every path it was introduced at (with the introducing
/// commit's position in topological order).
struct Candidate {
    id: ObjectId,
    /// The path the blob is scanned under (its first introduction's).
    path: String,
    places: Vec<(u32, u32)>,
}

/// A hit of a blob at one (path, commit) place, before its provenance is filled in.
struct Placed {
    hit: FileHit,
    blob: ObjectId,
    path: u32,
    commit: u32,
}

pub fn scan(
    repo: gix::Repository,
    what: &Blobs,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    progress: &Progress,
) -> Result<Scanned> {
    match what {
        Blobs::History(scope) => scan_history(repo, scope, opts, detectors, progress),
        Blobs::Staged => scan_staged(repo, opts, detectors, progress),
    }
}

fn scan_history(
    repo: gix::Repository,
    scope: &Scope,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    progress: &Progress,
) -> Result<Scanned> {
    let tally = Tally::default();
    progress.set_message("walking history");
    let started = std::time::Instant::now();
    let e = enumerate::enumerate(&repo, scope)?;
    tracing::info!(
        commits = e.commits.len(),
        pairs = e.intros.len(),
        "history walked in {:?}",
        started.elapsed()
    );
    for m in e.notes {
        tally.note(NoteLevel::Warning, "history", m);
    }
    let paths: Vec<String> = e
        .paths
        .iter()
        .map(|p| p.to_str_lossy().into_owned())
        .collect();
    let mut by_blob: HashMap<ObjectId, usize> = HashMap::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    for i in &e.intros {
        let slot = *by_blob.entry(i.blob).or_insert_with(|| {
            candidates.push(Candidate {
                id: i.blob,
                path: paths[i.path as usize].clone(),
                places: Vec::new(),
            });
            candidates.len() - 1
        });
        candidates[slot].places.push((i.path, i.commit));
    }
    drop(by_blob);
    in_pack_order(&repo, &mut candidates);
    tracing::info!("blobs in pack order at {:?}", started.elapsed());
    progress.set_message("scanning blobs");
    let unique_blobs = candidates.len();
    let sync = repo.into_sync();
    let placed: Vec<Placed> = candidates
        .par_iter()
        .map_init(
            || sync.to_thread_local(),
            |repo, cand| {
                progress.inc();
                let hits = scan_blob(repo, cand.id, &cand.path, opts, detectors, &tally);
                place(cand, hits, &paths, opts, &tally)
            },
        )
        .flatten_iter()
        .collect();
    tracing::info!("blobs scanned at {:?}", started.elapsed());
    let repo = sync.to_thread_local();
    let hits = provenance(&repo, placed, &e.commits, &paths, &e.at_head, &tally);
    tracing::info!("provenance done at {:?}", started.elapsed());
    let (stats, notes) = tally.finish("history");
    Ok(Scanned {
        hits,
        stats,
        notes,
        commits: e.commits.len(),
        unique_blobs,
    })
}

/// Sort blobs by where they are stored (pack, then offset; loose objects last), as
/// `git cat-file --unordered` reads them: neighbours in a pack share delta bases, so each thread's
/// contiguous share of the list finds its bases in the delta cache instead of re-inflating them.
fn in_pack_order(repo: &gix::Repository, candidates: &mut [Candidate]) {
    use gix::odb::pack::Find;
    let mut buf = Vec::new();
    // Pack ids are only stable on a handle that keeps packs loaded.
    let mut odb = (*repo.objects).clone();
    odb.prevent_pack_unload();
    candidates.sort_by_cached_key(|c| match odb.location_by_oid(&c.id, &mut buf) {
        Ok(Some(l)) => (l.pack_id, l.pack_offset),
        _ => (u32::MAX, 0),
    });
}

/// One blob's hits at each path it was introduced at (paths the allow-list covers excepted).
fn place(
    cand: &Candidate,
    hits: Vec<FileHit>,
    paths: &[String],
    opts: &RepoOptions,
    t: &Tally,
) -> Vec<Placed> {
    if hits.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for &(path, commit) in &cand.places {
        let name = &paths[path as usize];
        if name != &cand.path && opts.allow.path_allowed(name) {
            Tally::add(&t.allowed, 1);
            continue;
        }
        for h in &hits {
            let mut hit = h.clone();
            hit.path.clone_from(name);
            out.push(Placed {
                hit,
                blob: cand.id,
                path,
                commit,
            });
        }
    }
    out
}

/// Fill in each hit's introducing commit, its author and date, whether the blob is still at
/// HEAD, and how many commits introduced the same blob at the same path.
fn provenance(
    repo: &gix::Repository,
    placed: Vec<Placed>,
    commits: &[enumerate::CommitNode],
    paths: &[String],
    at_head: &HashSet<ObjectId>,
    tally: &Tally,
) -> Vec<FileHit> {
    let mut pair_of: HashMap<(ObjectId, u32), usize> = HashMap::new();
    let mut pairs: Vec<(ObjectId, &[u8])> = Vec::new();
    for p in &placed {
        pair_of.entry((p.blob, p.path)).or_insert_with(|| {
            pairs.push((p.blob, paths[p.path as usize].as_bytes()));
            pairs.len() - 1
        });
    }
    let mut notes = Vec::new();
    let counts = introductions::count(repo, commits, &pairs, &mut notes);
    for m in notes {
        tally.note(NoteLevel::Warning, "history", m);
    }
    let mut authors: HashMap<u32, (String, Option<DateTime<Utc>>)> = HashMap::new();
    placed
        .into_iter()
        .map(|p| {
            let (author, date) = authors
                .entry(p.commit)
                .or_insert_with(|| author_of(repo, commits[p.commit as usize].id, tally))
                .clone();
            let mut hit = p.hit;
            hit.origin = Some(HitOrigin {
                commit: commits[p.commit as usize].id.to_string(),
                author,
                date,
                at_head: at_head.contains(&p.blob),
                order: p.commit as usize,
                introductions: counts[pair_of[&(p.blob, p.path)]] as usize,
            });
            hit
        })
        .collect()
}

/// `Name <email>` and the author date of a commit.
fn author_of(
    repo: &gix::Repository,
    id: ObjectId,
    tally: &Tally,
) -> (String, Option<DateTime<Utc>>) {
    let author = repo
        .find_commit(id)
        .map_err(|e| e.to_string())
        .and_then(|c| {
            c.author()
                .map(|a| {
                    (
                        format!(
                            "{} <{}>",
                            a.name.to_str_lossy().trim(),
                            a.email.to_str_lossy().trim()
                        ),
                        a.time()
                            .ok()
                            .and_then(|t| DateTime::from_timestamp(t.seconds, 0)),
                    )
                })
                .map_err(|e| e.to_string())
        });
    author.unwrap_or_else(|e| {
        tally.note(
            NoteLevel::Warning,
            "history",
            format!("commit {id}: its author cannot be read: {e}"),
        );
        (String::new(), None)
    })
}

fn scan_staged(
    repo: gix::Repository,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    progress: &Progress,
) -> Result<Scanned> {
    let tally = Tally::default();
    let candidates = staged(&repo, &tally)?;
    progress.set_message("scanning staged blobs");
    let unique_blobs = candidates.len();
    let sync = repo.into_sync();
    let hits: Vec<FileHit> = candidates
        .par_iter()
        .map_init(
            || sync.to_thread_local(),
            |repo, (id, path)| {
                progress.inc();
                scan_blob(repo, *id, path, opts, detectors, &tally)
            },
        )
        .flatten_iter()
        .collect();
    let (stats, notes) = tally.finish("index");
    Ok(Scanned {
        hits,
        stats,
        notes,
        commits: 0,
        unique_blobs,
    })
}

fn scan_blob(
    repo: &gix::Repository,
    id: ObjectId,
    path: &str,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    t: &Tally,
) -> Vec<FileHit> {
    if opts.allow.path_allowed(path) {
        Tally::add(&t.allowed, 1);
        return Vec::new();
    }
    // The header tells the size without inflating the object.
    match repo.find_header(id) {
        Ok(h) if h.size() > opts.max_file_size => {
            t.too_large(path, &format!("blob {}", id), h.size(), opts.max_file_size);
            return Vec::new();
        }
        Ok(_) => {}
        Err(e) => {
            t.failed(path, format!("blob {} is missing: {e}", id));
            return Vec::new();
        }
    }
    let obj = match repo.find_object(id) {
        Ok(o) => o,
        Err(e) => {
            t.failed(path, format!("blob {} cannot be read: {e}", id));
            return Vec::new();
        }
    };
    if is_lfs_pointer(&obj.data) {
        tracing::debug!(path = %path, "git LFS pointer: content lives outside git");
    }
    scan_content(path, &obj.data, detectors, &opts.allow, t)
}

/// CODEOWNERS as committed at HEAD (for bare repositories and mirrors, which have no work tree);
/// a blob over the size cap is not inflated, and is noted.
pub fn codeowners_at_head(
    repo: &gix::Repository,
) -> (Option<super::codeowners::CodeOwners>, Option<Note>) {
    let Some(tree) = repo.head_commit().ok().and_then(|c| c.tree().ok()) else {
        return (None, None);
    };
    for rel in super::codeowners::LOCATIONS {
        let Ok(Some(entry)) = tree.lookup_entry_by_path(rel) else {
            continue;
        };
        if !entry.mode().is_blob() {
            let note = Note::new(
                NoteLevel::Warning,
                rel,
                "not read: not a regular file at HEAD (a symlink or a folder); owners from \
                 CODEOWNERS are not known",
            );
            return (None, Some(note));
        }
        let refused = match repo.find_header(entry.object_id()) {
            Ok(h) if h.size() > super::codeowners::MAX_SIZE => Some(format!(
                "not read: {} bytes is over the {} byte limit for this kind of file",
                h.size(),
                super::codeowners::MAX_SIZE
            )),
            Ok(_) => None,
            Err(e) => Some(format!("cannot be read: {e}")),
        };
        let blob = match (refused, entry.object()) {
            (None, Ok(b)) => b,
            (Some(why), _) => {
                let note = Note::new(
                    NoteLevel::Warning,
                    rel,
                    format!("{why}; owners from CODEOWNERS are not known"),
                );
                return (None, Some(note));
            }
            (None, Err(e)) => {
                let note = Note::new(
                    NoteLevel::Warning,
                    rel,
                    format!("cannot be read: {e}; owners from CODEOWNERS are not known"),
                );
                return (None, Some(note));
            }
        };
        let text = String::from_utf8_lossy(&blob.data);
        return (Some(super::codeowners::CodeOwners::parse(rel, &text)), None);
    }
    (None, None)
}

fn is_lfs_pointer(data: &[u8]) -> bool {
    data.starts_with(b"version https://git-lfs.github.com/spec/")
}

/// Index entries whose blob differs from HEAD's tree: what a commit would add. A HEAD tree that
/// cannot be read is noted (the source is partial): its blobs would be scanned as new.
fn staged(repo: &gix::Repository, tally: &Tally) -> Result<Vec<(ObjectId, String)>> {
    let index = repo.index_or_empty().context("reading the git index")?;
    let mut notes = Vec::new();
    let at_head = enumerate::head_blobs(repo, &mut notes);
    for m in notes {
        tally.note(NoteLevel::Warning, "index", m);
    }
    Ok(index
        .entries()
        .iter()
        .filter(|e| !e.mode.is_submodule() && !at_head.contains(&e.id))
        .map(|e| (e.id, e.path(&index).to_str_lossy().into_owned()))
        .collect())
}

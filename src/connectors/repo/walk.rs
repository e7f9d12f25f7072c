//! The parallel walk: the `ignore` crate enumerates files on its own threads and streams them to
//! rayon, which reads and scans each file once on every core. Binary and oversized files are
//! skipped and counted; unreadable ones become notes and the scan goes on.

use super::RepoOptions;
use super::file_scan::{FileHit, scan_content};
use super::tally::Tally;
use crate::detectors::DetectorSet;
use crate::inventory::{Note, ScanStats};
use crate::progress::Progress;
use rayon::iter::{IntoParallelRefIterator, ParallelBridge, ParallelIterator};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub struct Walked {
    pub hits: Vec<FileHit>,
    pub stats: ScanStats,
    pub notes: Vec<Note>,
}

/// Paths per message from a walker thread to the scanners.
const BATCH: usize = 128;

/// A walker thread's outgoing batch; what is left is sent when the thread's visitor is dropped.
struct Batch {
    items: Vec<WalkItem>,
    tx: std::sync::mpsc::SyncSender<Vec<WalkItem>>,
}

impl Batch {
    /// Queue an item; false when the scanners are gone.
    fn push(&mut self, item: WalkItem) -> bool {
        self.items.push(item);
        if self.items.len() < BATCH {
            return true;
        }
        let full = std::mem::replace(&mut self.items, Vec::with_capacity(BATCH));
        self.tx.send(full).is_ok()
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if !self.items.is_empty() {
            let _ = self.tx.send(std::mem::take(&mut self.items));
        }
    }
}

enum WalkItem {
    File(PathBuf),
    /// A folder, symlink or special file: not scanned, but seen (so it is not counted as
    /// ignored).
    Dir(PathBuf),
    Link(PathBuf),
    Special(PathBuf),
    Error(String, String),
}

impl WalkItem {
    fn path(&self) -> Option<&Path> {
        match self {
            WalkItem::File(p) | WalkItem::Dir(p) | WalkItem::Link(p) | WalkItem::Special(p) => {
                Some(p)
            }
            WalkItem::Error(..) => None,
        }
    }
}

pub fn scan_tree(
    root: &Path,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    progress: &Progress,
) -> Walked {
    let tally = Tally::default();
    // Bounded, so a fast walk cannot run far ahead of the scanners and hold every path; paths
    // travel in batches so the channel's wake-ups do not cost more than small files do.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<WalkItem>>(64);
    let walker = build_walker(root, opts);
    let root_owned = root.to_path_buf();
    let walk_thread = std::thread::spawn(move || {
        walker.run(|| {
            let mut batch = Batch {
                items: Vec::with_capacity(BATCH),
                tx: tx.clone(),
            };
            let root = root_owned.clone();
            Box::new(move |entry| {
                let item = match entry {
                    Ok(e) => match e.file_type() {
                        Some(t) if t.is_file() => WalkItem::File(e.into_path()),
                        Some(t) if t.is_dir() => WalkItem::Dir(e.into_path()),
                        Some(t) if t.is_symlink() => WalkItem::Link(e.into_path()),
                        _ => WalkItem::Special(e.into_path()),
                    },
                    Err(err) => {
                        let (s, m) = describe_walk_error(&root, &err);
                        WalkItem::Error(s, m)
                    }
                };
                if batch.push(item) {
                    ignore::WalkState::Continue
                } else {
                    ignore::WalkState::Quit
                }
            })
        });
    });

    // Everything the walk yielded, to tell afterwards what the ignore rules hid.
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut hits: Vec<FileHit> = rx
        .into_iter()
        .inspect(|batch| {
            for item in batch {
                if let Some(p) = item.path() {
                    seen.insert(p.to_path_buf());
                }
                if let WalkItem::Dir(p) = item {
                    dirs.push(p.clone());
                }
            }
        })
        .flatten()
        .par_bridge()
        .flat_map_iter(|item| match item {
            WalkItem::File(path) => {
                progress.inc();
                scan_file(root, &path, opts, detectors, &tally)
            }
            WalkItem::Dir(_) => Vec::new(),
            WalkItem::Link(_) => {
                Tally::add(&tally.links, 1);
                Vec::new()
            }
            WalkItem::Special(path) => {
                Tally::add(&tally.special, 1);
                tracing::debug!("{}: not a regular file, skipped", path.display());
                Vec::new()
            }
            WalkItem::Error(subject, msg) => {
                tally.failed(&subject, msg);
                Vec::new()
            }
        })
        .collect();
    let _ = walk_thread.join();
    if !opts.no_ignore {
        hits.extend(scan_tracked(
            root, &mut seen, opts, detectors, progress, &tally,
        ));
        let ignored = count_ignored(&dirs, &seen);
        Tally::add(&tally.ignored, ignored);
    }
    let (stats, notes) = tally.finish(&root.display().to_string());
    Walked { hits, stats, notes }
}

/// Tracked files the ignore rules hid from the walk: scanned like any other, counted, and added
/// to `seen` (they are not ignored).
fn scan_tracked(
    root: &Path,
    seen: &mut HashSet<PathBuf>,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    progress: &Progress,
    t: &Tally,
) -> Vec<FileHit> {
    match super::tracked::missed(root, seen) {
        None => Vec::new(),
        Some(Err(e)) => {
            t.failed(".git/index", e);
            Vec::new()
        }
        Some(Ok(paths)) => {
            Tally::add(&t.tracked_ignored, paths.len() as u64);
            let hits = paths
                .par_iter()
                .flat_map_iter(|p| {
                    progress.inc();
                    scan_file(root, p, opts, detectors, t)
                })
                .collect();
            seen.extend(paths);
            hits
        }
    }
}

/// Entries of walked folders that the walk did not yield: what ignore rules (`.gitignore`,
/// `.ignore`, git's excludes) hid. The `.git` folder is not content and is not counted.
fn count_ignored(dirs: &[PathBuf], seen: &HashSet<PathBuf>) -> u64 {
    dirs.par_iter()
        .map(|d| {
            let Ok(rd) = std::fs::read_dir(d) else {
                return 0;
            };
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_name() != ".git" && !seen.contains(&e.path()))
                .count() as u64
        })
        .sum()
}

fn build_walker(root: &Path, opts: &RepoOptions) -> ignore::WalkParallel {
    let mut b = ignore::WalkBuilder::new(root);
    // Secrets live in dotfiles (.env, .npmrc, .git-credentials): never skip hidden files.
    b.hidden(false)
        .follow_links(false)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .require_git(false)
        .threads(rayon::current_num_threads().min(4))
        .filter_entry(|e| e.file_name() != ".git");
    b.build_parallel()
}

fn scan_file(
    root: &Path,
    path: &Path,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    t: &Tally,
) -> Vec<FileHit> {
    let rel = relative(root, path);
    if opts.allow.path_allowed(&rel) {
        Tally::add(&t.allowed, 1);
        return Vec::new();
    }
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => {
            t.failed(&rel, format!("cannot read metadata: {e}"));
            return Vec::new();
        }
    };
    if size > opts.max_file_size {
        t.too_large(&rel, "file", size, opts.max_file_size);
        return Vec::new();
    }
    let buf = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            t.failed(&rel, format!("cannot read: {e}"));
            return Vec::new();
        }
    };
    scan_content(&rel, &buf, detectors, &opts.allow, t)
}

/// Path relative to the scan root, `/`-separated; a root that is itself a file gives its name.
fn relative(root: &Path, path: &Path) -> String {
    let rel = match path.strip_prefix(root) {
        Ok(r) if !r.as_os_str().is_empty() => r,
        _ => path.file_name().map(Path::new).unwrap_or(path),
    };
    rel.to_string_lossy().replace('\\', "/")
}

fn describe_walk_error(root: &Path, err: &ignore::Error) -> (String, String) {
    let subject = match err {
        ignore::Error::WithPath { path, .. } => relative(root, path),
        _ => root.display().to_string(),
    };
    (subject, format!("cannot walk: {err}"))
}

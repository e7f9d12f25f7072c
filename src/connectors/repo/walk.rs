//! The parallel walk: the `ignore` crate enumerates files on its own threads and streams them to
//! rayon, which reads and scans each file once on every core. Binary and oversized files are
//! skipped and counted; unreadable ones become notes and the scan goes on.

use super::RepoOptions;
use super::file_scan::{FileHit, scan_content};
use super::tally::Tally;
use crate::detectors::DetectorSet;
use crate::inventory::{Note, ScanStats};
use crate::progress::Progress;
use rayon::iter::{ParallelBridge, ParallelIterator};
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
    Error(String, String),
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
                    Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                        WalkItem::File(e.into_path())
                    }
                    Ok(_) => return ignore::WalkState::Continue,
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

    let hits: Vec<FileHit> = rx
        .into_iter()
        .flatten()
        .par_bridge()
        .flat_map_iter(|item| match item {
            WalkItem::File(path) => {
                progress.inc();
                scan_file(root, &path, opts, detectors, &tally)
            }
            WalkItem::Error(subject, msg) => {
                tally.failed(&subject, msg);
                Vec::new()
            }
        })
        .collect();
    let _ = walk_thread.join();
    let (stats, notes) = tally.finish(&root.display().to_string());
    Walked { hits, stats, notes }
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

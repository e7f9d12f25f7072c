//! The parallel walk: the `ignore` crate enumerates files on its own threads and streams them to
//! rayon, which reads and scans each file once on every core. Binary and oversized files are
//! skipped and counted; unreadable ones become notes and the scan goes on.

use super::RepoOptions;
use super::file_scan::{FileHit, scan_bytes};
use crate::detectors::DetectorSet;
use crate::inventory::{Note, NoteLevel, ScanStats};
use crate::progress::Progress;
use rayon::iter::{ParallelBridge, ParallelIterator};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many bytes at the start of a file are checked for NUL to call it binary.
const BINARY_SNIFF: usize = 8192;
/// Per-file notes kept in the report; past this, one summary note.
const MAX_NOTES: usize = 500;

pub struct Walked {
    pub hits: Vec<FileHit>,
    pub stats: ScanStats,
    pub notes: Vec<Note>,
}

#[derive(Default)]
struct Counters {
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    large: AtomicU64,
    allowed: AtomicU64,
    failed: AtomicU64,
}

pub fn scan_tree(
    root: &Path,
    opts: &RepoOptions,
    detectors: &DetectorSet,
    progress: &Progress,
) -> Walked {
    let counters = Counters::default();
    let notes = Mutex::new(Vec::new());
    let (tx, rx) = std::sync::mpsc::sync_channel::<WalkItem>(4096);
    let walker = build_walker(root, opts);
    let root_owned = root.to_path_buf();
    let walk_thread = std::thread::spawn(move || {
        walker.run(|| {
            let tx = tx.clone();
            let root = root_owned.clone();
            Box::new(move |entry| {
                let item = match entry {
                    Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                        WalkItem::File(e.into_path())
                    }
                    Ok(_) => return ignore::WalkState::Continue,
                    Err(err) => WalkItem::Error(describe_walk_error(&root, &err)),
                };
                if tx.send(item).is_err() {
                    return ignore::WalkState::Quit;
                }
                ignore::WalkState::Continue
            })
        });
    });

    let hits: Vec<FileHit> = rx
        .into_iter()
        .par_bridge()
        .flat_map_iter(|item| {
            let path = match item {
                WalkItem::File(p) => p,
                WalkItem::Error(msg) => {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    push_note(&notes, NoteLevel::Warning, msg.0, msg.1);
                    return Vec::new();
                }
            };
            progress.inc();
            scan_file(root, &path, opts, detectors, &counters, &notes)
        })
        .collect();
    let _ = walk_thread.join();

    let mut notes = notes.into_inner().unwrap_or_default();
    let stats = ScanStats {
        files_scanned: counters.files.load(Ordering::Relaxed),
        bytes_scanned: counters.bytes.load(Ordering::Relaxed),
        files_skipped_binary: counters.binary.load(Ordering::Relaxed),
        files_skipped_large: counters.large.load(Ordering::Relaxed),
        files_skipped_allowed: counters.allowed.load(Ordering::Relaxed),
        files_failed: counters.failed.load(Ordering::Relaxed),
    };
    if stats.files_skipped_binary > 0 {
        notes.push(Note {
            level: NoteLevel::Info,
            subject: root.display().to_string(),
            message: format!("{} binary files skipped", stats.files_skipped_binary),
        });
    }
    notes.sort_by(|a, b| a.subject.cmp(&b.subject));
    Walked { hits, stats, notes }
}

enum WalkItem {
    File(PathBuf),
    Error((String, String)),
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
    c: &Counters,
    notes: &Mutex<Vec<Note>>,
) -> Vec<FileHit> {
    let rel = relative(root, path);
    if opts.allow.path_allowed(&rel) {
        c.allowed.fetch_add(1, Ordering::Relaxed);
        return Vec::new();
    }
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => return failed(c, notes, rel, format!("cannot read metadata: {e}")),
    };
    if size > opts.max_file_size {
        c.large.fetch_add(1, Ordering::Relaxed);
        push_note(
            notes,
            NoteLevel::Info,
            rel,
            format!(
                "skipped: {size} bytes is over the {} byte limit (raise it with --max-file-size)",
                opts.max_file_size
            ),
        );
        return Vec::new();
    }
    let buf = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return failed(c, notes, rel, format!("cannot read: {e}")),
    };
    if memchr::memchr(0, &buf[..buf.len().min(BINARY_SNIFF)]).is_some() {
        c.binary.fetch_add(1, Ordering::Relaxed);
        return Vec::new();
    }
    c.files.fetch_add(1, Ordering::Relaxed);
    c.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
    let (hits, allowed) = scan_bytes(&rel, &buf, detectors, &opts.allow);
    if allowed > 0 {
        tracing::debug!(path = %rel, allowed, "secrets allowed inline or by value");
    }
    hits
}

fn failed(c: &Counters, notes: &Mutex<Vec<Note>>, rel: String, msg: String) -> Vec<FileHit> {
    c.failed.fetch_add(1, Ordering::Relaxed);
    tracing::warn!("{rel}: {msg}");
    push_note(notes, NoteLevel::Warning, rel, msg);
    Vec::new()
}

fn push_note(notes: &Mutex<Vec<Note>>, level: NoteLevel, subject: String, message: String) {
    let mut n = notes.lock().unwrap_or_else(|e| e.into_inner());
    if n.len() < MAX_NOTES {
        n.push(Note {
            level,
            subject,
            message,
        });
    } else if n.len() == MAX_NOTES {
        n.push(Note {
            level: NoteLevel::Info,
            subject: "(more)".into(),
            message: "further notes omitted; run with -v to log them all".into(),
        });
    }
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

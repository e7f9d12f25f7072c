//! What a scan counts and says while it runs on many threads: per-kind counters and a bounded
//! list of notes (one per skipped or failed input, up to a cap, then one summary).

use crate::inventory::{Note, NoteLevel, ScanStats};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Per-input notes kept in a report; past this, one summary note.
const MAX_NOTES: usize = 500;

#[derive(Default)]
pub struct Tally {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub binary: AtomicU64,
    pub large: AtomicU64,
    pub allowed: AtomicU64,
    pub failed: AtomicU64,
    /// Untracked files and folders hidden by ignore rules.
    pub ignored: AtomicU64,
    /// Tracked files that ignore rules match, scanned anyway.
    pub tracked_ignored: AtomicU64,
    /// Symbolic links (not followed) and special files (FIFOs, sockets, devices).
    pub links: AtomicU64,
    pub special: AtomicU64,
    notes: Mutex<Vec<Note>>,
}

impl Tally {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn note(&self, level: NoteLevel, subject: impl Into<String>, message: impl Into<String>) {
        let mut n = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        if n.len() < MAX_NOTES {
            n.push(Note::new(level, subject, message));
        } else if n.len() == MAX_NOTES {
            n.push(Note::new(
                NoteLevel::Info,
                "(more)",
                "further notes omitted; run with -v to log them all",
            ));
        }
    }

    /// A failed input: counted, logged, and noted.
    pub fn failed(&self, subject: &str, message: String) {
        Tally::add(&self.failed, 1);
        tracing::warn!("{subject}: {message}");
        self.note(NoteLevel::Warning, subject, message);
    }

    /// A file over the size limit: counted and noted.
    pub fn too_large(&self, subject: &str, what: &str, size: u64, limit: u64) {
        Tally::add(&self.large, 1);
        self.note(
            NoteLevel::Info,
            subject,
            format!("{what} skipped: {size} bytes is over the {limit} byte limit (raise it with --max-file-size)"),
        );
    }

    pub fn finish(self, root: &str) -> (ScanStats, Vec<Note>) {
        let stats = ScanStats {
            files_scanned: self.files.into_inner(),
            bytes_scanned: self.bytes.into_inner(),
            files_skipped_binary: self.binary.into_inner(),
            files_skipped_large: self.large.into_inner(),
            files_skipped_allowed: self.allowed.into_inner(),
            files_failed: self.failed.into_inner(),
            paths_skipped_ignored: self.ignored.into_inner(),
            files_skipped_not_regular: self.links.load(Ordering::Relaxed)
                + self.special.load(Ordering::Relaxed),
        };
        let (links, special) = (self.links.into_inner(), self.special.into_inner());
        let tracked_ignored = self.tracked_ignored.into_inner();
        let mut notes = self.notes.into_inner().unwrap_or_default();
        if stats.files_skipped_binary > 0 {
            notes.push(Note::new(
                NoteLevel::Info,
                root,
                format!("{} binary files skipped", stats.files_skipped_binary),
            ));
        }
        if stats.paths_skipped_ignored > 0 {
            notes.push(Note::new(
                NoteLevel::Info,
                root,
                format!(
                    "{} untracked files or folders matched by .gitignore, .ignore or git's \
                     excludes were not scanned (--no-ignore scans them)",
                    stats.paths_skipped_ignored
                ),
            ));
        }
        if tracked_ignored > 0 {
            notes.push(Note::new(
                NoteLevel::Info,
                root,
                format!(
                    "{tracked_ignored} files tracked by git but matched by .gitignore were \
                     scanned (ignore rules only hide untracked files)"
                ),
            ));
        }
        if links > 0 {
            notes.push(Note::new(
                NoteLevel::Info,
                root,
                format!("{links} symbolic links not followed (a target inside the tree is scanned where it is)"),
            ));
        }
        if special > 0 {
            notes.push(Note::new(
                NoteLevel::Info,
                root,
                format!("{special} special files (FIFOs, sockets, devices) skipped"),
            ));
        }
        notes.sort_by(|a, b| a.subject.cmp(&b.subject));
        (stats, notes)
    }
}

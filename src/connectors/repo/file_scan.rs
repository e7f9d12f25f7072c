//! Scanning one file's bytes: run the detectors, then place each match (line, column, a redacted
//! snippet) and drop those the user allowed inline or by value.

use super::AllowList;
use super::allow::INLINE_MARKER;
use super::tally::Tally;
use crate::detectors::{Decoded, DetectorSet};
use crate::inventory::{redact, sanitize_line, secret_sha256};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Where in git history a hit's blob came from.
#[derive(Debug, Clone)]
pub struct HitOrigin {
    pub commit: String,
    /// `Name <email>` of the author of the introducing commit.
    pub author: String,
    pub date: Option<DateTime<Utc>>,
    /// Whether the blob is part of HEAD's tree.
    pub at_head: bool,
    /// The introducing commit's position in topological order (parents first): of several
    /// places, the smallest is the earliest introduction, whatever the dates say.
    pub order: usize,
    /// How many commits introduced this blob at this path independently (e.g. on two branches).
    pub introductions: usize,
}

/// One secret at one place. The raw secret stays in memory only.
#[derive(Debug, Clone)]
pub struct FileHit {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub snippet: String,
    pub detector: usize,
    pub secret: String,
    pub sha256: String,
    pub attributes: BTreeMap<String, String>,
    pub decoded: Option<Decoded>,
    pub checksum_valid: bool,
    /// Set for blobs from git history.
    pub origin: Option<HitOrigin>,
}

/// Scan one file's or blob's content once it is read: binary content is counted and skipped,
/// text is counted and matched. Shared by the work-tree walk and the history scan.
pub fn scan_content(
    path: &str,
    data: &[u8],
    detectors: &DetectorSet,
    allow: &AllowList,
    t: &Tally,
) -> Vec<FileHit> {
    if super::is_binary(data) {
        Tally::add(&t.binary, 1);
        return Vec::new();
    }
    Tally::add(&t.files, 1);
    Tally::add(&t.bytes, data.len() as u64);
    let (hits, allowed) = scan_bytes(path, data, detectors, allow);
    if allowed > 0 {
        tracing::debug!(path, allowed, "secrets allowed inline or by value");
    }
    hits
}

/// Longest snippet kept, in characters.
const SNIPPET_MAX: usize = 200;

pub fn scan_bytes(
    path: &str,
    buf: &[u8],
    detectors: &DetectorSet,
    allow: &AllowList,
) -> (Vec<FileHit>, usize) {
    let matches = detectors.find(buf);
    let mut hits = Vec::with_capacity(matches.len());
    let mut allowed = 0;
    // Matches come ordered by offset: count lines incrementally, once over the file at most.
    let mut line = 1;
    let mut counted_to = 0;
    for m in matches {
        let start = m.secret.start;
        line += memchr::memchr_iter(b'\n', &buf[counted_to..start]).count();
        counted_to = start;
        let line_start = memchr::memrchr(b'\n', &buf[..start]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |i| start + i);
        let line_bytes = &buf[line_start..line_end];
        if memchr::memmem::find(line_bytes, INLINE_MARKER).is_some() {
            allowed += 1;
            continue;
        }
        let secret = String::from_utf8_lossy(&buf[m.secret.clone()]).into_owned();
        let sha256 = secret_sha256(secret.as_bytes());
        if allow.value_allowed(&sha256) {
            allowed += 1;
            continue;
        }
        hits.push(FileHit {
            path: path.to_string(),
            line,
            column: start - line_start + 1,
            snippet: snippet(line_bytes, start - line_start, m.secret.len(), &secret),
            detector: m.detector,
            sha256,
            secret,
            attributes: m.attributes,
            decoded: m.decoded,
            checksum_valid: m.checksum_valid,
            origin: None,
        });
    }
    (hits, allowed)
}

/// The line around the secret with the secret replaced by its redacted form. Long lines
/// (minified code) are cut to a window around the secret.
fn snippet(line: &[u8], at: usize, len: usize, secret: &str) -> String {
    let end_of_secret = (at + len).min(line.len());
    let from = at.saturating_sub(60);
    let to = (end_of_secret + 60).min(line.len());
    let before = String::from_utf8_lossy(&line[from..at]);
    let after = String::from_utf8_lossy(&line[end_of_secret..to]);
    let mut s = String::new();
    if from > 0 {
        s.push('…');
    }
    s.push_str(before.trim_start());
    s.push_str(&redact(secret));
    s.push_str(after.trim_end());
    if to < line.len() {
        s.push('…');
    }
    sanitize_line(&s, SNIPPET_MAX)
}

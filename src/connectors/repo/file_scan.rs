//! Scanning one file's bytes: run the detectors, then place each match (line, column, a redacted
//! snippet) and drop those the user allowed inline or by value.

use super::AllowList;
use super::allow::INLINE_MARKER;
use super::snippet::{self, Spans};
use super::tally::Tally;
use crate::detectors::{Decoded, DetectorSet};
use crate::inventory::{is_low_entropy, redact, redact_length_only, secret_hmac, secret_sha256};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::ops::Range;

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
    /// SHA-256 of the secret: in memory, what groups hits of one secret.
    pub sha256: String,
    /// A password or short value (see [`is_low_entropy`]): no prefix in previews, keyed hash.
    pub low_entropy: bool,
    /// The hash reports show and ids derive from: HMAC-SHA256 for low-entropy secrets, else
    /// the SHA-256.
    pub anchor: String,
    /// The preview of the secret (prefix only for high-entropy secrets).
    pub redacted: String,
    pub attributes: BTreeMap<String, String>,
    pub decoded: Option<Decoded>,
    pub checksum_valid: bool,
    /// The name that marks the value as an example or test double (reported at low confidence).
    pub placeholder_name: Option<String>,
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

pub fn scan_bytes(
    path: &str,
    buf: &[u8],
    detectors: &DetectorSet,
    allow: &AllowList,
) -> (Vec<FileHit>, usize) {
    let matches = detectors.find(buf);
    let spans: Vec<Range<usize>> = matches.iter().map(|m| m.secret.clone()).collect();
    let spans = Spans::new(&spans);
    let mut hits = Vec::with_capacity(matches.len());
    let mut allowed = 0;
    let mut lines = LineCursor::new(buf);
    for m in matches {
        let start = m.secret.start;
        let line = lines.locate(start);
        if line.allowed_inline {
            allowed += 1;
            continue;
        }
        let secret = String::from_utf8_lossy(&buf[m.secret.clone()]).into_owned();
        let sha256 = secret_sha256(secret.as_bytes());
        let d = &detectors.detectors[m.detector];
        let low_entropy = is_low_entropy(&d.kind, d.generic, &secret);
        let hmac =
            (low_entropy || allow.has_keyed_hashes()).then(|| secret_hmac(secret.as_bytes()));
        if allow.value_allowed(&sha256, hmac.as_deref()) {
            allowed += 1;
            continue;
        }
        let redacted = if low_entropy {
            redact_length_only(&secret)
        } else {
            redact(&secret)
        };
        let anchor = match (&hmac, low_entropy) {
            (Some(h), true) => h.clone(),
            _ => sha256.clone(),
        };
        hits.push(FileHit {
            path: path.to_string(),
            line: line.number,
            column: start - line.range.start + 1,
            snippet: snippet::render(buf, line.range, m.secret.clone(), &redacted, &spans),
            detector: m.detector,
            sha256,
            low_entropy,
            anchor,
            redacted,
            secret,
            attributes: m.attributes,
            decoded: m.decoded,
            checksum_valid: m.checksum_valid,
            placeholder_name: m.placeholder_name,
            origin: None,
        });
    }
    (hits, allowed)
}

/// The line a match is on.
#[derive(Debug, Clone)]
struct LineAt {
    number: usize,
    range: Range<usize>,
    /// The line carries the inline allow marker.
    allowed_inline: bool,
}

/// Walks a buffer's lines forwards as matches (in offset order) ask for them, so that a file is
/// read at most a few times over whatever the number of matches: a one-line 25 MiB file with
/// 100 000 matches must not be searched to its line ends once per match.
struct LineCursor<'a> {
    buf: &'a [u8],
    /// Where newline counting has reached.
    counted_to: usize,
    current: Option<LineAt>,
    /// Bytes examined so far, which tests hold to a small multiple of the buffer's length.
    #[cfg(test)]
    examined: usize,
}

impl<'a> LineCursor<'a> {
    fn new(buf: &'a [u8]) -> LineCursor<'a> {
        LineCursor {
            buf,
            counted_to: 0,
            current: None,
            #[cfg(test)]
            examined: 0,
        }
    }

    /// The line holding `at`; `at` never decreases between calls.
    fn locate(&mut self, at: usize) -> LineAt {
        if let Some(c) = &self.current
            && at < c.range.end
        {
            return c.clone();
        }
        let (mut number, mut line_start) = match &self.current {
            Some(c) => (c.number, c.range.start),
            None => (1, 0),
        };
        let skipped = &self.buf[self.counted_to..at];
        number += memchr::memchr_iter(b'\n', skipped).count();
        if let Some(i) = memchr::memrchr(b'\n', skipped) {
            line_start = self.counted_to + i + 1;
        }
        let line_end = memchr::memchr(b'\n', &self.buf[at..]).map_or(self.buf.len(), |i| at + i);
        let range = line_start..line_end;
        let allowed_inline =
            memchr::memmem::find(&self.buf[range.clone()], INLINE_MARKER).is_some();
        #[cfg(test)]
        {
            self.examined += 2 * skipped.len() + (line_end - at) + range.len();
        }
        self.counted_to = at;
        let line = LineAt {
            number,
            range,
            allowed_inline,
        };
        self.current = Some(line.clone());
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_in_one_pass_whatever_the_number_of_matches() {
        let line = "tok=1 ".repeat(200_000);
        let buf = format!("first\n{line}\nlast nhiscan:allow\n");
        let mut c = LineCursor::new(buf.as_bytes());
        let starts: Vec<usize> = buf.match_indices("tok=").map(|(i, _)| i).collect();
        assert_eq!(starts.len(), 200_000);
        for &s in &starts {
            let l = c.locate(s);
            assert_eq!(l.number, 2);
            assert_eq!(l.range, 6..6 + line.len());
            assert!(!l.allowed_inline);
        }
        let last = c.locate(buf.find("last").unwrap());
        assert_eq!((last.number, last.allowed_inline), (3, true));
        assert!(
            c.examined <= 4 * buf.len(),
            "{} bytes examined for a {} byte file",
            c.examined,
            buf.len()
        );
    }
}

//! Matching: one Aho-Corasick pass over the content finds every keyword; only the detectors whose
//! keywords hit run their regex, and only over windows around the hits. Most content never
//! reaches a regex at all, which is what makes a scan run at close to the speed of reading.

use super::{Decoded, DetectorSet, is_placeholder, shannon};
use std::collections::BTreeMap;
use std::ops::Range;

/// How far before a keyword hit a match may start (keywords inside a value, e.g. Azure's `Q~`).
const LOOK_BACK: usize = 256;
/// How far a window may be stretched to reach a line boundary.
const SNAP: usize = 256;

/// One secret found in content.
#[derive(Debug, Clone)]
pub struct SecretMatch {
    /// Index into [`DetectorSet::detectors`].
    pub detector: usize,
    /// Byte range of the secret.
    pub secret: Range<usize>,
    /// Other named groups of the pattern (user, host…) and decoded facts.
    pub attributes: BTreeMap<String, String>,
    pub decoded: Option<Decoded>,
    pub checksum_valid: bool,
    /// The name the value is assigned to, when it marks the value as an example or test double
    /// (never set when a checksum passed).
    pub placeholder_name: Option<String>,
}

impl DetectorSet {
    /// Preference between detectors that matched the same secret (lower is better): specific
    /// over generic, verified checksum, provider over file format, confidence, then order.
    pub fn rank(&self, det: usize, checksum_valid: bool) -> (bool, bool, bool, u8, usize) {
        let d = &self.detectors[det];
        let conf = match d.confidence.as_str() {
            "high" => 0,
            "medium" => 1,
            _ => 2,
        };
        let format_detector = d.kind == "credentials_file" || d.kind == "password";
        (d.generic, !checksum_valid, format_detector, conf, det)
    }

    /// Every secret in `hay`, ordered by position, with generic matches dropped where a
    /// specific detector matched the same text.
    pub fn find(&self, hay: &[u8]) -> Vec<SecretMatch> {
        let windows = self.candidate_windows(hay);
        let mut found = Vec::new();
        let mut vetoed = Vec::new();
        for (det, ranges) in windows.into_iter().enumerate() {
            for r in ranges {
                self.match_window(det, hay, r, &mut found, &mut vetoed);
            }
        }
        // A value a specific detector recognised but rejected (a token whose checksum fails) is
        // not a secret: the specific verdict wins over every detector that only knows the shape
        // around it (a generic assignment, a file format's `_authToken=`, `password=`). Only a
        // checksum that passed outranks it.
        let vetoed = Disjoint::new(vetoed);
        found.retain(|m| m.checksum_valid || !vetoed.overlaps(&m.secret));
        resolve_overlaps(self, found)
    }

    /// Matches of one detector alone, with no overlap resolution: what a rule's examples test.
    pub fn find_only(&self, det: usize, hay: &[u8]) -> Vec<SecretMatch> {
        let mut found = Vec::new();
        let windows = self.candidate_windows(hay).swap_remove(det);
        for r in windows {
            self.match_window(det, hay, r, &mut found, &mut Vec::new());
        }
        found
    }

    /// Per detector, the merged windows around its keyword hits.
    fn candidate_windows(&self, hay: &[u8]) -> Vec<Vec<Range<usize>>> {
        let mut windows: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.detectors.len()];
        if self.detectors.is_empty() {
            return windows;
        }
        for hit in self.keywords.find_iter(hay) {
            for &det in &self.keyword_detectors[hit.pattern().as_usize()] {
                let d = &self.detectors[det];
                let start = hit.start().saturating_sub(LOOK_BACK);
                let end = (hit.end() + d.window).min(hay.len());
                // Snapping to line ends only where a window begins or grows, so dense hits (a
                // minified file) cost one bounded snap per window, not one per hit.
                let list = &mut windows[det];
                match list.last_mut() {
                    Some(last) if start <= last.end => {
                        if end > last.end {
                            last.end = snap_forward(hay, end);
                        }
                    }
                    _ => list.push(snap_back(hay, start)..snap_forward(hay, end)),
                }
            }
        }
        windows
    }

    fn match_window(
        &self,
        det: usize,
        hay: &[u8],
        window: Range<usize>,
        out: &mut Vec<SecretMatch>,
        vetoed: &mut Vec<Range<usize>>,
    ) {
        let d = &self.detectors[det];
        let text = &hay[window.clone()];
        for caps in d.regex.captures_iter(text) {
            let Some(secret) = caps.get(d.secret_group) else {
                continue;
            };
            let value = secret.as_bytes();
            if is_placeholder(value) || d.ignore_values.iter().any(|r| r.is_match(value)) {
                continue;
            }
            if let Some(floor) = d.entropy
                && shannon(value) < floor
            {
                continue;
            }
            let checksum_valid = match d.checksum {
                Some(c) if !c.verify(value) => {
                    vetoed.push(window.start + secret.start()..window.start + secret.end());
                    continue;
                }
                Some(_) => true,
                None => false,
            };
            let decoded = match d.decode {
                Some(dec) => match dec.decode(&String::from_utf8_lossy(value)) {
                    Some(x) => Some(x),
                    None => continue,
                },
                None => None,
            };
            let mut attributes = BTreeMap::new();
            for (i, name) in &d.extra_groups {
                if let Some(m) = caps.get(*i) {
                    attributes.insert(name.clone(), String::from_utf8_lossy(m.as_bytes()).into());
                }
            }
            let start = window.start + secret.start();
            let placeholder_name = if checksum_valid {
                None
            } else {
                self.name_markers.marked_name(hay, start)
            };
            out.push(SecretMatch {
                detector: det,
                secret: start..window.start + secret.end(),
                attributes,
                decoded,
                checksum_valid,
                placeholder_name,
            });
        }
    }
}

/// Move `pos` back to the start of its line if that is near; windows then begin at a line start,
/// so `^` anchors and word boundaries behave as over the whole file.
fn snap_back(hay: &[u8], pos: usize) -> usize {
    let floor = pos.saturating_sub(SNAP);
    match memchr::memrchr(b'\n', &hay[floor..pos]) {
        Some(i) => floor + i + 1,
        None if floor == 0 => 0,
        None => pos,
    }
}

fn snap_forward(hay: &[u8], pos: usize) -> usize {
    let ceil = (pos + SNAP).min(hay.len());
    match memchr::memchr(b'\n', &hay[pos..ceil]) {
        Some(i) => pos + i,
        None if ceil == hay.len() => ceil,
        None => pos,
    }
}

/// Keep one match per secret span. A specific detector wins over a generic one that overlaps it;
/// of two detectors on the same span, a verified checksum wins, then a provider's own detector
/// over a file-format one (`.netrc`, `.npmrc`…), then the more confident, then the first.
///
/// Kept spans are indexed by start, and no span is longer than the longest match, so a match
/// only looks at kept spans that begin within that length before it: n log n in matches, where
/// comparing each with every kept one was quadratic on a minified file with 100 000 matches.
fn resolve_overlaps(set: &DetectorSet, mut found: Vec<SecretMatch>) -> Vec<SecretMatch> {
    found.sort_by_key(|m| set.rank(m.detector, m.checksum_valid));
    let max_len = found.iter().map(|m| m.secret.len()).max().unwrap_or(0);
    let mut kept_ends: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut kept: Vec<SecretMatch> = Vec::with_capacity(found.len());
    for m in found {
        let generic = set.detectors[m.detector].generic;
        let (start, end) = (m.secret.start, m.secret.end);
        let clash = if generic {
            kept_ends
                .range(start.saturating_sub(max_len)..end)
                .any(|(_, ends)| {
                    count_comparisons(ends.len());
                    ends.iter().any(|&e| e > start)
                })
        } else {
            kept_ends.get(&start).is_some_and(|ends| {
                count_comparisons(ends.len());
                ends.contains(&end)
            })
        };
        if !clash {
            kept_ends.entry(start).or_default().push(end);
            kept.push(m);
        }
    }
    kept.sort_by_key(|m| (m.secret.start, m.detector));
    kept
}

/// Vetoed spans merged into disjoint, sorted ranges: an overlap test is one binary search.
struct Disjoint(Vec<Range<usize>>);

impl Disjoint {
    fn new(mut spans: Vec<Range<usize>>) -> Disjoint {
        spans.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
        for r in spans {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        Disjoint(merged)
    }

    fn overlaps(&self, r: &Range<usize>) -> bool {
        let i = self.0.partition_point(|v| v.end <= r.start);
        self.0.get(i).is_some_and(|v| v.start < r.end)
    }
}

#[cfg(test)]
thread_local! {
    /// Kept spans compared by [`resolve_overlaps`] on this thread, for the test that holds it
    /// to n log n.
    static COMPARISONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
fn count_comparisons(n: usize) {
    COMPARISONS.with(|c| c.set(c.get() + n));
}

#[cfg(not(test))]
fn count_comparisons(_: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(detector: usize, at: usize, len: usize) -> SecretMatch {
        SecretMatch {
            detector,
            secret: at..at + len,
            attributes: BTreeMap::new(),
            decoded: None,
            checksum_valid: false,
            placeholder_name: None,
        }
    }

    #[test]
    fn overlap_resolution_compares_a_bounded_number_of_spans() {
        let files = crate::rules::RuleFiles::load(&[] as &[&str], true).unwrap();
        let set = crate::rules::compile_detectors(&files).expect("built-in detectors compile");
        let specific = set.detectors.iter().position(|d| !d.generic).unwrap();
        let generic = set.detectors.iter().position(|d| d.generic).unwrap();
        let n = 100_000;
        // Every secret of a one-line minified file, found by a specific and a generic detector.
        let mut found = Vec::with_capacity(2 * n);
        for i in 0..n {
            found.push(m(specific, i * 50, 40));
            found.push(m(generic, i * 50, 40));
        }
        COMPARISONS.with(|c| c.set(0));
        let kept = resolve_overlaps(&set, found);
        let compared = COMPARISONS.with(|c| c.get());
        assert_eq!(kept.len(), n, "the generic duplicate of each is dropped");
        assert!(kept.iter().all(|k| k.detector == specific));
        // Quadratic resolution compares 10^10 times; this one about twice per match.
        assert!(
            compared <= 4 * 2 * n,
            "{compared} comparisons for {} matches",
            2 * n
        );
    }

    #[test]
    fn vetoed_spans_are_found_by_binary_search() {
        let v = Disjoint::new(vec![30..40, 0..10, 5..12]);
        assert_eq!(v.0, vec![0..12, 30..40]);
        assert!(v.overlaps(&(11..20)));
        assert!(!v.overlaps(&(12..30)));
        assert!(v.overlaps(&(25..31)));
        assert!(!v.overlaps(&(40..50)));
    }
}

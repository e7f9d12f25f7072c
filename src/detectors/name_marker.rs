//! Names that mark a value as not real: the key, variable or property a value is assigned to says
//! it is an example, a test double or a fixture (`FAKE_TOKEN = "ghp_…"`, `test_password: …`).
//! The words are rule data (`rules/secrets/_placeholders.yaml`); a value under such a name is
//! reported at low confidence, hidden by default, unless a provider checksum says it is real.

use super::spec::NameMarkerSpec;
use std::collections::HashSet;

/// How far before a value its name is looked for (same line only).
const NAME_REACH: usize = 128;

#[derive(Debug, Clone, Default)]
pub struct NameMarkers {
    first: HashSet<String>,
    last: HashSet<String>,
}

impl NameMarkers {
    /// Every file's words together, lowercased.
    pub fn from_specs<'a>(specs: impl IntoIterator<Item = &'a NameMarkerSpec>) -> NameMarkers {
        let mut m = NameMarkers::default();
        for s in specs {
            m.first
                .extend(s.first_words.iter().map(|w| w.to_ascii_lowercase()));
            m.last
                .extend(s.last_words.iter().map(|w| w.to_ascii_lowercase()));
        }
        m
    }

    /// The name the value at `at` is assigned to, when that name marks it as not real.
    pub fn marked_name(&self, hay: &[u8], at: usize) -> Option<String> {
        if self.first.is_empty() && self.last.is_empty() {
            return None;
        }
        let name = name_before(hay, at)?;
        let words = words(name);
        let hit = words.first().is_some_and(|w| self.first.contains(w))
            || words.last().is_some_and(|w| self.last.contains(w));
        hit.then(|| String::from_utf8_lossy(name).into_owned())
    }
}

/// Between a name and its value: spaces, quotes, brackets, assignment and list punctuation.
fn is_separator(b: u8) -> bool {
    b" \t\"'`=:,()[]{}<>".contains(&b)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_-.".contains(&b)
}

/// The identifier just before `at` on its line, skipping the punctuation between it and the value.
fn name_before(hay: &[u8], at: usize) -> Option<&[u8]> {
    let floor = at.saturating_sub(NAME_REACH);
    let mut i = at;
    while i > floor && is_separator(hay[i - 1]) {
        i -= 1;
    }
    let end = i;
    while i > floor && is_name_byte(hay[i - 1]) {
        i -= 1;
    }
    (i < end).then(|| &hay[i..end])
}

/// A name's words, lowercased: split at `_`, `-`, `.` and where a lowercase letter or digit is
/// followed by an uppercase one (`mockApiKey` → mock, api, key).
fn words(name: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for &b in name {
        if b"_-.".contains(&b) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        cur.push(b.to_ascii_lowercase() as char);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether `line` (`name = value`, the form of the rule file's examples) is marked: the value is
/// the line's last token.
pub fn example_is_marked(markers: &NameMarkers, line: &str) -> bool {
    let value = line.trim_end_matches(|c: char| c.is_whitespace() || "\"';".contains(c));
    let at = value
        .rfind(|c: char| c.is_whitespace() || "\"'=:".contains(c))
        .map_or(0, |i| i + 1);
    markers.marked_name(line.as_bytes(), at).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_separators_and_case() {
        assert_eq!(words(b"mockApiKey"), ["mock", "api", "key"]);
        assert_eq!(words(b"FAKE_GITHUB_TOKEN"), ["fake", "github", "token"]);
        assert_eq!(
            words(b"spring.test-password"),
            ["spring", "test", "password"]
        );
    }

    #[test]
    fn the_shipped_examples_hold() {
        let files = crate::rules::RuleFiles::load(&[] as &[&str], true).unwrap();
        let spec = crate::rules::name_marker_specs(&files).unwrap();
        assert!(!spec.is_empty(), "_placeholders.yaml is built in");
        let m = NameMarkers::from_specs(&spec);
        for s in &spec {
            assert!(!s.examples.is_empty() && !s.negative_examples.is_empty());
            for e in &s.examples {
                assert!(example_is_marked(&m, e), "{e}");
            }
            for e in &s.negative_examples {
                assert!(!example_is_marked(&m, e), "{e}");
            }
        }
    }
}

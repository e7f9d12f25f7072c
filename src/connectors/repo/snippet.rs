//! The snippet shown beside a found secret: the line around it with **every** secret on it hidden.
//!
//! A line often holds more than one credential (an AWS key id and its secret key in one
//! `boto3.client(…)` call, a `credentials.csv` row, `key=… secret=…`). Hiding only the finding's
//! own match would print its neighbour in clear, so the snippet hides every match of every
//! detector on the line, and then any remaining token that looks random (a secret no detector
//! knows). Over-hiding an identifier in a snippet costs a little readability; under-hiding leaks.

use crate::detectors::shannon;
use crate::inventory::sanitize_line;
use std::ops::Range;

/// Characters of context kept either side of the secret.
const CONTEXT: usize = 60;
/// How far a token cut by the context window is followed to judge it whole.
const TOKEN_REACH: usize = 256;
/// Longest snippet kept, in characters.
const SNIPPET_MAX: usize = 200;

/// Every secret span of one file (sorted by start) and the longest of them, so the spans near a
/// place are found by binary search instead of a scan (a one-line file may hold 100 000).
pub struct Spans<'a> {
    spans: &'a [Range<usize>],
    max_len: usize,
}

impl<'a> Spans<'a> {
    pub fn new(spans: &'a [Range<usize>]) -> Spans<'a> {
        debug_assert!(spans.windows(2).all(|w| w[0].start <= w[1].start));
        let max_len = spans.iter().map(|s| s.len()).max().unwrap_or(0);
        Spans { spans, max_len }
    }

    /// Spans intersecting `r`, in start order.
    fn within(&self, r: Range<usize>) -> impl Iterator<Item = &'a Range<usize>> {
        let max_len = self.max_len;
        let lo = self.spans.partition_point(|s| s.start + max_len <= r.start);
        let hi = self.spans.partition_point(|s| s.start < r.end);
        self.spans[lo..hi.max(lo)]
            .iter()
            .filter(move |s| s.end > r.start && s.start < r.end)
    }
}

/// The snippet for the secret at `own` (absolute offsets in `buf`) on the line `line`, with the
/// secret shown as `own_redacted`, every other span shown as its length only, and random-looking
/// tokens between them hidden the same way.
pub fn render(
    buf: &[u8],
    line: Range<usize>,
    own: Range<usize>,
    own_redacted: &str,
    spans: &Spans<'_>,
) -> String {
    let mut from = own.start.saturating_sub(CONTEXT).max(line.start);
    let mut to = (own.end + CONTEXT).min(line.end);
    // Hidden regions: every span touching the window (merged where they overlap), each widened
    // window-wards so no part of a neighbour's secret is shown beside its hidden form.
    let mut regions: Vec<Range<usize>> = Vec::new();
    for s in spans.within(from..to).chain(std::iter::once(&own)) {
        let s = s.start.max(line.start)..s.end.min(line.end);
        match regions
            .iter_mut()
            .find(|r| r.start < s.end && s.start < r.end)
        {
            Some(r) => *r = r.start.min(s.start)..r.end.max(s.end),
            None => regions.push(s),
        }
    }
    regions.sort_by_key(|r| r.start);
    // Merging can make two regions touch again: merge once more in order.
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(regions.len());
    for r in regions {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    if let Some(first) = merged.first() {
        from = from.min(first.start);
    }
    if let Some(last) = merged.last() {
        to = to.max(last.end);
    }
    let mut out = String::new();
    if from > line.start {
        out.push('…');
    }
    let mut at = from;
    let mut reach_back = true;
    for r in &merged {
        out.push_str(&clear_text(
            buf,
            line.clone(),
            at..r.start,
            reach_back,
            false,
        ));
        reach_back = false;
        if r.start <= own.start && own.start < r.end {
            out.push_str(own_redacted);
        } else {
            out.push_str(&hidden(r.len()));
        }
        at = r.end;
    }
    out.push_str(&clear_text(buf, line.clone(), at..to, reach_back, true));
    let mut s = out.trim().to_string();
    if to < line.end {
        s.push('…');
    }
    sanitize_line(&s, SNIPPET_MAX)
}

fn hidden(len: usize) -> String {
    format!("…[{len} chars]")
}

/// Text between hidden regions, with every random-looking token replaced by its length. Tokens
/// are judged whole, even where the window cuts them (followed up to [`TOKEN_REACH`] bytes; a
/// longer unbroken run is hidden); `reach_back`/`reach_forward` say which ends of `part` are the
/// window's (a hidden region's edge ends a token: `@host` after a password is not part of it).
fn clear_text(
    buf: &[u8],
    line: Range<usize>,
    part: Range<usize>,
    reach_back: bool,
    reach_forward: bool,
) -> String {
    if part.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut i = part.start;
    while i < part.end {
        if is_delimiter(buf[i]) {
            let j = (i..part.end)
                .find(|&j| !is_delimiter(buf[j]))
                .unwrap_or(part.end);
            out.push_str(&String::from_utf8_lossy(&buf[i..j]));
            i = j;
            continue;
        }
        let shown_end = (i..part.end)
            .find(|&j| is_delimiter(buf[j]))
            .unwrap_or(part.end);
        // The whole token, beyond the part where it was cut.
        let mut tok_start = i;
        let floor = if i == part.start && !reach_back {
            i
        } else {
            i.saturating_sub(TOKEN_REACH).max(line.start)
        };
        while tok_start > floor && !is_delimiter(buf[tok_start - 1]) {
            tok_start -= 1;
        }
        let mut tok_end = shown_end;
        let ceil = if shown_end == part.end && !reach_forward {
            shown_end
        } else {
            (shown_end + TOKEN_REACH).min(line.end)
        };
        while tok_end < ceil && !is_delimiter(buf[tok_end]) {
            tok_end += 1;
        }
        let unbounded = (tok_start == floor
            && floor > line.start
            && floor + TOKEN_REACH <= i
            && !is_delimiter(buf[floor - 1]))
            || (tok_end == ceil
                && ceil < line.end
                && ceil >= shown_end + TOKEN_REACH
                && !is_delimiter(buf[ceil]));
        if unbounded || looks_random(&buf[tok_start..tok_end]) {
            out.push_str(&hidden(shown_end - i));
        } else {
            out.push_str(&String::from_utf8_lossy(&buf[i..shown_end]));
        }
        i = shown_end;
    }
    out
}

/// What separates tokens in code and config: whitespace, quotes, brackets, assignment and list
/// punctuation. Everything else (including `/+.-_~!@#$%^*`) can be part of a secret.
fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"\"'`,;=()[]{}<>:".contains(&b)
}

/// A token that could be a secret no detector knows: long, letters mixed with digits and
/// dense in information, or long, mixed-case and near-uniformly random. Words, identifiers,
/// paths and host names fall short of both.
pub fn looks_random(tok: &[u8]) -> bool {
    let digits = tok.iter().filter(|b| b.is_ascii_digit()).count();
    let upper = tok.iter().filter(|b| b.is_ascii_uppercase()).count();
    let lower = tok.iter().filter(|b| b.is_ascii_lowercase()).count();
    let h = shannon(tok);
    (tok.len() >= 16 && digits >= 2 && upper + lower >= 2 && h >= 3.0)
        || (tok.len() >= 24 && upper >= 2 && lower >= 2 && h >= 4.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snip(line: &str, secret: &str) -> String {
        let at = line.find(secret).unwrap();
        let own = at..at + secret.len();
        render(
            line.as_bytes(),
            0..line.len(),
            own,
            "<own>",
            &Spans::new(&[]),
        )
    }

    #[test]
    fn a_neighbouring_random_token_is_hidden() {
        let line = r#"key=AKIA4HDMRJ2N7QWERTYU secret=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"#;
        let s = snip(line, "AKIA4HDMRJ2N7QWERTYU");
        assert!(!s.contains("9fQ2"), "{s}");
        assert!(s.contains("key=<own> secret=…[40 chars]"), "{s}");
    }

    #[test]
    fn other_spans_are_hidden_whole_even_when_cut_by_the_window() {
        let a = "A".repeat(10);
        let long = "Zq".repeat(60);
        let line = format!("x={a} y={long} tail");
        let own_at = 2;
        let other_at = line.find(&long).unwrap();
        let spans = [own_at..own_at + 10, other_at..other_at + long.len()];
        let s = render(
            line.as_bytes(),
            0..line.len(),
            own_at..own_at + 10,
            "<own>",
            &Spans::new(&spans),
        );
        assert!(!s.contains("ZqZq"), "{s}");
        assert!(s.contains("…[120 chars]"), "{s}");
    }

    #[test]
    fn words_and_identifiers_stay_readable() {
        for t in [
            "aws_secret_access_key",
            "boto3.client",
            "s3.amazonaws.com",
            "getSecretAccessKey",
        ] {
            assert!(!looks_random(t.as_bytes()), "{t}");
        }
        for t in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYz8Qk2LmNpT",
            "Zx9#kQ2!vL7@pR4$wT1m",
        ] {
            assert!(looks_random(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn a_host_after_a_hidden_password_stays_readable() {
        let line = r#"DATABASE_URL = "postgres://billing:Xk29fLw0qPz8@db.internal:5432/billing""#;
        let s = snip(line, "Xk29fLw0qPz8");
        assert_eq!(
            s,
            r#"DATABASE_URL = "postgres://billing:<own>@db.internal:5432/billing""#
        );
    }
}

//! Logging on stderr that never prints a credential. At `-vv`/`-vvv` the SDKs' HTTP layers log
//! requests and responses with their headers: SigV4 `Authorization` and `x-amz-security-token`
//! (AWS), `Authorization: Bearer …` (Kubernetes, GitHub), cookies, and STS answers carrying a
//! `SecretAccessKey` and `SessionToken`. Rather than trust each crate to mark such values
//! sensitive, every formatted line passes through [`redact`] on its way to stderr:
//!
//! - the value after a credential header or field name (`authorization`, `x-amz-security-token`,
//!   `SessionToken`, …), whether printed as `name: value`, `"name": "value"`,
//!   `"name": HeaderValue { … H0("value") }` or `<Name>value</Name>`;
//! - `Bearer …`/`token …` schemes and SigV4 `Credential=`/`Signature=` parts anywhere;
//! - the exact values of credential-looking environment variables of this process
//!   (`*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*_KEY`), wherever they appear.
//!
//! It depends on no connector feature: every build logs through it.

use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::OnceLock;

const MASK: &str = "[REDACTED]";

/// Header and field names whose value is a credential (lower-case).
const NAMES: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-amz-security-token",
    "x-amz-credential",
    "x-amz-signature",
    "sessiontoken",
    "session_token",
    "secretaccesskey",
    "secret_access_key",
    "aws_secret_access_key",
    "aws_session_token",
    "cookie",
    "set-cookie",
    "x-api-key",
    "private-token",
    "client-key-data",
    "token",
    "access_token",
    "refresh_token",
    "password",
    "client_secret",
];

/// Schemes or parameters followed by a credential (lower-case).
const PREFIXES: &[&str] = &["bearer ", "basic ", "credential=", "signature="];

/// Set up the global subscriber: `filter` as given, lines redacted, on stderr.
pub fn init(filter: tracing_subscriber::EnvFilter) {
    let _ = known_secrets();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| RedactingWriter::new(io::stderr()))
        // Plain text: colour codes between a field name and its value would hide the pair.
        .with_ansi(false)
        .with_target(false)
        .without_time()
        .init();
}

/// Buffers one event and writes it redacted when dropped (the fmt layer makes one writer per
/// event), so a value split across `write` calls is still caught.
pub struct RedactingWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    pub fn new(inner: W) -> Self {
        RedactingWriter {
            inner,
            buf: Vec::new(),
        }
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.buf);
        let out = redact(&text).into_owned();
        self.buf.clear();
        self.inner.write_all(out.as_bytes())?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Values of this process's credential-looking environment variables, longest first, at least
/// 8 characters (shorter ones would mask ordinary words).
fn known_secrets() -> &'static [String] {
    static SECRETS: OnceLock<Vec<String>> = OnceLock::new();
    SECRETS.get_or_init(|| {
        let mut v: Vec<String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| {
                let k = k.to_ascii_uppercase();
                k.contains("TOKEN")
                    || k.contains("SECRET")
                    || k.contains("PASSWORD")
                    || k.ends_with("_KEY")
            })
            .map(|(_, v)| v)
            .filter(|v| v.len() >= 8)
            .collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        v.dedup();
        v
    })
}

/// `line` with every credential value replaced by `[REDACTED]`.
pub fn redact(line: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(line);
    for s in known_secrets() {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), MASK));
        }
    }
    let lower = out.to_ascii_lowercase();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for name in NAMES {
        for (at, _) in lower.match_indices(name) {
            if !boundary_before(&lower, at) || !boundary_after(&lower, at + name.len()) {
                continue;
            }
            if let Some(span) = value_after(&out, at + name.len()) {
                spans.push(span);
            }
        }
    }
    for p in PREFIXES {
        for (at, _) in lower.match_indices(p) {
            if !boundary_before(&lower, at) {
                continue;
            }
            let start = at + p.len();
            let end = start + token_len(&out[start..]);
            if end > start {
                spans.push((start, end));
            }
        }
    }
    if spans.is_empty() {
        return out;
    }
    spans.sort();
    let mut s = String::with_capacity(out.len());
    let mut pos = 0;
    for (a, b) in spans {
        if b <= pos {
            continue;
        }
        let a = a.max(pos);
        s.push_str(&out[pos..a]);
        s.push_str(MASK);
        pos = b;
    }
    s.push_str(&out[pos..]);
    Cow::Owned(s)
}

fn boundary_before(s: &str, at: usize) -> bool {
    at == 0 || !s.as_bytes()[at - 1].is_ascii_alphanumeric() && s.as_bytes()[at - 1] != b'-'
}

fn boundary_after(s: &str, at: usize) -> bool {
    s.as_bytes()
        .get(at)
        .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'-' && *b != b'_')
}

/// The value following a name at `at`: after `"`, `:`, `=`, `>` and blanks; quoted (up to the
/// closing quote, through a `HeaderValue { _private: H0("…") }` wrapper) or a bare token.
fn value_after(s: &str, at: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut i = at;
    // The separator: optional closing quote, then `:`, `=` or `>` (XML).
    while i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        i += 1;
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if i >= b.len() || !matches!(b[i], b':' | b'=' | b'>') {
        return None;
    }
    i += 1;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    // A debug wrapper before the quoted value: `HeaderValue { _private: H0("…") }`, `Some("…")`.
    let rest = &s[i..];
    let window = &rest[..rest.len().min(40)];
    if let Some(q) = window.find('"')
        && window[..q]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"{}():_ ".contains(&c))
    {
        let start = i + q + 1;
        let mut j = start;
        while j < b.len() && b[j] != b'"' {
            if b[j] == b'\\' {
                j += 1;
            }
            j += 1;
        }
        return Some((start, j.min(b.len())));
    }
    if b.get(i) == Some(&b'\'') {
        let start = i + 1;
        let end = s[start..].find('\'').map_or(s.len(), |e| start + e);
        return Some((start, end));
    }
    // Unquoted: a SigV4 header runs to the end of the line; otherwise one token.
    let lower = rest.to_ascii_lowercase();
    if lower.starts_with("aws4-") || lower.starts_with("bearer ") || lower.starts_with("basic ") {
        let end = rest.find(['\n', '"']).map_or(s.len(), |e| i + e);
        return Some((i, end));
    }
    let n = token_len(rest);
    (n > 0).then_some((i, i + n))
}

/// A bare credential: up to a blank, quote, comma, `&`, `<` or closing bracket.
fn token_len(s: &str) -> usize {
    s.find(|c: char| c.is_whitespace() || "\"',&<)}]".contains(c))
        .unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_every_shape_the_sdks_print() {
        let token = "IQoJb3JpZ2luX2VjEXAMPLETOKENxyz";
        let cases = [
            format!(
                r#"headers: {{"x-amz-security-token": HeaderValue {{ _private: H0("{token}") }}, "host": "iam"}}"#
            ),
            format!("x-amz-security-token: {token}\r\n"),
            format!(r#"{{"X-Amz-Security-Token":"{token}"}}"#),
            format!("Action=X&X-Amz-Security-Token={token}&Version=2010-05-08"),
            format!(
                "<SessionToken>{token}</SessionToken><SecretAccessKey>{token}</SecretAccessKey>"
            ),
            format!("authorization: Bearer {token}"),
            format!(r#""authorization": "token {token}""#),
        ];
        for c in &cases {
            let r = redact(c);
            assert!(!r.contains(token), "{c} -> {r}");
            assert!(r.contains(MASK), "{r}");
        }
        let sig = "authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";
        let r = redact(sig);
        assert!(
            !r.contains("AKIAIOSFODNN7EXAMPLE") && !r.contains("fe5f80f77d5fa3beca"),
            "{r}"
        );
        assert_eq!(r, "authorization: [REDACTED]");
    }

    #[test]
    fn ordinary_lines_are_untouched() {
        for l in [
            "aws: read 1.2ms, mapped 11 identities in 3ms",
            "GET /api/v1/namespaces?limit=500 200 OK",
            "tokenizer ready; passwords_checked=3",
            "rule aws.github-oidc-unpinned matched",
        ] {
            assert_eq!(redact(l), l);
        }
    }

    #[test]
    fn the_writer_redacts_whole_events_split_across_writes() {
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter::new(&mut out);
            w.write_all(b"x-amz-security-token: ABCDEF").unwrap();
            w.write_all(b"GHIJKL\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "x-amz-security-token: [REDACTED]\n"
        );
    }
}

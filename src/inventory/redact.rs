//! Redaction and sanitising of anything taken from scanned content before a report or a terminal
//! sees it: secrets keep a short recognisable prefix only, and control characters are escaped so a
//! scanned file cannot drive the user's terminal.

/// Keep a prefix short enough to be useless to an attacker but enough to recognise the format:
/// at most 4 characters, or up to the end of a vendor prefix like `ghp_` / `sk-proj-` (at most 8),
/// and never more than a quarter of the secret.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    // A PEM block's header line names the key type and is not secret.
    if secret.starts_with("-----BEGIN ")
        && let Some(end) = secret[5..].find("-----")
    {
        let header = &secret[..end + 10];
        return format!("{}…[{} chars]", sanitize_line(header, 60), chars.len());
    }
    if chars.len() < 12 {
        return format!("…[{} chars]", chars.len());
    }
    let quarter = chars.len() / 4;
    let vendor_prefix = chars
        .iter()
        .take(9)
        .rposition(|c| *c == '_' || *c == '-')
        .map(|i| i + 1)
        .unwrap_or(0);
    let keep = vendor_prefix.clamp(4, 8).min(quarter);
    let shown: String = chars[..keep].iter().collect::<String>();
    format!("{}…[{} chars]", sanitize_line(&shown, 16), chars.len())
}

/// A low-entropy secret's preview: its length only. A prefix of a password is a quarter of a
/// guess; a prefix of a random token is nothing.
pub fn redact_length_only(secret: &str) -> String {
    format!("…[{} chars]", secret.chars().count())
}

/// Secrets a dictionary can find: whatever a password or generic assignment rule matched, and
/// any value that is short or dense in repeated characters. These get no prefix in previews and
/// a keyed hash instead of a plain SHA-256 (issue 18.5).
pub fn is_low_entropy(kind: &str, generic: bool, secret: &str) -> bool {
    kind == "password"
        || generic
        || secret.chars().count() < 20
        || crate::detectors::shannon(secret.as_bytes()) < 3.0
}

/// Escape control characters and cut to `max` characters, marking the cut.
/// Characters a terminal, spreadsheet or editor acts on instead of showing: C0/C1 controls (ANSI
/// escape sequences start with one) and the bidirectional overrides that reorder what is shown
/// ("Trojan Source"). Every text report shows them escaped (`\u{1b}`).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

pub fn sanitize_line(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max + 8));
    for (n, c) in s.chars().enumerate() {
        if n >= max {
            out.push('…');
            break;
        }
        match c {
            '\t' => out.push(' '),
            c if is_unsafe_char(c) => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_vendor_prefix_only() {
        let r = redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        assert!(r.starts_with("ghp_…"), "{r}");
        assert!(!r.contains("abcd"));
    }

    #[test]
    fn short_secrets_show_almost_nothing() {
        assert_eq!(redact("hunter2"), "…[7 chars]");
        assert_eq!(redact("s3cr3tpassw0rd!!"), "s3cr…[16 chars]");
        assert_eq!(
            redact("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB…\n-----END EC PRIVATE KEY-----"),
            "-----BEGIN EC PRIVATE KEY-----…[71 chars]"
        );
    }

    #[test]
    fn passwords_and_short_values_are_low_entropy() {
        assert!(is_low_entropy("password", false, "Zx9#kQ2!vL7@pR4$wT1mAb"));
        assert!(is_low_entropy("api_key", true, "Zx9#kQ2!vL7@pR4$wT1mAb"));
        assert!(is_low_entropy("token", false, "short-token-1"));
        assert!(!is_low_entropy(
            "secret_key",
            false,
            "Tq8mVz2LkR7wYp4NcX9bHs3JdF6gAe1UoWiK5nQr"
        ));
        assert_eq!(redact_length_only("hunter2hunter2"), "…[14 chars]");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(sanitize_line("a\x1b[31mb", 50), "a\\u{1b}[31mb");
    }
}

//! The global placeholder filter: values that have the shape of a secret but are documentation,
//! templates or variable references. Applied to every detector's `secret` so no rule has to
//! repeat it; rule-specific placeholders go in the rule's `ignore_values`.

/// Substrings (matched case-insensitively) that mark a value as a placeholder.
const MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "****",
    "....",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yourpass",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "dummy",
    "redacted",
    "sample",
    "insert_",
    "replace_me",
    "replaceme",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "%(",
    "$(",
    "os.environ",
    "os.getenv",
    "process.env",
    "getenv(",
];

/// True when `secret` is a template, a variable reference or a documentation filler.
pub fn is_placeholder(secret: &[u8]) -> bool {
    if secret.is_empty() {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    if MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
    {
        return true;
    }
    // `$NAME` or `@NAME@`-style references.
    if secret[0] == b'$'
        && secret.len() > 1
        && (secret[1].is_ascii_alphabetic() || secret[1] == b'_')
    {
        return true;
    }
    // One repeated character (`aaaaaaaa`, `00000000`).
    secret.iter().all(|&b| b == secret[0])
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn recognises_templates_and_fillers() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "${DB_PASSWORD}",
            "{{ secrets.TOKEN }}",
            "<your-token>",
            "$API_KEY",
            "xxxxxxxxxxxxxxxx",
            "00000000",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!is_placeholder(b"ghp_R8xk2LmQ9vTz4"));
    }
}

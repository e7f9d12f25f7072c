//! Parse errors told without the text that failed to parse.
//!
//! A file that does not parse may still hold secrets (a Kubernetes Secret's `stringData`, an
//! allow-listed value, an export's access key). Parser messages quote what they met and some
//! (YAML) draw the source lines around it, and notes reach every report format and the CI
//! summary. So a note says where (line and column) and what kind of problem, with every quoted
//! value blanked and no source line.

/// Longest problem description kept: a parser message is one line; anything longer is noise.
const MAX: usize = 160;

/// `line L column C: <problem>` for a YAML error (serde-saphyr), without its source snippet.
pub fn yaml(e: &serde_saphyr::Error) -> String {
    let inner = e.without_snippet();
    let at = inner
        .location()
        .map(|l| format!("line {} column {}: ", l.line(), l.column()))
        .unwrap_or_default();
    format!("{at}{}", problem(&inner.to_string()))
}

/// `line L column C: <problem>` for a JSON error.
pub fn json(e: &serde_json::Error) -> String {
    // serde_json appends " at line L column C" itself; say it once, first.
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    if e.line() == 0 {
        return problem(message);
    }
    format!(
        "line {} column {}: {}",
        e.line(),
        e.column(),
        problem(message)
    )
}

/// The first line of a parser's message with every quoted value blanked (`invalid type: string
/// "…"`, ``unknown variant `…` ``), cut to a sentence's length: what was wrong, never what the
/// file holds there. Names a parser quotes from the schema stay: a key after `field` (`unknown
/// field `histroy``) and the accepted names after `expected`, so a typo can still be found.
pub fn problem(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let mut out = String::with_capacity(first.len().min(MAX + 4));
    let mut open: Option<(char, bool)> = None;
    for c in first.chars() {
        match open {
            Some((q, _)) if c == q => {
                open = None;
                out.push(c);
            }
            Some((_, keep)) => {
                if keep {
                    out.push(c);
                }
            }
            None if c == '"' || c == '`' => {
                let keep = c == '`' && (out.ends_with("field ") || out.contains("expected"));
                open = Some((c, keep));
                out.push(c);
                if !keep {
                    out.push('…');
                }
            }
            None => out.push(c),
        }
        if out.chars().count() >= MAX {
            out.push('…');
            break;
        }
    }
    out
}

/// 1-based line and column of byte `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..at.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "hunter2-sk_live_51Habc";

    #[test]
    fn quoted_values_and_following_lines_are_dropped() {
        assert_eq!(
            problem(r#"invalid type: string "sk_live_abc", expected a sequence"#),
            r#"invalid type: string "…", expected a sequence"#
        );
        assert_eq!(
            problem("unknown variant `hunter2`, expected `a`\n  3 | password: hunter2"),
            "unknown variant `…`, expected `a`"
        );
        assert_eq!(
            problem("unknown field `histroy`, expected one of `history`, `since`"),
            "unknown field `histroy`, expected one of `history`, `since`"
        );
        // A value is blanked even where the schema's words are kept.
        assert_eq!(
            problem(r#"expected a sequence, found "sk_live_abc""#),
            r#"expected a sequence, found "…""#
        );
        assert_eq!(line_col("a\nbc\nd", 4), (2, 3));
    }

    #[test]
    fn yaml_errors_keep_the_place_not_the_text() {
        let doc = format!("kind: Secret\nstringData:\n  password: {SECRET}\n   bad: [\n");
        let e = serde_saphyr::from_str::<serde_json::Value>(&doc).unwrap_err();
        assert!(e.to_string().contains(SECRET) || !e.to_string().is_empty());
        let note = yaml(&e);
        assert!(!note.contains(SECRET), "{note}");
        assert!(!note.contains("password"), "{note}");
        assert!(note.starts_with("line "), "{note}");
    }

    #[test]
    fn json_errors_keep_the_place_not_the_text() {
        let doc = format!("{{\"UserDetailList\": \"{SECRET}\"}}");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct D {
            #[serde(rename = "UserDetailList")]
            users: Vec<u8>,
        }
        let e = serde_json::from_str::<D>(&doc).unwrap_err();
        assert!(e.to_string().contains(SECRET));
        let note = json(&e);
        assert!(!note.contains(SECRET), "{note}");
        assert!(note.starts_with("line 1 column"), "{note}");
    }
}

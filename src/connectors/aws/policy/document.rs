//! Policy documents in every shape IAM and its tools produce them: a JSON object (the CLI decodes
//! documents), a URL-encoded string (the raw API), or raw JSON text (moto, some exports);
//! `Statement` as one object or a list; `Action`, `Resource` and their `Not…` forms as a string
//! or a list. Parsing happens once per document; evaluation works on [`Statement`]s.

use serde_json::Value;
use std::borrow::Cow;

/// Which actions (or resources) a statement names: a list, or everything but a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Names {
    Only(Vec<String>),
    Not(Vec<String>),
    /// Neither key present (normal for trust policies' `Resource`).
    Absent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, else `#<index>` (1-based), for evidence.
    pub label: String,
    pub allow: bool,
    /// Lower-cased patterns.
    pub actions: Names,
    /// Patterns as written (ARNs are case-sensitive).
    pub resources: Names,
    /// `Principal` / `NotPrincipal` (trust policies), as written.
    pub principal: Option<Value>,
    pub not_principal: bool,
    /// `Condition` block, when present and non-empty.
    pub condition: Option<Value>,
}

/// One parsed policy with a label saying where it came from (`inline:<name>`, a managed policy
/// ARN, `group:<g>/inline:<name>`…).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedPolicy {
    pub label: String,
    pub statements: Vec<Statement>,
    /// This policy's verdict on every probe action of [`super::flags`], computed on first use:
    /// a managed policy attached to thousands of principals is evaluated once.
    pub(super) verdicts: std::sync::OnceLock<Vec<super::eval::Verdict>>,
}

/// Decode a document field into a JSON object (borrowed when it already is one).
pub fn decode_document(v: &Value) -> Result<Cow<'_, Value>, String> {
    match v {
        Value::Object(_) => Ok(Cow::Borrowed(v)),
        Value::String(s) => {
            let t = s.trim();
            let text = if t.starts_with('{') {
                Cow::Borrowed(t)
            } else {
                Cow::Owned(percent_decode(t)?)
            };
            serde_json::from_str(&text)
                .map(Cow::Owned)
                .map_err(|e| format!("policy document is not JSON: {e}"))
        }
        Value::Null => Err("policy document is missing".into()),
        other => Err(format!("policy document is a {}", kind_of(other))),
    }
}

/// Decode then parse. `Err` names what was wrong, for a coverage note.
pub fn parse_policy(label: impl Into<String>, v: &Value) -> Result<ParsedPolicy, String> {
    let label = label.into();
    let doc = decode_document(v)?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(obj @ Value::Object(_)) => vec![obj],
        Some(other) => return Err(format!("`Statement` is a {}", kind_of(other))),
        None => return Err("document has no `Statement`".into()),
    };
    let statements = statements
        .into_iter()
        .enumerate()
        .map(|(i, s)| parse_statement(i, s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ParsedPolicy {
        label,
        statements,
        verdicts: Default::default(),
    })
}

fn parse_statement(i: usize, s: &Value) -> Result<Statement, String> {
    let label = s
        .get("Sid")
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{}", i + 1));
    let allow = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        other => return Err(format!("statement {label}: Effect is {other:?}")),
    };
    let actions = names(s, "Action", "NotAction", true).map_err(|e| format!("{label}: {e}"))?;
    let resources =
        names(s, "Resource", "NotResource", false).map_err(|e| format!("{label}: {e}"))?;
    let (principal, not_principal) = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => (Some(p.clone()), false),
        (None, Some(p)) => (Some(p.clone()), true),
        _ => (None, false),
    };
    let condition = s
        .get("Condition")
        .filter(|c| c.as_object().is_some_and(|o| !o.is_empty()))
        .cloned();
    Ok(Statement {
        label,
        allow,
        actions,
        resources,
        principal,
        not_principal,
        condition,
    })
}

fn names(s: &Value, key: &str, not_key: &str, lower: bool) -> Result<Names, String> {
    let list = |v: &Value| -> Result<Vec<String>, String> {
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            one => vec![one],
        };
        items
            .into_iter()
            .map(|x| {
                x.as_str()
                    .map(|t| {
                        if lower {
                            t.to_ascii_lowercase()
                        } else {
                            t.to_string()
                        }
                    })
                    .ok_or_else(|| format!("`{key}` holds a {}", kind_of(x)))
            })
            .collect()
    };
    match (s.get(key), s.get(not_key)) {
        (Some(v), _) => Ok(Names::Only(list(v)?)),
        (None, Some(v)) => Ok(Names::Not(list(v)?)),
        (None, None) => Ok(Names::Absent),
    }
}

/// `%XX` escapes and `+` (form encoding of a space) decoded; invalid UTF-8 is an error. The crate
/// passes a malformed escape through as text; here it is an error naming it, since a document
/// with one was not URL-encoded by IAM and would only fail later as confusing JSON.
fn percent_decode(s: &str) -> Result<String, String> {
    for (i, _) in s.match_indices('%') {
        let hex = &s.as_bytes()[i + 1..s.len().min(i + 3)];
        if hex.len() < 2 {
            return Err(format!("truncated percent escape at byte {i}"));
        }
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            let hex = String::from_utf8_lossy(hex);
            return Err(format!("bad percent escape `%{hex}` at byte {i}"));
        }
    }
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| "decoded policy document is not UTF-8".into())
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn three_shapes_decode_to_the_same_document() {
        let obj = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}});
        let raw = Value::String(obj.to_string());
        let encoded = Value::String(
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%7D".into(),
        );
        for v in [&obj, &raw, &encoded] {
            assert_eq!(*decode_document(v).unwrap(), obj);
        }
        // Form encoding: `+` is a space, `%2B` a plus.
        let form = Value::String("%7B%22Sid%22+%3A+%22a%2Bb%22%7D".into());
        assert_eq!(*decode_document(&form).unwrap(), json!({"Sid": "a+b"}));
        let p = parse_policy("x", &encoded).unwrap();
        assert_eq!(p.statements.len(), 1);
        assert_eq!(
            p.statements[0].actions,
            Names::Only(vec!["s3:getobject".into()])
        );
        assert_eq!(p.statements[0].label, "#1");
    }

    #[test]
    fn not_action_lists_and_conditions() {
        let doc = json!({"Statement": [
            {"Sid": "All", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "NotResource": ["arn:aws:s3:::b"], "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Condition": {}}]});
        let p = parse_policy("x", &doc).unwrap();
        assert_eq!(p.statements[0].label, "All");
        assert!(matches!(p.statements[0].actions, Names::Not(ref v) if v.len() == 2));
        assert!(!p.statements[1].allow && p.statements[1].condition.is_some());
        assert!(matches!(p.statements[1].resources, Names::Not(_)));
        assert!(p.statements[2].condition.is_none());
        assert_eq!(p.statements[2].resources, Names::Absent);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(
            decode_document(&json!("%7Bbroken"))
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(decode_document(&json!("%ZZ")).unwrap_err().contains("%ZZ"));
        assert!(
            decode_document(&json!("%7"))
                .unwrap_err()
                .contains("truncated")
        );
        assert!(decode_document(&json!("%+1")).unwrap_err().contains("%+1"));
        assert!(
            decode_document(&json!("%é"))
                .unwrap_err()
                .contains("bad percent escape")
        );
        assert!(
            decode_document(&json!("%FF"))
                .unwrap_err()
                .contains("UTF-8")
        );
        assert!(
            parse_policy("x", &json!({"Statement": [{"Effect": "Maybe"}]}))
                .unwrap_err()
                .contains("Effect")
        );
        assert!(
            parse_policy("x", &json!({"Version": "1"}))
                .unwrap_err()
                .contains("Statement")
        );
    }
}

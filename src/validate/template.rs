//! `{{name}}` placeholders in a `validate:` block. Only names: no expressions, no filters, so a
//! rule cannot compute anything, only say where a value goes.

use std::collections::BTreeMap;

/// Every `{{name}}` in `text`, in order.
pub fn names(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("`{{{{` without `}}}}` in `{text}`"))?;
        let name = after[..end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`{{{{{name}}}}}` is not a variable name"));
        }
        out.push(name.to_string());
        rest = &after[end + 2..];
    }
    Ok(out)
}

/// `text` with each `{{name}}` replaced by `encode(value)`; `Err(name)` for the first variable
/// that has no value.
pub fn fill(
    text: &str,
    vars: &BTreeMap<String, String>,
    encode: impl Fn(&str) -> String,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = after[..end].trim();
        let value = vars.get(name).ok_or_else(|| name.to_string())?;
        out.push_str(&encode(value));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_names_and_reports_the_missing_one() {
        let vars = BTreeMap::from([("secret".to_string(), "a b".to_string())]);
        assert_eq!(
            fill("Bearer {{secret}}", &vars, str::to_string).unwrap(),
            "Bearer a b"
        );
        assert_eq!(
            fill("/x?key={{ secret }}", &vars, |v| v.replace(' ', "%20")).unwrap(),
            "/x?key=a%20b"
        );
        assert_eq!(
            fill("{{account_sid}}:{{secret}}", &vars, str::to_string).unwrap_err(),
            "account_sid"
        );
        assert_eq!(
            names("{{a}}-{{ b_2 }}").unwrap(),
            vec!["a".to_string(), "b_2".to_string()]
        );
        assert!(names("{{a.b}}").is_err());
        assert!(names("{{a").is_err());
    }
}

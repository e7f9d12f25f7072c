//! Posture rules (`rules/posture/*.yaml`): a CEL predicate over one identity, with the docs an
//! auditor needs (title, severity, remediation, references) living beside it and reused by
//! `rules explain`, the reports and SARIF help.

use crate::inventory::{Identity, Severity};
use anyhow::{Result, anyhow};
use cel::{Env, Program};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostureFile {
    pub rules: Vec<PostureSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostureSpec {
    pub id: Spanned<String>,
    pub title: String,
    pub severity: Severity,
    pub applies_to: Vec<String>,
    pub when: Spanned<String>,
    pub message: String,
    pub remediation: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, rename = "match")]
    pub matching: Vec<Identity>,
    #[serde(default)]
    pub no_match: Vec<Identity>,
}

/// A compiled posture rule.
#[derive(Debug)]
pub struct PostureRule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub applies_to: Vec<String>,
    pub when: String,
    pub message: String,
    pub remediation: String,
    pub description: Option<String>,
    pub references: Vec<String>,
    pub examples: Examples,
    /// `file:line` where the rule is defined.
    pub origin: String,
    /// Identity fields the predicate reads, up to two levels (`identity.last_used_at`,
    /// `identity.permissions.flags`): these, and only these, become the finding's evidence.
    pub reads: Vec<String>,
    /// `X` when the predicate is `identity.source == "X" && …` at its top level: a necessary
    /// condition the engine checks without running CEL, since most rules judge one source.
    pub source_gate: Option<String>,
    pub(super) program: Program,
}

impl PostureRule {
    pub fn compile(file: &str, spec: PostureSpec, env: &Arc<Env>) -> Result<PostureRule> {
        let origin = format!("{file}:{}", spec.id.referenced.line());
        let id = spec.id.value;
        let when_line = spec.when.referenced.line();
        let program = env.compile(&spec.when.value).map_err(|e| {
            anyhow!("{file}:{when_line}: rule `{id}`: `when` is not valid CEL: {e}")
        })?;
        if spec.applies_to.is_empty() {
            return Err(anyhow!(
                "{origin}: rule `{id}`: `applies_to` needs at least one identity kind (or \"*\")"
            ));
        }
        let reads = identity_fields_read(&spec.when.value);
        let source_gate = source_gate(&spec.when.value);
        Ok(PostureRule {
            id,
            title: spec.title,
            severity: spec.severity,
            applies_to: spec.applies_to,
            when: spec.when.value,
            message: spec.message.trim().to_string(),
            remediation: spec.remediation.trim().to_string(),
            description: spec.description.map(|d| d.trim().to_string()),
            references: spec.references,
            examples: spec.examples,
            origin,
            reads,
            source_gate,
            program,
        })
    }

    pub fn applies_to(&self, kind: &str) -> bool {
        self.applies_to.iter().any(|k| k == "*" || k == kind)
    }

    /// Whether the rule can hold for an identity of this kind from this source (cheap checks
    /// before CEL runs).
    pub fn may_apply(&self, kind: &str, source: &str) -> bool {
        self.applies_to(kind) && self.source_gate.as_deref().is_none_or(|s| s == source)
    }
}

/// The source a predicate requires, when it starts with `identity.source == "X" &&` and has no
/// `||` outside brackets or strings (where `||` would make the first conjunct optional).
fn source_gate(when: &str) -> Option<String> {
    let re = regex::Regex::new(r#"^\s*identity\.source\s*==\s*"([a-z0-9_-]+)"\s*&&"#)
        .expect("static regex");
    let source = re.captures(when)?.get(1)?.as_str().to_string();
    let (mut depth, mut quote, mut prev) = (0i32, None::<char>, ' ');
    for c in when.chars() {
        match (quote, c) {
            (Some(q), c) if c == q && prev != '\\' => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, '|') if prev == '|' && depth == 0 => return None,
            _ => {}
        }
        prev = c;
    }
    Some(source)
}

fn identity_fields_read(when: &str) -> Vec<String> {
    let mut out: Vec<String> = regex::Regex::new(r"\bidentity\.([a-z_]+(?:\.[a-z_]+)?)")
        .expect("static regex")
        .captures_iter(when)
        .map(|c| c[1].to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::source_gate;

    #[test]
    fn a_leading_source_test_is_a_gate_only_without_a_top_level_or() {
        let gate = |w: &str| source_gate(w);
        assert_eq!(
            gate(
                r#"identity.source == "aws" && identity.permissions.flags.exists(f, f == "admin" || f == "x")"#
            ),
            Some("aws".into())
        );
        assert_eq!(
            gate(
                "\n identity.source == \"repo\" && has(identity.attributes.a) &&\n  identity.attributes.a == \"||\""
            ),
            Some("repo".into())
        );
        assert_eq!(gate(r#"identity.source == "aws" && a || b"#), None);
        assert_eq!(
            gate(r#"identity.kind == "aws.user" && identity.source == "aws""#),
            None
        );
        assert_eq!(gate(r#"identity.source == "aws""#), None);
    }
}

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
    /// The connector whose identities the rule judges (`repo`, `aws`, `kubernetes`, `github`):
    /// the engine runs the rule only on identities of that source.
    pub source: Spanned<String>,
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
    pub source: String,
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
        const SOURCES: [&str; 4] = ["repo", "aws", "kubernetes", "github"];
        if !SOURCES.contains(&spec.source.value.as_str()) {
            return Err(anyhow!(
                "{file}:{}: rule `{id}`: `source` is `{}`; it must be one of {}",
                spec.source.referenced.line(),
                spec.source.value,
                SOURCES.join(", ")
            ));
        }
        if spec.applies_to.is_empty() {
            return Err(anyhow!(
                "{origin}: rule `{id}`: `applies_to` needs at least one identity kind (or \"*\")"
            ));
        }
        let reads = identity_fields_read(&spec.when.value);
        Ok(PostureRule {
            id,
            title: spec.title,
            severity: spec.severity,
            source: spec.source.value,
            applies_to: spec.applies_to,
            when: spec.when.value,
            message: spec.message.trim().to_string(),
            remediation: spec.remediation.trim().to_string(),
            description: spec.description.map(|d| d.trim().to_string()),
            references: spec.references,
            examples: spec.examples,
            origin,
            reads,
            program,
        })
    }

    pub fn applies_to(&self, kind: &str) -> bool {
        self.applies_to.iter().any(|k| k == "*" || k == kind)
    }

    /// Whether the rule can hold for an identity of this kind from this source (cheap checks
    /// before CEL runs).
    pub fn may_apply(&self, kind: &str, source: &str) -> bool {
        self.source == source && self.applies_to(kind)
    }
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

//! Evaluating posture rules: every applicable rule's compiled CEL program runs once per identity,
//! identities in parallel. A rule that errors on one identity becomes a note, never a crash.

use super::posture::{PostureFile, PostureRule};
use super::template::render;
use super::view::identity_view;
use super::{RuleFiles, RuleKind};
use crate::inventory::{Finding, Identity, Location, Note, finding_fingerprint};
use anyhow::{Context as _, Result, bail};
use cel::{Context, Env, ExecutionError, Value};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// What a rule sees besides the identity: the time of the run and the configured thresholds.
#[derive(Debug, Clone)]
pub struct EvalContext {
    pub now: DateTime<Utc>,
    /// `[thresholds]` of nhiscan.toml over the defaults, exposed to CEL as `config`.
    pub config: BTreeMap<String, serde_json::Value>,
}

pub struct PostureEngine {
    env: Arc<Env>,
    pub rules: Vec<PostureRule>,
}

impl PostureEngine {
    /// Compile every posture file; any error names the file and line.
    pub fn load(files: &RuleFiles) -> Result<PostureEngine> {
        let env = Arc::new(Env::stdlib());
        let mut rules: Vec<PostureRule> = Vec::new();
        let mut seen = HashSet::new();
        for f in files.of_kind(RuleKind::Posture) {
            let parsed: PostureFile =
                serde_saphyr::from_str(&f.text).map_err(|e| anyhow::anyhow!("{}: {e}", f.name))?;
            for spec in parsed.rules {
                let rule = PostureRule::compile(&f.name, spec, &env)?;
                if !seen.insert(rule.id.clone()) {
                    bail!("{}: rule id `{}` is defined twice", rule.origin, rule.id);
                }
                rules.push(rule);
            }
        }
        Ok(PostureEngine { env, rules })
    }

    /// Take the `disabled` rules out: they are returned as an engine of their own, so a run can
    /// still say how many findings they would have raised.
    pub fn split_off(&mut self, disabled: &[String]) -> PostureEngine {
        let (off, on) = std::mem::take(&mut self.rules)
            .into_iter()
            .partition(|r| disabled.contains(&r.id));
        self.rules = on;
        PostureEngine {
            env: self.env.clone(),
            rules: off,
        }
    }

    /// An engine with no rules (`merge --no-rules`): judging keeps the input findings as they are.
    pub fn none(&self) -> PostureEngine {
        PostureEngine {
            env: self.env.clone(),
            rules: vec![],
        }
    }

    pub fn get(&self, id: &str) -> Option<&PostureRule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Findings for every identity, in identity then rule order (the caller sorts the whole
    /// report once, with [`sort_findings`]), plus notes for rules that failed to run.
    pub fn evaluate(
        &self,
        identities: &[Identity],
        ctx: &EvalContext,
    ) -> (Vec<Finding>, Vec<Note>) {
        // The thresholds are the same for every identity: convert them to CEL once.
        let config = match cel::to_value(&ctx.config) {
            Ok(c) => c,
            Err(e) => {
                let note = Note::warning("[thresholds]", format!("cannot be used by rules: {e}"));
                return (vec![], vec![note]);
            }
        };
        // Functions, thresholds and `now` live in one root context per worker; each identity
        // only binds itself in a child scope of it.
        let per_identity: Vec<(Vec<Finding>, Vec<Note>)> = identities
            .par_iter()
            .map_init(
                || self.root_context(&config, ctx),
                |root, identity| {
                    let mut findings = Vec::new();
                    let mut notes = Vec::new();
                    let root = match root {
                        Ok(root) => root,
                        Err(e) => {
                            notes.push(Note::warning(
                                &identity.id,
                                format!("cannot evaluate rules: {e:#}"),
                            ));
                            return (findings, notes);
                        }
                    };
                    // The view borrows the identity and converts what rules read, once.
                    let mut scope = root.new_inner_scope();
                    scope.add_variable_as_val("identity", identity_view(identity));
                    let applicable = self
                        .rules
                        .iter()
                        .filter(|r| r.may_apply(&identity.kind, &identity.source));
                    for rule in applicable {
                        match rule.program.execute(&scope) {
                            Ok(Value::Bool(true)) => findings.extend(findings_for(rule, identity)),
                            Ok(Value::Bool(false)) => {}
                            Ok(other) => notes.push(Note::warning(
                                &identity.id,
                                format!("rule {} returned {other:?}, not a boolean", rule.id),
                            )),
                            Err(e) => notes.push(Note::warning(
                                &identity.id,
                                format!("rule {} ({}) failed: {e}", rule.id, rule.origin),
                            )),
                        }
                    }
                    (findings, notes)
                },
            )
            .collect();
        let mut findings = Vec::with_capacity(per_identity.iter().map(|(f, _)| f.len()).sum());
        let mut notes = Vec::new();
        for (f, n) in per_identity {
            findings.extend(f);
            notes.extend(n);
        }
        (findings, notes)
    }

    /// Whether one rule holds for one identity (used by rule examples).
    pub fn matches(
        &self,
        rule: &PostureRule,
        identity: &Identity,
        ctx: &EvalContext,
    ) -> Result<bool> {
        let config = cel::to_value(&ctx.config).context("config to CEL")?;
        let root = self.root_context(&config, ctx)?;
        let mut scope = root.new_inner_scope();
        scope.add_variable_as_val("identity", identity_view(identity));
        match rule.program.execute(&scope) {
            Ok(Value::Bool(b)) => Ok(b && rule.may_apply(&identity.kind, &identity.source)),
            Ok(other) => bail!("rule {} returned {other:?}, not a boolean", rule.id),
            Err(e) => bail!("rule {} failed: {e}", rule.id),
        }
    }

    /// What every rule sees besides the identity: `config`, `now` and `days_since`. Its `'v` is
    /// the identities' lifetime, so each identity's view can borrow it in a child scope.
    fn root_context<'v>(&self, config: &Value, ctx: &EvalContext) -> Result<Context<'static, 'v>> {
        let mut c = Context::with_env(self.env.clone());
        c.add_variable("config", config.clone())
            .context("binding config")?;
        c.add_variable("now", ctx.now.to_rfc3339())
            .context("binding now")?;
        let now = ctx.now;
        c.add_function(
            "days_since",
            move |ts: Arc<String>| -> Result<Value, ExecutionError> {
                let t = DateTime::parse_from_rfc3339(&ts).map_err(|e| {
                    ExecutionError::function_error(
                        "days_since",
                        format!("`{ts}` is not an RFC 3339 time: {e}"),
                    )
                })?;
                Ok(Value::Int((now - t.with_timezone(&Utc)).num_days()))
            },
        )
        .context("declaring days_since")?;
        Ok(c)
    }
}

/// The order every report shows findings in: most severe first, then rule, identity, place.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (b.severity, &a.rule_id, &a.identity_id, a.locations.first()).cmp(&(
            a.severity,
            &b.rule_id,
            &b.identity_id,
            b.locations.first(),
        ))
    });
}

/// One finding per file for a secret found in code (so a fingerprint is rule + secret + path),
/// else one finding for the identity.
fn findings_for(rule: &PostureRule, identity: &Identity) -> Vec<Finding> {
    let evidence = evidence_for(rule, identity);
    let found = identity.credentials.iter().find_map(|c| c.found.as_ref());
    let make = |locations: Vec<Location>, anchor: &str, path: Option<&str>| {
        let where_ = if locations.is_empty() {
            String::new()
        } else {
            locations
                .iter()
                .map(|l| format!("{}:{}", l.path, l.line))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Finding {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            identity_id: identity.id.clone(),
            message: render(&rule.message, identity, &where_),
            remediation: Some(rule.remediation.clone()),
            evidence: evidence.clone(),
            fingerprint: finding_fingerprint(&rule.id, anchor, path),
            locations,
            baseline_state: None,
        }
    };
    match found {
        Some(f) if !f.locations.is_empty() => {
            let mut by_path: BTreeMap<&str, Vec<Location>> = BTreeMap::new();
            for l in &f.locations {
                by_path.entry(&l.path).or_default().push(l.clone());
            }
            by_path
                .into_iter()
                .map(|(path, locs)| make(locs, f.hash_anchor(), Some(path)))
                .collect()
        }
        _ => vec![make(vec![], &identity.id, None)],
    }
}

/// The facts a rule looked at: the identity fields its predicate names, and for a found secret
/// what was found and how sure the detector is.
fn evidence_for(rule: &PostureRule, identity: &Identity) -> BTreeMap<String, serde_json::Value> {
    let mut ev = BTreeMap::new();
    for field in &rule.reads {
        if field == "credentials" || field.starts_with("credentials.") {
            continue;
        }
        if let Some(v) = field_value(identity, field) {
            ev.insert(field.clone(), v);
        }
    }
    for c in &identity.credentials {
        if let Some(f) = &c.found {
            ev.insert("detector".into(), f.detector.clone().into());
            ev.insert("confidence".into(), f.confidence.clone().into());
            match &f.secret_hmac {
                Some(h) => ev.insert("secret_hmac".into(), h.clone().into()),
                None => ev.insert("secret_sha256".into(), f.secret_sha256.clone().into()),
            };
            ev.insert("redacted".into(), f.redacted.clone().into());
            if f.checksum_valid {
                ev.insert("checksum_valid".into(), true.into());
            }
            for (k, v) in &f.attributes {
                ev.insert(k.clone(), v.clone().into());
            }
        }
    }
    ev
}

/// The JSON of one field a rule read (`kind`, `permissions.flags`, `attributes.bindings`), as the
/// rule saw it: collections are present even when empty, unset scalars are absent.
fn field_value(identity: &Identity, field: &str) -> Option<serde_json::Value> {
    let (top, sub) = match field.split_once('.') {
        Some((t, s)) => (t, Some(s)),
        None => (field, None),
    };
    fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
        serde_json::to_value(v).ok()
    }
    let whole = match top {
        "id" => json(&identity.id),
        "kind" => json(&identity.kind),
        "source" => json(&identity.source),
        "name" => json(&identity.name),
        "created_at" => identity.created_at.as_ref().and_then(json),
        "last_used_at" => identity.last_used_at.as_ref().and_then(json),
        "owner" => identity.owner.as_ref().and_then(json),
        "labels" => match sub {
            Some(k) => return identity.labels.get(k).map(|v| v.clone().into()),
            None => json(&identity.labels),
        },
        "attributes" => match sub {
            Some(k) => return identity.attributes.get(k).cloned(),
            None => json(&identity.attributes),
        },
        "permissions" => match sub {
            Some("flags") => return json(&identity.permissions.flags),
            Some("actions") => return json(&identity.permissions.actions),
            _ => json(&identity.permissions),
        },
        _ => None,
    }?;
    match sub {
        None => Some(whole),
        Some(k) => whole.get(k).cloned(),
    }
}

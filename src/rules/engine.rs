//! Evaluating posture rules: every applicable rule's compiled CEL program runs once per identity,
//! identities in parallel. A rule that errors on one identity becomes a note, never a crash.

use super::posture::{PostureFile, PostureRule};
use super::template::render;
use super::{RuleFiles, RuleKind};
use crate::inventory::{Finding, Identity, Location, Note, finding_fingerprint};
use anyhow::{Context as _, Result, bail};
use cel::objects::Key;
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

    pub fn without(mut self, disabled: &[String]) -> PostureEngine {
        self.rules.retain(|r| !disabled.contains(&r.id));
        self
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
                    let prepared = root
                        .as_ref()
                        .map_err(|e| anyhow::anyhow!("{e:#}"))
                        .and_then(|root| Ok((root, cel_identity(identity)?)));
                    let (root, view) = match prepared {
                        Ok(p) => p,
                        Err(e) => {
                            notes.push(Note::warning(
                                &identity.id,
                                format!("cannot evaluate rules: {e:#}"),
                            ));
                            return (findings, notes);
                        }
                    };
                    let mut scope = root.new_inner_scope();
                    scope.add_variable_from_value("identity", view.clone());
                    let applicable = self
                        .rules
                        .iter()
                        .filter(|r| r.may_apply(&identity.kind, &identity.source));
                    for rule in applicable {
                        match rule.program.execute(&scope) {
                            Ok(Value::Bool(true)) => {
                                findings.extend(findings_for(rule, identity, &view))
                            }
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
        scope.add_variable_from_value("identity", cel_identity(identity)?);
        match rule.program.execute(&scope) {
            Ok(Value::Bool(b)) => Ok(b && rule.may_apply(&identity.kind, &identity.source)),
            Ok(other) => bail!("rule {} returned {other:?}, not a boolean", rule.id),
            Err(e) => bail!("rule {} failed: {e}", rule.id),
        }
    }

    /// What every rule sees besides the identity: `config`, `now` and `days_since`.
    fn root_context(&self, config: &Value, ctx: &EvalContext) -> Result<Context<'static, 'static>> {
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

/// The identity as rules see it: collections a report omits when empty are always present, so a
/// rule can write `identity.permissions.flags.exists(…)` without guarding every level with has().
/// Built straight from the model into CEL values (no JSON in between): this runs once per
/// identity and is most of the engine's cost on large inventories.
fn cel_identity(identity: &Identity) -> Result<Value> {
    let mut v = cel::to_value(identity).context("identity to CEL")?;
    let Value::Map(m) = &mut v else {
        bail!("identity is not a map");
    };
    let map = Arc::make_mut(&mut m.map);
    for key in ["labels", "attributes"] {
        map.entry(key_of(key)).or_insert_with(empty_map);
    }
    map.entry(key_of("credentials"))
        .or_insert_with(|| Value::List(Arc::new(vec![])));
    if let Value::Map(p) = map.entry(key_of("permissions")).or_insert_with(empty_map) {
        let perms = Arc::make_mut(&mut p.map);
        for key in ["actions", "flags"] {
            perms
                .entry(key_of(key))
                .or_insert_with(|| Value::List(Arc::new(vec![])));
        }
    }
    Ok(v)
}

fn key_of(s: &str) -> Key {
    Key::String(Arc::new(s.to_string()))
}

fn empty_map() -> Value {
    Value::Map(cel::objects::Map {
        map: Arc::new(Default::default()),
    })
}

/// The sub-value at a dotted path of the rule view, as JSON (for evidence).
fn view_at(view: &Value, field: &str) -> Option<serde_json::Value> {
    let mut at = view;
    for part in field.split('.') {
        let Value::Map(m) = at else { return None };
        at = m.map.get(&key_of(part))?;
    }
    at.json().ok()
}

/// One finding per file for a secret found in code (so a fingerprint is rule + secret + path),
/// else one finding for the identity.
fn findings_for(rule: &PostureRule, identity: &Identity, view: &Value) -> Vec<Finding> {
    let evidence = evidence_for(rule, identity, view);
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
                .map(|(path, locs)| make(locs, &f.secret_sha256, Some(path)))
                .collect()
        }
        _ => vec![make(vec![], &identity.id, None)],
    }
}

/// The facts a rule looked at: the identity fields its predicate names, and for a found secret
/// what was found and how sure the detector is.
fn evidence_for(
    rule: &PostureRule,
    identity: &Identity,
    view: &Value,
) -> BTreeMap<String, serde_json::Value> {
    let mut ev = BTreeMap::new();
    for field in &rule.reads {
        if field == "credentials" || field.starts_with("credentials.") {
            continue;
        }
        if let Some(v) = view_at(view, field) {
            ev.insert(field.clone(), v);
        }
    }
    for c in &identity.credentials {
        if let Some(f) = &c.found {
            ev.insert("detector".into(), f.detector.clone().into());
            ev.insert("confidence".into(), f.confidence.clone().into());
            ev.insert("secret_sha256".into(), f.secret_sha256.clone().into());
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

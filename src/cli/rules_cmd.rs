//! `nhiscan rules list | explain ID | check [DIR…]`.

use super::args::{GlobalArgs, ListFormat, RulesCommand};
use crate::plan::{Config, Loaded, Outcome};
use crate::rules::{RuleFiles, check_rules};
use anyhow::{Result, bail};
use std::fmt::Write;

pub fn run(global: &GlobalArgs, cmd: &RulesCommand) -> Result<Outcome> {
    match cmd {
        RulesCommand::List { format } => list(global, *format),
        RulesCommand::Explain { id } => explain(global, id),
        RulesCommand::Check { dirs } => check(global, dirs),
    }
}

/// The rules as the user's config sees them (its folders, minus what it disables), with the
/// detectors compiled so a broken pattern shows here too.
fn load(global: &GlobalArgs) -> Result<Loaded> {
    let config = Config::discover(global.config.as_deref(), None)?;
    Loaded::load(&config, &global.rules_dirs, true)
}

fn list(global: &GlobalArgs, format: ListFormat) -> Result<Outcome> {
    let l = load(global)?;
    let out = match format {
        ListFormat::Json => {
            let detectors: Vec<_> = l
                .detectors
                .detectors
                .iter()
                .map(|d| {
                    serde_json::json!({"id": d.id, "name": d.name, "service": d.service,
                        "kind": d.kind, "identity_kind": d.identity_kind, "category": d.category,
                        "confidence": d.confidence,
                        "keywords": d.keywords})
                })
                .collect();
            let posture: Vec<_> = l
                .engine
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({"id": r.id, "title": r.title, "severity": r.severity,
                        "source": r.source, "applies_to": r.applies_to})
                })
                .collect();
            serde_json::to_string_pretty(
                &serde_json::json!({"detectors": detectors, "posture_rules": posture}),
            )? + "\n"
        }
        ListFormat::Table => {
            let mut s = String::new();
            writeln!(s, "Posture rules ({}):", l.engine.rules.len())?;
            for r in &l.engine.rules {
                writeln!(s, "  {:<44} {:<9} {}", r.id, r.severity.as_str(), r.title)?;
            }
            writeln!(s, "\nSecret detectors ({}):", l.detectors.detectors.len())?;
            for d in &l.detectors.detectors {
                writeln!(s, "  {:<44} {:<7} {}", d.id, d.confidence, d.name)?;
            }
            s
        }
    };
    crate::plan::write_output(None, out.as_bytes())?;
    Ok(Outcome::Clean)
}

fn explain(global: &GlobalArgs, id: &str) -> Result<Outcome> {
    let l = load(global)?;
    let mut s = String::new();
    if let Some(r) = l.engine.get(id) {
        writeln!(s, "{} — {}\n", r.id, r.title)?;
        writeln!(s, "severity:   {}", r.severity)?;
        writeln!(s, "source:     {}", r.source)?;
        writeln!(s, "applies to: {}", r.applies_to.join(", "))?;
        writeln!(s, "defined at: {}", r.origin)?;
        if let Some(d) = &r.description {
            writeln!(s, "\n{}", d.trim())?;
        }
        writeln!(s, "\nwhen:\n  {}", r.when.trim())?;
        writeln!(s, "\nremediation:\n  {}", r.remediation.trim())?;
        if !r.references.is_empty() {
            writeln!(s, "\nreferences:")?;
            for x in &r.references {
                writeln!(s, "  - {x}")?;
            }
        }
    } else if let Some(d) = l.detectors.get(id) {
        writeln!(s, "{} — {} (secret detector)\n", d.id, d.name)?;
        writeln!(
            s,
            "service:    {}\nkind:       {}\ncategory:   {}",
            d.service, d.kind, d.category
        )?;
        writeln!(
            s,
            "confidence: {}\nidentity:   {}",
            d.confidence, d.identity_kind
        )?;
        writeln!(s, "keywords:   {}", d.keywords.join(", "))?;
        writeln!(s, "defined at: {}", d.origin)?;
        if let Some(c) = d.checksum {
            writeln!(s, "checksum:   {c:?} (verified offline)")?;
        }
        if !d.references.is_empty() {
            writeln!(s, "\nreferences:")?;
            for x in &d.references {
                writeln!(s, "  - {x}")?;
            }
        }
    } else {
        bail!("no rule or detector `{id}` (see `nhiscan rules list`)");
    }
    crate::plan::write_output(None, s.as_bytes())?;
    Ok(Outcome::Clean)
}

fn check(global: &GlobalArgs, dirs: &[std::path::PathBuf]) -> Result<Outcome> {
    let builtin = dirs.is_empty();
    // User rules are checked together with the built-in ones so that id clashes show up too.
    let files = RuleFiles::load(dirs, true)?;
    let l = load(global)?;
    let report = check_rules(&files, &l.eval, &crate::plan::contract([]))?;
    let mut s = String::new();
    for p in &report.problems {
        writeln!(s, "{p}")?;
    }
    writeln!(
        s,
        "{} detectors, {} posture rules, {} examples checked{}: {} problems",
        report.detectors,
        report.posture_rules,
        report.examples_checked,
        if builtin { " (built-in)" } else { "" },
        report.problems.len()
    )?;
    crate::plan::write_output(None, s.as_bytes())?;
    Ok(if report.problems.is_empty() {
        Outcome::Clean
    } else {
        Outcome::UsageError
    })
}

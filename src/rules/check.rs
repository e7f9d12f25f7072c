//! `nhiscan rules check`: every rule file parses and compiles, and every example in it behaves as
//! written. The test suite runs the same check over the built-in rules, so a detector without
//! passing examples cannot ship.

use super::{Contract, EvalContext, PostureEngine, RuleFiles, RuleKind};
use crate::detectors::{DetectorFile, DetectorSet, DetectorSpec, NameMarkerSpec, NameMarkers};
use anyhow::Result;

#[derive(Debug, Default)]
pub struct CheckReport {
    pub detectors: usize,
    pub posture_rules: usize,
    pub examples_checked: usize,
    /// One line per problem: `file:line: rule id: what is wrong`.
    pub problems: Vec<String>,
}

/// Parse, compile and run the examples of every rule in `files`, and check every posture rule
/// against `contract` (what connectors emit; the detectors of `files` add their repo kinds).
/// Every rule needs examples: a detector its matching strings, a posture rule at least one
/// `match` and one `no_match` identity.
pub fn check_rules(
    files: &RuleFiles,
    ctx: &EvalContext,
    contract: &Contract,
) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    let set = compile_detectors(files)?;
    report.detectors = set.detectors.len();
    for (i, d) in set.detectors.iter().enumerate() {
        if d.examples.is_empty() {
            report
                .problems
                .push(format!("{}: detector `{}` has no examples", d.origin, d.id));
        }
        for ex in &d.examples {
            report.examples_checked += 1;
            if set.find_only(i, ex.as_bytes()).is_empty() {
                report.problems.push(format!(
                    "{}: detector `{}`: example does not match: {ex:?}",
                    d.origin, d.id
                ));
            }
        }
        for ex in &d.negative_examples {
            report.examples_checked += 1;
            if !set.find_only(i, ex.as_bytes()).is_empty() {
                report.problems.push(format!(
                    "{}: detector `{}`: negative example matches: {ex:?}",
                    d.origin, d.id
                ));
            }
        }
    }
    let engine = PostureEngine::load(files)?;
    report.posture_rules = engine.rules.len();
    let mut contract = contract.clone();
    contract.add_kinds(
        "repo",
        set.detectors.iter().map(|d| d.identity_kind.as_str()),
    );
    for rule in &engine.rules {
        report.problems.extend(contract.check(rule));
        for (what, list) in [
            ("match", &rule.examples.matching),
            ("no_match", &rule.examples.no_match),
        ] {
            if list.is_empty() {
                report.problems.push(format!(
                    "{}: rule `{}` has no `{what}` examples (identities it must {}match)",
                    rule.origin,
                    rule.id,
                    if what == "match" { "" } else { "not " }
                ));
            }
        }
        for (expect, list) in [
            (true, &rule.examples.matching),
            (false, &rule.examples.no_match),
        ] {
            for (n, identity) in list.iter().enumerate() {
                report.examples_checked += 1;
                match engine.matches(rule, identity, ctx) {
                    Ok(got) if got == expect => {}
                    Ok(got) => report.problems.push(format!(
                        "{}: rule `{}`: {} example #{} {}",
                        rule.origin,
                        rule.id,
                        if expect { "match" } else { "no_match" },
                        n + 1,
                        if got { "matches" } else { "does not match" }
                    )),
                    Err(e) => report.problems.push(format!("{}: {e:#}", rule.origin)),
                }
            }
        }
    }
    Ok(report)
}

/// Parse every detector file and compile the lot (errors name file and line), with the name
/// markers of every file.
pub fn compile_detectors(files: &RuleFiles) -> Result<DetectorSet> {
    let markers = NameMarkers::from_specs(&name_marker_specs(files)?);
    Ok(DetectorSet::compile(detector_specs(files)?)?.with_name_markers(markers))
}

/// Every detector file's `name_markers` (placeholder names, `rules/secrets/_placeholders.yaml`).
pub fn name_marker_specs(files: &RuleFiles) -> Result<Vec<NameMarkerSpec>> {
    let mut out = Vec::new();
    for f in files.of_kind(RuleKind::Detectors) {
        let parsed: DetectorFile =
            serde_saphyr::from_str(&f.text).map_err(|e| anyhow::anyhow!("{}: {e}", f.name))?;
        out.extend(parsed.name_markers);
    }
    Ok(out)
}

/// Every detector spec, parsed but not compiled (with the file it came from): enough to check
/// ids without paying for hundreds of regexes when no content will be scanned.
pub fn detector_specs(files: &RuleFiles) -> Result<Vec<(String, DetectorSpec)>> {
    let mut specs = Vec::new();
    for f in files.of_kind(RuleKind::Detectors) {
        let parsed: DetectorFile =
            serde_saphyr::from_str(&f.text).map_err(|e| anyhow::anyhow!("{}: {e}", f.name))?;
        specs.extend(parsed.detectors.into_iter().map(|d| (f.name.clone(), d)));
    }
    Ok(specs)
}

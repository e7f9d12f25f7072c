//! The judge: one inventory in, one judged report out. Identities seen by several connectors are
//! merged by id, then joins, owners, posture rules and the baseline run over the whole inventory.
//! `scan` and `merge` both end here, so a merged report is judged exactly like a scan.

mod collect;
mod merge;
mod outcome;

pub use collect::collect;
pub use merge::merge_reports;
pub use outcome::outcome;

use crate::baseline::Baseline;
use crate::connectors::Collected;
use crate::inventory::merge::{Batch, dedup_findings, merge_identities};
use crate::inventory::{Report, Summary};
use crate::owners::OwnerMap;
use crate::rules::{EvalContext, PostureEngine, sort_findings};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// What judging an inventory needs besides the inventory.
pub struct Judge<'a> {
    pub engine: &'a PostureEngine,
    pub eval: &'a EvalContext,
    pub owners: &'a OwnerMap,
}

impl Judge<'_> {
    /// The report of a scan: every source's run, one inventory, judged.
    pub fn scan(
        &self,
        started: DateTime<Utc>,
        collected: Vec<Collected>,
        baseline: Option<&Baseline>,
    ) -> Report {
        let mut report = Report::new(started);
        let mut batches = Vec::with_capacity(collected.len());
        for c in collected {
            batches.push(Batch {
                run: format!("{} {}", c.run.source, c.run.target),
                identities: c.identities,
            });
            report.sources.push(c.run);
        }
        let (identities, notes) = merge_identities(batches);
        report.identities = identities;
        report.notes = notes;
        self.inventory(&mut report, baseline);
        report
    }

    /// Joins, owners, rules, baseline and summary over an assembled inventory. Findings already
    /// in the report whose rule this engine does not have (a merged run's custom rules, or every
    /// rule under `merge --no-rules`) are kept, deduplicated by fingerprint; the engine's own
    /// rules are evaluated afresh.
    pub fn inventory(&self, report: &mut Report, baseline: Option<&Baseline>) {
        let clock = std::time::Instant::now();
        // Ids are unique once merged, so an unstable sort is still deterministic (and cheaper).
        report.identities.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        crate::correlate::join(&mut report.identities);
        tracing::debug!("joined in {:.2?}", clock.elapsed());
        crate::owners::resolve(&mut report.identities, self.owners);
        tracing::debug!("owners resolved at {:.2?}", clock.elapsed());
        let (evaluated, notes) = self.engine.evaluate(&report.identities, self.eval);
        tracing::debug!("rules evaluated at {:.2?}", clock.elapsed());
        let known: HashSet<&str> = self.engine.rules.iter().map(|r| r.id.as_str()).collect();
        let mut findings: Vec<_> = std::mem::take(&mut report.findings)
            .into_iter()
            .filter(|f| !known.contains(f.rule_id.as_str()))
            .collect();
        findings.extend(evaluated);
        let mut findings = dedup_findings(findings);
        crate::validate::adjust_findings(&report.identities, &mut findings);
        report
            .notes
            .extend(crate::validate::agreement_notes(&report.identities));
        sort_findings(&mut findings);
        tracing::debug!(
            "findings deduplicated and sorted at {:.2?}",
            clock.elapsed()
        );
        if let Some(b) = baseline {
            b.apply(&mut findings);
        }
        report.findings = findings;
        report.notes.extend(notes);
        report.summary = Summary::compute(&report.identities, &report.findings);
        report.finished_at = crate::clock::finished();
        tracing::debug!("judged at {:.2?}", clock.elapsed());
    }
}

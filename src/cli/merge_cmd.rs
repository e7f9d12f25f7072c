//! `nhiscan merge A.json B.json …`: the second half of a sharded scan. Each shard of a CI matrix
//! or Kubernetes indexed Job scans a slice to JSON; merge reads every report, merges identities by
//! id (newest run's facts win, conflicts noted), judges the whole inventory again with the same
//! code `scan` uses (so cross-source rules see everything), and writes any format with scan's
//! exit codes.

use super::args::{GlobalArgs, MergeArgs};
use super::scan::{emit, judge_inventory, outcome, parse_fail_on};
use super::setup::{self, rule_docs};
use crate::baseline::Baseline;
use crate::exit::Outcome;
use crate::inventory::merge::{Batch, dedup_notes, merge_identities, read_report};
use crate::inventory::{Note, NoteLevel, Report, ScanStats, SourceRun, SourceStatus};
use anyhow::{Result, bail};
use rayon::prelude::*;

pub fn run(global: &GlobalArgs, args: &MergeArgs) -> Result<Outcome> {
    let fail_on = parse_fail_on(&args.common.fail_on)?;
    let baseline = args
        .common
        .baseline
        .as_deref()
        .map(Baseline::read)
        .transpose()?;
    let loaded = setup::load_for_posture(global)?;
    let docs = rule_docs(&loaded.engine);
    let engine = if args.no_rules {
        let all: Vec<String> = loaded.engine.rules.iter().map(|r| r.id.clone()).collect();
        loaded.engine.without(&all)
    } else {
        loaded.engine
    };

    let clock = std::time::Instant::now();
    // Large shards parse in parallel; a file that cannot be read is a failed source, not the end.
    let read: Vec<Result<Report>> = args.reports.par_iter().map(|p| read_report(p)).collect();
    let mut report = Report::new(crate::clock::now());
    let mut inputs: Vec<(String, Report)> = Vec::new();
    for (path, r) in args.reports.iter().zip(read) {
        let name = path.display().to_string();
        match r {
            Ok(r) => inputs.push((name, r)),
            Err(e) => {
                tracing::error!("{e:#}");
                report.sources.push(SourceRun {
                    source: "merge".into(),
                    target: name.clone(),
                    status: SourceStatus::Failed,
                    stats: ScanStats::default(),
                    notes: vec![Note::new(NoteLevel::Error, name, format!("{e:#}"))],
                });
            }
        }
    }
    if inputs.is_empty() {
        bail!("none of the {} reports could be read", args.reports.len());
    }
    report.started_at = inputs
        .iter()
        .map(|(_, r)| r.started_at)
        .min()
        .unwrap_or(report.started_at);
    // Sources in the order given; precedence (newest wins) by when each run finished.
    let mut failed = std::mem::take(&mut report.sources);
    for (_, r) in &mut inputs {
        report.sources.append(&mut r.sources);
    }
    report.sources.append(&mut failed);
    inputs.sort_by_key(|(_, r)| r.finished_at);

    let mut batches = Vec::with_capacity(inputs.len());
    let mut notes = Vec::new();
    for (name, r) in inputs {
        notes.extend(r.notes);
        report.findings.extend(r.findings);
        batches.push(Batch {
            run: name,
            identities: r.identities,
        });
    }
    tracing::info!(
        "read {} reports in {:.2?}",
        args.reports.len(),
        clock.elapsed()
    );
    let (mut identities, conflicts) = merge_identities(batches);
    tracing::info!("merged identities at {:.2?}", clock.elapsed());
    if !args.common.reveal {
        strip_secrets(&mut identities);
    }
    notes.extend(conflicts);
    report.identities = identities;
    report.notes = dedup_notes(notes);
    let with = super::scan::Judge {
        engine: &engine,
        eval: &loaded.eval,
        owners: &loaded.owners,
    };
    judge_inventory(&mut report, &with, baseline.as_ref());
    tracing::info!(
        "judged at {:.2?}: {} identities, {} findings",
        clock.elapsed(),
        report.summary.identities,
        report.summary.findings
    );
    emit(&report, &args.common, &docs)?;
    tracing::info!("written at {:.2?}", clock.elapsed());
    let outcome = outcome(&report, fail_on);
    // The process ends here: freeing hundreds of thousands of small allocations one by one costs
    // seconds at scale (benches/merge_scale.py) and the OS reclaims the memory at once.
    std::mem::forget(report);
    Ok(outcome)
}

/// A shard scanned with `--reveal` carries secrets; the merged report only does with `--reveal`.
fn strip_secrets(identities: &mut [crate::inventory::Identity]) {
    for c in identities.iter_mut().flat_map(|i| i.credentials.iter_mut()) {
        if let Some(f) = &mut c.found {
            f.secret = None;
        }
    }
}

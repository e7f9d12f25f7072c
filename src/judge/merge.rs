//! Assembling one inventory from the JSON reports of sharded runs: every input's sources (a
//! report that cannot be read is a failed source), identities merged by id with the facts of the
//! run that finished last winning (conflicts noted), findings kept for the judge to re-evaluate
//! or keep, notes deduplicated.

use crate::inventory::merge::{Batch, dedup_notes, merge_identities, read_report};
use crate::inventory::{Identity, Report, SourceRun};
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::path::PathBuf;

/// The merged, not yet judged, report of `paths`. Secrets a shard revealed are dropped unless
/// `reveal`. Fails only when no input could be read.
pub fn merge_reports(paths: &[PathBuf], reveal: bool) -> Result<Report> {
    let clock = std::time::Instant::now();
    // Large shards parse in parallel; a file that cannot be read is a failed source, not the end.
    let read: Vec<Result<Report>> = paths.par_iter().map(|p| read_report(p)).collect();
    let mut report = Report::new(crate::clock::now());
    let mut inputs: Vec<(String, Report)> = Vec::new();
    let mut failed = Vec::new();
    for (path, r) in paths.iter().zip(read) {
        let name = path.display().to_string();
        match r {
            Ok(r) => inputs.push((name, r)),
            Err(e) => {
                tracing::error!("{e:#}");
                failed.push(SourceRun::failed("merge", name, format!("{e:#}")));
            }
        }
    }
    if inputs.is_empty() {
        bail!("none of the {} reports could be read", paths.len());
    }
    report.started_at = inputs
        .iter()
        .map(|(_, r)| r.started_at)
        .min()
        .unwrap_or(report.started_at);
    // Sources in the order given; precedence (newest wins) by when each run finished.
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
    tracing::info!("read {} reports in {:.2?}", paths.len(), clock.elapsed());
    let (mut identities, conflicts) = merge_identities(batches);
    tracing::info!("merged identities at {:.2?}", clock.elapsed());
    if !reveal {
        strip_secrets(&mut identities);
    }
    notes.extend(conflicts);
    report.identities = identities;
    report.notes = dedup_notes(notes);
    Ok(report)
}

/// A shard scanned with `--reveal` carries secrets; the merged report only does with `--reveal`.
fn strip_secrets(identities: &mut [Identity]) {
    for c in identities.iter_mut().flat_map(|i| i.credentials.iter_mut()) {
        if let Some(f) = &mut c.found {
            f.secret = None;
        }
    }
}

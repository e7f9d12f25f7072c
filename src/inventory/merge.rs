//! Combining what several runs (or several connectors of one run) saw into one inventory.
//!
//! The same identity can arrive more than once: two shards of a CI matrix both scanned a repository
//! holding the same secret, or an account was scanned yesterday and again today. Identities are
//! merged by `id`: collections are the union of every run's facts (credentials by id, their
//! locations, labels, attributes), and a scalar fact that differs takes the value of the newest
//! run, with an Info note naming the identity, the fields and the runs, so nothing is silently
//! overwritten. Reading and checking report files lives here too, so `merge` and any later reader
//! of saved inventories reject the same things with the same words.

use super::{Credential, Finding, FoundSecret, Identity, Note, NoteLevel, Report, SCHEMA_VERSION};
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The identities one run contributed, in precedence order: later batches are newer.
pub struct Batch {
    /// How the run is named in notes: the report file, or `source target` within one scan.
    pub run: String,
    pub identities: Vec<Identity>,
}

/// Merge identities by id. Batches must be ordered oldest first: a later batch's scalar facts
/// win. Returns the identities (in first-seen order) and one Info note per identity whose facts
/// differed between runs.
pub fn merge_identities(batches: Vec<Batch>) -> (Vec<Identity>, Vec<Note>) {
    let total: usize = batches.iter().map(|b| b.identities.len()).sum();
    let mut index: HashMap<String, usize> = HashMap::with_capacity(total);
    let mut out: Vec<Identity> = Vec::with_capacity(total);
    let mut first_run: Vec<usize> = Vec::with_capacity(total);
    // Per merged identity: the runs it came from and the fields that conflicted (only filled for
    // identities seen more than once, so the common case allocates nothing).
    let mut history: HashMap<usize, (Vec<usize>, BTreeSet<String>)> = HashMap::new();
    let runs: Vec<String> = batches.iter().map(|b| b.run.clone()).collect();
    for (run, batch) in batches.into_iter().enumerate() {
        for identity in batch.identities {
            match index.get(&identity.id) {
                None => {
                    index.insert(identity.id.clone(), out.len());
                    out.push(identity);
                    first_run.push(run);
                }
                Some(&i) => {
                    let entry = history
                        .entry(i)
                        .or_insert_with(|| (vec![first_run[i]], BTreeSet::new()));
                    if !entry.0.contains(&run) {
                        entry.0.push(run);
                    }
                    merge_identity(&mut out[i], identity, &mut entry.1);
                }
            }
        }
    }
    let mut notes = Vec::new();
    for (i, (seen_in, conflicts)) in history {
        if conflicts.is_empty() {
            continue;
        }
        let names: Vec<&str> = seen_in.iter().map(|r| runs[*r].as_str()).collect();
        let newest = names.last().copied().unwrap_or("");
        notes.push(Note::new(
            NoteLevel::Info,
            out[i].id.clone(),
            format!(
                "runs disagree on {} ({}); kept the newest run's values ({newest}); \
                 credentials, locations, labels and attributes are the union of all runs",
                conflicts.into_iter().collect::<Vec<_>>().join(", "),
                names.join(", ")
            ),
        ));
    }
    notes.sort_by(|a, b| a.subject.cmp(&b.subject));
    (out, notes)
}

/// Fold `newer` into `kept`, recording the name of every scalar field whose values differed.
fn merge_identity(kept: &mut Identity, newer: Identity, conflicts: &mut BTreeSet<String>) {
    scalar(&mut kept.kind, newer.kind, "kind", conflicts);
    scalar(&mut kept.source, newer.source, "source", conflicts);
    scalar(&mut kept.name, newer.name, "name", conflicts);
    optional(
        &mut kept.created_at,
        newer.created_at,
        "created_at",
        conflicts,
    );
    optional(
        &mut kept.last_used_at,
        newer.last_used_at,
        "last_used_at",
        conflicts,
    );
    optional(&mut kept.owner, newer.owner, "owner", conflicts);
    // Permissions are one fact (what the identity may do now), so the newest non-empty view wins.
    if !newer.permissions.is_empty() {
        if !kept.permissions.is_empty() && kept.permissions != newer.permissions {
            conflicts.insert("permissions".into());
        }
        kept.permissions = newer.permissions;
    }
    union_map(&mut kept.labels, newer.labels, "labels", conflicts);
    union_map(
        &mut kept.attributes,
        newer.attributes,
        "attributes",
        conflicts,
    );
    for c in newer.credentials {
        match kept.credentials.iter_mut().find(|k| k.id == c.id) {
            Some(k) => merge_credential(k, c, conflicts),
            None => kept.credentials.push(c),
        }
    }
}

fn merge_credential(kept: &mut Credential, newer: Credential, conflicts: &mut BTreeSet<String>) {
    let field = |f: &str| format!("credentials[{}].{f}", kept.id);
    let mut local = BTreeSet::new();
    scalar(&mut kept.kind, newer.kind, "kind", &mut local);
    scalar(&mut kept.status, newer.status, "status", &mut local);
    optional(
        &mut kept.created_at,
        newer.created_at,
        "created_at",
        &mut local,
    );
    optional(
        &mut kept.last_used_at,
        newer.last_used_at,
        "last_used_at",
        &mut local,
    );
    optional(
        &mut kept.expires_at,
        newer.expires_at,
        "expires_at",
        &mut local,
    );
    optional(
        &mut kept.last_rotated_at,
        newer.last_rotated_at,
        "last_rotated_at",
        &mut local,
    );
    match (&mut kept.found, newer.found) {
        (Some(k), Some(n)) => merge_found(k, n, &mut local),
        (k @ None, n) => *k = n,
        (Some(_), None) => {}
    }
    conflicts.extend(local.iter().map(|f| field(f)));
}

fn merge_found(kept: &mut FoundSecret, newer: FoundSecret, conflicts: &mut BTreeSet<String>) {
    scalar(&mut kept.detector, newer.detector, "detector", conflicts);
    scalar(
        &mut kept.confidence,
        newer.confidence,
        "confidence",
        conflicts,
    );
    kept.checksum_valid |= newer.checksum_valid;
    if kept.secret.is_none() {
        kept.secret = newer.secret;
    }
    union_map(
        &mut kept.attributes,
        newer.attributes,
        "attributes",
        conflicts,
    );
    let mut locations: BTreeSet<_> = std::mem::take(&mut kept.locations).into_iter().collect();
    locations.extend(newer.locations);
    kept.locations = locations.into_iter().collect();
    optional(
        &mut kept.present_at_head,
        newer.present_at_head,
        "present_at_head",
        conflicts,
    );
    // A run that validated the secret knows more than one that did not.
    if newer.validation.is_some() {
        kept.validation = newer.validation;
    }
    // The earliest commit any run saw the secret in is when it leaked.
    kept.first_seen_at = match (kept.first_seen_at, newer.first_seen_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
}

fn scalar<T: PartialEq>(kept: &mut T, newer: T, name: &str, conflicts: &mut BTreeSet<String>) {
    if *kept != newer {
        conflicts.insert(name.into());
        *kept = newer;
    }
}

/// The newer value wins when it has one; a run that did not know a fact does not erase it.
fn optional<T: PartialEq>(
    kept: &mut Option<T>,
    newer: Option<T>,
    name: &str,
    conflicts: &mut BTreeSet<String>,
) {
    if let Some(n) = newer {
        if kept.as_ref().is_some_and(|k| *k != n) {
            conflicts.insert(name.into());
        }
        *kept = Some(n);
    }
}

fn union_map<V: PartialEq>(
    kept: &mut BTreeMap<String, V>,
    newer: BTreeMap<String, V>,
    name: &str,
    conflicts: &mut BTreeSet<String>,
) {
    for (k, v) in newer {
        if kept.get(&k).is_some_and(|old| *old != v) {
            conflicts.insert(format!("{name}.{k}"));
        }
        kept.insert(k, v);
    }
}

/// Findings deduplicated by fingerprint; when several runs hold one, the newest run's copy (the
/// last in `findings`) is kept, at the position the fingerprint was first seen.
pub fn dedup_findings(findings: Vec<Finding>) -> Vec<Finding> {
    let mut index: HashMap<String, usize> = HashMap::with_capacity(findings.len());
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        match index.get(&f.fingerprint) {
            Some(&i) => out[i] = f,
            None => {
                index.insert(f.fingerprint.clone(), out.len());
                out.push(f);
            }
        }
    }
    out
}

/// Notes without exact duplicates, first occurrence kept.
pub fn dedup_notes(notes: Vec<Note>) -> Vec<Note> {
    let mut seen = HashSet::new();
    notes
        .into_iter()
        .filter(|n| seen.insert((n.level as u8, n.subject.clone(), n.message.clone())))
        .collect()
}

/// Read a JSON report written by `nhiscan scan … --format json`. The schema's major version must
/// be this build's (`1`, `1.x`: later minor versions only add fields, which are ignored);
/// anything else is refused with the file and the version named.
pub fn read_report(path: &Path) -> Result<Report> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    parse_report(&text).with_context(|| format!("{}", path.display()))
}

pub fn parse_report(bytes: &[u8]) -> Result<Report> {
    #[derive(serde::Deserialize)]
    struct Head {
        schema_version: Option<serde_json::Value>,
    }
    let head: Head = serde_json::from_slice(bytes).map_err(|e| {
        anyhow::anyhow!(
            "not a JSON document ({}); merge reads reports written by `nhiscan scan … --format json`",
            crate::parse_note::json(&e)
        )
    })?;
    let version = match head.schema_version {
        Some(serde_json::Value::String(v)) => v,
        Some(other) => bail!("schema_version is {other}, not a string: not an nhiscan JSON report"),
        None => bail!(
            "no schema_version: not an nhiscan JSON report (write one with \
             `nhiscan scan … --format json`)"
        ),
    };
    let major = version.split('.').next().unwrap_or("");
    if major != SCHEMA_VERSION {
        bail!(
            "report schema_version \"{version}\" is not supported: this nhiscan reads version \
             \"{SCHEMA_VERSION}\" (and {SCHEMA_VERSION}.x); re-run that scan with this nhiscan \
             version, or merge with the nhiscan that wrote it"
        );
    }
    let mut report: Report = serde_json::from_slice(bytes).map_err(|e| {
        anyhow::anyhow!(
            "schema_version is 1 but the report does not match its schema: {}",
            crate::parse_note::json(&e)
        )
    })?;
    report.schema_version = SCHEMA_VERSION.into();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Location, Owner, OwnerSource};
    use chrono::{TimeZone, Utc};

    fn ident(id: &str, name: &str) -> Identity {
        Identity::new(id, "aws.user", "aws", name)
    }

    #[test]
    fn newest_scalar_wins_and_is_noted_collections_are_unioned() {
        let mut a = ident("u1", "old");
        a.labels.insert("team".into(), "x".into());
        a.last_used_at = Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        let mut b = ident("u1", "new");
        b.labels.insert("env".into(), "prod".into());
        b.owner = Some(Owner {
            name: "team-b".into(),
            source: OwnerSource::Tag,
            detail: None,
        });
        let (out, notes) = merge_identities(vec![
            Batch {
                run: "a.json".into(),
                identities: vec![a, ident("u2", "only-a")],
            },
            Batch {
                run: "b.json".into(),
                identities: vec![b],
            },
        ]);
        assert_eq!(out.len(), 2);
        let u1 = &out[0];
        assert_eq!(u1.name, "new");
        assert!(
            u1.last_used_at.is_some(),
            "a fact only the older run had is kept"
        );
        assert_eq!(u1.labels.len(), 2);
        assert_eq!(u1.owner.as_ref().unwrap().name, "team-b");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].subject, "u1");
        assert!(notes[0].message.contains("name"), "{}", notes[0].message);
        assert!(notes[0].message.contains("a.json, b.json"));
    }

    #[test]
    fn found_locations_union_without_duplicates() {
        let loc = |p: &str| Location {
            path: p.into(),
            line: 1,
            column: 1,
            snippet: None,
            commit: None,
            author: None,
            date: None,
            introductions: None,
        };
        let secret = |locs: Vec<Location>| -> Identity {
            let mut i = ident("repo:1", "k");
            i.credentials.push(Credential {
                id: "sha256:1".into(),
                kind: "token".into(),
                created_at: None,
                last_used_at: None,
                expires_at: None,
                last_rotated_at: None,
                status: "unknown".into(),
                found: Some(FoundSecret {
                    detector: "d".into(),
                    detector_name: "D".into(),
                    service: "s".into(),
                    category: "c".into(),
                    confidence: "high".into(),
                    secret_sha256: "1".into(),
                    secret_hmac: None,
                    redacted: "x…".into(),
                    secret: None,
                    checksum_valid: false,
                    attributes: BTreeMap::new(),
                    locations: locs,
                    present_at_head: None,
                    first_seen_at: None,
                    validation: None,
                }),
            });
            i
        };
        let (out, notes) = merge_identities(vec![
            Batch {
                run: "a".into(),
                identities: vec![secret(vec![loc("x"), loc("y")])],
            },
            Batch {
                run: "b".into(),
                identities: vec![secret(vec![loc("y"), loc("z")])],
            },
        ]);
        let locs = &out[0].credentials[0].found.as_ref().unwrap().locations;
        assert_eq!(
            locs.iter().map(|l| l.path.as_str()).collect::<Vec<_>>(),
            ["x", "y", "z"]
        );
        assert!(notes.is_empty(), "same facts, more places: no conflict");
    }

    #[test]
    fn other_major_versions_are_refused_by_name() {
        let e = parse_report(br#"{"schema_version":"2"}"#).unwrap_err();
        assert!(format!("{e:#}").contains("\"2\" is not supported"));
        let e = parse_report(br#"{"findings":[]}"#).unwrap_err();
        assert!(format!("{e:#}").contains("no schema_version"));
    }
}

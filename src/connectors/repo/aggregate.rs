//! From hits to inventory: every distinct secret (by SHA-256) becomes one credential with all the
//! places it was seen, held by one identity `repo:<hash prefix>`.

use super::file_scan::FileHit;
use crate::detectors::DetectorSet;
use crate::inventory::{Credential, FoundSecret, Identity, Location, redact};
use std::collections::BTreeMap;

pub fn identities(hits: &[FileHit], detectors: &DetectorSet, reveal: bool) -> Vec<Identity> {
    let mut by_secret: BTreeMap<&str, Vec<&FileHit>> = BTreeMap::new();
    for h in hits {
        by_secret.entry(&h.sha256).or_default().push(h);
    }
    by_secret
        .into_values()
        .map(|mut group| {
            group.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
            identity(&group, detectors, reveal)
        })
        .collect()
}

fn identity(group: &[&FileHit], detectors: &DetectorSet, reveal: bool) -> Identity {
    // The most confident detector among the hits names the secret.
    let first = group
        .iter()
        .min_by_key(|h| {
            let d = &detectors.detectors[h.detector];
            (d.generic, confidence_rank(&d.confidence), h.detector)
        })
        .expect("groups are never empty");
    let d = &detectors.detectors[first.detector];
    let mut attributes = first.attributes.clone();
    let decoded = first.decoded.clone().unwrap_or_default();
    attributes.extend(decoded.attributes.clone());
    let redacted = redact(&first.secret);
    let short = &first.sha256[..16];
    let mut locations: Vec<Location> = group
        .iter()
        .map(|h| Location {
            path: h.path.clone(),
            line: h.line,
            column: h.column,
            snippet: Some(h.snippet.clone()),
            commit: None,
            author: None,
            date: None,
        })
        .collect();
    locations.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.column == b.column);
    Identity {
        id: format!("repo:{short}"),
        kind: decoded
            .identity_kind
            .clone()
            .unwrap_or_else(|| d.identity_kind.clone()),
        source: "repo".into(),
        name: format!("{} {redacted}", d.name),
        created_at: decoded.created_at,
        last_used_at: None,
        labels: Default::default(),
        owner: None,
        permissions: Default::default(),
        credentials: vec![Credential {
            id: format!("sha256:{short}"),
            kind: d.kind.clone(),
            created_at: decoded.created_at,
            last_used_at: None,
            expires_at: decoded.expires_at,
            last_rotated_at: None,
            status: "unknown".into(),
            found: Some(FoundSecret {
                detector: d.id.clone(),
                detector_name: d.name.clone(),
                service: d.service.clone(),
                category: d.category.clone(),
                confidence: d.confidence.clone(),
                secret_sha256: first.sha256.clone(),
                redacted,
                secret: reveal.then(|| first.secret.clone()),
                checksum_valid: first.checksum_valid,
                attributes,
                locations,
            }),
        }],
        attributes: Default::default(),
    }
}

fn confidence_rank(c: &str) -> u8 {
    match c {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    }
}

//! From hits to inventory: every distinct secret (by SHA-256) becomes one credential with all the
//! places it was seen, held by one identity `repo:<hash prefix>`.

use super::Confidence;
use super::codeowners::CodeOwners;
use super::file_scan::{FileHit, HitOrigin};
use crate::detectors::DetectorSet;
use crate::inventory::{Credential, FoundSecret, Identity, Location, Owner, OwnerSource};
use std::collections::BTreeMap;

/// Lines apart within which two parts of one credential (a key id and its secret) are paired.
const PAIR_DISTANCE: usize = 5;
/// Hits after each one looked at for its partner. A one-line file can hold 100 000 hits all
/// "near" each other; a real pair sits within a few hits, and looking further is quadratic.
const PAIR_LOOKAHEAD: usize = 16;

/// A hit's confidence: its detector's, or low under a placeholder name.
fn confidence_of(h: &FileHit, detectors: &DetectorSet) -> Confidence {
    if h.placeholder_name.is_some() {
        Confidence::Low
    } else {
        Confidence::of(&detectors.detectors[h.detector].confidence)
    }
}

/// The hits at `min` confidence or above, and how many were left out.
pub fn at_least(
    hits: Vec<FileHit>,
    detectors: &DetectorSet,
    min: Confidence,
) -> (Vec<FileHit>, usize) {
    let before = hits.len();
    let kept: Vec<FileHit> = hits
        .into_iter()
        .filter(|h| confidence_of(h, detectors) >= min)
        .collect();
    let hidden = before - kept.len();
    (kept, hidden)
}

pub fn identities(
    hits: &[FileHit],
    detectors: &DetectorSet,
    reveal: bool,
    owners: Option<&CodeOwners>,
) -> Vec<Identity> {
    let pairs = pairs(hits, detectors);
    let mut by_secret: BTreeMap<&str, Vec<&FileHit>> = BTreeMap::new();
    for h in hits {
        by_secret.entry(&h.sha256).or_default().push(h);
    }
    by_secret
        .into_values()
        .map(|mut group| {
            group.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
            let mut id = identity(&group, detectors, reveal);
            if let Some(co) = owners {
                attach_codeowners(&mut id, co);
            }
            if let Some(partners) = pairs.get(group[0].sha256.as_str()) {
                let list: Vec<String> = partners.iter().map(|p| identity_id(p)).collect();
                if let Some(found) = id.credentials[0].found.as_mut() {
                    found
                        .attributes
                        .insert("paired_with".into(), list.join(","));
                }
            }
            id
        })
        .collect()
}

/// Parts of one credential found near each other in one file (an AWS key id and its secret key,
/// an account SID and its auth token): detectors with the same identity kind but different
/// credential kinds, within a few lines. Each side records the other's identity id.
fn pairs<'a>(hits: &'a [FileHit], detectors: &DetectorSet) -> BTreeMap<&'a str, Vec<&'a str>> {
    let mut by_file: BTreeMap<&str, Vec<&FileHit>> = BTreeMap::new();
    for h in hits {
        by_file.entry(&h.path).or_default().push(h);
    }
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for file_hits in by_file.values() {
        for (i, a) in file_hits.iter().enumerate() {
            let da = &detectors.detectors[a.detector];
            // Hits of one file arrive in offset order, so the partner search stops early.
            for b in file_hits[i + 1..].iter().take(PAIR_LOOKAHEAD) {
                if b.line > a.line + PAIR_DISTANCE {
                    break;
                }
                let db = &detectors.detectors[b.detector];
                if da.identity_kind == db.identity_kind
                    && da.kind != db.kind
                    && !da.generic
                    && !db.generic
                    && a.sha256 != b.sha256
                {
                    out.entry(&a.sha256).or_default().push(&b.anchor);
                    out.entry(&b.sha256).or_default().push(&a.anchor);
                }
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
        v.dedup();
    }
    out
}

/// `repo:` and 16 hex digits of the secret's public hash (keyed for low-entropy secrets).
fn identity_id(anchor: &str) -> String {
    format!("repo:{}", &anchor[..16])
}

fn identity(group: &[&FileHit], detectors: &DetectorSet, reveal: bool) -> Identity {
    // The most confident detector among the hits names the secret.
    let first = group
        .iter()
        .min_by_key(|h| detectors.rank(h.detector, h.checksum_valid))
        .expect("groups are never empty");
    let d = &detectors.detectors[first.detector];
    let mut attributes = first.attributes.clone();
    if let Some(name) = &first.placeholder_name {
        attributes.insert("placeholder_name".into(), name.clone());
    }
    let decoded = first.decoded.clone().unwrap_or_default();
    attributes.extend(decoded.attributes.clone());
    let redacted = first.redacted.clone();
    let short = &first.anchor[..16];
    let mut locations: Vec<Location> = group
        .iter()
        .map(|h| Location {
            path: h.path.clone(),
            line: h.line,
            column: h.column,
            snippet: Some(h.snippet.clone()),
            commit: h.origin.as_ref().map(|o| o.commit.clone()),
            author: h.origin.as_ref().map(|o| o.author.clone()),
            date: h.origin.as_ref().and_then(|o| o.date),
            introductions: h.origin.as_ref().map(|o| o.introductions),
        })
        .collect();
    locations.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.column == b.column);
    let origins: Vec<&HitOrigin> = group.iter().filter_map(|h| h.origin.as_ref()).collect();
    let present_at_head = (!origins.is_empty()).then(|| origins.iter().any(|o| o.at_head));
    // The first introduction in topological order, never by date (dates tie and go backwards).
    let earliest = origins.iter().min_by_key(|o| o.order);
    let owner = earliest.map(|o| Owner {
        name: o.author.clone(),
        source: OwnerSource::CommitAuthor,
        detail: Some(format!("introduced in commit {}", o.commit)),
    });
    let mut identity_attributes = BTreeMap::new();
    if let Some(o) = earliest {
        identity_attributes.insert("introduced_by".to_string(), serde_json::json!(o.author));
        identity_attributes.insert("introduced_in".to_string(), serde_json::json!(o.commit));
    }
    Identity {
        id: identity_id(&first.anchor),
        kind: decoded
            .identity_kind
            .clone()
            .unwrap_or_else(|| d.identity_kind.clone()),
        source: "repo".into(),
        name: format!("{} {redacted}", d.name),
        created_at: decoded.created_at,
        last_used_at: None,
        labels: Default::default(),
        owner,
        permissions: Default::default(),
        credentials: vec![Credential {
            id: if first.low_entropy {
                format!("hmac:{short}")
            } else {
                format!("sha256:{short}")
            },
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
                confidence: match confidence_of(first, detectors) {
                    Confidence::High => "high",
                    Confidence::Medium => "medium",
                    Confidence::Low => "low",
                }
                .to_string(),
                secret_sha256: if first.low_entropy {
                    String::new()
                } else {
                    first.sha256.clone()
                },
                secret_hmac: first.low_entropy.then(|| first.anchor.clone()),
                redacted,
                secret: reveal.then(|| first.secret.clone()),
                checksum_valid: first.checksum_valid,
                attributes,
                locations,
                present_at_head,
                first_seen_at: earliest.and_then(|o| o.date),
                validation: None,
            }),
        }],
        attributes: identity_attributes,
    }
}

/// CODEOWNERS of the secret's first location becomes the owner (a team answers for the path);
/// the owners of every location are kept as evidence.
fn attach_codeowners(id: &mut Identity, co: &CodeOwners) {
    let Some(found) = id.credentials.first().and_then(|c| c.found.as_ref()) else {
        return;
    };
    let mut all: Vec<String> = Vec::new();
    let mut first = None;
    for l in &found.locations {
        if let Some(o) = co.owners_of(&l.path) {
            all.extend(o.owners.iter().cloned());
            first.get_or_insert(o);
        }
    }
    all.sort();
    all.dedup();
    if let Some(o) = first
        && !o.owners.is_empty()
    {
        id.owner = Some(Owner {
            name: o.owners.join(" "),
            source: OwnerSource::Codeowners,
            detail: Some(o.detail),
        });
    }
    id.attributes
        .insert("codeowners".into(), serde_json::json!(all));
}

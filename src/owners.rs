//! Owner resolution over the whole inventory, after the joins: every identity ends with at most
//! one owner, the source it came from and how far to trust it (`owner_confidence`), or, when
//! nothing named one, `owner_tried` saying what was looked at, so "unowned" is a finding an
//! auditor can act on rather than a gap.
//!
//! Order: what the connector found (tag, label, annotation, API field, CODEOWNERS, commit
//! author) unless it is only a commit author; then the owner of a joined identity (a found key
//! takes its IAM user's owner); then the configured mapping (`[[owners.map]]`: first glob over
//! the identity id or name wins); then the commit author as a last resort.

use crate::inventory::{Identity, Owner, OwnerSource};
use anyhow::{Context, Result};
use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The attributes owner resolution adds to every identity: part of the contract rules are
/// checked against (`crate::inventory::Emits`).
pub const ATTRIBUTES: &[&str] = &["owner_confidence", "owner_tried"];

/// One `[[owners.map]]` entry of nhiscan.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapEntry {
    /// Glob over identity ids and names, e.g. `arn:aws:iam::*:role/payments-*`, `k8s:*/payments/*`.
    pub pattern: String,
    pub owner: String,
}

/// The compiled mapping.
pub struct OwnerMap {
    entries: Vec<(GlobMatcher, MapEntry)>,
}

impl OwnerMap {
    pub fn new(entries: &[MapEntry]) -> Result<OwnerMap> {
        let entries = entries
            .iter()
            .map(|e| {
                let glob = Glob::new(&e.pattern)
                    .with_context(|| format!("[[owners.map]] pattern `{}`", e.pattern))?;
                Ok((glob.compile_matcher(), e.clone()))
            })
            .collect::<Result<_>>()?;
        Ok(OwnerMap { entries })
    }

    pub fn empty() -> OwnerMap {
        OwnerMap { entries: vec![] }
    }

    fn owner_of(&self, id: &Identity) -> Option<Owner> {
        self.entries
            .iter()
            .find(|(g, _)| g.is_match(&id.id) || g.is_match(&id.name))
            .map(|(_, e)| Owner {
                name: e.owner.clone(),
                source: OwnerSource::Mapping,
                detail: Some(e.pattern.clone()),
            })
    }
}

/// Identity attributes that name a joined identity whose owner may be borrowed.
const JOIN_KEYS: [&str; 3] = ["iam_identity", "k8s_identities", "github_identities"];

pub fn resolve(identities: &mut [Identity], map: &OwnerMap) {
    // What a joined identity can lend: its own strong owner, else its mapped one.
    let owners: HashMap<String, Owner> = identities
        .iter()
        .filter_map(|i| {
            let own = i
                .owner
                .clone()
                .filter(|o| o.source != OwnerSource::CommitAuthor);
            own.or_else(|| map.owner_of(i)).map(|o| (i.id.clone(), o))
        })
        .collect();
    for id in identities.iter_mut() {
        // A merged inventory is resolved again: earlier conclusions are recomputed, not kept.
        id.attributes.remove("owner_tried");
        id.attributes.remove("owner_confidence");
        let mut tried: Vec<&str> = vec![];
        let strong = id
            .owner
            .as_ref()
            .is_some_and(|o| o.source != OwnerSource::CommitAuthor);
        if !strong {
            tried.push(match id.source.as_str() {
                "aws" => "tags",
                "kubernetes" => "labels and annotations",
                "github" => "API owner",
                "repo" => "CODEOWNERS",
                _ => "source metadata",
            });
            if let Some(o) = joined_owner(id, &owners) {
                id.owner = Some(o);
            } else {
                tried.push("joined identities");
                if let Some(o) = map.owner_of(id) {
                    id.owner = Some(o);
                } else {
                    tried.push("[[owners.map]]");
                }
            }
        }
        match &id.owner {
            Some(o) => {
                id.attributes.insert(
                    "owner_confidence".into(),
                    Value::from(o.source.confidence()),
                );
            }
            None => {
                if id.source == "repo" {
                    tried.push("commit author");
                }
                id.attributes.insert("owner_tried".into(), json!(tried));
            }
        }
    }
}

fn joined_owner(id: &Identity, owners: &HashMap<String, Owner>) -> Option<Owner> {
    JOIN_KEYS.iter().find_map(|k| {
        let linked: Vec<&str> = match id.attributes.get(*k)? {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        linked.into_iter().find_map(|l| {
            owners.get(l).map(|o| Owner {
                name: o.name.clone(),
                source: OwnerSource::Joined,
                detail: Some(format!("owner of {l} ({})", o.source.as_str())),
            })
        })
    })
}

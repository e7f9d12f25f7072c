//! Lookups the joins share (identity by id, IAM access keys by the hash of their id, service
//! accounts by namespace/name) and the deferred edits they produce: joins read the inventory
//! immutably and record what to add, so one join never sees another's half-written facts.

use crate::inventory::{FoundSecret, Identity, secret_sha256};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

pub struct Index {
    /// sha256 of an IAM access key id → (identity index, credential index).
    pub aws_key_by_hash: HashMap<String, (usize, usize)>,
    /// (namespace, service account) → identity indexes (one per cluster scanned).
    pub service_accounts: HashMap<(String, String), Vec<usize>>,
    /// identity id → index.
    pub by_id: HashMap<String, usize>,
    /// AWS account ids that were scanned (from the identities' `account_id` attribute or ARN).
    pub aws_accounts: BTreeSet<String>,
}

impl Index {
    pub fn build(identities: &[Identity]) -> Index {
        let mut idx = Index {
            aws_key_by_hash: HashMap::new(),
            service_accounts: HashMap::new(),
            by_id: HashMap::new(),
            aws_accounts: BTreeSet::new(),
        };
        for (i, id) in identities.iter().enumerate() {
            idx.by_id.insert(id.id.clone(), i);
            match id.source.as_str() {
                "aws" => {
                    if let Some(acct) = aws_account_of(id) {
                        idx.aws_accounts.insert(acct);
                    }
                    for (c, cred) in id.credentials.iter().enumerate() {
                        if cred.kind == "access_key" && cred.found.is_none() {
                            idx.aws_key_by_hash
                                .insert(secret_sha256(cred.id.as_bytes()), (i, c));
                        }
                    }
                }
                "kubernetes" if id.kind == "k8s.service_account" => {
                    if let Some((ns, name)) = id.name.split_once('/') {
                        idx.service_accounts
                            .entry((ns.to_string(), name.to_string()))
                            .or_default()
                            .push(i);
                    }
                }
                _ => {}
            }
        }
        idx
    }
}

/// The account an AWS identity belongs to: its `account_id` attribute, else its ARN's 5th field.
pub fn aws_account_of(id: &Identity) -> Option<String> {
    if let Some(Value::String(a)) = id.attributes.get("account_id") {
        return Some(a.clone());
    }
    id.id
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(3))
        .filter(|a| !a.is_empty())
        .map(str::to_string)
}

/// One fact to add to one identity's attributes. List-valued keys accumulate.
pub struct Edit {
    pub target: usize,
    pub key: &'static str,
    pub value: Value,
    /// Append to a list under `key` instead of setting it.
    pub append: bool,
}

impl Edit {
    pub fn set(target: usize, key: &'static str, value: Value) -> Edit {
        debug_assert!(
            super::ATTRIBUTES.contains(&key),
            "join attribute `{key}` is not declared in correlate::ATTRIBUTES"
        );
        Edit {
            target,
            key,
            value,
            append: false,
        }
    }

    pub fn push(target: usize, key: &'static str, value: Value) -> Edit {
        debug_assert!(
            super::ATTRIBUTES.contains(&key),
            "join attribute `{key}` is not declared in correlate::ATTRIBUTES"
        );
        Edit {
            target,
            key,
            value,
            append: true,
        }
    }
}

pub fn apply(identities: &mut [Identity], edits: Vec<Edit>) {
    for e in edits {
        let attrs = &mut identities[e.target].attributes;
        if e.append {
            let slot = attrs
                .entry(e.key.to_string())
                .or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(list) = slot
                && !list.contains(&e.value)
            {
                list.push(e.value);
            }
        } else {
            attrs.insert(e.key.to_string(), e.value);
        }
    }
}

/// Every secret found in code, with the index of its identity: what most joins start from.
pub fn found_secrets(
    identities: &[Identity],
) -> impl Iterator<Item = (usize, &Identity, &FoundSecret)> {
    identities
        .iter()
        .enumerate()
        .filter(|(_, id)| id.source == "repo")
        .flat_map(|(i, id)| {
            id.credentials
                .iter()
                .filter_map(|c| c.found.as_ref())
                .map(move |f| (i, id, f))
        })
}

/// Where a found secret was seen, as `path:line` strings (with the commit when known).
pub fn seen_at(id: &Identity) -> Vec<String> {
    id.credentials
        .iter()
        .filter_map(|c| c.found.as_ref())
        .flat_map(|f| f.locations.iter())
        .map(|l| match &l.commit {
            Some(c) => format!("{}:{}@{}", l.path, l.line, &c[..c.len().min(12)]),
            None => format!("{}:{}", l.path, l.line),
        })
        .collect()
}

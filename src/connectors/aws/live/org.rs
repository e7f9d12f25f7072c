//! The organisation around an account, through the Organizations API (management-account or
//! delegated-administrator credentials):
//!
//! - [`ceiling`]: the SCPs and RCPs that apply to one account — attached to the account, to each
//!   OU above it and to the root (`ListParents`, `ListPoliciesForTarget`, `DescribePolicy`) —
//!   one [`Ceiling`] level per target. The management account is exempt. A denied call, or an
//!   account outside any organisation, is a note and the scan runs without a ceiling.
//! - [`accounts`]: the organisation's active accounts, for `scan aws --org`.

use super::super::policy::ceiling::Ceiling;
use super::super::scp;
use super::errors::{Failure, classify};
use crate::inventory::{Note, NoteLevel};
use anyhow::{Result, bail};
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{AccountStatus, PolicyType};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Pages per list call, and OU depth (AWS allows five levels of OUs).
const MAX_PAGES: usize = 1000;
const MAX_DEPTH: usize = 10;
const NO_CEILING: &str = "SCPs and RCPs were not read: permission flags ignore the \
    organisation's ceiling (grant organizations:List*/Describe* to the scanning principal, or \
    give the policies with --scp)";

/// The ceiling over `account`, and the organisation's management account.
pub async fn ceiling(
    client: &Client,
    account: &str,
    calls: &AtomicU64,
    notes: &mut Vec<Note>,
) -> (Option<Arc<Ceiling>>, Option<String>) {
    let count = || calls.fetch_add(1, Ordering::Relaxed);
    count();
    let management = match client.describe_organization().send().await {
        Ok(o) => o
            .organization()
            .and_then(|o| o.master_account_id())
            .map(str::to_string),
        Err(e) => {
            let not_in_org = e
                .as_service_error()
                .is_some_and(|s| s.is_aws_organizations_not_in_use_exception());
            if not_in_org {
                notes.push(Note::new(
                    NoteLevel::Info,
                    "organizations:DescribeOrganization",
                    "the account is not in an organisation: no SCPs or RCPs apply",
                ));
            } else {
                gap(notes, "organizations:DescribeOrganization", &classify(&e));
            }
            return (None, None);
        }
    };
    if management.as_deref() == Some(account) {
        notes.push(Note::new(
            NoteLevel::Info,
            "control policies",
            "this is the organisation's management account: SCPs and RCPs do not restrict it",
        ));
        return (None, management);
    }
    // The account, then each parent up to the root.
    let mut targets = vec![account.to_string()];
    for _ in 0..MAX_DEPTH {
        count();
        let child = targets.last().cloned().unwrap_or_default();
        match client.list_parents().child_id(&child).send().await {
            Ok(out) => match out.parents().first().and_then(|p| p.id()) {
                Some(id) => {
                    let root = id.starts_with("r-");
                    targets.push(id.to_string());
                    if root {
                        break;
                    }
                }
                None => break,
            },
            Err(e) => {
                gap(notes, "organizations:ListParents", &classify(&e));
                return (None, management);
            }
        }
    }
    let mut c = Ceiling::default();
    for target in targets.iter().rev() {
        let mut level = Vec::new();
        for ty in [
            PolicyType::ServiceControlPolicy,
            PolicyType::ResourceControlPolicy,
        ] {
            let ids = match policy_ids(client, target, ty.clone(), &count).await {
                Ok(ids) => ids,
                Err(f) if ty == PolicyType::ResourceControlPolicy => {
                    // RCPs are newer than SCPs; an endpoint or organisation without them is
                    // not a reason to drop the SCPs.
                    gap(notes, "organizations:ListPoliciesForTarget (RCP)", &f);
                    continue;
                }
                Err(f) => {
                    gap(notes, "organizations:ListPoliciesForTarget", &f);
                    return (None, management);
                }
            };
            for id in ids {
                count();
                let out = match client.describe_policy().policy_id(&id).send().await {
                    Ok(o) => o,
                    Err(e) => {
                        gap(
                            notes,
                            &format!("organizations:DescribePolicy {id}"),
                            &classify(&e),
                        );
                        return (None, management);
                    }
                };
                let Some(p) = out.policy() else { continue };
                let s = p.policy_summary();
                let json = serde_json::json!({"Policy": {
                    "PolicySummary": {
                        "Id": s.and_then(|s| s.id()),
                        "Name": s.and_then(|s| s.name()),
                        "Type": s.and_then(|s| s.r#type()).map(|t| t.as_str()),
                    },
                    "Content": p.content(),
                }});
                match scp::parse(&json, &id) {
                    Ok((true, parsed)) => c.rcps.push(Arc::new(parsed)),
                    Ok((false, parsed)) => level.push(Arc::new(parsed)),
                    Err(e) => notes.push(Note::warning(
                        format!("organizations policy {id}"),
                        format!("{e}; this control policy is not applied"),
                    )),
                }
            }
        }
        c.scps.push(level);
    }
    (Some(Arc::new(c)), management)
}

async fn policy_ids(
    client: &Client,
    target: &str,
    ty: PolicyType,
    count: &impl Fn() -> u64,
) -> Result<Vec<String>, Failure> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        count();
        let out = client
            .list_policies_for_target()
            .target_id(target)
            .filter(ty.clone())
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(&e))?;
        ids.extend(
            out.policies()
                .iter()
                .filter_map(|p| p.id().map(str::to_string)),
        );
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(ids)
}

/// The organisation's active account ids, sorted, or an error saying what to fix.
pub async fn accounts(client: &Client) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = match client
            .list_accounts()
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => bail!(
                "listing the organisation's accounts (organizations:ListAccounts): {}; --org needs \
                 management-account or delegated-administrator credentials",
                match classify(&e) {
                    Failure::Denied(m)
                    | Failure::Unsupported(m)
                    | Failure::Credentials(m)
                    | Failure::Other(m) => m,
                }
            ),
        };
        ids.extend(
            out.accounts()
                .iter()
                .filter(|a| a.status() == Some(&AccountStatus::Active))
                .filter_map(|a| a.id().map(str::to_string)),
        );
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

fn gap(notes: &mut Vec<Note>, call: &str, f: &Failure) {
    let msg = match f {
        Failure::Denied(m) => format!("access denied; {NO_CEILING}: {m}"),
        Failure::Unsupported(_) => format!("unsupported by this endpoint; {NO_CEILING}"),
        Failure::Credentials(m) | Failure::Other(m) => format!("failed ({m}); {NO_CEILING}"),
    };
    notes.push(Note::warning(call, msg));
}

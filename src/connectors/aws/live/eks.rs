//! EKS Pod Identity associations in the scan's region: which Kubernetes service account
//! (`k8s:<cluster>/<namespace>/<name>`) runs as which IAM role. Pod Identity needs no annotation
//! on the service account, so only the EKS API knows the link: `ListClusters`, then per cluster
//! `ListPodIdentityAssociations` and `DescribePodIdentityAssociation` (the summary has no role).
//! A denied or unimplemented call is a coverage note; the IAM scan stands without it.

use super::super::export::PodIdentity;
use super::errors::{Failure, classify};
use super::fetch::CONCURRENCY;
use crate::inventory::Note;
use aws_sdk_eks::Client;
use futures_util::{StreamExt, stream};
use std::sync::atomic::{AtomicU64, Ordering};

/// Pages per list call before giving up on a server that never stops.
const MAX_PAGES: usize = 1000;
const CONSEQUENCE: &str = "EKS Pod Identity roles are not linked to their service accounts";

pub async fn pod_identities(
    client: &Client,
    calls: &AtomicU64,
    notes: &mut Vec<Note>,
) -> Vec<PodIdentity> {
    let count = || calls.fetch_add(1, Ordering::Relaxed);
    let mut clusters = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        count();
        match client
            .list_clusters()
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(out) => {
                clusters.extend(out.clusters().iter().cloned());
                match out.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
            Err(e) => {
                note(notes, "eks:ListClusters", &classify(&e));
                return vec![];
            }
        }
    }
    let mut found = Vec::new();
    for cluster in clusters {
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        let mut failed = false;
        for _ in 0..MAX_PAGES {
            count();
            let page = client
                .list_pod_identity_associations()
                .cluster_name(&cluster)
                .set_next_token(token.take())
                .send()
                .await;
            match page {
                Ok(out) => {
                    ids.extend(
                        out.associations()
                            .iter()
                            .filter_map(|a| a.association_id().map(str::to_string)),
                    );
                    match out.next_token() {
                        Some(t) if !t.is_empty() => token = Some(t.to_string()),
                        _ => break,
                    }
                }
                Err(e) => {
                    note(
                        notes,
                        &format!("eks:ListPodIdentityAssociations {cluster}"),
                        &classify(&e),
                    );
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            continue;
        }
        let described: Vec<Result<PodIdentity, Failure>> = stream::iter(ids)
            .map(|id| {
                let cluster = cluster.clone();
                async move {
                    count();
                    let out = client
                        .describe_pod_identity_association()
                        .cluster_name(&cluster)
                        .association_id(&id)
                        .send()
                        .await
                        .map_err(|e| classify(&e))?;
                    let a = out.association().ok_or_else(|| {
                        Failure::Other(format!("association {id} without details"))
                    })?;
                    Ok(PodIdentity {
                        cluster: cluster.clone(),
                        namespace: a.namespace().unwrap_or_default().to_string(),
                        service_account: a.service_account().unwrap_or_default().to_string(),
                        role_arn: a.role_arn().unwrap_or_default().to_string(),
                        association_id: id,
                    })
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut first_failure = None;
        let mut failures = 0;
        for d in described {
            match d {
                Ok(p) if !p.role_arn.is_empty() => found.push(p),
                Ok(_) => {}
                Err(f) => {
                    failures += 1;
                    first_failure.get_or_insert(f);
                }
            }
        }
        if let Some(f) = first_failure {
            note(
                notes,
                &format!("eks:DescribePodIdentityAssociation {cluster} ({failures} failed)"),
                &f,
            );
        }
    }
    found.sort_by(|a, b| {
        (&a.cluster, &a.namespace, &a.service_account).cmp(&(
            &b.cluster,
            &b.namespace,
            &b.service_account,
        ))
    });
    found
}

fn note(notes: &mut Vec<Note>, call: &str, f: &Failure) {
    let msg = match f {
        Failure::Denied(m) => {
            format!("access denied (grant eks:List*/Describe*); {CONSEQUENCE}: {m}")
        }
        Failure::Unsupported(_) => format!("unsupported by this endpoint; {CONSEQUENCE}"),
        Failure::Credentials(m) | Failure::Other(m) => format!("failed ({m}); {CONSEQUENCE}"),
    };
    notes.push(Note::warning(call, msg));
}

//! One paginated IAM list call per user (`ListAccessKeys`, `ListSSHPublicKeys`), `CONCURRENCY`
//! users at a time, with every page counted as an API call. The callers differ only in the call
//! and in what each item becomes, so the fan-out, the pagination loop and the failure tally live
//! here once.

use super::errors::Failure;
use super::fetch::CONCURRENCY;
use futures_util::{StreamExt, stream};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What a per-user listing found.
pub struct PerUser<T> {
    /// Every user whose listing succeeded (possibly with no items), with its items.
    pub listed: BTreeMap<String, Vec<T>>,
    /// Users whose listing failed.
    pub failed: usize,
    /// A failure to report once for all of them (one with a message, when there is one).
    pub first_failure: Option<Failure>,
}

/// List every user's items. `page(user, marker)` makes one call and returns that page's items
/// and the next marker (`None` on the last page). With `stop_when_unsupported`, once the endpoint
/// says it does not implement the call the remaining users are not asked (each would only cost
/// retries); they count as failed.
pub async fn per_user<T, P, Fut>(
    users: &[String],
    calls: &AtomicU64,
    stop_when_unsupported: bool,
    page: P,
) -> PerUser<T>
where
    P: Fn(String, Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), Failure>>,
{
    let unsupported = &AtomicBool::new(false);
    let page = &page;
    let results: Vec<(String, Result<Vec<T>, Failure>)> = stream::iter(users.iter().cloned())
        .map(|user| async move {
            let mut items = Vec::new();
            let mut marker = None;
            loop {
                if stop_when_unsupported && unsupported.load(Ordering::Relaxed) {
                    return (user, Err(Failure::Unsupported(String::new())));
                }
                calls.fetch_add(1, Ordering::Relaxed);
                match page(user.clone(), marker.take()).await {
                    Ok((mut got, next)) => {
                        items.append(&mut got);
                        match next {
                            Some(m) => marker = Some(m),
                            None => return (user, Ok(items)),
                        }
                    }
                    Err(f) => {
                        if matches!(f, Failure::Unsupported(_)) {
                            unsupported.store(true, Ordering::Relaxed);
                        }
                        return (user, Err(f));
                    }
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut found = PerUser {
        listed: BTreeMap::new(),
        failed: 0,
        first_failure: None,
    };
    for (user, r) in results {
        match r {
            Ok(items) => {
                found.listed.insert(user, items);
            }
            Err(f) => {
                found.failed += 1;
                // Prefer a failure with a message over the placeholder of a skipped user.
                if found
                    .first_failure
                    .as_ref()
                    .is_none_or(|g| matches!(g, Failure::Unsupported(m) if m.is_empty()))
                {
                    found.first_failure = Some(f);
                }
            }
        }
    }
    found
}

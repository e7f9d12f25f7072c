//! The `GetAccountAuthorizationDetails` pagination loop (Marker / IsTruncated), separate from the
//! SDK so it is unit-tested on a canned multi-page sequence (moto returns everything in one page).

use super::super::export::AuthDetails;
use std::future::Future;

/// A stop for a server that keeps answering `IsTruncated` (10,000 pages of 1,000 items).
pub const MAX_PAGES: usize = 10_000;

/// Fetch every page, feeding each page's marker to the next request. Returns the merged
/// details and the number of pages (API calls) it took.
pub async fn all_pages<F, Fut, E>(mut fetch: F) -> Result<(AuthDetails, u64), PageError<E>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<AuthDetails, E>>,
{
    let mut all = AuthDetails::default();
    let mut marker: Option<String> = None;
    for page_no in 1..=MAX_PAGES {
        let page = fetch(marker.take()).await.map_err(PageError::Call)?;
        let next = page
            .marker
            .clone()
            .filter(|m| page.is_truncated && !m.is_empty());
        all.extend(page);
        match next {
            Some(m) => marker = Some(m),
            None => {
                all.is_truncated = false;
                all.marker = None;
                return Ok((all, page_no as u64));
            }
        }
    }
    Err(PageError::TooMany)
}

#[derive(Debug)]
pub enum PageError<E> {
    Call(E),
    TooMany,
}

#[cfg(test)]
mod tests {
    use super::super::super::export::{RoleDetail, UserDetail};
    use super::*;
    use std::sync::Mutex;

    fn page(user: &str, marker: Option<&str>) -> AuthDetails {
        AuthDetails {
            user_detail_list: vec![UserDetail {
                user_name: user.into(),
                arn: format!("arn:aws:iam::1:user/{user}"),
                ..Default::default()
            }],
            role_detail_list: vec![RoleDetail {
                role_name: format!("r-{user}"),
                arn: format!("arn:aws:iam::1:role/r-{user}"),
                ..Default::default()
            }],
            is_truncated: marker.is_some(),
            marker: marker.map(String::from),
            ..Default::default()
        }
    }

    fn run<F, Fut>(f: F) -> Result<(AuthDetails, u64), PageError<String>>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<AuthDetails, String>>,
    {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(all_pages(f))
    }

    #[test]
    fn follows_markers_and_merges_pages() {
        let seen = Mutex::new(Vec::new());
        let (all, pages) = run(|m: Option<String>| {
            seen.lock().unwrap().push(m.clone());
            let p = match m.as_deref() {
                None => page("a", Some("m1")),
                Some("m1") => page("b", Some("m2")),
                Some("m2") => page("c", None),
                Some(other) => panic!("unexpected marker {other}"),
            };
            async move { Ok(p) }
        })
        .unwrap();
        assert_eq!(pages, 3);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![None, Some("m1".to_string()), Some("m2".to_string())]
        );
        let names: Vec<_> = all
            .user_detail_list
            .iter()
            .map(|u| u.user_name.as_str())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(all.role_detail_list.len(), 3);
        assert!(!all.is_truncated && all.marker.is_none());
    }

    #[test]
    fn a_marker_without_is_truncated_ends_the_loop() {
        let (all, pages) = run(|_| async {
            let mut p = page("a", Some("ignored"));
            p.is_truncated = false;
            Ok(p)
        })
        .unwrap();
        assert_eq!((pages, all.user_detail_list.len()), (1, 1));
    }

    #[test]
    fn errors_stop_the_loop_and_endless_truncation_is_bounded() {
        let mut n = 0;
        let r = run(|_| {
            n += 1;
            let res = if n == 2 {
                Err("denied".to_string())
            } else {
                Ok(page("a", Some("m")))
            };
            async move { res }
        });
        assert!(matches!(r, Err(PageError::Call(ref e)) if e == "denied"));
        let r = run(|_| async { Ok(page("a", Some("same"))) });
        assert!(matches!(r, Err(PageError::TooMany)));
    }
}

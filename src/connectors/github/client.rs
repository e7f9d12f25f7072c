//! The HTTP side of the live GitHub connector, on octocrab's authenticated client: one GET with
//! rate-limit handling, JSON decoding that names the endpoint when a body is malformed, and
//! pagination that follows `Link: rel="next"` to the end. Every request is counted.
//!
//! Rate limits: a 403/429 with `x-ratelimit-remaining: 0`, `retry-after` or a "rate limit"
//! message is a limit, not a denial. If it lifts within `max_wait` the call sleeps (a warning
//! on stderr says until when) and retries; otherwise the client stops issuing calls and every
//! later call fails fast with [`ApiError::RateLimited`], so the scan ends cleanly with coverage
//! notes naming what was not read.
//!
//! Transient failures — a 500/502/503/504 or a dropped connection — are retried
//! [`MAX_RETRIES`] times with doubling backoff from [`FIRST_BACKOFF`]; GitHub's front end
//! answers those now and then on large orgs, and one should not cost a repository's data.
//!
//! `next` links are followed only on the API host itself: octocrab attaches the token only to
//! relative URIs, and a link to another host must never receive it.

use super::cache::{Entry, EtagCache};
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Retries of a transient failure (5xx, connection reset) before it becomes the endpoint's error.
pub const MAX_RETRIES: u32 = 3;
/// The first retry's delay; each next one doubles (0.25 s, 0.5 s, 1 s: under 2 s in all).
pub const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Waits for one call's rate limit to lift before giving up on it.
const MAX_RATE_LIMIT_WAITS: u32 = 3;

/// Why one endpoint could not be read. Callers turn these into coverage notes.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("HTTP {status}: {message}")]
    Status { status: u16, message: String },
    #[error("rate limit exhausted ({0}); the rest of the scan was skipped")]
    RateLimited(String),
    #[error("malformed response: {0}")]
    Malformed(String),
    #[error("request failed: {0}")]
    Transport(String),
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The response headers the client reads.
#[derive(Debug, Default)]
struct Headers {
    link: Option<String>,
    retry_after: Option<u64>,
    remaining: Option<u64>,
    reset: Option<u64>,
}

pub struct Api {
    crab: Octocrab,
    /// `scheme://authority` of the API, to recognise our own `next` links.
    origin: String,
    /// Longest wait for a rate limit to lift before giving up on the rest of the scan.
    max_wait: Duration,
    calls: AtomicU64,
    /// Calls GitHub answered `304 Not Modified` from `--cache` (not charged to the rate limit).
    not_modified: AtomicU64,
    /// The API root as given, the first half of a cache key.
    api_url: String,
    cache: Option<EtagCache>,
    /// Set once a rate limit could not be waited out: later calls fail fast.
    stopped: Mutex<Option<String>>,
}

impl Api {
    pub fn new(crab: Octocrab, api_url: &str, max_wait: Duration) -> Api {
        let origin = match api_url.find("://") {
            Some(i) => {
                let rest = &api_url[i + 3..];
                let end = rest.find('/').map(|e| i + 3 + e).unwrap_or(api_url.len());
                api_url[..end].to_string()
            }
            None => api_url.to_string(),
        };
        Api {
            crab,
            origin,
            max_wait,
            calls: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
            api_url: api_url.to_string(),
            cache: None,
            stopped: Mutex::new(None),
        }
    }

    /// Send `If-None-Match` from, and keep ETags in, this cache.
    pub fn with_cache(mut self, cache: Option<EtagCache>) -> Api {
        self.cache = cache;
        self
    }

    /// Requests sent so far (retries included).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Of those, the ones answered `304 Not Modified` (free under GitHub's rate limit).
    pub fn not_modified(&self) -> u64 {
        self.not_modified.load(Ordering::Relaxed)
    }

    /// One GET (path + query, relative to the API root), with rate-limit waits and retries of
    /// transient failures.
    async fn get_raw(&self, path: &str) -> Result<(u16, Headers, String), ApiError> {
        let mut limited = 0;
        let mut retries = 0;
        loop {
            if let Some(why) = self.stopped.lock().expect("lock").clone() {
                return Err(ApiError::RateLimited(why));
            }
            self.calls.fetch_add(1, Ordering::Relaxed);
            let (status, headers, body) = match self.send(path).await {
                Ok(r) => r,
                Err(e) if retries < MAX_RETRIES => {
                    retries += 1;
                    self.back_off(path, retries, &e.to_string()).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if matches!(status, 500 | 502 | 503 | 504) && retries < MAX_RETRIES {
                retries += 1;
                self.back_off(path, retries, &format!("HTTP {status}"))
                    .await;
                continue;
            }
            if !is_rate_limited(status, &headers, &body) {
                return Ok((status, headers, body));
            }
            let wait = wait_for(&headers);
            let lifts_at = chrono::Utc::now()
                + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
            let lifts_at = lifts_at.format("%H:%M:%S UTC");
            limited += 1;
            if wait <= self.max_wait && limited <= MAX_RATE_LIMIT_WAITS {
                tracing::warn!(
                    "GitHub rate limit on {path}: waiting {}s, until {lifts_at} \
                     (--max-rate-limit-wait {}s)",
                    wait.as_secs(),
                    self.max_wait.as_secs()
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            let why = if wait > self.max_wait {
                format!(
                    "the limit lifts in {}s (at {lifts_at}), longer than the {}s allowed \
                     (--max-rate-limit-wait)",
                    wait.as_secs(),
                    self.max_wait.as_secs()
                )
            } else {
                format!(
                    "still limited after {MAX_RATE_LIMIT_WAITS} waits on {} (the last asked \
                     for {}s, within --max-rate-limit-wait {}s)",
                    path.split('?').next().unwrap_or(path),
                    wait.as_secs(),
                    self.max_wait.as_secs()
                )
            };
            *self.stopped.lock().expect("lock") = Some(why.clone());
            return Err(ApiError::RateLimited(why));
        }
    }

    /// Send one GET and read the whole answer; a dropped connection is a `Transport` error.
    /// With a cache, the cached ETag goes along and a `304` is answered from the cache (as a
    /// `200` with the cached body and `Link`); a `200` with an ETag is kept.
    async fn send(&self, path: &str) -> Result<(u16, Headers, String), ApiError> {
        let key = format!("{}{path}", self.api_url);
        let cached = self.cache.as_ref().and_then(|c| c.get(&key));
        let conditional = cached.as_ref().and_then(|e| {
            let value = http::HeaderValue::from_str(&e.etag).ok()?;
            let mut h = http::HeaderMap::new();
            h.insert(http::header::IF_NONE_MATCH, value);
            Some(h)
        });
        let resp = match conditional {
            Some(h) => self.crab._get_with_headers(path, Some(h)).await,
            None => self.crab._get(path).await,
        }
        .map_err(|e| ApiError::Transport(format!("{e}")))?;
        let status = resp.status().as_u16();
        let h = resp.headers();
        let text = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(str::to_string);
        let num = |k: &str| text(k).and_then(|v| v.trim().parse::<u64>().ok());
        let mut headers = Headers {
            link: text("link"),
            retry_after: num("retry-after"),
            remaining: num("x-ratelimit-remaining"),
            reset: num("x-ratelimit-reset"),
        };
        let etag = text("etag");
        let body = self
            .crab
            .body_to_string(resp)
            .await
            .map_err(|e| ApiError::Transport(format!("reading the body: {e}")))?;
        if status == 304
            && let Some(e) = cached
        {
            self.not_modified.fetch_add(1, Ordering::Relaxed);
            headers.link = e.link;
            return Ok((200, headers, e.body));
        }
        if status == 200
            && let (Some(cache), Some(etag)) = (&self.cache, etag)
        {
            let entry = Entry {
                etag,
                link: headers.link.clone(),
                body,
            };
            cache.put(&key, &entry);
            return Ok((status, headers, entry.body));
        }
        Ok((status, headers, body))
    }

    /// Sleep before retry number `n` (1-based) of a transient failure.
    async fn back_off(&self, path: &str, n: u32, what: &str) {
        let delay = FIRST_BACKOFF * 2u32.pow(n - 1);
        tracing::warn!(
            "GitHub {path}: {what}; retry {n} of {MAX_RETRIES} in {}ms",
            delay.as_millis()
        );
        tokio::time::sleep(delay).await;
    }

    /// GET one JSON document.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let (status, _, body) = self.get_raw(path).await?;
        check(status, &body)?;
        serde_json::from_str(&body).map_err(|e| ApiError::Malformed(format!("{e}")))
    }

    /// GET every page of a list. `key` names the array inside a wrapper object
    /// (`{"total_count": …, "secrets": [...]}`); `None` for a bare array.
    pub async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        key: Option<&str>,
    ) -> Result<Vec<T>, ApiError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{sep}per_page=100"));
        let mut out = Vec::new();
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 10_000 {
                return Err(ApiError::Malformed("more than 10000 pages".into()));
            }
            let (status, headers, body) = self.get_raw(&url).await?;
            check(status, &body)?;
            let mut v: Value = serde_json::from_str(&body)
                .map_err(|e| ApiError::Malformed(format!("page {pages}: {e}")))?;
            let items = match key {
                Some(k) => v.get_mut(k).map(Value::take),
                None => Some(v),
            };
            let items = match items {
                Some(Value::Array(a)) => a,
                _ => {
                    return Err(ApiError::Malformed(format!(
                        "page {pages}: expected a list{}",
                        key.map(|k| format!(" under `{k}`")).unwrap_or_default()
                    )));
                }
            };
            for item in items {
                out.push(
                    serde_json::from_value(item)
                        .map_err(|e| ApiError::Malformed(format!("page {pages}: {e}")))?,
                );
            }
            if let Some(link) = headers.link.as_deref().and_then(next_link) {
                next = Some(self.local(&link)?);
            }
        }
        Ok(out)
    }

    /// A `next` link as a path relative to the API root; links to another host are refused.
    fn local(&self, link: &str) -> Result<String, ApiError> {
        if link.starts_with('/') {
            return Ok(link.to_string());
        }
        match link.strip_prefix(&self.origin) {
            Some(rest) if rest.starts_with('/') => Ok(rest.to_string()),
            _ => Err(ApiError::Malformed(format!(
                "pagination link points to another host ({link}); not followed, so the token \
                 is not sent there"
            ))),
        }
    }
}

/// A non-2xx status as an error carrying GitHub's `message`.
fn check(status: u16, body: &str) -> Result<(), ApiError> {
    if (200..300).contains(&status) {
        return Ok(());
    }
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect());
    Err(ApiError::Status { status, message })
}

fn is_rate_limited(status: u16, h: &Headers, body: &str) -> bool {
    match status {
        429 => true,
        403 => {
            h.remaining == Some(0)
                || h.retry_after.is_some()
                || body.to_ascii_lowercase().contains("rate limit")
        }
        _ => false,
    }
}

/// How long until the limit lifts: `retry-after`, else `x-ratelimit-reset`, else the one
/// minute GitHub documents for secondary limits without headers.
fn wait_for(h: &Headers) -> Duration {
    if let Some(s) = h.retry_after {
        return Duration::from_secs(s);
    }
    if h.remaining == Some(0)
        && let Some(reset) = h.reset
    {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        return Duration::from_secs(reset.saturating_sub(now) + 1);
    }
    Duration::from_secs(60)
}

/// The `rel="next"` target of a Link header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_link_among_others() {
        let h = r#"<http://127.0.0.1:9/orgs/o/repos?page=1>; rel="prev", <http://127.0.0.1:9/orgs/o/repos?page=3>; rel="next", <http://127.0.0.1:9/orgs/o/repos?page=9>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("http://127.0.0.1:9/orgs/o/repos?page=3")
        );
        assert_eq!(next_link(r#"<http://x/a>; rel="last""#), None);
    }

    #[test]
    fn rate_limit_is_told_apart_from_a_denial() {
        let limited = Headers {
            remaining: Some(0),
            ..Default::default()
        };
        assert!(is_rate_limited(403, &limited, ""));
        assert!(!is_rate_limited(
            403,
            &Headers::default(),
            "Resource not accessible"
        ));
        assert!(is_rate_limited(
            403,
            &Headers::default(),
            "You have exceeded a secondary rate limit"
        ));
        assert_eq!(
            wait_for(&Headers {
                retry_after: Some(3),
                ..Default::default()
            }),
            Duration::from_secs(3)
        );
    }
}

//! Sending the checks: one HTTP client per run (rustls, the process's one crypto provider, no
//! redirects followed), a concurrency bound per provider, a timeout per request, and a cache so
//! each distinct request goes out once per run however many connectors found the secret.

use super::request::Rendered;
use super::{MAX_BODY, PER_PROVIDER_CONCURRENCY, render, verdict};
use crate::detectors::DetectorSet;
use crate::inventory::{Identity, Validation, Validity};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OnceCell, Semaphore};

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// Verdicts of this run by request key, and each provider's concurrency bound. Shared by every
/// repo connector of a run.
#[derive(Default)]
pub struct Cache {
    verdicts: Mutex<HashMap<String, Arc<OnceCell<Validation>>>>,
    providers: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Cache {
    fn cell(&self, key: &str) -> Arc<OnceCell<Validation>> {
        let mut m = self.verdicts.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(key.to_string()).or_default().clone()
    }

    fn bound(&self, provider: &str) -> Arc<Semaphore> {
        let mut m = self.providers.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(provider.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(PER_PROVIDER_CONCURRENCY)))
            .clone()
    }

    /// How many distinct checks this run has made (or started).
    pub fn len(&self) -> usize {
        self.verdicts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cache({} checks)", self.len())
    }
}

/// The `--validate` settings of a repo source, with the run's cache.
#[derive(Debug)]
pub struct Validator {
    pub endpoints: super::Endpoints,
    pub timeout: Duration,
    pub allow_insecure_http: bool,
    pub cache: Arc<Cache>,
}

impl Validator {
    /// Check every found credential of `identities` whose secret is in `secrets` (by SHA-256)
    /// and record the verdict on it. Partners found nearby (`paired_with`) lend their secret
    /// under their credential kind (`{{secret_key}}`, `{{access_key}}`).
    pub fn apply(
        &self,
        identities: &mut [Identity],
        secrets: &HashMap<&str, &str>,
        detectors: &DetectorSet,
    ) -> anyhow::Result<()> {
        let mut by_id: HashMap<&str, (&str, &str)> = HashMap::new();
        for id in identities.iter() {
            if let Some(c) = id.credentials.first()
                && let Some(f) = &c.found
                && let Some(s) = secrets.get(f.secret_sha256.as_str())
            {
                by_id.insert(&id.id, (&c.kind, s));
            }
        }
        let mut jobs: Vec<(usize, Result<Rendered, Validation>)> = Vec::new();
        for (i, id) in identities.iter().enumerate() {
            let Some(found) = id.credentials.first().and_then(|c| c.found.as_ref()) else {
                continue;
            };
            let Some(secret) = secrets.get(found.secret_sha256.as_str()) else {
                continue;
            };
            let detector = detectors.get(&found.detector);
            let Some((d, spec)) = detector.and_then(|d| Some((d, d.validate.as_ref()?))) else {
                jobs.push((
                    i,
                    Err(Validation::new(
                        Validity::Unknown,
                        format!("detector `{}` defines no live check", found.detector),
                    )),
                ));
                continue;
            };
            let mut vars: BTreeMap<String, String> = found.attributes.clone();
            vars.insert("secret".into(), secret.to_string());
            if let Some(partners) = found.attributes.get("paired_with") {
                for p in partners.split(',') {
                    if let Some((kind, s)) = by_id.get(p) {
                        vars.entry(kind.to_string())
                            .or_insert_with(|| s.to_string());
                    }
                }
            }
            let job = render(
                spec,
                &d.service,
                &vars,
                &self.endpoints,
                self.allow_insecure_http,
            )
            .map_err(|reason| Validation::new(Validity::Unknown, reason));
            jobs.push((i, job));
        }
        if jobs.is_empty() {
            return Ok(());
        }
        let verdicts = crate::connectors::runtime::block_on(async {
            let client = client();
            let checks = jobs.into_iter().map(|(i, job)| {
                let client = &client;
                async move {
                    let v = match job {
                        Ok(r) => self.check(client, r).await,
                        Err(v) => v,
                    };
                    (i, v)
                }
            });
            futures_util::future::join_all(checks).await
        })?;
        for (i, v) in verdicts {
            if let Some(found) = identities[i]
                .credentials
                .first_mut()
                .and_then(|c| c.found.as_mut())
            {
                found.validation = Some(v);
            }
        }
        Ok(())
    }

    /// One request, once per run: later callers with the same key get the first verdict.
    async fn check(
        &self,
        client: &Result<Client<Https, Full<Bytes>>, String>,
        r: Rendered,
    ) -> Validation {
        let cell = self.cache.cell(&r.key);
        cell.get_or_init(|| async {
            let client = match client {
                Ok(c) => c,
                Err(e) => return Validation::new(Validity::Unknown, e.clone()),
            };
            let bound = self.cache.bound(&r.provider);
            let _permit = bound.acquire().await;
            tracing::debug!(provider = %r.provider, host = %r.host, "validating a found secret");
            match tokio::time::timeout(self.timeout, send(client, &r)).await {
                Ok(Ok((status, body))) => verdict(&r, status, &body),
                Ok(Err(e)) => {
                    Validation::new(Validity::Unknown, format!("no answer from {}: {e}", r.host))
                }
                Err(_) => Validation::new(
                    Validity::Unknown,
                    format!(
                        "no answer from {} within {} s",
                        r.host,
                        self.timeout.as_secs_f64()
                    ),
                ),
            }
        })
        .await
        .clone()
    }
}

/// An HTTP/1.1 client over rustls with the system's roots. Redirects are never followed (the
/// legacy client has no redirect support), so a secret cannot be bounced to another host.
fn client() -> Result<Client<Https, Full<Bytes>>, String> {
    crate::connectors::runtime::install_crypto_provider();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| format!("no TLS root certificates on this system: {e}"))?
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

async fn send(client: &Client<Https, Full<Bytes>>, r: &Rendered) -> Result<(u16, Vec<u8>), String> {
    let mut headers = r.headers.clone();
    headers.push((
        "User-Agent".into(),
        concat!(
            "nhiscan/",
            env!("CARGO_PKG_VERSION"),
            " (secret validation)"
        )
        .into(),
    ));
    if let Some(s) = &r.sigv4 {
        headers.extend(super::sigv4::sign(r, s)?);
    }
    let mut req = hyper::Request::builder()
        .method(r.method.as_str())
        .uri(r.url.as_str());
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req
        .body(Full::new(Bytes::from(r.body.clone())))
        .map_err(|_| "the request could not be built from the rule".to_string())?;
    let resp = client.request(req).await.map_err(|e| describe(&e))?;
    let status = resp.status().as_u16();
    let body = Limited::new(resp.into_body(), MAX_BODY)
        .collect()
        .await
        .map(|c| c.to_bytes().to_vec())
        .unwrap_or_default();
    Ok((status, body))
}

/// The error and its causes (connection refused, TLS failure), which never hold the URL.
fn describe(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

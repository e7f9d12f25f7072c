//! A loopback HTTP/1.1 server standing in for the GitHub REST API in tests: bound to
//! 127.0.0.1 on a free port, answering every GET with what the test's handler returns, and
//! recording each request (path and whether it carried a token). Dropped, it stops at once.
//! Small on purpose: request bodies are skipped, keep-alive so a pooling client works.
//! Every reply is recorded too, so a test can check with [`ApiServer::assert_schema_true`] that
//! each one is what GitHub's published description says that operation returns.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// One request as the handler sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, e.g. `/orgs/acme/repos?per_page=100`.
    pub target: String,
    pub authorization: Option<String>,
    /// The `If-None-Match` header (an ETag the client cached).
    pub if_none_match: Option<String>,
}

impl Request {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or(&self.target)
    }

    pub fn query_has(&self, pair: &str) -> bool {
        self.target
            .split_once('?')
            .is_some_and(|(_, q)| q.split('&').any(|p| p == pair))
    }
}

/// A reply: status, extra headers, JSON body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body is deliberately not GitHub's (a malformed-response test): not schema-checked.
    pub malformed_on_purpose: bool,
    /// Close the connection instead of answering (a connection reset).
    pub reset: bool,
}

impl Reply {
    pub fn json(body: impl Into<String>) -> Reply {
        Reply {
            status: 200,
            headers: vec![],
            body: body.into(),
            malformed_on_purpose: false,
            reset: false,
        }
    }

    /// GitHub's error shape (`basic-error`): a message and where the docs are.
    pub fn status(status: u16, message: &str) -> Reply {
        Reply {
            status,
            body: serde_json::json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest"
            })
            .to_string(),
            ..Reply::json("")
        }
    }

    /// `304 Not Modified`, no body: the client's ETag still matches.
    pub fn not_modified() -> Reply {
        Reply {
            status: 304,
            ..Reply::json("")
        }
    }

    /// Drop the connection without a response.
    pub fn reset() -> Reply {
        Reply {
            reset: true,
            ..Reply::json("")
        }
    }

    pub fn malformed_on_purpose(mut self) -> Reply {
        self.malformed_on_purpose = true;
        self
    }

    pub fn header(mut self, k: &str, v: impl Into<String>) -> Reply {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// One reply as sent, for the schema check.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sent {
    pub method: String,
    pub target: String,
    pub status: u16,
    pub body: String,
    pub malformed_on_purpose: bool,
}

pub struct ApiServer {
    /// `http://127.0.0.1:<port>`
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    sent: Arc<Mutex<Vec<Sent>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl ApiServer {
    /// Start serving; the handler gets the server's own URL so it can write `Link` headers.
    pub fn start(handler: impl Fn(&str, &Request) -> Reply + Send + Sync + 'static) -> ApiServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime");
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        std_listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", std_listener.local_addr().unwrap());
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let base = url.clone();
        let handler: Arc<Handler> = Arc::new(move |r: &Request| handler(&base, r));
        let log = requests.clone();
        let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
        let sent_log = sent.clone();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    continue;
                };
                let handler = handler.clone();
                let log = log.clone();
                let sent = sent_log.clone();
                tokio::spawn(async move {
                    let _ = serve(sock, handler, log, sent).await;
                });
            }
        });
        ApiServer {
            url,
            requests,
            sent,
            runtime: Some(runtime),
        }
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// How many requests hit this path (query ignored).
    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path() == path).count()
    }

    /// Every reply sent so far (resets are not replies).
    pub fn replies(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    /// Every reply so far validates against GitHub's OpenAPI description of its operation
    /// (fixtures/github/openapi/validate.py, Python `jsonschema`); panics listing divergences.
    pub fn assert_schema_true(&self) {
        let problems = schema_divergences(&self.replies());
        assert!(
            problems.is_empty(),
            "replies that are not GitHub's schema:\n{problems}"
        );
    }
}

/// What `fixtures/github/openapi/validate.py` finds wrong with these replies ("" when each is
/// what GitHub's description says its operation returns).
pub fn schema_divergences(replies: &[Sent]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("replies.json");
    std::fs::write(&file, serde_json::to_string(replies).unwrap()).unwrap();
    let script = crate::common::root().join("fixtures/github/openapi/validate.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&file)
        .output()
        .expect("python3 runs (with jsonschema: pip install jsonschema)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    match out.status.code() {
        Some(0) => String::new(),
        Some(1) if !stdout.is_empty() => stdout,
        _ => panic!(
            "validate.py failed: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

async fn serve(
    sock: tokio::net::TcpStream,
    handler: Arc<Handler>,
    log: Arc<Mutex<Vec<Request>>>,
    sent: Arc<Mutex<Vec<Sent>>>,
) -> std::io::Result<()> {
    // Linger 0: dropping the socket sends RST, so `Reply::reset()` is a real connection reset.
    sock.set_zero_linger()?;
    let (read, mut write) = sock.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let mut words = line.split_whitespace();
        let method = words.next().unwrap_or("GET").to_string();
        let target = words.next().unwrap_or("/").to_string();
        let mut authorization = None;
        let mut if_none_match = None;
        let mut body_len = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).await? == 0 {
                return Ok(());
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("authorization") {
                    authorization = Some(v.trim().to_string());
                } else if k.eq_ignore_ascii_case("if-none-match") {
                    if_none_match = Some(v.trim().to_string());
                } else if k.eq_ignore_ascii_case("content-length") {
                    body_len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        // Request bodies (the App token exchange posts one) are read and ignored.
        let mut body = vec![0u8; body_len];
        reader.read_exact(&mut body).await?;
        let req = Request {
            method,
            target,
            authorization,
            if_none_match,
        };
        log.lock().unwrap().push(req.clone());
        let reply = handler(&req);
        if reply.reset {
            return Ok(());
        }
        sent.lock().unwrap().push(Sent {
            method: req.method.clone(),
            target: req.target.clone(),
            status: reply.status,
            body: reply.body.clone(),
            malformed_on_purpose: reply.malformed_on_purpose,
        });
        let mut out = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (k, v) in &reply.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&reply.body);
        write.write_all(out.as_bytes()).await?;
        write.flush().await?;
    }
}

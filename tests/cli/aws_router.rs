//! A loopback endpoint in front of moto for live AWS tests: each request (one per connection,
//! answers say `Connection: close`) is offered to the test's handler first, which may answer it
//! (a service or an error moto does not produce, shaped as AWS documents it); the rest are relayed
//! to moto unchanged.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// What the handler answers: status line (`403 Forbidden`), content type, body.
pub type Answer = (&'static str, &'static str, String);

/// Start the router; returns its `http://127.0.0.1:PORT` URL.
pub fn start(
    moto: &str,
    handler: impl Fn(&str, &[u8]) -> Option<Answer> + Send + Sync + 'static,
) -> String {
    let upstream = moto.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let (upstream, handler) = (upstream.clone(), handler.clone());
            std::thread::spawn(move || serve(conn, &upstream, &*handler));
        }
    });
    url
}

fn serve(conn: TcpStream, upstream: &str, handler: &dyn Fn(&str, &[u8]) -> Option<Answer>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        // Ask upstream to close after answering, so its answer ends with the connection.
        if lower.starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            head.push_str("Connection: close\r\n\r\n");
            break;
        }
        head.push_str(&line);
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let mut out = conn;
    if let Some((status, ctype, text)) = handler(&head, &body) {
        let _ = write!(
            out,
            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        );
        return;
    }
    let Ok(mut up) = TcpStream::connect(upstream) else {
        return;
    };
    let _ = up.write_all(head.as_bytes());
    let _ = up.write_all(&body);
    let mut answer = Vec::new();
    let _ = up.read_to_end(&mut answer);
    let _ = out.write_all(&answer);
}

//! `-vvv` against a live (moto) endpoint: the SDK's trace logs print request headers, and the
//! session token, signature and secret key must never reach stderr. The credentials come from a
//! profile file, not the environment, so the header redaction itself is what is tested.

use crate::common::moto::Moto;
use crate::common::*;

const SESSION_TOKEN: &str =
    "IQoJb3JpZ2luX2VjENH//////////wEaCXVzLWVhc3QtMSJHMEUCIQDEXAMPLEsessionTOKENvalue1234567890";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[test]
fn trace_logging_never_prints_credential_headers() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    let creds = home.path().join("credentials");
    std::fs::write(
        &creds,
        format!(
            "[audit]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\naws_session_token = {SESSION_TOKEN}\n"
        ),
    )
    .unwrap();
    let config = home.path().join("config");
    std::fs::write(&config, "[profile audit]\nregion = us-east-1\n").unwrap();
    let out = nhiscan()
        .args([
            "scan",
            "aws",
            "--profile",
            "audit",
            "--endpoint-url",
            &moto.url,
            "-vvv",
            "-f",
            "json",
            "--fail-on",
            "none",
        ])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{:?}: {}",
        out.status,
        &stderr[stderr.len().saturating_sub(2000)..]
    );
    // The run did log the signed requests at trace level…
    assert!(
        stderr.to_ascii_lowercase().contains("x-amz-security-token"),
        "no request headers in the trace log: {}",
        &stderr[..stderr.len().min(3000)]
    );
    assert!(stderr.contains("[REDACTED]"));
    // …and no credential in any of them.
    for secret in [SESSION_TOKEN, &SESSION_TOKEN[..24], SECRET] {
        if let Some(at) = stderr.find(secret) {
            let from = at.saturating_sub(200);
            panic!(
                "{secret:?} printed: …{}…",
                &stderr[from..(at + 200).min(stderr.len())]
            );
        }
    }
    // Stdout is still the report.
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["sources"][0]["source"], "aws");
}

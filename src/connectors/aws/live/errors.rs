//! What a failed IAM call means for the scan: a permission gap (a coverage note, the scan goes
//! on), an operation the endpoint does not implement (emulators such as moto answer HTTP 500 or
//! 501 with an HTML page), or credentials that do not work (the whole source fails with one
//! clear message).

use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// AccessDenied / UnauthorizedOperation: the caller lacks `iam:<call>`.
    Denied(String),
    /// The endpoint does not implement the operation.
    Unsupported(String),
    /// Missing, invalid or expired credentials.
    Credentials(String),
    Other(String),
}

const CREDENTIAL_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "AuthFailure",
];

pub fn classify<E>(e: &SdkError<E>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let raw = e.raw_response();
    let status = raw.map(|r| r.status().as_u16());
    let body = raw
        .and_then(|r| r.body().bytes())
        .map(String::from_utf8_lossy);
    // Some endpoints (moto) nest `<Errors>` in the XML body, which the SDK's parser misses; the
    // `X-Amzn-ErrorType` header and the body's `<Code>` still say what happened.
    let code = e
        .as_service_error()
        .and_then(|s| s.code())
        .map(String::from)
        .or_else(|| {
            raw.and_then(|r| r.headers().get("x-amzn-errortype"))
                .map(|h| h.split(':').next().unwrap_or(h).to_string())
        })
        .or_else(|| body.as_deref().and_then(|b| xml_tag(b, "Code")));
    let message = e
        .as_service_error()
        .and_then(|s| s.message())
        .map(String::from)
        .or_else(|| body.as_deref().and_then(|b| xml_tag(b, "Message")));
    let text = match (&code, &message, status) {
        (Some(c), Some(m), _) => format!("{c}: {m}"),
        (Some(c), None, _) => c.clone(),
        (None, _, Some(s)) => format!("HTTP {s}"),
        (None, _, None) => format!("{}", DisplayErrorContext(e)),
    };
    classify_parts(code.as_deref(), status, &text)
}

fn xml_tag(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{tag}>"))?;
    Some(body[start..start + end].to_string())
}

/// The decision on plain parts, so it is tested without building SDK errors.
pub fn classify_parts(code: Option<&str>, status: Option<u16>, text: &str) -> Failure {
    let short: String = text.chars().take(300).collect();
    match code {
        Some(c) if c.contains("AccessDenied") || c == "UnauthorizedOperation" => {
            return Failure::Denied(short);
        }
        Some(c) if CREDENTIAL_CODES.contains(&c) => return Failure::Credentials(short),
        Some("NotImplemented") | Some("InvalidAction") => return Failure::Unsupported(short),
        _ => {}
    }
    match status {
        Some(403) => Failure::Denied(short),
        Some(501) => Failure::Unsupported(short),
        Some(500) if code.is_none() => Failure::Unsupported(short),
        _ if status.is_none() && (text.contains("credentials") || text.contains("Credentials")) => {
            Failure::Credentials(short)
        }
        _ => Failure::Other(short),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert!(matches!(
            classify_parts(Some("AccessDenied"), Some(403), "x"),
            Failure::Denied(_)
        ));
        assert!(matches!(
            classify_parts(None, Some(500), "<html>not yet implemented"),
            Failure::Unsupported(_)
        ));
        assert!(matches!(
            classify_parts(Some("ServiceFailure"), Some(500), "x"),
            Failure::Other(_)
        ));
        assert!(matches!(
            classify_parts(Some("ExpiredToken"), Some(403), "x"),
            Failure::Credentials(_)
        ));
        assert!(matches!(
            classify_parts(
                None,
                None,
                "dispatch failure: no credentials in the property bag"
            ),
            Failure::Credentials(_)
        ));
        assert!(matches!(
            classify_parts(None, None, "connection refused"),
            Failure::Other(_)
        ));
    }
}

//! AWS Signature Version 4 for a rendered request (STS GetCallerIdentity): the headers to add,
//! signed with the found key id and secret key. Signing uses the real clock, as AWS requires.

use super::request::{Rendered, SigV4};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign as sign_v4};
use std::time::SystemTime;

pub fn sign(r: &Rendered, s: &SigV4) -> Result<Vec<(String, String)>, String> {
    let fail = |what: &str| format!("could not sign the request with SigV4 ({what})");
    let identity = aws_credential_types::Credentials::new(
        &s.access_key_id,
        &s.secret_access_key,
        None,
        None,
        "nhiscan-validate",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&s.region)
        .name(&s.service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|_| fail("parameters"))?
        .into();
    let mut headers: Vec<(&str, &str)> = r
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    headers.push(("host", r.host.as_str()));
    let request = SignableRequest::new(
        &r.method,
        r.url.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(&r.body),
    )
    .map_err(|_| fail("request"))?;
    let (instructions, _) = sign_v4(request, &params)
        .map_err(|_| fail("signature"))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

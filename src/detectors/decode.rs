//! Decoders: facts a secret carries inside itself. An AWS access key id encodes its account id;
//! a JWT carries its issuer, subject and expiry (and a Kubernetes service-account token its
//! namespace and name); a GitHub token's prefix says what kind of token it is. These facts let a
//! found string be tied to an identity without calling any API.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoder {
    AwsAccessKeyId,
    Jwt,
    GithubToken,
    BasicAuth,
}

impl FromStr for Decoder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "aws_access_key_id" => Ok(Decoder::AwsAccessKeyId),
            "jwt" => Ok(Decoder::Jwt),
            "github_token" => Ok(Decoder::GithubToken),
            "basic_auth" => Ok(Decoder::BasicAuth),
            other => Err(format!(
                "unknown decoder `{other}` (known: aws_access_key_id, jwt, github_token, basic_auth)"
            )),
        }
    }
}

/// What a decoder learned. `None` from [`Decoder::decode`] means the value is not what the
/// detector thought (e.g. a `eyJ…` string whose parts are not JSON), and the match is dropped.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Decoded {
    pub attributes: BTreeMap<String, String>,
    /// A more precise identity kind than the detector's (a JWT that is a service-account token).
    pub identity_kind: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
}

impl Decoder {
    pub fn decode(self, secret: &str) -> Option<Decoded> {
        match self {
            Decoder::AwsAccessKeyId => Some(aws_access_key_id(secret)),
            Decoder::Jwt => jwt(secret),
            Decoder::GithubToken => Some(github_token(secret)),
            Decoder::BasicAuth => basic_auth(secret),
        }
    }
}

/// The account id sits in bits of the base32 body of AKIA/ASIA key ids issued since 2019.
fn aws_access_key_id(key: &str) -> Decoded {
    let mut d = Decoded::default();
    let prefix = key.get(..4).unwrap_or_default();
    let key_type = match prefix {
        "AKIA" => "long_term_access_key",
        "ASIA" => "temporary_access_key",
        "AIDA" => "user_id",
        "AROA" => "role_id",
        "AGPA" => "group_id",
        "ANPA" | "ANVA" => "managed_policy_id",
        "AIPA" => "instance_profile_id",
        _ => "unique_id",
    };
    d.attributes.insert("aws_key_type".into(), key_type.into());
    if let Some(account) = aws_account_from_key(key) {
        d.attributes.insert("aws_account_id".into(), account);
    }
    d
}

fn aws_account_from_key(key: &str) -> Option<String> {
    let body = key.get(4..14)?;
    let mut bits: u64 = 0;
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        bits = (bits << 5) | u64::from(v);
    }
    // 10 base32 chars = 50 bits; the account id is bits 1..41 of the first 48.
    let first48 = bits >> 2;
    let account = (first48 & 0x7fff_ffff_ff80) >> 7;
    Some(format!("{account:012}"))
}

fn jwt(token: &str) -> Option<Decoded> {
    let mut parts = token.split('.');
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(parts.next()?.trim_end_matches('='))
            .ok()?,
    )
    .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(parts.next()?.trim_end_matches('='))
            .ok()?,
    )
    .ok()?;
    if !header.is_object() || !claims.is_object() {
        return None;
    }
    let mut d = Decoded::default();
    if let Some(alg) = header.get("alg").and_then(|v| v.as_str()) {
        d.attributes.insert("jwt_alg".into(), alg.into());
    }
    for claim in ["iss", "sub", "aud", "azp", "email"] {
        match claims.get(claim) {
            Some(serde_json::Value::String(s)) => {
                d.attributes.insert(format!("jwt_{claim}"), s.clone());
            }
            Some(serde_json::Value::Array(a)) => {
                let joined: Vec<&str> = a.iter().filter_map(|v| v.as_str()).collect();
                d.attributes
                    .insert(format!("jwt_{claim}"), joined.join(","));
            }
            _ => {}
        }
    }
    let ts = |name: &str| {
        claims
            .get(name)
            .and_then(|v| v.as_i64())
            .and_then(|s| DateTime::from_timestamp(s, 0))
    };
    d.expires_at = ts("exp");
    d.created_at = ts("iat");
    if let Some((ns, sa)) = kubernetes_service_account(&claims) {
        d.attributes.insert("k8s_namespace".into(), ns);
        d.attributes.insert("k8s_service_account".into(), sa);
        d.identity_kind = Some("k8s.service_account".into());
    }
    Some(d)
}

/// Bound tokens carry `kubernetes.io: {namespace, serviceaccount: {name}}`; legacy secret-based
/// tokens carry flat `kubernetes.io/serviceaccount/…` claims.
fn kubernetes_service_account(claims: &serde_json::Value) -> Option<(String, String)> {
    if let Some(k) = claims.get("kubernetes.io") {
        let ns = k.get("namespace")?.as_str()?;
        let sa = k.get("serviceaccount")?.get("name")?.as_str()?;
        return Some((ns.into(), sa.into()));
    }
    let ns = claims
        .get("kubernetes.io/serviceaccount/namespace")?
        .as_str()?;
    let sa = claims
        .get("kubernetes.io/serviceaccount/service-account.name")?
        .as_str()?;
    Some((ns.into(), sa.into()))
}

/// `Authorization: Basic` carries base64 of `user:password`; anything else is not a credential.
/// The user name is kept as evidence; the password is the secret and is never stored decoded.
fn basic_auth(value: &str) -> Option<Decoded> {
    // Padding is optional in the wild (and sometimes wrong): drop it and decode unpadded.
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(value.trim_end_matches('='))
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, password) = text.split_once(':')?;
    if password.len() < 4
        || text.chars().any(|c| c.is_control())
        || crate::detectors::is_placeholder(password.as_bytes())
    {
        return None;
    }
    let mut d = Decoded::default();
    d.attributes.insert("user".into(), user.to_string());
    Some(d)
}

fn github_token(token: &str) -> Decoded {
    let kind = [
        ("github_pat_", "fine_grained_personal_access_token"),
        ("ghp_", "personal_access_token_classic"),
        ("gho_", "oauth_access_token"),
        ("ghu_", "user_to_server_token"),
        ("ghs_", "installation_access_token"),
        ("ghr_", "refresh_token"),
    ]
    .iter()
    .find(|(p, _)| token.starts_with(p))
    .map(|(_, k)| *k)
    .unwrap_or("unknown");
    let mut d = Decoded::default();
    d.attributes.insert("github_token_type".into(), kind.into());
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_account_id_from_key_id() {
        // Published research example: ASIAY34FZKBOKMUTVV7A belongs to account 609629065308.
        let d = Decoder::AwsAccessKeyId
            .decode("ASIAY34FZKBOKMUTVV7A")
            .unwrap();
        assert_eq!(d.attributes["aws_account_id"], "609629065308");
        assert_eq!(d.attributes["aws_key_type"], "temporary_access_key");
    }

    #[test]
    fn kubernetes_bound_token_claims() {
        let claims = URL_SAFE_NO_PAD.encode(
            br#"{"iss":"https://kubernetes.default.svc","sub":"system:serviceaccount:ci:deployer","exp":1900000000,"kubernetes.io":{"namespace":"ci","serviceaccount":{"name":"deployer"}}}"#,
        );
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k"}"#);
        let d = Decoder::Jwt
            .decode(&format!("{header}.{claims}.c2lnbmF0dXJl"))
            .unwrap();
        assert_eq!(d.identity_kind.as_deref(), Some("k8s.service_account"));
        assert_eq!(d.attributes["k8s_namespace"], "ci");
        assert_eq!(d.attributes["k8s_service_account"], "deployer");
        assert!(d.expires_at.is_some());
    }

    #[test]
    fn basic_auth_needs_user_and_password() {
        let d = Decoder::BasicAuth.decode("c3ZjOmhKOGsyUXp4").unwrap(); // svc:hJ8k2Qzx
        assert_eq!(d.attributes["user"], "svc");
        assert!(Decoder::BasicAuth.decode("bm9jb2xvbmhlcmU=").is_none()); // nocolonhere
        // svc:hJ8k2Qzxy needs `==`: decoded with it, without it, and with too much of it.
        for v in [
            "c3ZjOmhKOGsyUXp4eQ==",
            "c3ZjOmhKOGsyUXp4eQ",
            "c3ZjOmhKOGsyUXp4eQ===",
        ] {
            let d = Decoder::BasicAuth.decode(v).unwrap();
            assert_eq!(d.attributes["user"], "svc", "{v}");
        }
        assert!(Decoder::BasicAuth.decode("c3ZjOmhKOGsyUXp4e").is_none()); // 4n+1 chars
    }

    #[test]
    fn not_a_jwt_is_rejected() {
        assert!(Decoder::Jwt.decode("eyJub3QganNvbg.eyJhIjox.x").is_none());
    }
}

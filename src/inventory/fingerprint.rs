//! Stable fingerprints. A fingerprint must survive reformatting and time: it never includes a
//! line number, a column or a timestamp, only what identifies the same problem in the same place.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Environment variable holding the key of [`secret_hmac`].
pub const HASH_KEY_ENV: &str = "NHISCAN_HASH_KEY";

/// The key used when [`HASH_KEY_ENV`] is unset. It is public (it is in this source and the
/// README), so with it a keyed hash only stops precomputed tables, not a dictionary attack by
/// someone who reads the report: set `NHISCAN_HASH_KEY` to a secret wherever reports leave the
/// machine (SARIF uploaded to GitHub).
pub const DEFAULT_HASH_KEY: &str = "nhiscan-default-hash-key-v1";

/// Hex SHA-256 of a secret's bytes: kept for high-entropy secrets, where it cannot be reversed
/// and it joins a found key with a cloud's or vendor's own record (IAM keys, GitHub alerts).
pub fn secret_sha256(secret: &[u8]) -> String {
    hex::encode(Sha256::digest(secret))
}

/// Hex HMAC-SHA256 of a secret under the run's hash key (`NHISCAN_HASH_KEY`, else
/// [`DEFAULT_HASH_KEY`]). For low-entropy secrets (passwords, short values) a plain SHA-256 in a
/// shared report lets anyone try a password list offline; under a key they cannot. The key is
/// stable (not per run) so that baselines and allow lists keep matching.
pub fn secret_hmac(secret: &[u8]) -> String {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        std::env::var(HASH_KEY_ENV)
            .ok()
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| DEFAULT_HASH_KEY.to_string())
            .into_bytes()
    });
    hmac_hex(key, secret)
}

fn hmac_hex(key: &[u8], secret: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(secret);
    hex::encode(mac.finalize().into_bytes())
}

/// Fingerprint of a finding: rule id, then the anchor (secret hash or identity id), then the
/// path when the finding is tied to one file.
pub fn finding_fingerprint(rule_id: &str, anchor: &str, path: Option<&str>) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(anchor.as_bytes());
    h.update([0]);
    if let Some(p) = path {
        h.update(p.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn keyed_hash_differs_from_plain_and_by_key() {
        let pw = b"hunter2hunter2";
        assert_ne!(hmac_hex(b"k1", pw), secret_sha256(pw));
        assert_ne!(hmac_hex(b"k1", pw), hmac_hex(b"k2", pw));
        assert_eq!(hmac_hex(b"k1", pw), hmac_hex(b"k1", pw));
    }
}

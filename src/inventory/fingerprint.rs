//! Stable fingerprints. A fingerprint must survive reformatting and time: it never includes a
//! line number, a column or a timestamp, only what identifies the same problem in the same place.

use sha2::{Digest, Sha256};

/// Hex SHA-256 of a secret's bytes.
pub fn secret_sha256(secret: &[u8]) -> String {
    hex::encode(Sha256::digest(secret))
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

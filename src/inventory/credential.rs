//! Credentials (access keys, tokens, private keys, passwords…) and, for those found in code,
//! every place they were seen. The raw secret is never part of the model: only its hash and a
//! redacted preview (unless the user asked for `--reveal`).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Credential {
    /// Key id or token id where the source has one, else `sha256:<prefix>`; never the secret.
    pub id: String,
    /// `access_key`, `secret_key`, `api_key`, `token`, `private_key`, `password`, …
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotated_at: Option<DateTime<Utc>>,
    /// `active`, `inactive`, `expired`, or `unknown` when the source cannot tell (code).
    pub status: String,
    /// Present when the credential was found hardcoded in files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<FoundSecret>,
}

/// A secret found in scanned content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FoundSecret {
    /// Id of the detector that matched (`rules/secrets/*.yaml`).
    pub detector: String,
    pub detector_name: String,
    /// Provider, e.g. `aws`, `github`.
    pub service: String,
    /// Detector category: `cloud`, `vcs`, `crypto`, `generic`, …
    pub category: String,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    /// Hex SHA-256 of the secret's bytes: lets two reports, or a report and a vault, be compared
    /// without either showing the secret. Empty (and absent from JSON) for low-entropy secrets,
    /// whose plain hash could be reversed with a password list: those carry `secret_hmac`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub secret_sha256: String,
    /// Hex HMAC-SHA256 of a low-entropy secret (a password, a short value) under the hash key
    /// (`NHISCAN_HASH_KEY`, see README), stable across runs so baselines keep matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hmac: Option<String>,
    /// A preview that keeps only a recognisable prefix.
    pub redacted: String,
    /// The secret itself; only with `--reveal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Whether a named checksum validator (e.g. GitHub CRC32) confirmed the format.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub checksum_valid: bool,
    /// Facts decoded from the secret or captured beside it (AWS account id, JWT claims, user, host).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    pub locations: Vec<Location>,
    /// History scans: whether the secret is still in HEAD's tree (absent for file scans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present_at_head: Option<bool>,
    /// History scans: date of the earliest commit that contains the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen_at: Option<DateTime<Utc>>,
    /// `--validate`: whether the provider still accepts the secret, and why we think so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<super::Validation>,
}

impl FoundSecret {
    /// What identifies this secret in fingerprints and joins: the keyed hash where there is one,
    /// else the SHA-256.
    pub fn hash_anchor(&self) -> &str {
        self.secret_hmac.as_deref().unwrap_or(&self.secret_sha256)
    }
}

/// One place a secret was seen.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct Location {
    /// Path relative to the scanned root, `/`-separated.
    pub path: String,
    /// 1-based line and column (in bytes) of the secret's first character.
    pub line: usize,
    pub column: usize,
    /// The line with the secret redacted, control characters escaped, cut to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// Git provenance, when the secret was found in history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
    /// History scans: how many commits introduced this content at this path independently (a
    /// commit holding it where none of its parents did); `commit` is the topologically first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introductions: Option<usize>,
}

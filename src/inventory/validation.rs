//! Whether a found secret still works, as its provider answered `scan repo --validate`. Absent
//! when validation was not asked for: a report never claims a check it did not make.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The provider's verdict on a found secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Validity {
    /// The provider accepted it: someone can use it now.
    Valid,
    /// The provider rejected it (revoked, deleted, deactivated or never real).
    Invalid,
    /// No verdict: no check defined, a paired part missing, a timeout, a server error.
    Unknown,
}

impl Validity {
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::Invalid => "invalid",
            Validity::Unknown => "unknown",
        }
    }
}

/// A verdict with the reason for it, in words a responder can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Validation {
    pub validity: Validity,
    /// e.g. `HTTP 401 from api.github.com`, `timed out after 10 s`, `needs the paired secret_key`.
    pub reason: String,
}

impl Validation {
    pub fn new(validity: Validity, reason: impl Into<String>) -> Validation {
        Validation {
            validity,
            reason: reason.into(),
        }
    }
}

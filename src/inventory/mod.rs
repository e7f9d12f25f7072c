//! The one inventory model every connector fills and every report renders: identities, their
//! credentials, owners, permissions and evidence, plus the findings the rule engine derives.
//!
//! The JSON report is this model serialised; its shape is a versioned contract
//! (`SCHEMA_VERSION`, `nhiscan schema`), so fields are only ever added, never renamed.

mod credential;
mod emits;
mod finding;
mod fingerprint;
mod identity;
pub mod merge;
mod redact;
mod report;
mod severity;
mod validation;

pub use credential::{Credential, FoundSecret, Location};
pub use emits::Emits;
pub use finding::Finding;
pub use fingerprint::{
    DEFAULT_HASH_KEY, HASH_KEY_ENV, finding_fingerprint, secret_hmac, secret_sha256,
};
pub use identity::{Identity, Owner, OwnerSource, Permissions};
pub use redact::{is_low_entropy, is_unsafe_char, redact, redact_length_only, sanitize_line};
pub use report::{Note, NoteLevel, Report, ScanStats, SourceRun, SourceStatus, Summary, ToolInfo};
pub use severity::Severity;
pub use validation::{Validation, Validity};

/// Version of the JSON report contract. Bump the major part only for a breaking change.
pub const SCHEMA_VERSION: &str = "1";

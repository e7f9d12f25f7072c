//! `scan repo --validate`: ask each found secret's provider whether it still works, with the
//! request a detector's `validate:` block describes (rules as data: a new provider is a YAML
//! edit). The verdict lands on the credential (`found.validation`) and then moves the
//! severity of the identity's findings: valid → critical, invalid → low.
//!
//! Safety is the point of the module's shape: a request is rendered, then checked (the host is
//! the rule's own, or the user's `--validate-endpoint`; cleartext only to loopback) before any
//! byte leaves; no redirect is followed; each distinct request is sent once per run; every
//! provider has a concurrency bound and every request a timeout. Reasons name the host, never
//! the URL (a Google key travels in the query string).

mod endpoints;
mod request;
mod severity;
mod spec_check;
mod template;
mod verdict;

#[cfg(feature = "validate")]
mod live;
#[cfg(feature = "validate")]
mod sigv4;

pub use endpoints::{Endpoints, parse_endpoint};
pub use request::{Rendered, render};
pub use severity::{adjust_findings, agreement_notes};
pub use spec_check::check_spec;
pub use verdict::verdict;

#[cfg(feature = "validate")]
pub use live::{Cache, Validator};

/// Requests in flight at once per provider: polite to rate limits, still fast for a few hundred
/// secrets.
pub const PER_PROVIDER_CONCURRENCY: usize = 4;
/// Default seconds a provider has to answer.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;
/// Bytes of a response body read to look for a JSON field; the rest is ignored.
pub const MAX_BODY: usize = 64 * 1024;

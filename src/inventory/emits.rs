//! The contract between connectors and rules: what one source's identities may carry. Each
//! connector declares its table (`crate::connectors::emits`), the joins and owner resolution
//! declare the attributes they add, and `rules check` (and every load of the rules) refuses a
//! posture rule that names a kind, flag or attribute no source emits, so a misspelt flag fails
//! loudly instead of never firing.

/// The identity kinds, permission flags and attribute names one source emits.
#[derive(Debug, Clone, Copy)]
pub struct Emits {
    /// `repo`, `aws`, `kubernetes`, `github`.
    pub source: &'static str,
    /// `identity.kind` values. The repo connector's kinds are also whatever its detectors name
    /// (`identity_kind` in rules/secrets), which the rule loader adds.
    pub kinds: &'static [&'static str],
    /// `identity.permissions.flags` values.
    pub flags: &'static [&'static str],
    /// `identity.attributes` keys.
    pub attributes: &'static [&'static str],
}

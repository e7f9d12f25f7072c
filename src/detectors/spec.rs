//! The YAML shape of a secret detector (`rules/secrets/*.yaml`), as documented in
//! `rules/README.md`. Unknown fields are rejected so that a typo in a rule file is an error,
//! not a silently ignored setting.

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorFile {
    pub detectors: Vec<DetectorSpec>,
    /// Names that mark a value as not real (`rules/secrets/_placeholders.yaml`).
    #[serde(default)]
    pub name_markers: Option<NameMarkerSpec>,
}

/// Words that, first or last in the name a value is assigned to, mark it as an example, a test
/// double or a fixture. Examples are names (with a value) that must, and must not, be marked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameMarkerSpec {
    #[serde(default)]
    pub first_words: Vec<String>,
    #[serde(default)]
    pub last_words: Vec<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorSpec {
    pub id: Spanned<String>,
    pub name: String,
    pub service: String,
    pub kind: String,
    pub category: String,
    #[serde(default)]
    pub identity_kind: Option<String>,
    pub keywords: Vec<String>,
    pub pattern: String,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub checksum: Option<String>,
    #[serde(default)]
    pub decode: Option<String>,
    pub confidence: String,
    #[serde(default)]
    pub generic: bool,
    #[serde(default)]
    pub window: Option<usize>,
    #[serde(default)]
    pub ignore_values: Vec<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

impl DetectorSpec {
    /// The kind of identity a secret it finds becomes: `identity_kind`, else `<service>.<kind>`.
    pub fn identity_kind(&self) -> String {
        self.identity_kind
            .clone()
            .unwrap_or_else(|| format!("{}.{}", self.service, self.kind))
    }
}

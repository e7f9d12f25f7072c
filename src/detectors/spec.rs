//! The YAML shape of a secret detector (`rules/secrets/*.yaml`), as documented in
//! `rules/README.md`. Unknown fields are rejected so that a typo in a rule file is an error,
//! not a silently ignored setting.

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

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
    /// How `scan repo --validate` asks the provider whether a found secret still works.
    #[serde(default)]
    pub validate: Option<ValidateSpec>,
}

/// A live check of a found secret: one HTTP request to the provider's documented endpoint, and
/// which answers mean valid or invalid (anything else is unknown). `{{secret}}`, the pattern's
/// other named groups (`{{account_sid}}`) and the secret of a paired detector found nearby, by
/// that detector's kind (`{{secret_key}}`), are templated into the URL, headers and body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateSpec {
    /// GET, POST or HEAD.
    #[serde(default = "default_method")]
    pub method: String,
    /// An `https://` URL on the provider's documented API host.
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// HTTP basic authentication (Twilio, Mailgun).
    #[serde(default)]
    pub basic_auth: Option<BasicAuthSpec>,
    #[serde(default)]
    pub body: Option<String>,
    /// Sign the request with AWS Signature Version 4 (STS GetCallerIdentity).
    #[serde(default)]
    pub sigv4: Option<SigV4Spec>,
    /// Statuses that mean the secret works (default 200).
    #[serde(default = "default_valid_status")]
    pub valid_status: Vec<u16>,
    /// Statuses that mean the provider rejected the secret (default 401 and 403).
    #[serde(default = "default_invalid_status")]
    pub invalid_status: Vec<u16>,
    /// For APIs that answer 200 either way (Slack): a valid status is valid only if this JSON
    /// field has this value, and invalid otherwise.
    #[serde(default)]
    pub valid_json: Option<JsonFieldSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthSpec {
    pub user: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigV4Spec {
    pub service: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonFieldSpec {
    /// A top-level field name.
    pub field: String,
    pub equals: serde_json::Value,
}

fn default_method() -> String {
    "GET".into()
}
fn default_valid_status() -> Vec<u16> {
    vec![200]
}
fn default_invalid_status() -> Vec<u16> {
    vec![401, 403]
}

impl DetectorSpec {
    /// The kind of identity a secret it finds becomes: `identity_kind`, else `<service>.<kind>`.
    pub fn identity_kind(&self) -> String {
        self.identity_kind
            .clone()
            .unwrap_or_else(|| format!("{}.{}", self.service, self.kind))
    }
}

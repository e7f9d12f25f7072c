//! A non-human identity: the principal (IAM user or role, service account, app installation,
//! token, or a credential known only from code) that owns credentials and holds permissions.

use super::Credential;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One non-human principal, from any source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Identity {
    /// Stable id: an ARN, `k8s:<cluster>/<ns>/<sa>`, `github:<org>/app/<id>`, or
    /// `repo:<secret-sha256 prefix>` for a credential found only in code.
    pub id: String,
    /// e.g. `aws.user`, `aws.role`, `aws.access_key`, `k8s.service_account`, `github.token`.
    pub kind: String,
    /// The connector that produced it: `repo`, `aws`, `kubernetes`, `github`.
    pub source: String,
    /// Human-readable name.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// Tags, labels and annotations, as the source gives them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Who answers for this identity, and how that was learned. Absent means unowned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(default, skip_serializing_if = "Permissions::is_empty")]
    pub permissions: Permissions,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Credential>,
    /// Facts a rule or an auditor may need that have no field of their own (decoded claims,
    /// account ids, coverage caveats). Values are plain JSON.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

impl Identity {
    /// An identity with nothing known yet but who it is; connectors fill in the rest.
    pub fn new(
        id: impl Into<String>,
        kind: impl Into<String>,
        source: impl Into<String>,
        name: impl Into<String>,
    ) -> Identity {
        Identity {
            id: id.into(),
            kind: kind.into(),
            source: source.into(),
            name: name.into(),
            created_at: None,
            last_used_at: None,
            labels: BTreeMap::new(),
            owner: None,
            permissions: Permissions::default(),
            credentials: vec![],
            attributes: BTreeMap::new(),
        }
    }
}

/// An owner, with the evidence it came from, so an auditor can judge how far to trust it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Owner {
    pub name: String,
    pub source: OwnerSource,
    /// Where exactly: the tag key, the CODEOWNERS line, the commit id…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnerSource {
    Tag,
    Label,
    Annotation,
    ApiField,
    Codeowners,
    CommitAuthor,
    Mapping,
    /// Taken from an identity in another source that this one was joined to (a found key gets
    /// the owner of its IAM user).
    Joined,
}

impl OwnerSource {
    /// As the JSON report spells it (`tag`, `api_field`, `commit_author`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerSource::Tag => "tag",
            OwnerSource::Label => "label",
            OwnerSource::Annotation => "annotation",
            OwnerSource::ApiField => "api_field",
            OwnerSource::Codeowners => "codeowners",
            OwnerSource::CommitAuthor => "commit_author",
            OwnerSource::Mapping => "mapping",
            OwnerSource::Joined => "joined",
        }
    }

    /// How far an owner from this source can be trusted: a tag or API field is a statement
    /// about this identity; CODEOWNERS and joins are about something next to it; a commit
    /// author only says who typed the secret.
    pub fn confidence(self) -> &'static str {
        match self {
            OwnerSource::Tag
            | OwnerSource::Label
            | OwnerSource::Annotation
            | OwnerSource::ApiField
            | OwnerSource::Mapping => "high",
            OwnerSource::Codeowners | OwnerSource::Joined => "medium",
            OwnerSource::CommitAuthor => "low",
        }
    }
}

/// Normalised permissions: what the identity may do, plus derived risk flags
/// (`admin`, `privilege_escalation`, `secrets_read`, …) that rules test without re-deriving.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Permissions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

impl Permissions {
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.flags.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::OwnerSource::*;

    #[test]
    fn as_str_is_the_json_spelling() {
        for s in [
            Tag,
            Label,
            Annotation,
            ApiField,
            Codeowners,
            CommitAuthor,
            Mapping,
            Joined,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}

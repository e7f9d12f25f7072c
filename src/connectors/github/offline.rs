//! Offline mode: the same inventory from API responses saved to a folder (for an audit trail,
//! an air-gapped review, or a token that only someone else holds), e.g. with
//! `gh api --paginate /orgs/ORG/members > members.json`. Files hold what the endpoint returns:
//! a list, a wrapper object (`{"secrets": [...]}`), or several pages one after another as
//! `gh api --paginate` writes them. Layout, all files optional:
//!
//! ```text
//! members.json  personal-access-tokens.json  personal-access-token-requests.json
//! credential-authorizations.json  installations.json  secret-scanning-alerts.json
//! actions-secrets.json  dependabot-secrets.json  codespaces-secrets.json
//! personal-access-tokens/<grant id>/repositories.json
//! repos/<repo>/keys.json  repos/<repo>/{actions,dependabot,codespaces}-secrets.json
//! repos/<repo>/environments/<environment>/secrets.json
//! repos/<repo>/secret-scanning-alerts/<number>/locations.json
//! ```
//!
//! A missing file is an info note (not exported); a malformed one is a warning naming the file.

use super::api::{
    DeployKey, OrgData, OrganizationSecret, RepositorySecret, SecretScope, SecretStore,
};
use super::{Collected, Connector, map};
use crate::inventory::{Note, NoteLevel, ScanStats, SourceRun};
use crate::progress::Progress;
use anyhow::{Result, bail};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Largest export file read (a page list of a big organisation is a few MiB).
const MAX_FILE_BYTES: u64 = 256 << 20;

pub struct GithubOffline {
    /// Organisation login, used in identity ids.
    pub org: String,
    pub from: PathBuf,
}

impl Connector for GithubOffline {
    fn source(&self) -> &'static str {
        "github"
    }

    fn target(&self) -> String {
        self.org.clone()
    }

    fn collect(&self, _progress: &Progress) -> Result<Collected> {
        if !self.from.is_dir() {
            bail!(
                "{}: not a folder (give --from the folder of saved API responses)",
                self.from.display()
            );
        }
        let mut r = Reader {
            root: &self.from,
            notes: vec![],
            files: 0,
        };
        let data = r.org_data(&self.org);
        let stats = ScanStats {
            files_scanned: r.files,
            ..Default::default()
        };
        Ok(Collected {
            identities: map::identities(&data),
            run: SourceRun::new("github", self.org.clone(), stats, r.notes),
        })
    }
}

struct Reader<'a> {
    root: &'a Path,
    notes: Vec<Note>,
    files: u64,
}

impl Reader<'_> {
    fn org_data(&mut self, org: &str) -> OrgData {
        let mut data = OrgData {
            org: org.to_string(),
            ..Default::default()
        };
        data.members = self.list("members.json", None);
        if data.members.is_none() {
            self.notes.push(Note::new(
                NoteLevel::Info,
                "members.json",
                "not exported: whether owners are still members is unknown",
            ));
        }
        data.pat_grants = self
            .list("personal-access-tokens.json", None)
            .unwrap_or_default();
        for g in &data.pat_grants {
            let f = format!("personal-access-tokens/{}/repositories.json", g.id);
            if let Some(repos) = self.list::<super::api::Repo>(&f, None) {
                let mut names: Vec<String> = repos.into_iter().map(|r| r.name).collect();
                names.sort();
                data.pat_repositories.insert(g.id, names);
            }
        }
        data.pat_requests = self
            .list("personal-access-token-requests.json", None)
            .unwrap_or_default();
        data.credential_authorizations = self
            .list("credential-authorizations.json", None)
            .unwrap_or_default();
        data.installations = self
            .list("installations.json", Some("installations"))
            .unwrap_or_default();
        for store in SecretStore::ALL {
            let f = format!("{}-secrets.json", store.segment());
            let secrets: Vec<OrganizationSecret> =
                self.list(&f, Some("secrets")).unwrap_or_default();
            data.secrets.extend(
                secrets
                    .into_iter()
                    .map(|s| (store, SecretScope::Org, s.into())),
            );
        }
        let alerts: Vec<super::api::SecretScanningAlert> = self
            .list("secret-scanning-alerts.json", None)
            .unwrap_or_default();
        for a in alerts {
            let n = a.repository.as_ref().and_then(|r| {
                let f = format!(
                    "repos/{}/secret-scanning-alerts/{}/locations.json",
                    r.name, a.number
                );
                self.list::<Value>(&f, None).map(|l| l.len())
            });
            data.alerts.push((a, n));
        }
        self.repos(&mut data);
        data
    }

    /// Every `repos/<repo>/` folder: deploy keys and secrets.
    fn repos(&mut self, data: &mut OrgData) {
        let mut repos: Vec<String> = dir_names(&self.root.join("repos"));
        repos.sort();
        for repo in repos {
            let keys: Vec<DeployKey> = self
                .list(&format!("repos/{repo}/keys.json"), None)
                .unwrap_or_default();
            data.deploy_keys
                .extend(keys.into_iter().map(|k| (repo.clone(), k)));
            for store in SecretStore::ALL {
                let f = format!("repos/{repo}/{}-secrets.json", store.segment());
                let s: Vec<RepositorySecret> = self.list(&f, Some("secrets")).unwrap_or_default();
                data.secrets.extend(
                    s.into_iter()
                        .map(|s| (store, SecretScope::Repo(repo.clone()), s.into())),
                );
            }
            let mut envs = dir_names(&self.root.join(format!("repos/{repo}/environments")));
            envs.sort();
            for env in envs {
                let f = format!("repos/{repo}/environments/{env}/secrets.json");
                let s: Vec<RepositorySecret> = self.list(&f, Some("secrets")).unwrap_or_default();
                data.secrets.extend(s.into_iter().map(|s| {
                    (
                        SecretStore::Actions,
                        SecretScope::Environment {
                            repo: repo.clone(),
                            environment: env.clone(),
                        },
                        s.into(),
                    )
                }));
            }
        }
    }

    /// The items of a saved list (every page of it), `None` when the file is absent or bad.
    fn list<T: DeserializeOwned>(&mut self, rel: &str, key: Option<&str>) -> Option<Vec<T>> {
        let path = self.root.join(rel);
        // The export folder may be anyone's: regular files only, no symlink out of it.
        let text = match crate::safe_file::read(&path, Some(self.root), MAX_FILE_BYTES)
            .map(String::from_utf8)
        {
            Ok(Ok(t)) => t,
            Err(crate::safe_file::Refused::Missing) => return None,
            Ok(Err(_)) => {
                self.notes
                    .push(Note::warning(rel, "not UTF-8 text: skipped"));
                return None;
            }
            Err(e) => {
                self.notes.push(Note::warning(rel, e.to_string()));
                return None;
            }
        };
        self.files += 1;
        match parse_pages(&text, key) {
            Ok(items) => Some(items),
            Err(e) => {
                self.notes
                    .push(Note::warning(rel, format!("malformed, skipped: {e}")));
                None
            }
        }
    }
}

/// One or more JSON documents (pages), each a list or an object holding the list under `key`.
fn parse_pages<T: DeserializeOwned>(text: &str, key: Option<&str>) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for (n, page) in serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .enumerate()
    {
        let mut page =
            page.map_err(|e| format!("page {}: {}", n + 1, crate::parse_note::json(&e)))?;
        let items = match (key, &mut page) {
            (Some(k), Value::Object(m)) => m.remove(k),
            (_, Value::Array(_)) => Some(page),
            _ => None,
        };
        let Some(Value::Array(items)) = items else {
            return Err(format!(
                "page {}: expected a list{}",
                n + 1,
                key.map(|k| format!(" or an object with `{k}`"))
                    .unwrap_or_default()
            ));
        };
        for item in items {
            out.push(
                serde_json::from_value(item)
                    .map_err(|e| format!("page {}: {}", n + 1, crate::parse_note::json(&e)))?,
            );
        }
    }
    Ok(out)
}

fn dir_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_written_one_after_another_are_one_list() {
        let v: Vec<Value> = parse_pages(r#"[{"a":1}][{"a":2}]"#, None).unwrap();
        assert_eq!(v.len(), 2);
        let w: Vec<Value> = parse_pages(
            r#"{"total_count":1,"secrets":[{"a":1}]} {"secrets":[{"a":2}]}"#,
            Some("secrets"),
        )
        .unwrap();
        assert_eq!(w.len(), 2);
        assert!(parse_pages::<Value>(r#"{"x":1}"#, None).is_err());
        assert!(parse_pages::<Value>("[1,", None).is_err());
    }
}

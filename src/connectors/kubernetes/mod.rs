//! The Kubernetes connector: service accounts with their effective RBAC, the workloads that run
//! as them, token automounting, cloud identity links and legacy token Secrets. Two ways in —
//! manifests or `kubectl` dumps on disk ([`KubernetesOffline`]) and the API server
//! ([`KubernetesLive`], feature `kubernetes`) — both produce [`objects::Object`]s and share the
//! same RBAC resolution and mapping.

mod bootstrap;
#[cfg(feature = "kubernetes")]
mod live;
mod mapping;
mod objects;
mod platform;
mod rbac;

#[cfg(feature = "kubernetes")]
pub use live::KubernetesLive;

use super::{Collected, Connector};
use crate::inventory::{Note, NoteLevel, ScanStats, SourceRun};
use crate::progress::Progress;
use anyhow::{Result, bail};
use objects::Object;
use std::path::PathBuf;

/// Manifests (multi-document YAML, Helm or kustomize output) or `kubectl get -o json|yaml` dumps.
pub struct KubernetesOffline {
    pub from: PathBuf,
    /// Name used in identity ids (`k8s:<cluster>/<ns>/<sa>`).
    pub cluster: String,
    /// Label/annotation keys that name an owner, in order of preference.
    pub owner_keys: Vec<String>,
    /// Judge the platform's own defaults (bootstrap policy, managed-cluster accounts) too.
    pub include_platform: bool,
}

impl Connector for KubernetesOffline {
    fn source(&self) -> &'static str {
        "kubernetes"
    }

    fn target(&self) -> String {
        self.from.display().to_string()
    }

    fn collect(&self, _progress: &Progress) -> Result<Collected> {
        if !self.from.exists() {
            bail!(
                "{}: no such file or folder (give --from manifests or kubectl dumps)",
                self.from.display()
            );
        }
        let mut notes = Vec::new();
        let clock = std::time::Instant::now();
        let objects = objects::load(&self.from, &mut notes);
        tracing::debug!("{} objects read in {:?}", objects.len(), clock.elapsed());
        let mapper = mapping::Mapper {
            cluster: &self.cluster,
            owner_keys: &self.owner_keys,
            include_platform: self.include_platform,
        };
        let options = rbac::Options {
            builtin_roles: true,
            include_platform: self.include_platform,
        };
        Ok(inventory(&objects, notes, &mapper, options, self.target()))
    }
}

/// Objects (however they were read) to identities, with the notes gathered while reading them.
/// A warning — an unreadable document, a forbidden list, a binding to a missing role — means the
/// picture may be incomplete, so the source is reported partial (`SourceStatus::of`). A role
/// resolved to the built-in one is an info note: the picture is what the API server would have.
fn inventory(
    objects: &[Object],
    mut notes: Vec<Note>,
    mapper: &mapping::Mapper,
    options: rbac::Options,
    target: String,
) -> Collected {
    let clock = std::time::Instant::now();
    let rbac = rbac::resolve(objects, options);
    for (binding, role) in &rbac.builtin_roles {
        notes.push(Note::new(
            NoteLevel::Info,
            binding,
            format!(
                "refers to {role}, which the input does not define: resolved to the built-in \
                 {role} of the Kubernetes bootstrap policy"
            ),
        ));
    }
    tracing::debug!("RBAC resolved in {:?}", clock.elapsed());
    for (binding, role) in &rbac.platform_unresolved {
        notes.push(Note::new(
            NoteLevel::Info,
            binding,
            format!(
                "a bootstrap-policy binding to {role}, which neither the input nor the embedded \
                 bootstrap policy defines: its rights are unknown and not judged"
            ),
        ));
    }
    for (binding, role) in &rbac.missing_roles {
        notes.push(Note::warning(
            binding,
            format!("refers to {role}, which does not exist"),
        ));
    }
    let identities = mapper.identities(objects, &rbac);
    tracing::debug!(
        "{} identities mapped in {:?}",
        identities.len(),
        clock.elapsed()
    );
    let stats = ScanStats {
        files_scanned: objects.len() as u64,
        ..Default::default()
    };
    Collected {
        identities,
        run: SourceRun::new("kubernetes", target, stats, notes),
    }
}

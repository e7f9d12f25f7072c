//! What a run needs before it scans: the rule files read and checked, the posture rules compiled,
//! the detectors compiled when content will be scanned, the thresholds and owner map. All of it
//! fails fast, before any scanning, with exit code 2.

use super::Config;
use crate::detectors::{DetectorSet, NameMarkers};
use crate::judge::Judge;
use crate::owners::OwnerMap;
use crate::report::RuleDoc;
use crate::rules::{
    Contract, EvalContext, PostureEngine, RuleFiles, detector_specs, name_marker_specs,
};
use anyhow::{Result, bail};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Loaded {
    /// Shared with every repo scanner of the run.
    pub detectors: Arc<DetectorSet>,
    pub engine: PostureEngine,
    /// The posture rules the config disabled: evaluated only to count what they would raise.
    pub disabled: PostureEngine,
    pub eval: EvalContext,
    /// `[[owners.map]]`, compiled.
    pub owners: OwnerMap,
}

impl Loaded {
    /// Read the built-in rules, the config's `[rules] dirs` and `extra_dirs` (`--rules`). The
    /// detectors' regexes are compiled only when `content` is true: cloud, cluster and org
    /// sources and `merge` judge identities but scan no content.
    pub fn load(config: &Config, extra_dirs: &[PathBuf], content: bool) -> Result<Loaded> {
        let mut dirs: Vec<PathBuf> = config.rules.dirs.clone();
        dirs.extend(extra_dirs.iter().cloned());
        let files = RuleFiles::load(&dirs, true)?;
        let specs = detector_specs(&files)?;
        let detector_ids: HashSet<String> = specs.iter().map(|(_, s)| s.id.value.clone()).collect();
        let repo_kinds: Vec<String> = specs.iter().map(|(_, s)| s.identity_kind()).collect();
        let contract = contract(repo_kinds.iter().map(String::as_str));
        let detectors = if content {
            let markers = NameMarkers::from_specs(&name_marker_specs(&files)?);
            DetectorSet::compile(specs)?.with_name_markers(markers)
        } else {
            DetectorSet::compile(vec![])?
        };
        let engine = PostureEngine::load(&files)?;
        let broken: Vec<String> = engine
            .rules
            .iter()
            .flat_map(|r| contract.check(r))
            .collect();
        if !broken.is_empty() {
            bail!(
                "{}\n(run `nhiscan rules check` for every problem of the rule files)",
                broken.join("\n")
            );
        }
        let disabled = &config.rules.disabled;
        for id in disabled {
            if !detector_ids.contains(id) && engine.get(id).is_none() {
                bail!(
                    "{}: [rules] disabled names `{id}`, which is no rule (see `nhiscan rules list`)",
                    config
                        .origin
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "config".into())
                );
            }
        }
        let detectors = Arc::new(detectors.without(disabled)?);
        let mut engine = engine;
        let disabled = engine.split_off(disabled);
        let eval = EvalContext {
            now: crate::clock::now(),
            config: config.thresholds()?,
        };
        let owners = OwnerMap::new(&config.owners.map)?;
        Ok(Loaded {
            detectors,
            engine,
            disabled,
            eval,
            owners,
        })
    }

    /// How many findings each disabled rule would have raised on this inventory.
    pub fn suppressed(&self, identities: &[crate::inventory::Identity]) -> Vec<(String, usize)> {
        if self.disabled.rules.is_empty() {
            return vec![];
        }
        let (findings, _) = self.disabled.evaluate(identities, &self.eval);
        self.disabled
            .rules
            .iter()
            .map(|r| {
                let n = findings.iter().filter(|f| f.rule_id == r.id).count();
                (r.id.clone(), n)
            })
            .collect()
    }

    /// What judging an inventory needs from what was loaded.
    pub fn judge(&self) -> Judge<'_> {
        Judge {
            engine: &self.engine,
            eval: &self.eval,
            owners: &self.owners,
        }
    }

    /// Every posture rule's documentation, for reports (SARIF help, HTML, Markdown).
    pub fn rule_docs(&self) -> Vec<RuleDoc> {
        self.engine
            .rules
            .iter()
            .map(|r| RuleDoc {
                id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                description: r.description.clone(),
                remediation: r.remediation.clone(),
                references: r.references.clone(),
            })
            .collect()
    }
}

/// What posture rules may name: every connector's table (`crate::connectors::emits`), the
/// attributes joins and owner resolution add, and the repo kinds the detectors declare.
pub fn contract<'a>(repo_kinds: impl IntoIterator<Item = &'a str>) -> Contract {
    let added: Vec<&str> = crate::correlate::ATTRIBUTES
        .iter()
        .chain(crate::owners::ATTRIBUTES)
        .copied()
        .collect();
    Contract::new(
        &crate::connectors::emits::ALL,
        &added,
        repo_kinds.into_iter().map(|k| ("repo", k)),
    )
}

//! What every command that scans needs before it starts: the config, the compiled rules and the
//! evaluation context. All of it fails fast, before any scanning, with exit code 2.

use super::args::GlobalArgs;
use crate::config::Config;
use crate::detectors::DetectorSet;
use crate::owners::OwnerMap;
use crate::report::RuleDoc;
use crate::rules::{EvalContext, PostureEngine, RuleFiles, detector_specs};
use anyhow::{Result, bail};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct Loaded {
    pub config: Config,
    /// Shared with every repo scanner of the run.
    pub detectors: Arc<DetectorSet>,
    pub engine: PostureEngine,
    pub eval: EvalContext,
    /// `[[owners.map]]`, compiled.
    pub owners: OwnerMap,
}

/// Everything a scan of content needs: detectors compiled.
pub fn load(global: &GlobalArgs, scanned: Option<&Path>) -> Result<Loaded> {
    load_with(global, scanned, true)
}

/// For commands that judge identities but scan no content (cloud, cluster and org sources,
/// `merge`): detector files are still read and checked, but their regexes are not compiled.
pub fn load_for_posture(global: &GlobalArgs) -> Result<Loaded> {
    load_with(global, None, false)
}

fn load_with(global: &GlobalArgs, scanned: Option<&Path>, detectors: bool) -> Result<Loaded> {
    let config = Config::discover(global.config.as_deref(), scanned)?;
    let mut dirs: Vec<PathBuf> = config.rules.dirs.clone();
    dirs.extend(global.rules_dirs.iter().cloned());
    let files = RuleFiles::load(&dirs, true)?;
    let specs = detector_specs(&files)?;
    let detector_ids: HashSet<String> = specs.iter().map(|(_, s)| s.id.value.clone()).collect();
    let detectors = if detectors {
        DetectorSet::compile(specs)?
    } else {
        DetectorSet::compile(vec![])?
    };
    let engine = PostureEngine::load(&files)?;
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
    let engine = engine.without(disabled);
    let eval = EvalContext {
        now: crate::clock::now(),
        config: config.thresholds()?,
    };
    let owners = OwnerMap::new(&config.owners.map)?;
    Ok(Loaded {
        config,
        detectors,
        engine,
        eval,
        owners,
    })
}

pub fn rule_docs(engine: &PostureEngine) -> Vec<RuleDoc> {
    engine
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

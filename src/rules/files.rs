//! Finding rule files: the ones built into the binary and those in the folders a user names with
//! `--rules`. A file is a detector file if it holds `detectors:`, a posture file if it holds
//! `rules:`; anything else is an error naming the file.

use anyhow::{Context, Result, bail};
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Detectors,
    Posture,
}

#[derive(Debug, Clone)]
pub struct RuleFile {
    /// Path as shown in messages (`rules/secrets/aws.yaml`, or the user's path).
    pub name: String,
    pub text: String,
    pub kind: RuleKind,
}

#[derive(Debug, Clone, Default)]
pub struct RuleFiles {
    pub files: Vec<RuleFile>,
}

impl RuleFiles {
    /// The built-in rules, plus every `*.yaml`/`*.yml` under each of `dirs` (a file path works too).
    pub fn load(dirs: &[impl AsRef<Path>], builtin: bool) -> Result<RuleFiles> {
        let mut files = Vec::new();
        if builtin {
            for (name, text) in BUILTIN_RULE_FILES {
                if name.ends_with("README.md") {
                    continue;
                }
                files.push(classify(name.to_string(), text.to_string())?);
            }
        }
        for dir in dirs {
            let dir = dir.as_ref();
            let mut paths = Vec::new();
            if dir.is_file() {
                paths.push(dir.to_path_buf());
            } else {
                if !dir.is_dir() {
                    bail!(
                        "rules folder {} does not exist (give --rules a folder of *.yaml rule files)",
                        dir.display()
                    );
                }
                for entry in ignore::WalkBuilder::new(dir)
                    .standard_filters(false)
                    .build()
                {
                    let entry =
                        entry.with_context(|| format!("reading rules folder {}", dir.display()))?;
                    let p = entry.path();
                    if p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                        paths.push(p.to_path_buf());
                    }
                }
                paths.sort();
            }
            for p in paths {
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("reading rule file {}", p.display()))?;
                files.push(classify(p.display().to_string(), text)?);
            }
        }
        Ok(RuleFiles { files })
    }

    pub fn of_kind(&self, kind: RuleKind) -> impl Iterator<Item = &RuleFile> {
        self.files.iter().filter(move |f| f.kind == kind)
    }
}

fn classify(name: String, text: String) -> Result<RuleFile> {
    let has_key = |k: &str| text.lines().any(|l| l.trim_end() == k);
    let kind = if has_key("detectors:") {
        RuleKind::Detectors
    } else if has_key("rules:") {
        RuleKind::Posture
    } else {
        bail!(
            "{name}: not a rule file: expected a top-level `detectors:` or `rules:` list (see rules/README.md)"
        );
    };
    Ok(RuleFile { name, text, kind })
}

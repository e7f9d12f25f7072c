//! `nhiscan.toml`: allow-lists, disabled rules, extra rule folders and thresholds. Every key is
//! checked (unknown keys are errors with their line), and the file is read before any scanning so
//! a typo fails fast with exit code 2.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The name looked for in the working directory, then in the scanned folder.
pub const CONFIG_FILE_NAME: &str = "nhiscan.toml";

/// A found config larger than this is refused: no real one comes close.
const MAX_FOUND_CONFIG: u64 = 1 << 20;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub scan: ScanSection,
    #[serde(default)]
    pub allow: AllowSection,
    #[serde(default)]
    pub rules: RulesSection,
    #[serde(default)]
    pub owners: OwnersSection,
    /// What `nhiscan scan --config FILE` (no subcommand) scans: `[[sources]]` tables.
    #[serde(default)]
    pub sources: Vec<super::SourceConfig>,
    /// Thresholds rules read as `config.<name>` (e.g. `stale_days`).
    #[serde(default)]
    pub thresholds: BTreeMap<String, toml::Value>,
    /// Where the config came from, for messages.
    #[serde(skip)]
    pub origin: Option<PathBuf>,
    /// Found rather than given with `--config`: it may be part of the scanned repository, so it
    /// may only narrow the scan (see `super::trust`).
    #[serde(skip)]
    pub discovered: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSection {
    pub max_file_size: Option<u64>,
    #[serde(default)]
    pub no_ignore: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSection {
    /// Globs over paths relative to the scanned root.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Literal values or `sha256:<hex>` of values that are known not to be live secrets.
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSection {
    /// Detector or posture rule ids to switch off.
    #[serde(default)]
    pub disabled: Vec<String>,
    /// Extra rule folders, relative to the config file.
    #[serde(default)]
    pub dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnersSection {
    /// Tag, label or annotation keys that name an identity's owner, most trusted first.
    #[serde(default = "default_owner_keys")]
    pub keys: Vec<String>,
    /// `[[owners.map]]`: glob over identity ids or names → owner, for identities nothing else
    /// names an owner for.
    #[serde(default)]
    pub map: Vec<crate::owners::MapEntry>,
}

impl Default for OwnersSection {
    fn default() -> Self {
        OwnersSection {
            keys: default_owner_keys(),
            map: vec![],
        }
    }
}

fn default_owner_keys() -> Vec<String> {
    [
        "owner",
        "team",
        "app.kubernetes.io/owner",
        "app.kubernetes.io/managed-by",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Defaults for every threshold the shipped rules read.
pub fn default_thresholds() -> BTreeMap<String, serde_json::Value> {
    [
        ("stale_days", 90),
        ("unused_grace_days", 7),
        ("rotation_days", 90),
        ("max_key_age_days", 365),
        ("secret_max_age_days", 30),
        // GitHub: a fine-grained PAT never used this long after it was granted is unneeded; a
        // token living longer than this is long-lived; a secret not replaced for this long is
        // due for rotation.
        ("pat_unused_grace_days", 30),
        ("max_token_lifetime_days", 366),
        ("secret_rotation_days", 365),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
    .collect()
}

impl Config {
    pub fn read(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        Config::parse(path, &text)
    }

    /// A config found in a folder that may be the scanned repository's: read only if it is a
    /// regular file (not a symlink to somewhere else, not a device) of a sane size.
    fn read_found(path: &Path) -> Result<Config> {
        let bytes = crate::safe_file::read(path, None, MAX_FOUND_CONFIG).map_err(|why| {
            anyhow::anyhow!(
                "config {}: {why}; a config nhiscan finds by itself must be a plain file of at \
                 most {MAX_FOUND_CONFIG} bytes — give another one with --config",
                path.display()
            )
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("config {}: not UTF-8 text", path.display()))?;
        let mut cfg = Config::parse(path, &text)?;
        cfg.discovered = true;
        Ok(cfg)
    }

    /// Parse nhiscan.toml. An error names the file, line and column and what is wrong, never
    /// the text there (a config may hold allow-listed values).
    fn parse(path: &Path, text: &str) -> Result<Config> {
        let mut cfg: Config = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let (line, col) = crate::parse_note::line_col(text, s.start);
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            anyhow::anyhow!(
                "{}{at}: {}",
                path.display(),
                crate::parse_note::problem(e.message())
            )
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        cfg.rules.dirs = cfg.rules.dirs.iter().map(|d| base.join(d)).collect();
        for s in &mut cfg.sources {
            s.resolve_paths(base);
        }
        cfg.origin = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// The explicit `--config`, else `./nhiscan.toml`, else `<first scanned folder>/nhiscan.toml`,
    /// else the defaults.
    pub fn discover(explicit: Option<&Path>, scanned: Option<&Path>) -> Result<Config> {
        if let Some(p) = explicit {
            return Config::read(p);
        }
        let candidates = [
            Some(PathBuf::from(CONFIG_FILE_NAME)),
            scanned
                .filter(|p| p.is_dir())
                .map(|p| p.join(CONFIG_FILE_NAME)),
        ];
        for c in candidates.into_iter().flatten() {
            if std::fs::symlink_metadata(&c).is_ok() {
                return Config::read_found(&c);
            }
        }
        Ok(Config::default())
    }

    /// Thresholds as rules see them: defaults overlaid with `[thresholds]`.
    pub fn thresholds(&self) -> Result<BTreeMap<String, serde_json::Value>> {
        let mut t = default_thresholds();
        for (k, v) in &self.thresholds {
            let json = serde_json::to_value(v)
                .with_context(|| format!("threshold `{k}` cannot be used in rules"))?;
            t.insert(k.clone(), json);
        }
        Ok(t)
    }
}

//! Validation and compilation of detector specs. Every check that can fail on a user's rule file
//! happens here, before any scanning, with the file and line of the offending rule.

use super::{Checksum, Decoder, DetectorSpec, NameMarkers};
use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context, Result, bail};
use regex::bytes::{Regex, RegexBuilder};
use std::collections::{BTreeMap, HashSet};

/// Default bytes searched after a keyword hit.
const DEFAULT_WINDOW: usize = 1024;

/// A compiled detector.
#[derive(Debug)]
pub struct Detector {
    pub id: String,
    pub name: String,
    pub service: String,
    pub kind: String,
    pub category: String,
    pub identity_kind: String,
    pub confidence: String,
    pub generic: bool,
    pub window: usize,
    pub keywords: Vec<String>,
    pub entropy: Option<f64>,
    pub checksum: Option<Checksum>,
    pub decode: Option<Decoder>,
    pub references: Vec<String>,
    pub examples: Vec<String>,
    pub negative_examples: Vec<String>,
    /// The live check of `--validate`, checked for shape when loaded.
    pub validate: Option<super::ValidateSpec>,
    /// Where it was defined (`file:line`), for messages.
    pub origin: String,
    pub(super) regex: Regex,
    pub(super) secret_group: usize,
    /// Other named groups, kept as attributes of a match.
    pub(super) extra_groups: Vec<(usize, String)>,
    pub(super) ignore_values: Vec<Regex>,
}

/// All detectors of a run, with the keyword automaton that decides which of them run where.
#[derive(Debug)]
pub struct DetectorSet {
    pub detectors: Vec<Detector>,
    pub(super) keywords: AhoCorasick,
    /// For each keyword pattern, the detectors that listed it.
    pub(super) keyword_detectors: Vec<Vec<usize>>,
    /// Names that mark a value as not real (placeholder names).
    pub(super) name_markers: NameMarkers,
}

impl DetectorSet {
    /// Compile specs (already parsed, each with the file it came from). Ids must be unique.
    pub fn compile(specs: Vec<(String, DetectorSpec)>) -> Result<DetectorSet> {
        let mut seen = HashSet::new();
        let mut detectors = Vec::with_capacity(specs.len());
        for (file, spec) in specs {
            let origin = format!("{file}:{}", spec.id.referenced.line());
            let id = spec.id.value.clone();
            if !seen.insert(id.clone()) {
                bail!("{origin}: detector id `{id}` is defined twice");
            }
            detectors.push(compile_one(spec, origin)?);
        }
        DetectorSet::from_detectors(detectors)
    }

    /// Build the keyword automaton over compiled detectors.
    ///
    /// The automaton reports leftmost-longest, non-overlapping hits (much faster than overlapping
    /// search, and it keeps its prefilter). So that a short keyword inside a longer one (`pass` in
    /// `password`) still triggers its detectors, each keyword also carries the detectors of every
    /// keyword it contains.
    fn from_detectors(detectors: Vec<Detector>) -> Result<DetectorSet> {
        let mut keyword_index: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, d) in detectors.iter().enumerate() {
            for k in d.keywords_lower() {
                keyword_index.entry(k).or_default().push(i);
            }
        }
        let patterns: Vec<String> = keyword_index.keys().cloned().collect();
        let mut keyword_detectors: Vec<Vec<usize>> = Vec::with_capacity(patterns.len());
        for long in &patterns {
            let mut dets: Vec<usize> = keyword_index
                .iter()
                .filter(|(short, _)| long.contains(short.as_str()))
                .flat_map(|(_, d)| d.iter().copied())
                .collect();
            dets.sort_unstable();
            dets.dedup();
            keyword_detectors.push(dets);
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .context("building the keyword automaton")?;
        Ok(DetectorSet {
            keyword_detectors,
            detectors,
            keywords,
            name_markers: NameMarkers::default(),
        })
    }

    /// Mark values found under these names (`rules/secrets/_placeholders.yaml`).
    pub fn with_name_markers(mut self, markers: NameMarkers) -> DetectorSet {
        self.name_markers = markers;
        self
    }

    pub fn get(&self, id: &str) -> Option<&Detector> {
        self.detectors.iter().find(|d| d.id == id)
    }

    /// Every distinct keyword (lowercase), e.g. for a reference `rg` run in benchmarks.
    pub fn keywords(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .detectors
            .iter()
            .flat_map(|d| d.keywords_lower())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Drop detectors by id (from `nhiscan.toml`).
    pub fn without(self, disabled: &[String]) -> Result<DetectorSet> {
        if disabled.is_empty() {
            return Ok(self);
        }
        let markers = self.name_markers;
        let kept = self
            .detectors
            .into_iter()
            .filter(|d| !disabled.contains(&d.id))
            .collect();
        Ok(DetectorSet::from_detectors(kept)?.with_name_markers(markers))
    }
}

impl Detector {
    fn keywords_lower(&self) -> Vec<String> {
        self.keywords
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .collect()
    }
}

fn compile_one(spec: DetectorSpec, origin: String) -> Result<Detector> {
    let identity_kind = spec.identity_kind();
    let id = spec.id.value;
    let err = |msg: String| anyhow::anyhow!("{origin}: detector `{id}`: {msg}");
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    {
        return Err(err(
            "id must be lowercase letters, digits, `.`, `_` or `-`".into()
        ));
    }
    if spec.keywords.is_empty() {
        return Err(err("needs at least one keyword".into()));
    }
    if let Some(k) = spec.keywords.iter().find(|k| k.len() < 3) {
        return Err(err(format!(
            "keyword `{k}` is shorter than 3 characters and would make every file a candidate"
        )));
    }
    if !matches!(spec.confidence.as_str(), "high" | "medium" | "low") {
        return Err(err(format!(
            "confidence `{}` must be high, medium or low",
            spec.confidence
        )));
    }
    let regex = RegexBuilder::new(&spec.pattern)
        .size_limit(32 << 20)
        .build()
        .map_err(|e| err(format!("pattern does not compile: {e}")))?;
    let secret_group = regex
        .capture_names()
        .position(|n| n == Some("secret"))
        .ok_or_else(|| err("pattern has no `(?P<secret>…)` group".into()))?;
    let extra_groups = regex
        .capture_names()
        .enumerate()
        .filter_map(|(i, n)| match n {
            Some(n) if n != "secret" => Some((i, n.to_string())),
            _ => None,
        })
        .collect();
    let checksum = spec
        .checksum
        .as_deref()
        .map(str::parse::<Checksum>)
        .transpose()
        .map_err(err)?;
    let decode = spec
        .decode
        .as_deref()
        .map(str::parse::<Decoder>)
        .transpose()
        .map_err(err)?;
    let ignore_values = spec
        .ignore_values
        .iter()
        .map(|p| Regex::new(p).map_err(|e| err(format!("ignore_values `{p}`: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    if let Some(e) = spec.entropy
        && !(0.0..=8.0).contains(&e)
    {
        return Err(err(format!("entropy {e} must be between 0 and 8 bits")));
    }
    if let Some(v) = &spec.validate {
        crate::validate::check_spec(v).map_err(|e| err(format!("validate: {e}")))?;
    }
    Ok(Detector {
        validate: spec.validate,
        identity_kind,
        name: spec.name,
        service: spec.service,
        kind: spec.kind,
        category: spec.category,
        confidence: spec.confidence,
        generic: spec.generic,
        window: spec.window.unwrap_or(DEFAULT_WINDOW),
        entropy: spec.entropy,
        checksum,
        decode,
        references: spec.references,
        examples: spec.examples,
        negative_examples: spec.negative_examples,
        keywords: spec.keywords,
        origin,
        regex,
        secret_group,
        extra_groups,
        ignore_values,
        id,
    })
}

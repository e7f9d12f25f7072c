//! Property tests of the matcher's invariants: windowing around keyword hits never loses a match
//! that the detector finds in isolation, matches never overlap, and redaction never reveals.

use nhiscan::detectors::DetectorSet;
use nhiscan::inventory::redact;
use nhiscan::rules::{RuleFiles, compile_detectors};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn builtin() -> &'static DetectorSet {
    static SET: OnceLock<DetectorSet> = OnceLock::new();
    SET.get_or_init(|| {
        let files = RuleFiles::load(&[] as &[&str], true).unwrap();
        compile_detectors(&files).unwrap()
    })
}

/// Every (detector, example) pair of the built-in rules.
fn examples() -> Vec<(usize, String)> {
    builtin()
        .detectors
        .iter()
        .enumerate()
        .flat_map(|(i, d)| d.examples.iter().map(move |e| (i, e.clone())))
        .collect()
}

fn secrets(set: &DetectorSet, det: usize, hay: &[u8]) -> BTreeSet<Vec<u8>> {
    set.find_only(det, hay)
        .into_iter()
        .map(|m| hay[m.secret].to_vec())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn surrounding_text_never_hides_a_match(
        pick in any::<prop::sample::Index>(),
        prefix in "[ a-z0-9=;:(){}\n]{0,4000}",
        suffix in "[ a-z0-9=;:(){}\n]{0,4000}",
    ) {
        let all = examples();
        let (det, example) = &all[pick.index(all.len())];
        let set = builtin();
        let alone = secrets(set, *det, example.as_bytes());
        let hay = format!("{prefix}\n{example}\n{suffix}");
        let embedded = secrets(set, *det, hay.as_bytes());
        prop_assert!(alone.is_subset(&embedded), "detector {} lost {:?}", set.detectors[*det].id, alone);
    }

    #[test]
    fn matches_are_in_bounds_and_never_overlap(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
        filler in "[ a-z0-9\n]{0,200}",
    ) {
        let all = examples();
        let hay: String = picks
            .iter()
            .map(|p| all[p.index(all.len())].1.clone())
            .collect::<Vec<_>>()
            .join(&format!("\n{filler}\n"));
        let set = builtin();
        let found = set.find(hay.as_bytes());
        for (i, m) in found.iter().enumerate() {
            prop_assert!(m.secret.end <= hay.len() && m.secret.start < m.secret.end);
            for other in &found[i + 1..] {
                let overlap = m.secret.start < other.secret.end && other.secret.start < m.secret.end;
                prop_assert!(m.secret != other.secret, "two detectors kept for one span");
                let generic = set.detectors[m.detector].generic || set.detectors[other.detector].generic;
                prop_assert!(!(overlap && generic), "a generic match overlaps another");
            }
        }
    }

    #[test]
    fn redaction_never_contains_the_secret(secret in "[A-Za-z0-9_\\-+/=]{12,120}") {
        let r = redact(&secret);
        prop_assert!(!r.contains(&secret));
        let shown = r.split('…').next().unwrap();
        prop_assert!(shown.chars().count() <= 8.min(secret.chars().count() / 4));
    }
}

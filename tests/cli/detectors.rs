//! The shipped detectors: every example and negative example behaves as written, and the set
//! covers what the product promises.

use crate::common::*;

#[test]
fn every_builtin_detector_and_rule_passes_its_examples() {
    let r = run(&["rules", "check"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(": 0 problems"), "{}", r.stdout);
}

#[test]
fn coverage_of_providers_and_formats() {
    let r = run(&["rules", "list", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = r.json();
    let detectors = list["detectors"].as_array().unwrap();
    assert!(detectors.len() >= 120, "only {} detectors", detectors.len());
    let services: std::collections::BTreeSet<&str> = detectors
        .iter()
        .map(|d| d["service"].as_str().unwrap())
        .collect();
    for s in [
        "aws",
        "gcp",
        "azure",
        "github",
        "gitlab",
        "slack",
        "stripe",
        "npm",
        "pypi",
        "openai",
        "anthropic",
        "huggingface",
        "datadog",
        "sentry",
        "database",
        "kubernetes",
        "jwt",
    ] {
        assert!(services.contains(s), "no detector for {s}: {services:?}");
    }
    // Database URLs of every common engine are one detector family.
    let checked = run(&["rules", "check"]);
    assert!(checked.code == 0);
    let examples = std::fs::read_to_string(root().join("rules/secrets/database.yaml")).unwrap();
    for scheme in [
        "postgres://",
        "mysql://",
        "mongodb+srv://",
        "redis://",
        "amqp://",
    ] {
        assert!(
            examples.contains(scheme),
            "no database example for {scheme}"
        );
    }
    for d in detectors {
        let kw = d["keywords"].as_array().unwrap();
        assert!(!kw.is_empty(), "{} has no keywords", d["id"]);
    }
}

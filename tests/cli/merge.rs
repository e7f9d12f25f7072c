//! `nhiscan merge`: sharded scans combine into what one scan gives; identities merge by id with
//! the newest run's facts and a note; other schema versions are refused by name.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn scan_to(dir: &Path, name: &str, paths: &[&str]) -> (i32, String) {
    let out = dir.join(name);
    let mut args = vec!["scan", "repo"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&["-q", "--fail-on", "none", "-o", out.to_str().unwrap()]);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (r.code, out.to_str().unwrap().to_string())
}

/// The report without what differs between runs of the same inputs: times and tool version.
fn timeless(mut j: Value) -> Value {
    j["started_at"] = Value::Null;
    j["finished_at"] = Value::Null;
    j
}

fn merge(args: &[&str]) -> Run {
    let mut a = vec!["merge", "-q", "-f", "json"];
    a.extend_from_slice(args);
    run(&a)
}

#[test]
fn two_shards_merge_to_what_one_scan_of_both_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a) = scan_to(dir.path(), "a.json", &["fixtures/demo/app"]);
    let (_, b) = scan_to(dir.path(), "b.json", &["fixtures/demo/deploy"]);
    let merged = merge(&[&a, &b, "--fail-on", "none"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    let single = run(&[
        "scan",
        "repo",
        "fixtures/demo/app",
        "fixtures/demo/deploy",
        "-q",
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(single.code, 0, "{}", single.stderr);
    let (m, s) = (timeless(merged.json()), timeless(single.json()));
    assert!(s["summary"]["findings"].as_u64().unwrap() > 0);
    assert_eq!(m, s, "merge of shards differs from a single scan");
    // The exit code follows the merged findings just as a scan's does.
    assert_eq!(merge(&[&a, &b]).code, 1);
}

#[test]
fn overlapping_shards_keep_one_identity_with_every_location() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a) = scan_to(dir.path(), "a.json", &["fixtures/demo/app"]);
    let (_, b) = scan_to(dir.path(), "b.json", &["fixtures/demo"]);
    let m = merge(&[&a, &b, "--fail-on", "none"]);
    assert_eq!(m.code, 0, "{}", m.stderr);
    let j = m.json();
    let ids: Vec<&str> = j["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "identities deduplicated by id");
    // A secret in app/ was seen by both shards: relative to each root, so both paths are kept.
    let paths: Vec<String> = found(&j).into_iter().map(|(_, p, _)| p).collect();
    assert!(paths.contains(&"settings.py".to_string()), "{paths:?}");
    assert!(paths.contains(&"app/settings.py".to_string()), "{paths:?}");
    let fps: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let set: std::collections::HashSet<_> = fps.iter().collect();
    assert_eq!(set.len(), fps.len(), "findings deduplicated by fingerprint");
    // And a single scan of the same overlapping paths now gives the same identities.
    let single = run(&[
        "scan",
        "repo",
        "fixtures/demo/app",
        "fixtures/demo",
        "-q",
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(
        timeless(single.json())["identities"],
        timeless(j)["identities"]
    );
}

#[test]
fn conflicting_facts_take_the_newest_run_union_the_rest_and_say_so() {
    // Tuesday's report is given first: precedence follows finished_at, not argument order.
    let m = merge(&[
        "fixtures/inventory/prod-tuesday.json",
        "fixtures/inventory/prod-monday.json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(m.code, 0, "{}", m.stderr);
    let j = m.json();
    assert_eq!(j["summary"]["identities"], 3);
    let d = identity(&j, "k8s:prod/ci/deployer");
    assert_eq!(d["name"], "ci/deployer-renamed", "newest name");
    assert_eq!(d["last_used_at"], "2026-03-02T12:00:00Z", "newest last use");
    assert_eq!(d["owner"]["name"], "sre", "newest owner");
    assert_eq!(
        d["created_at"], "2025-01-10T00:00:00Z",
        "only Monday knew it"
    );
    assert_eq!(d["labels"]["team"], "platform");
    assert_eq!(d["labels"]["env"], "prod");
    assert_eq!(d["attributes"]["automount_token"], true);
    assert!(d["attributes"]["bindings"].is_array());
    let creds = d["credentials"].as_array().unwrap();
    assert_eq!(creds.len(), 2, "credentials unioned by id");
    assert_eq!(creds[0]["status"], "inactive", "newest status");
    assert_eq!(creds[0]["created_at"], "2025-01-10T00:00:00Z");
    let notes = j["notes"].as_array().unwrap();
    let conflict = notes
        .iter()
        .find(|n| n["subject"] == "k8s:prod/ci/deployer")
        .expect("a note about the conflict");
    assert_eq!(conflict["level"], "info");
    let msg = conflict["message"].as_str().unwrap();
    for needle in [
        "name",
        "owner",
        "last_used_at",
        "credentials[secret:ci/deployer-token].status",
        "prod-monday.json",
        "prod-tuesday.json",
    ] {
        assert!(msg.contains(needle), "`{needle}` missing from: {msg}");
    }
    assert!(
        notes.iter().any(|n| n["message"] == "a run-level note"),
        "input notes kept"
    );
    // Sources: both runs, in the order given.
    let targets: Vec<&str> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["prod (tuesday)", "prod (monday)"]);
}

#[test]
fn rules_run_again_over_the_merged_inventory_and_unknown_rules_are_kept() {
    let args = [
        "fixtures/inventory/prod-monday.json",
        "fixtures/inventory/prod-tuesday.json",
        "--fail-on",
        "none",
    ];
    let j = merge(&args).json();
    let rules = rule_ids(&j);
    // Neither input has a k8s.cluster-admin finding; the merged permissions make it fire.
    assert!(
        rules.contains(&"k8s.cluster-admin".to_string()),
        "{rules:?}"
    );
    // The custom rule's finding is in both inputs under one fingerprint: kept once, newest copy.
    let custom: Vec<&Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "custom.team-policy")
        .collect();
    assert_eq!(custom.len(), 1);
    assert_eq!(
        custom[0]["message"],
        "ci/deployer still breaks the team policy"
    );
    let by_sev = &j["summary"]["findings_by_severity"];
    let total: u64 = ["critical", "high", "medium", "low", "info"]
        .iter()
        .map(|s| by_sev[s].as_u64().unwrap())
        .sum();
    assert_eq!(total, j["findings"].as_array().unwrap().len() as u64);
    assert_eq!(j["summary"]["findings"], total);

    let mut no_rules = args.to_vec();
    no_rules.push("--no-rules");
    let n = merge(&no_rules).json();
    assert_eq!(rule_ids(&n), ["custom.team-policy"]);
}

#[test]
fn other_schema_versions_are_refused_naming_file_and_version() {
    for (file, version) in [("schema-v2.json", "\"2\""), ("schema-v0.json", "\"0\"")] {
        let path = format!("fixtures/inventory/{file}");
        let m = merge(&[
            "fixtures/inventory/prod-monday.json",
            &path,
            "--fail-on",
            "none",
        ]);
        assert_eq!(
            m.code, 3,
            "the readable report is merged, the run is partial"
        );
        assert!(m.stderr.contains(&path), "{}", m.stderr);
        assert!(m.stderr.contains(version), "{}", m.stderr);
        let j = m.json();
        let failed = j["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["status"] == "failed")
            .expect("a failed source");
        assert_eq!(failed["target"], path);
        assert_eq!(j["summary"]["identities"], 2);
    }
    // A later 1.x adds fields only: read.
    let m = merge(&["fixtures/inventory/schema-v1.3.json", "--fail-on", "none"]);
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert_eq!(m.json()["schema_version"], "1");
    // Nothing readable at all is a usage error.
    let m = merge(&[
        "fixtures/inventory/schema-v2.json",
        "fixtures/inventory/truncated.json",
    ]);
    assert_eq!(m.code, 2);
    assert!(m.stderr.contains("truncated.json"), "{}", m.stderr);
    assert!(m.stderr.contains("not a JSON document"), "{}", m.stderr);
}

#[test]
fn a_partial_shard_makes_the_merge_partial() {
    let dir = tempfile::tempdir().unwrap();
    let k = dir.path().join("k.json");
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        "fixtures/kubernetes",
        "-q",
        "--fail-on",
        "none",
        "-o",
        k.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "the fixture has an invalid document");
    let m = merge(&[k.to_str().unwrap(), "--fail-on", "none"]);
    assert_eq!(m.code, 3, "{}", m.stderr);
    assert_eq!(merge(&[k.to_str().unwrap()]).code, 1, "findings win over 3");
}

#[test]
fn revealed_secrets_stay_out_of_a_merge_without_reveal() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo/deploy",
        "-q",
        "--reveal",
        "--fail-on",
        "none",
        "-o",
        a.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shard = std::fs::read_to_string(&a).unwrap();
    assert!(shard.contains("\"secret\":"), "the shard was revealed");
    let m = merge(&[a.to_str().unwrap(), "--fail-on", "none"]);
    assert!(!m.stdout.contains("\"secret\":"), "merge stripped secrets");
    let m = merge(&[a.to_str().unwrap(), "--fail-on", "none", "--reveal"]);
    assert!(m.stdout.contains("\"secret\":"));
}

#[test]
fn a_baseline_gates_the_merged_findings_like_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a) = scan_to(dir.path(), "a.json", &["fixtures/demo/app"]);
    let (_, b) = scan_to(dir.path(), "b.json", &["fixtures/demo/deploy"]);
    // Yesterday's merged report is today's baseline: only the new shard's findings count.
    let base = dir.path().join("base.json");
    let r = run(&[
        "merge",
        &a,
        "-q",
        "--fail-on",
        "none",
        "-o",
        base.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = merge(&[&a, &b, "--baseline", base.to_str().unwrap()]);
    assert_eq!(m.code, 1, "new findings from b.json fail the run");
    let j = m.json();
    let from_a = timeless(run(&["merge", &a, "-q", "-f", "json", "--fail-on", "none"]).json());
    let baselined = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline_state"] == "baselined")
        .count();
    assert_eq!(baselined, from_a["findings"].as_array().unwrap().len());
    assert_eq!(
        j["summary"]["new_findings"].as_u64().unwrap() as usize,
        j["findings"].as_array().unwrap().len() - baselined
    );
    let m = merge(&[&a, "--baseline", base.to_str().unwrap()]);
    assert_eq!(m.code, 0, "nothing new: {}", m.stderr);
}

/// Issue 18 item 13, as the attack: a report handed to `merge` carries terminal escape sequences
/// and a bidi override in every text field; the table and the CSV show them escaped.
#[test]
fn escape_sequences_in_merged_reports_reach_no_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let clean = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    let mut report = clean.json();
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}";
    for i in report["identities"].as_array_mut().unwrap() {
        i["name"] = format!("{evil}name").into();
        for c in i["credentials"].as_array_mut().into_iter().flatten() {
            for l in c["found"]["locations"].as_array_mut().into_iter().flatten() {
                l["path"] = format!("{evil}path").into();
                l["snippet"] = format!("{evil}snippet").into();
            }
        }
    }
    for s in report["sources"].as_array_mut().unwrap() {
        s["target"] = format!("{evil}target").into();
    }
    let path = dir.path().join("evil.json");
    std::fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
    let path = path.to_str().unwrap();
    for format in ["table", "csv", "markdown"] {
        let r = run(&["merge", path, "-q", "-f", format, "--fail-on", "none"]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(r.stdout.contains("path"), "{format}: {}", r.stdout);
        for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(
                !r.stdout.contains(bad),
                "{format} printed {bad:?} raw:\n{}",
                r.stdout
            );
        }
    }
}

//! CI gating: a baseline accepts today's findings so only new ones fail the build.

use crate::common::*;

#[test]
fn baseline_suppresses_known_findings_and_flags_new_ones() {
    let tok = github_token("ghp_", "Bn4Vc7Xz1Lk5Jh8Gf2Ds6Aq9Wr3Et0");
    let dir = tree(&[("deploy.sh", format!("export GH_TOKEN={tok}\n").as_bytes())]);
    let p = dir.path().to_str().unwrap().to_string();
    let work = tempfile::tempdir().unwrap();
    let report = work.path().join("report.json");
    let baseline = work.path().join("baseline.json");

    let r = run(&["scan", "repo", &p, "-q", "-o", report.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let r = run(&[
        "baseline",
        report.to_str().unwrap(),
        "-o",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(b["kind"], "nhiscan-baseline");
    assert_eq!(b["entries"].as_array().unwrap().len(), 1);

    let r = scan_json(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(r.code, 0, "nothing new: {}", r.stdout);
    let j = r.json();
    assert_eq!(j["findings"][0]["baseline_state"], "baselined");
    assert_eq!(j["summary"]["new_findings"], 0);

    // A new secret appears: only it is new, and the build fails.
    let tok2 = github_token("ghp_", "Mn1Bv2Cx3Zl4Kj5Hg6Fd7Sa8Qw9Er0");
    std::fs::write(dir.path().join("ci.env"), format!("GH={tok2}\n")).unwrap();
    let r = scan_json(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(j["summary"]["new_findings"], 1);
    let states: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["baseline_state"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "new").count(), 1);

    // A full JSON report also works as a baseline.
    let r = scan_json(dir.path(), &["--baseline", report.to_str().unwrap()]);
    assert_eq!(r.json()["summary"]["new_findings"], 1);
}

#[test]
fn baseline_is_sorted_and_stable() {
    let work = tempfile::tempdir().unwrap();
    let report = work.path().join("r.json");
    run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--fail-on",
        "none",
        "-o",
        report.to_str().unwrap(),
    ]);
    let a = run(&["baseline", report.to_str().unwrap()]);
    run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--fail-on",
        "none",
        "-o",
        report.to_str().unwrap(),
    ]);
    let b = run(&["baseline", report.to_str().unwrap()]);
    assert_eq!(
        a.stdout, b.stdout,
        "same tree, same baseline, byte for byte"
    );
    let j: serde_json::Value = serde_json::from_str(&a.stdout).unwrap();
    let fps: Vec<&str> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    let mut sorted = fps.clone();
    sorted.sort();
    assert_eq!(fps, sorted);
}

#[test]
fn unreadable_or_foreign_baseline_is_a_usage_error() {
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--baseline",
        "/nonexistent/b.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("reading baseline /nonexistent/b.json"),
        "{}",
        r.stderr
    );
    let dir = tree(&[("b.json", b"{\"hello\": 1}")]);
    let b = dir.path().join("b.json");
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--baseline",
        b.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("neither an nhiscan baseline nor an nhiscan JSON report"),
        "{}",
        r.stderr
    );
}

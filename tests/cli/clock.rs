//! Time is an input: `--now` / `NHISCAN_NOW` pins the run's clock, every rule reads it, and a run
//! on the real clock holds only what is true on any day.

use crate::common::*;
use serde_json::Value;

fn aws_at(now: Option<&str>) -> Value {
    let from = root().join("fixtures/aws/auth-details.json");
    let report = root().join("fixtures/aws/credential-report.csv");
    let mut cmd = match now {
        Some(_) => nhiscan(),
        None => nhiscan_wall_clock(),
    };
    cmd.args(["scan", "aws", "--from", from.to_str().unwrap()])
        .args(["--credential-report", report.to_str().unwrap()])
        .args(["-f", "json", "-q", "--fail-on", "none"]);
    if let Some(n) = now {
        cmd.args(["--now", n]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn has_finding(j: &Value, rule: &str, id_suffix: &str) -> bool {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule_id"] == rule && f["identity_id"].as_str().unwrap().ends_with(id_suffix))
}

#[test]
fn the_pinned_clock_is_what_rules_and_reports_see() {
    // ci-deploy's key was last used 2026-10-31: fresh on the fixture day, stale four months on.
    let day = aws_at(Some("2026-11-01T00:00:00Z"));
    assert_eq!(day["started_at"], "2026-11-01T00:00:00Z");
    assert_eq!(day["finished_at"], "2026-11-01T00:00:00Z");
    assert!(!has_finding(&day, "aws.access-key-stale", "user/ci-deploy"));
    // reporting-svc's key, created 2026-10-29 and never used, is inside the 7-day grace.
    assert!(!has_finding(
        &day,
        "aws.access-key-never-used",
        "user/service/reporting-svc"
    ));

    let later = aws_at(Some("2027-03-01"));
    assert_eq!(later["started_at"], "2027-03-01T00:00:00Z");
    assert!(has_finding(
        &later,
        "aws.access-key-stale",
        "user/ci-deploy"
    ));
    assert!(has_finding(
        &later,
        "aws.access-key-never-used",
        "user/service/reporting-svc"
    ));

    // The same pinned run twice is the same report, byte for byte in what rules decided.
    assert_eq!(
        day["findings"],
        aws_at(Some("2026-11-01T00:00:00Z"))["findings"]
    );
}

#[test]
fn the_real_clock_holds_what_is_true_on_any_day() {
    let before = chrono::Utc::now();
    let j = aws_at(None);
    let after = chrono::Utc::now();
    let started: chrono::DateTime<chrono::Utc> = j["started_at"].as_str().unwrap().parse().unwrap();
    let finished: chrono::DateTime<chrono::Utc> =
        j["finished_at"].as_str().unwrap().parse().unwrap();
    assert!(before - chrono::Duration::seconds(1) <= started && started <= finished);
    assert!(finished <= after + chrono::Duration::seconds(1));
    // legacy-bot's key was last used 2025-01-15: stale on every day this suite can run.
    assert!(has_finding(&j, "aws.access-key-stale", "user/legacy-bot"));
}

#[test]
fn a_bad_now_is_a_usage_error_naming_it() {
    let r = run(&["scan", "repo", "fixtures/demo", "--now", "2027-02-29", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("2027-02-29"), "{}", r.stderr);
}

//! Test helpers: run the real binary in a controlled environment and read its reports.
#![allow(dead_code)]

pub mod github_server;
pub mod http_stub;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The instant every test judges at, unless it says otherwise: the fixtures are written as of
/// this day ("used yesterday" in a fixture is 2026-10-31), so no assertion depends on the date the
/// suite runs.
pub const NOW: &str = "2026-11-01T00:00:00Z";

/// The binary, run from the crate root with a clean logging environment and the clock pinned to
/// [`NOW`].
pub fn nhiscan() -> Command {
    let mut c = nhiscan_wall_clock();
    c.env("NHISCAN_NOW", NOW);
    c
}

/// The binary on the real clock: for servers that stamp what they create with their own clock
/// (moto), and for the one test that checks a run on whatever day it is.
pub fn nhiscan_wall_clock() -> Command {
    let mut c = Command::cargo_bin("nhiscan").expect("binary built");
    c.current_dir(root())
        .env_remove("NHISCAN_LOG")
        .env_remove("NHISCAN_NOW")
        .env("NO_COLOR", "1");
    c
}

/// [`NOW`] as a time, for tests that build data relative to it.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    NOW.parse().expect("NOW is RFC 3339")
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn run(args: &[&str]) -> Run {
    run_in(&root(), args)
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = nhiscan()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `scan repo PATH --format json -q` plus `extra`.
pub fn scan_json(path: &Path, extra: &[&str]) -> Run {
    let p = path.to_str().unwrap();
    let mut args = vec!["scan", "repo", p, "--format", "json", "-q"];
    args.extend_from_slice(extra);
    run(&args)
}

/// Every found secret as (detector, path, line).
pub fn found(report: &Value) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    for i in report["identities"].as_array().unwrap() {
        for c in i["credentials"].as_array().unwrap_or(&vec![]) {
            let f = &c["found"];
            if f.is_null() {
                continue;
            }
            for l in f["locations"].as_array().unwrap() {
                out.push((
                    f["detector"].as_str().unwrap().to_string(),
                    l["path"].as_str().unwrap().to_string(),
                    l["line"].as_u64().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

pub fn rule_ids(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// A fresh temporary folder with the given files (path, contents).
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, c) in files {
        let full = dir.path().join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, c).unwrap();
    }
    dir
}

/// A GitHub-format token (`prefix` + 30 random + base62 CRC32), made here so tests need no
/// committed secret-looking strings beyond fixtures.
pub fn github_token(prefix: &str, random30: &str) -> String {
    assert_eq!(random30.len(), 30);
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = crc32fast::hash(random30.as_bytes());
    let mut d = Vec::new();
    while n > 0 {
        d.push(B62[(n % 62) as usize]);
        n /= 62;
    }
    while d.len() < 6 {
        d.push(b'0');
    }
    d.reverse();
    format!("{prefix}{random30}{}", String::from_utf8(d).unwrap())
}
pub mod moto;

/// The identity with this id in a JSON report (panics, listing the ids, when it is missing).
pub fn identity<'a>(j: &'a Value, id: &str) -> &'a Value {
    let all = j["identities"].as_array().expect("identities");
    all.iter().find(|i| i["id"] == id).unwrap_or_else(|| {
        let ids: Vec<&Value> = all.iter().map(|i| &i["id"]).collect();
        panic!("no identity {id} among {ids:?}")
    })
}

/// Every file under `dir` (following no symlink), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The rule ids of an identity's findings, sorted.
pub fn rules_for(j: &Value, id: &str) -> Vec<String> {
    let mut v: Vec<String> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["identity_id"] == id)
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

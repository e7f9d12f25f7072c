//! --output: files are replaced atomically, devices and pipes are written in place.

use crate::common::*;

#[test]
fn output_to_dev_null_works_and_leaves_it_a_device() {
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--fail-on",
        "none",
        "-o",
        "/dev/null",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null is still a device");
}

#[test]
fn output_file_is_replaced_whole_and_format_follows_extension() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    std::fs::write(&sarif, "old contents that are much longer than nothing").unwrap();
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--fail-on",
        "none",
        "-o",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(ok.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--fail-on",
        "none",
        "-f",
        "json",
        "-o",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = reader.join().unwrap();
    assert!(text.contains("\"schema_version\""));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn output_into_a_missing_folder_is_a_clear_error() {
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "-o",
        "/nonexistent-dir/r.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent-dir"), "{}", r.stderr);
}

#[test]
fn json_schema_is_printed_and_describes_the_report() {
    let r = run(&["schema"]);
    assert_eq!(r.code, 0);
    let s = r.json();
    assert_eq!(s["title"], "Report");
    assert!(s["properties"]["schema_version"].is_object());
    assert!(s["properties"]["identities"].is_object());
}

#[test]
fn json_report_contract_snapshot() {
    let r = scan_json(
        std::path::Path::new("fixtures/demo"),
        &["--fail-on", "none"],
    );
    let mut j = r.json();
    // The clock is pinned (`common::NOW`): times are part of the contract snapshot.
    j["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("demo_report", j);
}

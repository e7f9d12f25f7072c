//! Issue 18 items 9 and 11 for the offline readers: a folder given with `--from` may be a
//! checked-out repository, so a file in it is read only when it is a regular file reached
//! without a symlink out of the folder, and every file not read is a note, while the rest of the
//! folder still counts.

use crate::common::*;
use std::os::unix::fs::symlink;

const SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: NAME\n  namespace: a\n";

#[test]
fn a_manifest_folder_cannot_lead_nhiscan_out_of_it_or_into_a_device() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("elsewhere.yaml"),
        SA.replace("NAME", "from-outside"),
    )
    .unwrap();
    let dir = tree(&[("ok.yaml", SA.replace("NAME", "inside").as_bytes())]);
    symlink(
        outside.path().join("elsewhere.yaml"),
        dir.path().join("escape.yaml"),
    )
    .unwrap();
    symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    let fifo = dir.path().join("pipe.yaml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        dir.path().to_str().unwrap(),
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(
        r.code, 3,
        "a file not read makes the source partial: {}",
        r.stderr
    );
    let j = r.json();
    let names: Vec<&str> = j["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(names.iter().any(|n| n.contains("inside")), "{names:?}");
    assert!(
        !names.iter().any(|n| n.contains("from-outside")),
        "read through a symlink out of the folder: {names:?}"
    );
    let notes = j["sources"][0]["notes"].to_string();
    for f in ["escape.yaml", "zero.yaml", "pipe.yaml"] {
        assert!(notes.contains(f), "no note for {f}: {notes}");
    }
}

#[cfg(feature = "github")]
#[test]
fn a_github_export_folder_cannot_lead_nhiscan_out_of_it() {
    let export = root().join("fixtures/github/export");
    let dir = tempfile::tempdir().unwrap();
    // The export, with one list swapped for a symlink to a file outside it.
    let mut swapped = None;
    for e in files_under(&export) {
        let rel = e.strip_prefix(&export).unwrap();
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        if swapped.is_none() && rel.extension().is_some_and(|x| x == "json") {
            symlink(&e, &to).unwrap();
            swapped = Some(rel.display().to_string());
        } else {
            std::fs::copy(&e, &to).unwrap();
        }
    }
    let swapped = swapped.unwrap();
    let r = run(&[
        "scan",
        "github",
        "--org",
        "octo-org",
        "--from",
        dir.path().to_str().unwrap(),
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    let notes = r.json()["sources"][0]["notes"].to_string();
    assert!(
        notes.contains(&swapped) && notes.contains("outside"),
        "{swapped}: {notes}"
    );
    assert!(!r.json()["identities"].as_array().unwrap().is_empty());
}

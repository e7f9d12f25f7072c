//! Issue 18 item 2, written as the attack: a file that does not parse may hold secrets, and the
//! note that says so reaches every report format. It names file, document, line and column,
//! never the text.

use crate::common::*;

const SECRET: &str = "Zq8vN3xL0pW7rT2mK9sB4dH6fJ1cY5aE";
const FORMATS: &[&str] = &["json", "sarif", "html", "markdown", "csv", "table", "ocsf"];

/// Runs `args` in every format and asserts the secret appears in no output and no log.
fn never_shows_the_secret(args: &[&str], expect_in_json: &str) {
    for format in FORMATS {
        let mut a = args.to_vec();
        a.extend(["-f", format, "--fail-on", "none"]);
        let r = run(&a);
        assert!(
            !r.stdout.contains(SECRET) && !r.stderr.contains(SECRET),
            "{format}: the secret was printed\nstdout: {}\nstderr: {}",
            r.stdout,
            r.stderr
        );
        if *format == "json" {
            assert!(
                r.stdout.contains(expect_in_json),
                "the note should say where: {expect_in_json}\n{}",
                r.stdout
            );
        }
    }
}

#[test]
fn a_broken_kubernetes_secret_manifest_is_noted_without_its_values() {
    let doc = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ok\n  namespace: a\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {SECRET}\n  \
         broken: [unclosed, {SECRET}\n"
    );
    let dir = tree(&[("manifests.yaml", doc.as_bytes())]);
    let path = dir.path().to_str().unwrap();
    never_shows_the_secret(&["scan", "kubernetes", "--from", path], "manifests.yaml#2");
    // The good document still counts.
    let r = run(&[
        "scan",
        "kubernetes",
        "--from",
        path,
        "-f",
        "json",
        "--fail-on",
        "none",
    ]);
    assert!(
        r.json()["identities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"].as_str().unwrap_or_default().contains("ok")),
        "{}",
        r.stdout
    );
}

#[test]
fn a_broken_aws_export_is_noted_without_its_values() {
    let doc = format!("{{\"UserDetailList\": \"{SECRET}\", \"RoleDetailList\": []}}");
    let dir = tree(&[("auth.json", doc.as_bytes())]);
    let file = dir.path().join("auth.json");
    never_shows_the_secret(
        &["scan", "aws", "--from", file.to_str().unwrap()],
        "line 1 column",
    );
}

#[cfg(feature = "github")]
#[test]
fn a_broken_github_export_page_is_noted_without_its_values() {
    let export = root().join("fixtures/github/export");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&export, dir.path());
    // Every JSON file in the copy gets a value of the wrong type carrying the secret.
    let mut broke = 0;
    for e in files_under(dir.path()) {
        if e.extension().is_some_and(|x| x == "json") && broke < 3 {
            std::fs::write(&e, format!("[{{\"id\": \"{SECRET}\"}}]")).unwrap();
            broke += 1;
        }
    }
    assert!(broke > 0);
    never_shows_the_secret(
        &[
            "scan",
            "github",
            "--org",
            "octo-org",
            "--from",
            dir.path().to_str().unwrap(),
        ],
        "page 1",
    );
}

#[cfg(feature = "github")]
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in files_under(from) {
        let rel = e.strip_prefix(from).unwrap();
        std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&e, to.join(rel)).unwrap();
    }
}

//! Git history, ranges and the index: real repositories built with the `git` command line.

use crate::common::*;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", "2024-03-01T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-03-01T10:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.email", "alice@acme.io"]);
    git(dir.path(), &["config", "user.name", "Alice"]);
    git(dir.path(), &["config", "commit.gpgsign", "false"]);
    dir
}

fn commit_file(dir: &Path, path: &str, body: &str, msg: &str) {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, body).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", msg]);
}

fn head(dir: &Path) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn t(n: u8) -> String {
    let body: String = (0..30)
        .map(|i| (b'a' + ((i * 7 + n) % 26)) as char)
        .collect();
    github_token("ghp_", &body)
}

#[test]
fn a_deleted_secret_is_found_in_history_with_its_provenance() {
    let dir = repo();
    commit_file(
        dir.path(),
        "config/prod.env",
        &format!("GH_TOKEN={}\n", t(1)),
        "add config",
    );
    let introduced = head(dir.path());
    std::fs::remove_file(dir.path().join("config/prod.env")).unwrap();
    commit_file(dir.path(), "README.md", "clean now\n", "remove secret");

    let plain = scan_json(dir.path(), &["--fail-on", "none"]).json();
    assert!(found(&plain).is_empty(), "the work tree is clean");

    let r = scan_json(dir.path(), &["--history", "--fail-on", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let f = &j["identities"][0]["credentials"][0]["found"];
    assert_eq!(f["present_at_head"], false);
    let loc = &f["locations"][0];
    assert_eq!(loc["path"], "config/prod.env");
    assert_eq!(loc["line"], 1);
    assert_eq!(loc["commit"], introduced.as_str());
    assert_eq!(loc["author"], "Alice <alice@acme.io>");
    assert_eq!(loc["date"], "2024-03-01T10:00:00Z");
    assert_eq!(j["identities"][0]["owner"]["source"], "commit_author");
    let rules = rule_ids(&j);
    assert!(
        rules.contains(&"repo.secret-in-history-only".to_string()),
        "{rules:?}"
    );
    assert!(rules.contains(&"repo.hardcoded-token".to_string()));
}

#[test]
fn each_unique_blob_is_scanned_once() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", t(2)), "one");
    for i in 0..5 {
        commit_file(dir.path(), &format!("notes/{i}.txt"), "unrelated\n", "more");
    }
    let j = scan_json(dir.path(), &["--history", "--fail-on", "none"]).json();
    // a.env once, plus five notes blobs with identical content: two unique blobs.
    assert_eq!(j["sources"][0]["stats"]["files_scanned"], 2);
    assert_eq!(found(&j).len(), 1);
    let f = &j["identities"][0]["credentials"][0]["found"];
    assert_eq!(f["present_at_head"], true);
}

#[test]
fn since_scans_only_what_the_range_introduced() {
    let dir = repo();
    commit_file(
        dir.path(),
        "old.env",
        &format!("T={}\n", t(3)),
        "old secret",
    );
    let base = head(dir.path());
    commit_file(
        dir.path(),
        "moved/old-copy.env",
        &format!("T={}\n", t(3)),
        "same secret moved",
    );
    commit_file(
        dir.path(),
        "new.env",
        &format!("T={}\n", t(4)),
        "new secret",
    );
    let j = scan_json(dir.path(), &["--since", &base, "--fail-on", "none"]).json();
    let places = found(&j);
    assert_eq!(places.len(), 1, "{places:?}");
    assert_eq!(places[0].1, "new.env");
    let j = scan_json(
        dir.path(),
        &["--since", &format!("{base}..HEAD"), "--fail-on", "none"],
    )
    .json();
    assert_eq!(found(&j).len(), 1);
    let r = scan_json(dir.path(), &["--since", "no-such-rev"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`no-such-rev` is not a revision"),
        "{}",
        r.stderr
    );
}

#[test]
fn staged_scans_only_the_index() {
    let dir = repo();
    commit_file(
        dir.path(),
        "committed.env",
        &format!("T={}\n", t(5)),
        "committed",
    );
    std::fs::write(dir.path().join("staged.env"), format!("T={}\n", t(6))).unwrap();
    std::fs::write(dir.path().join("unstaged.env"), format!("T={}\n", t(7))).unwrap();
    git(dir.path(), &["add", "staged.env"]);
    let r = scan_json(dir.path(), &["--staged"]);
    assert_eq!(r.code, 1);
    let places = found(&r.json());
    assert_eq!(places.len(), 1, "{places:?}");
    assert_eq!(places[0].1, "staged.env");
}

#[test]
fn bare_mirrors_work_and_non_repositories_are_usage_errors() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", t(8)), "one");
    let mirror = tempfile::tempdir().unwrap();
    let m = mirror.path().join("m.git");
    git(
        mirror.path(),
        &[
            "clone",
            "-q",
            "--mirror",
            dir.path().to_str().unwrap(),
            m.to_str().unwrap(),
        ],
    );
    let j = scan_json(&m, &["--history", "--fail-on", "none"]).json();
    assert_eq!(found(&j).len(), 1);

    let plain = tree(&[("x.txt", b"hello")]);
    let r = scan_json(plain.path(), &["--history"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not a git repository"), "{}", r.stderr);
}

#[test]
fn shallow_clones_say_what_was_not_reachable() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", t(9)), "one");
    commit_file(dir.path(), "b.txt", "x\n", "two");
    let clone = tempfile::tempdir().unwrap();
    let c = clone.path().join("c");
    let url = format!("file://{}", dir.path().display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, c.to_str().unwrap()],
    );
    let j = scan_json(&c, &["--history", "--fail-on", "none"]).json();
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["message"].as_str().unwrap().contains("shallow clone")),
        "{notes:?}"
    );
}

#[test]
fn codeowners_owns_the_found_secret() {
    let dir = repo();
    commit_file(
        dir.path(),
        ".github/CODEOWNERS",
        "*  @acme/platform\n/deploy/ ops@acme.io\n",
        "owners",
    );
    commit_file(
        dir.path(),
        "deploy/ci.env",
        &format!("T={}\n", t(10)),
        "secret",
    );
    let j = scan_json(dir.path(), &["--history", "--fail-on", "none"]).json();
    let id = &j["identities"][0];
    assert_eq!(id["owner"]["name"], "ops@acme.io");
    assert_eq!(id["owner"]["source"], "codeowners");
    assert_eq!(id["owner"]["detail"], ".github/CODEOWNERS:2");
    // Alice is not the owner of deploy/: the low-severity rule says so.
    assert!(rule_ids(&j).contains(&"repo.secret-introduced-outside-codeowners".to_string()));
    // File scans use CODEOWNERS too.
    let j = scan_json(dir.path(), &["--fail-on", "none"]).json();
    assert_eq!(j["identities"][0]["owner"]["source"], "codeowners");
}

#[test]
fn a_missing_object_is_a_note_and_the_rest_is_still_reported() {
    let dir = repo();
    commit_file(dir.path(), "good.env", &format!("T={}\n", t(11)), "good");
    commit_file(
        dir.path(),
        "lost.txt",
        "this blob will go missing\n",
        "lost",
    );
    let out = Command::new("git")
        .current_dir(dir.path())
        .args(["rev-parse", "HEAD:lost.txt"])
        .output()
        .unwrap();
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    std::fs::remove_file(
        dir.path()
            .join(".git/objects")
            .join(&id[..2])
            .join(&id[2..]),
    )
    .unwrap();
    let r = scan_json(dir.path(), &["--history", "--fail-on", "none"]);
    assert_eq!(r.code, 3, "partial: {}", r.stderr);
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "partial");
    assert_eq!(j["sources"][0]["stats"]["files_failed"], 1);
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["subject"] == "lost.txt"),
        "{notes:?}"
    );
    assert_eq!(found(&j).len(), 1, "the good blob is still scanned");
}

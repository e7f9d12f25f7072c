//! Git history, ranges and the index: real repositories built with the `git` command line.

use crate::common::*;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    git_at(dir, "2024-03-01T10:00:00Z", args)
}

/// `git` with author and committer dates fixed to `date`.
fn git_at(dir: &Path, date: &str, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
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

/// Write `path` and commit everything, dated `date`; returns the new commit's id.
fn commit_at(dir: &Path, date: &str, path: &str, body: &str, msg: &str) -> String {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, body).unwrap();
    git_at(dir, date, &["add", "-A"]);
    git_at(dir, date, &["commit", "-q", "-m", msg]);
    head(dir)
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

/// The one identity's locations in a history scan, as (path, commit, introductions).
fn places(j: &serde_json::Value) -> Vec<(String, String, u64)> {
    assert_eq!(j["identities"].as_array().unwrap().len(), 1, "{j:#}");
    j["identities"][0]["credentials"][0]["found"]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["path"].as_str().unwrap().to_string(),
                l["commit"].as_str().unwrap().to_string(),
                l["introductions"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn history(dir: &Path) -> serde_json::Value {
    let r = scan_json(dir, &["--history", "--fail-on", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

#[test]
fn thirty_commits_in_the_same_second_do_not_hide_the_introducing_one() {
    let dir = repo();
    let second = "2024-03-01T10:00:00Z";
    for i in 0..5 {
        commit_at(
            dir.path(),
            second,
            &format!("before/{i}.txt"),
            &format!("{i}\n"),
            "before",
        );
    }
    let introduced = commit_at(
        dir.path(),
        second,
        "deploy/credentials.env",
        &format!("T={}\n", t(12)),
        "add credentials",
    );
    for i in 0..30 {
        commit_at(
            dir.path(),
            second,
            &format!("after/{i}.txt"),
            &format!("{i}\n"),
            "bot",
        );
    }
    let j = history(dir.path());
    assert_eq!(
        places(&j),
        vec![("deploy/credentials.env".to_string(), introduced.clone(), 1)]
    );
    let id = &j["identities"][0];
    assert_eq!(id["attributes"]["introduced_in"], introduced.as_str());
    assert_eq!(id["credentials"][0]["found"]["present_at_head"], true);
}

#[test]
fn a_child_dated_before_its_parent_is_not_the_introducing_commit() {
    let dir = repo();
    commit_at(
        dir.path(),
        "2024-03-01T10:00:00Z",
        "README.md",
        "hi\n",
        "start",
    );
    let introduced = commit_at(
        dir.path(),
        "2024-03-05T10:00:00Z",
        "ci.env",
        &format!("T={}\n", t(13)),
        "add secret",
    );
    // Rebased or cherry-picked: the child carries an older date than its parent.
    commit_at(
        dir.path(),
        "2024-02-01T10:00:00Z",
        "other.txt",
        "x\n",
        "older child",
    );
    commit_at(
        dir.path(),
        "2023-12-01T10:00:00Z",
        "more.txt",
        "y\n",
        "even older",
    );
    let j = history(dir.path());
    assert_eq!(places(&j), vec![("ci.env".to_string(), introduced, 1)]);
    let loc = &j["identities"][0]["credentials"][0]["found"]["locations"][0];
    assert_eq!(loc["date"], "2024-03-05T10:00:00Z");
}

#[test]
fn a_secret_from_a_merged_branch_is_introduced_on_the_branch() {
    let dir = repo();
    commit_at(
        dir.path(),
        "2024-03-01T10:00:00Z",
        "README.md",
        "hi\n",
        "start",
    );
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    let introduced = commit_at(
        dir.path(),
        "2024-03-10T10:00:00Z",
        "svc/app.env",
        &format!("T={}\n", t(14)),
        "feature secret",
    );
    git(dir.path(), &["checkout", "-q", "main"]);
    commit_at(
        dir.path(),
        "2024-03-02T10:00:00Z",
        "main.txt",
        "m\n",
        "main work",
    );
    // The merge is dated before the branch commit: only the graph can tell them apart.
    git_at(
        dir.path(),
        "2024-03-03T10:00:00Z",
        &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
    );
    git(dir.path(), &["branch", "-q", "-D", "feature"]);
    let j = history(dir.path());
    assert_eq!(places(&j), vec![("svc/app.env".to_string(), introduced, 1)]);
}

#[test]
fn the_same_file_added_on_two_branches_names_the_first_and_counts_both() {
    let dir = repo();
    commit_at(
        dir.path(),
        "2024-03-01T10:00:00Z",
        "README.md",
        "hi\n",
        "start",
    );
    let body = format!("T={}\n", t(15));
    git(dir.path(), &["checkout", "-q", "-b", "one"]);
    let first = commit_at(
        dir.path(),
        "2024-03-02T10:00:00Z",
        "keys.env",
        &body,
        "on one",
    );
    git(dir.path(), &["checkout", "-q", "main"]);
    git(dir.path(), &["checkout", "-q", "-b", "two"]);
    commit_at(
        dir.path(),
        "2024-03-04T10:00:00Z",
        "unrelated.txt",
        "u\n",
        "two work",
    );
    let second = commit_at(
        dir.path(),
        "2024-03-05T10:00:00Z",
        "keys.env",
        &body,
        "on two",
    );
    assert_ne!(first, second);
    // Merging them adds no introduction: each parent already holds the file.
    git(dir.path(), &["checkout", "-q", "main"]);
    git_at(
        dir.path(),
        "2024-03-06T10:00:00Z",
        &["merge", "-q", "--no-ff", "-m", "merge one", "one"],
    );
    git_at(
        dir.path(),
        "2024-03-07T10:00:00Z",
        &["merge", "-q", "--no-ff", "-m", "merge two", "two"],
    );
    let j = history(dir.path());
    assert_eq!(places(&j), vec![("keys.env".to_string(), first, 2)]);
}

#[test]
fn a_renamed_file_is_a_new_introduction_at_its_new_path() {
    let dir = repo();
    let added = commit_at(
        dir.path(),
        "2024-03-05T10:00:00Z",
        "old/secret.env",
        &format!("T={}\n", t(16)),
        "add",
    );
    git(dir.path(), &["mv", "old", "new"]);
    git_at(
        dir.path(),
        "2024-03-01T10:00:00Z",
        &["commit", "-q", "-m", "rename"],
    );
    let renamed = head(dir.path());
    let j = history(dir.path());
    let mut p = places(&j);
    p.sort();
    assert_eq!(
        p,
        vec![
            ("new/secret.env".to_string(), renamed, 1),
            ("old/secret.env".to_string(), added.clone(), 1),
        ]
    );
    // The secret was introduced by the first commit in the graph, though the rename is dated
    // earlier.
    let id = &j["identities"][0];
    assert_eq!(id["attributes"]["introduced_in"], added.as_str());
    assert_eq!(
        id["owner"]["detail"],
        format!("introduced in commit {added}").as_str()
    );
}

/// Replace the loose object `id` of the repository in `dir` with `bytes` (as stored: zlib).
fn overwrite_object(dir: &Path, id: &str, bytes: &[u8]) {
    let file = dir.join(".git/objects").join(&id[..2]).join(&id[2..]);
    std::fs::remove_file(&file).unwrap();
    std::fs::write(&file, bytes).unwrap();
}

fn rev(dir: &Path, spec: &str) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", spec])
        .output()
        .unwrap();
    assert!(out.status.success(), "rev-parse {spec}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A scan that read less than the repository holds must say so: partial (exit 3), with a warning.
fn assert_partial(dir: &Path, args: &[&str], what: &str) {
    let mut all = args.to_vec();
    all.extend(["--fail-on", "none"]);
    let r = scan_json(dir, &all);
    assert_eq!(r.code, 3, "{what} {args:?}: {}\n{}", r.stderr, r.stdout);
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "partial", "{what} {args:?}");
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["level"] == "warning"),
        "{what} {args:?}: {notes:?}"
    );
}

#[test]
fn a_corrupt_root_tree_makes_every_git_mode_partial() {
    for garbage in [true, false] {
        let dir = repo();
        commit_file(dir.path(), "a.env", &format!("T={}\n", t(17)), "one");
        let base = head(dir.path());
        commit_file(dir.path(), "b.txt", "two\n", "two");
        let root_tree = rev(dir.path(), "HEAD^{tree}");
        let bytes = if garbage {
            // Not even zlib: the object cannot be inflated.
            b"this is not a git object".to_vec()
        } else {
            // A well-formed object whose tree entries do not parse: stored with git's own
            // compression under another id, then put in place of the root tree.
            let junk = dir.path().join("junk");
            std::fs::write(&junk, b"100644 no-nul-and-no-id").unwrap();
            let out = Command::new("git")
                .current_dir(dir.path())
                .args(["hash-object", "-t", "tree", "--literally", "-w"])
                .arg(&junk)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::remove_file(&junk).unwrap();
            let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
            std::fs::read(
                dir.path()
                    .join(".git/objects")
                    .join(&id[..2])
                    .join(&id[2..]),
            )
            .unwrap()
        };
        overwrite_object(dir.path(), &root_tree, &bytes);
        let what = if garbage { "garbage" } else { "bad entries" };
        assert_partial(dir.path(), &["--history"], what);
        assert_partial(dir.path(), &["--since", &base], what);
        std::fs::write(dir.path().join("c.txt"), "staged\n").unwrap();
        git(dir.path(), &["add", "c.txt"]);
        assert_partial(dir.path(), &["--staged"], what);
    }
}

#[test]
fn a_ref_to_an_unreadable_commit_makes_the_history_partial() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", t(18)), "one");
    git(dir.path(), &["checkout", "-q", "-b", "side"]);
    commit_file(dir.path(), "side.txt", "side\n", "side");
    let side = head(dir.path());
    git(dir.path(), &["checkout", "-q", "main"]);
    overwrite_object(dir.path(), &side, b"not a commit");
    assert_partial(dir.path(), &["--history"], "unreadable branch tip");
    let r = scan_json(dir.path(), &["--history", "--fail-on", "none"]);
    assert_eq!(
        found(&r.json()).len(),
        1,
        "the readable history is still scanned"
    );
}

#[test]
fn tracked_files_are_scanned_whatever_gitignore_says_and_every_skip_is_counted() {
    let dir = repo();
    let d = dir.path();
    commit_file(d, ".gitignore", "*.env\nbuild/\n", "ignore env files");
    // Committed with `git add -f`: part of the repository despite .gitignore.
    std::fs::create_dir_all(d.join("deploy")).unwrap();
    std::fs::write(d.join("deploy/prod.env"), format!("T={}\n", t(19))).unwrap();
    std::fs::create_dir_all(d.join("inner")).unwrap();
    std::fs::write(d.join("inner/x.env"), "T=nothing\n").unwrap();
    git(d, &["add", "-f", "deploy/prod.env", "inner/x.env"]);
    git(d, &["commit", "-q", "-m", "forced"]);
    // Untracked and ignored: hidden, but counted.
    std::fs::write(d.join("local.env"), format!("T={}\n", t(20))).unwrap();
    std::fs::create_dir_all(d.join("build")).unwrap();
    std::fs::write(d.join("build/out.txt"), format!("T={}\n", t(21))).unwrap();
    // A tracked path whose folder is now a symlink out of the tree is not followed.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.env"), format!("T={}\n", t(22))).unwrap();
    std::fs::remove_dir_all(d.join("inner")).unwrap();
    std::os::unix::fs::symlink(outside.path(), d.join("inner")).unwrap();

    let r = scan_json(d, &["--fail-on", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let paths: Vec<String> = found(&j).into_iter().map(|f| f.1).collect();
    assert_eq!(paths, vec!["deploy/prod.env".to_string()], "{j:#}");
    let stats = &j["sources"][0]["stats"];
    assert_eq!(stats["paths_skipped_ignored"], 2, "local.env and build/");
    assert_eq!(stats["files_skipped_not_regular"], 1, "the inner symlink");
    let notes: Vec<String> = j["sources"][0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        notes
            .iter()
            .any(|m| m.starts_with("1 files tracked by git")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|m| m.starts_with("2 untracked files or folders")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|m| m.starts_with("1 symbolic links not followed")),
        "{notes:?}"
    );
    assert_eq!(j["sources"][0]["status"], "complete");

    let j = scan_json(d, &["--no-ignore", "--fail-on", "none"]).json();
    let mut paths: Vec<String> = found(&j).into_iter().map(|f| f.1).collect();
    paths.sort();
    assert_eq!(paths, vec!["build/out.txt", "deploy/prod.env", "local.env"]);
}

#[test]
fn codeowners_pointing_at_dev_zero_a_fifo_or_a_huge_file_is_refused_with_a_note() {
    let big = "* @acme/x\n".repeat(3 * 1024 * 1024 / 10 + 1);
    for case in ["dev-zero", "fifo", "huge", "outside"] {
        let dir = tree(&[("app.env", format!("T={}\n", t(23)).as_bytes())]);
        let d = dir.path();
        std::fs::create_dir_all(d.join(".github")).unwrap();
        let co = d.join(".github/CODEOWNERS");
        let outside = tempfile::tempdir().unwrap();
        match case {
            "dev-zero" => std::os::unix::fs::symlink("/dev/zero", &co).unwrap(),
            "fifo" => {
                let ok = Command::new("mkfifo").arg(&co).status().unwrap().success();
                assert!(ok, "mkfifo");
            }
            "huge" => std::fs::write(&co, &big).unwrap(),
            _ => {
                std::fs::write(outside.path().join("CODEOWNERS"), "* @evil\n").unwrap();
                std::os::unix::fs::symlink(outside.path().join("CODEOWNERS"), &co).unwrap();
            }
        }
        let r = scan_json(d, &["--fail-on", "none"]);
        assert_eq!(r.code, 3, "{case}: partial, {}", r.stderr);
        let j = r.json();
        assert_eq!(found(&j).len(), 1, "{case}: the scan goes on");
        assert!(
            j["identities"][0]["owner"]["source"] != "codeowners",
            "{case}"
        );
        let notes = j["sources"][0]["notes"].as_array().unwrap();
        let note = notes
            .iter()
            .find(|n| n["subject"] == ".github/CODEOWNERS")
            .unwrap_or_else(|| panic!("{case}: {notes:?}"));
        let msg = note["message"].as_str().unwrap();
        let expected = match case {
            "dev-zero" | "outside" => "leads outside the scanned tree",
            "fifo" => "not a regular file",
            _ => "over the 3145728 byte limit",
        };
        assert!(msg.contains(expected), "{case}: {msg}");
        assert_eq!(note["level"], "warning");
    }
}

#[test]
fn a_codeowners_symlink_inside_the_tree_is_followed() {
    let dir = tree(&[
        ("deploy/app.env", format!("T={}\n", t(24)).as_bytes()),
        ("docs/OWNERS.txt", b"/deploy/ @acme/ops\n"),
    ]);
    std::os::unix::fs::symlink("docs/OWNERS.txt", dir.path().join("CODEOWNERS")).unwrap();
    let r = scan_json(dir.path(), &["--fail-on", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["identities"][0]["owner"]["name"], "@acme/ops");
}

#[test]
fn a_tag_of_a_tree_is_not_a_gap() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", t(25)), "one");
    let tree_id = rev(dir.path(), "HEAD^{tree}");
    git(
        dir.path(),
        &["tag", "-a", "tree-tag", "-m", "a tree", &tree_id],
    );
    git(dir.path(), &["tag", "light-tree-tag", &tree_id]);
    let j = history(dir.path());
    assert_eq!(j["sources"][0]["status"], "complete", "{j:#}");
    assert_eq!(found(&j).len(), 1);
}

//! Bad input never loses what was found elsewhere: binaries, huge lines, invalid UTF-8,
//! oversized files and missing paths each get a clear note or error.

use crate::common::*;

#[test]
fn binary_files_are_skipped_and_counted() {
    let t = github_token("ghp_", "Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0");
    let mut bin = vec![0u8, 1, 2, 3, 0, 0];
    bin.extend_from_slice(t.as_bytes());
    let dir = tree(&[
        ("blob.bin", &bin),
        ("ok.env", format!("T={t}\n").as_bytes()),
    ]);
    let j = scan_json(dir.path(), &["--fail-on", "none"]).json();
    assert_eq!(j["sources"][0]["stats"]["files_skipped_binary"], 1);
    assert_eq!(found(&j).len(), 1);
    assert_eq!(j["sources"][0]["status"], "complete");
}

#[test]
fn invalid_utf8_and_huge_single_lines_are_still_scanned() {
    let t = github_token("ghp_", "Zm1Xn2Cb3Vq4We5Rt6Yu7Io8Pa9Sd0");
    let mut latin1 = b"caf\xe9 = 1\n".to_vec();
    latin1.extend_from_slice(format!("token = \"{t}\"\n").as_bytes());
    // 8 MiB of minified JavaScript on one line, the secret near the end.
    let mut minified = "var a=function(){return 1};"
        .repeat(8 * 1024 * 1024 / 27)
        .into_bytes();
    minified.extend_from_slice(format!(";var k=\"{t}\";").as_bytes());
    let dir = tree(&[("legacy.py", &latin1), ("bundle.min.js", &minified)]);
    let j = scan_json(dir.path(), &["--fail-on", "none"]).json();
    let places = found(&j);
    assert!(
        places.iter().any(|(_, p, l)| p == "legacy.py" && *l == 2),
        "{places:?}"
    );
    assert!(
        places
            .iter()
            .any(|(_, p, l)| p == "bundle.min.js" && *l == 1),
        "{places:?}"
    );
    let snippet = j["identities"][0]["credentials"][0]["found"]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["snippet"].as_str().unwrap().chars().count())
        .max()
        .unwrap();
    assert!(snippet <= 201, "snippets of huge lines are cut");
}

#[test]
fn oversized_files_are_skipped_with_a_note_naming_them() {
    let t = github_token("ghp_", "Ee1Rr2Tt3Yy4Uu5Ii6Oo7Pp8Aa9Ss0");
    let big = format!("{}T={t}\n", "x".repeat(4096));
    let dir = tree(&[
        ("big.txt", big.as_bytes()),
        ("small.env", format!("T={t}\n").as_bytes()),
    ]);
    let j = scan_json(
        dir.path(),
        &["--fail-on", "none", "--max-file-size", "1024"],
    )
    .json();
    assert_eq!(j["sources"][0]["stats"]["files_skipped_large"], 1);
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["subject"] == "big.txt"
            && n["message"].as_str().unwrap().contains("--max-file-size"))
    );
    assert_eq!(found(&j).len(), 1);
}

#[test]
fn missing_path_is_a_usage_error() {
    let r = run(&["scan", "repo", "/nonexistent/path", "-q"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/path"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_do_not_stop_the_scan() {
    let t = github_token("ghp_", "Gg1Hh2Jj3Kk4Ll5Zz6Xx7Cc8Vv9Bb0");
    let dir = tree(&[("sub/ok.env", format!("T={t}\n").as_bytes())]);
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("dangling")).unwrap();
    let r = scan_json(dir.path(), &["--fail-on", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(found(&r.json()).len(), 1);
}

#[test]
fn gitignored_files_are_skipped_unless_asked() {
    let t = github_token("ghp_", "Nn1Mm2Bb3Vv4Cc5Xx6Zz7Ll8Kk9Jj0");
    let dir = tree(&[
        (".gitignore", b"local.env\n"),
        ("local.env", format!("T={t}\n").as_bytes()),
        (".env", format!("T={t}\n").as_bytes()),
    ]);
    let j = scan_json(dir.path(), &["--fail-on", "none"]).json();
    let paths: Vec<String> = found(&j).into_iter().map(|x| x.1).collect();
    assert_eq!(
        paths,
        vec![".env"],
        "dotfiles are scanned, ignored files are not"
    );
    let j = scan_json(dir.path(), &["--fail-on", "none", "--no-ignore"]).json();
    assert_eq!(found(&j).len(), 2);
}

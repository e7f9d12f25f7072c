//! A scanned repository is hostile input, and so is the nhiscan.toml inside it: written as the
//! attacks, these check that a found config only narrows a scan (and says so), that credentials
//! never cross the network in clear, and that report files are not more readable than they must.

use crate::common::*;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A loopback port that counts who connects to it, for as long as the test runs.
fn listener() -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    l.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        // Bounded: the test process ends long before 10 minutes.
        for _ in 0..12_000 {
            if l.accept().is_ok() {
                counted.fetch_add(1, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    (url, hits)
}

#[test]
fn a_found_config_cannot_make_nhiscan_connect_or_send_a_variable() {
    let (url, hits) = listener();
    let config = format!(
        "[[sources]]\nkind = \"github\"\norg = \"acme\"\napi_url = \"{url}\"\n\
         token_env = \"AWS_SECRET_ACCESS_KEY\"\n"
    );
    let repo = tree(&[
        ("nhiscan.toml", config.as_bytes()),
        ("app.py", b"print(1)\n"),
    ]);
    let r = nhiscan()
        .current_dir(repo.path())
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
        )
        .args(["scan", "-q", "-f", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("may only narrow the scan"), "{stderr}");
    assert!(stderr.contains("--config"), "{stderr}");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nhiscan connected");
}

#[test]
fn a_found_config_cannot_add_rule_folders_or_read_outside_its_folder() {
    for config in [
        "[rules]\ndirs = [\"/\"]\n\n[[sources]]\nkind = \"repo\"\npath = \".\"\n",
        "[[sources]]\nkind = \"repo\"\npath = \"/etc\"\n",
        "[[sources]]\nkind = \"repo\"\npath = \"../\"\n",
        "[[sources]]\nkind = \"aws\"\nendpoint_url = \"http://127.0.0.1:9\"\n",
    ] {
        let repo = tree(&[("nhiscan.toml", config.as_bytes()), ("a.txt", b"x\n")]);
        // Found as the working directory's config, and as the scanned folder's.
        let cwd = run_in(repo.path(), &["scan", "-q", "-f", "json"]);
        let scanned = run(&[
            "scan",
            "repo",
            repo.path().to_str().unwrap(),
            "-q",
            "-f",
            "json",
        ]);
        for r in [cwd, scanned] {
            assert_eq!(r.code, 2, "{config}: {}", r.stderr);
            assert!(
                r.stderr.contains("may only narrow the scan"),
                "{}",
                r.stderr
            );
        }
    }
    // A repo source inside its own folder is fine.
    let repo = tree(&[
        (
            "nhiscan.toml",
            b"[[sources]]\nkind = \"repo\"\npath = \"src\"\n",
        ),
        ("src/a.txt", b"x\n"),
    ]);
    let r = run_in(repo.path(), &["scan", "-q", "-f", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_config_given_with_config_is_trusted_but_token_variables_stay_github_ones() {
    let (url, hits) = listener();
    let dir = tree(&[(
        "nhiscan.toml",
        format!(
            "[[sources]]\nkind = \"github\"\norg = \"acme\"\napi_url = \"{url}\"\n\
             token_env = \"AWS_SECRET_ACCESS_KEY\"\n"
        )
        .as_bytes(),
    )]);
    let cfg = dir.path().join("nhiscan.toml");
    let r = nhiscan()
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
        )
        .args(["--config", cfg.to_str().unwrap(), "scan", "-q"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("does not name a GitHub token variable"),
        "{stderr}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn credentials_never_go_over_cleartext_http_to_another_host() {
    for args in [
        &[
            "scan",
            "github",
            "--org",
            "acme",
            "--api-url",
            "http://203.0.113.9/api/v3",
        ][..],
        &["scan", "aws", "--endpoint-url", "http://203.0.113.9:4566"][..],
    ] {
        let r = nhiscan()
            .env("GITHUB_TOKEN", "ghp_notarealtokennotarealtokennotreal00")
            .args(args)
            .arg("-q")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("--allow-insecure-http"), "{stderr}");
    }
}

#[test]
fn what_a_found_config_narrows_is_in_the_report() {
    let t = github_token("ghp_", "Hy7Gt6Fr5De4Sw3Aq2Zx1Cv9Bn8Mk0");
    let repo = tree(&[
        (
            "nhiscan.toml",
            b"[allow]\npaths = [\"vendor/**\"]\nvalues = [\"hunter2hunter2\"]\n\n\
              [rules]\ndisabled = [\"repo.hardcoded-token\"]\n\n[thresholds]\nstale_days = 100000\n",
        ),
        ("deploy.sh", format!("export GITHUB_TOKEN={t}\n").as_bytes()),
        ("vendor/lib.sh", format!("T={t}\n").as_bytes()),
    ]);
    let r = scan_json(repo.path(), &["--fail-on", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert!(!rule_ids(&j).contains(&"repo.hardcoded-token".to_string()));
    let notes: Vec<String> = j["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect();
    let has = |want: &str| notes.iter().any(|n| n.contains(want));
    assert!(
        has(
            "[rules] disabled `repo.hardcoded-token`: 1 finding(s) suppressed (found in the working directory or the scanned folder, not given with --config)"
        ),
        "{notes:#?}"
    );
    assert!(
        has("[allow] paths skips files matching vendor/**"),
        "{notes:#?}"
    );
    assert!(
        has("[allow] values allows 1 value(s) (not shown)"),
        "{notes:#?}"
    );
    assert!(has("[thresholds] sets stale_days = 100000"), "{notes:#?}");
    assert!(
        !r.stdout.contains("hunter2"),
        "an allowed value was printed"
    );
}

#[cfg(unix)]
#[test]
fn report_files_follow_the_umask_and_revealed_ones_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let out = tempfile::tempdir().unwrap();
    let scan = |umask: &str, file: &str, reveal: bool| {
        let path = out.path().join(file);
        let mut cmd = std::process::Command::new("sh");
        cmd.current_dir(root())
            .env("NHISCAN_NOW", NOW)
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(assert_cmd::cargo::cargo_bin("nhiscan"))
            .args([
                "scan",
                "repo",
                "fixtures/demo",
                "-q",
                "--fail-on",
                "none",
                "-o",
            ])
            .arg(&path);
        if reveal {
            cmd.arg("--reveal");
        }
        let status = cmd.status().unwrap();
        assert!(status.success());
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(scan("022", "a.json", false), 0o644);
    assert_eq!(scan("077", "b.json", false), 0o600);
    assert_eq!(scan("022", "c.json", true), 0o600);
    // Replacing a file keeps its mode, unless the new report carries secrets.
    let kept = out.path().join("kept.json");
    std::fs::write(&kept, "{}").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(scan("022", "kept.json", false), 0o640);
    assert_eq!(scan("022", "kept.json", true), 0o600);
}

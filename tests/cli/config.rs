//! nhiscan.toml: allow-lists, disabled rules, thresholds; and its errors.

use crate::common::*;

fn token() -> String {
    github_token("ghp_", "Hy7Gt6Fr5De4Sw3Aq2Zx1Cv9Bn8Mk0")
}

#[test]
fn inline_marker_allows_one_line() {
    let t = token();
    let dir = tree(&[(
        "a.sh",
        format!("A={t} # nhiscan:allow (revoked test token)\nB={t}\n").as_bytes(),
    )]);
    let r = scan_json(dir.path(), &["--fail-on", "none"]).json();
    let places = found(&r);
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].2, 2);
}

#[test]
fn config_allows_paths_and_values_and_disables_rules() {
    let t = token();
    let t2 = github_token("ghp_", "Lp0Ok9Ij8Uh7Yg6Tf5Rd4Es3Wa2Qz1");
    let dir = tree(&[
        ("tests/fixtures/a.env", format!("T={t}\n").as_bytes()),
        ("src/b.env", format!("T={t}\nU={t2}\n").as_bytes()),
        ("src/c.py", b"password = \"Zx9#kQ2!vL7@pR4$wT1m\"\n"),
    ]);
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(t2.as_bytes()))
    };
    let cfg = format!(
        "[allow]\npaths = [\"tests/**\"]\nvalues = [\"sha256:{sha}\"]\n\n[rules]\ndisabled = [\"repo.hardcoded-password\"]\n"
    );
    std::fs::write(dir.path().join("nhiscan.toml"), cfg).unwrap();
    // The config in the scanned folder is found on its own.
    let r = scan_json(dir.path(), &["--fail-on", "none"]);
    let j = r.json();
    let places = found(&j);
    assert!(
        places.iter().all(|(_, p, _)| !p.starts_with("tests/")),
        "{places:?}"
    );
    assert!(places.iter().any(|(_, p, l)| p == "src/b.env" && *l == 1));
    assert!(
        !places.iter().any(|(_, p, l)| p == "src/b.env" && *l == 2),
        "value allowed by hash"
    );
    assert!(!rule_ids(&j).contains(&"repo.hardcoded-password".to_string()));
    assert_eq!(j["sources"][0]["stats"]["files_skipped_allowed"], 1);
}

#[test]
fn malformed_config_is_exit_2_naming_the_file_and_line() {
    let cases: &[(&[u8], &[&str])] = &[
        (b"[allow]\npaths = [\"a\"\n", &["nhiscan.toml:2:"]),
        // What is wrong and where, never the value written there.
        (
            b"[allow]\nvalues = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"\n",
            &["nhiscan.toml:2:10: invalid type: string \"\u{2026}\", expected a sequence"],
        ),
        (b"[allow]\npath = [\"a\"]\n", &["unknown field `path`"]),
        (
            b"[rules]\ndisabled = [\"no.such\"]\n",
            &["`no.such`, which is no rule"],
        ),
    ];
    for (body, expected) in cases {
        let dir = tree(&[("nhiscan.toml", body)]);
        let cfg = dir.path().join("nhiscan.toml");
        let r = run(&[
            "--config",
            cfg.to_str().unwrap(),
            "scan",
            "repo",
            "fixtures/demo",
            "-q",
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        for e in *expected {
            assert!(r.stderr.contains(e), "expected {e:?} in {}", r.stderr);
        }
        assert!(!r.stderr.contains("4eC39Hq"), "{}", r.stderr);
    }
}

#[test]
fn thresholds_reach_rules_as_config() {
    let dir = tree(&[
        (
            "rules/custom.yaml",
            br#"rules:
  - id: custom.threshold
    title: threshold visible
    severity: info
    source: repo
    applies_to: ["*"]
    when: 'config.stale_days == 30 && config.team_tag == "squad"'
    message: "{name}"
    remediation: none
"#,
        ),
        (
            "nhiscan.toml",
            b"[thresholds]\nstale_days = 30\nteam_tag = \"squad\"\n\n[rules]\ndirs = [\"rules\"]\n",
        ),
        ("code/a.sh", format!("T={}\n", token()).as_bytes()),
    ]);
    let cfg = dir.path().join("nhiscan.toml");
    let code = dir.path().join("code");
    let r = run(&[
        "--config",
        cfg.to_str().unwrap(),
        "scan",
        "repo",
        code.to_str().unwrap(),
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(rule_ids(&r.json()).contains(&"custom.threshold".to_string()));
}

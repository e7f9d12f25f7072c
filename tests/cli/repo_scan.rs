//! End-to-end scans of the shipped demo tree and of small trees built in the test.

use crate::common::*;
use std::path::Path;

fn demo() -> crate::common::Run {
    scan_json(Path::new("fixtures/demo"), &["--fail-on", "none"])
}

#[test]
fn demo_finds_every_planted_secret_and_nothing_else() {
    let r = demo();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    let mut places: Vec<(String, u64)> =
        found(&report).into_iter().map(|(_, p, l)| (p, l)).collect();
    places.sort();
    let expected: Vec<(String, u64)> = [
        ("app/notify.js", 4),
        ("app/settings.py", 7),
        ("app/settings.py", 8),
        ("app/settings.py", 14),
        ("app/settings.py", 16),
        ("deploy/payments.env", 1),
        ("deploy/release.sh", 4),
        ("deploy/release.sh", 5),
        ("deploy/signing-key.pem", 1),
        ("k8s/ci-kubeconfig.yaml", 14),
    ]
    .iter()
    .map(|(p, l)| (p.to_string(), *l))
    .collect();
    assert_eq!(places, expected);
}

#[test]
fn demo_decodes_what_secrets_say_about_their_identity() {
    let report = demo().json();
    let ids = report["identities"].as_array().unwrap();
    let by_kind = |k: &str| ids.iter().filter(|i| i["kind"] == k).collect::<Vec<_>>();
    let sa = by_kind("k8s.service_account");
    assert_eq!(sa.len(), 1, "one service-account token");
    let attrs = &sa[0]["credentials"][0]["found"]["attributes"];
    assert_eq!(attrs["k8s_namespace"], "payments");
    assert_eq!(attrs["k8s_service_account"], "deployer");
    assert!(sa[0]["credentials"][0]["expires_at"].is_string());

    let aws: Vec<_> = ids
        .iter()
        .filter(|i| i["credentials"][0]["found"]["attributes"]["aws_account_id"].is_string())
        .collect();
    assert_eq!(aws.len(), 1, "the key id carries its account id");
    let acct = aws[0]["credentials"][0]["found"]["attributes"]["aws_account_id"]
        .as_str()
        .unwrap();
    // A made-up key encodes a made-up account; real ones decode to 12 digits (unit-tested).
    assert!(acct.chars().all(|c| c.is_ascii_digit()), "{acct}");

    let gh = by_kind("github.token");
    assert_eq!(gh.len(), 1);
    let f = &gh[0]["credentials"][0]["found"];
    assert_eq!(f["checksum_valid"], true);
    assert_eq!(
        f["attributes"]["github_token_type"],
        "personal_access_token_classic"
    );
}

#[test]
fn demo_severities_follow_what_the_secret_unlocks() {
    let report = demo().json();
    let sev = |rule: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .count()
    };
    // AWS key id + secret key, EC private key, kubeconfig service-account token.
    assert_eq!(sev("repo.hardcoded-cloud-credential"), 4);
    // Slack, GitHub, npm, Stripe.
    assert_eq!(sev("repo.hardcoded-token"), 4);
    assert_eq!(sev("repo.hardcoded-database-password"), 1);
    assert_eq!(sev("repo.hardcoded-password"), 1);
    assert_eq!(report["summary"]["findings"], 10);
    assert!(
        report["notes"].is_null(),
        "every rule evaluates cleanly: {}",
        report["notes"]
    );
    assert_eq!(report["summary"]["findings_by_severity"]["critical"], 4);
}

#[test]
fn no_secret_is_printed_in_any_format_unless_revealed() {
    let settings = std::fs::read_to_string(root().join("fixtures/demo/app/settings.py")).unwrap();
    let akid = settings
        .lines()
        .find(|l| l.starts_with("AWS_ACCESS_KEY_ID"))
        .unwrap()
        .split('"')
        .nth(1)
        .unwrap()
        .to_string();
    let smtp = settings
        .lines()
        .find(|l| l.starts_with("SMTP_PASSWORD"))
        .unwrap()
        .split('"')
        .nth(1)
        .unwrap()
        .to_string();
    for format in ["json", "sarif", "table"] {
        let r = run(&[
            "scan",
            "repo",
            "fixtures/demo",
            "--format",
            format,
            "--fail-on",
            "none",
            "-vv",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        for s in [&akid, &smtp] {
            assert!(
                !r.stdout.contains(s.as_str()),
                "{format} stdout shows a secret"
            );
            assert!(
                !r.stderr.contains(s.as_str()),
                "{format} stderr shows a secret"
            );
        }
    }
    let revealed = scan_json(
        Path::new("fixtures/demo"),
        &["--fail-on", "none", "--reveal"],
    );
    assert!(revealed.stdout.contains(&akid));
    assert!(revealed.stdout.contains(&smtp));
}

#[test]
fn same_secret_in_two_files_is_one_credential_with_two_locations() {
    let tok = github_token("ghp_", "Zq8WmT3xK9vB2nR7cL5pY1sD4fG6hJ");
    let dir = tree(&[
        ("a/deploy.sh", format!("export GH_TOKEN={tok}\n").as_bytes()),
        ("b/ci.yml", format!("env:\n  GH_TOKEN: {tok}\n").as_bytes()),
    ]);
    let report = scan_json(dir.path(), &["--fail-on", "none"]).json();
    assert_eq!(report["identities"].as_array().unwrap().len(), 1);
    let locs = &report["identities"][0]["credentials"][0]["found"]["locations"];
    assert_eq!(locs.as_array().unwrap().len(), 2);
    // One finding per file, so each file's exposure is tracked (and baselined) on its own.
    assert_eq!(report["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn fingerprints_ignore_line_moves_but_not_file_moves() {
    let tok = github_token("ghp_", "Pk2Lm9Qw4Er7Ty1Ui3Op5As8Df0Gh6");
    let fp = |files: &[(&str, &[u8])]| {
        let dir = tree(files);
        let r = scan_json(dir.path(), &["--fail-on", "none"]).json();
        r["findings"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let one = format!("TOKEN={tok}\n");
    let moved = format!("# a comment\n\n\nTOKEN={tok}\n");
    let a = fp(&[("x.env", one.as_bytes())]);
    let b = fp(&[("x.env", moved.as_bytes())]);
    let c = fp(&[("y.env", one.as_bytes())]);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn exit_codes_follow_fail_on() {
    let r = run(&["scan", "repo", "fixtures/demo", "-f", "json", "-q"]);
    assert_eq!(r.code, 1, "default fails on any finding");
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(r.code, 1, "criticals present");
    let pw = tree(&[("app.py", b"db_password = \"Zx9#kQ2!vL7@pR4$wT1m\"\n")]);
    let p = pw.path().to_str().unwrap();
    let r = run(&["scan", "repo", p, "-f", "json", "-q", "--fail-on", "high"]);
    assert_eq!(r.code, 0, "only a medium finding: {}", r.stdout);
    let r = run(&["scan", "repo", p, "-f", "json", "-q", "--fail-on", "medium"]);
    assert_eq!(r.code, 1);
    let clean = tree(&[("README.md", b"nothing to see\n")]);
    let r = run(&[
        "scan",
        "repo",
        clean.path().to_str().unwrap(),
        "-f",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(r.json()["summary"]["findings"], 0);
}

#[test]
fn several_paths_are_several_sources() {
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo/app",
        "fixtures/demo/deploy",
        "-f",
        "json",
        "-q",
        "--fail-on",
        "none",
    ]);
    let report = r.json();
    assert_eq!(report["sources"].as_array().unwrap().len(), 2);
    assert!(found(&report).iter().any(|(_, p, _)| p == "release.sh"));
    assert!(found(&report).iter().any(|(_, p, _)| p == "settings.py"));
}

#[test]
fn table_is_the_terminal_view() {
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "--format",
        "table",
        "--fail-on",
        "none",
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("CRITICAL"));
    assert!(r.stdout.contains("app/settings.py:7"));
    assert!(r.stdout.contains("fix: "));
}

/// Every window of `n` characters of `s`: a report showing any of them shows too much of it.
fn windows(s: &str, n: usize) -> Vec<&str> {
    (0..=s.len() - n).map(|i| &s[i..i + n]).collect()
}

/// The attack of issue 18.1: an AWS key id and its secret key on one line, where the key id's
/// finding used to print its neighbour. Every format, every line shape; no 8 characters of any
/// secret key may appear (a key id is an identifier, kept by design to join with IAM).
#[test]
fn a_second_secret_on_the_same_line_is_never_printed() {
    let ids = [
        "AKIAQ4HDMRJ2N7WERTYU",
        "AKIAZ7PLK3MQ2XVB5NDC",
        "AKIAW2RTY6UIO3PAS7DF",
    ];
    let secrets = [
        "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",
        "Gh3kLm9QwE7rTy2UiO4pAs6DfJ8zXc1VbN5mKq7w",
        "Rz6Xc4Vb2Nm8Qw1Er3Ty5Ui7Op9As0DfGh2JkL4z",
    ];
    let boto = format!(
        "s3 = boto3.client(\"s3\", aws_access_key_id=\"{}\", aws_secret_access_key=\"{}\")\n",
        ids[0], secrets[0]
    );
    // The row AWS's console download has; the header names no detector keyword on the row.
    let csv = format!(
        "User name,Password,Access key ID,Secret access key,Console login link\nci-bot,,{},{},https://console.aws.amazon.com/\n",
        ids[1], secrets[1]
    );
    let kv = format!("key={} secret={}\n", ids[2], secrets[2]);
    let dir = tree(&[
        ("app/storage.py", boto.as_bytes()),
        ("ops/credentials.csv", csv.as_bytes()),
        ("deploy/release.env", kv.as_bytes()),
    ]);
    let p = dir.path().to_str().unwrap();
    let report = scan_json(dir.path(), &["--fail-on", "none"]).json();
    let places: Vec<(String, u64)> = found(&report)
        .into_iter()
        .filter(|(d, _, _)| d == "aws.access-key-id")
        .map(|(_, p, l)| (p, l))
        .collect();
    assert_eq!(places.len(), 3, "every key id is found: {places:?}");
    for format in ["table", "json", "sarif", "html", "ocsf", "markdown", "csv"] {
        let r = run(&[
            "scan",
            "repo",
            p,
            "--format",
            format,
            "--fail-on",
            "none",
            "-vv",
        ]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(r.stdout.contains("AKIA"), "{format} shows the findings");
        for s in secrets {
            for w in windows(s, 8) {
                assert!(
                    !r.stdout.contains(w) && !r.stderr.contains(w),
                    "{format} shows `{w}` of a secret"
                );
            }
        }
    }
}

/// Issue 18.8 as the attack: a minified one-line file dense with keyword hits. Every planted
/// token is found at its column (the line cursor and overlap resolution are held to linear and
/// n log n work by the unit tests in file_scan.rs and matcher.rs; this checks the answer).
#[test]
fn a_minified_one_line_file_with_many_keyword_hits_is_scanned_whole() {
    let mut line = String::with_capacity(2 << 20);
    let mut planted = Vec::new();
    let mut i = 0usize;
    while line.len() < 2 << 20 {
        line.push_str(&format!(
            "o{i}.password=p[{i}];o{i}.token=t(\"k{i}\");o{i}.secret_key=s[{i}];"
        ));
        if i.is_multiple_of(997) {
            let random: String = format!("{:0>30}", format!("Zq8WmT{i}xK9vB2nR7cL5pY1sD"))
                .chars()
                .take(30)
                .collect();
            let tok = github_token("ghp_", &random);
            planted.push((line.len() + "GH_TOKEN=\"".len() + 1, tok.clone()));
            line.push_str(&format!("GH_TOKEN=\"{tok}\";"));
        }
        i += 1;
    }
    let dir = tree(&[("dist/app.min.js", line.as_bytes())]);
    let report = scan_json(dir.path(), &["--fail-on", "none"]).json();
    let mut columns: Vec<u64> = Vec::new();
    for id in report["identities"].as_array().unwrap() {
        let f = &id["credentials"][0]["found"];
        if f["detector"] == "github.pat-classic" || f["service"] == "github" {
            for l in f["locations"].as_array().unwrap() {
                assert_eq!(l["line"], 1);
                columns.push(l["column"].as_u64().unwrap());
            }
        }
    }
    columns.sort();
    let expected: Vec<u64> = planted.iter().map(|(c, _)| *c as u64).collect();
    assert_eq!(columns, expected, "every planted token, at its column");
}

/// Issue 18.5 as the attack: someone holding the SARIF (uploaded to GitHub) tries a password list
/// against the hash and reads the prefix. A password gets no prefix and no plain SHA-256, only a
/// keyed hash that changes with `NHISCAN_HASH_KEY` and not between runs; a random key keeps its
/// SHA-256 (joins need it).
#[test]
fn a_password_is_shown_by_length_and_keyed_hash_only() {
    use sha2::{Digest, Sha256};
    let password = "Summer2024!Summer";
    let key = "Tq8mVz2LkR7wYp4NcX9bHs3JdF6gAe1UoWiK5nQr";
    let body = format!("db_password = \"{password}\"\naws_secret_access_key = \"{key}\"\n");
    let dir = tree(&[("app/settings.py", body.as_bytes())]);
    let p = dir.path().to_str().unwrap();
    let plain = hex::encode(Sha256::digest(password.as_bytes()));
    let key_sha = hex::encode(Sha256::digest(key.as_bytes()));
    let scan = |hash_key: Option<&str>, format: &str| {
        let mut c = nhiscan();
        match hash_key {
            Some(k) => c.env("NHISCAN_HASH_KEY", k),
            None => c.env_remove("NHISCAN_HASH_KEY"),
        };
        let out = c
            .args(["scan", "repo", p, "-f", format, "-q", "--fail-on", "none"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let pw_of = |report: &serde_json::Value| {
        report["identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["credentials"][0]["found"])
            .find(|f| f["locations"][0]["line"] == 1)
            .cloned()
            .expect("the password is found")
    };
    let a: serde_json::Value = serde_json::from_str(&scan(Some("k-one"), "json")).unwrap();
    let again: serde_json::Value = serde_json::from_str(&scan(Some("k-one"), "json")).unwrap();
    let b: serde_json::Value = serde_json::from_str(&scan(Some("k-two"), "json")).unwrap();
    let f = pw_of(&a);
    assert_eq!(f["redacted"], format!("…[{} chars]", password.len()));
    assert!(f["secret_sha256"].is_null(), "no plain hash: {f}");
    let h = f["secret_hmac"].as_str().unwrap();
    assert_eq!(h.len(), 64);
    assert_eq!(pw_of(&again)["secret_hmac"], h, "stable across runs");
    assert_ne!(pw_of(&b)["secret_hmac"], h, "follows the key");
    assert_eq!(
        a["findings"][0]["fingerprint"],
        again["findings"][0]["fingerprint"]
    );
    // The default key when unset is documented and stable too.
    let d1: serde_json::Value = serde_json::from_str(&scan(None, "json")).unwrap();
    let d2: serde_json::Value = serde_json::from_str(&scan(None, "json")).unwrap();
    assert_eq!(pw_of(&d1)["secret_hmac"], pw_of(&d2)["secret_hmac"]);
    // The random key keeps its SHA-256 for joins.
    let k = a["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["credentials"][0]["found"])
        .find(|f| f["locations"][0]["line"] == 2)
        .unwrap();
    assert_eq!(k["secret_sha256"], key_sha.as_str());
    // No format carries the plain hash, the prefix or the password.
    for format in ["json", "sarif", "table", "html", "ocsf", "markdown", "csv"] {
        let out = scan(Some("k-one"), format);
        assert!(!out.is_empty(), "{format}");
        for leak in [plain.as_str(), &plain[..16], "Summer", password] {
            assert!(!out.contains(leak), "{format} shows `{leak}`");
        }
    }
}

/// Issue 15.1: a token the npm (or GitHub) detector rejects for its checksum is not then reported
/// by the `.npmrc` file-format detector or a generic `password=` rule; the same places with a
/// valid token are.
#[test]
fn a_token_whose_checksum_fails_is_not_reported_by_a_format_detector() {
    let good_npm = github_token("npm_", "Hq7Lm2Xv9Rt4Kp8Wz3Nb6Cd1Fg5Js0");
    let mut bad_npm = good_npm.clone();
    let last = bad_npm.pop().unwrap();
    bad_npm.push(if last == 'A' { 'B' } else { 'A' });
    let good_gh = github_token("ghp_", "Pk2Lm9Qw4Er7Ty1Ui3Op5As8Df0Gh6");
    let mut bad_gh = good_gh.clone();
    let last = bad_gh.pop().unwrap();
    bad_gh.push(if last == 'A' { 'B' } else { 'A' });
    let files = |npm: &str, gh: &str| {
        tree(&[
            (
                ".npmrc",
                format!("//registry.npmjs.org/:_authToken={npm}\n").as_bytes(),
            ),
            (
                "config/app.properties",
                format!("service.password={gh}\n").as_bytes(),
            ),
        ])
    };
    let bad = files(&bad_npm, &bad_gh);
    let report = scan_json(bad.path(), &["--fail-on", "none"]).json();
    assert_eq!(found(&report), vec![], "rejected tokens are not secrets");
    let good = files(&good_npm, &good_gh);
    let report = scan_json(good.path(), &["--fail-on", "none"]).json();
    let paths: Vec<String> = found(&report).into_iter().map(|(_, p, _)| p).collect();
    assert!(paths.contains(&".npmrc".to_string()), "{paths:?}");
    assert!(
        paths.contains(&"config/app.properties".to_string()),
        "{paths:?}"
    );
}

/// Issue 15.1: a value under a name that marks it as an example or test double is low confidence
/// and hidden by default (with a note), shown by `--min-confidence low`; a token whose provider
/// checksum passes is reported whatever its name; the same value under a plain name is reported.
#[test]
fn values_under_example_or_test_names_are_hidden_unless_asked_for() {
    let tok = github_token("ghp_", "Vb7Nm2Qw9Er4Ty6Ui1Op3As5Df8Gh0");
    let body = format!(
        "test_password = \"Zx9kQ2vL7pR4wT1mAb\"\nmockApiKey: Tq8mVz2LkR7wYp4NcX9bHs3JdF6gAe1U\nFAKE_GITHUB_TOKEN = \"{tok}\"\ndb_password = \"Zx9kQ2vL7pR4wT1mAc\"\n"
    );
    let dir = tree(&[("app/settings.py", body.as_bytes())]);
    let lines = |report: &serde_json::Value| -> Vec<u64> {
        let mut v: Vec<u64> = found(report).into_iter().map(|(_, _, l)| l).collect();
        v.sort();
        v.dedup();
        v
    };
    let default = scan_json(dir.path(), &["--fail-on", "none"]).json();
    assert_eq!(
        lines(&default),
        vec![3, 4],
        "checksum-valid token and plain name"
    );
    let note = default["sources"][0]["notes"].to_string();
    assert!(
        note.contains("2 secret locations below --min-confidence medium"),
        "{note}"
    );
    assert_eq!(default["sources"][0]["status"], "complete");
    let all = scan_json(
        dir.path(),
        &["--fail-on", "none", "--min-confidence", "low"],
    )
    .json();
    assert_eq!(lines(&all), vec![1, 2, 3, 4]);
    for i in all["identities"].as_array().unwrap() {
        let f = &i["credentials"][0]["found"];
        let line = f["locations"][0]["line"].as_u64().unwrap();
        let marked = f["attributes"]["placeholder_name"].as_str();
        match line {
            1 => assert_eq!(
                (marked, f["confidence"].as_str()),
                (Some("test_password"), Some("low"))
            ),
            2 => assert_eq!(
                (marked, f["confidence"].as_str()),
                (Some("mockApiKey"), Some("low"))
            ),
            _ => assert_eq!(marked, None, "line {line}"),
        }
    }
    let high = scan_json(
        dir.path(),
        &["--fail-on", "none", "--min-confidence", "high"],
    )
    .json();
    assert_eq!(lines(&high), vec![3]);
}

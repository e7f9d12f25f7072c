//! `rules list / explain / check` and user rule folders.

use crate::common::*;

#[test]
fn explain_shows_the_docs_of_a_posture_rule_and_a_detector() {
    let r = run(&["rules", "explain", "repo.hardcoded-cloud-credential"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("severity:   critical"));
    assert!(r.stdout.contains("remediation:"));
    assert!(r.stdout.contains("OWASP"));
    let r = run(&["rules", "explain", "no.such-rule"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no rule or detector `no.such-rule`"));
}

#[test]
fn user_detector_folder_adds_a_provider_with_no_rust() {
    let dir = tree(&[(
        "secrets/acme.yaml",
        br#"detectors:
  - id: acme.api-key
    name: ACME API key
    service: acme
    kind: api_key
    category: saas
    keywords: [acme_live_]
    pattern: '\b(?P<secret>acme_live_[a-z0-9]{24})\b'
    confidence: high
    examples: ['ACME_KEY=acme_live_q8w7e6r5t4y3u2i1o9p8a7s6']
    negative_examples: ['ACME_KEY=acme_live_short']
"#,
    )]);
    let rules = dir.path().join("secrets");
    let r = run(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let code = tree(&[("client.py", b"KEY = 'acme_live_q8w7e6r5t4y3u2i1o9p8a7s6'\n")]);
    let r = run(&[
        "--rules",
        rules.to_str().unwrap(),
        "scan",
        "repo",
        code.path().to_str().unwrap(),
        "-f",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(found(&r.json())[0].0, "acme.api-key");
    assert_eq!(rule_ids(&r.json()), vec!["repo.hardcoded-token"]);
}

#[test]
fn rules_check_names_file_and_line_of_each_problem() {
    let dir = tree(&[
        (
            "bad-example.yaml",
            br#"detectors:
  - id: acme.key
    name: ACME key
    service: acme
    kind: api_key
    category: saas
    keywords: [acme_]
    pattern: '(?P<secret>acme_[0-9]{8})'
    confidence: high
    examples: ['acme_abc']
"#,
        ),
        (
            "posture.yaml",
            br#"rules:
  - id: custom.never
    title: t
    severity: low
    source: repo
    applies_to: ["*"]
    when: 'identity.kind == "x"'
    message: m
    remediation: r
    examples:
      match:
        - {id: a, kind: y, source: repo, name: a}
"#,
        ),
    ]);
    let r = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("bad-example.yaml:2: detector `acme.key`: example does not match"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("posture.yaml:2: rule `custom.never`: match example #1 does not match"),
        "{}",
        r.stdout
    );
}

#[test]
fn broken_rule_files_fail_before_scanning_with_their_location() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("bad.yaml", b"detectors:\n  - id: x\n    name: [unclosed\n", "bad.yaml"),
        (
            "cel.yaml",
            b"rules:\n  - id: c.bad\n    title: t\n    severity: low\n    source: repo\n    applies_to: ['*']\n    when: 'identity.kind == '\n    message: m\n    remediation: r\n",
            "cel.yaml:7: rule `c.bad`: `when` is not valid CEL",
        ),
        (
            "regex.yaml",
            b"detectors:\n  - id: r.bad\n    name: n\n    service: s\n    kind: token\n    category: saas\n    keywords: [abcd]\n    pattern: '(?P<secret>abcd(?=x))'\n    confidence: high\n",
            "regex.yaml:2: detector `r.bad`: pattern does not compile",
        ),
        (
            "nosecret.yaml",
            b"detectors:\n  - id: n.bad\n    name: n\n    service: s\n    kind: token\n    category: saas\n    keywords: [abcd]\n    pattern: 'abcd[0-9]+'\n    confidence: high\n",
            "no `(?P<secret>",
        ),
        ("neither.yaml", b"foo: bar\n", "not a rule file"),
    ];
    for (name, body, expect) in cases {
        let dir = tree(&[(name, body)]);
        let r = run(&[
            "--rules",
            dir.path().to_str().unwrap(),
            "scan",
            "repo",
            "fixtures/demo",
            "-q",
        ]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(expect), "{name}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "nothing scanned");
    }
}

#[test]
fn a_rule_naming_what_no_connector_emits_is_refused() {
    let dir = tree(&[(
        "posture.yaml",
        br#"rules:
  - id: custom.misspelt-flag
    title: t
    severity: high
    source: kubernetes
    applies_to: [k8s.service_account]
    when: 'identity.permissions.flags.exists(f, f == "clustre_admin")'
    message: m
    remediation: r
    examples:
      match:
        - {id: a, kind: k8s.service_account, source: kubernetes, name: a, permissions: {flags: [clustre_admin]}}
      no_match:
        - {id: b, kind: k8s.service_account, source: kubernetes, name: b}
  - id: custom.wrong-kind-and-attribute
    title: t
    severity: low
    source: aws
    applies_to: [aws.usr]
    when: 'identity.kind == "aws.rol" && identity.attributes.mfa_enabled == false && identity.permisions.flags == []'
    message: m
    remediation: r
"#,
    )]);
    let r = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    for want in [
        "posture.yaml:2: rule `custom.misspelt-flag`: `when` names permission flag `clustre_admin`, which source `kubernetes` never emits",
        "rule `custom.wrong-kind-and-attribute`: applies_to names kind `aws.usr`",
        "`when` names kind `aws.rol`",
        "`when` names attribute `mfa_enabled`",
        "`when` reads identity.permisions, which identities do not have",
        "rule `custom.wrong-kind-and-attribute` has no `match` examples",
        "rule `custom.wrong-kind-and-attribute` has no `no_match` examples",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    // A scan does not start with such rules.
    let scan = run(&[
        "--rules",
        dir.path().to_str().unwrap(),
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
    ]);
    assert_eq!(scan.code, 2, "{}", scan.stderr);
    // A source no connector is cannot even be loaded.
    let dir = tree(&[(
        "posture.yaml",
        b"rules:\n  - id: c.s\n    title: t\n    severity: low\n    source: gitlab\n    applies_to: ['*']\n    when: 'true'\n    message: m\n    remediation: r\n",
    )]);
    let r = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("posture.yaml:5: rule `c.s`: `source` is `gitlab`"),
        "{}",
        r.stderr
    );
}

#[test]
fn misspelt_names_alone_stop_a_scan_before_it_starts() {
    let dir = tree(&[(
        "posture.yaml",
        br#"rules:
  - id: custom.misspelt-flag
    title: t
    severity: high
    source: kubernetes
    applies_to: ["*"]
    when: '"clustre_admin" in identity.permissions.flags'
    message: m
    remediation: r
"#,
    )]);
    let r = run(&[
        "--rules",
        dir.path().to_str().unwrap(),
        "scan",
        "kubernetes",
        "--from",
        "fixtures/kubernetes",
        "-q",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("posture.yaml:2: rule `custom.misspelt-flag`: `when` names permission flag `clustre_admin`"),
        "{}",
        r.stderr
    );
}

/// The other half of the contract: what the connectors emit on every shipped fixture is
/// declared (src/connectors/emits.rs, joins, owners), so the rule check above has the truth.
#[test]
fn every_fixture_identity_stays_within_the_declared_contract() {
    use std::collections::BTreeSet;
    let runs: &[&[&str]] = &[
        &["scan", "repo", "fixtures/demo"],
        &["scan", "repo", "fixtures/joined/repo"],
        &[
            "scan",
            "aws",
            "--from",
            "fixtures/aws/auth-details.json",
            "--credential-report",
            "fixtures/aws/credential-report.csv",
        ],
        &["scan", "kubernetes", "--from", "fixtures/kubernetes"],
        &["scan", "kubernetes", "--from", "fixtures/kubernetes-known"],
        &["--config", "fixtures/joined/nhiscan.toml", "scan"],
        #[cfg(feature = "github")]
        &[
            "scan",
            "github",
            "--org",
            "octo-org",
            "--from",
            "fixtures/github/export",
        ],
        #[cfg(feature = "github")]
        &["--config", "fixtures/joined/github-aws.toml", "scan"],
    ];
    let detector_kinds: BTreeSet<String> = {
        let r = run(&["rules", "list", "--format", "json"]);
        r.json()["detectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["identity_kind"].as_str().unwrap().to_string())
            .collect()
    };
    let added: BTreeSet<&str> = nhiscan::correlate::ATTRIBUTES
        .iter()
        .chain(nhiscan::owners::ATTRIBUTES)
        .copied()
        .collect();
    let mut checked = 0;
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["-f", "json", "-q", "--fail-on", "none"]);
        let r = run(&args);
        assert!(r.code == 0 || r.code == 3, "{args:?}: {}", r.stderr);
        let identities = r.json()["identities"].as_array().unwrap().clone();
        assert!(
            !identities.is_empty(),
            "{args:?} found no identity to check"
        );
        for i in &identities {
            let source = i["source"].as_str().unwrap();
            let table = nhiscan::connectors::emits::ALL
                .iter()
                .find(|t| t.source == source)
                .unwrap_or_else(|| panic!("source {source} has no table"));
            let kind = i["kind"].as_str().unwrap();
            assert!(
                table.kinds.contains(&kind) || (source == "repo" && detector_kinds.contains(kind)),
                "{args:?}: kind {kind} of {source} is not declared"
            );
            for f in i["permissions"]["flags"].as_array().into_iter().flatten() {
                let f = f.as_str().unwrap();
                assert!(
                    table.flags.contains(&f),
                    "{args:?}: flag {f} of {source} is not declared"
                );
            }
            for a in i["attributes"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                assert!(
                    table.attributes.contains(&a.as_str()) || added.contains(a.as_str()),
                    "{args:?}: attribute {a} of {source} is not declared"
                );
            }
            checked += 1;
        }
    }
    // The GitHub runs (only in builds with that connector) add about twenty.
    let least = if cfg!(feature = "github") { 50 } else { 30 };
    assert!(checked > least, "only {checked} identities checked");
}

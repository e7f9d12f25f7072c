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

//! `scan repo --validate`: every provider's check against a loopback double that answers as the
//! provider documents (200 works, 401/403 rejected, 5xx and silence say nothing), AWS against a
//! moto server (a key that exists, one deleted, one deactivated), and the safety rules: where a
//! secret may go, once per run, `--only-valid`, and refusals.

use crate::common::http_stub::{Request, Response, StubServer};
use crate::common::{github_token, nhiscan, root, tree};
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// How the double answers one secret.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Works,
    Status(u16),
    /// Slack's way: 200 with `ok: false`.
    OkFalse,
    /// Longer than the scan's --validate-timeout.
    Silent,
}

/// One provider under test: its `--validate-endpoint` name, a line holding secret `n`, the path
/// its documented check uses, the body of a "works" answer, and the verdict each answer must
/// give (as that provider documents its statuses).
struct Provider {
    name: &'static str,
    line: fn(u32) -> (String, String),
    path: &'static str,
    works_body: &'static str,
    answers: &'static [(Answer, &'static str)],
}

/// Deterministic text from `alphabet`, distinct per `seed`: secrets made here, not committed.
fn chars(seed: u32, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(0x9e37_79b9) as u64 | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const DIGITS: &[u8] = b"0123456789";

fn with_crc(prefix: &str, seed: u32) -> String {
    github_token(prefix, &chars(seed, 30, ALNUM))
}

/// Returns (file contents, the secret).
fn github(n: u32) -> (String, String) {
    let s = with_crc("ghp_", n);
    (format!("GITHUB_TOKEN={s}\n"), s)
}
fn gitlab(n: u32) -> (String, String) {
    let s = format!("glpat-{}", chars(n, 20, ALNUM));
    (format!("GITLAB_TOKEN={s}\n"), s)
}
fn slack(n: u32) -> (String, String) {
    let s = format!(
        "xoxb-{}-{}-{}",
        chars(n, 11, DIGITS).replacen('0', "1", 1),
        chars(n + 1, 13, DIGITS),
        chars(n, 24, ALNUM)
    );
    (format!("SLACK_BOT_TOKEN={s}\n"), s)
}
fn stripe(n: u32) -> (String, String) {
    let s = format!("sk_live_{}", chars(n, 32, ALNUM));
    (format!("STRIPE_SECRET_KEY={s}\n"), s)
}
fn openai(n: u32) -> (String, String) {
    let s = format!("sk-proj-{}", chars(n, 48, ALNUM));
    (format!("OPENAI_API_KEY={s}\n"), s)
}
fn anthropic(n: u32) -> (String, String) {
    let s = format!("sk-ant-api03-{}AA", chars(n, 93, ALNUM));
    (format!("ANTHROPIC_API_KEY={s}\n"), s)
}
fn huggingface(n: u32) -> (String, String) {
    let s = format!("hf_{}", chars(n, 34, LETTERS));
    (format!("HF_TOKEN={s}\n"), s)
}
fn npm(n: u32) -> (String, String) {
    let s = with_crc("npm_", n);
    (format!("//registry.npmjs.org/:_authToken={s}\n"), s)
}
fn sendgrid(n: u32) -> (String, String) {
    let s = format!("SG.{}.{}", chars(n, 22, ALNUM), chars(n + 7, 43, ALNUM));
    (format!("SENDGRID_API_KEY={s}\n"), s)
}
fn twilio(n: u32) -> (String, String) {
    let sid = format!("AC{}", chars(n + 1000, 32, HEX));
    let s = chars(n, 32, HEX);
    (
        format!("TWILIO_ACCOUNT_SID={sid}\nTWILIO_AUTH_TOKEN={s}\n"),
        s,
    )
}
fn datadog(n: u32) -> (String, String) {
    let s = chars(n, 32, HEX);
    (format!("DD_API_KEY={s}\n"), s)
}
fn gcp(n: u32) -> (String, String) {
    let s = format!("AIza{}", chars(n, 35, ALNUM));
    (format!("GOOGLE_API_KEY={s}\n"), s)
}
fn mailgun(n: u32) -> (String, String) {
    let s = format!("key-{}", chars(n, 32, HEX));
    (format!("MAILGUN_API_KEY={s}\n"), s)
}
fn digitalocean(n: u32) -> (String, String) {
    let s = format!("dop_v1_{}", chars(n, 64, HEX));
    (format!("DIGITALOCEAN_TOKEN={s}\n"), s)
}

use Answer::*;

/// 401 and 403 are rejections unless the provider documents 403 as "this key works but may
/// not make this call" (GitHub rate limits, OpenAI/Anthropic permissions, scoped DigitalOcean
/// tokens, Mailgun sending keys), where it stays unknown.
const REJECT_BOTH: &[(Answer, &str)] = &[
    (Works, "valid"),
    (Status(401), "invalid"),
    (Status(403), "invalid"),
    (Status(500), "unknown"),
    (Status(503), "unknown"),
    (Status(429), "unknown"),
    (Silent, "unknown"),
];
const REJECT_401: &[(Answer, &str)] = &[
    (Works, "valid"),
    (Status(401), "invalid"),
    (Status(403), "unknown"),
    (Status(500), "unknown"),
    (Silent, "unknown"),
];

fn providers() -> Vec<Provider> {
    vec![
        Provider {
            name: "github",
            line: github,
            path: "/user",
            works_body: "{\"login\":\"octocat\"}",
            answers: REJECT_401,
        },
        Provider {
            name: "gitlab",
            line: gitlab,
            path: "/api/v4/personal_access_tokens/self",
            works_body: "{\"active\":true}",
            answers: REJECT_BOTH,
        },
        Provider {
            name: "slack",
            line: slack,
            path: "/api/auth.test",
            works_body: "{\"ok\":true,\"team\":\"T\"}",
            answers: &[
                (Works, "valid"),
                (OkFalse, "invalid"),
                (Status(500), "unknown"),
                (Silent, "unknown"),
            ],
        },
        Provider {
            name: "stripe",
            line: stripe,
            path: "/v1/balance",
            works_body: "{\"object\":\"balance\"}",
            answers: REJECT_BOTH,
        },
        Provider {
            name: "openai",
            line: openai,
            path: "/v1/models",
            works_body: "{\"data\":[]}",
            answers: REJECT_401,
        },
        Provider {
            name: "anthropic",
            line: anthropic,
            path: "/v1/models",
            works_body: "{\"data\":[]}",
            answers: REJECT_401,
        },
        Provider {
            name: "huggingface",
            line: huggingface,
            path: "/api/whoami-v2",
            works_body: "{\"name\":\"x\"}",
            answers: REJECT_BOTH,
        },
        Provider {
            name: "npm",
            line: npm,
            path: "/-/whoami",
            works_body: "{\"username\":\"x\"}",
            answers: REJECT_BOTH,
        },
        Provider {
            name: "sendgrid",
            line: sendgrid,
            path: "/v3/scopes",
            works_body: "{\"scopes\":[]}",
            answers: REJECT_BOTH,
        },
        Provider {
            name: "twilio",
            line: twilio,
            path: "",
            works_body: "{\"status\":\"active\"}",
            answers: REJECT_BOTH,
        },
        Provider {
            name: "datadog",
            line: datadog,
            path: "/api/v1/validate",
            works_body: "{\"valid\":true}",
            answers: &[
                (Works, "valid"),
                (Status(403), "invalid"),
                (Status(500), "unknown"),
                (Silent, "unknown"),
            ],
        },
        Provider {
            name: "gcp",
            line: gcp,
            path: "/v1beta/models",
            works_body: "{\"models\":[]}",
            answers: &[
                (Works, "valid"),
                (Status(400), "invalid"),
                (Status(403), "unknown"),
                (Status(500), "unknown"),
                (Silent, "unknown"),
            ],
        },
        Provider {
            name: "mailgun",
            line: mailgun,
            path: "/v3/domains",
            works_body: "{\"items\":[]}",
            answers: REJECT_401,
        },
        Provider {
            name: "digitalocean",
            line: digitalocean,
            path: "/v2/account",
            works_body: "{\"account\":{}}",
            answers: REJECT_401,
        },
    ]
}

fn sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Every value a request carries a secret in: header values (basic auth decoded too), query
/// values and the path.
fn carried(r: &Request) -> String {
    let mut all = r.path.clone();
    for v in r.headers.values().chain(r.query.values()) {
        all.push('\n');
        all.push_str(v);
        if let Some(b) = v.strip_prefix("Basic ")
            && let Ok(d) = base64::engine::general_purpose::STANDARD.decode(b)
        {
            all.push('\n');
            all.push_str(&String::from_utf8_lossy(&d));
        }
    }
    all
}

fn respond(answer: Answer, works_body: &str) -> Response {
    match answer {
        Works => Response::json(200, works_body),
        Status(s) => Response::json(s, "{\"message\":\"no\"}"),
        OkFalse => Response::json(200, "{\"ok\":false,\"error\":\"invalid_auth\"}"),
        Silent => {
            std::thread::sleep(Duration::from_secs(4));
            Response::json(200, works_body)
        }
    }
}

/// The found credential holding `secret`, from a JSON report.
fn credential<'a>(report: &'a Value, secret: &str) -> Option<(&'a Value, &'a Value)> {
    let h = sha256(secret);
    report["identities"].as_array()?.iter().find_map(|i| {
        let f = &i["credentials"][0]["found"];
        (f["secret_sha256"] == h.as_str()).then_some((i, f))
    })
}

fn findings_of<'a>(report: &'a Value, identity: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["identity_id"] == identity)
        .collect()
}

#[test]
fn every_provider_is_checked_against_its_documented_endpoint() {
    let providers = providers();
    // (secret → answer, provider, expected verdict)
    let mut plan: Vec<(String, Answer, &'static str, &'static str)> = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (pi, p) in providers.iter().enumerate() {
        for (ai, (answer, verdict)) in p.answers.iter().enumerate() {
            let (text, secret) = (p.line)((pi * 16 + ai) as u32 + 1);
            files.push((format!("{}/{ai}.env", p.name), text.into_bytes()));
            plan.push((secret, *answer, p.name, verdict));
        }
    }
    let answers: Vec<(String, Answer, &'static str)> = plan
        .iter()
        .map(|(s, a, p, _)| {
            let body = providers.iter().find(|x| x.name == *p).unwrap().works_body;
            (s.clone(), *a, body)
        })
        .collect();
    let server = StubServer::start(move |r| {
        let text = carried(r);
        match answers.iter().find(|(s, _, _)| text.contains(s.as_str())) {
            Some((_, a, body)) => respond(*a, body),
            None => Response::json(418, "{}"),
        }
    });
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let dir = tree(&refs);
    let mut args: Vec<String> = vec![
        "scan".into(),
        "repo".into(),
        dir.path().display().to_string(),
        "-f".into(),
        "json".into(),
        "-q".into(),
        "--fail-on".into(),
        "none".into(),
        "--validate".into(),
        "--validate-timeout".into(),
        "1".into(),
    ];
    for p in &providers {
        args.push("--validate-endpoint".into());
        args.push(format!("{}={}", p.name, server.url()));
    }
    let out = nhiscan().args(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    // The same tree judged without --validate: what each finding's severity is by its rule.
    let plain = nhiscan()
        .args(["scan", "repo"])
        .arg(dir.path())
        .args(["-f", "json", "-q", "--fail-on", "none"])
        .output()
        .unwrap();
    let plain: Value = serde_json::from_slice(&plain.stdout).unwrap();
    let rule_severity: BTreeMap<&str, &Value> = plain["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["fingerprint"].as_str().unwrap(), &f["severity"]))
        .collect();
    for (secret, answer, provider, want) in &plan {
        let (identity, found) = credential(&report, secret)
            .unwrap_or_else(|| panic!("{provider}: the {answer:?} secret was not found"));
        let v = &found["validation"];
        assert_eq!(
            v["validity"], *want,
            "{provider} answering {answer:?}: {v} (detector {})",
            found["detector"]
        );
        let reason = v["reason"].as_str().unwrap();
        assert!(reason.contains("127.0.0.1"), "{provider}: {reason}");
        // The reason, the report and the logs never hold the secret.
        assert!(
            !stdout.contains(secret.as_str()),
            "{provider}: secret in the report"
        );
        assert!(
            !stderr.contains(secret.as_str()),
            "{provider}: secret on stderr"
        );
        let findings = findings_of(&report, identity["id"].as_str().unwrap());
        assert!(
            !findings.is_empty(),
            "{provider}: no finding for {}",
            identity["id"]
        );
        for f in findings {
            assert_eq!(f["evidence"]["validity"], *want, "{f}");
            match *want {
                "valid" => assert_eq!(f["severity"], "critical", "{f}"),
                "invalid" => assert!(f["severity"] == "low" || f["severity"] == "info", "{f}"),
                _ => assert_eq!(
                    &f["severity"],
                    rule_severity[f["fingerprint"].as_str().unwrap()],
                    "{provider}: unknown keeps the rule's severity: {f}"
                ),
            }
        }
    }
    // Each provider's check went to its documented path, with the secret where the provider
    // wants it (no secret twice: each distinct secret was asked about once).
    let requests = server.requests();
    for p in &providers {
        let path = match p.name {
            "twilio" => None,
            _ => Some(p.path),
        };
        let mine: Vec<&Request> = requests
            .iter()
            .filter(|r| {
                plan.iter()
                    .any(|(s, _, name, _)| *name == p.name && carried(r).contains(s.as_str()))
            })
            .collect();
        assert_eq!(mine.len(), p.answers.len(), "{}: {mine:?}", p.name);
        for r in mine {
            if let Some(path) = path {
                assert_eq!(r.path, path, "{}", p.name);
            } else {
                assert!(
                    r.path.starts_with("/2010-04-01/Accounts/AC") && r.path.ends_with(".json"),
                    "{}",
                    r.path
                );
            }
        }
    }
    let header = |name: &str, secret: &str| {
        requests
            .iter()
            .find(|r| carried(r).contains(secret))
            .and_then(|r| r.headers.get(name).cloned())
            .unwrap_or_default()
    };
    let gh = &plan.iter().find(|(_, _, p, _)| *p == "github").unwrap().0;
    assert_eq!(header("authorization", gh), format!("Bearer {gh}"));
    let gl = &plan.iter().find(|(_, _, p, _)| *p == "gitlab").unwrap().0;
    assert_eq!(header("private-token", gl), *gl);
    let an = &plan
        .iter()
        .find(|(_, _, p, _)| *p == "anthropic")
        .unwrap()
        .0;
    assert_eq!(header("x-api-key", an), *an);
    assert_eq!(header("anthropic-version", an), "2023-06-01");
    let dd = &plan.iter().find(|(_, _, p, _)| *p == "datadog").unwrap().0;
    assert_eq!(header("dd-api-key", dd), *dd);
    let mg = &plan.iter().find(|(_, _, p, _)| *p == "mailgun").unwrap().0;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("api:{mg}"));
    assert_eq!(header("authorization", mg), format!("Basic {basic}"));
    let g = &plan.iter().find(|(_, _, p, _)| *p == "gcp").unwrap().0;
    let r = requests
        .iter()
        .find(|r| carried(r).contains(g.as_str()))
        .unwrap();
    assert_eq!(r.query.get("key"), Some(g));
}

/// A scan of `dir` with --validate, every provider's checks sent to `url`.
fn scan_validating(dir: &Path, url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "scan".to_string(),
        "repo".into(),
        dir.display().to_string(),
        "-q".into(),
        "--validate".into(),
    ];
    if !extra.contains(&"-f") {
        args.extend(["-f".to_string(), "json".into()]);
    }
    for p in ["github", "gitlab", "npm", "stripe"] {
        args.push("--validate-endpoint".into());
        args.push(format!("{p}={url}"));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    nhiscan().args(&args).output().unwrap()
}

#[test]
fn each_secret_is_checked_once_per_run_across_files_and_paths() {
    let (text, secret) = github(900);
    let a = tree(&[
        ("one.env", text.as_bytes()),
        ("sub/two.env", text.as_bytes()),
    ]);
    let b = tree(&[("three.env", text.as_bytes())]);
    let server = StubServer::start(|_| Response::json(200, "{}"));
    let config = tree(&[(
        "nhiscan.toml",
        format!(
            "[[sources]]\nkind = \"repo\"\npaths = [{:?}, {:?}]\nvalidate = true\nvalidate_endpoint = [\"github={}\"]\n",
            a.path().display().to_string(),
            b.path().display().to_string(),
            server.url()
        )
        .as_bytes(),
    )]);
    let out = nhiscan()
        .args(["scan", "--config"])
        .arg(config.path().join("nhiscan.toml"))
        .args(["-f", "json", "-q", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, found) = credential(&report, &secret).unwrap();
    assert_eq!(found["validation"]["validity"], "valid");
    assert_eq!(found["locations"].as_array().unwrap().len(), 3);
    assert_eq!(server.requests().len(), 1, "{:?}", server.requests());
}

#[test]
fn only_valid_fails_on_working_credentials_alone() {
    let (works, good) = github(901);
    let (revoked, bad) = gitlab(902);
    let server = StubServer::start(move |r| {
        if carried(r).contains(good.as_str()) {
            Response::json(200, "{}")
        } else {
            Response::json(401, "{}")
        }
    });
    let only_revoked = tree(&[("a.env", revoked.as_bytes())]);
    let both = tree(&[("a.env", revoked.as_bytes()), ("b.env", works.as_bytes())]);
    let code =
        |dir: &Path, extra: &[&str]| scan_validating(dir, &server.url(), extra).status.code();
    // A revoked token is still a finding (low) that --fail-on low counts…
    assert_eq!(code(only_revoked.path(), &["--fail-on", "low"]), Some(1));
    // …but not with --only-valid; a working one fails either way.
    assert_eq!(
        code(only_revoked.path(), &["--fail-on", "low", "--only-valid"]),
        Some(0)
    );
    assert_eq!(
        code(both.path(), &["--fail-on", "critical", "--only-valid"]),
        Some(1)
    );
    let out = scan_validating(only_revoked.path(), &server.url(), &["--fail-on", "none"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, found) = credential(&report, &bad).unwrap();
    assert_eq!(found["validation"]["validity"], "invalid");
}

#[test]
fn secrets_go_nowhere_they_should_not() {
    let (text, secret) = github(903);
    let dir = tree(&[("a.env", text.as_bytes())]);
    let d = dir.path().to_str().unwrap();
    // Cleartext off loopback is refused before anything is scanned.
    let out = nhiscan()
        .args([
            "scan",
            "repo",
            d,
            "-q",
            "--validate",
            "--validate-endpoint",
            "github=http://ghe.example/api/v3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unencrypted"), "{stderr}");
    // An endpoint without --validate is a usage error, not a silent no-op.
    let out = nhiscan()
        .args([
            "scan",
            "repo",
            d,
            "-q",
            "--validate-endpoint",
            "github=https://ghe.example/api/v3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Without --validate nothing is asked and the report claims no verdict.
    let out = nhiscan()
        .args(["scan", "repo", d, "-q", "-f", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, found) = credential(&report, &secret).unwrap();
    assert!(found.get("validation").is_none(), "{found}");
    // A config found in the scanned folder cannot turn validation on.
    let hostile = tree(&[
        ("a.env", text.as_bytes()),
        (
            "nhiscan.toml",
            b"[[sources]]\nkind = \"repo\"\npath = \".\"\nvalidate = true\n",
        ),
    ]);
    let out = nhiscan()
        .current_dir(hostile.path())
        .args(["scan", "-q", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("validate"), "{stderr}");
    // Redirects are not followed: the secret is not re-sent to wherever one points.
    let target = StubServer::start(|_| Response::json(200, "{}"));
    let to = target.url();
    let bouncer = StubServer::start(move |_| Response {
        status: 302,
        headers: vec![("location".into(), format!("{to}/user"))],
        body: String::new(),
    });
    let out = scan_validating(dir.path(), &bouncer.url(), &["--fail-on", "none"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, found) = credential(&report, &secret).unwrap();
    assert_eq!(found["validation"]["validity"], "unknown", "{found}");
    assert!(target.requests().is_empty());
}

#[test]
fn a_detector_without_a_check_is_unknown_with_its_reason() {
    // A GitHub refresh token cannot authenticate an API call, so its detector defines no check.
    let s = with_crc("ghr_", 904);
    let dir = tree(&[("a.env", format!("refresh_token = '{s}'\n").as_bytes())]);
    let server = StubServer::start(|_| Response::json(200, "{}"));
    let out = scan_validating(dir.path(), &server.url(), &["--fail-on", "none"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, found) = credential(&report, &s).unwrap();
    assert_eq!(found["validation"]["validity"], "unknown");
    assert!(
        found["validation"]["reason"]
            .as_str()
            .unwrap()
            .contains("defines no live check"),
        "{found}"
    );
    assert!(server.requests().is_empty());
}

/// AWS: STS GetCallerIdentity signed with each found pair, answered by moto with its IAM state:
/// a key that exists works, a deleted one is rejected, on both the key id and the secret key.
#[test]
#[cfg(feature = "aws")]
fn aws_key_pairs_are_checked_with_sts_on_moto() {
    use crate::common::moto::Moto;
    let moto = Moto::start();
    let script = r#"
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
iam.create_user(UserName="deployer")
def key(user):
    # Real key ids are base32 after the prefix (what the detector expects); moto's are not
    # always, so draw until one is, within a bound.
    for _ in range(300):
        k = iam.create_access_key(UserName=user)["AccessKey"]
        if all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in k["AccessKeyId"][4:]):
            return k
        iam.delete_access_key(UserName=user, AccessKeyId=k["AccessKeyId"])
    raise SystemExit("no base32 key id in 300 draws")
live = key("deployer")
gone = key("deployer")
iam.delete_access_key(UserName="deployer", AccessKeyId=gone["AccessKeyId"])
print(json.dumps({k: [v["AccessKeyId"], v["SecretAccessKey"]] for k, v in
                  {"live": live, "gone": gone}.items()}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, &moto.url])
        .envs(moto.env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: BTreeMap<String, (String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    // Moto now checks every request's signature against its IAM keys, as STS does.
    moto.enforce_auth();
    let file = |(id, secret): &(String, String)| {
        format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n")
    };
    let dir = tree(&[
        ("live/credentials", file(&keys["live"]).as_bytes()),
        ("gone/credentials", file(&keys["gone"]).as_bytes()),
    ]);
    let out = nhiscan()
        .args(["scan", "repo"])
        .arg(dir.path())
        .args(["-f", "json", "-q", "--fail-on", "none", "--validate"])
        .args(["--validate-endpoint", &format!("aws={}", moto.url)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // A deactivated key is not in this test: moto (5.x) still accepts an inactive key's
    // signature, where STS answers InvalidClientTokenId; the judge's agreement note covers a
    // verdict that contradicts IAM's status.
    for (name, want) in [("live", "valid"), ("gone", "invalid")] {
        let (id, secret) = &keys[name];
        for part in [id, secret] {
            let (_, found) = credential(&report, part)
                .unwrap_or_else(|| panic!("{name}: {} not found", &part[..4]));
            assert_eq!(
                found["validation"]["validity"], want,
                "{name} {}: {}",
                found["detector"], found["validation"]
            );
        }
    }
    let _ = root();
}

#[test]
fn the_verdict_reaches_every_report_format() {
    let (text, secret) = github(905);
    let dir = tree(&[("a.env", text.as_bytes())]);
    let server = StubServer::start(|_| Response::json(200, "{}"));
    let render = |format: &str| {
        let out = scan_validating(
            dir.path(),
            &server.url(),
            &["--fail-on", "none", "-f", format],
        );
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains(secret.as_str()), "{format} shows the secret");
        text
    };
    let sarif: Value = serde_json::from_str(&render("sarif")).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["validity"], "valid", "{result}");
    assert_eq!(result["level"], "error", "{result}");
    let table = render("table");
    assert!(
        table.contains("validity: valid (HTTP 200 from 127.0.0.1"),
        "{table}"
    );
    let md = render("markdown");
    assert!(md.contains("— **valid** |"), "{md}");
    let csv = render("csv");
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",validity"));
    assert!(lines.next().unwrap().ends_with(",valid"), "{csv}");
    let json: Value = serde_json::from_str(&render("json")).unwrap();
    assert_eq!(json["findings"][0]["evidence"]["validity"], "valid");
    assert_eq!(json["findings"][0]["severity"], "critical");
}

/// A found AWS key joined to its IAM key: when IAM lists the key inactive but the check says it
/// works, the report warns (here moto, without auth enforcement, answers any signature, which
/// is the disagreement to show); an active key that works raises no warning.
#[test]
#[cfg(feature = "aws")]
fn iam_status_and_verdict_that_disagree_are_noted() {
    use crate::common::moto::Moto;
    use crate::common::nhiscan_wall_clock;
    let moto = Moto::start();
    let script = r#"
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
def key(user):
    for _ in range(300):
        k = iam.create_access_key(UserName=user)["AccessKey"]
        if all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in k["AccessKeyId"][4:]):
            return k
        iam.delete_access_key(UserName=user, AccessKeyId=k["AccessKeyId"])
    raise SystemExit("no base32 key id in 300 draws")
iam.create_user(UserName="active-bot")
on = key("active-bot")
iam.create_user(UserName="retired-bot")
off = key("retired-bot")
iam.update_access_key(UserName="retired-bot", AccessKeyId=off["AccessKeyId"], Status="Inactive")
print(json.dumps({k: [v["AccessKeyId"], v["SecretAccessKey"]] for k, v in {"on": on, "off": off}.items()}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, &moto.url])
        .envs(moto.env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: BTreeMap<String, (String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    let file = |(id, secret): &(String, String)| {
        format!("aws_access_key_id = {id}\naws_secret_access_key = {secret}\n")
    };
    let dir = tree(&[
        ("app/on.ini", file(&keys["on"]).as_bytes()),
        ("app/off.ini", file(&keys["off"]).as_bytes()),
    ]);
    std::fs::write(
        dir.path().join("nhiscan.toml"),
        format!(
            "[[sources]]\nkind = \"repo\"\npath = \"app\"\nvalidate = true\n\
             validate_endpoint = [\"aws={url}\"]\n\n[[sources]]\nkind = \"aws\"\n\
             endpoint_url = \"{url}\"\nregion = \"us-east-1\"\n",
            url = moto.url
        ),
    )
    .unwrap();
    let out = nhiscan_wall_clock()
        .current_dir(dir.path())
        .envs(moto.env())
        .args([
            "--config",
            "nhiscan.toml",
            "scan",
            "-f",
            "json",
            "-q",
            "--fail-on",
            "none",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let (on, found_on) = credential(&report, &keys["on"].0).unwrap();
    let (off, found_off) = credential(&report, &keys["off"].0).unwrap();
    assert_eq!(on["attributes"]["iam_key_status"], "active", "{on}");
    assert_eq!(off["attributes"]["iam_key_status"], "inactive", "{off}");
    assert_eq!(found_on["validation"]["validity"], "valid");
    assert_eq!(found_off["validation"]["validity"], "valid");
    let notes: Vec<&Value> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            n["message"]
                .as_str()
                .unwrap_or("")
                .contains("IAM lists the key")
        })
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["subject"], off["id"]);
    assert_eq!(notes[0]["level"], "warning");
}

//! AWS small fixes: one bad record skips that record (not the account), a credential-report row
//! that is not UTF-8 is skipped with a note, a never-used console password on a machine user is
//! still reported, `iam:PassRole` scoped to one role is escalation only when that role is an
//! administrator, and live mode asks for 1,000 items per authorization-details page.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

const ACCT: &str = "arn:aws:iam::123456789012";
const ORG_ACCT: &str = "arn:aws:iam::111111111111";

fn scan(from: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["scan", "aws", "--from", from.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "json", "-q", "--fail-on", "none"]);
    run(&args)
}

fn notes(j: &Value) -> Vec<(String, String)> {
    j["sources"][0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["subject"].as_str().unwrap().to_string(),
                n["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_user_without_arn_is_skipped_with_a_note_and_the_account_is_scanned() {
    let mut export: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/aws/auth-details.json")).unwrap(),
    )
    .unwrap();
    let users = export["UserDetailList"].as_array_mut().unwrap();
    let i = users
        .iter()
        .position(|u| u["UserName"] == "legacy-bot")
        .unwrap();
    users[i].as_object_mut().unwrap().remove("Arn");
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("auth-details.json");
    std::fs::write(&from, export.to_string()).unwrap();
    let r = scan(&from, &[]);
    assert_eq!(
        r.code, 3,
        "a skipped record makes the source partial: {}",
        r.stderr
    );
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "partial");
    let ids: Vec<&str> = j["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&format!("{ACCT}:user/ci-deploy").as_str()),
        "{ids:?}"
    );
    assert!(ids.contains(&format!("{ACCT}:role/gha-deploy").as_str()));
    assert!(!ids.iter().any(|i| i.contains("legacy-bot")));
    let subject = format!("{}: UserDetailList[{i}]", from.display());
    let note = notes(&j)
        .into_iter()
        .find(|(s, _)| *s == subject)
        .unwrap_or_else(|| panic!("no note for {subject}: {:?}", notes(&j)));
    assert!(
        note.1.contains("Arn") && note.1.contains("record skipped"),
        "{}",
        note.1
    );
}

#[test]
fn a_credential_report_row_that_is_not_utf8_is_skipped_with_a_note() {
    let report = std::fs::read(root().join("fixtures/aws/credential-report.csv")).unwrap();
    // Break the name of one user's row with bytes that are not UTF-8.
    let at = report
        .windows(b"legacy-bot,".len())
        .position(|w| w == b"legacy-bot,")
        .unwrap();
    let mut bad = report[..at].to_vec();
    bad.extend_from_slice(b"legacy\xff\xfebot,");
    bad.extend_from_slice(&report[at + b"legacy-bot,".len()..]);
    let line = 1 + report[..at].iter().filter(|&&b| b == b'\n').count();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("credential-report.csv");
    std::fs::write(&csv, bad).unwrap();
    let r = scan(
        &root().join("fixtures/aws/auth-details.json"),
        &["--credential-report", csv.to_str().unwrap()],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let subject = format!("{}:{line}", csv.display());
    assert!(
        notes(&j)
            .iter()
            .any(|(s, m)| *s == subject && m.contains("row skipped")),
        "{:?}",
        notes(&j)
    );
    // The other rows are read: root and ci-deploy keep their report credentials.
    let root_id = identity(&j, &format!("{ACCT}:root"));
    assert_eq!(root_id["credentials"][0]["status"], "active");
    let ci = identity(&j, &format!("{ACCT}:user/ci-deploy"));
    assert_eq!(ci["credentials"].as_array().unwrap().len(), 2);
    // legacy-bot is still inventoried from the export, without report credentials.
    let bot = identity(&j, &format!("{ACCT}:user/legacy-bot"));
    assert_eq!(bot["attributes"]["credential_report"], false);
}

#[test]
fn a_machine_user_whose_console_password_was_never_used_is_reported() {
    let report =
        std::fs::read_to_string(root().join("fixtures/aws/credential-report.csv")).unwrap();
    // ci-deploy (active access keys) gets a console password that was never used.
    let edited: String = report
        .lines()
        .map(|l| {
            if l.starts_with("ci-deploy,") {
                let mut f: Vec<&str> = l.split(',').collect();
                f[3] = "true"; // password_enabled
                f[4] = "N/A"; // password_last_used
                f[5] = "2025-01-10T09:20:00+00:00"; // password_last_changed
                f.join(",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("credential-report.csv");
    std::fs::write(&csv, edited).unwrap();
    let r = scan(
        &root().join("fixtures/aws/auth-details.json"),
        &["--credential-report", csv.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let id = format!("{ACCT}:user/ci-deploy");
    assert_eq!(
        identity(&j, &id)["attributes"]["password_last_used"],
        "never"
    );
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "aws.machine-user-console-password" && f["identity_id"] == id)
        .expect("never-used password on a machine user is reported");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("password last used: never"),
        "{}",
        f["message"]
    );
}

#[test]
fn passrole_scoped_to_one_role_is_escalation_only_when_that_role_is_an_administrator() {
    let r = scan(
        &root().join("fixtures/aws/org-account/auth-details.json"),
        &[],
    );
    let j = r.json();
    let admin_passer = format!("{ORG_ACCT}:user/deployer-admin-role");
    assert!(
        rules_for(&j, &admin_passer).contains(&"aws.privilege-escalation".to_string()),
        "{:?}",
        rules_for(&j, &admin_passer)
    );
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "aws.privilege-escalation" && f["identity_id"] == admin_passer)
        .unwrap();
    assert_eq!(
        f["evidence"]["attributes.privilege_escalation_via"][0],
        format!(
            "passrole+ec2 (iam:PassRole on administrator role {ORG_ACCT}:role/platform-admin + ec2:RunInstances) via inline:deploy PassPlatformAdmin, inline:deploy Launch"
        )
    );
    let app_passer = format!("{ORG_ACCT}:user/deployer-app-role");
    assert!(
        !rules_for(&j, &app_passer).contains(&"aws.privilege-escalation".to_string()),
        "{:?}",
        rules_for(&j, &app_passer)
    );
    let flags = identity(&j, &app_passer)["permissions"]["flags"].clone();
    assert!(
        !flags
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f == "privilege_escalation")),
        "{flags}"
    );
}

/// A TCP proxy in front of a server that keeps every byte the client sent, so a test can read
/// the requests the SDK made (IAM's are form-encoded POST bodies).
#[cfg(feature = "aws")]
pub(crate) struct Recorder {
    pub url: String,
    pub sent: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

#[cfg(feature = "aws")]
impl Recorder {
    pub fn start(upstream: &str) -> Recorder {
        use std::io::{Read, Write};
        use std::net::{TcpListener, TcpStream};
        let target = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = sent.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let (mut c_in, mut s_out) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut s_in, mut c_out) = (server, client);
                let log = log.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16384];
                    while let Ok(n) = c_in.read(&mut buf) {
                        if n == 0 || s_out.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        log.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    let _ = s_out.shutdown(std::net::Shutdown::Write);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s_in, &mut c_out);
                    let _ = c_out.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Recorder { url, sent }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.sent.lock().unwrap()).into_owned()
    }
}

#[test]
#[cfg(feature = "aws")]
fn live_authorization_details_pages_ask_for_1000_items() {
    let moto = crate::common::moto::Moto::start();
    let proxy = Recorder::start(&moto.url);
    let out = nhiscan()
        .args([
            "scan",
            "aws",
            "--endpoint-url",
            &proxy.url,
            "--region",
            "us-east-1",
            "-f",
            "json",
            "-q",
            "--fail-on",
            "none",
        ])
        .envs(moto.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{:?} {stderr}",
        out.status
    );
    let sent = proxy.text();
    let gaad: Vec<&str> = sent
        .split("POST ")
        .filter(|r| r.contains("Action=GetAccountAuthorizationDetails"))
        .collect();
    assert!(
        !gaad.is_empty(),
        "no GetAccountAuthorizationDetails request seen"
    );
    for r in gaad {
        assert!(r.contains("MaxItems=1000"), "{r}");
    }
}

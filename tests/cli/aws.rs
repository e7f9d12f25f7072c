//! AWS IAM: offline exports (auth details + credential report) and a live scan of a moto server,
//! through the real binary.

#[cfg(feature = "aws")]
use crate::common::moto::{Moto, aws_test_env};
use crate::common::*;
use serde_json::Value;
use std::path::Path;

const ACCT: &str = "arn:aws:iam::123456789012";

/// The fixtures as written: their dates are read against the pinned clock (`common::NOW`).
fn fixtures() -> &'static Path {
    Box::leak(root().join("fixtures/aws").into_boxed_path())
}

fn scan_offline(dir: &Path, extra: &[&str]) -> Run {
    let from = dir.join("auth-details.json");
    let mut args = vec!["scan", "aws", "--from", from.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "json", "-q", "--fail-on", "none"]);
    run(&args)
}

fn full_scan() -> Value {
    let report = fixtures().join("credential-report.csv");
    let r = scan_offline(
        fixtures(),
        &["--credential-report", report.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

fn flags(j: &Value, id: &str) -> Vec<String> {
    identity(j, id)["permissions"]["flags"]
        .as_array()
        .map(|a| a.iter().map(|f| f.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// (rule, identity id without the account prefix) of every finding.
fn findings(j: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let id = f["identity_id"].as_str().unwrap();
            (
                f["rule_id"].as_str().unwrap().to_string(),
                id.trim_start_matches(ACCT)
                    .trim_start_matches(':')
                    .to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn finding<'a>(j: &'a Value, rule: &str, id: &str) -> &'a Value {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule && f["identity_id"] == id)
        .unwrap_or_else(|| panic!("no {rule} on {id}"))
}

#[test]
fn offline_inventory_owners_credentials_and_attributes() {
    let j = full_scan();
    assert_eq!(j["sources"][0]["status"], "complete");
    assert_eq!(j["identities"].as_array().unwrap().len(), 11);

    let ci = identity(&j, &format!("{ACCT}:user/ci-deploy"));
    assert_eq!(ci["kind"], "aws.user");
    assert_eq!(ci["owner"]["name"], "team-platform");
    assert_eq!(ci["owner"]["source"], "tag");
    assert_eq!(ci["owner"]["detail"], "owner");
    assert_eq!(ci["labels"]["purpose"], "ci");
    assert_eq!(ci["attributes"]["groups"][0], "deployers");
    assert_eq!(ci["attributes"]["account_id"], "123456789012");
    let keys = ci["credentials"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["id"], format!("{ACCT}:user/ci-deploy#access_key_1"));
    assert_eq!(keys[0]["kind"], "access_key");
    assert!(keys[0]["last_used_at"].is_string() && keys[1]["last_used_at"].is_null());

    // Owner from the second configured key (`team`).
    let rep = identity(&j, &format!("{ACCT}:user/service/reporting-svc"));
    assert_eq!(rep["owner"]["detail"], "team");
    assert_eq!(rep["attributes"]["path"], "/service/");

    let bot = identity(&j, &format!("{ACCT}:user/legacy-bot"));
    let pw = bot["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "password")
        .expect("console password");
    assert_eq!(pw["last_used_at"], "2024-02-01T07:45:00Z");
    assert_eq!(bot["attributes"]["mfa_active"], false);
    assert!(bot.get("owner").is_none());

    let root = identity(&j, &format!("{ACCT}:root"));
    assert_eq!(root["kind"], "aws.root");
    assert_eq!(root["credentials"][0]["status"], "active");

    let slr = identity(
        &j,
        &format!("{ACCT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"),
    );
    assert_eq!(slr["attributes"]["service_linked"], true);
    let gha = identity(&j, &format!("{ACCT}:role/gha-deploy"));
    assert_eq!(gha["attributes"]["role_last_used_region"], "us-east-1");
    assert_eq!(gha["attributes"]["github_oidc_unpinned"], true);
    let pinned = identity(&j, &format!("{ACCT}:role/gha-pinned"));
    assert_eq!(pinned["attributes"]["github_oidc_unpinned"], false);
    assert_eq!(
        pinned["attributes"]["github_oidc_subjects"][0],
        "repo:acme/site:ref:refs/heads/main"
    );
}

#[test]
fn offline_policy_analysis_handles_every_shape() {
    let j = full_scan();
    let u = |n: &str| format!("{ACCT}:user/{n}");
    // URL-encoded group policy reaches the member: PassRole + RunInstances.
    assert_eq!(flags(&j, &u("ci-deploy")), ["privilege_escalation"]);
    // Raw JSON string, single statement object.
    assert!(flags(&j, &u("legacy-bot")).contains(&"admin".to_string()));
    // AdministratorAccess inside an S3-only boundary: only S3 remains.
    assert_eq!(flags(&j, &u("bounded-admin")), ["data_read_all"]);
    // Deny overrides the secrets Allow; the conditional kms:Decrypt remains, marked as such;
    // the managed policy counts at its default version (v2: s3:Get*), not v1 (`*`).
    let rep = identity(&j, &u("service/reporting-svc"));
    assert_eq!(
        rep["permissions"]["actions"],
        serde_json::json!(["kms:Decrypt", "s3:GetObject"])
    );
    assert_eq!(
        rep["attributes"]["credential_exposure_via"],
        serde_json::json!(["kms:Decrypt via inline:kms DecryptViaS3 (conditional)"])
    );
    // NotAction iam:*: broad reads and sts:AssumeRole, but no IAM writes and not admin.
    let partner = flags(&j, &format!("{ACCT}:role/partner-audit"));
    assert!(
        partner.contains(&"data_read_all".to_string()),
        "{partner:?}"
    );
    assert!(partner.contains(&"privilege_escalation".to_string()));
    assert!(!partner.contains(&"admin".to_string()));
    assert!(!partner.contains(&"permissions_management".to_string()));
}

#[test]
fn offline_findings_and_their_evidence() {
    let j = full_scan();
    let got = findings(&j);
    let want: Vec<(String, String)> = [
        ("aws.access-key-never-used", "user/ci-deploy"),
        ("aws.access-key-not-rotated", "user/ci-deploy"),
        ("aws.access-key-not-rotated", "user/legacy-bot"),
        ("aws.access-key-stale", "user/legacy-bot"),
        ("aws.access-key-too-old", "root"),
        ("aws.access-key-too-old", "user/legacy-bot"),
        ("aws.admin", "role/ec2-admin"),
        ("aws.admin", "role/gha-deploy"),
        ("aws.admin", "user/legacy-bot"),
        ("aws.compute-role-privileged", "role/ec2-admin"),
        ("aws.credential-exposure", "role/partner-audit"),
        ("aws.credential-exposure", "user/service/reporting-svc"),
        ("aws.cross-account-no-external-id", "role/partner-audit"),
        ("aws.data-read-all", "role/partner-audit"),
        ("aws.data-read-all", "user/bounded-admin"),
        ("aws.data-read-all", "user/service/reporting-svc"),
        ("aws.github-oidc-unpinned", "role/gha-deploy"),
        ("aws.machine-user-console-password", "user/legacy-bot"),
        ("aws.no-owner", "role/public-role"),
        ("aws.no-owner", "user/bounded-admin"),
        ("aws.no-owner", "user/legacy-bot"),
        ("aws.privilege-escalation", "role/partner-audit"),
        ("aws.privilege-escalation", "user/ci-deploy"),
        ("aws.role-unused", "role/public-role"),
        ("aws.root-access-key", "root"),
        ("aws.trust-public", "role/public-role"),
        ("aws.two-active-keys", "user/ci-deploy"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);

    let admin = finding(&j, "aws.admin", &format!("{ACCT}:role/gha-deploy"));
    assert_eq!(
        admin["evidence"]["attributes.admin_via"][0],
        "* via arn:aws:iam::aws:policy/AdministratorAccess #1"
    );
    let esc = finding(
        &j,
        "aws.privilege-escalation",
        &format!("{ACCT}:user/ci-deploy"),
    );
    assert_eq!(
        esc["evidence"]["attributes.privilege_escalation_via"][0],
        "passrole+ec2 (iam:PassRole + ec2:RunInstances) via group:deployers/inline:deploy LaunchWithRole"
    );
    let stale = finding(
        &j,
        "aws.access-key-stale",
        &format!("{ACCT}:user/legacy-bot"),
    );
    let keys = stale["evidence"]["attributes.access_keys"][0]
        .as_str()
        .unwrap();
    assert!(
        keys.starts_with(&format!(
            "{ACCT}:user/legacy-bot#access_key_1: active, created "
        )),
        "{keys}"
    );
    assert!(!keys.contains("last used never"), "{keys}");
    assert!(stale["message"].as_str().unwrap().contains("legacy-bot"));
    // Non-zero exit with findings at the default threshold.
    let from = fixtures().join("auth-details.json");
    let r = run(&[
        "scan",
        "aws",
        "--from",
        from.to_str().unwrap(),
        "-f",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 1);
}

#[test]
fn owner_keys_come_from_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("nhiscan.toml");
    std::fs::write(&cfg, "[owners]\nkeys = [\"purpose\"]\n").unwrap();
    let r = scan_offline(fixtures(), &["--config", cfg.to_str().unwrap()]);
    let j = r.json();
    let ci = identity(&j, &format!("{ACCT}:user/ci-deploy"));
    assert_eq!(ci["owner"]["name"], "ci");
    assert!(
        identity(&j, &format!("{ACCT}:role/gha-deploy"))
            .get("owner")
            .is_none()
    );
}

#[test]
fn without_a_credential_report_keys_and_root_are_missing_and_said_so() {
    let r = scan_offline(fixtures(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "complete");
    let note = &j["sources"][0]["notes"][0];
    assert_eq!(note["level"], "info");
    assert!(
        note["message"]
            .as_str()
            .unwrap()
            .contains("--credential-report")
    );
    assert!(
        j["identities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] != "aws.root")
    );
    assert!(
        !findings(&j)
            .iter()
            .any(|(r, _)| r.starts_with("aws.access-key"))
    );
}

#[test]
fn malformed_inputs_name_file_and_position() {
    let dir = tree(&[
        (
            "bad.json",
            b"{\n  \"UserDetailList\": [\n    {\"UserName\": }\n  ]\n}\n",
        ),
        ("other.json", b"{\"items\": []}\n"),
        (
            "good.json",
            b"{\"UserDetailList\": [], \"RoleDetailList\": []}\n",
        ),
        (
            "report.csv",
            b"user,arn,mfa_active\nshort-row\nok,arn:aws:iam::1:user/ok,false\n",
        ),
        ("broken.csv", b"user,arn\n\"unterminated,arn\n"),
    ]);
    let p = |f: &str| dir.path().join(f).display().to_string();
    let r = run(&["scan", "aws", "--from", &p("bad.json"), "-f", "json", "-q"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr
            .contains("bad.json: not a get-account-authorization-details export: line 3 column 18"),
        "{}",
        r.stderr
    );
    let j = r.json();
    assert_eq!(j["sources"][0]["status"], "failed");

    let r = run(&[
        "scan",
        "aws",
        "--from",
        &p("other.json"),
        "-f",
        "json",
        "-q",
    ]);
    assert!(
        r.stderr.contains("not a get-account-authorization-details"),
        "{}",
        r.stderr
    );

    let r = run(&[
        "scan",
        "aws",
        "--from",
        &p("good.json"),
        "--credential-report",
        &p("report.csv"),
        "-f",
        "json",
        "-q",
    ]);
    assert_eq!(r.code, 3, "a skipped row makes the run partial");
    let j = r.json();
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["subject"].as_str().unwrap().ends_with("report.csv:2")),
        "{notes:?}"
    );

    let r = run(&[
        "scan",
        "aws",
        "--from",
        &p("good.json"),
        "--credential-report",
        &p("broken.csv"),
        "-q",
    ]);
    assert!(
        r.stderr.contains("broken.csv:2: malformed CSV"),
        "{}",
        r.stderr
    );

    let r = run(&["scan", "aws", "--from", &p("missing.json"), "-q"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.json"), "{}", r.stderr);
}

#[test]
#[cfg(feature = "aws")]
fn live_scan_of_a_moto_server() {
    let moto = Moto::start();
    let created = moto.populate(&root().join("fixtures/aws/populate_moto.py"));
    let out = nhiscan_wall_clock()
        .args([
            "scan",
            "aws",
            "--endpoint-url",
            &moto.url,
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
    let j: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    // moto does not implement ListServiceSpecificCredentials: a note, and a partial run.
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let notes = j["sources"][0]["notes"].as_array().unwrap();
    let unsupported = notes
        .iter()
        .find(|n| n["subject"] == "ListServiceSpecificCredentials")
        .expect("note for the unimplemented call");
    assert!(
        unsupported["message"]
            .as_str()
            .unwrap()
            .contains("unsupported by this endpoint")
    );
    let calls = notes.iter().find(|n| n["subject"] == "api_calls").unwrap();
    // 1 GAAD page + Generate/GetCredentialReport + 3 ListAccessKeys + 3 GetAccessKeyLastUsed +
    // 1 ListServiceSpecificCredentials + 3 ListSSHPublicKeys.
    assert_eq!(calls["message"], "13 IAM API calls");

    // Access keys by their real ids, from ListAccessKeys.
    let ci = identity(&j, &format!("{ACCT}:user/ci-deploy"));
    let creds = ci["credentials"].as_array().unwrap();
    let ids: Vec<&str> = creds
        .iter()
        .filter(|c| c["kind"] == "access_key")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let mut want: Vec<&str> = created["access_keys"]["ci-deploy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut got = ids.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(ci["owner"]["name"], "team-platform");
    // SSH public keys from ListSSHPublicKeys, by id, with their status and upload date; the
    // evidence attribute lists them. No other user has one.
    let mut ssh: Vec<(String, String)> = creds
        .iter()
        .filter(|c| c["kind"] == "ssh_public_key")
        .map(|c| {
            assert!(c["created_at"].is_string(), "{c}");
            assert_eq!(c["last_rotated_at"], c["created_at"], "{c}");
            (
                c["id"].as_str().unwrap().into(),
                c["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    ssh.sort();
    let mut want: Vec<(String, String)> = created["ssh_public_keys"]["ci-deploy"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, status)| (id.clone(), status.as_str().unwrap().into()))
        .collect();
    want.sort();
    assert_eq!(ssh.len(), 2);
    assert_eq!(ssh, want);
    let summary = ci["attributes"]["ssh_public_keys"].as_array().unwrap();
    assert_eq!(summary.len(), 2, "{summary:?}");
    for (id, status) in &want {
        let line = format!("{id}: {status}, uploaded 20");
        assert!(
            summary
                .iter()
                .any(|s| s.as_str().unwrap().starts_with(&line)),
            "{line} not in {summary:?}"
        );
    }
    for user in ["user/legacy-bot", "user/service/reporting-svc"] {
        let u = identity(&j, &format!("{ACCT}:{user}"));
        assert!(
            u["credentials"]
                .as_array()
                .is_none_or(|cs| cs.iter().all(|c| c["kind"] != "ssh_public_key")),
            "{user}"
        );
        assert!(u["attributes"].get("ssh_public_keys").is_none(), "{user}");
    }
    // The managed policy's default version (v2) is what counts; AWS-managed AdministratorAccess
    // resolves from moto's loaded managed policies.
    assert_eq!(
        flags(&j, &format!("{ACCT}:user/service/reporting-svc")),
        ["data_read_all"]
    );
    assert!(flags(&j, &format!("{ACCT}:role/gha-deploy")).contains(&"admin".to_string()));

    let got = findings(&j);
    for want in [
        ("aws.admin", "role/gha-deploy"),
        ("aws.admin", "user/legacy-bot"),
        ("aws.compute-role-privileged", "role/ec2-admin"),
        ("aws.cross-account-no-external-id", "role/partner-audit"),
        ("aws.github-oidc-unpinned", "role/gha-deploy"),
        ("aws.machine-user-console-password", "user/legacy-bot"),
        ("aws.no-owner", "user/legacy-bot"),
        ("aws.privilege-escalation", "user/ci-deploy"),
        ("aws.trust-public", "role/public-role"),
        ("aws.two-active-keys", "user/ci-deploy"),
    ] {
        assert!(
            got.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} missing from {got:?}"
        );
    }
    assert!(
        !got.iter()
            .any(|(r, id)| r == "aws.github-oidc-unpinned" && id == "role/gha-pinned")
    );
    // The keys were uploaded today: fresh, so no SSH key finding with the default threshold...
    assert!(!got.iter().any(|(r, _)| r == "aws.ssh-key-not-rotated"));
    // ...but with a negative maximum age the active one (and only it) is too old.
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("nhiscan.toml");
    std::fs::write(&cfg, "[thresholds]\nmax_key_age_days = -1\n").unwrap();
    let out = nhiscan_wall_clock()
        .args([
            "scan",
            "aws",
            "--endpoint-url",
            &moto.url,
            "--region",
            "us-east-1",
            "--config",
            cfg.to_str().unwrap(),
            "-f",
            "json",
            "-q",
            "--fail-on",
            "none",
        ])
        .envs(moto.env())
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ssh_findings: Vec<_> = findings(&j)
        .into_iter()
        .filter(|(r, _)| r == "aws.ssh-key-not-rotated")
        .collect();
    assert_eq!(
        ssh_findings,
        [(
            "aws.ssh-key-not-rotated".to_string(),
            "user/ci-deploy".to_string()
        )]
    );
    let f = finding(
        &j,
        "aws.ssh-key-not-rotated",
        &format!("{ACCT}:user/ci-deploy"),
    );
    let active = &want.iter().find(|(_, s)| s == "active").unwrap().0;
    assert!(
        f["message"].as_str().unwrap().contains(active.as_str()),
        "{f}"
    );
}

#[test]
#[cfg(feature = "aws")]
fn live_access_denied_is_partial_and_rejected_credentials_fail() {
    let moto = Moto::start();
    let created = moto.populate_with(
        &root().join("fixtures/aws/populate_moto.py"),
        &["--auditor"],
    );
    // From now on moto checks every request against the caller's IAM policies.
    moto.enforce_auth();
    let scan = |id: &str, secret: &str| {
        nhiscan_wall_clock()
            .args([
                "scan",
                "aws",
                "--endpoint-url",
                &moto.url,
                "-f",
                "json",
                "-q",
                "--fail-on",
                "none",
            ])
            .envs(moto.env())
            .env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .output()
            .unwrap()
    };
    let a = &created["auditor"];
    let out = scan(a["id"].as_str().unwrap(), a["secret"].as_str().unwrap());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["sources"][0]["status"], "partial");
    let note = j["sources"][0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["subject"] == "ListAccessKeys")
        .expect("a note for the denied call");
    let msg = note["message"].as_str().unwrap();
    assert!(
        msg.contains("access denied (grant iam:ListAccessKeys)"),
        "{msg}"
    );
    assert!(msg.contains("credential report"), "{msg}");
    let ssh = j["sources"][0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["subject"] == "ListSSHPublicKeys")
        .expect("a note for the denied SSH key listing");
    let msg = ssh["message"].as_str().unwrap();
    assert!(
        msg.contains("access denied (grant iam:ListSSHPublicKeys)"),
        "{msg}"
    );
    // The three users plus the auditor.
    assert!(
        msg.contains("4 user(s) without SSH public key data"),
        "{msg}"
    );
    // The rest of the inventory is there; keys come from the credential report's slots.
    let ci = identity(&j, &format!("{ACCT}:user/ci-deploy"));
    assert_eq!(
        ci["credentials"][0]["id"],
        format!("{ACCT}:user/ci-deploy#access_key_1")
    );
    assert!(
        ci["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] != "ssh_public_key")
    );
    assert!(flags(&j, &format!("{ACCT}:role/gha-deploy")).contains(&"admin".to_string()));

    let out = scan("not-a-real-key-id", "wrong");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("AWS rejected the credentials"), "{stderr}");
    assert!(stderr.contains("InvalidClientTokenId"), "{stderr}");
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["sources"][0]["status"], "failed");
    assert!(j["identities"].as_array().unwrap().is_empty());
}

#[test]
#[cfg(feature = "aws")]
fn live_scan_without_credentials_is_one_clear_error() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config"), "").unwrap();
    std::fs::write(home.path().join("credentials"), "").unwrap();
    let env: Vec<(String, String)> = aws_test_env(home.path())
        .into_iter()
        .filter(|(k, _)| !k.starts_with("AWS_ACCESS_KEY_ID") && !k.starts_with("AWS_SECRET"))
        .collect();
    let out = nhiscan()
        .args([
            "scan",
            "aws",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            "us-east-1",
            "-f",
            "json",
            "-q",
        ])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .envs(env)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no usable AWS credentials"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

//! Report formats through the real binary: CSV, Markdown, OCSF, and HTML loaded in headless
//! Chromium (the page is checked after its script ran, not only as a string). Hostile text in
//! every field must stay inert in each format.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HOSTILE: &str = "fixtures/inventory/hostile.json";

fn demo(format: &str) -> Run {
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--fail-on",
        "none",
        "-f",
        format,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

fn demo_json() -> Value {
    demo("json").json()
}

fn hostile(format: &str) -> Run {
    let r = run(&["merge", HOSTILE, "-q", "--fail-on", "none", "-f", format]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

/// RFC 4180 records (quoted fields may hold commas, quotes and line breaks), header included.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_has_one_row_per_finding_with_identity_facts() {
    let j = demo_json();
    let rows = parse_csv(&demo("csv").stdout);
    let header = &rows[0];
    assert_eq!(header[0], "severity");
    assert!(header.contains(&"owner".to_string()) && header.contains(&"last_used_at".to_string()));
    let findings = j["findings"].as_array().unwrap();
    assert_eq!(rows.len() - 1, findings.len());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, f) in rows[1..].iter().zip(findings) {
        assert_eq!(row.len(), header.len());
        assert_eq!(row[col("fingerprint")], f["fingerprint"].as_str().unwrap());
        assert_eq!(row[col("rule_id")], f["rule_id"].as_str().unwrap());
        assert_eq!(row[col("severity")], f["severity"].as_str().unwrap());
    }
    // The k8s token in the demo carries a creation date: it reaches its row.
    assert!(rows.iter().any(|r| r[col("created_at")].starts_with("20")));
}

#[test]
fn csv_cells_cannot_become_formulas() {
    let rows = parse_csv(&hostile("csv").stdout);
    let header = &rows[0];
    let msg = header.iter().position(|h| h == "message").unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows[1][msg].starts_with("'=HYPERLINK"),
        "formula neutralised: {}",
        rows[1][msg]
    );
    assert!(rows[1][msg].contains("</script>"), "text kept verbatim");
}

#[test]
fn markdown_summarises_by_severity_source_and_rule() {
    let j = demo_json();
    let md = demo("markdown").stdout;
    assert!(md.starts_with("## nhiscan: "), "{md}");
    for sev in ["critical", "high", "medium", "low", "info"] {
        let n = j["summary"]["findings_by_severity"][sev].as_u64().unwrap();
        assert!(md.contains(&format!("| {sev} | {n} |")), "{sev} {n}\n{md}");
    }
    assert!(md.contains("### By source") && md.contains("| repo | 10 | 10 |"));
    for rule in rule_ids(&j) {
        assert!(md.contains(&format!("`{rule}`")), "{rule}");
    }
    assert!(md.contains("### Top findings"));
}

#[test]
fn markdown_escapes_pipes_and_markup() {
    let md = hostile("markdown").stdout;
    let finding_row = md
        .lines()
        .find(|l| l.contains("custom.hostile") && l.contains("HYPERLINK"))
        .expect("the finding row");
    let unescaped_pipes = finding_row
        .char_indices()
        .filter(|(i, c)| *c == '|' && (*i == 0 || &finding_row[i - 1..*i] != "\\"))
        .count();
    assert_eq!(unescaped_pipes, 6, "five cells exactly: {finding_row}");
    // Outside code spans (where Markdown shows text literally) no `<` is left unescaped.
    let outside_code: String = md.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    assert!(!outside_code.contains(" <img"), "raw HTML: {outside_code}");
    let raw_lt = outside_code
        .char_indices()
        .filter(|(i, c)| *c == '<' && (*i == 0 || &outside_code[i - 1..*i] != "\\"))
        .count();
    assert_eq!(
        raw_lt, 0,
        "unescaped `<` outside code spans: {outside_code}"
    );
    assert!(md.contains("\\<img"));
}

#[test]
fn ocsf_is_one_detection_finding_per_line() {
    let j = demo_json();
    let out = demo("ocsf").stdout;
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect();
    let findings = j["findings"].as_array().unwrap();
    assert_eq!(records.len(), findings.len());
    let sev_id = |s: &str| match s {
        "info" => 1,
        "low" => 2,
        "medium" => 3,
        "high" => 4,
        "critical" => 5,
        _ => 0,
    };
    for (r, f) in records.iter().zip(findings) {
        assert_eq!(r["class_uid"], 2004);
        assert_eq!(r["category_uid"], 2);
        assert_eq!(r["type_uid"], 200401);
        assert_eq!(r["activity_id"], 1);
        assert_eq!(r["finding_info"]["uid"], f["fingerprint"]);
        assert_eq!(r["finding_info"]["title"], f["title"]);
        assert_eq!(r["finding_info"]["desc"], f["message"]);
        assert_eq!(r["severity_id"], sev_id(f["severity"].as_str().unwrap()));
        assert_eq!(r["resources"][0]["uid"], f["identity_id"]);
        assert_eq!(r["metadata"]["product"]["name"], "nhiscan");
        assert!(r["metadata"]["version"].as_str().unwrap().starts_with("1."));
        let t = r["time"].as_i64().expect("integer time");
        assert!(t > 1_600_000_000_000, "milliseconds, not seconds: {t}");
        assert!(r["remediation"]["desc"].as_str().unwrap().len() > 10);
    }
    // Found secrets stay redacted in the evidence.
    assert!(out.contains("AKIA…[20 chars]"));
}

#[test]
fn output_extension_picks_the_format() {
    let dir = tempfile::tempdir().unwrap();
    for (name, check) in [
        ("r.html", "<!DOCTYPE html>"),
        ("r.csv", "severity,rule_id,"),
        ("r.md", "## nhiscan: "),
        ("r.ocsf.jsonl", "{\"activity_id\":1,"),
    ] {
        let out = dir.path().join(name);
        let r = run(&[
            "scan",
            "repo",
            "fixtures/demo",
            "-q",
            "--fail-on",
            "none",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with(check),
            "{name}: {}",
            &text[..80.min(text.len())]
        );
    }
    let r = run(&["scan", "repo", "fixtures/demo", "-q", "-f", "pdf"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("html, csv, markdown, ocsf"),
        "{}",
        r.stderr
    );
}

#[test]
fn html_is_self_contained() {
    let html = demo("html").stdout;
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("default-src 'none'"));
    let open = "<script type=\"application/json\" id=\"nhiscan-data\">";
    let (page, data) = html.split_once(open).expect("the data block");
    let (_, code) = data.split_once("</script>").unwrap();
    let shell = format!("{page}{code}");
    let shell = shell.replace("\"http://www.w3.org/2000/svg\"", "SVG_NS");
    for external in ["<link", " src=", "@import", "url(", "http://", "https://"] {
        assert!(
            !shell.contains(external),
            "references something external: {external}"
        );
    }
    // The embedded data is the report: one identity entry per identity.
    let j = demo_json();
    for i in j["identities"].as_array().unwrap() {
        assert!(html.contains(i["id"].as_str().unwrap()));
    }
}

// ---- headless Chromium

fn chromium() -> PathBuf {
    let path = std::env::var_os("NHISCAN_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "{} not found: the HTML report is tested in headless Chromium; install it with \
         `apt-get install -y chromium` (or set NHISCAN_CHROMIUM to its path)",
        path.display()
    );
    path
}

/// The DOM after the page's script ran, from `chromium --headless --dump-dom`, with a bounded
/// wait: Chromium is killed if it has not finished in 90 seconds.
fn rendered_dom(html: &Path, fragment: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out_path = profile.path().join("dom.html");
    let out = std::fs::File::create(&out_path).unwrap();
    let url = format!(
        "file://{}{fragment}",
        html.canonicalize().unwrap().display()
    );
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        // The page reads its dates from the report, never the browser's clock; under the CI's
        // faked-clock runs (libfaketime) the browser itself keeps the real one, where it works.
        .env_remove("LD_PRELOAD")
        .env_remove("FAKETIME")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish rendering {url} in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(out_path).unwrap()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// The text of the element with this id (a leaf element).
fn text_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &dom[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest[open..].find('<').unwrap();
    &rest[open..open + close]
}

fn assert_rendered(dom: &str) {
    assert!(
        dom.contains("data-rendered=\"true\""),
        "the script did not finish"
    );
    assert!(!dom.contains("data-error="), "script error: {dom}");
}

#[test]
fn html_report_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("demo.html");
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--fail-on",
        "none",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = demo_json();
    let s = &j["summary"];
    let dom = rendered_dom(&page, "");
    assert_rendered(&dom);
    assert_eq!(
        count(&dom, "class=\"identity-row"),
        s["identities"].as_u64().unwrap() as usize,
        "one table row per identity"
    );
    assert_eq!(
        text_of(&dom, "count-identities"),
        s["identities"].to_string()
    );
    assert_eq!(text_of(&dom, "count-findings"), s["findings"].to_string());
    assert_eq!(
        text_of(&dom, "count-credentials"),
        s["credentials"].to_string()
    );
    assert!(dom.contains(&format!("data-shown=\"{}\"", s["identities"])));
    // Charts: the severity chart's bars add up to the findings, the histograms to the identities.
    for (chart, total) in [
        ("chart-severity", &s["findings"]),
        ("chart-age", &s["identities"]),
        ("chart-last-used", &s["identities"]),
    ] {
        assert!(
            dom.contains(&format!("<svg id=\"{chart}\"")),
            "no {chart} chart"
        );
        assert!(
            dom.contains(&format!("data-total=\"{total}\"")),
            "{chart} total"
        );
    }
    let critical = s["findings_by_severity"]["critical"].as_u64().unwrap();
    assert!(dom.contains("class=\"bar-critical\""));
    assert!(dom.contains(&format!("data-count=\"{critical}\"")));
    // Every rule that fired is documented with its remediation.
    for rule in rule_ids(&j) {
        assert!(dom.contains(&rule), "{rule} missing");
    }
    assert!(dom.contains("Remediation: "));

    // Expanded, every finding shows with its evidence.
    let dom = rendered_dom(&page, "#expand");
    assert_rendered(&dom);
    assert_eq!(
        count(&dom, "data-fingerprint="),
        s["findings"].as_u64().unwrap() as usize
    );
    assert!(dom.contains("secret_sha256"), "evidence shown");
    let settings = std::fs::read_to_string("fixtures/demo/app/settings.py").unwrap();
    let key_line = settings
        .lines()
        .find(|l| l.starts_with("AWS_ACCESS_KEY_ID"))
        .unwrap();
    let key = key_line.split('"').nth(1).unwrap();
    assert!(key.starts_with("AKIA") && key.len() == 20);
    assert!(!dom.contains(key), "only the redacted preview is shown");
    assert!(dom.contains("AKIA…[20 chars]"));
}

#[test]
fn hostile_text_stays_text_in_the_rendered_html() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("h.html");
    let r = run(&[
        "merge",
        HOSTILE,
        "-q",
        "--fail-on",
        "none",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(
        count(&html, "</script>"),
        2,
        "only the page's own two scripts close"
    );
    let dom = rendered_dom(&page, "#expand");
    assert_rendered(&dom);
    assert!(!dom.contains("data-pwned=\""), "injected script ran");
    assert!(!dom.contains("<img"), "injected markup became an element");
    assert!(
        dom.contains("&lt;/script&gt;&lt;script&gt;"),
        "shown as text"
    );
    assert_eq!(count(&dom, "data-fingerprint="), 1);
}

/// The worst-severity badge of each identity row, in table order.
fn row_severities(dom: &str) -> Vec<String> {
    dom.split("class=\"identity-row")
        .skip(1)
        .map(|row| {
            let at = row.find("class=\"sev sev-").expect("a badge") + "class=\"sev sev-".len();
            row[at..].split('"').next().unwrap().to_string()
        })
        .collect()
}

#[test]
fn html_filters_and_sorts_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("demo.html");
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-q",
        "--fail-on",
        "none",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = demo_json();
    let total = j["identities"].as_array().unwrap().len();

    // Text filter: one Slack token in the demo.
    let dom = rendered_dom(&page, "#filter=xoxb");
    assert_rendered(&dom);
    assert!(dom.contains("data-shown=\"1\""), "one row left");
    let hidden = dom
        .split("class=\"identity-row")
        .skip(1)
        .filter(|row| row[..row.find('>').unwrap()].contains("hidden"))
        .count();
    assert_eq!(hidden, total - 1);

    // Severity select: identities with a critical finding.
    let critical_ids: std::collections::BTreeSet<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .map(|f| f["identity_id"].as_str().unwrap())
        .collect();
    let dom = rendered_dom(&page, "#severity=critical&source=repo");
    assert_rendered(&dom);
    assert!(
        dom.contains(&format!("data-shown=\"{}\"", critical_ids.len())),
        "{} critical identities",
        critical_ids.len()
    );

    // Sorting by the worst-severity column, both ways.
    let rank = |s: &str| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == s)
    };
    let desc = row_severities(&rendered_dom(&page, "#sort=7:desc"));
    assert_eq!(desc.len(), total);
    assert!(
        desc.windows(2).all(|w| rank(&w[0]) >= rank(&w[1])),
        "{desc:?}"
    );
    assert_eq!(desc[0], "critical");
    let asc = row_severities(&rendered_dom(&page, "#sort=7:asc"));
    assert!(
        asc.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "{asc:?}"
    );
    assert_ne!(asc, desc);
}

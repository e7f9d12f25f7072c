//! What users see, held still: the demo scan as SARIF, table and Markdown, and `rules list`.
//! A change to any of them shows up as a snapshot diff to review (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test` and read the diff). The clock is pinned (`common::NOW`), so
//! report times are part of the snapshot.

use crate::common::*;

fn demo(format: &str) -> String {
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
    r.stdout
}

#[test]
fn sarif_of_the_demo() {
    let mut j: serde_json::Value = serde_json::from_str(&demo("sarif")).unwrap();
    for run in j["runs"].as_array_mut().unwrap() {
        let driver = &mut run["tool"]["driver"];
        for key in ["version", "semanticVersion"] {
            if driver.get(key).is_some() {
                driver[key] = "[version]".into();
            }
        }
    }
    insta::assert_json_snapshot!("demo_sarif", j);
}

#[test]
fn table_of_the_demo() {
    insta::assert_snapshot!("demo_table", demo("table"));
}

#[test]
fn markdown_of_the_demo() {
    insta::assert_snapshot!("demo_markdown", demo("markdown"));
}

#[test]
fn rules_list() {
    let r = run(&["rules", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("rules_list", r.stdout);
}

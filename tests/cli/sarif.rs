//! SARIF for code scanning: rules documented, results located, fingerprints stable, snippets
//! redacted. (CI also validates the file against the official SARIF 2.1.0 schema.)

use crate::common::*;

#[test]
fn sarif_has_documented_rules_and_located_fingerprinted_results() {
    let r = run(&[
        "scan",
        "repo",
        "fixtures/demo",
        "-f",
        "sarif",
        "--fail-on",
        "none",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = r.json();
    assert_eq!(s["version"], "2.1.0");
    let run0 = &s["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let crit = rules
        .iter()
        .find(|x| x["id"] == "repo.hardcoded-cloud-credential")
        .unwrap();
    assert_eq!(crit["properties"]["security-severity"], "9.5");
    assert!(
        crit["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("Remediation")
    );
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert!(res["partialFingerprints"]["nhiscan/v1"].is_string());
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .contains('/')
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            loc["region"]["snippet"]["text"]
                .as_str()
                .unwrap()
                .contains('…')
        );
    }
}

//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps). Rules carry their help text and a
//! `security-severity` score; results carry `partialFingerprints` (our stable fingerprint) so the
//! platform tracks an alert across commits, and snippets that are already redacted.

use super::RuleDoc;
use crate::inventory::{Finding, NoteLevel, Report, Severity};
use anyhow::Result;
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location, LogicalLocation, Message,
    MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};
use std::collections::BTreeMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const FINGERPRINT_KEY: &str = "nhiscan/v1";

pub fn render(report: &Report, rules: &[RuleDoc]) -> Result<Vec<u8>> {
    let descriptors: Vec<ReportingDescriptor> = rules.iter().map(descriptor).collect();
    let index: BTreeMap<&str, i64> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i as i64))
        .collect();
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule_id.as_str()).copied()))
        .collect();
    let driver = ToolComponent::builder()
        .name("nhiscan")
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .information_uri("https://github.com/nhiscan/nhiscan")
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation(report)])
        .column_kind(json!("utf16CodeUnits"))
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut out = serde_json::to_vec_pretty(&sarif)?;
    out.push(b'\n');
    Ok(out)
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn text(s: impl Into<String>) -> Message {
    Message::builder().text(s.into()).build()
}

fn descriptor(r: &RuleDoc) -> ReportingDescriptor {
    let mut help_md = format!("**{}**\n\n", r.title);
    if let Some(d) = &r.description {
        help_md.push_str(d.trim());
        help_md.push_str("\n\n");
    }
    help_md.push_str(&format!("**Remediation:** {}\n", r.remediation.trim()));
    if !r.references.is_empty() {
        help_md.push_str("\n**References:**\n");
        for x in &r.references {
            help_md.push_str(&format!("- {x}\n"));
        }
    }
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(r.severity.security_score()),
    );
    props.insert("precision".to_string(), json!("high"));
    let tags = vec!["security".to_string(), "non-human-identity".to_string()];
    ReportingDescriptor::builder()
        .id(r.id.clone())
        .name(camel(&r.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(r.title.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(r.description.clone().unwrap_or_else(|| r.title.clone()))
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(format!("{} Remediation: {}", r.title, r.remediation.trim()))
                .markdown(help_md)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(r.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build()
}

fn level_name(s: Severity) -> &'static str {
    match level(s) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        ResultLevel::Note => "note",
        ResultLevel::None => "none",
    }
}

/// `repo.hardcoded-token` → `RepoHardcodedToken` (SARIF `name` is an identifier-like label).
fn camel(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn result(f: &Finding, rule_index: Option<i64>) -> SarifResult {
    let locations: Vec<Location> = if f.locations.is_empty() {
        vec![
            Location::builder()
                .logical_locations(vec![
                    LogicalLocation::builder()
                        .fully_qualified_name(f.identity_id.clone())
                        .kind("resource")
                        .build(),
                ])
                .build(),
        ]
    } else {
        f.locations
            .iter()
            .map(|l| {
                let mut region = Region::builder()
                    .start_line(l.line as i64)
                    .start_column(l.column as i64)
                    .build();
                if let Some(s) = &l.snippet {
                    region.snippet = Some(ArtifactContent::builder().text(s.clone()).build());
                }
                Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(
                                ArtifactLocation::builder()
                                    .uri(l.path.clone())
                                    .uri_base_id("%SRCROOT%")
                                    .build(),
                            )
                            .region(region)
                            .build(),
                    )
                    .build()
            })
            .collect()
    };
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.clone());
    let mut props = BTreeMap::new();
    props.insert("severity".to_string(), json!(f.severity));
    props.insert("identity_id".to_string(), json!(f.identity_id));
    props.insert("evidence".to_string(), json!(f.evidence));
    // `--validate`: whether the credential still works, where code scanning filters can see it.
    if let Some(v) = f.evidence.get("validity") {
        props.insert("validity".to_string(), v.clone());
    }
    let mut r = SarifResult::builder()
        .rule_id(f.rule_id.clone())
        .level(level(f.severity))
        .message(text(f.message.clone()))
        .locations(locations)
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    r.rule_index = rule_index;
    if let Some(state) = &f.baseline_state {
        r.baseline_state = Some(json!(if state == "new" { "new" } else { "unchanged" }));
    }
    r
}

fn invocation(report: &Report) -> Invocation {
    let notes: Vec<Notification> = report
        .sources
        .iter()
        .flat_map(|s| s.notes.iter())
        .chain(report.notes.iter())
        .filter(|n| n.level != NoteLevel::Info)
        .map(|n| {
            Notification::builder()
                .message(text(format!("{}: {}", n.subject, n.message)))
                .level(json!(if n.level == NoteLevel::Error {
                    "error"
                } else {
                    "warning"
                }))
                .build()
        })
        .collect();
    let mut inv = Invocation::builder().execution_successful(true).build();
    inv.start_time_utc = Some(report.started_at.to_rfc3339());
    inv.end_time_utc = Some(report.finished_at.to_rfc3339());
    if !notes.is_empty() {
        inv.tool_execution_notifications = Some(notes);
    }
    inv
}

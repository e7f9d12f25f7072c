//! The one integration-test binary (each extra binary would link everything again). Modules are
//! grouped by what they exercise; helpers live in `common`.

mod common;

#[path = "cli/aws.rs"]
mod aws;
#[cfg(feature = "aws")]
#[path = "cli/aws_eks.rs"]
mod aws_eks;
#[cfg(feature = "aws")]
#[path = "cli/aws_logging.rs"]
mod aws_logging;
#[cfg(feature = "aws")]
#[path = "cli/aws_org.rs"]
mod aws_org;
#[path = "cli/aws_people.rs"]
mod aws_people;
#[path = "cli/aws_records.rs"]
mod aws_records;
#[cfg(feature = "aws")]
#[path = "cli/aws_router.rs"]
mod aws_router;
#[path = "cli/aws_scp.rs"]
mod aws_scp;
#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/baseline.rs"]
mod baseline;
#[path = "cli/clock.rs"]
mod clock;
#[path = "cli/config.rs"]
mod config;
#[path = "cli/detectors.rs"]
mod detectors;
#[path = "cli/from_folders.rs"]
mod from_folders;
#[cfg(feature = "github")]
#[path = "cli/github.rs"]
mod github;
#[path = "cli/history.rs"]
mod history;
#[path = "cli/hostile_config.rs"]
mod hostile_config;
#[path = "cli/joined.rs"]
mod joined;
#[path = "cli/kubernetes.rs"]
mod kubernetes;
#[cfg(feature = "kubernetes")]
#[path = "cli/kubernetes_live.rs"]
mod kubernetes_live;
#[path = "cli/kubernetes_platform.rs"]
mod kubernetes_platform;
#[path = "cli/matcher_props.rs"]
mod matcher_props;
#[path = "cli/merge.rs"]
mod merge;
#[path = "cli/output.rs"]
mod output;
#[path = "cli/parse_notes.rs"]
mod parse_notes;
#[path = "cli/repo_scan.rs"]
mod repo_scan;
#[path = "cli/reports.rs"]
mod reports;
#[path = "cli/rules.rs"]
mod rules;
#[path = "cli/sarif.rs"]
mod sarif;
#[path = "cli/snapshots.rs"]
mod snapshots;
#[cfg(feature = "validate")]
#[path = "cli/validate.rs"]
mod validate;

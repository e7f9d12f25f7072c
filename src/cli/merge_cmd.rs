//! `nhiscan merge A.json B.json …`: the second half of a sharded scan. Each shard of a CI matrix
//! or Kubernetes indexed Job scans a slice to JSON; merge reads every report, merges identities by
//! id (newest run's facts win, conflicts noted), judges the whole inventory again with the same
//! code `scan` uses (so cross-source rules see everything), and writes any format with scan's
//! exit codes.

use super::args::{GlobalArgs, MergeArgs};
use crate::plan::{Config, MergePlan, Outcome};
use anyhow::Result;

pub fn run(global: &GlobalArgs, args: &MergeArgs) -> Result<Outcome> {
    MergePlan {
        config: Config::discover(global.config.as_deref(), None)?,
        reports: args.reports.clone(),
        rules_dirs: global.rules_dirs.clone(),
        no_rules: args.no_rules,
        report: super::scan::report_plan(&args.common),
    }
    .run()
}

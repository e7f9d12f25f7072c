//! `nhiscan scan <source>` and `nhiscan scan --config FILE`: the command line becomes a
//! [`ScanPlan`], which the plan runs.

use super::args::{CommonScanArgs, GlobalArgs, ScanArgs, ScanSource};
use crate::plan::{Config, Outcome, ReportPlan, ScanPlan, SourceConfig, SourceSetup};
use crate::progress::Progress;
use anyhow::{Result, bail};

pub fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<Outcome> {
    plan(global, args)?.run(&Progress::new(global.quiet))
}

/// One named source (`scan repo …`: failing to set it up is a usage error), or every
/// `[[sources]]` entry of the config (`scan`: an entry that cannot be set up is a failed source
/// and the others still run).
fn plan(global: &GlobalArgs, args: &ScanArgs) -> Result<ScanPlan> {
    let (named, common) = match &args.source {
        Some(ScanSource::Repo(a)) => (Some(SourceConfig::Repo(a.source.clone())), &a.common),
        Some(ScanSource::Kubernetes(a)) => {
            (Some(SourceConfig::Kubernetes(a.source.clone())), &a.common)
        }
        Some(ScanSource::Aws(a)) => (Some(SourceConfig::Aws(a.source.clone())), &a.common),
        Some(ScanSource::Github(a)) => (Some(SourceConfig::Github(a.source.clone())), &a.common),
        None => (None, &args.common),
    };
    let scanned = match &named {
        Some(SourceConfig::Repo(r)) => r.paths.first().map(|p| p.as_path()),
        _ => None,
    };
    let config = Config::discover(global.config.as_deref(), scanned)?;
    let (sources, setup) = match named {
        Some(source) => {
            source.validate().map_err(anyhow::Error::msg)?;
            (vec![source], SourceSetup::FailFast)
        }
        None => {
            let Some(origin) = config.origin.as_ref() else {
                bail!(
                    "no source given and no config found: name a source (`nhiscan scan repo PATH`) \
                     or give --config FILE with [[sources]] tables"
                );
            };
            if config.sources.is_empty() {
                bail!(
                    "{}: no [[sources]] to scan; add one (see README \"Several sources in one run\") \
                     or name a source on the command line",
                    origin.display()
                );
            }
            (config.sources.clone(), SourceSetup::FailedSource)
        }
    };
    Ok(ScanPlan {
        config,
        sources,
        rules_dirs: global.rules_dirs.clone(),
        setup,
        report: report_plan(common),
        allow_insecure_http: global.allow_insecure_http,
    })
}

/// The report options every scan and merge share.
pub(super) fn report_plan(common: &CommonScanArgs) -> ReportPlan {
    ReportPlan {
        format: common.format,
        output: common.output.clone(),
        fail_on: common.fail_on,
        baseline: common.baseline.clone(),
        reveal: common.reveal,
        only_valid: common.only_valid,
    }
}

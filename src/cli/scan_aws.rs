//! `nhiscan scan aws`: offline from an export (`--from`), else live through the AWS API.

use super::args::{AwsArgs, GlobalArgs};
use super::scan::run_single;
use crate::config::Config;
use crate::connectors::Connector;
use crate::connectors::aws::AwsOffline;
use crate::exit::Outcome;
use anyhow::{Result, bail};

pub fn run_aws(global: &GlobalArgs, args: &AwsArgs) -> Result<Outcome> {
    run_single(global, &args.common, |cfg| aws_connector(args, cfg))
}

/// The connector `scan aws` (or an `[[sources]]` entry of kind `aws`) describes.
pub fn aws_connector(args: &AwsArgs, cfg: &Config) -> Result<Box<dyn Connector>> {
    for p in args.from.iter().chain(args.credential_report.iter()) {
        if !p.is_file() {
            bail!("{}: no such file", p.display());
        }
    }
    let owner_keys = cfg.owners.keys.clone();
    Ok(match &args.from {
        Some(from) => Box::new(AwsOffline {
            from: from.clone(),
            credential_report: args.credential_report.clone(),
            account_id: args.account_id.clone(),
            owner_keys,
        }),
        None => live(args, owner_keys)?,
    })
}

#[cfg(feature = "aws")]
fn live(args: &AwsArgs, owner_keys: Vec<String>) -> Result<Box<dyn Connector>> {
    Ok(Box::new(crate::connectors::aws::live::AwsLive {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        account_id: args.account_id.clone(),
        owner_keys,
    }))
}

#[cfg(not(feature = "aws"))]
fn live(_args: &AwsArgs, _owner_keys: Vec<String>) -> Result<Box<dyn Connector>> {
    bail!("this build has no live AWS support (feature `aws`); scan an export with --from")
}

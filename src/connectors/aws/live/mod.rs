//! Live mode: the standard AWS credential chain (or `--profile`), `--region` (default: the
//! configured one, else us-east-1, which IAM signs for), `--endpoint-url` / `AWS_ENDPOINT_URL`.
//! Bulk calls first (`GetAccountAuthorizationDetails`, the credential report), then one
//! `ListAccessKeys` and one `ListSSHPublicKeys` per user and one `GetAccessKeyLastUsed` per key,
//! concurrently with a bound.
//! The SDK retries throttling with backoff (standard mode, 5 attempts). Every call is counted
//! and the count is reported as an info note.

mod convert;
mod errors;
mod fetch;
pub mod pages;
mod per_user;
mod ssh_keys;

use super::export::AccountData;
use super::{finish_run, mapping};
use crate::connectors::{Collected, Connector, runtime};
use crate::inventory::{Note, NoteLevel};
use crate::progress::Progress;
use anyhow::{Result, bail};
use aws_sdk_iam::config::{ProvideCredentials, Region};

pub use errors::{Failure, classify_parts};

pub struct AwsLive {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub account_id: Option<String>,
    pub options: super::mapping::MapOptions,
}

impl Connector for AwsLive {
    fn source(&self) -> &'static str {
        "aws"
    }

    fn target(&self) -> String {
        let mut t = String::from("aws");
        if let Some(p) = &self.profile {
            t.push_str(&format!(" profile {p}"));
        }
        if let Some(u) = &self.endpoint_url {
            t.push_str(&format!(" at {u}"));
        }
        t
    }

    fn collect(&self, _progress: &Progress) -> Result<Collected> {
        let (data, mut notes, calls) = runtime::block_on(self.fetch())??;
        let mapped = mapping::map_account(&data, &self.options.with_ceiling(&mut notes));
        notes.extend(mapped.notes);
        notes.push(Note::new(
            NoteLevel::Info,
            "api_calls",
            format!("{calls} IAM API calls"),
        ));
        Ok(Collected {
            identities: mapped.identities,
            run: finish_run(self.target(), notes, 0),
        })
    }
}

impl AwsLive {
    async fn fetch(&self) -> Result<(AccountData, Vec<Note>, u64)> {
        let region = match &self.region {
            Some(r) => Region::new(r.clone()),
            None => {
                let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
                if let Some(p) = &self.profile {
                    chain = chain.profile_name(p);
                }
                chain
                    .build()
                    .region()
                    .await
                    .unwrap_or_else(|| Region::new("us-east-1"))
            }
        };
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(region)
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(5));
        if let Some(p) = &self.profile {
            loader = loader.profile_name(p);
        }
        if let Some(u) = &self.endpoint_url {
            loader = loader.endpoint_url(u);
        }
        let conf = loader.load().await;
        let Some(provider) = conf.credentials_provider() else {
            bail!(
                "no AWS credentials provider could be configured; set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
            )
        };
        if let Err(e) = provider.provide_credentials().await {
            bail!(
                "no usable AWS credentials ({e}); log in (`aws sso login`, --profile) or set \
                 AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then rerun"
            );
        }
        let client = aws_sdk_iam::Client::new(&conf);
        let mut f = fetch::Fetcher::new(client);
        let data = f.account(self.account_id.clone()).await?;
        Ok((
            data,
            f.notes,
            f.calls.load(std::sync::atomic::Ordering::Relaxed),
        ))
    }
}

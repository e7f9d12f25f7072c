//! Live mode: the standard AWS credential chain (or `--profile`), `--region` (default: the
//! configured one, else us-east-1, which IAM signs for), `--endpoint-url` / `AWS_ENDPOINT_URL`.
//! Bulk calls first (`GetAccountAuthorizationDetails`, the credential report), then one
//! `ListAccessKeys` and one `ListSSHPublicKeys` per user and one `GetAccessKeyLastUsed` per key,
//! concurrently with a bound. Then EKS Pod Identity associations ([`eks`]) and, unless `--scp`
//! gave them, the organisation's SCPs and RCPs over the account ([`org`]).
//! The SDK retries throttling with backoff (standard mode, 5 attempts). Every call is counted
//! and the count is reported as an info note.
//!
//! `scan aws --org` ([`plan_org`]) lists the organisation's active accounts and makes one
//! connector per account, each assuming `--assume-role` in its account: each account is its own
//! source, so one whose role cannot be assumed fails alone. At most [`ORG_CONCURRENCY`] accounts
//! are scanned at once.

mod convert;
mod eks;
mod errors;
mod fetch;
mod org;
pub mod pages;
mod per_user;
mod slots;
mod ssh_keys;

use super::export::AccountData;
use super::{finish_run, mapping};
use crate::connectors::{Collected, Connector, runtime};
use crate::inventory::{Note, NoteLevel};
use crate::progress::Progress;
use anyhow::{Result, bail};
use aws_config::SdkConfig;
use aws_sdk_iam::config::{ProvideCredentials, Region};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use errors::{Failure, classify_parts};

/// Accounts of an organisation scanned at the same time.
pub const ORG_CONCURRENCY: usize = 4;

/// A role to assume in the scanned account (`--org`).
#[derive(Debug, Clone)]
pub struct Assume {
    pub role_arn: String,
    pub external_id: Option<String>,
}

pub struct AwsLive {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub account_id: Option<String>,
    pub options: super::mapping::MapOptions,
    pub assume: Option<Assume>,
    /// Shared by the accounts of one `--org` scan, to bound how many run at once.
    pub slots: Option<Arc<slots::Slots>>,
}

impl Connector for AwsLive {
    fn source(&self) -> &'static str {
        "aws"
    }

    fn target(&self) -> String {
        let mut t = String::from("aws");
        // Each account of an `--org` scan is its own source, named by its id.
        if let Some(a) = self.account_id.as_ref().filter(|_| self.slots.is_some()) {
            t.push_str(&format!(" account {a}"));
        }
        if let Some(p) = &self.profile {
            t.push_str(&format!(" profile {p}"));
        }
        if let Some(u) = &self.endpoint_url {
            t.push_str(&format!(" at {u}"));
        }
        t
    }

    fn collect(&self, _progress: &Progress) -> Result<Collected> {
        let _slot = self.slots.as_ref().map(|s| s.acquire());
        let (data, mut notes, calls, ceiling) = runtime::block_on(self.fetch())??;
        let mut options = self.options.with_ceiling(&mut notes);
        if options.ceiling.is_none() && options.scp_files.is_empty() {
            options.ceiling = ceiling.0;
            options.management_account = ceiling.1;
        }
        let mapped = mapping::map_account(&data, &options);
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

type Ceiling = (Option<Arc<super::policy::ceiling::Ceiling>>, Option<String>);

/// The SDK configuration from the credential chain, with credentials checked.
async fn sdk_config(
    profile: Option<&str>,
    region: Option<&str>,
    endpoint_url: Option<&str>,
) -> Result<SdkConfig> {
    let region = match region {
        Some(r) => Region::new(r.to_string()),
        None => {
            let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
            if let Some(p) = profile {
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
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(u) = endpoint_url {
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
    Ok(conf)
}

/// `base` with the credentials of `assume` (one `sts:AssumeRole`).
async fn assumed(base: &SdkConfig, assume: &Assume) -> Result<SdkConfig> {
    let sts = aws_sdk_sts::Client::new(base);
    let out = sts
        .assume_role()
        .role_arn(&assume.role_arn)
        .role_session_name("nhiscan")
        .set_external_id(assume.external_id.clone())
        .send()
        .await
        .map_err(|e| {
            let why = match errors::classify(&e) {
                Failure::Denied(m)
                | Failure::Unsupported(m)
                | Failure::Credentials(m)
                | Failure::Other(m) => m,
            };
            anyhow::anyhow!(
                "could not assume {} ({why}); check that the role exists in that account and \
                 trusts the scanning principal (and --external-id, if it requires one)",
                assume.role_arn
            )
        })?;
    let Some(c) = out.credentials() else {
        bail!("sts:AssumeRole {} returned no credentials", assume.role_arn);
    };
    let creds = aws_sdk_iam::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "nhiscan-assume-role",
    );
    Ok(base
        .to_builder()
        .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(creds))
        .build())
}

impl AwsLive {
    async fn fetch(&self) -> Result<(AccountData, Vec<Note>, u64, Ceiling)> {
        let base = sdk_config(
            self.profile.as_deref(),
            self.region.as_deref(),
            self.endpoint_url.as_deref(),
        )
        .await?;
        let conf = match &self.assume {
            Some(a) => assumed(&base, a).await?,
            None => base.clone(),
        };
        let client = aws_sdk_iam::Client::new(&conf);
        let mut f = fetch::Fetcher::new(client);
        let mut data = f.account(self.account_id.clone()).await?;
        let eks_calls = AtomicU64::new(0);
        data.pod_identities =
            eks::pod_identities(&aws_sdk_eks::Client::new(&conf), &eks_calls, &mut f.notes).await;
        f.notes.push(Note::new(
            NoteLevel::Info,
            "eks_api_calls",
            format!("{} EKS API calls", eks_calls.load(Ordering::Relaxed)),
        ));
        let mut ceiling = (None, None);
        if self.options.scp_files.is_empty() && self.options.ceiling.is_none() {
            match account_of(&data) {
                Some(account) => {
                    let org_calls = AtomicU64::new(0);
                    // The organisation is asked with the caller's own (management) credentials.
                    let client = aws_sdk_organizations::Client::new(&base);
                    ceiling = org::ceiling(&client, &account, &org_calls, &mut f.notes).await;
                    f.notes.push(Note::new(
                        NoteLevel::Info,
                        "organizations_api_calls",
                        format!(
                            "{} Organizations API calls",
                            org_calls.load(Ordering::Relaxed)
                        ),
                    ));
                }
                None => f.notes.push(Note::new(
                    NoteLevel::Info,
                    "control policies",
                    "the account id is unknown (no users or roles): SCPs and RCPs not read",
                )),
            }
        }
        Ok((data, f.notes, f.calls.load(Ordering::Relaxed), ceiling))
    }
}

/// `--account-id`, else the account of the first user or role ARN.
fn account_of(data: &AccountData) -> Option<String> {
    data.account_id.clone().or_else(|| {
        let d = &data.details;
        d.user_detail_list
            .iter()
            .map(|u| u.arn.as_str())
            .chain(d.role_detail_list.iter().map(|r| r.arn.as_str()))
            .find_map(|a| a.split(':').nth(4).filter(|x| !x.is_empty()))
            .map(str::to_string)
    })
}

/// What `scan aws --org` was asked for.
pub struct OrgScan {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub assume_role: String,
    pub external_id: Option<String>,
    /// `--accounts`: only these (each must be an active account of the organisation).
    pub accounts: Vec<String>,
    pub options: super::mapping::MapOptions,
}

/// One connector per active account: the caller's own account is scanned with its own
/// credentials, every other through `--assume-role`.
pub fn plan_org(o: &OrgScan) -> Result<Vec<Box<dyn Connector>>> {
    let (ids, own) = runtime::block_on(async {
        let conf = sdk_config(
            o.profile.as_deref(),
            o.region.as_deref(),
            o.endpoint_url.as_deref(),
        )
        .await?;
        let ids = org::accounts(&aws_sdk_organizations::Client::new(&conf)).await?;
        let own = aws_sdk_sts::Client::new(&conf)
            .get_caller_identity()
            .send()
            .await
            .ok()
            .and_then(|c| c.account().map(str::to_string));
        anyhow::Ok((ids, own))
    })??;
    let unknown: Vec<&String> = o.accounts.iter().filter(|a| !ids.contains(a)).collect();
    if !unknown.is_empty() {
        bail!(
            "--accounts names {} which {} not an active account of the organisation",
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if unknown.len() == 1 { "is" } else { "are" }
        );
    }
    let slots = Arc::new(slots::Slots::new(ORG_CONCURRENCY));
    let partition = "aws";
    Ok(ids
        .into_iter()
        .filter(|id| o.accounts.is_empty() || o.accounts.contains(id))
        .map(|id| {
            let assume = (own.as_deref() != Some(id.as_str())).then(|| Assume {
                role_arn: format!("arn:{partition}:iam::{id}:role/{}", o.assume_role),
                external_id: o.external_id.clone(),
            });
            Box::new(AwsLive {
                profile: o.profile.clone(),
                region: o.region.clone(),
                endpoint_url: o.endpoint_url.clone(),
                account_id: Some(id),
                options: o.options.clone(),
                assume,
                slots: Some(slots.clone()),
            }) as Box<dyn Connector>
        })
        .collect())
}

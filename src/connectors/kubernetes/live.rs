//! Live mode: list what the mapping needs from the API server (paginated, concurrently) and turn
//! it into the same [`Object`]s the offline reader produces. Secrets are requested as metadata
//! only (`PartialObjectMetadata`, filtered to service-account-token Secrets), so token values are
//! never fetched, let alone stored — but the `list secrets` right this needs would let the same
//! credentials read every Secret's data: RBAC has no metadata-only verb. `--no-secrets` skips
//! that list for a role without it.
//!
//! Permissions needed: `list` on service accounts, pods, ReplicaSets and the other workload
//! controllers, roles and bindings, and (unless `--no-secrets`) secrets — see README
//! "Kubernetes" for the two read-only ClusterRoles. A list the credentials may not read (403) or a kind the server does not
//! serve (404) becomes a coverage note and the scan goes on; an unreachable server or rejected
//! credentials stop the scan with one message.

use super::objects::flatten;
use super::rbac as access;
use super::{Collected, Connector, inventory, mapping};
use crate::inventory::{Note, NoteLevel};
use crate::progress::Progress;
use anyhow::{Context, Result, anyhow, bail};
use futures_util::future::join_all;
use k8s_openapi::api::{apps, batch, core, rbac};
use kube::api::{Api, ListParams, ObjectList, PartialObjectMeta};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::fmt::Debug;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// Items per list request: large enough to keep calls few, small enough for the API server.
const PAGE: u32 = 500;
/// A server that keeps answering with `continue` tokens stops being followed after this many
/// pages of one kind (5 million objects), with a note.
const MAX_PAGES: usize = 10_000;

/// A cluster reached through a kubeconfig (or the in-cluster service account).
pub struct KubernetesLive {
    /// A kubeconfig file; default: `$KUBECONFIG`, then `~/.kube/config`, then in-cluster.
    pub kubeconfig: Option<PathBuf>,
    /// A kubeconfig context; default: its current context.
    pub context: Option<String>,
    /// Only service accounts, workloads, roles and bindings of this namespace (cluster roles
    /// and cluster role bindings are still read: they grant rights in every namespace).
    pub namespace: Option<String>,
    /// Name used in identity ids; default: the context's cluster name.
    pub cluster: Option<String>,
    pub owner_keys: Vec<String>,
    /// Judge the platform's own defaults (bootstrap policy, managed-cluster accounts) too.
    pub include_platform: bool,
    /// Do not list Secrets at all: legacy token Secrets become a coverage note.
    pub no_secrets: bool,
}

impl Connector for KubernetesLive {
    fn source(&self) -> &'static str {
        "kubernetes"
    }

    fn target(&self) -> String {
        let name = self
            .cluster_name()
            .unwrap_or_else(|| "current context".into());
        match &self.namespace {
            Some(ns) => format!("{name} (namespace {ns})"),
            None => name,
        }
    }

    fn collect(&self, _progress: &Progress) -> Result<Collected> {
        crate::connectors::runtime::block_on(self.collect_async())?
    }
}

/// One list's outcome: its objects, or the note that says why it is missing.
type Listed = std::result::Result<Vec<Value>, Note>;
type ListFuture<'a> = Pin<Box<dyn Future<Output = (&'static str, Listed)> + Send + 'a>>;

impl KubernetesLive {
    async fn collect_async(&self) -> Result<Collected> {
        let (config, cluster) = self.config().await?;
        let server = config.cluster_url.to_string();
        // Building the client runs the kubeconfig's exec credential plugin, if it has one.
        let client = match Client::try_from(config) {
            Ok(c) => c,
            Err(e) => match credential_plugin_failure(&e) {
                Some(why) => bail!("{why}"),
                None => {
                    return Err(anyhow!(e))
                        .with_context(|| format!("building a client for {server}"));
                }
            },
        };
        // One call first, alone: an unreachable server or rejected credentials end the scan
        // with one clear message instead of a dozen notes.
        let sas = match list::<core::v1::ServiceAccount>(self.api(&client), &ListParams::default())
            .await
        {
            Ok(v) => Ok(v),
            Err(e) => Err(classify("serviceaccounts", &server, e)?),
        };
        let mut lists: Vec<ListFuture> = vec![
            Box::pin(async { ("serviceaccounts", sas) }),
            Self::spawn::<core::v1::Pod>(self.api(&client), "pods", &server),
            Self::spawn::<apps::v1::Deployment>(self.api(&client), "deployments.apps", &server),
            // ReplicaSets name the Deployment behind a pod; pods carry the service account.
            Self::spawn::<apps::v1::ReplicaSet>(self.api(&client), "replicasets.apps", &server),
            Self::spawn::<apps::v1::StatefulSet>(self.api(&client), "statefulsets.apps", &server),
            Self::spawn::<apps::v1::DaemonSet>(self.api(&client), "daemonsets.apps", &server),
            Self::spawn::<batch::v1::Job>(self.api(&client), "jobs.batch", &server),
            Self::spawn::<batch::v1::CronJob>(self.api(&client), "cronjobs.batch", &server),
            Self::spawn::<rbac::v1::Role>(
                self.api(&client),
                "roles.rbac.authorization.k8s.io",
                &server,
            ),
            Self::spawn::<rbac::v1::RoleBinding>(
                self.api(&client),
                "rolebindings.rbac.authorization.k8s.io",
                &server,
            ),
            Self::spawn::<rbac::v1::ClusterRole>(
                Api::all(client.clone()),
                "clusterroles.rbac.authorization.k8s.io",
                &server,
            ),
            Self::spawn::<rbac::v1::ClusterRoleBinding>(
                Api::all(client.clone()),
                "clusterrolebindings.rbac.authorization.k8s.io",
                &server,
            ),
        ];
        let mut notes = Vec::new();
        if self.no_secrets {
            notes.push(Note::new(
                NoteLevel::Info,
                "list secrets",
                "skipped (--no-secrets): legacy service-account token Secrets were not looked for, \
                 so long-lived tokens are not reported",
            ));
        } else {
            lists.push(Box::pin(self.token_secrets(&client, &server)));
        }
        let mut objects = Vec::new();
        for (kind, listed) in join_all(lists).await {
            match listed {
                Ok(values) => {
                    for v in values {
                        flatten(v, &format!("api:{kind}"), &mut objects);
                    }
                }
                Err(note) => notes.push(note),
            }
        }
        let mapper = mapping::Mapper {
            cluster: &cluster,
            owner_keys: &self.owner_keys,
            include_platform: self.include_platform,
        };
        // The API server has its built-in roles: a binding to a role it does not list really
        // points at nothing, so no built-in fallback here.
        let options = access::Options {
            builtin_roles: false,
            include_platform: self.include_platform,
        };
        Ok(inventory(&objects, notes, &mapper, options, self.target()))
    }

    /// The client configuration and the cluster name for identity ids.
    async fn config(&self) -> Result<(Config, String)> {
        let options = KubeConfigOptions {
            context: self.context.clone(),
            ..Default::default()
        };
        let (config, name) = match &self.kubeconfig {
            Some(path) => {
                let kc = Kubeconfig::read_from(path).with_context(|| {
                    format!(
                        "reading kubeconfig {} (give --kubeconfig a valid kubeconfig file)",
                        path.display()
                    )
                })?;
                let name = context_cluster(&kc, self.context.as_deref());
                let config = Config::from_custom_kubeconfig(kc, &options)
                    .await
                    .with_context(|| format!("using kubeconfig {}", path.display()))?;
                (config, name)
            }
            None if self.context.is_some() => {
                let kc = Kubeconfig::read().context("reading the default kubeconfig")?;
                let name = context_cluster(&kc, self.context.as_deref());
                (
                    Config::from_kubeconfig(&options)
                        .await
                        .context("loading the kubeconfig context given by --context")?,
                    name,
                )
            }
            None => {
                let name = Kubeconfig::read()
                    .ok()
                    .and_then(|kc| context_cluster(&kc, None));
                let config = Config::infer().await.map_err(|e| {
                    anyhow!(
                        "no Kubernetes configuration found ({e}); give --kubeconfig, set \
                         KUBECONFIG, or scan manifests with --from"
                    )
                })?;
                (config, name.or_else(|| Some("in-cluster".into())))
            }
        };
        let cluster = self
            .cluster
            .clone()
            .or(name)
            .unwrap_or_else(|| config.cluster_url.host().unwrap_or("cluster").to_string());
        Ok((config, cluster))
    }

    fn cluster_name(&self) -> Option<String> {
        self.cluster.clone().or_else(|| {
            let kc = match &self.kubeconfig {
                Some(p) => Kubeconfig::read_from(p).ok()?,
                None => Kubeconfig::read().ok()?,
            };
            context_cluster(&kc, self.context.as_deref())
        })
    }

    /// A namespaced kind in the chosen namespace, or everywhere.
    fn api<K>(&self, client: &Client) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as Resource>::DynamicType: Default,
    {
        match &self.namespace {
            Some(ns) => Api::namespaced(client.clone(), ns),
            None => Api::all(client.clone()),
        }
    }

    /// A list as a boxed future that never fails: errors become notes.
    fn spawn<'a, K>(api: Api<K>, kind: &'static str, server: &'a str) -> ListFuture<'a>
    where
        K: Resource + Clone + DeserializeOwned + Serialize + Debug + Send + 'static,
    {
        Box::pin(async move {
            let listed = list(api, &ListParams::default())
                .await
                .map_err(|e| note_for(kind, server, &e));
            (kind, listed)
        })
    }

    /// Service-account token Secrets, metadata only: the field selector keeps other Secrets
    /// out, and `PartialObjectMetadata` keeps `data` out.
    fn token_secrets<'a>(
        &self,
        client: &Client,
        server: &'a str,
    ) -> impl Future<Output = (&'static str, Listed)> + Send + 'a {
        let api: Api<core::v1::Secret> = self.api(client);
        async move {
            let kind = "secrets";
            let params = ListParams::default().fields("type=kubernetes.io/service-account-token");
            let secret = |item: &PartialObjectMeta<core::v1::Secret>| {
                Some(json!({
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "type": "kubernetes.io/service-account-token",
                    "metadata": strip(serde_json::to_value(&item.metadata).unwrap_or_default()),
                }))
            };
            let api = &api;
            let fetch = |p: ListParams| async move { api.list_metadata(&p).await };
            match pages(&params, fetch, secret).await {
                Ok((out, true)) => (kind, Ok(out)),
                Ok((_, false)) => (kind, Err(too_many_pages(kind))),
                Err(e) => (kind, Err(note_for(kind, server, &e))),
            }
        }
    }
}

/// Every object of one kind, following `continue` tokens.
async fn list<K>(api: Api<K>, params: &ListParams) -> kube::Result<Vec<Value>>
where
    K: Resource + Clone + DeserializeOwned + Serialize + Debug,
{
    let object = |i: &K| serde_json::to_value(i).ok().map(strip);
    let api = &api;
    let fetch = |p: ListParams| async move { api.list(&p).await };
    let (out, complete) = pages(params, fetch, object).await?;
    if !complete {
        tracing::warn!("stopped following continue tokens after {MAX_PAGES} pages");
    }
    Ok(out)
}

/// Pages of `PAGE` items from `fetch`, following `continue` tokens for at most `MAX_PAGES`
/// pages, each item turned into JSON by `to_json`. The flag is false when the bound stopped it.
async fn pages<T, F, Fut>(
    params: &ListParams,
    fetch: F,
    to_json: impl Fn(&T) -> Option<Value>,
) -> kube::Result<(Vec<Value>, bool)>
where
    T: Clone,
    F: Fn(ListParams) -> Fut,
    Fut: Future<Output = kube::Result<ObjectList<T>>>,
{
    let mut params = params.clone().limit(PAGE);
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = fetch(params.clone()).await?;
        out.extend(page.items.iter().filter_map(&to_json));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => params = params.continue_token(&c),
            None => return Ok((out, true)),
        }
    }
    Ok((out, false))
}

/// Drop what the mapping never reads (status, managed fields) so a big cluster fits in memory.
fn strip(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
        if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
    }
    v
}

/// The cluster name a context points at.
fn context_cluster(kc: &Kubeconfig, context: Option<&str>) -> Option<String> {
    let want = context.map(str::to_string).or(kc.current_context.clone())?;
    kc.contexts
        .iter()
        .find(|c| c.name == want)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone())
}

/// The first call's error: a refusal to list one kind is a note; anything else ends the scan.
fn classify(kind: &'static str, server: &str, e: kube::Error) -> Result<Note> {
    match &e {
        kube::Error::Api(s) if s.code == 401 => bail!(
            "the Kubernetes API server at {server} rejected the credentials (401 {}): refresh \
             the kubeconfig's token or choose another --context",
            s.message
        ),
        kube::Error::Api(s) if s.code == 403 || s.code == 404 => Ok(note_for(kind, server, &e)),
        _ if credential_plugin_failure(&e).is_some() => {
            bail!("{}", credential_plugin_failure(&e).unwrap_or_default())
        }
        _ => Err(anyhow!(e)).with_context(|| {
            format!(
                "cannot reach the Kubernetes API server at {server}: check the kubeconfig's \
                 server address and that the cluster is up"
            )
        }),
    }
}

/// Most of a plugin's stderr that is shown: enough for its error message, not a log.
const PLUGIN_STDERR_MAX: usize = 600;

/// The kubeconfig's exec credential plugin (`aws eks get-token`, `kubelogin`, `gke-gcloud-auth-
/// plugin`) failed or could not start: said as that, with what the plugin printed, instead of
/// "cannot reach the API server", since the fix is to log in again, not to check the network.
fn credential_plugin_failure(e: &kube::Error) -> Option<String> {
    use kube::client::AuthError;
    let kube::Error::Auth(auth) = e else {
        return None;
    };
    match auth {
        AuthError::AuthExecRun { cmd, out } => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Shown as every report shows scanned text: escape sequences cannot reach a terminal.
            let shown = crate::inventory::sanitize_line(stderr.trim(), PLUGIN_STDERR_MAX);
            let said = if shown.is_empty() {
                "it printed nothing on stderr (an interactive plugin prints to the terminal)"
                    .to_string()
            } else {
                format!("it said: {shown}")
            };
            Some(format!(
                "the kubeconfig's credential plugin failed ({cmd}, {}); {said}. Log in again \
                 (an expired SSO session is the usual cause) or choose another --context",
                out.status
            ))
        }
        AuthError::AuthExecStart(io) => Some(format!(
            "the kubeconfig's credential plugin could not be started ({io}): install it or put it \
             on PATH, or choose another --context"
        )),
        _ => None,
    }
}

/// A coverage note for a kind that could not be listed, saying what is missing because of it.
fn note_for(kind: &str, server: &str, e: &kube::Error) -> Note {
    let why = match e {
        kube::Error::Api(s) if s.code == 403 => format!(
            "forbidden (403): the credentials may not list {kind}; grant the read-only \
             ClusterRole in README so rules that depend on it can run ({})",
            s.message
        ),
        kube::Error::Api(s) if s.code == 404 => {
            format!("not served by this API server (404): {kind} were not read")
        }
        other => format!("listing {kind} from {server} failed: {other}"),
    };
    Note::warning(format!("list {kind}"), why)
}

fn too_many_pages(kind: &str) -> Note {
    Note::warning(
        format!("list {kind}"),
        format!("stopped after {MAX_PAGES} pages: the server kept returning continue tokens"),
    )
}

//! The one mapping from an account ([`AccountData`], filled by the offline reader or the live
//! client) to identities: `aws.user`, `aws.role`, `aws.human_role` (roles people assume, see
//! [`super::people`]) and `aws.root` (from the credential report's root row), with credentials, owners from tags, effective-permission flags and trust facts.
//! Pure: no I/O, so it is tested on fixtures and reused by both modes.

use super::credential_report::{ROOT_ROW, ReportRow};
use super::export::{AccountData, AttachedPolicy, Boundary, InlinePolicy, Tag};
use super::people;
use super::policy::ceiling::Ceiling;
use super::policy::{self, ParsedPolicy, PolicySet, parse_policy};
use super::trust;
use crate::inventory::{Credential, Identity, Note, Owner, OwnerSource, Permissions};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Identities plus the notes about what could not be read.
pub struct Mapped {
    pub identities: Vec<Identity>,
    pub notes: Vec<Note>,
}

type Attrs = BTreeMap<String, Value>;

/// What the user configured for the mapping.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// Tag keys naming an owner, first found wins.
    pub owner_keys: Vec<String>,
    /// Role name or ARN globs of roles people assume (see [`super::people`]).
    pub human_roles: Vec<String>,
    /// `--scp` files: SCPs and RCPs over the account, read by the connector into `ceiling`.
    pub scp_files: Vec<std::path::PathBuf>,
    /// The organisation's management account, which SCPs and RCPs do not restrict.
    pub management_account: Option<String>,
    pub ceiling: Option<Arc<Ceiling>>,
}

impl MapOptions {
    /// These options with the `--scp` files read (unreadable ones become notes).
    pub fn with_ceiling(&self, notes: &mut Vec<Note>) -> MapOptions {
        let mut o = self.clone();
        if o.ceiling.is_none() && !o.scp_files.is_empty() {
            o.ceiling = super::scp::read(&o.scp_files, notes).map(Arc::new);
        }
        o
    }
}

pub fn map_account(data: &AccountData, opts: &MapOptions) -> Mapped {
    let owner_keys = opts.owner_keys.as_slice();
    let mut notes = Vec::new();
    let d = &data.details;
    let account_id = data.account_id.clone().or_else(|| {
        d.user_detail_list
            .iter()
            .map(|u| u.arn.as_str())
            .chain(d.role_detail_list.iter().map(|r| r.arn.as_str()))
            .find_map(|a| a.split(':').nth(4).filter(|x| !x.is_empty()))
            .map(str::to_string)
    });
    let mut managed: HashMap<&str, Arc<ParsedPolicy>> = HashMap::with_capacity(d.policies.len());
    for p in &d.policies {
        let Some(doc) = p.default_document() else {
            notes.push(Note::warning(
                &p.arn,
                "managed policy has no default version; ignored",
            ));
            continue;
        };
        match parse_policy(p.arn.clone(), doc) {
            Ok(parsed) => {
                managed.insert(&p.arn, Arc::new(parsed));
            }
            Err(e) => notes.push(Note::warning(&p.arn, format!("{e}; policy ignored"))),
        }
    }
    let management = opts.ceiling.is_some()
        && opts.management_account.is_some()
        && opts.management_account == account_id;
    if management {
        notes.push(Note::new(
            crate::inventory::NoteLevel::Info,
            "control policies",
            "this is the organisation's management account: SCPs and RCPs do not restrict it",
        ));
    }
    let ceiling = opts.ceiling.clone().filter(|_| !management);
    let mut unresolved: BTreeSet<String> = BTreeSet::new();
    let mut ctx = Ctx {
        managed: &managed,
        unresolved: &mut unresolved,
        notes: &mut notes,
    };
    let mut groups: HashMap<&str, Vec<Arc<ParsedPolicy>>> = HashMap::new();
    for g in &d.group_detail_list {
        let mut pols = ctx.inline(
            &format!("group:{}/", g.group_name),
            &g.group_policy_list,
            g.arn.as_deref().unwrap_or(&g.group_name),
        );
        pols.extend(ctx.attached(&g.attached_managed_policies));
        groups.insert(&g.group_name, pols);
    }
    let rows: HashMap<&str, &ReportRow> = data
        .report
        .iter()
        .flatten()
        .map(|r| (r.arn.as_str(), r))
        .collect();

    // Role ARN -> the service accounts whose pods run as it (EKS Pod Identity).
    let mut pod_sas: HashMap<&str, Vec<String>> = HashMap::new();
    for p in &data.pod_identities {
        pod_sas
            .entry(p.role_arn.as_str())
            .or_default()
            .push(format!(
                "k8s:{}/{}/{}",
                p.cluster, p.namespace, p.service_account
            ));
    }
    let mut sets: Vec<PolicySet> =
        Vec::with_capacity(d.user_detail_list.len() + d.role_detail_list.len());
    let mut identities =
        Vec::with_capacity(d.user_detail_list.len() + d.role_detail_list.len() + 1);
    for u in &d.user_detail_list {
        let mut pols = ctx.inline("", &u.user_policy_list, &u.arn);
        pols.extend(ctx.attached(&u.attached_managed_policies));
        for g in &u.group_list {
            match groups.get(g.as_str()) {
                Some(gp) => pols.extend(gp.iter().cloned()),
                None => ctx.notes.push(Note::warning(&u.arn, format!("member of group {g}, which is not in the export; its policies are not counted"))),
            }
        }
        let mut attrs = Attrs::new();
        attrs.insert("groups".into(), json!(u.group_list));
        sets.push(ctx.policy_set(
            pols,
            u.permissions_boundary.as_ref(),
            ceiling.clone(),
            &mut attrs,
        ));
        let row = rows.get(u.arn.as_str()).copied();
        let mut creds = match &data.access_keys {
            Some(keys) => live_keys(keys.get(&u.user_name).map(Vec::as_slice).unwrap_or(&[])),
            None => row.map(|r| report_keys(&u.arn, r)).unwrap_or_default(),
        };
        let others = data.other_credentials.get(&u.user_name);
        if let Some(r) = row {
            creds.extend(password(&u.arn, r));
            if !others.is_some_and(|o| o.iter().any(|c| c.kind == "signing_certificate")) {
                creds.extend(report_certs(&u.arn, r));
            }
            attrs.insert("mfa_active".into(), json!(r.mfa_active));
            attrs.insert("console_access".into(), json!(r.password_enabled));
        }
        attrs.insert("credential_report".into(), json!(row.is_some()));
        if let Some(r) = row.filter(|r| r.password_enabled) {
            let used = r
                .password_last_used
                .map(|d| json!(d))
                .unwrap_or(json!("never"));
            attrs.insert("password_last_used".into(), used);
        }
        for o in others.into_iter().flatten() {
            creds.push(Credential {
                id: o.id.clone(),
                kind: o.kind.clone(),
                created_at: o.created,
                last_used_at: None,
                expires_at: o.expires,
                last_rotated_at: o.created,
                status: o.status.clone(),
                found: None,
            });
        }
        common_attrs(&mut attrs, account_id.as_deref(), u.path.as_deref());
        if let Some(id) = &u.user_id {
            attrs.insert("user_id".into(), json!(id));
        }
        key_summary(&creds, &mut attrs);
        let last_used = creds.iter().filter_map(|c| c.last_used_at).max();
        identities.push(Identity {
            id: u.arn.clone(),
            kind: "aws.user".into(),
            source: "aws".into(),
            name: u.user_name.clone(),
            created_at: u.create_date.or(row.and_then(|r| r.created)),
            last_used_at: last_used,
            labels: labels(&u.tags),
            owner: owner(&u.tags, owner_keys),
            permissions: Permissions::default(),
            credentials: creds,
            attributes: attrs,
        });
    }
    for r in &d.role_detail_list {
        let mut pols = ctx.inline("", &r.role_policy_list, &r.arn);
        pols.extend(ctx.attached(&r.attached_managed_policies));
        let mut attrs = Attrs::new();
        let path = r.path.as_deref();
        // AWS exempts service-linked roles from SCPs.
        let slr = path.is_some_and(|p| p.starts_with("/aws-service-role/"));
        sets.push(ctx.policy_set(
            pols,
            r.permissions_boundary.as_ref(),
            ceiling.clone().filter(|_| !slr),
            &mut attrs,
        ));
        common_attrs(&mut attrs, account_id.as_deref(), path);
        attrs.insert(
            "service_linked".into(),
            json!(path.is_some_and(|p| p.starts_with("/aws-service-role/"))),
        );
        let mut facts = None;
        if let Some(doc) = &r.assume_role_policy_document {
            match parse_policy("trust", doc) {
                Ok(t) => {
                    let f = trust::analyse(&t, account_id.as_deref());
                    trust_attrs(&f, &mut attrs);
                    facts = Some(f);
                }
                Err(e) => {
                    ctx.notes.push(Note::warning(
                        &r.arn,
                        format!("trust policy: {e}; trust rules skipped for this role"),
                    ));
                }
            }
        }
        let human = people::classify(
            &r.role_name,
            &r.arn,
            path,
            facts.as_ref(),
            &opts.human_roles,
        );
        if let Some(h) = &human {
            attrs.insert("human_access".into(), json!(h.how));
            let key = match h.how {
                "identity_center" => "permission_set",
                "configured" => "human_role_pattern",
                _ => "human_idp",
            };
            match (key, h.detail.as_slice()) {
                (_, []) => {}
                ("human_idp", d) => {
                    attrs.insert(key.into(), json!(d));
                }
                (_, [one, ..]) => {
                    attrs.insert(key.into(), json!(one));
                }
            }
        }
        let last = r.role_last_used.as_ref();
        if let Some(region) = last.and_then(|l| l.region.as_deref()) {
            attrs.insert("role_last_used_region".into(), json!(region));
        }
        if let Some(sas) = pod_sas.get(r.arn.as_str()) {
            attrs.insert("pod_identity_service_accounts".into(), json!(sas));
        }
        if let Some(d) = r.max_session_duration {
            attrs.insert("max_session_duration".into(), json!(d));
        }
        identities.push(Identity {
            id: r.arn.clone(),
            kind: if human.is_some() {
                "aws.human_role"
            } else {
                "aws.role"
            }
            .into(),
            source: "aws".into(),
            name: r.role_name.clone(),
            created_at: r.create_date,
            last_used_at: last.and_then(|l| l.last_used_date),
            labels: labels(&r.tags),
            owner: owner(&r.tags, owner_keys),
            permissions: Permissions::default(),
            credentials: vec![],
            attributes: attrs,
        });
    }
    // Policy analysis is the costly part: run it on every core. `sets[i]` belongs to
    // `identities[i]` (users, then roles).
    let mut facts: Vec<policy::PolicyFacts> = sets.par_iter().map(policy::analyse).collect();
    let admins: Vec<&str> = identities
        .iter()
        .zip(&facts)
        .filter(|(i, f)| i.kind != "aws.user" && f.flags.iter().any(|x| x == "admin"))
        .map(|(i, _)| i.id.as_str())
        .collect();
    if !admins.is_empty() {
        for ((f, set), identity) in facts.iter_mut().zip(&sets).zip(&identities) {
            if !f.passrole_partners.is_empty() {
                policy::flags::add_scoped_passrole(f, set, &identity.id, &admins);
            }
        }
    }
    for (identity, f) in identities.iter_mut().zip(facts) {
        apply_facts(identity, f);
    }
    if let Some(root) = data.report.iter().flatten().find(|r| r.user == ROOT_ROW) {
        identities.push(root_identity(root, account_id.as_deref()));
    }
    let known: BTreeSet<&str> = d.user_detail_list.iter().map(|u| u.arn.as_str()).collect();
    let orphans = data
        .report
        .iter()
        .flatten()
        .filter(|r| r.user != ROOT_ROW && !known.contains(r.arn.as_str()))
        .count();
    if orphans > 0 {
        notes.push(Note::warning(
            "credential report",
            format!("{orphans} report row(s) name users absent from the authorization details (exports taken at different times?); those rows are ignored"),
        ));
    }
    for arn in unresolved {
        notes.push(Note::warning(
            arn,
            "attached managed policy is not in the export's Policies list; its permissions are not counted (export without --filter, or include AWSManagedPolicy)",
        ));
    }
    Mapped { identities, notes }
}

struct Ctx<'a> {
    managed: &'a HashMap<&'a str, Arc<ParsedPolicy>>,
    unresolved: &'a mut BTreeSet<String>,
    notes: &'a mut Vec<Note>,
}

impl Ctx<'_> {
    fn inline(
        &mut self,
        prefix: &str,
        list: &[InlinePolicy],
        owner: &str,
    ) -> Vec<Arc<ParsedPolicy>> {
        list.iter()
            .filter_map(|p| {
                match parse_policy(
                    format!("{prefix}inline:{}", p.policy_name),
                    &p.policy_document,
                ) {
                    Ok(x) => Some(Arc::new(x)),
                    Err(e) => {
                        self.notes.push(Note::warning(
                            owner,
                            format!("inline policy {}: {e}; ignored", p.policy_name),
                        ));
                        None
                    }
                }
            })
            .collect()
    }

    fn attached(&mut self, list: &[AttachedPolicy]) -> Vec<Arc<ParsedPolicy>> {
        list.iter()
            .filter_map(|a| match self.managed.get(a.policy_arn.as_str()) {
                Some(p) => Some(p.clone()),
                None => {
                    self.unresolved.insert(a.policy_arn.clone());
                    None
                }
            })
            .collect()
    }

    fn policy_set(
        &mut self,
        identity: Vec<Arc<ParsedPolicy>>,
        boundary: Option<&Boundary>,
        ceiling: Option<Arc<Ceiling>>,
        attrs: &mut Attrs,
    ) -> PolicySet {
        attrs.insert(
            "policies".into(),
            json!(
                identity
                    .iter()
                    .map(|p| p.label.as_str())
                    .collect::<Vec<_>>()
            ),
        );
        let boundary = boundary.map(|b| {
            attrs.insert("boundary".into(), json!(b.permissions_boundary_arn));
            match self.managed.get(b.permissions_boundary_arn.as_str()) {
                Some(p) => vec![p.clone()],
                None => {
                    attrs.insert("boundary_unresolved".into(), json!(true));
                    vec![]
                }
            }
        });
        PolicySet {
            identity,
            boundary,
            ceiling,
        }
    }
}

fn apply_facts(identity: &mut Identity, facts: policy::PolicyFacts) {
    for (flag, ev) in facts.evidence {
        identity.attributes.insert(format!("{flag}_via"), json!(ev));
    }
    if !facts.ceiling_denied.is_empty() {
        identity
            .attributes
            .insert("denied_by_scp".into(), json!(facts.ceiling_denied));
    }
    identity.permissions = Permissions {
        actions: facts.actions,
        flags: facts.flags,
    };
}

fn trust_attrs(t: &trust::TrustFacts, attrs: &mut Attrs) {
    attrs.insert("trusted_principals".into(), json!(t.principals));
    attrs.insert("trust_public".into(), json!(!t.public.is_empty()));
    if !t.public.is_empty() {
        attrs.insert("trust_public_statements".into(), json!(t.public));
    }
    attrs.insert("trust_cross_account".into(), json!(t.cross_account));
    attrs.insert(
        "trust_cross_account_without_external_id".into(),
        json!(t.cross_account_without_external_id),
    );
    attrs.insert("github_oidc".into(), json!(t.github_oidc));
    if t.github_oidc {
        attrs.insert("github_oidc_subjects".into(), json!(t.github_subjects));
        attrs.insert("github_oidc_unpinned".into(), json!(t.github_unpinned));
    }
    attrs.insert("trusted_compute_services".into(), json!(t.compute_services));
    if !t.eks_oidc.is_empty() {
        attrs.insert("eks_oidc_issuers".into(), json!(t.eks_oidc));
        attrs.insert("eks_oidc_subjects".into(), json!(t.eks_subjects));
        attrs.insert("eks_oidc_unpinned".into(), json!(t.eks_unpinned));
    }
}

fn common_attrs(attrs: &mut Attrs, account: Option<&str>, path: Option<&str>) {
    if let Some(a) = account {
        attrs.insert("account_id".into(), json!(a));
    }
    attrs.insert("path".into(), json!(path.unwrap_or("/")));
}

fn labels(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

/// The first configured key present (exact, then case-insensitive) with a non-empty value.
fn owner(tags: &[Tag], keys: &[String]) -> Option<Owner> {
    keys.iter().find_map(|k| {
        tags.iter()
            .find(|t| &t.key == k)
            .or_else(|| tags.iter().find(|t| t.key.eq_ignore_ascii_case(k)))
            .filter(|t| !t.value.trim().is_empty())
            .map(|t| Owner {
                name: t.value.clone(),
                source: OwnerSource::Tag,
                detail: Some(t.key.clone()),
            })
    })
}

fn live_keys(keys: &[super::export::AccessKey]) -> Vec<Credential> {
    keys.iter()
        .map(|k| Credential {
            id: k.id.clone(),
            kind: "access_key".into(),
            created_at: k.created,
            last_used_at: k.last_used,
            expires_at: None,
            // An access key cannot be rotated in place: its creation is its last rotation.
            last_rotated_at: k.created,
            status: k.status.to_ascii_lowercase(),
            found: None,
        })
        .collect()
}

/// Key slots of a report row. The report has no key ids, so the slot names the key.
fn report_keys(arn: &str, r: &ReportRow) -> Vec<Credential> {
    r.keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.exists())
        .map(|(i, k)| Credential {
            id: format!("{arn}#access_key_{}", i + 1),
            kind: "access_key".into(),
            created_at: k.last_rotated,
            last_used_at: k.last_used,
            expires_at: None,
            last_rotated_at: k.last_rotated,
            status: if k.active { "active" } else { "inactive" }.into(),
            found: None,
        })
        .collect()
}

fn report_certs(arn: &str, r: &ReportRow) -> Vec<Credential> {
    r.certs
        .iter()
        .enumerate()
        .filter(|(_, (active, rotated))| *active || rotated.is_some())
        .map(|(i, (active, rotated))| Credential {
            id: format!("{arn}#cert_{}", i + 1),
            kind: "signing_certificate".into(),
            created_at: *rotated,
            last_used_at: None,
            expires_at: None,
            last_rotated_at: *rotated,
            status: if *active { "active" } else { "inactive" }.into(),
            found: None,
        })
        .collect()
}

fn password(arn: &str, r: &ReportRow) -> Option<Credential> {
    r.password_enabled.then(|| Credential {
        id: format!("{arn}#password"),
        kind: "password".into(),
        created_at: r.password_last_changed,
        last_used_at: r.password_last_used,
        expires_at: None,
        last_rotated_at: r.password_last_changed,
        status: "active".into(),
        found: None,
    })
}

fn root_identity(r: &ReportRow, account: Option<&str>) -> Identity {
    let arn = if r.arn.is_empty() {
        format!("arn:aws:iam::{}:root", account.unwrap_or("unknown"))
    } else {
        r.arn.clone()
    };
    let mut creds = report_keys(&arn, r);
    if let Some(used) = r.password_last_used {
        // Root always has a password; the report says `not_supported` for its flags.
        creds.push(Credential {
            id: format!("{arn}#password"),
            kind: "password".into(),
            created_at: None,
            last_used_at: Some(used),
            expires_at: None,
            last_rotated_at: None,
            status: "active".into(),
            found: None,
        });
    }
    let last: Option<DateTime<Utc>> = creds.iter().filter_map(|c| c.last_used_at).max();
    let mut attrs = Attrs::new();
    key_summary(&creds, &mut attrs);
    attrs.insert("mfa_active".into(), json!(r.mfa_active));
    common_attrs(&mut attrs, account.or_else(|| arn.split(':').nth(4)), None);
    Identity {
        id: arn,
        kind: "aws.root".into(),
        source: "aws".into(),
        name: "root".into(),
        created_at: r.created,
        last_used_at: last,
        labels: BTreeMap::new(),
        owner: None,
        permissions: Permissions {
            actions: vec!["*".into()],
            flags: vec!["admin".into()],
        },
        credentials: creds,
        attributes: attrs,
    }
}

/// Access keys (and SSH public keys) as one compact list of `<id>: <status>, created <day>, last used <day|never>`, so
/// key findings' evidence and messages show them (rule evidence holds attributes, not credentials).
fn key_summary(creds: &[Credential], attrs: &mut Attrs) {
    let day = |d: Option<DateTime<Utc>>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "never".into())
    };
    let keys: Vec<String> = creds
        .iter()
        .filter(|c| c.kind == "access_key")
        .map(|c| {
            let created = c
                .created_at
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "unknown".into());
            format!(
                "{}: {}, created {created}, last used {}",
                c.id,
                c.status,
                day(c.last_used_at)
            )
        })
        .collect();
    attrs.insert("access_keys".into(), json!(keys));
    // Same for SSH public keys (listed live only, so absent from offline scans and from users
    // without any).
    let ssh: Vec<String> = creds
        .iter()
        .filter(|c| c.kind == "ssh_public_key")
        .map(|c| {
            let uploaded = c
                .created_at
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "unknown".into());
            format!("{}: {}, uploaded {uploaded}", c.id, c.status)
        })
        .collect();
    if !ssh.is_empty() {
        attrs.insert("ssh_public_keys".into(), json!(ssh));
    }
}

//! The identity as rules see it: a CEL value that borrows the model and converts a field only when
//! a rule reads it, once per identity for all the rules that judge it. Before, every identity was
//! copied whole into CEL values twice (model → `cel::Value` → the interpreter's values), which
//! was most of the engine's cost on large inventories; now a Kubernetes rule that reads
//! `identity.permissions.flags` converts that list and nothing else, and strings are borrowed.
//!
//! What rules see is what the JSON report holds, with one convenience: `labels`, `attributes`,
//! `credentials` and `permissions.actions`/`flags` are always present (empty when the report
//! omits them), so `identity.permissions.flags.exists(…)` needs no `has()` guard. Optional
//! scalars (`created_at`, `owner`, …) are absent when unset, so `has()` tells. Times are RFC 3339
//! strings (what `days_since` takes), numbers in attributes keep JSON's sign split (a positive
//! integer is a `uint`, as the JSON conversion always gave).

use crate::inventory::{Credential, FoundSecret, Identity, Location};
use cel::ExecutionError;
use cel::common::traits::{Container, Indexer, Iterable, Iterator as CelIterator, Sizer};
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt, MAP_TYPE,
    Type,
};
use cel::common::value::{CowVal, Val};
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A model struct whose fields rules may read, by name.
pub trait Fields: Sync {
    /// Every field name, in a fixed order (the index of a field is its position here).
    const NAMES: &'static [&'static str];
    /// The field's value as CEL, or `None` when the model has nothing there (so `has()` is
    /// false and reading it is a "no such key" error, as on a JSON map).
    fn field<'v>(&'v self, index: usize) -> Option<Box<dyn Val + 'v>>;
}

/// One field's value, converted on first read (`None`: the model has nothing there).
type Slot<'v> = OnceLock<Option<Box<dyn Val + 'v>>>;

/// A lazily converted record: a CEL map over a borrowed model struct.
pub struct Record<'v, T: Fields> {
    of: &'v T,
    cache: Box<[Slot<'v>]>,
    keys: OnceLock<Vec<CelString<'static>>>,
}

impl<'v, T: Fields> Record<'v, T> {
    pub fn new(of: &'v T) -> Self {
        Record {
            of,
            cache: T::NAMES.iter().map(|_| OnceLock::new()).collect(),
            keys: OnceLock::new(),
        }
    }

    fn field(&self, i: usize) -> Option<&(dyn Val + 'v)> {
        self.cache[i].get_or_init(|| self.of.field(i)).as_deref()
    }

    fn index_of(key: &dyn Val) -> Option<usize> {
        let name = key.downcast_ref::<CelString>()?;
        T::NAMES.iter().position(|n| *n == name.inner())
    }

    fn present(&self) -> impl std::iter::Iterator<Item = usize> + '_ {
        (0..T::NAMES.len()).filter(|&i| self.field(i).is_some())
    }
}

impl<T: Fields> fmt::Debug for Record<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Record{:?}", T::NAMES)
    }
}

impl<'v, T: Fields> Val for Record<'v, T> {
    fn get_type(&self) -> &Type {
        &MAP_TYPE
    }

    fn cel_type() -> &'static Type {
        &MAP_TYPE
    }

    fn as_container(&self) -> Option<&dyn Container> {
        Some(self)
    }

    fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        Some(self)
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
    where
        Self: 'w,
    {
        Box::new(Record::new(self.of))
    }
}

impl<T: Fields> Container for Record<'_, T> {
    fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(Self::index_of(key).is_some_and(|i| self.field(i).is_some()))
    }
}

impl<'v, T: Fields> Indexer for Record<'v, T> {
    fn get<'b, 'w>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        match Self::index_of(key).and_then(|i| self.field(i)) {
            Some(v) => Ok(CowVal::Borrowed(v)),
            None => Err(no_such_key(key)),
        }
    }

    fn steal<'w>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'w>, ExecutionError>
    where
        Self: 'w,
    {
        self.get(key).map(CowVal::into_owned)
    }
}

impl<T: Fields> Iterable for Record<'_, T> {
    fn iter<'b, 'w>(&'b self) -> Box<dyn CelIterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        let keys = self.keys.get_or_init(|| {
            self.present()
                .map(|i| CelString::from(T::NAMES[i]))
                .collect()
        });
        Box::new(Keys(keys.iter()))
    }
}

impl<T: Fields> Sizer for Record<'_, T> {
    fn size(&self) -> CelInt {
        (self.present().count() as i64).into()
    }
}

struct Keys<'b>(std::slice::Iter<'b, CelString<'static>>);

impl<'b, 'w> CelIterator<'b, 'w> for Keys<'b> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        self.0.next().map(|k| k as &(dyn Val + 'w))
    }
}

fn no_such_key(key: &dyn Val) -> ExecutionError {
    let name = key
        .downcast_ref::<CelString>()
        .map(|s| s.inner().to_string())
        .unwrap_or_default();
    ExecutionError::NoSuchKey(Arc::new(name))
}

// ---- the model's records

impl Fields for Identity {
    const NAMES: &'static [&'static str] = &[
        "id",
        "kind",
        "source",
        "name",
        "created_at",
        "last_used_at",
        "labels",
        "owner",
        "permissions",
        "credentials",
        "attributes",
    ];

    fn field<'v>(&'v self, i: usize) -> Option<Box<dyn Val + 'v>> {
        match i {
            0 => Some(string(&self.id)),
            1 => Some(string(&self.kind)),
            2 => Some(string(&self.source)),
            3 => Some(string(&self.name)),
            4 => time(self.created_at),
            5 => time(self.last_used_at),
            6 => Some(map(self
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), string(v))))),
            7 => self.owner.as_ref().map(|o| {
                let mut m = vec![
                    ("name", string(&o.name)),
                    ("source", string(o.source.as_str())),
                ];
                if let Some(d) = &o.detail {
                    m.push(("detail", string(d)));
                }
                map(m)
            }),
            8 => Some(map([
                ("actions", strings(&self.permissions.actions)),
                ("flags", strings(&self.permissions.flags)),
            ])),
            9 => Some(list(
                self.credentials
                    .iter()
                    .map(|c| Box::new(Record::new(c)) as Box<dyn Val + 'v>),
            )),
            10 => Some(Box::new(JsonMap::new(&self.attributes))),
            _ => None,
        }
    }
}

impl Fields for Credential {
    const NAMES: &'static [&'static str] = &[
        "id",
        "kind",
        "created_at",
        "last_used_at",
        "expires_at",
        "last_rotated_at",
        "status",
        "found",
    ];

    fn field<'v>(&'v self, i: usize) -> Option<Box<dyn Val + 'v>> {
        match i {
            0 => Some(string(&self.id)),
            1 => Some(string(&self.kind)),
            2 => time(self.created_at),
            3 => time(self.last_used_at),
            4 => time(self.expires_at),
            5 => time(self.last_rotated_at),
            6 => Some(string(&self.status)),
            7 => self
                .found
                .as_ref()
                .map(|f| Box::new(Record::new(f)) as Box<dyn Val + 'v>),
            _ => None,
        }
    }
}

impl Fields for FoundSecret {
    const NAMES: &'static [&'static str] = &[
        "detector",
        "detector_name",
        "service",
        "category",
        "confidence",
        "secret_sha256",
        "redacted",
        "secret",
        "checksum_valid",
        "attributes",
        "locations",
        "present_at_head",
        "first_seen_at",
        "validation",
    ];

    fn field<'v>(&'v self, i: usize) -> Option<Box<dyn Val + 'v>> {
        match i {
            0 => Some(string(&self.detector)),
            1 => Some(string(&self.detector_name)),
            2 => Some(string(&self.service)),
            3 => Some(string(&self.category)),
            4 => Some(string(&self.confidence)),
            5 => Some(string(&self.secret_sha256)),
            6 => Some(string(&self.redacted)),
            7 => self.secret.as_deref().map(string),
            // As in the report: present only when a checksum confirmed the format.
            8 => self
                .checksum_valid
                .then(|| Box::new(CelBool::from(true)) as Box<dyn Val>),
            9 => (!self.attributes.is_empty())
                .then(|| map(self.attributes.iter().map(|(k, v)| (k.as_str(), string(v))))),
            10 => Some(list(
                self.locations
                    .iter()
                    .map(|l| Box::new(Record::new(l)) as Box<dyn Val + 'v>),
            )),
            11 => self
                .present_at_head
                .map(|b| Box::new(CelBool::from(b)) as Box<dyn Val>),
            12 => time(self.first_seen_at),
            13 => self.validation.as_ref().map(|v| {
                map([
                    ("validity", string(v.validity.as_str())),
                    ("reason", string(&v.reason)),
                ])
            }),
            _ => None,
        }
    }
}

impl Fields for Location {
    const NAMES: &'static [&'static str] = &[
        "path",
        "line",
        "column",
        "snippet",
        "commit",
        "author",
        "date",
        "introductions",
    ];

    fn field<'v>(&'v self, i: usize) -> Option<Box<dyn Val + 'v>> {
        match i {
            0 => Some(string(&self.path)),
            1 => Some(Box::new(CelUInt::from(self.line as u64))),
            2 => Some(Box::new(CelUInt::from(self.column as u64))),
            3 => self.snippet.as_deref().map(string),
            4 => self.commit.as_deref().map(string),
            5 => self.author.as_deref().map(string),
            6 => time(self.date),
            7 => self
                .introductions
                .map(|n| Box::new(CelUInt::from(n as u64)) as Box<dyn Val>),
            _ => None,
        }
    }
}

// ---- attributes: a JSON map converted key by key

/// `identity.attributes`: each value converted from JSON the first time a rule reads it.
pub struct JsonMap<'v> {
    map: &'v BTreeMap<String, serde_json::Value>,
    cache: Box<[OnceLock<Box<dyn Val + 'v>>]>,
    keys: OnceLock<Vec<CelString<'v>>>,
}

impl<'v> JsonMap<'v> {
    fn new(map: &'v BTreeMap<String, serde_json::Value>) -> Self {
        JsonMap {
            map,
            cache: map.iter().map(|_| OnceLock::new()).collect(),
            keys: OnceLock::new(),
        }
    }

    fn find(&self, key: &dyn Val) -> Option<&(dyn Val + 'v)> {
        let name = key.downcast_ref::<CelString>()?;
        let i = self.map.keys().position(|k| k == name.inner())?;
        let value = self.map.values().nth(i)?;
        Some(self.cache[i].get_or_init(|| json(value)).as_ref())
    }
}

impl fmt::Debug for JsonMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonMap{:?}", self.map.keys().collect::<Vec<_>>())
    }
}

impl<'v> Val for JsonMap<'v> {
    fn get_type(&self) -> &Type {
        &MAP_TYPE
    }

    fn cel_type() -> &'static Type {
        &MAP_TYPE
    }

    fn as_container(&self) -> Option<&dyn Container> {
        Some(self)
    }

    fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        Some(self)
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
    where
        Self: 'w,
    {
        Box::new(JsonMap::new(self.map))
    }
}

impl Container for JsonMap<'_> {
    fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(key
            .downcast_ref::<CelString>()
            .is_some_and(|k| self.map.contains_key(k.inner())))
    }
}

impl<'v> Indexer for JsonMap<'v> {
    fn get<'b, 'w>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        self.find(key)
            .map(CowVal::Borrowed)
            .ok_or_else(|| no_such_key(key))
    }

    fn steal<'w>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'w>, ExecutionError>
    where
        Self: 'w,
    {
        self.get(key).map(CowVal::into_owned)
    }
}

impl<'v> Iterable for JsonMap<'v> {
    fn iter<'b, 'w>(&'b self) -> Box<dyn CelIterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        let keys = self.keys.get_or_init(|| {
            self.map
                .keys()
                .map(|k| CelString::from(k.as_str()))
                .collect()
        });
        Box::new(BorrowedKeys(keys.iter()))
    }
}

impl Sizer for JsonMap<'_> {
    fn size(&self) -> CelInt {
        (self.map.len() as i64).into()
    }
}

struct BorrowedKeys<'b, 'v>(std::slice::Iter<'b, CelString<'v>>);

impl<'b, 'v: 'w, 'w> CelIterator<'b, 'w> for BorrowedKeys<'b, 'v> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        self.0.next().map(|k| k as &(dyn Val + 'w))
    }
}

// ---- leaves, borrowed from the model where they can be

fn string(s: &str) -> Box<dyn Val + '_> {
    Box::new(CelString::from(s))
}

fn strings(v: &[String]) -> Box<dyn Val + '_> {
    list(v.iter().map(|s| string(s)))
}

/// As the JSON report writes a time (and `days_since` reads it).
fn time<'v>(t: Option<DateTime<Utc>>) -> Option<Box<dyn Val + 'v>> {
    t.map(|t| {
        Box::new(CelString::from(
            t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )) as Box<dyn Val + 'v>
    })
}

fn list<'v>(items: impl std::iter::Iterator<Item = Box<dyn Val + 'v>>) -> Box<dyn Val + 'v> {
    Box::new(CelList::from(items.collect::<Vec<_>>()))
}

fn map<'v>(entries: impl IntoIterator<Item = (&'v str, Box<dyn Val + 'v>)>) -> Box<dyn Val + 'v> {
    let m: HashMap<CelMapKey<'v>, Box<dyn Val + 'v>> = entries
        .into_iter()
        .map(|(k, v)| (CelMapKey::from(k), v))
        .collect();
    Box::new(CelMap::from(m))
}

/// A JSON value as CEL, strings borrowed.
fn json(v: &serde_json::Value) -> Box<dyn Val + '_> {
    use serde_json::Value as J;
    match v {
        J::Null => Box::new(CelNull),
        J::Bool(b) => Box::new(CelBool::from(*b)),
        J::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Box::new(CelUInt::from(u)),
            (None, Some(i)) => Box::new(CelInt::from(i)),
            _ => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        J::String(s) => string(s),
        J::Array(a) => list(a.iter().map(json)),
        J::Object(o) => map(o.iter().map(|(k, v)| (k.as_str(), json(v)))),
    }
}

/// The view of one identity, for binding as `identity`.
pub fn identity_view(identity: &Identity) -> Box<dyn Val + '_> {
    Box::new(Record::new(identity))
}

#[cfg(test)]
mod tests {
    use super::identity_view;
    use crate::inventory::{Credential, FoundSecret, Identity, Location, Owner, OwnerSource};
    use cel::objects::Key;
    use cel::{Context, Env, Value};
    use serde_json::json;
    use std::sync::Arc;

    fn sample() -> Identity {
        let mut i = Identity::new("arn:aws:iam::1:user/ci", "aws.user", "aws", "ci");
        i.created_at = Some("2024-02-29T10:00:00Z".parse().unwrap());
        i.labels.insert("team".into(), "payments".into());
        i.owner = Some(Owner {
            name: "payments".into(),
            source: OwnerSource::Tag,
            detail: None,
        });
        i.permissions.flags = vec!["admin".into()];
        i.attributes.insert("max".into(), json!(3600));
        i.attributes.insert("neg".into(), json!(-2));
        i.attributes.insert("ratio".into(), json!(0.5));
        i.attributes.insert("bindings".into(), json!(["a", "b"]));
        i.attributes
            .insert("nested".into(), json!({"k": [1, {"x": null}]}));
        i.attributes.insert("ok".into(), json!(true));
        i.credentials.push(Credential {
            id: "k1".into(),
            kind: "access_key".into(),
            created_at: None,
            last_used_at: Some("2026-10-31T18:20:00.5Z".parse().unwrap()),
            expires_at: None,
            last_rotated_at: None,
            status: "active".into(),
            found: Some(FoundSecret {
                detector: "aws.access-key-id".into(),
                detector_name: "AWS".into(),
                service: "aws".into(),
                category: "cloud".into(),
                confidence: "high".into(),
                secret_sha256: "00".into(),
                secret_hmac: None,
                redacted: "AKIA…".into(),
                secret: None,
                checksum_valid: false,
                attributes: Default::default(),
                locations: vec![Location {
                    path: "a.py".into(),
                    line: 3,
                    column: 7,
                    snippet: None,
                    commit: None,
                    author: None,
                    date: None,
                    introductions: None,
                }],
                present_at_head: Some(true),
                first_seen_at: None,
                validation: None,
            }),
        });
        i
    }

    /// The conversion the engine used before the lazy view: the whole identity through
    /// `cel::Value`, empty collections added.
    fn eager(identity: &Identity) -> Value {
        let mut v = cel::to_value(identity).unwrap();
        let Value::Map(m) = &mut v else { panic!() };
        let map = Arc::make_mut(&mut m.map);
        let key = |s: &str| Key::String(Arc::new(s.to_string()));
        let empty_map = || {
            Value::Map(cel::objects::Map {
                map: Arc::new(Default::default()),
            })
        };
        for k in ["labels", "attributes"] {
            map.entry(key(k)).or_insert_with(empty_map);
        }
        map.entry(key("credentials"))
            .or_insert_with(|| Value::List(Arc::new(vec![])));
        if let Value::Map(p) = map.entry(key("permissions")).or_insert_with(empty_map) {
            let perms = Arc::make_mut(&mut p.map);
            for k in ["actions", "flags"] {
                perms
                    .entry(key(k))
                    .or_insert_with(|| Value::List(Arc::new(vec![])));
            }
        }
        v
    }

    #[test]
    fn the_lazy_view_answers_every_expression_as_the_eager_copy_did() {
        let env = Arc::new(Env::stdlib());
        let exprs = [
            r#"identity.kind == "aws.user" && identity.source == "aws""#,
            r#"identity.created_at == "2024-02-29T10:00:00Z""#,
            "has(identity.last_used_at)",
            "has(identity.created_at)",
            r#"identity.labels.team == "payments" && size(identity.labels) == 1"#,
            r#""team" in identity.labels"#,
            r#"has(identity.owner) && identity.owner.source == "tag" && !has(identity.owner.detail)"#,
            r#"identity.permissions.flags.exists(f, f == "admin") && size(identity.permissions.actions) == 0"#,
            r#""admin" in identity.permissions.flags"#,
            "identity.attributes.max == 3600 && identity.attributes.max > 10 && identity.attributes.max == 3600u",
            "identity.attributes.neg < 0 && identity.attributes.ratio < 1.0",
            r#"identity.attributes.bindings.exists(b, b == "b") && size(identity.attributes.bindings) == 2"#,
            "identity.attributes.nested.k[1].x == null && identity.attributes.ok",
            r#"has(identity.attributes.max) && !has(identity.attributes.nope) && "max" in identity.attributes"#,
            "size(identity.attributes) == 6",
            r#"identity.credentials.exists(c, c.kind == "access_key" && c.status == "active" && has(c.last_used_at) && !has(c.created_at))"#,
            r#"identity.credentials.exists(c, has(c.found) && c.found.category == "cloud" && c.found.present_at_head && !has(c.found.checksum_valid))"#,
            r#"identity.credentials[0].last_used_at == "2026-10-31T18:20:00.500Z""#,
            r#"identity.credentials[0].found.locations[0].line == 3 && identity.credentials[0].found.locations[0].path == "a.py""#,
            "identity.attributes.missing == 1",
            "identity.nope",
        ];
        let subjects = [
            sample(),
            Identity::new("repo:1", "generic.password", "repo", "x"),
        ];
        for identity in &subjects {
            for expr in exprs {
                let program = env.compile(expr).unwrap();
                let root: Context<'static, '_> = Context::with_env(env.clone());
                let mut lazy = root.new_inner_scope();
                lazy.add_variable_as_val("identity", identity_view(identity));
                let mut old = root.new_inner_scope();
                old.add_variable_from_value("identity", eager(identity));
                let (l, o) = (program.execute(&lazy), program.execute(&old));
                assert_eq!(
                    l.is_ok(),
                    o.is_ok(),
                    "{expr} on {}: {l:?} vs {o:?}",
                    identity.id
                );
                if let (Ok(l), Ok(o)) = (l, o) {
                    assert_eq!(l, o, "{expr} on {}", identity.id);
                }
            }
        }
    }
}

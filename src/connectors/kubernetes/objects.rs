//! Reading Kubernetes objects offline: a file or folder of manifests (multi-document YAML, Helm or
//! kustomize output) or `kubectl get … -o json|yaml` dumps (`List` objects are flattened). Each
//! document is parsed on its own, so one invalid document is named and skipped while the rest of
//! the file is still read.

use crate::inventory::Note;
use serde_json::Value;
use std::path::Path;

/// One object with where it came from (`file#document`).
#[derive(Debug, Clone)]
pub struct Object {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub value: Value,
    pub origin: String,
}

impl Object {
    pub fn get(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(&self.value, |v, k| v.get(*k))
    }

    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.get(path).and_then(Value::as_str)
    }
}

pub fn load(path: &Path, notes: &mut Vec<Note>) -> Vec<Object> {
    let mut files = Vec::new();
    if path.is_file() {
        files.push(path.to_path_buf());
    } else {
        for e in ignore::WalkBuilder::new(path)
            .standard_filters(false)
            .build()
            .flatten()
        {
            let p = e.path();
            if p.is_file()
                && p.extension()
                    .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
            {
                files.push(p.to_path_buf());
            }
        }
        files.sort();
    }
    let mut out = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let text = match std::fs::read_to_string(&f) {
            Ok(t) => t,
            Err(e) => {
                notes.push(Note::warning(&name, format!("cannot read: {e}")));
                continue;
            }
        };
        for (n, doc) in documents(&text).into_iter().enumerate() {
            let origin = format!("{name}#{}", n + 1);
            let parsed: Result<Value, String> = if doc.trim_start().starts_with('{') {
                serde_json::from_str(doc).map_err(|e| crate::parse_note::json(&e))
            } else {
                serde_saphyr::from_str(doc).map_err(|e| crate::parse_note::yaml(&e))
            };
            match parsed {
                Ok(Value::Null) => {}
                Ok(v) => flatten(v, &origin, &mut out),
                Err(e) => notes.push(Note::warning(
                    &origin,
                    format!("invalid document skipped: {e}"),
                )),
            }
        }
    }
    out
}

/// Split multi-document YAML on `---` lines (JSON files are one document).
fn documents(text: &str) -> Vec<&str> {
    if text.trim_start().starts_with('{') {
        return vec![text];
    }
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            docs.push(&text[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    docs.push(&text[start..]);
    docs.into_iter().filter(|d| !d.trim().is_empty()).collect()
}

pub(super) fn flatten(mut v: Value, origin: &str, out: &mut Vec<Object>) {
    let kind = v
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if kind == "List" || kind.ends_with("List") && v.get("items").is_some() {
        // Take the items out rather than copy them: a cluster dump can be hundreds of MiB.
        if let Some(Value::Array(items)) = v.get_mut("items").map(Value::take) {
            for (i, item) in items.into_iter().enumerate() {
                flatten(item, &format!("{origin}/items/{i}"), out);
            }
        }
        return;
    }
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if kind.is_empty() || name.is_empty() {
        return;
    }
    let namespace = v
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .map(str::to_string);
    out.push(Object {
        kind,
        namespace,
        name,
        value: v,
        origin: origin.to_string(),
    });
}

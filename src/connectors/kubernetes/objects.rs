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

/// Largest manifest or dump file read (a whole-cluster `kubectl get -o json` is tens of MiB).
const MAX_FILE_BYTES: u64 = 1 << 30;

pub fn load(path: &Path, notes: &mut Vec<Note>) -> Vec<Object> {
    // The file a user names is read as given; files found in a folder of manifests (possibly a
    // checked-out repository) only when regular and reached without a symlink out of the folder.
    let mut files: Vec<(std::path::PathBuf, Option<&Path>)> = Vec::new();
    if path.is_file() {
        files.push((path.to_path_buf(), None));
    } else {
        for e in ignore::WalkBuilder::new(path)
            .standard_filters(false)
            .build()
        {
            let e = match e {
                Ok(e) => e,
                Err(err) => {
                    // An unreadable folder is a gap in the input: say so, read the rest.
                    let at = err_path(&err).unwrap_or_else(|| path.display().to_string());
                    notes.push(Note::warning(&at, format!("not read: {err}")));
                    continue;
                }
            };
            let p = e.path();
            if !e.file_type().is_some_and(|t| t.is_dir())
                && p.extension()
                    .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
            {
                files.push((p.to_path_buf(), Some(path)));
            }
        }
        files.sort();
    }
    let mut out = Vec::new();
    for (f, tree) in files {
        let name = f.display().to_string();
        let bytes = match tree {
            None => std::fs::read(&f).map_err(|e| format!("cannot read: {e}")),
            Some(tree) => {
                crate::safe_file::read(&f, Some(tree), MAX_FILE_BYTES).map_err(|e| e.to_string())
            }
        };
        let text = match bytes.map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                notes.push(Note::warning(&name, "not UTF-8 text: skipped"));
                continue;
            }
            Err(e) => {
                notes.push(Note::warning(&name, e));
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

/// The path an `ignore` walk error is about, when it names one.
fn err_path(e: &ignore::Error) -> Option<String> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
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

//! Enumerating the unique blobs of a repository's history, each with where it first appeared.
//!
//! Commits reachable from every ref are visited oldest first; each commit's tree is walked, but a
//! subtree already seen is skipped whole, so the work is proportional to the number of unique
//! trees and blobs, not commits × files. The first commit that shows a blob is the one that
//! introduced it. Nothing here reads blob contents: scanning is a separate, parallel step.

use anyhow::{Context, Result, bail};
use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use std::collections::{HashMap, HashSet};

/// Where a blob was first seen.
#[derive(Debug, Clone)]
pub struct Origin {
    pub commit: ObjectId,
    pub path: BString,
    pub author_name: String,
    pub author_email: String,
    /// Seconds since the epoch (the author date).
    pub time: i64,
}

/// What to enumerate.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every commit reachable from every ref.
    All,
    /// Commits reachable from `head` but not from `base`, and only blobs `base`'s tree lacks.
    Range { base: String, head: String },
}

pub struct Enumerated {
    /// Unique blobs and where each first appeared, in discovery order.
    pub blobs: Vec<(ObjectId, Origin)>,
    /// Blobs in HEAD's tree (to tell whether a secret is still present).
    pub at_head: HashSet<ObjectId>,
    pub commits: usize,
    pub notes: Vec<String>,
}

pub fn enumerate(repo: &gix::Repository, scope: &Scope) -> Result<Enumerated> {
    let mut notes = Vec::new();
    if repo.is_shallow().unwrap_or(false) {
        notes.push(
            "shallow clone: commits before the shallow boundary are not reachable and were not \
             scanned (fetch with --unshallow for full history)"
                .to_string(),
        );
    }
    let mut seen_trees: HashSet<ObjectId> = HashSet::new();
    let mut seen_blobs: HashMap<ObjectId, ()> = HashMap::new();
    let (tips, hidden) = match scope {
        Scope::All => (ref_tips(repo, &mut notes)?, Vec::new()),
        Scope::Range { base, head } => {
            let base_id = resolve_commit(repo, base)?;
            let head_id = resolve_commit(repo, head)?;
            // What BASE already has is not new, whatever path it moves to.
            let base_tree = repo.find_commit(base_id)?.tree_id()?.detach();
            walk_tree(
                repo,
                base_tree,
                &mut seen_trees,
                &mut |id, _| {
                    seen_blobs.insert(id, ());
                },
                &mut notes,
            );
            (vec![head_id], vec![base_id])
        }
    };
    let mut commits: Vec<(i64, ObjectId)> = Vec::new();
    let walk = repo
        .rev_walk(tips)
        .with_hidden(hidden)
        .all()
        .context("starting the commit walk")?;
    for info in walk {
        match info {
            Ok(info) => {
                let id = info.id;
                let time = match info.commit_time {
                    Some(t) => t,
                    None => repo
                        .find_commit(id)
                        .ok()
                        .and_then(|c| c.time().ok())
                        .map_or(0, |t| t.seconds),
                };
                commits.push((time, id));
            }
            Err(e) => notes.push(format!("commit walk stopped early: {e}")),
        }
    }
    // Oldest first, so the first sighting of a blob is its introduction.
    commits.sort();
    let mut blobs = Vec::new();
    for (_, id) in &commits {
        let commit = match repo.find_commit(*id) {
            Ok(c) => c,
            Err(e) => {
                notes.push(format!("commit {id}: cannot be read: {e}"));
                continue;
            }
        };
        let (author_name, author_email, time) = match commit.author() {
            Ok(a) => (
                a.name.to_str_lossy().trim().to_string(),
                a.email.to_str_lossy().trim().to_string(),
                a.time().map_or(0, |t| t.seconds),
            ),
            Err(_) => (String::new(), String::new(), 0),
        };
        let tree = match commit.tree_id() {
            Ok(t) => t.detach(),
            Err(e) => {
                notes.push(format!("commit {id}: no tree: {e}"));
                continue;
            }
        };
        walk_tree(
            repo,
            tree,
            &mut seen_trees,
            &mut |blob, path| {
                if seen_blobs.insert(blob, ()).is_none() {
                    blobs.push((
                        blob,
                        Origin {
                            commit: *id,
                            path,
                            author_name: author_name.clone(),
                            author_email: author_email.clone(),
                            time,
                        },
                    ));
                }
            },
            &mut notes,
        );
    }
    let at_head = head_blobs(repo, &mut notes);
    Ok(Enumerated {
        blobs,
        at_head,
        commits: commits.len(),
        notes,
    })
}

/// Every ref that peels to a commit (branches, tags, remotes, stash).
fn ref_tips(repo: &gix::Repository, notes: &mut Vec<String>) -> Result<Vec<ObjectId>> {
    let mut tips = Vec::new();
    let platform = repo.references().context("reading refs")?;
    for r in platform.all().context("listing refs")? {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                notes.push(format!("unreadable ref skipped: {e}"));
                continue;
            }
        };
        let name = r.name().as_bstr().to_string();
        match r.peel_to_kind(gix::object::Kind::Commit) {
            Ok(c) => tips.push(c.id),
            // Tags of trees or blobs, and symbolic refs to nothing, have no history to walk.
            Err(e) => tracing::debug!("ref {name} does not lead to a commit: {e}"),
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        bail!("the repository has no commits");
    }
    Ok(tips)
}

pub(super) fn resolve_commit(repo: &gix::Repository, spec: &str) -> Result<ObjectId> {
    let id = repo
        .rev_parse_single(spec)
        .with_context(|| format!("`{spec}` is not a revision of this repository"))?;
    let commit = id
        .object()
        .with_context(|| format!("reading {spec}"))?
        .peel_to_commit()
        .with_context(|| format!("`{spec}` does not name a commit"))?;
    Ok(commit.id)
}

/// Depth-first over a tree, skipping subtrees already seen, calling `on_blob` for each blob
/// (regular or executable file; symlinks and submodule commits are not content).
pub(super) fn walk_tree(
    repo: &gix::Repository,
    root: ObjectId,
    seen: &mut HashSet<ObjectId>,
    on_blob: &mut dyn FnMut(ObjectId, BString),
    notes: &mut Vec<String>,
) {
    let mut stack: Vec<(ObjectId, BString)> = vec![(root, BString::default())];
    while let Some((tree_id, prefix)) = stack.pop() {
        if !seen.insert(tree_id) {
            continue;
        }
        let obj = match repo.find_object(tree_id) {
            Ok(o) => o,
            Err(e) => {
                notes.push(format!("tree {tree_id} ({}) is missing: {e}", prefix));
                continue;
            }
        };
        for entry in gix::objs::TreeRefIter::from_bytes(&obj.data, repo.object_hash()) {
            let Ok(entry) = entry else {
                notes.push(format!("tree {tree_id} ({prefix}) is corrupt"));
                break;
            };
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(entry.filename);
            if entry.mode.is_tree() {
                stack.push((entry.oid.to_owned(), path));
            } else if entry.mode.is_blob() {
                on_blob(entry.oid.to_owned(), path);
            }
        }
    }
}

pub(super) fn head_blobs(repo: &gix::Repository, notes: &mut Vec<String>) -> HashSet<ObjectId> {
    let mut set = HashSet::new();
    let Ok(commit) = repo.head_commit() else {
        return set;
    };
    let Ok(tree) = commit.tree_id() else {
        return set;
    };
    let mut seen = HashSet::new();
    walk_tree(
        repo,
        tree.detach(),
        &mut seen,
        &mut |id, _| {
            set.insert(id);
        },
        notes,
    );
    set
}

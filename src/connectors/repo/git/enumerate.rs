//! Enumerating the unique (blob, path) pairs of a repository's history, each with the commit that
//! introduced it.
//!
//! Commits are put in topological order (every parent before its children; commit dates only
//! break ties between commits neither of which is an ancestor of the other, so clock skew and
//! equal timestamps cannot reorder history). Each commit's tree is walked, but a subtree already
//! seen *at the same path* is skipped whole, so the work is proportional to the number of unique
//! (tree, path) and (blob, path) pairs, not commits × files. The first commit in that order whose
//! tree holds a blob at a path is an introducing commit: none of its parents (all earlier) holds
//! it there. Nothing here reads blob contents: scanning is a separate, parallel step.

use anyhow::{Context, Result, bail};
use gix::ObjectId;
use gix::bstr::BString;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// A commit of the walk, at its place in topological order.
#[derive(Debug, Clone)]
pub struct CommitNode {
    pub id: ObjectId,
    /// Positions (in the same order) of the parents that are part of the walk.
    pub parents: Vec<u32>,
}

/// A blob at a path, first held by the commit at position `commit`.
#[derive(Debug, Clone, Copy)]
pub struct Intro {
    pub blob: ObjectId,
    /// Index into [`Enumerated::paths`].
    pub path: u32,
    /// Index into [`Enumerated::commits`].
    pub commit: u32,
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
    /// Every commit walked, parents before children.
    pub commits: Vec<CommitNode>,
    /// Every file path seen, interned.
    pub paths: Vec<BString>,
    /// Each (blob, path) once, in the order of the commits that introduced them.
    pub intros: Vec<Intro>,
    /// Blobs in HEAD's tree (to tell whether a secret is still present).
    pub at_head: HashSet<ObjectId>,
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
    let mut walker = TreeWalker::new(repo);
    let (tips, hidden) = match scope {
        Scope::All => (ref_tips(repo, &mut notes)?, Vec::new()),
        Scope::Range { base, head } => {
            let base_id = resolve_commit(repo, base)?;
            let head_id = resolve_commit(repo, head)?;
            // What BASE already has is not new, whatever path it moves to.
            let base_tree = repo.find_commit(base_id)?.tree_id()?.detach();
            walker.exclude_blobs_of(base_tree, &mut notes);
            (vec![head_id], vec![base_id])
        }
    };
    let started = std::time::Instant::now();
    let commits = topological(repo, tips, hidden, &mut notes)?;
    tracing::info!(
        "{} commits ordered in {:?}",
        commits.len(),
        started.elapsed()
    );
    let mut intros = Vec::new();
    for (pos, node) in commits.iter().enumerate() {
        let tree = match repo.find_commit(node.id).map(|c| c.tree_id()) {
            Ok(Ok(t)) => t.detach(),
            Ok(Err(e)) => {
                notes.push(format!("commit {}: its tree cannot be read: {e}", node.id));
                continue;
            }
            Err(e) => {
                notes.push(format!("commit {}: cannot be read: {e}", node.id));
                continue;
            }
        };
        walker.walk(tree, pos as u32, &mut intros, &mut notes);
    }
    let at_head = head_blobs(repo, &mut notes);
    Ok(Enumerated {
        commits,
        paths: walker.paths,
        intros,
        at_head,
        notes,
    })
}

/// The commits reachable from `tips` and not from `hidden`, parents first. Among commits that are
/// ready at the same time (no ancestry between them) the earlier committer date, then the smaller
/// id, goes first: a tie-break only, never overriding parent order.
fn topological(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
    hidden: Vec<ObjectId>,
    notes: &mut Vec<String>,
) -> Result<Vec<CommitNode>> {
    let walk = repo
        .rev_walk(tips)
        .with_hidden(hidden)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
        ))
        .all()
        .context("starting the commit walk")?;
    let mut ids: Vec<ObjectId> = Vec::new();
    let mut times: Vec<i64> = Vec::new();
    let mut parent_ids: Vec<Vec<ObjectId>> = Vec::new();
    for info in walk {
        match info {
            Ok(info) => {
                ids.push(info.id);
                times.push(info.commit_time.unwrap_or(0));
                parent_ids.push(info.parent_ids.iter().copied().collect());
            }
            Err(e) => notes.push(format!(
                "commit walk stopped early, later history was not scanned: {e}"
            )),
        }
    }
    let index: HashMap<ObjectId, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as u32))
        .collect();
    let n = ids.len();
    let mut pending = vec![0u32; n];
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut parents: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (c, ps) in parent_ids.iter().enumerate() {
        for p in ps {
            // Parents outside the walk (hidden, or past a shallow boundary) do not order it.
            if let Some(&pi) = index.get(p)
                && !parents[c].contains(&pi)
            {
                parents[c].push(pi);
                children[pi as usize].push(c as u32);
                pending[c] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<(i64, ObjectId, u32)>> = (0..n)
        .filter(|&i| pending[i] == 0)
        .map(|i| Reverse((times[i], ids[i], i as u32)))
        .collect();
    let mut position = vec![u32::MAX; n];
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, _, i))) = ready.pop() {
        position[i as usize] = order.len() as u32;
        order.push(i);
        for &c in &children[i as usize] {
            pending[c as usize] -= 1;
            if pending[c as usize] == 0 {
                ready.push(Reverse((times[c as usize], ids[c as usize], c)));
            }
        }
    }
    // A commit graph has no cycles; a forged one would leave commits unordered.
    if order.len() != n {
        notes.push(format!(
            "{} commits form a parent cycle and were not scanned",
            n - order.len()
        ));
    }
    Ok(order
        .into_iter()
        .map(|i| CommitNode {
            id: ids[i as usize],
            parents: parents[i as usize]
                .iter()
                .map(|&p| position[p as usize])
                .collect(),
        })
        .collect())
}

/// Walks trees, remembering which (tree, folder) and (blob, path) pairs were already seen.
/// Paths are interned: each is stored once however many commits hold it.
struct TreeWalker<'r> {
    repo: &'r gix::Repository,
    paths: Vec<BString>,
    path_ids: HashMap<Vec<u8>, u32>,
    dirs: Vec<Vec<u8>>,
    dir_ids: HashMap<Vec<u8>, u32>,
    seen_trees: HashSet<(ObjectId, u32)>,
    seen_pairs: HashSet<(ObjectId, u32)>,
    excluded: HashSet<ObjectId>,
    buf: Vec<u8>,
}

impl<'r> TreeWalker<'r> {
    fn new(repo: &'r gix::Repository) -> Self {
        TreeWalker {
            repo,
            paths: Vec::new(),
            path_ids: HashMap::new(),
            dirs: vec![Vec::new()],
            dir_ids: HashMap::from([(Vec::new(), 0)]),
            seen_trees: HashSet::new(),
            seen_pairs: HashSet::new(),
            excluded: HashSet::new(),
            buf: Vec::new(),
        }
    }

    /// Blobs of this tree are never reported, at any path (a range's base).
    fn exclude_blobs_of(&mut self, tree: ObjectId, notes: &mut Vec<String>) {
        let mut set = HashSet::new();
        each_blob(
            self.repo,
            tree,
            &mut |id| {
                set.insert(id);
            },
            notes,
        );
        self.excluded = set;
    }

    fn intern(ids: &mut HashMap<Vec<u8>, u32>, path: &[u8], store: &mut dyn FnMut(&[u8])) -> u32 {
        if let Some(&id) = ids.get(path) {
            return id;
        }
        let id = ids.len() as u32;
        ids.insert(path.to_vec(), id);
        store(path);
        id
    }

    /// Record every (blob, path) of `root` not seen before as introduced by `commit`.
    fn walk(&mut self, root: ObjectId, commit: u32, out: &mut Vec<Intro>, notes: &mut Vec<String>) {
        let mut stack: Vec<(ObjectId, u32)> = vec![(root, 0)];
        while let Some((tree_id, dir)) = stack.pop() {
            if !self.seen_trees.insert((tree_id, dir)) {
                continue;
            }
            let obj = match self.repo.find_object(tree_id) {
                Ok(o) if o.kind == gix::object::Kind::Tree => o,
                Ok(o) => {
                    notes.push(format!(
                        "tree {tree_id} ({}) is a {} object, not a tree",
                        show(&self.dirs[dir as usize]),
                        o.kind
                    ));
                    continue;
                }
                Err(e) => {
                    notes.push(format!(
                        "tree {tree_id} ({}) cannot be read: {e}",
                        show(&self.dirs[dir as usize])
                    ));
                    continue;
                }
            };
            for entry in gix::objs::TreeRefIter::from_bytes(&obj.data, self.repo.object_hash()) {
                let Ok(entry) = entry else {
                    notes.push(format!(
                        "tree {tree_id} ({}) is corrupt; the rest of it was not read",
                        show(&self.dirs[dir as usize])
                    ));
                    break;
                };
                self.buf.clear();
                self.buf.extend_from_slice(&self.dirs[dir as usize]);
                if !self.buf.is_empty() {
                    self.buf.push(b'/');
                }
                self.buf.extend_from_slice(entry.filename);
                if entry.mode.is_tree() {
                    let dirs = &mut self.dirs;
                    let d =
                        Self::intern(&mut self.dir_ids, &self.buf, &mut |p| dirs.push(p.to_vec()));
                    let oid = entry.oid.to_owned();
                    if !self.seen_trees.contains(&(oid, d)) {
                        stack.push((oid, d));
                    }
                } else if entry.mode.is_blob() {
                    let oid = entry.oid.to_owned();
                    if self.excluded.contains(&oid) {
                        continue;
                    }
                    let paths = &mut self.paths;
                    let p = Self::intern(&mut self.path_ids, &self.buf, &mut |p| {
                        paths.push(BString::from(p))
                    });
                    if self.seen_pairs.insert((oid, p)) {
                        out.push(Intro {
                            blob: oid,
                            path: p,
                            commit,
                        });
                    }
                }
            }
        }
    }
}

fn show(path: &[u8]) -> String {
    if path.is_empty() {
        "root".to_string()
    } else {
        String::from_utf8_lossy(path).into_owned()
    }
}

/// Every ref that peels to a commit (branches, tags, remotes, stash). A ref whose object cannot
/// be read is a gap in coverage and is noted; tags of trees or blobs simply have no history.
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
        let Some(target) = r.target().try_id().map(|id| id.to_owned()) else {
            continue;
        };
        match r.peel_to_kind(gix::object::Kind::Commit) {
            Ok(c) => tips.push(c.id),
            Err(e) => {
                // Tags of trees or blobs simply have no history; an object that cannot be read
                // (or a tag chain that breaks) is a gap.
                let peeled = repo
                    .find_object(target)
                    .ok()
                    .and_then(|o| o.peel_tags_to_end().ok());
                match peeled {
                    Some(o) if o.kind != gix::object::Kind::Commit => {
                        tracing::debug!("ref {name} does not lead to a commit: {e}")
                    }
                    _ => notes.push(format!(
                        "ref {name}: its object cannot be read, its history was not scanned: {e}"
                    )),
                }
            }
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

/// Every blob of a tree (regular or executable file; symlinks and submodule commits are not
/// content), each subtree read once. Unreadable or corrupt trees are noted.
fn each_blob(
    repo: &gix::Repository,
    root: ObjectId,
    on_blob: &mut dyn FnMut(ObjectId),
    notes: &mut Vec<String>,
) {
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(tree_id) = stack.pop() {
        if !seen.insert(tree_id) {
            continue;
        }
        let obj = match repo.find_object(tree_id) {
            Ok(o) if o.kind == gix::object::Kind::Tree => o,
            Ok(o) => {
                notes.push(format!("tree {tree_id} is a {} object, not a tree", o.kind));
                continue;
            }
            Err(e) => {
                notes.push(format!("tree {tree_id} cannot be read: {e}"));
                continue;
            }
        };
        for entry in gix::objs::TreeRefIter::from_bytes(&obj.data, repo.object_hash()) {
            let Ok(entry) = entry else {
                notes.push(format!(
                    "tree {tree_id} is corrupt; the rest of it was not read"
                ));
                break;
            };
            if entry.mode.is_tree() {
                stack.push(entry.oid.to_owned());
            } else if entry.mode.is_blob() {
                on_blob(entry.oid.to_owned());
            }
        }
    }
}

/// Blobs of HEAD's tree. A repository without commits has none; a HEAD that cannot be read is
/// noted.
pub(super) fn head_blobs(repo: &gix::Repository, notes: &mut Vec<String>) -> HashSet<ObjectId> {
    let mut set = HashSet::new();
    let head = match repo.head() {
        Ok(h) => h,
        Err(e) => {
            notes.push(format!("HEAD cannot be read: {e}"));
            return set;
        }
    };
    if head.is_unborn() {
        return set;
    }
    let tree = match repo.head_commit().map(|c| c.tree_id()) {
        Ok(Ok(t)) => t.detach(),
        Ok(Err(e)) => {
            notes.push(format!("HEAD's tree cannot be read: {e}"));
            return set;
        }
        Err(e) => {
            notes.push(format!("HEAD's commit cannot be read: {e}"));
            return set;
        }
    };
    each_blob(
        repo,
        tree,
        &mut |id| {
            set.insert(id);
        },
        notes,
    );
    set
}

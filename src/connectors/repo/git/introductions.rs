//! How many commits introduced a (blob, path) pair independently: commits whose tree holds the
//! blob at the path while none of their parents' trees does (the same file added on two branches,
//! or deleted and added back). Only asked for the few pairs that hold a secret, after the scan.
//!
//! Each commit's tree is looked up along the found paths only, and a subtree already resolved is
//! answered from memory, so a commit costs one root-tree read plus whatever changed.

use gix::ObjectId;
use gix::bstr::ByteSlice;
use std::collections::HashMap;
use std::rc::Rc;

use super::enumerate::CommitNode;

/// The found paths as a tree of names; `leaf` is the path's index where a path ends.
#[derive(Default)]
struct Node {
    children: HashMap<Vec<u8>, usize>,
    leaf: Option<u32>,
}

type Resolved = Rc<Vec<(u32, ObjectId)>>;

struct Lookup<'r> {
    repo: &'r gix::Repository,
    nodes: Vec<Node>,
    memo: HashMap<(usize, ObjectId), Resolved>,
}

impl Lookup<'_> {
    /// The blobs at the found paths under `node`, inside `tree`.
    fn resolve(&mut self, node: usize, tree: ObjectId, notes: &mut Vec<String>) -> Resolved {
        if let Some(r) = self.memo.get(&(node, tree)) {
            return r.clone();
        }
        let mut out = Vec::new();
        match self.repo.find_object(tree) {
            Ok(obj) if obj.kind == gix::object::Kind::Tree => {
                let mut subtrees = Vec::new();
                for entry in gix::objs::TreeRefIter::from_bytes(&obj.data, self.repo.object_hash())
                {
                    let Ok(entry) = entry else {
                        notes.push(format!(
                            "tree {tree} is corrupt; the rest of it was not read"
                        ));
                        break;
                    };
                    let Some(&child) = self.nodes[node].children.get(entry.filename.as_bytes())
                    else {
                        continue;
                    };
                    if entry.mode.is_blob() {
                        if let Some(p) = self.nodes[child].leaf {
                            out.push((p, entry.oid.to_owned()));
                        }
                    } else if entry.mode.is_tree() && !self.nodes[child].children.is_empty() {
                        subtrees.push((child, entry.oid.to_owned()));
                    }
                }
                drop(obj);
                for (child, oid) in subtrees {
                    out.extend(self.resolve(child, oid, notes).iter().copied());
                }
            }
            Ok(obj) => notes.push(format!("tree {tree} is a {} object, not a tree", obj.kind)),
            Err(e) => notes.push(format!("tree {tree} cannot be read: {e}")),
        }
        let r = Rc::new(out);
        self.memo.insert((node, tree), r.clone());
        r
    }
}

/// For each `(blob, path)` in `pairs`, the number of commits in `commits` (topological order)
/// that introduce it. Unreadable commits or trees are noted and count as not holding anything.
pub fn count(
    repo: &gix::Repository,
    commits: &[CommitNode],
    pairs: &[(ObjectId, &[u8])],
    notes: &mut Vec<String>,
) -> Vec<u32> {
    let mut counts = vec![0u32; pairs.len()];
    if pairs.is_empty() {
        return counts;
    }
    let mut lookup = Lookup {
        repo,
        nodes: vec![Node::default()],
        memo: HashMap::new(),
    };
    // Path index → the pairs (by index) with that path.
    let mut path_index: HashMap<&[u8], u32> = HashMap::new();
    let mut wanted: HashMap<(u32, ObjectId), u32> = HashMap::new();
    for (i, (blob, path)) in pairs.iter().enumerate() {
        let next = path_index.len() as u32;
        let p = *path_index.entry(path).or_insert(next);
        wanted.insert((p, *blob), i as u32);
        let mut node = 0;
        for name in path.split(|&b| b == b'/') {
            let len = lookup.nodes.len();
            node = *lookup.nodes[node]
                .children
                .entry(name.to_vec())
                .or_insert(len);
            if node == len {
                lookup.nodes.push(Node::default());
            }
        }
        lookup.nodes[node].leaf = Some(p);
    }
    // Per commit, the pairs its tree holds (sorted pair indices).
    let mut holds: Vec<Vec<u32>> = Vec::with_capacity(commits.len());
    for c in commits {
        let mut held: Vec<u32> = match repo.find_commit(c.id).map(|c| c.tree_id()) {
            Ok(Ok(tree)) => lookup
                .resolve(0, tree.detach(), notes)
                .iter()
                .filter_map(|k| wanted.get(k).copied())
                .collect(),
            _ => {
                notes.push(format!("commit {}: cannot be read", c.id));
                Vec::new()
            }
        };
        held.sort_unstable();
        for &pair in &held {
            let in_parent = c
                .parents
                .iter()
                .any(|&p| holds[p as usize].binary_search(&pair).is_ok());
            if !in_parent {
                counts[pair as usize] += 1;
            }
        }
        holds.push(held);
    }
    counts
}

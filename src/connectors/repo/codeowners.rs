//! CODEOWNERS: who owns a path, by GitHub's rules. The first file found of `.github/CODEOWNERS`,
//! `CODEOWNERS`, `docs/CODEOWNERS` is used; within it the *last* matching pattern wins; a pattern
//! with no owners makes the path explicitly unowned. Patterns follow gitignore syntax minus
//! negation and character ranges, which GitHub does not support.

use crate::inventory::{Note, NoteLevel};
use globset::{Glob, GlobBuilder, GlobMatcher};
use std::path::Path;

/// Where GitHub looks, in order.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// GitHub ignores a CODEOWNERS file over 3 MB; so do we (and never read more).
pub const MAX_SIZE: u64 = 3 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct CodeOwners {
    /// Which file the rules came from (for evidence).
    pub file: String,
    rules: Vec<Rule>,
}

#[derive(Debug)]
struct Rule {
    line: usize,
    matchers: Vec<GlobMatcher>,
    owners: Vec<String>,
}

/// The owners of one path, and the CODEOWNERS line that decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ownership {
    pub owners: Vec<String>,
    pub detail: String,
}

impl CodeOwners {
    /// Read the first CODEOWNERS file under `root`, if any. The file belongs to the scanned
    /// tree: one that is not a regular file inside it, or is over [`MAX_SIZE`], is not read and
    /// the reason is returned as a warning.
    pub fn from_dir(root: &Path) -> (Option<CodeOwners>, Option<Note>) {
        for rel in LOCATIONS {
            match crate::safe_file::read(&root.join(rel), Some(root), MAX_SIZE) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    return (Some(CodeOwners::parse(rel, &text)), None);
                }
                Err(crate::safe_file::Refused::Missing) => continue,
                Err(why) => {
                    let note = Note::new(
                        NoteLevel::Warning,
                        rel,
                        format!("{why}; owners from CODEOWNERS are not known"),
                    );
                    return (None, Some(note));
                }
            }
        }
        (None, None)
    }

    pub fn parse(file: &str, text: &str) -> CodeOwners {
        let mut rules = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split(" #").next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else {
                continue;
            };
            let owners: Vec<String> = parts.map(str::to_string).collect();
            let matchers = globs_for(pattern)
                .into_iter()
                .filter_map(|g| g.ok().map(|g| g.compile_matcher()))
                .collect::<Vec<_>>();
            if matchers.is_empty() {
                tracing::warn!(
                    "{file}:{}: pattern `{pattern}` is not supported; ignored",
                    n + 1
                );
                continue;
            }
            rules.push(Rule {
                line: n + 1,
                matchers,
                owners,
            });
        }
        CodeOwners {
            file: file.to_string(),
            rules,
        }
    }

    /// The owners of `path` (relative, `/`-separated), or `None` when no pattern matches.
    pub fn owners_of(&self, path: &str) -> Option<Ownership> {
        let rule = self
            .rules
            .iter()
            .rev()
            .find(|r| r.matchers.iter().any(|m| m.is_match(path)))?;
        Some(Ownership {
            owners: rule.owners.clone(),
            detail: format!("{}:{}", self.file, rule.line),
        })
    }
}

/// gitignore-style pattern → globs over whole relative paths.
fn globs_for(pattern: &str) -> Vec<Result<Glob, globset::Error>> {
    if pattern.starts_with('!') || pattern.contains('[') {
        return Vec::new();
    }
    let dir_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    // A slash at the start or in the middle anchors the pattern at the root.
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let body = trimmed.trim_start_matches('/');
    let base = if body == "*" && !anchored {
        "**".to_string()
    } else if anchored {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let build = |g: String| GlobBuilder::new(&g).literal_separator(true).build();
    let mut out = Vec::new();
    // `docs/*` owns the files directly in docs, not nested folders (GitHub's documented rule);
    // any other pattern that names a folder owns everything below it.
    if !body.ends_with("/*") {
        out.push(build(format!("{base}/**")));
    }
    if !dir_only {
        out.push(build(base));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# Default owners
*       @acme/platform
*.js    @acme/frontend
/build/logs/ @acme/ops
docs/*  docs@acme.io
apps/   @octocat
/scripts/deploy.sh @acme/release @alice
/vendored/
";

    fn owners(path: &str) -> Vec<String> {
        CodeOwners::parse("CODEOWNERS", FILE)
            .owners_of(path)
            .map(|o| o.owners)
            .unwrap_or_default()
    }

    #[test]
    fn last_matching_pattern_wins() {
        assert_eq!(owners("src/main.rs"), vec!["@acme/platform"]);
        assert_eq!(owners("web/app.js"), vec!["@acme/frontend"]);
        assert_eq!(owners("scripts/deploy.sh"), vec!["@acme/release", "@alice"]);
    }

    #[test]
    fn anchoring_and_directories() {
        assert_eq!(owners("build/logs/x/y.log"), vec!["@acme/ops"]);
        assert_eq!(owners("other/build/logs/y.log"), vec!["@acme/platform"]);
        assert_eq!(owners("docs/guide.md"), vec!["docs@acme.io"]);
        assert_eq!(
            owners("docs/deep/guide.md"),
            vec!["@acme/platform"],
            "docs/* is one level"
        );
        assert_eq!(
            owners("x/apps/a.rs"),
            vec!["@octocat"],
            "unanchored dir matches anywhere"
        );
    }

    #[test]
    fn pattern_without_owners_makes_a_path_unowned() {
        let o = CodeOwners::parse("CODEOWNERS", FILE)
            .owners_of("vendored/lib.c")
            .unwrap();
        assert!(o.owners.is_empty());
        assert_eq!(o.detail, "CODEOWNERS:8");
    }
}

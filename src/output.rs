//! Writing a report where the user asked: stdout (`-` or no `--output`), a regular file (written
//! to a temporary file beside it and renamed into place, so a reader never sees half a report),
//! or anything else the path names (`/dev/null`, a FIFO, a terminal), which is written in place:
//! renaming over something that is not a regular file would replace it.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        None => write_stdout(bytes),
        Some(p) if p.as_os_str() == "-" => write_stdout(bytes),
        Some(p) => write_path(p, bytes),
    }
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        // A closed pipe (`nhiscan … | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to stdout"),
    }
}

fn write_path(path: &Path, bytes: &[u8]) -> Result<()> {
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("opening {} for writing", path.display()))?;
        return f
            .write_all(bytes)
            .with_context(|| format!("writing {}", path.display()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| {
        format!(
            "creating a temporary file in {} (does the folder exist and is it writable?)",
            dir.display()
        )
    })?;
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    // Keep the permissions of a file we replace; new files get the usual 0644-ish default.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = existing.map(|m| m.permissions().mode()).unwrap_or(0o644);
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode));
    }
    tmp.persist(path)
        .with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

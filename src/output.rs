//! Writing a report where the user asked: stdout (`-` or no `--output`), a regular file (written
//! to a temporary file beside it and renamed into place, so a reader never sees half a report),
//! or anything else the path names (`/dev/null`, a FIFO, a terminal), which is written in place:
//! renaming over something that is not a regular file would replace it.

use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Output is streamed through a buffer this large: a report of 100k findings is hundreds of MB,
/// which is never held in memory whole.
const BUFFER: usize = 1 << 20;

pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    write_with(path, |w| Ok(w.write_all(bytes)?))
}

/// Stream whatever `render` writes to the destination (see the module doc for how each kind of
/// path is written).
pub fn write_with(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    match path {
        None => write_stdout(render),
        Some(p) if p.as_os_str() == "-" => write_stdout(render),
        Some(p) => write_path(p, render),
    }
}

fn write_stdout(render: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let mut out = BufWriter::with_capacity(BUFFER, std::io::stdout().lock());
    match render(&mut out).and_then(|_| Ok(out.flush()?)) {
        // A closed pipe (`nhiscan … | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => Ok(()),
        r => r.context("writing to stdout"),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

fn write_path(path: &Path, render: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("opening {} for writing", path.display()))?;
        let mut out = BufWriter::with_capacity(BUFFER, f);
        return render(&mut out)
            .and_then(|_| Ok(out.flush()?))
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
    {
        let mut out = BufWriter::with_capacity(BUFFER, tmp.as_file_mut());
        render(&mut out)
            .and_then(|_| Ok(out.flush()?))
            .with_context(|| format!("writing {}", path.display()))?;
    }
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

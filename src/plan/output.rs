//! Where a report goes: stdout (`-` or no `--output`), a regular file (written to a temporary
//! file beside it and renamed into place, so a reader never sees half a report), or anything
//! else the path names (`/dev/null`, a FIFO, a terminal), which is written in place: renaming
//! over something that is not a regular file would replace it.
//!
//! A destination is opened before anything is scanned ([`Destination::open`]), so a path that
//! cannot be written is a usage error up front, not a lost scan.

use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Output is streamed through a buffer this large: a report of 100k findings is hundreds of MB,
/// which is never held in memory whole.
const BUFFER: usize = 1 << 20;

/// An opened place to write one report.
pub enum Destination {
    Stdout,
    /// A device, FIFO or other non-regular file, opened for writing in place.
    InPlace {
        file: File,
        path: PathBuf,
    },
    /// A regular file (new or existing), written beside it and renamed over it at the end.
    Replace {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
}

impl Destination {
    /// Open `path` for a report. New files get the process umask's permissions, a replaced file
    /// keeps its own, and a report carrying secrets (`--reveal`) is always owner-only (0600).
    pub fn open(path: Option<&Path>, secret: bool) -> Result<Destination> {
        let path = match path {
            None => return Ok(Destination::Stdout),
            Some(p) if p.as_os_str() == "-" => return Ok(Destination::Stdout),
            Some(p) => p,
        };
        let existing = std::fs::metadata(path).ok();
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("opening {} for writing", path.display()))?;
            return Ok(Destination::InPlace {
                file,
                path: path.to_path_buf(),
            });
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".nhiscan-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The mode is given to open(2), which applies the umask to it.
            let mode = match (&existing, secret) {
                (_, true) => 0o600,
                (Some(m), false) => m.permissions().mode() & 0o7777,
                (None, false) => 0o666,
            };
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        #[cfg(not(unix))]
        let _ = secret;
        let tmp = builder.tempfile_in(dir).with_context(|| {
            format!(
                "creating a temporary file in {} (does the folder exist and is it writable?)",
                dir.display()
            )
        })?;
        #[cfg(unix)]
        if let Some(m) = &existing {
            // A replaced file keeps its exact mode, whatever the umask would have cut.
            use std::os::unix::fs::PermissionsExt;
            let mode = if secret {
                0o600
            } else {
                m.permissions().mode() & 0o7777
            };
            let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode));
        }
        Ok(Destination::Replace {
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Stream whatever `render` writes to the destination, then put it in place.
    pub fn write(self, render: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        match self {
            Destination::Stdout => {
                let mut out = BufWriter::with_capacity(BUFFER, std::io::stdout().lock());
                match render(&mut out).and_then(|_| Ok(out.flush()?)) {
                    // A closed pipe (`nhiscan … | head`) is the reader's choice, not an error.
                    Err(e) if is_broken_pipe(&e) => Ok(()),
                    r => r.context("writing to stdout"),
                }
            }
            Destination::InPlace { file, path } => {
                let mut out = BufWriter::with_capacity(BUFFER, file);
                render(&mut out)
                    .and_then(|_| Ok(out.flush()?))
                    .with_context(|| format!("writing {}", path.display()))
            }
            Destination::Replace { mut tmp, path } => {
                {
                    let mut out = BufWriter::with_capacity(BUFFER, tmp.as_file_mut());
                    render(&mut out)
                        .and_then(|_| Ok(out.flush()?))
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                tmp.persist(&path)
                    .with_context(|| format!("replacing {}", path.display()))?;
                Ok(())
            }
        }
    }
}

/// Open and write in one step, for the small outputs of `rules`, `schema` and `baseline`.
pub fn write_with(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    Destination::open(path, false)?.write(render)
}

pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    write_with(path, |w| Ok(w.write_all(bytes)?))
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

//! Reading text files and writing files atomically, with errors that name the path.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The whole of a text file.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
///
/// # Errors
///
/// [`Error::Io`] naming `path` when the file cannot be written.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = temporary_path(path);
    let written =
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    written.map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        Error::Io {
            action: "write",
            path: path.to_owned(),
            source,
        }
    })
}

/// `dir/.name.partial-PID.ext` beside `path`: in the same folder, so that the rename stays on
/// one file system, and with the same extension, which some writers go by.
pub(crate) fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.partial-{}.{extension}",
        std::process::id()
    ))
}

//! Writing files safely: private permissions (0600), a temporary file then a rename, and no
//! overwriting without permission.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::error::RomcamError;

fn output_error(path: &Path, what: impl std::fmt::Display) -> anyhow::Error {
    RomcamError::Output(format!("cannot write {}: {what}", path.display())).into()
}

/// Writes `bytes` to `path` atomically. Refuses to replace an existing file unless `force`.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if path.exists() && !force {
        return Err(output_error(path, "the file exists (use --force to replace it)"));
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".romcam-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| output_error(path, e))?;
    tmp.write_all(bytes).map_err(|e| output_error(path, e))?;
    tmp.as_file().sync_all().map_err(|e| output_error(path, e))?;
    crate::interrupt::check()?;
    tmp.persist(path).map_err(|e| output_error(path, e.error))?;
    Ok(())
}

//! Writing files safely: private permissions (0600), a temporary file then a rename, and no
//! overwriting without permission.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::error::RomcamError;

fn output_error(path: &Path, what: impl std::fmt::Display) -> anyhow::Error {
    RomcamError::Output(format!("cannot write {}: {what}", shown(path))).into()
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

/// A path as shown in a message: control characters (an escape sequence in a file name could
/// recolour or rewrite the terminal) are written as escapes such as `\u{1b}`; the rest is
/// shown as is.
pub fn shown(path: &Path) -> String {
    path.display()
        .to_string()
        .chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_in_a_path_are_escaped() {
        let p = std::path::Path::new("clip\u{1b}[31mred\u{7}.mp4");
        assert_eq!(super::shown(p), "clip\\u{1b}[31mred\\u{7}.mp4");
        assert_eq!(super::shown(std::path::Path::new("é ü 名前.mp4")), "é ü 名前.mp4");
    }
}

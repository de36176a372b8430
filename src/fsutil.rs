//! Writing files safely: private permissions (0600), a temporary file then a rename, and no
//! overwriting without permission; temporary files left by a killed romcam are removed by the
//! next run that writes to the same folder; paths shown in messages with control characters
//! escaped.

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
    let mut tmp = temp_file_beside(path, ".tmp")?;
    tmp.write_all(bytes).map_err(|e| output_error(path, e))?;
    tmp.as_file().sync_all().map_err(|e| output_error(path, e))?;
    crate::interrupt::check()?;
    tmp.persist(path).map_err(|e| output_error(path, e.error))?;
    Ok(())
}

/// A new private temporary file in the folder of `path` (named with [`temp_prefix`] and
/// `suffix`), after removing the temporary files dead romcam processes left there.
pub fn temp_file_beside(path: &Path, suffix: &str) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    remove_stale_temp_files(dir);
    tempfile::Builder::new()
        .prefix(&temp_prefix())
        .suffix(suffix)
        .tempfile_in(dir)
        .map_err(|e| output_error(path, e))
}

/// The name prefix of romcam's temporary files: `.romcam-PID-`, so that a later run can tell
/// the files of a process that no longer runs (killed with SIGKILL, or by a power cut).
pub fn temp_prefix() -> String {
    format!(".romcam-{}-", std::process::id())
}

/// Removes the temporary files in `dir` left by romcam processes that no longer run. Errors
/// are ignored: this is tidying, not the job.
pub fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(".romcam-")) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<libc::pid_t>().ok()) else { continue };
        if pid <= 0 || pid as u32 == std::process::id() {
            continue;
        }
        // SAFETY: kill with signal 0 sends nothing; it only asks whether the process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
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

/// The last component of a path ("…/Clients/Meier_Hans/pre.mp4" → "pre.mp4").
pub fn file_name_only(path: &str) -> String {
    Path::new(path).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| path.to_string())
}

/// Refuses an output path that is the input video itself (`--force` included).
pub fn refuse_overwriting_input(out: &Path, video: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let same = match (std::fs::metadata(out), std::fs::metadata(video)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    if same {
        return Err(RomcamError::Output(format!(
            "{} is the input video: romcam does not write over it, even with --force",
            shown(out)
        ))
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_files_of_dead_processes_are_removed_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // pid 2^22 + 1 is above Linux's pid_max limit, so no process has it
        let stale = d.join(".romcam-4194305-abc.mp4");
        let mine = d.join(format!("{}x.tmp", super::temp_prefix()));
        let other = d.join(".romcam-notapid.tmp");
        let report = d.join("report.pdf");
        for f in [&stale, &mine, &other, &report] {
            std::fs::write(f, b"x").unwrap();
        }
        super::remove_stale_temp_files(d);
        assert!(!stale.exists());
        assert!(mine.exists() && other.exists() && report.exists());
    }

    #[test]
    fn control_characters_in_a_path_are_escaped() {
        let p = std::path::Path::new("clip\u{1b}[31mred\u{7}.mp4");
        assert_eq!(super::shown(p), "clip\\u{1b}[31mred\\u{7}.mp4");
        assert_eq!(super::shown(std::path::Path::new("é ü 名前.mp4")), "é ü 名前.mp4");
    }
}

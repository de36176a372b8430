//! `romcam import`: reads a client export back into the store; records already present are
//! skipped.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;

pub fn run(data_dir: Option<&Path>, file: &Path) -> Result<i32> {
    if file.is_dir() {
        return run_folder(data_dir, file);
    }
    // the file is read and checked completely before the store is opened (or created), so a
    // refused file leaves no store behind
    let export = crate::store::transfer::read_export_file(file)?;
    let mut store = open_store(data_dir)?;
    let s = store.import_client(&export)?;
    let mut line = format!(
        "imported client {}: {} new sessions, {} new assessments ({} already present)",
        s.client, s.sessions_added, s.assessments_added, s.assessments_already_present
    );
    if s.audit_entries_added > 0 {
        line.push_str(&format!(", {} new entries in the record's audit trail", s.audit_entries_added));
    }
    if s.assessments_removed_here > 0 {
        line.push_str(&format!(
            ", {} assessments that the audit trail says were removed or replaced left out",
            s.assessments_removed_here
        ));
    }
    println!("{line}");
    Ok(EXIT_OK)
}

/// Imports every `.json` file of a folder written by `romcam export --all`, in name order, each
/// client in its own transaction; every file is read and checked before the store is opened.
fn run_folder(data_dir: Option<&Path>, folder: &Path) -> Result<i32> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .map_err(|e| crate::error::RomcamError::Input(format!("{}: cannot be read ({e})", folder.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let exports =
        files.iter().map(|f| crate::store::transfer::read_export_file(f)).collect::<Result<Vec<_>>>()?;
    let mut store = open_store(data_dir)?;
    let (mut added, mut present) = (0, 0);
    for export in &exports {
        let s = store.import_client(export)?;
        added += s.assessments_added;
        present += s.assessments_already_present;
    }
    println!("imported {} clients: {added} new assessments ({present} already present)", exports.len());
    Ok(EXIT_OK)
}

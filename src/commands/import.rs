//! `romcam import`: reads a client export back into the store; records already present are
//! skipped.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;

pub fn run(data_dir: Option<&Path>, file: &Path) -> Result<i32> {
    // the file is read and checked completely before the store is opened (or created), so a
    // refused file leaves no store behind
    let export = crate::store::transfer::read_export_file(file)?;
    let mut store = open_store(data_dir)?;
    let s = store.import_client(&export)?;
    println!(
        "imported client {}: {} new sessions, {} new assessments ({} already present)",
        s.client, s.sessions_added, s.assessments_added, s.assessments_already_present
    );
    Ok(EXIT_OK)
}

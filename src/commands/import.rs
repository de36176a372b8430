//! `romcam import`: reads a client export back into the store; records already present are
//! skipped.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::{RomcamError, EXIT_OK};

pub fn run(data_dir: Option<&Path>, file: &Path) -> Result<i32> {
    let mut store = open_store(data_dir)?;
    let text = std::fs::read_to_string(file)
        .map_err(|e| RomcamError::Input(format!("{}: cannot be read ({e})", file.display())))?;
    let export = crate::store::transfer::parse_export(&text)?;
    let s = store.import_client(&export)?;
    println!(
        "imported client {}: {} new sessions, {} new assessments ({} already present)",
        s.client, s.sessions_added, s.assessments_added, s.assessments_already_present
    );
    Ok(EXIT_OK)
}

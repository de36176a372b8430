//! `romcam export`: every record of a client as JSON, to a file or stdout.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;

/// Runs `romcam export`; says on stderr what it wrote unless `quiet`.
pub fn run(
    data_dir: Option<&Path>,
    client: &str,
    out: Option<&Path>,
    force: bool,
    quiet: bool,
) -> Result<i32> {
    let export = open_store(data_dir)?.export_client(client)?;
    let text = serde_json::to_string_pretty(&export)?;
    match out {
        Some(path) => {
            crate::fsutil::write_atomic(path, text.as_bytes(), force)?;
            if !quiet {
                eprintln!("romcam: wrote {} (client {client})", crate::fsutil::shown(path));
            }
        }
        None => println!("{text}"),
    }
    Ok(EXIT_OK)
}

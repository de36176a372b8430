//! `romcam export`: every record of a client as JSON, to a file or stdout; `--all`: every
//! client, one file each in a folder (what `romcam import FOLDER` reads back).

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

/// Runs `romcam export --all --out FOLDER`: one `CODE.json` per client.
pub fn run_all(data_dir: Option<&Path>, folder: &Path, force: bool, quiet: bool) -> Result<i32> {
    let store = open_store(data_dir)?;
    std::fs::create_dir_all(folder).map_err(|e| {
        crate::error::RomcamError::Output(format!("cannot create the folder {}: {e}", folder.display()))
    })?;
    let clients = store.clients()?;
    for c in &clients {
        let export = store.export_client(&c.code)?;
        let text = serde_json::to_string_pretty(&export)?;
        crate::fsutil::write_atomic(&folder.join(format!("{}.json", c.code)), text.as_bytes(), force)?;
    }
    if !quiet {
        eprintln!("romcam: wrote {} clients into {}", clients.len(), crate::fsutil::shown(folder));
    }
    Ok(EXIT_OK)
}

//! `romcam delete`: erases a client and all their records, after the user types the client's
//! code at the terminal (or with `--yes`).

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::{RomcamError, EXIT_OK};

pub fn run(data_dir: Option<&Path>, client: &str, yes: bool) -> Result<i32> {
    let mut store = open_store(data_dir)?;
    store.require_client(client)?;
    if !yes && !confirmed(client)? {
        eprintln!("romcam: nothing was deleted");
        return Ok(EXIT_OK);
    }
    let n = store.delete_client(client)?;
    println!("erased client {client} and {n} assessments");
    Ok(EXIT_OK)
}

/// Asks at the terminal for the client code; refuses when stdin is not a terminal.
fn confirmed(client: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(RomcamError::Store(format!(
            "not deleting client {client:?}: confirm at a terminal, or pass --yes"
        ))
        .into());
    }
    eprint!("Erase client {client} and all their assessments? This cannot be undone. Type the client code to confirm: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == client)
}

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
    if !yes {
        let typed = confirmation(client)?;
        if typed != client {
            return Err(RomcamError::Declined(format!(
                "nothing was deleted: the code typed ({typed:?}) is not the client's code {client:?}"
            ))
            .into());
        }
    }
    let n = store.delete_client(client)?;
    println!("erased client {client} and {n} assessments");
    Ok(EXIT_OK)
}

/// Asks at the terminal for the client code and returns what was typed; refuses when stdin is
/// not a terminal.
fn confirmation(client: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(RomcamError::Declined(format!(
            "nothing was deleted: client {client:?} is erased only when its code is typed at a terminal, or with --yes"
        ))
        .into());
    }
    eprint!("Erase client {client} and all their assessments? This cannot be undone. Type the client code to confirm: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

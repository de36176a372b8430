//! `romcam remove`: removes one stored assessment, after the user types its id at the terminal
//! (or with `--yes`); the removal, with what was removed, goes into the client's audit trail.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::{RomcamError, EXIT_OK};
use crate::report::ReportConfig;

pub fn run(data_dir: Option<&Path>, id: &str, yes: bool, config: &Option<ReportConfig>) -> Result<i32> {
    let mut store = open_store(data_dir)?;
    let a = store.resolve(id)?;
    if !yes {
        let typed = confirmation(&a.id, &a.client)?;
        if typed.to_ascii_lowercase() != a.id {
            return Err(RomcamError::Declined(format!(
                "nothing was removed: the id typed ({typed:?}) is not the assessment's id {}",
                a.id
            ))
            .into());
        }
    }
    let by = super::who(config);
    let removed = store.remove(&a.uid, &by)?;
    println!(
        "removed assessment {} of client {} ({} leg, session {}, {}); the removal is in the client's record",
        removed.id, removed.client, removed.side, removed.session_date, removed.phase
    );
    Ok(EXIT_OK)
}

/// Asks at the terminal for the assessment's id and returns what was typed; refuses when stdin
/// is not a terminal.
fn confirmation(id: &str, client: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(RomcamError::Declined(format!(
            "nothing was removed: assessment {id} is removed only when its id is typed at a terminal, or with --yes"
        ))
        .into());
    }
    eprint!("Remove assessment {id} of client {client}? Type the assessment id to confirm: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

//! `romcam note`: sets a client's note (the change goes into the client's audit trail).

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;
use crate::report::ReportConfig;

pub fn run(data_dir: Option<&Path>, client: &str, note: &str, config: &Option<ReportConfig>) -> Result<i32> {
    let mut store = open_store(data_dir)?;
    let by = super::who(config);
    let changed = store.set_client_note(client, note, &by)?;
    match (changed, note.trim().is_empty()) {
        (false, _) => println!("client {client}'s note already reads so; nothing changed"),
        (true, true) => println!("client {client}'s note cleared"),
        (true, false) => println!("client {client}'s note set"),
    }
    Ok(EXIT_OK)
}

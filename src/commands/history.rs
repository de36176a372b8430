//! `romcam history`: every assessment of a client over time, per side, with the notes and the
//! corrections to the record.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;

pub fn run(data_dir: Option<&Path>, client: &str, json: bool) -> Result<i32> {
    let store = open_store(data_dir)?;
    let list = store.history(client)?;
    let note = store.client_note(client)?;
    let trail = store.audit_trail(client)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "client": client,
                "notes": note,
                "assessments": list,
                "corrections": trail,
            }))?
        );
    } else {
        print!("{}", crate::terminal::history_table(&list, note.as_deref(), &trail));
    }
    Ok(EXIT_OK)
}

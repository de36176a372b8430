//! `romcam history`: every assessment of a client over time, per side.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;

pub fn run(data_dir: Option<&Path>, client: &str, json: bool) -> Result<i32> {
    let list = open_store(data_dir)?.history(client)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "client": client, "assessments": list }))?
        );
    } else {
        print!("{}", crate::terminal::history_table(&list));
    }
    Ok(EXIT_OK)
}

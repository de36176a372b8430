//! `romcam clients`: the clients in the store.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;

pub fn run(data_dir: Option<&Path>, json: bool) -> Result<i32> {
    let store = open_store(data_dir)?;
    let list = store.clients()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "clients": list }))?);
    } else {
        print!("{}", crate::terminal::clients_table(&list, &store.path));
    }
    Ok(EXIT_OK)
}

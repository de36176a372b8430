//! `romcam clients`: the clients in the store.

use std::path::Path;

use anyhow::Result;

use crate::error::EXIT_OK;

/// Lists the clients; read-only, so a store is not created where there is none.
pub fn run(data_dir: Option<&Path>, json: bool) -> Result<i32> {
    let Some(store) = crate::store::open_chosen_existing(data_dir)? else {
        let dir = crate::store::data_dir(data_dir)?;
        if json {
            println!("{}", serde_json::json!({ "clients": [] }));
        } else {
            println!("no clients in {}", crate::fsutil::shown(&dir));
        }
        return Ok(EXIT_OK);
    };
    let list = store.clients()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "clients": list }))?);
    } else {
        print!("{}", crate::terminal::clients_table(&list, &store.path));
    }
    Ok(EXIT_OK)
}

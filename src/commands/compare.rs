//! `romcam compare`: the change per side between two stored assessments (named by their
//! sessions and phases), both measures judged against the minimal detectable change: real
//! improvement, real worsening or within measurement error.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;
use crate::store::compare::Selection;

pub fn run(data_dir: Option<&Path>, client: &str, selection: &Selection, json: bool) -> Result<i32> {
    let c = open_store(data_dir)?.compare(client, selection)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&c)?);
    } else {
        print!("{}", crate::terminal::comparison_text(&c));
    }
    Ok(EXIT_OK)
}

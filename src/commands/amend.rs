//! `romcam amend`: corrects a stored assessment's phase, session or note, each change appended
//! to the client's audit trail (old value, new value, when, who).

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::EXIT_OK;
use crate::report::ReportConfig;
use crate::store::audit::Amendment;

pub fn run(
    data_dir: Option<&Path>,
    id: &str,
    change: &Amendment,
    config: &Option<ReportConfig>,
) -> Result<i32> {
    let mut store = open_store(data_dir)?;
    let by = super::who(config);
    let stored = store.resolve(id)?;
    let entries = store.amend(id, change, &by)?;
    if entries.is_empty() {
        println!("assessment {} already reads so; nothing changed", stored.id);
    }
    for e in &entries {
        println!("{}", e.sentence());
    }
    Ok(EXIT_OK)
}

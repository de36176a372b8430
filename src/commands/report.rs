//! `romcam report`: a PDF or HTML report from the client store (one stored assessment, a
//! comparison of two assessments per leg or a client's history). The output file is checked first, then the
//! store is opened, the page is made from what it holds ([`crate::report::stored`]: nothing is
//! measured again) and drawn in the format asked for, and the file is written atomically.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::error::{RomcamError, EXIT_OK};
use crate::report::stored::{self, StoredReportRequest};
use crate::report::{self, Header};

/// Runs `romcam report` and returns its exit code.
pub fn run(data_dir: Option<&Path>, request: &StoredReportRequest, quiet: bool) -> Result<i32> {
    let out = &request.out;
    // an existing file without --force is refused before the store is opened (exit 7)
    report::refuse_existing(std::slice::from_ref(out), request.force)?;
    let store = open_store(data_dir)?;
    let mut header = Header::new(&report::resolve_config(&request.config));
    header.client = Some(request.client.clone());
    let document = stored::document(&store, &request.kind, &request.client, header)?;
    let renderer = out.format.renderer().ok_or_else(|| {
        RomcamError::Output(format!(
            "{}: a report from the store is a PDF or an HTML file",
            out.path.display()
        ))
    })?;
    let bytes = renderer.render(&document)?;
    crate::fsutil::write_atomic(&out.path, &bytes, request.force)?;
    if !quiet {
        eprintln!("romcam: wrote {}", crate::fsutil::shown(&out.path));
    }
    Ok(EXIT_OK)
}

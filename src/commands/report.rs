//! `romcam report`: a PDF or HTML report from the client store (one stored assessment, a
//! before/after comparison or a client's history). The page itself is made by
//! [`crate::report::stored`]; the store is opened only once the output file is known to be
//! writable.

use std::path::Path;

use anyhow::Result;

use super::open_store;
use crate::report::stored::{self, StoredReportRequest};

pub fn run(data_dir: Option<&Path>, request: &StoredReportRequest) -> Result<i32> {
    stored::write(request, || open_store(data_dir))
}

//! `romcam report`: reports made from the client store, for one stored assessment, a
//! before/after comparison or a client's history. They show what the store holds: nothing is
//! measured again, and the key frames are the ones stored with the assessments.

use anyhow::Result;

use super::comparison::{self, ComparisonReport};
use super::content::{Header, PageContent, ReportConfig, ReportContent};
use super::history::{self, HistoryReport};
use super::{keyframe, ReportFormat, ReportTarget};
use crate::error::{RomcamError, EXIT_OK};
use crate::store::compare::Selection;
use crate::store::Store;

/// What to report on.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredReportKind {
    /// One stored assessment: the same page as `assess --report`.
    Assessment(i64),
    /// A before/after comparison (one page).
    Compare(Selection),
    /// Every assessment of the client over time.
    History,
}

#[derive(Debug, Clone)]
pub struct StoredReportRequest {
    pub client: String,
    pub kind: StoredReportKind,
    pub out: ReportTarget,
    pub force: bool,
    /// From `--config`; None reads the default settings file, if there is one.
    pub config: Option<ReportConfig>,
}

/// Parses `--out FILE` of `romcam report` for clap: a PDF or an HTML file.
pub fn parse_out(s: &str) -> Result<ReportTarget, String> {
    let target = super::parse_target(s)
        .ok()
        .filter(|t| matches!(t.format, ReportFormat::Pdf | ReportFormat::Html))
        .ok_or_else(|| {
            format!("a report from the store is a PDF or an HTML file: {s} must end in .pdf or .html")
        })?;
    Ok(target)
}

/// Writes the report. `open` opens the store; it is called only once the output file is known
/// to be writable (an existing file without `--force` is refused first, exit 7).
pub fn write(request: &StoredReportRequest, open: impl FnOnce() -> Result<Store>) -> Result<i32> {
    let out = &request.out;
    super::refuse_existing(std::slice::from_ref(out), request.force)?;
    let store = open()?;
    store.require_client(&request.client)?;
    let mut header = Header::new(&super::resolve_config(&request.config));
    header.client = Some(request.client.clone());
    let pdf = out.format == ReportFormat::Pdf;
    let bytes = match &request.kind {
        StoredReportKind::Assessment(id) => {
            let (stored, full) = store.assessment(*id)?;
            if stored.client != request.client {
                return Err(RomcamError::Store(format!(
                    "assessment {id} is not one of client {:?}'s (see `romcam history {}`)",
                    request.client, request.client
                ))
                .into());
            }
            let key = store.key_frame(*id)?.and_then(|png| keyframe::from_stored_png(&png, None));
            let mut page = PageContent::new(&full, key);
            page.session_date = Some(stored.session_date.clone());
            page.phase = Some(stored.phase.to_string());
            let content = ReportContent::single(header, page);
            let exporter = out.format.exporter().expect("PDF and HTML have exporters");
            exporter.serialize(&content)?
        }
        StoredReportKind::Compare(selection) => {
            let r = ComparisonReport::from_store(&store, header, &request.client, selection)?;
            if pdf {
                comparison::pdf(&r)?
            } else {
                comparison::html(&r)?
            }
        }
        StoredReportKind::History => {
            let r = HistoryReport::from_store(&store, header, &request.client)?;
            if pdf {
                history::pdf(&r)?
            } else {
                history::html(&r)?
            }
        }
    };
    crate::fsutil::write_atomic(&out.path, &bytes, request.force)?;
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pdf_and_html() {
        assert_eq!(parse_out("r.pdf").unwrap().format, ReportFormat::Pdf);
        assert_eq!(parse_out("r.HTML").unwrap().format, ReportFormat::Html);
        assert!(parse_out("r.csv").unwrap_err().contains(".pdf or .html"));
        assert!(parse_out("r").is_err());
    }
}

//! Reports from the client store, for one stored assessment, a before/after comparison or a
//! client's history. This module is the one report module that reads the store: it gathers the
//! plain view data ([`ComparisonReport`], [`HistoryReport`], an assessment's [`PageContent`])
//! and has the content builders turn it into a [`Document`]; `commands::report` draws and
//! writes it. Nothing is measured again, and the key frames are the ones stored with the
//! assessments.

use anyhow::Result;

use super::comparison::{
    self, wording::missing_reason, ComparisonReport, EndpointView, SideSection, SideView,
};
use super::content::{Header, PageContent, ReportConfig, ReportContent};
use super::document::Document;
use super::history::{self, HistoryReport};
use super::{assessment, keyframe, ReportFormat, ReportTarget};
use crate::error::RomcamError;
use crate::store::compare::Selection;
use crate::store::records::StoredAssessment;
use crate::store::Store;

/// What to report on.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredReportKind {
    /// One stored assessment, by the id `history` shows (or a unique prefix of its uid): the
    /// same page as `assess --report`.
    Assessment(String),
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

/// The document of a report from the store: one stored assessment, a comparison or the
/// history of `client` (who must exist), under `header`.
pub fn document(store: &Store, kind: &StoredReportKind, client: &str, header: Header) -> Result<Document> {
    store.require_client(client)?;
    Ok(match kind {
        StoredReportKind::Assessment(id) => {
            let (stored, full) = store.assessment(id)?;
            if stored.client != client {
                return Err(RomcamError::Store(format!(
                    "assessment {id} is not one of client {client:?}'s (see `romcam history {client}`)"
                ))
                .into());
            }
            let key = store.key_frame(&stored)?.and_then(|png| keyframe::from_stored_png(&png, None));
            let mut page = PageContent::new(&full, key);
            page.session_date = Some(stored.session_date.clone());
            page.phase = Some(stored.phase.to_string());
            page.assessment_id = Some(stored.id.clone());
            page.notes = stored.notes.clone();
            let trail: Vec<_> = store
                .audit_trail(client)?
                .into_iter()
                .filter(|e| e.assessment_uid.as_deref() == Some(stored.uid.as_str()))
                .collect();
            page.corrected = corrections_summary(&trail);
            assessment::document(&ReportContent::single(header, page))
        }
        StoredReportKind::Compare(selection) => {
            comparison::document(&load_comparison(store, header, client, selection)?)
        }
        StoredReportKind::History => history::document(&load_history(store, header, client)?),
    })
}

/// That a stored assessment was corrected since it was made, for the page's header: how many
/// changes and the day of the last ("2 changes, last 2026-12-04"); `romcam history` lists them
/// with the old and the new values. None when it never was.
fn corrections_summary(trail: &[crate::store::audit::AuditEntry]) -> Option<String> {
    let last = trail.last()?;
    let day = last.at.get(..10).unwrap_or(&last.at);
    Some(match trail.len() {
        1 => format!("1 change, {day}"),
        n => format!("{n} changes, last {day}"),
    })
}

fn endpoint(store: &Store, all: &[StoredAssessment], uid: &str) -> Result<EndpointView> {
    let stored = match all.iter().find(|a| a.uid == uid) {
        Some(a) => a.clone(),
        None => store.resolve(uid)?,
    };
    let key_frame =
        store.key_frame(&stored)?.and_then(|png| keyframe::from_stored_png(&png, Some(comparison::THUMB_PX)));
    Ok(EndpointView { stored, key_frame })
}

/// Gathers a comparison and what it compares from the store: per leg the store's change with
/// the two assessments compared, or why there is none.
pub fn load_comparison(
    store: &Store,
    header: Header,
    client: &str,
    selection: &Selection,
) -> Result<ComparisonReport> {
    let comparison = store.compare(client, selection)?;
    let all = store.history(client)?;
    let mut sides = Vec::new();
    for side in ["left", "right"] {
        let of_side: Vec<&StoredAssessment> = all.iter().filter(|a| a.side.name() == side).collect();
        let withheld_of_side: Vec<&StoredAssessment> =
            of_side.iter().copied().filter(|a| a.hip_extension_deg.is_none()).collect();
        match comparison.changes.iter().find(|c| c.side.name() == side) {
            Some(change) => {
                let dates = [&change.before.session_date, &change.after.session_date];
                let withheld = withheld_of_side
                    .iter()
                    .filter(|a| dates.contains(&&a.session_date))
                    .map(|a| (*a).clone())
                    .collect();
                sides.push(SideSection::Compared(Box::new(SideView {
                    change: change.clone(),
                    before: endpoint(store, &all, &change.before.uid)?,
                    after: endpoint(store, &all, &change.after.uid)?,
                    withheld,
                })));
            }
            None => {
                let ids: Vec<String> = withheld_of_side.iter().map(|a| a.id.clone()).collect();
                sides.push(SideSection::Missing {
                    side: side.to_string(),
                    reason: missing_reason(side, of_side.len(), &ids),
                });
            }
        }
    }
    // the page names the assessments compared by the ids `history` shows, whatever prefix was typed
    let selection = match selection {
        Selection::Assessments(x, y) => Selection::Assessments(store.resolve(x)?.id, store.resolve(y)?.id),
        other => other.clone(),
    };
    Ok(ComparisonReport { header, selection, comparison, sides })
}

/// Gathers a client's history from the store, with the thresholds and norms of the latest
/// measured assessment for the chart's lines.
pub fn load_history(store: &Store, header: Header, client: &str) -> Result<HistoryReport> {
    let rows = store.history(client)?;
    let criteria = match rows.iter().rev().find(|a| a.hip_extension_deg.is_some()) {
        Some(a) => Some(store.full_result(a)?.criteria),
        None => None,
    };
    let client_notes = store.client_note(client)?;
    let corrections = store.audit_trail(client)?.iter().map(|e| e.sentence()).collect();
    Ok(HistoryReport { header, rows, criteria, client_notes, corrections })
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

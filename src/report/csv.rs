//! The per-frame series as CSV, for a spreadsheet: one row per frame of the clip, empty cells
//! where a frame has no value (the test leg was not seen well enough).

use std::fmt::Write;

use anyhow::Result;

use super::content::ReportContent;
use super::Exporter;

pub struct CsvExporter;

pub const COLUMNS: [&str; 8] = [
    "frame",
    "t_s",
    "hip_extension_deg",
    "knee_flexion_deg",
    "thigh_to_trunk_deg",
    "hip_extension_smoothed_deg",
    "knee_flexion_smoothed_deg",
    "in_hold",
];

fn cell(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_default()
}

impl Exporter for CsvExporter {
    /// Columns as in [`COLUMNS`]; `in_hold` is 1 inside the hold, else 0. With more than one
    /// assessment, a first column `assessment` (1, 2, ...) tells them apart.
    fn serialize(&self, report: &ReportContent) -> Result<Vec<u8>> {
        let several = report.pages.len() > 1;
        let mut out = String::new();
        if several {
            out.push_str("assessment,");
        }
        out.push_str(&COLUMNS.join(","));
        out.push_str("\r\n");
        for (n, page) in report.pages.iter().enumerate() {
            let m = &page.assessment.measurement;
            for (i, s) in m.samples.iter().enumerate() {
                let in_hold = m.hold.is_some_and(|h| i >= h.start_frame && i <= h.end_frame);
                if several {
                    let _ = write!(out, "{},", n + 1);
                }
                let _ = write!(
                    out,
                    "{i},{:.4},{},{},{},{},{},{}\r\n",
                    s.t,
                    cell(s.hip_extension_deg),
                    cell(s.knee_flexion_deg),
                    cell(s.thigh_to_trunk_deg),
                    cell(s.hip_extension_smoothed_deg),
                    cell(s.knee_flexion_smoothed_deg),
                    u8::from(in_hold)
                );
            }
        }
        Ok(out.into_bytes())
    }
}

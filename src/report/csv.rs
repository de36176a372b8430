//! The per-frame series as CSV, for a spreadsheet: one row per frame of the clip, empty cells
//! where a frame has no value (the test leg was not seen well enough). The columns are the
//! fields of [`Row`], written by the csv crate.

use anyhow::Result;
use serde::{Serialize, Serializer};

use super::content::ReportContent;
use super::Exporter;

pub struct CsvExporter;

/// A number written with a fixed count of decimals (the CSV's cells are as precise as romcam).
#[derive(Debug, Clone, Copy)]
struct Fixed<const DECIMALS: usize>(f64);

impl<const DECIMALS: usize> Serialize for Fixed<DECIMALS> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:.*}", DECIMALS, self.0))
    }
}

/// One frame of one assessment. `in_hold` is 1 inside the hold, else 0. With more than one
/// assessment, a first column `assessment` (1, 2, ...) tells them apart.
#[derive(Serialize)]
struct Row {
    #[serde(skip_serializing_if = "Option::is_none")]
    assessment: Option<usize>,
    frame: usize,
    t_s: Fixed<4>,
    hip_extension_deg: Option<Fixed<2>>,
    knee_flexion_deg: Option<Fixed<2>>,
    thigh_to_trunk_deg: Option<Fixed<2>>,
    hip_extension_smoothed_deg: Option<Fixed<2>>,
    knee_flexion_smoothed_deg: Option<Fixed<2>>,
    in_hold: u8,
}

impl Exporter for CsvExporter {
    fn serialize(&self, report: &ReportContent) -> Result<Vec<u8>> {
        let several = report.pages.len() > 1;
        let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        for (n, page) in report.pages.iter().enumerate() {
            let m = &page.assessment.measurement;
            for (i, s) in m.samples.iter().enumerate() {
                out.serialize(Row {
                    assessment: several.then_some(n + 1),
                    frame: i,
                    t_s: Fixed(s.t),
                    hip_extension_deg: s.hip_extension_deg.map(Fixed),
                    knee_flexion_deg: s.knee_flexion_deg.map(Fixed),
                    thigh_to_trunk_deg: s.thigh_to_trunk_deg.map(Fixed),
                    hip_extension_smoothed_deg: s.hip_extension_smoothed_deg.map(Fixed),
                    knee_flexion_smoothed_deg: s.knee_flexion_smoothed_deg.map(Fixed),
                    in_hold: u8::from(m.hold.is_some_and(|h| i >= h.start_frame && i <= h.end_frame)),
                })?;
            }
        }
        out.into_inner().map_err(|e| anyhow::anyhow!("the CSV could not be made: {e}"))
    }
}

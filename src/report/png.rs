//! The annotated key frame on its own, as PNG.

use anyhow::Result;

use super::content::ReportContent;
use super::Exporter;
use crate::error::RomcamError;

pub struct PngExporter;

impl Exporter for PngExporter {
    fn serialize(&self, report: &ReportContent) -> Result<Vec<u8>> {
        let [page] = report.pages.as_slice() else {
            anyhow::bail!("a PNG holds the key frame of one assessment, not {}", report.pages.len());
        };
        match &page.key_frame {
            Some(k) => Ok(k.png.clone()),
            None => Err(RomcamError::NotMeasurable(
                "there is no key frame to write: no hold (still period) was found".into(),
            )
            .into()),
        }
    }
}

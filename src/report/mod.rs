//! Reports: turns assessments into files, and draws on frames (skeleton, key frame, overlay
//! video).
//!
//! Every report page is a [`document::Document`], a list of blocks (title, label/value pairs,
//! headings, paragraphs, tables, pictures, charts, warnings, method notes) with no format in
//! it. Three content builders make documents from plain view data, never from the store: the
//! assessment page ([`assessment`]), the before/after comparison ([`comparison`]) and a
//! client's history ([`history`]); [`stored`] reads the store for them. Two renderers draw any
//! document ([`Renderer`]): PDF ([`pdf`], krilla) and self-contained HTML ([`html`], maud,
//! escaped by default). The other formats of `assess --report` hold an assessment's data, not a
//! page ([`Exporter`]): CSV of the per-frame series, PNG of the annotated key frame, and MP4
//! (the clip with the skeleton drawn on, [`video`]). Every file is written atomically and never
//! replaces an existing one without `--force`.

pub mod assessment;
pub mod chart;
pub mod comparison;
pub mod content;
pub mod csv;
pub mod document;
pub mod face;
pub mod fonts;
pub mod history;
pub mod html;
pub mod keyframe;
pub mod overlay;
pub mod pdf;
pub mod png;
pub mod settings;
pub mod stored;
pub mod video;

use std::path::{Path, PathBuf};

use anyhow::Result;

pub use content::{Header, PageContent, ReportConfig, ReportContent};

use crate::assess::Assessment;
use crate::error::RomcamError;
use crate::pose::{PoseFrame, PoseTrack};

/// A format that draws any report document (every page kind): PDF and HTML.
pub trait Renderer {
    fn render(&self, doc: &document::Document) -> Result<Vec<u8>>;
}

/// One output format of `assess --report`: turns the assessments' content into the file's
/// bytes. PDF and HTML build the assessment page's document and render it; CSV and PNG write
/// the data itself.
pub trait Exporter {
    fn serialize(&self, report: &ReportContent) -> Result<Vec<u8>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Pdf,
    Html,
    Csv,
    Png,
    /// The clip with the skeleton drawn on (re-decoded, not made from the content).
    Mp4,
}

impl ReportFormat {
    /// The format named by a file's extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => ReportFormat::Pdf,
            "html" | "htm" => ReportFormat::Html,
            "csv" => ReportFormat::Csv,
            "png" => ReportFormat::Png,
            "mp4" => ReportFormat::Mp4,
            _ => return None,
        })
    }

    /// The renderer of a format that draws documents (PDF and HTML).
    pub fn renderer(self) -> Option<&'static dyn Renderer> {
        match self {
            ReportFormat::Pdf => Some(&pdf::PdfRenderer),
            ReportFormat::Html => Some(&html::HtmlRenderer),
            _ => None,
        }
    }

    /// The exporter of a format made from the report's content (all but MP4).
    pub fn exporter(self) -> Option<Box<dyn Exporter>> {
        match self {
            ReportFormat::Pdf => Some(Box::new(pdf::PdfExporter)),
            ReportFormat::Html => Some(Box::new(html::HtmlExporter)),
            ReportFormat::Csv => Some(Box::new(csv::CsvExporter)),
            ReportFormat::Png => Some(Box::new(png::PngExporter)),
            ReportFormat::Mp4 => None,
        }
    }
}

/// A report file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    pub path: PathBuf,
    pub format: ReportFormat,
}

/// Parses `--report FILE` for clap: the format comes from the extension.
pub fn parse_target(s: &str) -> Result<ReportTarget, String> {
    let path = PathBuf::from(s);
    let format = ReportFormat::from_path(&path).ok_or_else(|| {
        format!("cannot tell the report format of {s}: the name must end in .pdf, .html, .csv, .png or .mp4")
    })?;
    Ok(ReportTarget { path, format })
}

/// Refuses, before any work is done, to write into a folder that does not exist or to replace a
/// file that exists (unless `force`).
pub fn refuse_existing(targets: &[ReportTarget], force: bool) -> Result<()> {
    for t in targets {
        let dir = t.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(RomcamError::Output(format!(
                "cannot write {}: the folder {} does not exist",
                t.path.display(),
                dir.display()
            ))
            .into());
        }
    }
    if force {
        return Ok(());
    }
    match targets.iter().find(|t| t.path.exists()) {
        Some(t) => {
            Err(RomcamError::Output(format!("{} exists (use --force to replace it)", t.path.display()))
                .into())
        }
        None => Ok(()),
    }
}

/// The clip and its poses, for the MP4 output.
pub struct VideoSource<'a> {
    pub clip: &'a Path,
    pub frames: &'a [PoseFrame],
    pub blur_faces: bool,
}

/// Writes every target. Each file is made in memory first and written atomically (0600); a
/// format that cannot be made (a PNG when there is no key frame, say) does not keep the others
/// from being written, and its error is returned afterwards.
pub fn write_reports(
    targets: &[ReportTarget],
    content: &ReportContent,
    video: Option<&VideoSource>,
    force: bool,
) -> Result<()> {
    let mut first_error: Option<anyhow::Error> = None;
    for t in targets {
        crate::interrupt::check()?;
        let written = match (t.format.exporter(), video) {
            (Some(exporter), _) => exporter
                .serialize(content)
                .and_then(|bytes| crate::fsutil::write_atomic(&t.path, &bytes, force)),
            (None, Some(v)) => video::write_overlay_video(v.clip, v.frames, &t.path, force, v.blur_faces),
            (None, None) => {
                Err(RomcamError::Output(format!("{}: no clip to draw the video from", t.path.display()))
                    .into())
            }
        };
        if let Err(e) = written {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// What `assess --report` asks for.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    pub targets: Vec<ReportTarget>,
    pub force: bool,
    pub blur_faces: bool,
    /// From `--config`; None reads the default settings file, if there is one.
    pub config: Option<ReportConfig>,
    /// Filled in by the client store when it is used.
    pub client: Option<String>,
    pub session_date: Option<String>,
    pub phase: Option<crate::store::records::Phase>,
}

impl ReportRequest {
    /// `--blur-faces`, or `blur_faces = true` in the settings file.
    pub fn blurs_faces(&self) -> bool {
        self.blur_faces || resolve_config(&self.config).blur_faces.unwrap_or(false)
    }
}

/// The settings given with `--config`, or those of the default settings file (a warning when it
/// cannot be read).
pub fn resolve_config(given: &Option<ReportConfig>) -> ReportConfig {
    match given {
        Some(c) => c.clone(),
        None => {
            let (c, warning) = ReportConfig::load_default();
            if let Some(w) = warning {
                eprintln!("romcam: warning: {w}; the report names no clinic or therapist");
            }
            c
        }
    }
}

/// Gathers the content and writes the requested reports of one assessment, with its key
/// frame (rendered by the caller, who may also store it).
pub fn write_assessment_reports(
    request: &ReportRequest,
    clip: &Path,
    track: &PoseTrack,
    assessment: &Assessment,
    key_frame: Option<keyframe::KeyFrame>,
) -> Result<()> {
    if request.targets.is_empty() {
        return Ok(());
    }
    let config = resolve_config(&request.config);
    let blur_faces = request.blur_faces || config.blur_faces.unwrap_or(false);
    let mut header = Header::new(&config);
    header.client = request.client.clone();
    let mut page = PageContent::new(assessment, key_frame);
    page.session_date = request.session_date.clone();
    page.phase = request.phase.map(|p| p.to_string());
    let content = ReportContent::single(header, page);
    let source = VideoSource { clip, frames: &track.frames, blur_faces };
    write_reports(&request.targets, &content, Some(&source), request.force)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension() {
        assert_eq!(parse_target("a/b.PDF").unwrap().format, ReportFormat::Pdf);
        assert_eq!(parse_target("r.htm").unwrap().format, ReportFormat::Html);
        assert_eq!(parse_target("s.csv").unwrap().format, ReportFormat::Csv);
        assert_eq!(parse_target("k.png").unwrap().format, ReportFormat::Png);
        assert_eq!(parse_target("v.mp4").unwrap().format, ReportFormat::Mp4);
        assert!(parse_target("report.docx").is_err());
        assert!(parse_target("report").is_err());
    }

    #[test]
    fn existing_files_are_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, "old").unwrap();
        let targets = vec![ReportTarget { path: path.clone(), format: ReportFormat::Csv }];
        let err = refuse_existing(&targets, false).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), 7);
        assert!(refuse_existing(&targets, true).is_ok());
        let nowhere =
            vec![ReportTarget { path: dir.path().join("no/such/folder/r.pdf"), format: ReportFormat::Pdf }];
        let err = refuse_existing(&nowhere, true).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), 7);
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}

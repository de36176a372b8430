//! Reports: turns assessments into files, and draws on frames (skeleton, key frame, overlay
//! video).
//!
//! Every report page is a [`document::Document`], a list of blocks (title, label/value pairs,
//! headings, paragraphs, tables, pictures, charts, warnings, method notes) with no format in
//! it. Three content builders make documents from plain view data, never from the store: the
//! assessment page ([`assessment`]), the comparison of two assessments per leg ([`comparison`]) and a
//! client's history ([`history`]); [`stored`] reads the store for them. Two renderers draw any
//! document ([`Renderer`]): PDF ([`pdf`], krilla) and self-contained HTML ([`html`], maud,
//! escaped by default). The other formats of `assess --report` hold an assessment's data, not a
//! page ([`Exporter`]): CSV of the per-frame series, PNG of the annotated key frame, and MP4
//! (the clip with the skeleton, the test leg, the angles and the hold drawn on, [`video`]). Every file is written atomically and never
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
use crate::pose::PoseTrack;

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

/// Refuses, before any work is done, every report that could not be written: a folder that
/// does not exist or cannot be written, a file that exists (unless `force`), a folder in place
/// of a file, the same file named twice, or one of the `inputs` (the clip) named as a report.
pub fn refuse_existing(targets: &[ReportTarget], force: bool) -> Result<()> {
    check_targets(targets, force, &[])
}

/// [`refuse_existing`], also refusing to write over any of `inputs`.
pub fn check_targets(targets: &[ReportTarget], force: bool, inputs: &[&Path]) -> Result<()> {
    let refuse = |t: &ReportTarget, why: String| -> Result<()> {
        Err(RomcamError::Output(format!("cannot write {}: {why}", t.path.display())).into())
    };
    let identity = |p: &Path| -> PathBuf {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::canonicalize(dir)
            .unwrap_or_else(|_| dir.to_path_buf())
            .join(p.file_name().unwrap_or_default())
    };

    let mut seen: Vec<PathBuf> = Vec::new();
    for t in targets {
        let dir = t.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return refuse(t, format!("the folder {} does not exist", dir.display()));
        }
        let id = identity(&t.path);
        if seen.contains(&id) {
            return refuse(t, "the same report file is named twice".into());
        }
        for input in inputs {
            crate::fsutil::refuse_overwriting_input(&t.path, input)?;
        }
        seen.push(id);
        if t.path.is_dir() {
            return refuse(t, "it is a folder".into());
        }
        if t.path.exists() && !force {
            return Err(RomcamError::Output(format!(
                "{} exists (use --force to replace it)",
                t.path.display()
            ))
            .into());
        }
        if let Err(e) = tempfile::Builder::new().prefix(&crate::fsutil::temp_prefix()).tempfile_in(dir) {
            return refuse(t, format!("the folder {} cannot be written ({e})", dir.display()));
        }
    }
    Ok(())
}

pub use video::VideoSource;

/// Report files made but not yet in place: each waits as a private temporary file beside its
/// target, and [`PendingReports::put_in_place`] renames them all. Dropped unplaced, they vanish.
pub struct PendingReports {
    files: Vec<(tempfile::NamedTempFile, PathBuf)>,
    force: bool,
}

impl PendingReports {
    /// Renames every file to its target; the paths of those now in place, or the first error.
    pub fn put_in_place(self) -> Result<Vec<PathBuf>> {
        let mut placed = Vec::new();
        for (file, path) in self.files {
            if path.exists() && !self.force {
                return Err(RomcamError::Output(format!(
                    "{} exists (use --force to replace it)",
                    path.display()
                ))
                .into());
            }
            file.persist(&path)
                .map_err(|e| RomcamError::Output(format!("cannot write {}: {}", path.display(), e.error)))?;
            placed.push(path);
        }
        Ok(placed)
    }
}

/// Makes every target as a temporary file beside it (0600), without putting any in place: a
/// format that cannot be made fails the whole set, so that reports are written all or none.
pub fn prepare_reports(
    targets: &[ReportTarget],
    content: &ReportContent,
    video: Option<&VideoSource>,
    force: bool,
) -> Result<PendingReports> {
    let mut files = Vec::new();
    for t in targets {
        crate::interrupt::check()?;
        let output_error = |e: &dyn std::fmt::Display| -> anyhow::Error {
            RomcamError::Output(format!("cannot write {}: {e}", crate::fsutil::shown(&t.path))).into()
        };
        let suffix = if t.format == ReportFormat::Mp4 { ".mp4" } else { ".tmp" };
        let mut tmp = crate::fsutil::temp_file_beside(&t.path, suffix)?;
        match (t.format.exporter(), video) {
            (Some(exporter), _) => {
                let bytes = exporter.serialize(content)?;
                std::io::Write::write_all(&mut tmp, &bytes).map_err(|e| output_error(&e))?;
            }
            (None, Some(v)) => video::render_overlay_video(v, tmp.path(), &t.path)?,
            (None, None) => return Err(output_error(&"no clip to draw the video from")),
        }
        tmp.as_file().sync_all().map_err(|e| output_error(&e))?;
        files.push((tmp, t.path.clone()));
    }
    Ok(PendingReports { files, force })
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
    /// No progress bar while the MP4 is written (`-q`).
    pub quiet: bool,
    /// The id the assessment is stored under (its short id).
    pub assessment_id: Option<String>,
    /// `assess --note`.
    pub notes: Option<String>,
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

/// Gathers the content and makes the requested reports of one assessment, with its key
/// frame (rendered by the caller, who may also store it), as files waiting to be put in place.
pub fn prepare_assessment_reports(
    request: &ReportRequest,
    clip: &Path,
    track: &PoseTrack,
    assessment: &Assessment,
    key_frame: Option<keyframe::KeyFrame>,
) -> Result<PendingReports> {
    if request.targets.is_empty() {
        return Ok(PendingReports { files: Vec::new(), force: request.force });
    }
    let config = resolve_config(&request.config);
    let blur_faces = request.blur_faces || config.blur_faces.unwrap_or(false);
    let mut header = Header::new(&config);
    header.client = request.client.clone();
    let mut page = PageContent::new(assessment, key_frame);
    page.session_date = request.session_date.clone();
    page.phase = request.phase.map(|p| p.to_string());
    page.assessment_id = request.assessment_id.clone();
    page.notes = request.notes.clone();
    let content = ReportContent::single(header, page);
    let source = VideoSource {
        clip,
        frames: &track.frames,
        assessment: Some(assessment),
        blur_faces,
        quiet: request.quiet,
    };
    prepare_reports(&request.targets, &content, Some(&source), request.force)
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

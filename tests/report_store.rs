//! `romcam report` on a client store: the comparison page prints the store's comparison
//! figures (change, MDC95, verdict) on one page, the history lists every assessment, a stored
//! assessment gets the page of `assess --report`, and an existing file is not replaced without
//! --force.
//!
//! Set ROMCAM_REPORT_TEST_OUT=DIR to keep the files made here for a look.

mod common;

use std::path::Path;
use std::process::Command;

use common::{analysed, pdf_layout, pdf_pages, poppler, romcam, sample, KeepFiles};
use romcam::store::compare::Selection;
use romcam::store::records::{short_id, NewAssessment, Phase};
use romcam::store::Store;

const CLIENT: &str = "RS1";
const DATE: &str = "2026-11-20";

/// A small PNG standing in for the annotated key frame (the cached analysis keeps no frames).
fn key_frame_png(shade: u8) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(320, 180, |x, y| image::Rgb([shade, (x % 256) as u8, (y % 256) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Stores the cached assessment of `clip` and returns its id (the short id reports show).
fn record(store: &mut Store, clip: &str, phase: Phase, date: &str, shade: u8) -> String {
    let a = analysed(clip);
    let uid = store
        .record_assessment(&NewAssessment {
            client: CLIENT,
            session_date: date,
            phase,
            assessment: &a.assessment,
            video_path: &sample(&format!("{clip}.mp4")),
            video_sha256: common::fake_sha256(&format!("{clip}/{phase}/{date}")),
            key_frame_png: Some(key_frame_png(shade)),
            replace: false,
            note: None,
            by: "test",
            uid: None,
        })
        .expect("stored");
    short_id(&uid).to_string()
}

/// A store with dev01_pre_left before and dev02_post_left after, in one session.
fn sample_pair(dir: &Path) -> (Store, String, String) {
    let mut store = Store::open(dir).unwrap();
    let before = record(&mut store, "dev01_pre_left", Phase::Before, DATE, 40);
    let after = record(&mut store, "dev02_post_left", Phase::After, DATE, 200);
    (store, before, after)
}

fn report(data: &Path, args: &[&str], out: &Path) -> (i32, String) {
    let o = Command::new(romcam())
        .arg("report")
        .args(["--client", CLIENT])
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("--data-dir")
        .arg(data)
        // no settings file from the machine running the tests
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .output()
        .expect("romcam runs");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// The PDF's text in reading order, whitespace collapsed (sentences wrapped over lines join up).
fn pdf_words(pdf: &Path) -> String {
    let text = poppler("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_comparison_page_prints_the_stores_change_mdc_and_verdict_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let _keep = KeepFiles { dir: dir.path().to_path_buf(), prefix: "store-" };
    let data = dir.path().join("data");
    let (store, before, after) = sample_pair(&data);
    let c = store.compare(CLIENT, &Selection::Latest).unwrap();
    assert_eq!(c.changes.len(), 1);
    let ch = &c.changes[0];
    assert_eq!((ch.side.name(), &ch.before.id, &ch.after.id), ("left", &before, &after));
    assert!(ch.real, "the sample pair is a real change: {}", ch.verdict);
    drop(store);

    let pdf = dir.path().join("comparison.pdf");
    let (code, stderr) = report(&data, &["--compare"], &pdf);
    assert_eq!(code, 0, "{stderr}");
    let words = pdf_words(&pdf);
    assert!(words.contains(&ch.verdict), "the store's verdict {:?} in:\n{words}", ch.verdict);
    assert!(ch.verdict.contains("a real change"), "{}", ch.verdict);
    // The hip row of the numbers table: before, after, change, MDC95, real.
    let layout = pdf_layout(&pdf);
    let hip_row = layout
        .lines()
        .find(|l| l.contains("Hip extension") && l.contains(&format!("{:+.1}°", ch.hip_extension_change_deg)))
        .unwrap_or_else(|| panic!("no hip extension row with the change in:\n{layout}"));
    let cells: Vec<&str> = hip_row[hip_row.find("Hip extension").unwrap()..].split_whitespace().collect();
    assert_eq!(
        cells[2..],
        [
            format!("{:+.1}°", ch.before.hip_extension_deg).as_str(),
            &format!("{:+.1}°", ch.after.hip_extension_deg),
            &format!("{:+.1}°", ch.hip_extension_change_deg),
            &format!("{:.1}°", ch.mdc95_deg),
            "real"
        ],
        "{hip_row}"
    );
    let knee = ch.knee_flexion_change_deg.expect("both knees measured");
    let knee_row = layout
        .lines()
        .find(|l| l.contains("Knee flexion") && l.contains(&format!("{knee:+.1}°")))
        .unwrap_or_else(|| panic!("no knee flexion row with the change in:\n{layout}"));
    assert!(knee_row.contains(&format!("{:.1}°", ch.knee_mdc95_deg)), "{knee_row}");
    // The left is the only side: the right says so; the method names the MDC method.
    assert!(words.contains("Right leg: no assessments stored"), "{words}");
    assert!(words.contains(&c.mdc_method), "{words}");
    assert!(words.contains(&format!("assessment {before}, dev01_pre_left.mp4")), "{words}");
    assert!(words.contains(&format!("assessment {after}, dev02_post_left.mp4")), "{words}");
    // One page, with the two key frames on it.
    let pages = pdf_pages(&pdf, dir.path(), 40);
    assert_eq!(pages.len(), 1, "one page per comparison: {pages:?}");
    let images = poppler("pdfimages", &["-list".as_ref(), pdf.as_os_str()]);
    assert_eq!(images.lines().skip(2).filter(|l| !l.trim().is_empty()).count(), 2, "{images}");

    // The same as HTML.
    let html = dir.path().join("comparison.html");
    let (code, stderr) = report(&data, &["--compare", "--session", DATE], &html);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains(&ch.verdict), "verdict in the HTML");
    assert_eq!(text.matches("data:image/jpeg;base64,").count(), 2);
}

#[test]
fn a_withheld_side_is_named_and_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let _keep = KeepFiles { dir: dir.path().to_path_buf(), prefix: "store-" };
    let data = dir.path().join("data");
    let (mut store, _, _) = sample_pair(&data);
    // A right-side result the quality gate withheld.
    let mut withheld = analysed("dev03_right").assessment.clone();
    withheld.hip_extension_deg = None;
    withheld.knee_flexion_deg = None;
    withheld.uncertainty_deg = None;
    withheld.withheld_reason = Some("test: withheld".into());
    let id = store
        .record_assessment(&NewAssessment {
            client: CLIENT,
            session_date: DATE,
            phase: Phase::After,
            assessment: &withheld,
            video_path: &sample("dev03_right.mp4"),
            video_sha256: "cd".repeat(32),
            key_frame_png: None,
            replace: false,
            note: None,
            by: "test",
            uid: None,
        })
        .unwrap();
    assert_eq!(withheld.test_side.name(), "right");
    drop(store);
    let pdf = dir.path().join("withheld.pdf");
    let (code, stderr) = report(&data, &["--compare"], &pdf);
    assert_eq!(code, 0, "{stderr}");
    let words = pdf_words(&pdf);
    assert!(words.contains("Right leg: not compared"), "{words}");
    assert!(words.contains(&format!("Assessment {} was withheld", short_id(&id))), "{words}");
    assert!(words.contains("The left hip extension changed by"), "{words}");
}

#[test]
fn the_history_lists_every_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let _keep = KeepFiles { dir: dir.path().to_path_buf(), prefix: "store-" };
    let data = dir.path().join("data");
    let (store, before, after) = sample_pair(&data);
    let history = store.history(CLIENT).unwrap();
    drop(store);
    let pdf = dir.path().join("history.pdf");
    let (code, stderr) = report(&data, &["--history"], &pdf);
    assert_eq!(code, 0, "{stderr}");
    let layout = pdf_layout(&pdf);
    assert!(layout.contains("Left leg: 2 assessments"), "{layout}");
    for (id, clip) in [(&before, "dev01_pre_left.mp4"), (&after, "dev02_post_left.mp4")] {
        let a = history.iter().find(|a| a.id == *id).unwrap();
        let row = layout
            .lines()
            .find(|l| l.contains(clip))
            .unwrap_or_else(|| panic!("no row for {clip} in:\n{layout}"));
        let hip = format!("{:+.1}° ± {:.1}°", a.hip_extension_deg.unwrap(), a.uncertainty_deg.unwrap());
        let knee = format!("{:.1}°", a.knee_flexion_deg.unwrap());
        for cell in [id.to_string(), DATE.into(), a.phase.to_string(), hip, knee] {
            assert!(row.contains(&cell), "{cell} in {row}");
        }
    }
    assert_eq!(pdf_pages(&pdf, dir.path(), 40).len(), 1);
    let html = dir.path().join("history.html");
    let (code, stderr) = report(&data, &["--history"], &html);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("dev01_pre_left.mp4") && text.contains("dev02_post_left.mp4"));
}

#[test]
fn a_stored_assessment_gets_the_assess_page_with_client_session_and_phase() {
    let dir = tempfile::tempdir().unwrap();
    let _keep = KeepFiles { dir: dir.path().to_path_buf(), prefix: "store-" };
    let data = dir.path().join("data");
    let (store, _, after) = sample_pair(&data);
    let (_, full) = store.assessment(&after).unwrap();
    drop(store);
    let pdf = dir.path().join("one.pdf");
    let (code, stderr) = report(&data, &["--assessment", &after], &pdf);
    assert_eq!(code, 0, "{stderr}");
    let words = pdf_words(&pdf);
    for needle in [
        format!("Client: {CLIENT}"),
        format!("Session date: {DATE}"),
        "Phase: after".into(),
        format!("Assessment: {after}"),
        format!("{:+.1}°", full.hip_extension_deg.unwrap()),
        "Key frame as stored with the assessment".into(),
    ] {
        assert!(words.contains(&needle), "{needle} in:\n{words}");
    }
    assert_eq!(pdf_pages(&pdf, dir.path(), 40).len(), 1);
    // Another client's assessment, or a client not in the store: the store refuses (exit 6).
    let (code, _) = report(&data, &["--assessment", "0000ffff"], &dir.path().join("x.pdf"));
    assert_eq!(code, 6);
    // an integer row number is no assessment id: a usage error
    let (code, _) = report(&data, &["--assessment", "7"], &dir.path().join("x.pdf"));
    assert_eq!(code, 2);
    assert!(!dir.path().join("x.pdf").exists());
}

#[test]
fn an_existing_report_is_refused_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(sample_pair(&data));
    let pdf = dir.path().join("exists.pdf");
    std::fs::write(&pdf, "old").unwrap();
    let (code, stderr) = report(&data, &["--compare"], &pdf);
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&pdf).unwrap(), "old");
    let (code, stderr) = report(&data, &["--compare", "--force"], &pdf);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    // Not a PDF or HTML name, or no kind of report: usage errors.
    assert_eq!(report(&data, &["--history"], &dir.path().join("h.csv")).0, 2);
    assert_eq!(report(&data, &[], &dir.path().join("h.pdf")).0, 2);
    assert_eq!(report(&data, &["--history", "--session", DATE], &dir.path().join("h.pdf")).0, 2);
}

//! `romcam report` on a client store: the comparison page prints the store's comparison
//! figures (change, MDC95, verdict) on one page and names what it compares by the stored
//! sessions and phases (an after-to-after comparison is never called before/after treatment),
//! gives no left/right asymmetry across sessions, and words a worsening and a change within the
//! MDC95 truthfully; `compare --baseline` and `report --compare --baseline` take the first
//! before-treatment assessment and the latest; the history lists every assessment, a stored
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
    record_for(store, CLIENT, clip, phase, date, shade)
}

fn record_for(store: &mut Store, client: &str, clip: &str, phase: Phase, date: &str, shade: u8) -> String {
    let a = analysed(clip);
    let uid = store
        .record_assessment(&NewAssessment {
            client,
            session_date: date,
            phase,
            assessment: &a.assessment,
            video_path: &sample(&format!("{clip}.mp4")),
            video_sha256: common::fake_sha256(&format!("{client}/{clip}/{phase}/{date}")),
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
    report_for(data, CLIENT, args, out)
}

fn report_for(data: &Path, client: &str, args: &[&str], out: &Path) -> (i32, String) {
    let o = Command::new(romcam())
        .arg("report")
        .args(["--client", client])
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
    assert_eq!((ch.side.name(), &ch.from.id, &ch.to.id), ("left", &before, &after));
    assert!(ch.real, "the sample pair is a real change: {}", ch.hip_sentence);
    assert_eq!(ch.label, format!("session {DATE}, before treatment → after treatment"));
    drop(store);

    let pdf = dir.path().join("comparison.pdf");
    let (code, stderr) = report(&data, &["--compare"], &pdf);
    assert_eq!(code, 0, "{stderr}");
    let words = pdf_words(&pdf);
    assert!(words.contains(&ch.hip_sentence), "the store's verdict {:?} in:\n{words}", ch.hip_sentence);
    assert!(ch.hip_sentence.contains("a real improvement (more hip extension)"), "{}", ch.hip_sentence);
    assert!(words.contains("Modified Thomas test: before/after treatment"), "{words}");
    assert!(words.contains(&format!("session {DATE}, before treatment → after treatment")), "{words}");
    // The hip row of the numbers table: before, after, change, MDC95, verdict.
    let layout = pdf_layout(&pdf);
    let hip_row = layout
        .lines()
        .find(|l| l.contains("Hip extension") && l.contains(&format!("{:+.1}°", ch.hip_extension_change_deg)))
        .unwrap_or_else(|| panic!("no hip extension row with the change in:\n{layout}"));
    let cells: Vec<&str> = hip_row[hip_row.find("Hip extension").unwrap()..].split_whitespace().collect();
    assert_eq!(
        cells[2..],
        [
            format!("{:+.1}°", ch.from.hip_extension_deg).as_str(),
            &format!("{:+.1}°", ch.to.hip_extension_deg),
            &format!("{:+.1}°", ch.hip_extension_change_deg),
            &format!("{:.1}°", ch.mdc95_deg),
            "real",
            "improvement"
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
    assert!(words.contains(&format!("{DATE} before = assessment {before}, dev01_pre_left.mp4")), "{words}");
    assert!(words.contains(&format!("{DATE} after = assessment {after}, dev02_post_left.mp4")), "{words}");
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
    assert!(text.contains(&ch.hip_sentence), "verdict in the HTML");
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

/// Direction words that must not follow a change within the MDC95.
const DIRECTION_WORDS: [&str; 8] = [
    "more hip extension",
    "less hip extension",
    "more knee flexion",
    "less knee flexion",
    "more extension",
    "less extension",
    "more flexion",
    "less flexion",
];

/// After treatment on 2026-11-20 against after treatment on 2026-12-04, the later one worse:
/// the page, the terminal and the JSON name the two after-treatment states, never "before
/// treatment", and read "real worsening" for both measures.
#[test]
fn an_after_to_after_comparison_is_named_so_and_a_worsening_reads_so() {
    const C: &str = "AA1";
    let dir = tempfile::tempdir().unwrap();
    let _keep = KeepFiles { dir: dir.path().to_path_buf(), prefix: "after-after-" };
    let data = dir.path().join("data");
    let mut store = Store::open(&data).unwrap();
    record_for(&mut store, C, "dev01_pre_left", Phase::Before, "2026-11-20", 40);
    let earlier = record_for(&mut store, C, "dev02_post_left", Phase::After, "2026-11-20", 120);
    let later = record_for(&mut store, C, "dev01_pre_left", Phase::After, "2026-12-04", 200);
    drop(store);
    let sessions = ["--compare", "--sessions", "2026-11-20", "2026-12-04"];
    let pdf = dir.path().join("after-after.pdf");
    let (code, stderr) = report_for(&data, C, &sessions, &pdf);
    assert_eq!(code, 0, "{stderr}");
    let words = pdf_words(&pdf);
    assert!(words.contains("2026-11-20 after → 2026-12-04 after"), "{words}");
    assert!(words.contains("Modified Thomas test: comparison of two assessments"), "{words}");
    for wrong in ["before treatment", "before/after", "Before", "before ="] {
        assert!(!words.contains(wrong), "{wrong:?} on an after-to-after page:\n{words}");
    }
    assert!(words.contains("a real worsening (less hip extension)"), "{words}");
    assert!(words.contains("a real worsening (less knee flexion)"), "{words}");
    let layout = pdf_layout(&pdf);
    let hip_row = layout.lines().find(|l| l.contains("Hip extension") && l.contains("°")).unwrap();
    assert!(hip_row.trim_end().ends_with("real worsening"), "the verdict column: {hip_row}\n{layout}");
    assert_eq!(pdf_pages(&pdf, dir.path(), 40).len(), 1);

    // The terminal: both measures with their verdicts, the states named.
    let run = |args: &[&str]| {
        let o = Command::new(romcam()).args(args).arg("--data-dir").arg(&data).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let text = run(&["compare", "--client", C, "--sessions", "2026-11-20", "2026-12-04"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "  left leg: 2026-11-20 after → 2026-12-04 after", "{text}");
    assert!(
        lines[2].starts_with("    hip extension")
            && lines[2].ends_with("real worsening (less hip extension)"),
        "{text}"
    );
    assert!(
        lines[3].starts_with("    knee flexion") && lines[3].ends_with("real worsening (less knee flexion)"),
        "{text}"
    );
    assert!(!text.contains("before"), "{text}");
    // The JSON: the contract's fields, and what is compared.
    let v: serde_json::Value = serde_json::from_str(&run(&[
        "compare",
        "--client",
        C,
        "--sessions",
        "2026-11-20",
        "2026-12-04",
        "--json",
    ]))
    .unwrap();
    let ch = &v["changes"][0];
    for key in ["side", "hip_extension_change_deg", "knee_flexion_change_deg", "mdc95_deg", "real"] {
        assert!(!ch[key].is_null(), "{key} in {ch}");
    }
    assert_eq!(
        (ch["from"]["id"].as_str(), ch["to"]["id"].as_str()),
        (Some(earlier.as_str()), Some(later.as_str()))
    );
    assert_eq!((ch["from"]["phase"].as_str(), ch["to"]["phase"].as_str()), (Some("after"), Some("after")));
    assert_eq!(ch["label"], "2026-11-20 after → 2026-12-04 after");
    assert_eq!(ch["pairing"], "assessments");
    assert_eq!(
        (ch["hip_verdict"].as_str(), ch["knee_verdict"].as_str()),
        (Some("real_worsening"), Some("real_worsening"))
    );
    assert!(ch["hip_extension_change_deg"].as_f64().unwrap() < -2.8);
}

/// `--baseline`: per leg the first before-treatment assessment against the latest one; the legs'
/// assessments share no session and phase, so no asymmetry figure; the right leg's change is
/// within the MDC95 and has no direction words.
#[test]
fn baseline_takes_the_first_before_and_the_latest_and_gives_no_asymmetry_across_sessions() {
    const C: &str = "BL1";
    let dir = tempfile::tempdir().unwrap();
    let _keep = KeepFiles { dir: dir.path().to_path_buf(), prefix: "baseline-" };
    let data = dir.path().join("data");
    let mut store = Store::open(&data).unwrap();
    let first_before = record_for(&mut store, C, "dev01_pre_left", Phase::Before, "2026-11-13", 40);
    record_for(&mut store, C, "dev02_post_left", Phase::Before, "2026-11-20", 80);
    let latest = record_for(&mut store, C, "dev02_post_left", Phase::After, "2026-12-04", 200);
    let right_before = record_for(&mut store, C, "dev03_right", Phase::Before, "2026-11-20", 60);
    let right_latest = record_for(&mut store, C, "dev03_right", Phase::After, "2026-11-27", 160);
    let c = store.compare(C, &Selection::Baseline).unwrap();
    drop(store);
    let ids: Vec<(&str, String, String)> =
        c.changes.iter().map(|c| (c.side.name(), c.from.id.clone(), c.to.id.clone())).collect();
    assert_eq!(ids, [("left", first_before, latest), ("right", right_before, right_latest)]);
    assert!(c.asymmetry.hip_left_minus_right.is_empty() && c.asymmetry.across_sessions_only());

    let o = Command::new(romcam())
        .args(["compare", "--client", C, "--baseline"])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(text.contains("  left leg: 2026-11-13 before → 2026-12-04 after\n"), "{text}");
    assert!(text.contains("  right leg: 2026-11-20 before → 2026-11-27 after\n"), "{text}");
    assert!(text.contains("real improvement (more hip extension)"), "{text}");
    assert!(text.contains("left/right asymmetry: not given"), "{text}");
    let right = &text[text.find("right leg").unwrap()..text.find("left/right").unwrap()];
    assert_eq!(right.matches("within measurement error").count(), 2, "hip and knee: {text}");
    for w in DIRECTION_WORDS {
        assert!(!right.contains(w), "{w:?} under a change within the MDC95: {right}");
    }

    let pdf = dir.path().join("baseline.pdf");
    let (code, stderr) = report_for(&data, C, &["--compare", "--baseline"], &pdf);
    assert_eq!(code, 0, "{stderr}");
    let words = pdf_words(&pdf);
    assert!(words.contains("Modified Thomas test: progress since the first assessment"), "{words}");
    assert!(words.contains("2026-11-13 before → 2026-12-04 after"), "{words}");
    assert!(words.contains("2026-11-20 before → 2026-11-27 after"), "{words}");
    assert!(!words.contains("before treatment"), "{words}");
    assert!(words.contains("Left/right asymmetry: not given."), "{words}");
    assert!(!words.contains("left minus right,"), "no left-minus-right figure: {words}");
    let right = &words[words.find("Right leg").unwrap()..words.find("Left/right asymmetry").unwrap()];
    assert!(right.contains("within measurement error"), "{right}");
    for w in DIRECTION_WORDS {
        assert!(!right.contains(w), "{w:?} under a change within the MDC95: {right}");
    }
    // two legs from different sessions, with their captions and ids: the method block may
    // continue on a second page, never more (blocks are not split, so nothing is cut)
    assert!(pdf_pages(&pdf, dir.path(), 40).len() <= 2);
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
    assert_eq!(report(&data, &["--history", "--baseline"], &dir.path().join("h.pdf")).0, 2);
    assert_eq!(report(&data, &["--baseline"], &dir.path().join("h.pdf")).0, 2);
    assert_eq!(
        report(&data, &["--compare", "--baseline", "--session", DATE], &dir.path().join("h.pdf")).0,
        2
    );
}

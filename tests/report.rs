//! Reports on a real clip: the PDF's pages are rendered (pdftoppm) and read back (pdftotext),
//! and their figures must be the assessment's; HTML, CSV and the key frame PNG say the same; a
//! withheld result shows as "withheld" and no number; files are never replaced without --force.
//!
//! Set ROMCAM_REPORT_TEST_OUT=DIR to keep the files made here for a look.

mod common;

use common::{pdf_layout, pdf_pages, poppler, run_romcam, sample, KeepFiles};
use romcam::assess::{self, Assessment, Criteria};
use romcam::measure::{self, MeasureOptions};
use romcam::pose::{self, PoseOptions};
use romcam::report::{self, Exporter, Header, PageContent, ReportConfig, ReportContent};

fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let r = run_romcam(args, &[]);
    (r.code, r.stdout, r.stderr)
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn assess_writes_pdf_html_csv_and_png_with_the_assessments_figures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let _keep = KeepFiles { dir: d.to_path_buf(), prefix: "" };
    let (pdf, html, csv, png) = (d.join("r.pdf"), d.join("r.html"), d.join("r.csv"), d.join("k.png"));
    let (code, out, err) = run(&[
        "assess".as_ref(),
        sample("dev02_post_left.mp4").as_os_str(),
        "--json".as_ref(),
        "-q".as_ref(),
        "--report".as_ref(),
        pdf.as_os_str(),
        "--report".as_ref(),
        html.as_os_str(),
        "--report".as_ref(),
        csv.as_os_str(),
        "--report".as_ref(),
        png.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("the JSON still goes to stdout");
    let f = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} is a number"));
    let hip = format!("{:+.1}° ± {:.1}°", f("hip_extension_deg"), f("uncertainty_deg"));
    let knee = format!("{:.1}° ± {:.1}°", f("knee_flexion_deg"), f("knee_uncertainty_deg"));
    let trunk = format!("{:.1}°", f("thigh_to_trunk_deg"));
    let side = v["test_side"].as_str().unwrap();
    assert_eq!(side, "left");

    // PDF: one A4 page, fonts embedded, the figures printed are the assessment's.
    let text = pdf_layout(&pdf);
    for needle in [&hip, &knee, &trunk] {
        assert!(text.contains(needle.as_str()), "PDF lacks {needle}:\n{text}");
    }
    assert!(text.contains(&format!("Test side: {side}")), "{text}");
    assert!(
        text.contains("Athletes' mean (Harvey 1998)")
            && text.contains("117 elite athletes")
            && text.contains("+11.9°")
            && text.contains("52.5°")
    );
    assert!(
        text.contains("thigh above horizontal") && text.contains("knee bends less than 80°"),
        "criteria: {text}"
    );
    for sentence in v["findings"]["sentences"].as_array().unwrap() {
        let first_words: String = sentence.as_str().unwrap().split(' ').take(4).collect::<Vec<_>>().join(" ");
        assert!(text.contains(&first_words), "PDF lacks the finding {sentence}");
    }
    assert!(text.contains("Method") && text.contains("romcam 0.1.0") && text.contains("Harvey D."));
    let info = poppler("pdfinfo", &[pdf.as_os_str()]);
    assert!(info.contains("Pages:           1"), "one page per assessment: {info}");
    let fonts = poppler("pdffonts", &[pdf.as_os_str()]);
    assert!(fonts.contains("DejaVuSans"), "{fonts}");
    assert!(fonts.lines().skip(2).all(|l| l.contains(" yes ")), "all fonts embedded:\n{fonts}");
    let pages = pdf_pages(&pdf, d, 50);
    assert_eq!(pages.len(), 1, "{pages:?}");
    let (w, h) = png_size(&std::fs::read(&pages[0]).unwrap());
    assert!((410..=416).contains(&w) && (582..=588).contains(&h), "A4 at 50 dpi: {w}x{h}");
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(size < 1_000_000, "the PDF stays small: {size} bytes");

    // HTML: self-contained, the same figures.
    let page = std::fs::read_to_string(&html).unwrap();
    for needle in [&hip, &knee, &trunk] {
        assert!(page.contains(needle.as_str()), "HTML lacks {needle}");
    }
    assert!(page.contains("<b>left</b>"), "the test side in the header");
    assert!(page.contains("src=\"data:image/jpeg;base64,") && page.contains("<svg"));
    assert!(
        !page.contains("src=\"http") && !page.contains("<link") && !page.contains("url("),
        "no outside resources"
    );

    // CSV: a header and one row per frame, the measurement's own values.
    let table = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = table.lines().collect();
    let samples = v["measurement"]["samples"].as_array().unwrap();
    assert_eq!(rows.len(), samples.len() + 1);
    assert_eq!(
        rows[0],
        "frame,t_s,hip_extension_deg,knee_flexion_deg,thigh_to_trunk_deg,hip_extension_smoothed_deg,knee_flexion_smoothed_deg,in_hold"
    );
    let in_hold = rows[1..].iter().filter(|r| r.ends_with(",1")).count();
    assert_eq!(in_hold as u64, v["hold"]["frames"].as_u64().unwrap());
    for i in [0, samples.len() / 2, samples.len() - 1] {
        let cells: Vec<&str> = rows[i + 1].split(',').collect();
        assert_eq!(cells.len(), 8);
        let hip_i = samples[i]["hip_extension_deg"].as_f64().unwrap();
        assert_eq!(cells[2], format!("{hip_i:.2}"), "row {i}");
    }

    // PNG: the key frame.
    let bytes = std::fs::read(&png).unwrap();
    let (w, h) = png_size(&bytes);
    assert!(w > 200 && h > 100 && w <= 1280 && h <= 720, "{w}x{h}");

    #[cfg(unix)]
    for p in [&pdf, &html, &csv, &png] {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(p).unwrap().permissions().mode() & 0o777, 0o600, "{}", p.display());
    }
}

#[test]
fn an_existing_report_is_refused_without_force_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("r.pdf");
    std::fs::write(&pdf, "an earlier report").unwrap();
    let started = std::time::Instant::now();
    let (code, _, err) = run(&[
        "assess".as_ref(),
        sample("dev02_post_left.mp4").as_os_str(),
        "-q".as_ref(),
        "--report".as_ref(),
        pdf.as_os_str(),
    ]);
    assert_eq!(code, 7, "{err}");
    assert!(err.contains("--force") && err.trim().lines().count() == 1, "{err}");
    assert_eq!(std::fs::read_to_string(&pdf).unwrap(), "an earlier report");
    assert!(started.elapsed().as_secs() < 5, "refused before the pose pass");

    let (code, _, err) = run(&[
        "assess".as_ref(),
        sample("dev02_post_left.mp4").as_os_str(),
        "--report".as_ref(),
        dir.path().join("r.docx").as_os_str(),
    ]);
    assert_eq!(code, 2, "an unknown report format is a usage error: {err}");
    let (code, _, err) = run(&[
        "pose".as_ref(),
        sample("dev02_post_left.mp4").as_os_str(),
        "--json".as_ref(),
        dir.path().join("p.json").as_os_str(),
        "--blur-faces".as_ref(),
    ]);
    assert_eq!(code, 2, "--blur-faces needs --overlay: {err}");
    let bad = dir.path().join("config.toml");
    std::fs::write(&bad, "clinc = \"typo\"\n").unwrap();
    let (code, _, err) = run(&[
        "assess".as_ref(),
        sample("dev02_post_left.mp4").as_os_str(),
        "--config".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(code, 2, "a broken settings file is a usage error: {err}");
}

fn png_gray(bytes: &[u8]) -> image::GrayImage {
    image::load_from_memory(bytes).unwrap().to_luma8()
}

/// Sum of absolute differences between horizontal neighbours inside a box: how sharp it is.
fn sharpness(img: &image::GrayImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> f64 {
    let mut s = 0.0;
    for y in y0..=y1 {
        for x in x0..x1 {
            s += (img.get_pixel(x + 1, y)[0] as f64 - img.get_pixel(x, y)[0] as f64).abs();
        }
    }
    s
}

/// A withheld result: built from the real measurement of a clip with the quality gate's
/// verdict changed, so that the numbers exist underneath and must not leak into the report.
#[test]
fn a_withheld_result_prints_withheld_and_no_number_and_faces_can_be_blurred() {
    let clip = sample("dev02_post_left.mp4");
    let track = pose_track(&clip, PoseOptions::default());
    let m = measure::measure(&track, &MeasureOptions::default()).expect("measure");
    let good: Assessment = assess::assess(m.clone(), &Criteria::default(), "dev02_post_left.mp4", "full");
    let mut w = m.clone();
    let reason =
        "the thigh looks strongly foreshortened (thigh/shin 0.50): film from the side, square to the body";
    w.quality.withheld_reason = Some(reason.into());
    w.quality.warnings.push(reason.into());
    let withheld = assess::assess(w, &Criteria::default(), "dev02_post_left.mp4", "full");
    assert!(withheld.hip_extension_deg.is_none() && m.hip_extension.is_some());

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let _keep = KeepFiles { dir: d.to_path_buf(), prefix: "" };
    let config = ReportConfig {
        clinic: Some("Physio Nord".into()),
        therapist: Some("A. Jensen".into()),
        blur_faces: None,
        store: None,
    };
    let key = report::keyframe::render(&track, &withheld, false).unwrap().expect("a key frame");
    let mut page = PageContent::new(&withheld, Some(key.clone()));
    page.phase = Some("after".into());
    let mut header = Header::new(&config);
    header.client = Some("C-0042".into());
    let content = ReportContent::single(header, page);
    let pdf = d.join("withheld.pdf");
    std::fs::write(&pdf, report::pdf::PdfExporter.serialize(&content).unwrap()).unwrap();
    let html = String::from_utf8(report::html::HtmlExporter.serialize(&content).unwrap()).unwrap();
    std::fs::write(d.join("withheld.html"), &html).unwrap();
    std::fs::write(d.join("withheld-key.png"), &key.png).unwrap();

    let text = pdf_layout(&pdf);
    assert_eq!(pdf_pages(&pdf, d, 50).len(), 1);
    assert!(text.contains("Result withheld"), "{text}");
    assert!(text.matches("withheld").count() >= 3, "each figure reads withheld:\n{text}");
    assert!(text.contains("foreshortened"), "the reason is given:\n{text}");
    assert_eq!(
        text.matches("foreshortened").count(),
        1,
        "the reason is given once, not again as a warning:\n{text}"
    );
    assert!(text.contains("no other warnings"), "{text}");
    for doc in [&text, &html] {
        assert!(!doc.contains("° ± "), "no figure with an uncertainty");
        for stat in [m.hip_extension.unwrap(), m.knee_flexion.unwrap(), m.thigh_to_trunk.unwrap()] {
            let value = format!("{:.1}°", stat.median_deg);
            assert!(!doc.contains(&value), "the withheld {value} leaks");
        }
        assert!(doc.contains("Physio Nord") && doc.contains("A. Jensen") && doc.contains("C-0042"));
    }
    assert!(text.contains("Phase: after"), "{text}");
    // The chart of a withheld result keeps its degree scale, and says what its angles are.
    // (the caption may wrap, so words are compared with the line breaks taken out)
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("shown only to explain why the result was withheld; they are not a measurement"),
        "{text}"
    );
    use report::chart::{Anchor, Prim};
    let figure = report::chart::angle_chart(&withheld, None, 500.0);
    let scale: Vec<&String> = figure
        .prims
        .iter()
        .filter_map(|p| match p {
            Prim::Text { anchor: Anchor::End, text, .. } if text.parse::<f64>().is_ok() => Some(text),
            _ => None,
        })
        .collect();
    assert!(scale.len() >= 4, "the withheld chart's degree scale: {scale:?}");

    // The key frame of the good result has its angles labelled; the withheld one does not.
    let labelled = report::keyframe::render(&track, &good, false).unwrap().unwrap();
    assert_ne!(labelled.png, key.png);

    // Blurred faces: only an ellipse around the head changes, and its middle loses its detail.
    let blurred = report::keyframe::render(&track, &good, true).unwrap().unwrap();
    std::fs::write(d.join("blurred-key.png"), &blurred.png).unwrap();
    let (a, b) = (png_gray(&labelled.png), png_gray(&blurred.png));
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in a.enumerate_pixels() {
        if p[0].abs_diff(b.get_pixel(x, y)[0]) > 8 {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    assert!(x1 > x0 && y1 > y0, "the face was blurred");
    let changed = ((x1 - x0) * (y1 - y0)) as f64 / (a.width() * a.height()) as f64;
    assert!(changed < 0.1, "only the face changes ({:.0}% of the frame)", changed * 100.0);
    // the detail of the pixels the blur changed (the skeleton, drawn on top, is the same in both):
    // the energy of the differences between neighbours, which a blur takes away and a smooth
    // shading across the head (what is left after a good blur) hardly has
    let changed_detail = |img: &image::GrayImage| -> f64 {
        let mut s = 0.0;
        for y in y0..=y1 {
            for x in x0..x1 {
                let moved = |x: u32| a.get_pixel(x, y)[0].abs_diff(b.get_pixel(x, y)[0]) > 8;
                if moved(x) && moved(x + 1) {
                    s += (img.get_pixel(x + 1, y)[0] as f64 - img.get_pixel(x, y)[0] as f64).powi(2);
                }
            }
        }
        s
    };
    let (sa, sb) = (changed_detail(&a), changed_detail(&b));
    eprintln!("blurred face: detail {sb:.0} against {sa:.0} unblurred");
    assert!(sb < 0.4 * sa, "blurred: sharpness {sb:.0} against {sa:.0}");

    // The overlay video with blurred faces.
    let mp4 = d.join("overlay.mp4");
    report::video::write_overlay_video(&video_source(&clip, &track.frames, true), &mp4, false).unwrap();
    let mut reader = romcam::video::VideoReader::open(&mp4, 0).unwrap();
    let mut n = 0;
    while reader.next_frame().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, track.frames.len());
}

/// `assess` finds poses on 5 to 10 frames a second; its MP4 report must still be the whole
/// clip, every frame, with the skeleton drawn where the person is all through it (not only the
/// first seconds, and not the pose of another moment).
#[test]
fn the_assess_video_report_is_the_whole_clip_with_the_skeleton_on_the_person() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let _keep = KeepFiles { dir: d.to_path_buf(), prefix: "" };
    let clip = sample("dev02_post_left.mp4");
    let mp4 = d.join("assess.mp4");
    let (code, _, err) =
        run(&["assess".as_ref(), clip.as_os_str(), "-q".as_ref(), "--report".as_ref(), mp4.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    let read_all = |path: &std::path::Path| {
        let mut reader = romcam::video::VideoReader::open(path, 0).unwrap();
        let mut frames = Vec::new();
        while let Some(f) = reader.next_frame().unwrap() {
            frames.push(f.image);
        }
        frames
    };
    let (source, drawn) = (read_all(&clip), read_all(&mp4));
    assert_eq!(drawn.len(), source.len(), "every frame of the clip is in the video");
    // the ground truth's test-leg knee in every frame: the skeleton must pass over it
    let truth = common::truth("dev02_post_left");
    let gt_frames = truth["frames"].as_array().unwrap();
    let mut near_knee = 0;
    for (i, (a, b)) in source.iter().zip(&drawn).enumerate() {
        let knee = gt_frames[i]["joints2d"]["knee.L"].as_array().unwrap();
        let (kx, ky) = (knee[0].as_f64().unwrap() as i32, knee[1].as_f64().unwrap() as i32);
        let r = 12;
        let rect = opencv::core::Rect::new(kx - r, ky - r, 2 * r, 2 * r);
        let (pa, pb) = (opencv::core::Mat::roi(a, rect).unwrap(), opencv::core::Mat::roi(b, rect).unwrap());
        let mut diff = opencv::core::Mat::default();
        opencv::core::absdiff(&pa, &pb, &mut diff).unwrap();
        let changed = opencv::core::sum_elems(&diff).unwrap();
        if changed[0] + changed[1] + changed[2] > 255.0 * 40.0 {
            near_knee += 1;
        }
    }
    assert!(
        near_knee as f64 >= 0.9 * source.len() as f64,
        "the skeleton passes over the true knee in only {near_knee} of {} frames",
        source.len()
    );
}

/// A BGR picture as a grey image, for [`sharpness`].
fn mat_gray(image: &opencv::core::Mat) -> image::GrayImage {
    use opencv::prelude::*;
    let mut grey = opencv::core::Mat::default();
    opencv::imgproc::cvt_color_def(image, &mut grey, opencv::imgproc::COLOR_BGR2GRAY).unwrap();
    let (w, h) = (grey.cols() as u32, grey.rows() as u32);
    image::GrayImage::from_raw(w, h, grey.data_bytes().unwrap().to_vec()).unwrap()
}

/// The square of half-side `half` around (cx, cy), inside the image, as `sharpness` takes it.
fn square_around(img: &image::GrayImage, cx: i64, cy: i64, half: i64) -> (u32, u32, u32, u32) {
    let clamp = |v: i64, hi: u32| v.clamp(0, hi as i64 - 2) as u32;
    (
        clamp(cx - half, img.width()),
        clamp(cy - half, img.height()),
        clamp(cx + half, img.width()),
        clamp(cy + half, img.height()),
    )
}

/// The skeleton-only video of `romcam pose --overlay`.
fn video_source<'a>(
    clip: &'a std::path::Path,
    frames: &'a [romcam::pose::PoseFrame],
    blur_faces: bool,
) -> report::VideoSource<'a> {
    report::VideoSource { clip, frames, assessment: None, blur_faces, quiet: true }
}

/// The pose track of a sample clip (one thread, as the other in-process tests).
fn pose_track(clip: &std::path::Path, options: PoseOptions) -> romcam::pose::PoseTrack {
    romcam::runtime::init_onnx_runtime(None).expect("ONNX Runtime");
    pose::estimate_pose(clip, &PoseOptions { threads: 1, ..options }, &mut |_, _| {}).expect("pose")
}

/// `--blur-faces` blurs everyone's face, not only the client's: the therapist standing behind
/// the table in dev08 loses the detail of the head in every frame of the video.
#[test]
fn blurring_faces_also_blurs_the_bystander() {
    let clip = sample("dev08_bystander.mp4");
    let track = pose_track(&clip, PoseOptions::for_assess());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let _keep = KeepFiles { dir: d.to_path_buf(), prefix: "" };
    let (plain, blurred) = (d.join("plain.mp4"), d.join("blurred.mp4"));
    report::video::write_overlay_video(&video_source(&clip, &track.frames, false), &plain, false).unwrap();
    report::video::write_overlay_video(&video_source(&clip, &track.frames, true), &blurred, false).unwrap();
    let truth = common::truth("dev08_bystander");
    let gt_frames = truth["frames"].as_array().unwrap();
    let (mut a, mut b) = (
        romcam::video::VideoReader::open(&plain, 0).unwrap(),
        romcam::video::VideoReader::open(&blurred, 0).unwrap(),
    );
    let (mut frames, mut hidden) = (0, 0);
    while let (Some(fa), Some(fb)) = (a.next_frame().unwrap(), b.next_frame().unwrap()) {
        // the head sits above the shoulders, about half a shoulder width up
        let j = &gt_frames[frames]["bystander_joints2d"];
        let p = |k: &str| (j[k][0].as_f64().unwrap(), j[k][1].as_f64().unwrap());
        let (l, r) = (p("shoulder.L"), p("shoulder.R"));
        let width = ((l.0 - r.0).powi(2) + (l.1 - r.1).powi(2)).sqrt();
        let (cx, cy) = (((l.0 + r.0) / 2.0) as i64, ((l.1 + r.1) / 2.0 - 0.5 * width) as i64);
        let (plain, blurred) = (mat_gray(&fa.image), mat_gray(&fb.image));
        let head = square_around(&plain, cx, cy, 20);
        let (sharp, soft) = (sharpness(&plain, head), sharpness(&blurred, head));
        if soft < 0.4 * sharp {
            hidden += 1;
        }
        frames += 1;
    }
    assert_eq!(frames, gt_frames.len(), "every frame is in the video");
    assert_eq!(hidden, frames, "the bystander's head keeps its detail in {} frames", frames - hidden);
}

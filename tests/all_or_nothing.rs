//! `assess --client` with reports: a report that cannot be written is refused before any work,
//! and nothing is stored (real model, real clip).

mod common;

use std::ffi::OsStr;

#[test]
fn unwritable_reports_are_refused_before_work_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("store");
    let clip = d.join("clip.mp4");
    std::fs::copy(common::sample("dev01_pre_left.mp4"), &clip).unwrap();
    let pdf = d.join("report.pdf");
    let folder = d.join("folder.pdf");
    std::fs::create_dir(&folder).unwrap();
    let cases: [(&str, Vec<&OsStr>); 3] = [
        (
            "the same report twice",
            vec!["--report".as_ref(), pdf.as_os_str(), "--report".as_ref(), pdf.as_os_str()],
        ),
        ("a folder in place of a file", vec!["--force".as_ref(), "--report".as_ref(), folder.as_os_str()]),
        ("the clip itself", vec!["--force".as_ref(), "--report".as_ref(), clip.as_os_str()]),
    ];
    let clip_bytes = std::fs::read(&clip).unwrap();
    for (name, extra) in cases {
        let mut args: Vec<&OsStr> = vec![
            "assess".as_ref(),
            "-q".as_ref(),
            clip.as_os_str(),
            "--client".as_ref(),
            "T-1".as_ref(),
            "--phase".as_ref(),
            "before".as_ref(),
            "--data-dir".as_ref(),
            data.as_os_str(),
        ];
        args.extend(extra);
        let run = common::run_romcam(&args, &[]);
        assert_eq!(run.code, 7, "{name}: exit {} ({})", run.code, run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{name}: one sentence: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: refused before any work, yet printed a result");
        let stored = data.join("romcam.sqlite3");
        assert!(!stored.exists() || common::stored_assessments(&stored) == 0, "{name}: something was stored");
        assert!(!pdf.exists(), "{name}: a report was written");
    }
    assert_eq!(std::fs::read(&clip).unwrap(), clip_bytes, "the clip was overwritten");
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".romcam-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}

#[test]
fn the_store_and_the_reports_are_written_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("store");
    let (pdf, csv) = (d.join("r.pdf"), d.join("r.csv"));
    let clip = common::sample("dev02_post_left.mp4");
    let args: Vec<&OsStr> = vec![
        "assess".as_ref(),
        clip.as_os_str(),
        "--client".as_ref(),
        "T-2".as_ref(),
        "--phase".as_ref(),
        "after".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--report".as_ref(),
        pdf.as_os_str(),
        "--report".as_ref(),
        csv.as_os_str(),
    ];
    let run = common::run_romcam(&args, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(common::stored_assessments(&data.join("romcam.sqlite3")), 1);
    assert!(pdf.is_file() && csv.is_file());
    for path in [&pdf, &csv] {
        assert!(
            run.stderr.contains(&format!("wrote {}", path.display())),
            "not told about {}: {}",
            path.display(),
            run.stderr
        );
    }
}

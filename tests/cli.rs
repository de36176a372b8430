//! The command line: outputs, bad input, exit codes.

mod common;

use std::process::Command;

use common::{romcam, run_romcam, sample};

fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let r = run_romcam(args, &[]);
    (r.code, r.stdout, r.stderr)
}

fn assess_exit(path: &std::path::Path) -> (i32, String) {
    let (code, _, err) = run(&["assess".as_ref(), path.as_os_str(), "--json".as_ref(), "-q".as_ref()]);
    (code, err)
}

#[test]
fn bad_files_are_refused_with_exit_3_and_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "this is a text file, not a video\n").unwrap();
    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, "").unwrap();
    let truncated = dir.path().join("truncated.mp4");
    let bytes = std::fs::read(sample("dev01_pre_left.mp4")).unwrap();
    std::fs::write(&truncated, &bytes[..2000]).unwrap();
    let cases = [
        (dir.path().join("missing.mp4"), "no such file"),
        (dir.path().to_path_buf(), "folder"),
        (empty, "empty"),
        (text, "not a video"),
        (truncated, "not a video"),
    ];
    for (path, words) in cases {
        let (code, err) = assess_exit(&path);
        assert_eq!(code, 3, "{}: exit {code}, stderr {err}", path.display());
        assert!(err.contains(words), "{}: {err}", path.display());
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn a_standing_person_is_not_a_thomas_test() {
    let (code, err) = assess_exit(&sample("real/standing_person_sports2d.mp4"));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("lies on a table") || err.contains("no person"), "{err}");
}

#[test]
fn assess_json_has_the_fields_checks_read() {
    let (code, out, err) = run(&[
        "assess".as_ref(),
        sample("dev02_post_left.mp4").as_os_str(),
        "--json".as_ref(),
        "-q".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object on stdout");
    for key in [
        "test_side",
        "hip_extension_deg",
        "knee_flexion_deg",
        "thigh_to_trunk_deg",
        "uncertainty_deg",
        "hold",
        "reference",
        "warnings",
        "classification",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v["hold"]["start_s"].is_number() && v["hold"]["end_s"].is_number());
    assert_eq!(v["test_side"], "left");
}

#[test]
fn pose_json_keeps_its_names_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pose.json");
    let clip = sample("dev08_bystander.mp4");
    let (code, _, err) = run(&[
        "pose".as_ref(),
        clip.as_os_str(),
        "--json".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
        "--no-mirror".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let frames = v["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 104);
    let f = &frames[50];
    assert!(f["t"].is_number() && f["presence"].is_number());
    let l = f["landmarks"].as_array().unwrap();
    assert_eq!(l.len(), 33);
    assert!(l[0]["x"].is_number() && l[0]["y"].is_number() && l[0]["visibility"].is_number());
    let (code, _, err) =
        run(&["pose".as_ref(), clip.as_os_str(), "--json".as_ref(), out.as_os_str(), "-q".as_ref()]);
    assert_eq!(code, 7, "{err}");
}

/// The built binary finds ONNX Runtime and the models by itself when started from another
/// folder: a real `assess` run there, not only `--help`.
#[test]
fn works_from_another_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(romcam()).current_dir(dir.path()).args(["--help"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes"));
    let out = Command::new(romcam())
        .current_dir(dir.path())
        .env_remove("ROMCAM_ORT_LIB")
        .env_remove("ROMCAM_MODELS")
        .args(["assess", "-q", "--json", "--no-mirror"])
        .arg(sample("dev08_bystander.mp4"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    assert!(v["hip_extension_deg"].is_number(), "{v}");
}

/// Session dates: the local forms are read and stored as YYYY-MM-DD; an impossible, ambiguous
/// or future date is a usage error (exit 2) naming the accepted forms, before any work.
#[test]
fn session_dates_are_read_in_three_forms_and_stored_as_yyyy_mm_dd() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let clip = sample("dev02_post_left.mp4");
    let assess = |date: &str| {
        run(&[
            "assess".as_ref(),
            "-q".as_ref(),
            clip.as_os_str(),
            "--client".as_ref(),
            "D-1".as_ref(),
            "--phase".as_ref(),
            "after".as_ref(),
            "--session".as_ref(),
            date.as_ref(),
            "--data-dir".as_ref(),
            data.as_os_str(),
        ])
    };
    for bad in ["2025-02-30", "10-03-2025", "10.03.25", "2999-01-01"] {
        let (code, _, err) = assess(bad);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("YYYY-MM-DD") || err.contains("future"), "{bad}: {err}");
    }
    assert!(!data.join("romcam.sqlite3").exists(), "a refused date created a store");
    let (code, _, err) = assess("10.3.2025");
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&[
        "history".as_ref(),
        "D-1".as_ref(),
        "--json".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"2025-03-10\""), "stored as YYYY-MM-DD: {out}");
}

/// Options appear only where they do something: `--ort-lib` on the commands that run the pose
/// model, `-q` where there is a progress bar or a "wrote" line to hide; `pose` is listed last,
/// as a diagnostic; no --help speaks of ONNX or SHA-256 without saying what it is.
#[test]
fn options_appear_only_on_the_commands_they_act_on() {
    let help = |args: &[&str]| {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    for (command, ort_lib, quiet) in [
        ("assess", true, true),
        ("pose", true, true),
        ("report", false, true),
        ("export", false, true),
        ("clients", false, false),
        ("history", false, false),
        ("compare", false, false),
        ("import", false, false),
        ("delete", false, false),
    ] {
        let text = help(&[command, "--help"]);
        assert_eq!(text.contains("--ort-lib"), ort_lib, "{command} --help:\n{text}");
        assert_eq!(text.contains("--quiet"), quiet, "{command} --help:\n{text}");
        assert!(!text.contains("ONNX") || text.contains("ONNX Runtime, libonnxruntime.so"), "{text}");
        assert!(!text.contains("SHA-256"), "{text}");
    }
    let top = help(&["--help"]);
    assert!(!top.contains("--ort-lib") && !top.contains("--quiet"), "{top}");
    let listed: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert_eq!(listed.last(), Some(&"pose"), "pose is listed last: {listed:?}");
    let (code, _, err) = run(&["clients".as_ref(), "-q".as_ref()]);
    assert_eq!(code, 2, "clients has nothing to quiet: {err}");
    // the library is still found from the environment
    let missing = std::path::Path::new("/nonexistent/libonnxruntime.so");
    let clip = sample("dev01_pre_left.mp4");
    let r =
        run_romcam(&["assess".as_ref(), clip.as_os_str()], &[("ROMCAM_ORT_LIB", missing.to_str().unwrap())]);
    assert_eq!(r.code, 5, "{}", r.stderr);
}

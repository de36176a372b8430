//! The client store: comparisons, privacy, safety under kills and concurrency, export/import.

mod common;

use image::ImageEncoder;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::{analysed, romcam, sample, stored_assessments, truth, TestStore};
use romcam::store::compare::Selection;
use romcam::store::records::{short_id, NewAssessment, Phase};
use romcam::store::Store;

/// A valid 1 x 1 PNG (import checks that a key frame is a PNG of a sane size).
const ONE_PIXEL_PNG: [u8; 69] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 144,
    119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 96, 96, 96, 0, 0, 0, 4, 0, 1, 246, 23, 56, 85,
    0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// Stores the cached assessment of `clip` as a new video (each call its own stand-in SHA-256)
/// and returns its uid.
fn record(store: &mut Store, client: &str, clip: &str, phase: Phase, date: &str) -> String {
    record_with_key_frame(store, client, clip, phase, date, ONE_PIXEL_PNG.to_vec())
}

fn record_with_key_frame(
    store: &mut Store,
    client: &str,
    clip: &str,
    phase: Phase,
    date: &str,
    key_frame_png: Vec<u8>,
) -> String {
    static VIDEOS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = VIDEOS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let a = analysed(clip);
    store
        .record_assessment(&NewAssessment {
            client,
            session_date: date,
            phase,
            assessment: &a.assessment,
            video_path: &sample(&format!("{clip}.mp4")),
            video_sha256: common::fake_sha256(&format!("{client}/{clip}/{n}")),
            key_frame_png: Some(key_frame_png),
            replace: false,
            note: None,
            by: "test",
            uid: None,
        })
        .expect("stored")
}

#[test]
fn before_after_pair_gives_the_true_change_and_calls_it_real() {
    let ts = TestStore::new();
    let mut store = ts.open();
    record(&mut store, "C1", "dev01_pre_left", Phase::Before, "2026-11-20");
    record(&mut store, "C1", "dev02_post_left", Phase::After, "2026-11-20");
    let c = store.compare("C1", &Selection::Latest).unwrap();
    assert_eq!(c.changes.len(), 1);
    let ch = &c.changes[0];
    assert_eq!(ch.side.name(), "left");
    let t1 = truth("dev01_pre_left")["target"]["held_mean_test_hip_extension_deg"].as_f64().unwrap();
    let t2 = truth("dev02_post_left")["target"]["held_mean_test_hip_extension_deg"].as_f64().unwrap();
    assert!(
        (ch.hip_extension_change_deg - (t2 - t1)).abs() <= 2.0,
        "change {} vs truth {}",
        ch.hip_extension_change_deg,
        t2 - t1
    );
    assert!(ch.real);
}

#[test]
fn the_same_clip_twice_is_no_real_change_and_both_records_are_kept() {
    let ts = TestStore::new();
    let mut store = ts.open();
    let a = record(&mut store, "C2", "dev03_right", Phase::Before, "2026-11-21");
    let b = record(&mut store, "C2", "dev03_right", Phase::After, "2026-11-21");
    assert_ne!(a, b, "a second recording makes a new record");
    let c = store.compare("C2", &Selection::Latest).unwrap();
    assert_eq!(c.changes[0].hip_extension_change_deg, 0.0);
    assert!(!c.changes[0].real);
    assert_eq!(store.history("C2").unwrap().len(), 2);
}

#[test]
fn store_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut store = Store::open(&data).unwrap();
    record(&mut store, "C3", "dev02_post_left", Phase::None, "2026-11-22");
    assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o777, 0o700);
    for entry in std::fs::read_dir(&data).unwrap() {
        let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "group/other access on a store file: {mode:o}");
    }
}

#[test]
fn newer_and_damaged_stores_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let file = dir.path().join("romcam.sqlite3");
    rusqlite::Connection::open(&file).unwrap().execute_batch("PRAGMA user_version = 99").unwrap();
    let before = std::fs::read(&file).unwrap();
    let err = Store::open(dir.path()).err().expect("refused").to_string();
    assert!(err.contains("newer romcam"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);

    let broken = tempfile::tempdir().unwrap();
    let file = broken.path().join("romcam.sqlite3");
    std::fs::write(&file, vec![0x5a; 8192]).unwrap();
    let err = Store::open(broken.path()).err().expect("refused").to_string();
    assert!(err.contains("damaged"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), vec![0x5a; 8192]);
}

#[test]
fn export_then_import_restores_everything_once() {
    let ts = TestStore::new();
    let mut store = ts.open();
    record(&mut store, "C4", "dev01_pre_left", Phase::Before, "2026-11-20");
    record(&mut store, "C4", "dev02_post_left", Phase::After, "2026-11-20");
    let export = store.export_client("C4").unwrap();
    let text = serde_json::to_string(&export).unwrap();
    let other = TestStore::new();
    let mut fresh = other.open();
    let parsed = romcam::store::transfer::parse_export(&text).unwrap();
    let s = fresh.import_client(&parsed).unwrap();
    assert_eq!(s.assessments_added, 2);
    let again = fresh.import_client(&parsed).unwrap();
    assert_eq!(again.assessments_added, 0);
    assert_eq!(again.assessments_already_present, 2);
    let a: Vec<_> = store
        .history("C4")
        .unwrap()
        .into_iter()
        .map(|a| (a.phase, a.hip_extension_deg, a.created_at))
        .collect();
    let b: Vec<_> = fresh
        .history("C4")
        .unwrap()
        .into_iter()
        .map(|a| (a.phase, a.hip_extension_deg, a.created_at))
        .collect();
    assert_eq!(a, b);
    assert!(romcam::store::transfer::parse_export("{\"format\": \"something else\"}").is_err());
}

/// A stored result that is not valid JSON is refused by export (exit 6), not exported as null
/// and lost on the next import.
#[test]
fn a_damaged_stored_result_is_not_exported() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let id = record(&mut store, "C5", "dev01_pre_left", Phase::Before, "2026-11-20");
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("romcam.sqlite3")).unwrap();
    conn.execute("UPDATE assessments SET result_json = '{\"cut off' WHERE uid = ?1", [&id]).unwrap();
    drop(conn);
    let err = Store::open(dir.path()).unwrap().export_client("C5").unwrap_err();
    assert_eq!(romcam::error::exit_code_of(&err), 6, "{err}");
    assert!(err.to_string().contains(&format!("assessment {}", short_id(&id))), "{err}");
}

/// The store commands as a user runs them: what they print, their JSON, and their exit codes.
#[test]
fn the_store_commands_print_the_store() {
    let ts = TestStore::new();
    let mut store = ts.open();
    let before = record(&mut store, "C7", "dev01_pre_left", Phase::Before, "2026-11-20");
    let after = record(&mut store, "C7", "dev02_post_left", Phase::After, "2026-11-20");
    drop(store);
    let run = |args: &[&str]| {
        let out = Command::new(romcam()).args(args).args(ts.args()).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code(), text, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, text, err) = run(&["clients"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(text.lines().any(|l| l.starts_with("C7 ") && l.ends_with("2026-11-20")), "{text}");
    let (code, text, err) = run(&["history", "C7"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(text.starts_with("left leg\n"), "{text}");
    assert!(text.contains(&format!("  {}  2026-11-20  before", short_id(&before))), "{text}");
    assert!(text.contains(&format!("  {}  2026-11-20  after ", short_id(&after))), "{text}");
    let (code, text, err) = run(&["compare", "--client", "C7"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        text.starts_with(
            "Client C7: change per leg (later minus earlier)\n  left leg: session 2026-11-20, before treatment → after treatment\n    hip extension"
        ),
        "{text}"
    );
    assert!(text.contains("real improvement (more hip extension)"), "{text}");
    assert!(text.contains("\n    knee flexion "), "{text}");
    let (code, text, err) = run(&["compare", "--client", "C7", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let change = &v["changes"][0];
    assert_eq!((change["side"].as_str(), change["real"].as_bool()), (Some("left"), Some(true)));
    assert!(change["hip_extension_change_deg"].is_number() && change["mdc95_deg"].is_number());
    let (code, _, err) = run(&["compare", "--client", "NOBODY"]);
    assert_eq!(code, Some(6), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let (code, text, err) = run(&["history", "C7", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["assessments"][0]["phase"], "before");
    assert_eq!(v["assessments"][0]["side"], "left");
}

#[test]
fn deleting_a_client_erases_all_their_records() {
    let ts = TestStore::new();
    let mut store = ts.open();
    record(&mut store, "ERASE-ME-7731", "dev01_pre_left", Phase::Before, "2026-11-20");
    record(&mut store, "C6", "dev01_pre_left", Phase::Before, "2026-11-20");
    drop(store);
    // without a terminal and without --yes, nothing is deleted
    let out = Command::new(romcam()).args(["delete", "ERASE-ME-7731"]).args(ts.args()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a declined confirmation is exit 2");
    let out =
        Command::new(romcam()).args(["delete", "ERASE-ME-7731", "--yes"]).args(ts.args()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let store = ts.open();
    assert!(store.history("ERASE-ME-7731").is_err());
    assert_eq!(store.history("C6").unwrap().len(), 1);
    if ts.url.is_some() {
        // on a server, the rows are gone; what the server keeps on its disks is its own
        return;
    }
    let bytes = std::fs::read(ts.dir.path().join("romcam.sqlite3")).unwrap();
    assert!(
        !bytes.windows(13).any(|w| w == b"ERASE-ME-7731"),
        "the erased client's code is still in the file"
    );
}

/// Writes a large export, then imports it with `romcam import` and kills the process with
/// SIGKILL at random moments, 50 times: the store must pass the integrity check and hold either
/// none or all of the export's assessments (one transaction). The moments are spread over the
/// length of an uninterrupted import, and the test checks that some kills did land inside the
/// write (the write-ahead log holds pages of the import while the store still has none of its
/// records) and that some imports finished first.
#[test]
fn killing_a_writer_at_random_points_never_damages_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    // key frames of a real size (a few hundred kB each), so that the import's write is a large
    // part of its run rather than a moment at its end
    for i in 0..40u32 {
        // a real PNG (import checks that a key frame is one) of noise, which does not compress
        let noise: Vec<u8> = (0..320 * 320 * 3u32)
            .map(|b| (b.wrapping_add(i).wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut key_frame = Vec::new();
        image::codecs::png::PngEncoder::new(&mut key_frame)
            .write_image(&noise, 320, 320, image::ExtendedColorType::Rgb8)
            .unwrap();
        record_with_key_frame(
            &mut store,
            "K1",
            if i % 2 == 0 { "dev01_pre_left" } else { "dev02_post_left" },
            Phase::Before,
            "2026-11-20",
            key_frame,
        );
    }
    let export = serde_json::to_string(&store.export_client("K1").unwrap()).unwrap();
    drop(store);
    let export_file = dir.path().join("k1.json");
    std::fs::write(&export_file, export).unwrap();
    // a store with one unrelated client, so the store is not empty when killed
    let target_store = || {
        let target = tempfile::tempdir().unwrap();
        let mut s = Store::open(target.path()).unwrap();
        record(&mut s, "OTHER", "dev03_right", Phase::None, "2026-11-19");
        drop(s);
        target
    };
    let import = |target: &Path| {
        Command::new(romcam())
            .args(["import"])
            .arg(&export_file)
            .arg("--data-dir")
            .arg(target)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // each round imports into a fresh store; the kills fall from half the run (before that the
    // process is starting and reading the export) to past its end
    let current = std::cell::RefCell::new(target_store());
    let spawn = || {
        *current.borrow_mut() = target_store();
        import(current.borrow().path())
    };
    let mut killed_mid_write = 0;
    let rounds = common::kill_at_random_moments(50, 0x9e3779b97f4a7c15, (0.5, 1.1), spawn, |round, r| {
        let target = current.borrow();
        let wal_bytes =
            std::fs::metadata(target.path().join("romcam.sqlite3-wal")).map(|m| m.len()).unwrap_or(0);
        let n = stored_assessments(&target.path().join("romcam.sqlite3"));
        assert!(n == 1 || n == 41, "round {round} (kill due after {} ms): {n} assessments", r.delay_ms);
        // the import's pages reached the log but not its commit: killed in the middle of the write
        killed_mid_write += usize::from(r.killed && n == 1 && wal_bytes > 64 * 1024);
        // and the store still opens and works
        assert!(Store::open(target.path()).unwrap().history("OTHER").is_ok());
    });
    let completed = rounds.iter().filter(|r| !r.killed).count();
    eprintln!(
        "{completed} of 50 imports finished before the kill, {killed_mid_write} killed inside the write"
    );
    assert!(completed >= 1, "no import finished before its kill: the kills never reached the end");
    assert!(completed <= 40, "{completed} of 50 imports finished before the kill: too few were killed");
    assert!(killed_mid_write >= 1, "no kill landed inside the write");
}

#[test]
fn two_writers_at_once_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    let shared = TestStore::new();
    for _ in 0..10 {
        record(&mut s, "W1", "dev01_pre_left", Phase::Before, "2026-11-20");
    }
    let export = dir.path().join("w1.json");
    std::fs::write(&export, serde_json::to_string(&s.export_client("W1").unwrap()).unwrap()).unwrap();
    drop(s);
    let import = || {
        let mut c = Command::new(romcam());
        c.arg("import").arg(&export).args(shared.args());
        c
    };
    let handles: Vec<_> = (0..2).map(|_| import().output().unwrap()).collect();
    // sequential spawns above can be too quick to overlap; run two at the same time as well
    let a = import().spawn().unwrap();
    let b = import().spawn().unwrap();
    for mut c in [a, b] {
        assert!(c.wait().unwrap().success());
    }
    for h in handles {
        assert!(h.status.success(), "{}", String::from_utf8_lossy(&h.stderr));
    }
    assert_eq!(shared.assessments(), 10);
}

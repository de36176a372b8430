//! Client records a clinician can trust: the same video is not stored twice (unless replaced),
//! every assessment has one short id that survives export and import, corrections (amend,
//! remove, notes) are kept in an audit trail that travels with an export and is erased with the
//! client, the `clients` overview, and a store written by romcam's first schema is migrated
//! keeping every record.
//!
//! The stores are real (made through the library from the cached assessments, and by the
//! romcam binary); the reports' PDF text is read with pdftotext.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::{analysed, pdf_layout, run_romcam, sample, Run};
use romcam::store::records::{short_id, NewAssessment, Phase};
use romcam::store::Store;

/// Runs romcam on the store in `data`, as user "tester", with no settings file of the machine.
fn romcam_in(data: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.extend([OsStr::new("--data-dir"), data.as_os_str()]);
    let no_config = data.join("no-config");
    run_romcam(&all, &[("USER", "tester"), ("XDG_CONFIG_HOME", no_config.to_str().unwrap())])
}

/// Stores the cached assessment of `clip` with the given SHA-256 and returns its uid.
fn record(store: &mut Store, client: &str, clip: &str, phase: Phase, date: &str, sha: &str) -> String {
    let a = analysed(clip);
    store
        .record_assessment(&NewAssessment {
            client,
            session_date: date,
            phase,
            assessment: &a.assessment,
            video_path: &sample(&format!("{clip}.mp4")),
            video_sha256: sha.to_string(),
            key_frame_png: None,
            replace: false,
            note: None,
            by: "test",
            uid: None,
        })
        .expect("stored")
}

/// A store with client R1: dev01_pre_left before and dev02_post_left after on 2026-11-20 (their
/// stand-in SHA-256s), and client R2 with dev03_right. Returns the uids of R1's two.
fn two_clients(data: &Path) -> (String, String) {
    let mut store = Store::open(data).unwrap();
    let before =
        record(&mut store, "R1", "dev01_pre_left", Phase::Before, "2026-11-20", &common::fake_sha256("a"));
    let after =
        record(&mut store, "R1", "dev02_post_left", Phase::After, "2026-11-20", &common::fake_sha256("b"));
    record(&mut store, "R2", "dev03_right", Phase::None, "2026-11-21", &common::fake_sha256("c"));
    (before, after)
}

#[test]
fn the_same_video_twice_is_refused_naming_the_earlier_one_and_replace_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let clip = sample("dev02_post_left.mp4");
    let sha = romcam::store::records::sha256_file(&clip).unwrap();
    let mut store = Store::open(&data).unwrap();
    let earlier = record(&mut store, "D1", "dev02_post_left", Phase::After, "2026-11-20", &sha);
    // another client may have the same video; the same client may not, in any session
    record(&mut store, "D2", "dev02_post_left", Phase::After, "2026-11-20", &sha);
    let a = analysed("dev02_post_left");
    let again = NewAssessment {
        client: "D1",
        session_date: "2026-11-27",
        phase: Phase::Before,
        assessment: &a.assessment,
        video_path: &clip,
        video_sha256: sha.clone(),
        key_frame_png: None,
        replace: false,
        note: None,
        by: "test",
        uid: None,
    };
    let err = store.record_assessment(&again).unwrap_err();
    assert_eq!(romcam::error::exit_code_of(&err), 8, "{err}");
    drop(store);

    // the command refuses it before any work (no result printed), naming the earlier record
    let clip_arg = clip.to_str().unwrap();
    let run = romcam_in(&data, &["assess", "-q", clip_arg, "--client", "D1", "--phase", "before"]);
    assert_eq!(run.code, 8, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "refused before measuring: {}", run.stdout);
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    for needle in [short_id(&earlier), "session 2026-11-20", "after", "--replace"] {
        assert!(line.contains(needle), "{needle} in: {line}");
    }
    assert_eq!(Store::open(&data).unwrap().history("D1").unwrap().len(), 1);
    // a store from before schema 2 may hold the same video twice: copy the record as such
    let conn = rusqlite::Connection::open(data.join("romcam.sqlite3")).unwrap();
    let copied = conn
        .execute(
            "INSERT INTO assessments (session_id, side, phase, hip_extension_deg, knee_flexion_deg, uncertainty_deg, \
             result_json, video_path, video_sha256, model, romcam_version, thresholds_json, created_at, key_frame_png, uid) \
             SELECT session_id, side, phase, hip_extension_deg, knee_flexion_deg, uncertainty_deg, result_json, video_path, \
             video_sha256, model, romcam_version, thresholds_json, created_at, key_frame_png, ?1 FROM assessments WHERE uid = ?2",
            [format!("{:032x}", 7), earlier.clone()],
        )
        .unwrap();
    assert_eq!(copied, 1);
    drop(conn);

    // --replace stores the new one and removes the earlier one, in the audit trail
    let run = romcam_in(
        &data,
        &[
            "assess",
            clip_arg,
            "--client",
            "D1",
            "--phase",
            "before",
            "--session",
            "2026-11-27",
            "--replace",
            "--note",
            "filmed again",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("it replaces assessment {}", short_id(&earlier))), "{}", run.stderr);
    let store = Store::open(&data).unwrap();
    let rows = store.history("D1").unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].uid, earlier);
    assert_eq!((rows[0].session_date.as_str(), rows[0].phase), ("2026-11-27", Phase::Before));
    assert_eq!(rows[0].notes.as_deref(), Some("filmed again"));
    assert!(run.stderr.contains(&format!("stored as assessment {}", rows[0].id)), "{}", run.stderr);
    let trail = store.audit_trail("D1").unwrap();
    assert_eq!(trail.len(), 2, "both earlier copies replaced: {trail:?}");
    let replaced: Vec<&str> = trail.iter().filter_map(|e| e.assessment_uid.as_deref()).collect();
    assert!(replaced.contains(&earlier.as_str()) && replaced.contains(&format!("{:032x}", 7).as_str()));
    assert_eq!(trail[0].by, "tester");
    assert!(trail.iter().any(|e| e.old_value.as_deref().unwrap().contains(short_id(&earlier))));
    // D2 keeps its copy
    assert_eq!(store.history("D2").unwrap().len(), 1);
}

#[test]
fn ids_are_short_stable_and_accepted_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (before, after) = two_clients(&data);
    let (b, a) = (short_id(&before).to_string(), short_id(&after).to_string());
    assert_eq!(b.len(), 8);

    // history (terminal and JSON) shows the short id and the uid, never a row number
    let run = romcam_in(&data, &["history", "R1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("  {b}  2026-11-20  before")), "{}", run.stdout);
    let run = romcam_in(&data, &["history", "R1", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["assessments"][0]["id"], b.as_str());
    assert_eq!(v["assessments"][0]["uid"], before.as_str());

    // compare and report take the short id, or a 4-character prefix of it
    let run = romcam_in(&data, &["compare", "--client", "R1", "--assessments", &b[..4], &a, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (v["changes"][0]["before"]["id"].as_str(), v["changes"][0]["after"]["id"].as_str()),
        (Some(b.as_str()), Some(a.as_str()))
    );
    let pdf = dir.path().join("one.pdf");
    let run = romcam_in(
        &data,
        &["report", "--client", "R1", "--assessment", &a[..5], "--out", pdf.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(pdf_layout(&pdf).contains(&a), "the page names assessment {a}");
    let cmp = dir.path().join("cmp.pdf");
    let run = romcam_in(
        &data,
        &[
            "report",
            "--client",
            "R1",
            "--compare",
            "--assessments",
            &b[..4],
            &a[..4],
            "--out",
            cmp.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = pdf_layout(&cmp);
    assert!(text.contains(&format!("assessment {b}")) && text.contains(&format!("assessment {a}")), "{text}");
    // another client's assessment is refused; a row number is not an id (usage, exit 2)
    let r2 = Store::open(&data).unwrap().history("R2").unwrap()[0].id.clone();
    let run = romcam_in(&data, &["compare", "--client", "R1", "--assessments", &b, &r2]);
    assert_eq!(run.code, 6, "{}", run.stderr);
    let run = romcam_in(&data, &["compare", "--client", "R1", "--assessments", "1", "2"]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    // export and import into another store: the same ids, and nothing renumbered
    let export = dir.path().join("r1.json");
    assert_eq!(romcam_in(&data, &["export", "R1", "--out", export.to_str().unwrap()]).code, 0);
    let other = dir.path().join("other");
    // the other store already holds a client, so row numbers there differ
    record(
        &mut Store::open(&other).unwrap(),
        "X",
        "dev03_right",
        Phase::None,
        "2026-11-01",
        &common::fake_sha256("x"),
    );
    assert_eq!(romcam_in(&other, &["import", export.to_str().unwrap()]).code, 0);
    let ids = |dir: &Path| -> Vec<(String, String)> {
        Store::open(dir).unwrap().history("R1").unwrap().into_iter().map(|a| (a.id, a.uid)).collect()
    };
    assert_eq!(ids(&data), ids(&other));
    let run = romcam_in(&other, &["compare", "--client", "R1", "--assessments", &b, &a, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // two records whose uids share a prefix: the shared prefix is refused as ambiguous
    let mut twin: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    twin["client"]["code"] = "R9".into();
    let uid = format!("{}{}", &before[..8], "0".repeat(24));
    twin["sessions"][0]["assessments"][0]["uid"] = uid.clone().into();
    twin["sessions"][0]["assessments"][1]["uid"] = format!("{}{}", &before[..8], "1".repeat(24)).into();
    let twin_file = dir.path().join("twin.json");
    std::fs::write(&twin_file, twin.to_string()).unwrap();
    let fresh = dir.path().join("fresh");
    assert_eq!(romcam_in(&fresh, &["import", twin_file.to_str().unwrap()]).code, 0);
    let run = romcam_in(&fresh, &["remove", &b, "--yes"]);
    assert_eq!(run.code, 6, "{}", run.stderr);
    assert!(run.stderr.contains("more than one assessment"), "{}", run.stderr);
    assert_eq!(Store::open(&fresh).unwrap().history("R9").unwrap().len(), 2, "nothing removed");
}

/// The raw bytes of the store's files (the database, its log and shared memory).
fn store_bytes(data: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for e in std::fs::read_dir(data).unwrap().flatten() {
        if e.path().is_file() {
            bytes.extend(std::fs::read(e.path()).unwrap());
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn corrections_and_notes_are_kept_travel_with_an_export_and_are_erased_with_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (before, after) = two_clients(&data);
    let (b, a) = (short_id(&before).to_string(), short_id(&after).to_string());
    let config = dir.path().join("settings.toml");
    std::fs::write(&config, "therapist = \"A. Jensen\"\n").unwrap();
    let early_export = dir.path().join("early.json");
    assert_eq!(romcam_in(&data, &["export", "R1", "--out", early_export.to_str().unwrap()]).code, 0);

    // amend: phase and note by the OS user, the session by the therapist of a settings file
    let run =
        romcam_in(&data, &["amend", &b, "--phase", "after", "--note", "NOTE-ON-RECORD-4471 left knee sore"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    let run =
        romcam_in(&data, &["amend", &b, "--session", "19.11.2026", "--config", config.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = romcam_in(&data, &["amend", &b, "--session", "2026-11-19"]);
    assert!(run.code == 0 && run.stdout.contains("nothing changed"), "{}", run.stdout);
    let run = romcam_in(&data, &["amend", &b]);
    assert_eq!(run.code, 2, "nothing to amend is a usage error: {}", run.stderr);
    let run = romcam_in(&data, &["note", "R1", "CLIENT-NOTE-8812 runner"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(romcam_in(&data, &["note", "NOBODY", "x"]).code, 6);
    // remove: refused without a terminal or --yes (exit 2, nothing removed), then with --yes
    let run = romcam_in(&data, &["remove", &a]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(Store::open(&data).unwrap().history("R1").unwrap().len(), 2);
    let run = romcam_in(&data, &["remove", &a, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let store = Store::open(&data).unwrap();
    let rows = store.history("R1").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].uid.as_str(), rows[0].phase, rows[0].session_date.as_str()),
        (before.as_str(), Phase::After, "2026-11-19")
    );
    assert_eq!(rows[0].amendments, 3);
    let trail = store.audit_trail("R1").unwrap();
    let fields: Vec<(&str, &str, Option<&str>, Option<&str>)> = trail
        .iter()
        .map(|e| (e.field.as_str(), e.by.as_str(), e.old_value.as_deref(), e.new_value.as_deref()))
        .collect();
    assert_eq!(fields[0], ("phase", "tester", Some("before"), Some("after")));
    assert_eq!(fields[1], ("note", "tester", None, Some("NOTE-ON-RECORD-4471 left knee sore")));
    assert_eq!(fields[2], ("session", "A. Jensen", Some("2026-11-20"), Some("2026-11-19")));
    assert_eq!(fields[3], ("note", "tester", None, Some("CLIENT-NOTE-8812 runner")));
    assert_eq!(trail[4].action, romcam::store::audit::Action::Remove);
    assert!(trail[4].old_value.as_deref().unwrap().contains(&a), "{:?}", trail[4]);
    for e in &trail {
        assert!(chrono::DateTime::parse_from_rfc3339(&e.at).is_ok(), "{}", e.at);
    }
    drop(store);

    // history shows the amended record, the notes and the corrections; so does its JSON
    let run = romcam_in(&data, &["history", "R1"]);
    let text = &run.stdout;
    assert!(text.contains(&format!("  {b}  2026-11-19  after")) && text.contains("amended"), "{text}");
    assert!(text.contains("client: CLIENT-NOTE-8812 runner"), "{text}");
    assert!(text.contains(&format!("{b}: NOTE-ON-RECORD-4471 left knee sore")), "{text}");
    assert!(text.contains(&format!("assessment {b}: phase changed from \"before\" to \"after\"")), "{text}");
    assert!(text.contains(&format!("removed assessment {a}")), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&romcam_in(&data, &["history", "R1", "--json"]).stdout).unwrap();
    assert_eq!(v["notes"], "CLIENT-NOTE-8812 runner");
    assert_eq!(v["assessments"][0]["notes"], "NOTE-ON-RECORD-4471 left knee sore");
    assert_eq!(v["assessments"][0]["amendments"], 3);
    assert_eq!(v["corrections"].as_array().unwrap().len(), 5);

    // the reports: the assessment page and the history page have a Notes line
    let pdf = dir.path().join("a.pdf");
    assert_eq!(
        romcam_in(&data, &["report", "--client", "R1", "--assessment", &b, "--out", pdf.to_str().unwrap()])
            .code,
        0
    );
    let text = pdf_layout(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Notes: NOTE-ON-RECORD-4471 left knee sore"), "{text}");
    assert!(text.contains("Corrected: 3 changes, last "), "{text}");
    let pdf = dir.path().join("h.pdf");
    assert_eq!(
        romcam_in(&data, &["report", "--client", "R1", "--history", "--out", pdf.to_str().unwrap()]).code,
        0
    );
    let text = pdf_layout(&pdf);
    for needle in [
        "Notes",
        "Client: CLIENT-NOTE-8812 runner",
        "NOTE-ON-RECORD-4471 left knee sore",
        "Corrections to the record",
    ] {
        assert!(text.contains(needle), "{needle} in:\n{text}");
    }

    // the export carries the notes and the trail; importing it elsewhere, twice, gives the
    // same record once
    let export = dir.path().join("r1.json");
    assert_eq!(romcam_in(&data, &["export", "R1", "--out", export.to_str().unwrap()]).code, 0);
    let other = dir.path().join("other");
    for round in 0..2 {
        let run = romcam_in(&other, &["import", export.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let store = Store::open(&other).unwrap();
        assert_eq!(
            store.audit_trail("R1").unwrap(),
            Store::open(&data).unwrap().audit_trail("R1").unwrap(),
            "round {round}"
        );
        let rows = store.history("R1").unwrap();
        assert_eq!(rows.len(), 1, "round {round}");
        assert_eq!(rows[0].notes.as_deref(), Some("NOTE-ON-RECORD-4471 left knee sore"));
        assert_eq!(store.client_note("R1").unwrap().as_deref(), Some("CLIENT-NOTE-8812 runner"));
    }
    // the export made before the corrections does not bring the removed record back
    let run = romcam_in(&data, &["import", early_export.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(Store::open(&data).unwrap().history("R1").unwrap().len(), 1, "{}", run.stdout);
    // and a store that has only that early export takes the corrections from the later one
    let late = dir.path().join("late");
    assert_eq!(romcam_in(&late, &["import", early_export.to_str().unwrap()]).code, 0);
    assert_eq!(romcam_in(&late, &["import", export.to_str().unwrap()]).code, 0);
    let rows = Store::open(&late).unwrap().history("R1").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].phase, rows[0].session_date.as_str()), (Phase::After, "2026-11-19"));

    // delete erases the client's trail and notes with its records
    let run = romcam_in(&data, &["delete", "R1", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = store_bytes(&data);
    for secret in ["NOTE-ON-RECORD-4471", "CLIENT-NOTE-8812", "A. Jensen", before.as_str(), after.as_str()] {
        assert!(!contains(&bytes, secret), "{secret} is still in the store file");
    }
    let conn = rusqlite::Connection::open(data.join("romcam.sqlite3")).unwrap();
    let left: i64 = conn.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "audit entries of the deleted client remain");
}

#[test]
fn clients_lists_the_latest_figures_of_each_leg_with_the_reading() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    two_clients(&data);
    let store = Store::open(&data).unwrap();
    let latest = store.history("R1").unwrap().pop().unwrap();
    let full = store.full_result(&latest).unwrap();
    drop(store);
    let run = romcam_in(&data, &["clients"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("  left ") && l.contains(&latest.id))
        .unwrap_or_else(|| panic!("no left-leg line for R1 in:\n{}", run.stdout));
    assert!(line.contains(&format!("{:+.1}°", full.hip_extension_deg.unwrap())), "{line}");
    assert!(line.contains(full.classification.name()), "{line}");
    assert!(run.stdout.lines().any(|l| l.starts_with("  right ")), "{}", run.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&romcam_in(&data, &["clients", "--json"]).stdout).unwrap();
    let r1 = &v["clients"][0];
    assert_eq!(r1["code"], "R1");
    assert_eq!(r1["latest"][0]["side"], "left");
    assert_eq!(r1["latest"][0]["id"], latest.id.as_str());
    assert_eq!(r1["latest"][0]["classification"], full.classification.name());
    assert_eq!(r1["latest"][0]["phase"], "after");
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v1").join(name)
}

/// A store written by romcam with schema 1 (tests/fixtures/store-v1, made by `romcam assess`
/// before schema 2; see its README) opens, is migrated to the current schema, and keeps every
/// record: the same sessions, phases, angles and uids as the expected values beside it.
#[test]
fn a_schema_1_store_is_migrated_keeping_every_record() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("romcam.sqlite3"), dir.path().join("romcam.sqlite3")).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap();
    let version = |dir: &Path| -> i64 {
        rusqlite::Connection::open(dir.join("romcam.sqlite3"))
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(dir.path()), 1);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(version(dir.path()), romcam::store::SCHEMA_VERSION);
    let mut total = 0;
    for client in expected["clients"].as_array().unwrap() {
        let code = client["code"].as_str().unwrap();
        let rows = store.history(code).unwrap();
        let want = client["assessments"].as_array().unwrap();
        assert_eq!(rows.len(), want.len(), "{code}");
        for (row, want) in rows.iter().zip(want) {
            assert_eq!(row.uid, want["uid"].as_str().unwrap());
            assert_eq!(row.id, short_id(&row.uid));
            assert_eq!(row.session_date, want["session"].as_str().unwrap());
            assert_eq!(row.phase.name(), want["phase"].as_str().unwrap());
            assert_eq!(row.side.name(), want["side"].as_str().unwrap());
            assert_eq!(row.hip_extension_deg, want["hip_extension_deg"].as_f64());
            assert_eq!(row.knee_flexion_deg, want["knee_flexion_deg"].as_f64());
            assert_eq!(row.video_sha256, want["video_sha256"].as_str().unwrap());
            assert_eq!((row.notes.as_deref(), row.amendments), (None, 0));
            let full = store.full_result(row).unwrap();
            assert_eq!(full.hip_extension_deg, row.hip_extension_deg);
            total += 1;
        }
        assert!(store.audit_trail(code).unwrap().is_empty());
    }
    assert_eq!(total, expected["assessments"].as_i64().unwrap());
    assert!(total >= 4);
    drop(store);
    // opening again changes nothing, and the migrated store takes the new records
    let mut store = Store::open(dir.path()).unwrap();
    let first = &expected["clients"][0];
    let uid = first["assessments"][0]["uid"].as_str().unwrap();
    store
        .amend(
            short_id(uid),
            &romcam::store::audit::Amendment { note: Some("migrated".into()), ..Default::default() },
            "test",
        )
        .unwrap();
    assert_eq!(store.audit_trail(first["code"].as_str().unwrap()).unwrap().len(), 1);
}

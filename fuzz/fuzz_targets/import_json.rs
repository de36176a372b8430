//! Fuzzes the client export reader (`romcam import`): any bytes must give Ok or a clear error,
//! and an accepted export must hold only records that pass every check (ranges, consistency).
#![no_main]

#[path = "../../src/store/export_format.rs"]
mod export_format;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match export_format::parse_export(text) {
        Ok(export) => {
            for s in &export.sessions {
                for a in &s.assessments {
                    for (v, (lo, hi)) in [
                        (a.hip_extension_deg, export_format::HIP_EXTENSION_RANGE_DEG),
                        (a.knee_flexion_deg, export_format::KNEE_FLEXION_RANGE_DEG),
                        (a.uncertainty_deg, export_format::UNCERTAINTY_RANGE_DEG),
                    ] {
                        assert!(v.is_none_or(|v| v.is_finite() && v >= lo && v <= hi), "angle out of range");
                    }
                    assert_eq!(a.result["test_side"].as_str(), Some(a.side.as_str()));
                    assert!(export_format::check_assessment(a).is_ok());
                }
            }
        }
        Err(e) => assert!(!e.is_empty()),
    }
});

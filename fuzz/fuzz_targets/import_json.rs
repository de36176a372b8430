//! Fuzzes the client export reader (`romcam import`): any bytes must give Ok or a clear error.
#![no_main]

#[path = "../../src/store/export_format.rs"]
mod export_format;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = export_format::parse_export(text) {
            assert!(!e.is_empty());
        }
    }
});

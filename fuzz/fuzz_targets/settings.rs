//! Fuzzes the settings-file parser (TOML and JSON): any text must give settings or an error
//! message, never a panic or hang; accepted settings must hold only what the text holds.
#![no_main]

#[allow(dead_code)] // the file-reading half of the module is not fuzzed
#[path = "../../src/report/settings.rs"]
mod settings;

use settings::{ReportConfig, SettingsFormat};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for format in [SettingsFormat::Toml, SettingsFormat::Json] {
        match ReportConfig::parse(text, format) {
            Ok(c) => {
                // a field's text comes from the file, so it cannot be longer than the file
                for field in [&c.clinic, &c.therapist].into_iter().flatten() {
                    assert!(field.len() <= text.len(), "a field longer than the file");
                }
            }
            Err(message) => assert!(!message.is_empty(), "an error without a message"),
        }
    }
});

//! Fuzzes the MP4/MOV rotation-tag reader: any bytes must give a rotation, never a panic or hang.
#![no_main]

#[path = "../../src/video/rotation.rs"]
mod rotation;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rotation::read_rotation(&mut std::io::Cursor::new(data));
});

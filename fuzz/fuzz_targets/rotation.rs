//! Fuzzes the container readers that run before decoding: the MP4/MOV track header (rotation,
//! mirror, stated frame size) and the Matroska frame size. Any bytes must give a result or a
//! clear error, never a panic, a hang or a large allocation.
#![no_main]

#[path = "../../src/video/rotation.rs"]
mod rotation;

#[path = "../../src/video/matroska.rs"]
mod matroska;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match rotation::read_track_header(&mut std::io::Cursor::new(data)) {
        Ok(h) => assert!(h.coded_size.is_none_or(|(w, h)| w <= 65535 && h <= 65535)),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    let _ = rotation::read_rotation(&mut std::io::Cursor::new(data));
    let _ = matroska::read_frame_size(&mut std::io::Cursor::new(data));
});

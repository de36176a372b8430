//! Reads the display rotation of an MP4/MOV file from its video track header's display matrix.
//!
//! Phones store portrait video as landscape frames plus a matrix that players apply. We walk
//! the ISO-BMFF boxes ourselves (moov → trak → tkhd, and mdia → hdlr to find the video track),
//! skipping `mdat`, which can be gigabytes. (mp4parse was used first; fuzzing found that a
//! crafted edit list makes it try to reserve tens of gigabytes, so only the few boxes needed are
//! read here, with every length checked against its parent.)

use std::io::{Read, Seek, SeekFrom};

/// Clockwise rotation to apply to a decoded frame to show it upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Rotation {
    #[default]
    None,
    Clockwise90,
    Rotate180,
    Clockwise270,
}

impl Rotation {
    /// Degrees clockwise.
    pub fn degrees(self) -> u32 {
        match self {
            Rotation::None => 0,
            Rotation::Clockwise90 => 90,
            Rotation::Rotate180 => 180,
            Rotation::Clockwise270 => 270,
        }
    }

    /// Whether the displayed frame swaps width and height.
    pub fn swaps_axes(self) -> bool {
        matches!(self, Rotation::Clockwise90 | Rotation::Clockwise270)
    }

    /// From the 2x2 part of an ISO-BMFF display matrix (16.16 fixed point `a b / c d`).
    ///
    /// The matrix maps a stored pixel (x, y) to the displayed (a·x + c·y, b·x + d·y), y down.
    pub fn from_matrix(a: i32, b: i32, c: i32, d: i32) -> Rotation {
        let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
        if a.abs() + b.abs() + c.abs() + d.abs() == 0.0 {
            return Rotation::None;
        }
        // The image x axis (1, 0) is displayed along (a, b): its angle, clockwise, y down.
        let _ = (c, d);
        let angle = b.atan2(a).to_degrees();
        let quarter = ((angle / 90.0).round() as i64).rem_euclid(4);
        match quarter {
            1 => Rotation::Clockwise90,
            2 => Rotation::Rotate180,
            3 => Rotation::Clockwise270,
            _ => Rotation::None,
        }
    }
}

/// Largest non-media box we are willing to read into memory (a moov box of a long clip is a few MB).
const MAX_META_BOX: u64 = 256 * 1024 * 1024;

/// Reads the display rotation of the first video track. Files that are not ISO-BMFF (mkv, avi),
/// or whose metadata cannot be parsed, report no rotation: a damaged file is caught by the decoder.
pub fn read_rotation<R: Read + Seek>(file: &mut R) -> Rotation {
    match collect_metadata_boxes(file) {
        Some(bytes) => rotation_from_boxes(&bytes),
        None => Rotation::None,
    }
}

/// Finds the display rotation in already-collected top-level boxes (ftyp, moov, ...).
pub fn rotation_from_boxes(bytes: &[u8]) -> Rotation {
    boxes(bytes)
        .filter(|(kind, _)| kind == b"moov")
        .flat_map(|(_, moov)| boxes(moov).filter(|(kind, _)| kind == b"trak").map(|(_, trak)| trak))
        .find(|trak| is_video_track(trak))
        .and_then(|trak| boxes(trak).find(|(kind, _)| kind == b"tkhd").map(|(_, tkhd)| tkhd))
        .and_then(matrix_of_tkhd)
        .map(|[a, b, c, d]| Rotation::from_matrix(a, b, c, d))
        .unwrap_or_default()
}

/// The child boxes of a box body (or of a file): (type, body). Stops at the first malformed one.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        if data.len() < 8 {
            return None;
        }
        let size32 = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as u64;
        let kind = [data[4], data[5], data[6], data[7]];
        let (size, header) = match size32 {
            0 => (data.len() as u64, 8u64),
            1 if data.len() >= 16 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[8..16]);
                (u64::from_be_bytes(b), 16)
            }
            1 => return None,
            s => (s, 8),
        };
        if size < header || size > data.len() as u64 {
            return None;
        }
        let body = &data[header as usize..size as usize];
        data = &data[size as usize..];
        Some((kind, body))
    })
}

/// Whether a `trak` holds video: its `mdia/hdlr` handler type is `vide`.
fn is_video_track(trak: &[u8]) -> bool {
    boxes(trak)
        .filter(|(kind, _)| kind == b"mdia")
        .flat_map(|(_, mdia)| boxes(mdia))
        .any(|(kind, hdlr)| &kind == b"hdlr" && hdlr.get(8..12) == Some(&b"vide"[..]))
}

/// The a, b, c, d entries (16.16 fixed point) of a `tkhd` body's matrix.
fn matrix_of_tkhd(tkhd: &[u8]) -> Option<[i32; 4]> {
    let version = *tkhd.first()?;
    // version/flags, then times, track id, reserved, duration (v0: 4 bytes each, v1: 8 for times
    // and duration), then 8 reserved, layer, alternate group, volume, 2 reserved: the matrix
    let matrix_at = if version == 1 { 4 + 8 + 8 + 4 + 4 + 8 + 16 } else { 4 + 4 + 4 + 4 + 4 + 4 + 16 };
    let m = tkhd.get(matrix_at..matrix_at + 36)?;
    let word = |i: usize| i32::from_be_bytes([m[4 * i], m[4 * i + 1], m[4 * i + 2], m[4 * i + 3]]);
    // stored row-major as a b u / c d v / x y w
    Some([word(0), word(1), word(3), word(4)])
}

/// Copies every top-level box except media data into one buffer. Returns None when the file does
/// not start like an ISO-BMFF file.
fn collect_metadata_boxes<R: Read + Seek>(file: &mut R) -> Option<Vec<u8>> {
    let len = file.seek(SeekFrom::End(0)).ok()?;
    let mut pos = 0u64;
    let mut out = Vec::new();
    let mut first = true;
    while pos + 8 <= len {
        file.seek(SeekFrom::Start(pos)).ok()?;
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8]).ok()?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as u64;
        let kind = [header[4], header[5], header[6], header[7]];
        if first && &kind != b"ftyp" {
            return None;
        }
        first = false;
        let (size, header_len) = match size32 {
            0 => (len - pos, 8),
            1 => {
                file.read_exact(&mut header[8..16]).ok()?;
                let mut b = [0u8; 8];
                b.copy_from_slice(&header[8..16]);
                (u64::from_be_bytes(b), 16)
            }
            s => (s, 8),
        };
        if size < header_len || pos.checked_add(size)? > len {
            break; // truncated or corrupt: keep what we have
        }
        let keep = matches!(&kind, b"ftyp" | b"moov");
        if keep {
            if size > MAX_META_BOX {
                return None;
            }
            file.seek(SeekFrom::Start(pos)).ok()?;
            let mut buf = vec![0u8; size as usize];
            file.read_exact(&mut buf).ok()?;
            out.extend_from_slice(&buf);
        }
        pos += size;
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: i32 = 1 << 16;

    #[test]
    fn identity_matrix_means_no_rotation() {
        assert_eq!(Rotation::from_matrix(ONE, 0, 0, ONE), Rotation::None);
    }

    #[test]
    fn quarter_turns_are_recognised() {
        assert_eq!(Rotation::from_matrix(0, ONE, -ONE, 0), Rotation::Clockwise90);
        assert_eq!(Rotation::from_matrix(-ONE, 0, 0, -ONE), Rotation::Rotate180);
        assert_eq!(Rotation::from_matrix(0, -ONE, ONE, 0), Rotation::Clockwise270);
    }

    #[test]
    fn garbage_is_not_a_rotation() {
        let mut c = std::io::Cursor::new(b"this is not an mp4 file at all".to_vec());
        assert_eq!(read_rotation(&mut c), Rotation::None);
        let mut empty = std::io::Cursor::new(Vec::new());
        assert_eq!(read_rotation(&mut empty), Rotation::None);
    }
}

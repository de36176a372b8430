//! Reads the display rotation of an MP4/MOV file from its track header's display matrix.
//!
//! Phones store portrait video as landscape frames plus a matrix that players apply. We read the
//! top-level boxes ourselves (skipping `mdat`, which can be gigabytes), then hand the small rest
//! to `mp4parse`.

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

/// Parses already-collected top-level boxes (ftyp, moov, ...) with mp4parse.
pub fn rotation_from_boxes(bytes: &[u8]) -> Rotation {
    let mut cursor = std::io::Cursor::new(bytes);
    let Ok(context) = mp4parse::read_mp4(&mut cursor) else {
        return Rotation::None;
    };
    context
        .tracks
        .iter()
        .filter(|t| t.track_type == mp4parse::TrackType::Video)
        .find_map(|t| t.tkhd.as_ref())
        .map(|h| Rotation::from_matrix(h.matrix.a, h.matrix.b, h.matrix.c, h.matrix.d))
        .unwrap_or_default()
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

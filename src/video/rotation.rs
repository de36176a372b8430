//! Reads the display orientation of an MP4/MOV file from its video track header's display
//! matrix: a quarter turn, and whether the picture is mirrored.
//!
//! Phones store portrait video as landscape frames plus a matrix that players apply. We walk
//! the ISO-BMFF boxes ourselves (moov → trak → tkhd, and mdia → hdlr to find the video track),
//! skipping `mdat`, which can be gigabytes. (mp4parse was used first; fuzzing found that a
//! crafted edit list makes it try to reserve tens of gigabytes, so only the few boxes needed are
//! read here, with every length checked against its parent, and at most [`MAX_METADATA_BYTES`]
//! of metadata in all.)

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

    /// The rotation part of an ISO-BMFF display matrix (16.16 fixed point `a b / c d`), ignoring
    /// any mirror (see [`Orientation::from_matrix`]).
    pub fn from_matrix(a: i32, b: i32, c: i32, d: i32) -> Rotation {
        Orientation::from_matrix(a, b, c, d).map(|o| o.rotation).unwrap_or_default()
    }

    fn from_quarter(quarter: i64) -> Rotation {
        match quarter.rem_euclid(4) {
            1 => Rotation::Clockwise90,
            2 => Rotation::Rotate180,
            3 => Rotation::Clockwise270,
            _ => Rotation::None,
        }
    }
}

/// How to show a decoded frame as the display matrix says: first mirror it left to right (when
/// `mirrored`), then turn it by `rotation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Orientation {
    pub rotation: Rotation,
    pub mirrored: bool,
}

/// Why a file's orientation cannot be used. Each is one sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrientationError {
    /// The display matrix turns the picture by an angle that is not a multiple of 90°.
    NotQuarterTurn { degrees: i64 },
    /// The container's metadata is larger than [`MAX_METADATA_BYTES`].
    MetadataTooLarge,
}

impl std::fmt::Display for OrientationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrientationError::NotQuarterTurn { degrees } => write!(
                f,
                "its display matrix turns the picture by {degrees}°, and romcam shows only quarter turns (0°, 90°, 180°, 270°): re-encode the clip upright"
            ),
            OrientationError::MetadataTooLarge => write!(
                f,
                "its container metadata is larger than {} MB, which romcam does not read (a clip's index is a few MB)",
                MAX_METADATA_BYTES / 1_000_000
            ),
        }
    }
}

/// A matrix angle further than this from a quarter turn is refused rather than rounded.
const QUARTER_TURN_TOLERANCE_DEG: f64 = 1.0;

impl Orientation {
    /// From the 2x2 part of an ISO-BMFF display matrix (16.16 fixed point `a b / c d`).
    ///
    /// The matrix maps a stored pixel (x, y) to the displayed (a·x + c·y, b·x + d·y), y down. A
    /// negative determinant is a mirror: the matrix is then a left-to-right flip followed by a
    /// rotation, whose x axis is displayed along (-a, -b).
    pub fn from_matrix(a: i32, b: i32, c: i32, d: i32) -> Result<Orientation, OrientationError> {
        let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
        if a.abs() + b.abs() + c.abs() + d.abs() == 0.0 {
            return Ok(Orientation::default());
        }
        let mirrored = a * d - b * c < 0.0;
        let (ax, ay) = if mirrored { (-a, -b) } else { (a, b) };
        let angle = ay.atan2(ax).to_degrees();
        let quarter = (angle / 90.0).round();
        if (angle - 90.0 * quarter).abs() > QUARTER_TURN_TOLERANCE_DEG {
            return Err(OrientationError::NotQuarterTurn { degrees: angle.round().rem_euclid(360.0) as i64 });
        }
        Ok(Orientation { rotation: Rotation::from_quarter(quarter as i64), mirrored })
    }
}

/// The most container metadata (the `ftyp` and `moov` boxes, together) romcam reads into
/// memory. The index of an hour of 60 fps video is about 10 MB; FFmpeg reads the same boxes.
pub const MAX_METADATA_BYTES: u64 = 64_000_000;

/// Reads the display rotation of the first video track (see [`read_orientation`]; a file whose
/// orientation cannot be used reports none).
pub fn read_rotation<R: Read + Seek>(file: &mut R) -> Rotation {
    read_orientation(file).map(|o| o.rotation).unwrap_or_default()
}

/// Reads the display orientation of the first video track. Files that are not ISO-BMFF (mkv,
/// avi), or whose metadata cannot be parsed, report none: a damaged file is caught by the
/// decoder. Refuses metadata larger than [`MAX_METADATA_BYTES`] and a display matrix that is not
/// a quarter turn.
pub fn read_orientation<R: Read + Seek>(file: &mut R) -> Result<Orientation, OrientationError> {
    match collect_metadata_boxes(file)? {
        Some(bytes) => orientation_from_boxes(&bytes),
        None => Ok(Orientation::default()),
    }
}

/// What romcam reads from an MP4/MOV file's metadata before decoding anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackHeader {
    pub orientation: Orientation,
    /// The stored frame size the first video sample description states (width, height), if any.
    pub coded_size: Option<(u32, u32)>,
}

/// Reads the display orientation and the stated frame size of the first video track (see
/// [`read_orientation`]); files that are not ISO-BMFF give the default.
pub fn read_track_header<R: Read + Seek>(file: &mut R) -> Result<TrackHeader, OrientationError> {
    let Some(bytes) = collect_metadata_boxes(file)? else { return Ok(TrackHeader::default()) };
    Ok(TrackHeader {
        orientation: orientation_from_boxes(&bytes)?,
        coded_size: coded_size_from_boxes(&bytes),
    })
}

/// The first video track (`trak` body) among already-collected top-level boxes.
fn video_track(bytes: &[u8]) -> Option<&[u8]> {
    boxes(bytes)
        .filter(|(kind, _)| kind == b"moov")
        .flat_map(|(_, moov)| boxes(moov).filter(|(kind, _)| kind == b"trak").map(|(_, trak)| trak))
        .find(|trak| is_video_track(trak))
}

/// Finds the display orientation in already-collected top-level boxes (ftyp, moov, ...).
pub fn orientation_from_boxes(bytes: &[u8]) -> Result<Orientation, OrientationError> {
    video_track(bytes)
        .and_then(|trak| boxes(trak).find(|(kind, _)| kind == b"tkhd").map(|(_, tkhd)| tkhd))
        .and_then(matrix_of_tkhd)
        .map(|[a, b, c, d]| Orientation::from_matrix(a, b, c, d))
        .unwrap_or(Ok(Orientation::default()))
}

/// The width and height of the first visual sample entry (`mdia/minf/stbl/stsd`) of the first
/// video track.
pub fn coded_size_from_boxes(bytes: &[u8]) -> Option<(u32, u32)> {
    fn child<'a>(body: &'a [u8], want: &[u8; 4]) -> Option<&'a [u8]> {
        boxes(body).find(|(kind, _)| kind == want).map(|(_, b)| b)
    }
    let trak = video_track(bytes)?;
    let stsd = child(child(child(child(trak, b"mdia")?, b"minf")?, b"stbl")?, b"stsd")?;
    // version/flags and entry count, then the entries as boxes
    let (_, entry) = boxes(stsd.get(8..)?).next()?;
    // SampleEntry (6 reserved, data reference index), then 16 bytes, then width and height
    let half = |i: usize| Some(u16::from_be_bytes([*entry.get(i)?, *entry.get(i + 1)?]) as u32);
    Some((half(24)?, half(26)?))
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

/// Copies the `ftyp` and `moov` top-level boxes into one buffer (not the media data). Gives
/// None when the file does not start like an ISO-BMFF file or cannot be read, and an error when
/// the boxes together exceed [`MAX_METADATA_BYTES`] (checked before anything is allocated).
fn collect_metadata_boxes<R: Read + Seek>(file: &mut R) -> Result<Option<Vec<u8>>, OrientationError> {
    Ok(try_collect_metadata_boxes(file)?.filter(|out| !out.is_empty()))
}

fn try_collect_metadata_boxes<R: Read + Seek>(file: &mut R) -> Result<Option<Vec<u8>>, OrientationError> {
    let Ok(len) = file.seek(SeekFrom::End(0)) else { return Ok(None) };
    let mut pos = 0u64;
    let mut out = Vec::new();
    let mut first = true;
    while pos + 8 <= len {
        let Some((kind, size)) = box_header(file, pos, len) else { break };
        if first && &kind != b"ftyp" {
            return Ok(None);
        }
        first = false;
        if matches!(&kind, b"ftyp" | b"moov") {
            if out.len() as u64 + size > MAX_METADATA_BYTES {
                return Err(OrientationError::MetadataTooLarge);
            }
            if file.seek(SeekFrom::Start(pos)).is_err() {
                return Ok(None);
            }
            let start = out.len();
            out.resize(start + size as usize, 0);
            if file.read_exact(&mut out[start..]).is_err() {
                return Ok(None);
            }
        }
        pos += size;
    }
    Ok(Some(out))
}

/// The type and size of the top-level box at `pos`, or None when it cannot be read or does not
/// fit in the file (truncated or corrupt: the boxes before it are kept).
fn box_header<R: Read + Seek>(file: &mut R, pos: u64, len: u64) -> Option<([u8; 4], u64)> {
    file.seek(SeekFrom::Start(pos)).ok()?;
    let mut header = [0u8; 16];
    file.read_exact(&mut header[..8]).ok()?;
    let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as u64;
    let kind = [header[4], header[5], header[6], header[7]];
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
        return None;
    }
    Some((kind, size))
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

    #[test]
    fn mirrors_are_told_apart_from_half_turns() {
        let hflip = Orientation::from_matrix(-ONE, 0, 0, ONE).unwrap();
        assert_eq!(hflip, Orientation { rotation: Rotation::None, mirrored: true });
        let vflip = Orientation::from_matrix(ONE, 0, 0, -ONE).unwrap();
        assert_eq!(vflip, Orientation { rotation: Rotation::Rotate180, mirrored: true });
        let half = Orientation::from_matrix(-ONE, 0, 0, -ONE).unwrap();
        assert_eq!(half, Orientation { rotation: Rotation::Rotate180, mirrored: false });
        // a transpose: mirrored, then a quarter turn
        let transpose = Orientation::from_matrix(0, ONE, ONE, 0).unwrap();
        assert!(transpose.mirrored);
        assert!(transpose.rotation.swaps_axes());
    }

    #[test]
    fn a_turn_that_is_not_a_quarter_turn_is_refused() {
        let c = (std::f64::consts::FRAC_1_SQRT_2 * ONE as f64) as i32;
        let e = Orientation::from_matrix(c, c, -c, c).unwrap_err();
        assert_eq!(e, OrientationError::NotQuarterTurn { degrees: 45 });
        assert!(e.to_string().contains("45°"), "{e}");
    }

    /// `size` bytes claimed for a box of type `kind`, followed by its body (zeros).
    fn mp4_box(kind: &[u8; 4], size: u32) -> Vec<u8> {
        let mut b = size.to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.resize(size as usize, 0);
        b
    }

    #[test]
    fn metadata_is_bounded_in_total_not_only_per_box() {
        // many moov boxes, each small enough alone, together too large
        let each = 8_000_000u32;
        let mut file = mp4_box(b"ftyp", 16);
        for _ in 0..(MAX_METADATA_BYTES / each as u64 + 1) {
            file.extend(mp4_box(b"moov", each));
        }
        let e = read_orientation(&mut std::io::Cursor::new(file)).unwrap_err();
        assert_eq!(e, OrientationError::MetadataTooLarge);
        let mut small = mp4_box(b"ftyp", 16);
        assert_eq!(coded_size_from_boxes(&small), None);
        small.extend(mp4_box(b"moov", 1000));
        assert_eq!(read_orientation(&mut std::io::Cursor::new(small)), Ok(Orientation::default()));
    }
}

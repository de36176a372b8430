//! Reads the frame size a Matroska/WebM file states (Segment → Tracks → TrackEntry → Video →
//! PixelWidth, PixelHeight) from its first megabyte, without decoding anything, so that an
//! oversized frame can be refused before OpenCV opens the clip (opening decodes a frame).
//! Every element length is checked against its parent; nothing is allocated from the file's
//! numbers.

use std::io::Read;

/// How much of the file's start is read: the track list comes before the media data.
const HEAD_BYTES: u64 = 1 << 20;

const EBML: u32 = 0x1A45_DFA3;
const SEGMENT: u32 = 0x1853_8067;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;

/// The largest frame size stated by any video track, or None when the file is not Matroska or
/// states none.
pub fn read_frame_size<R: Read>(file: &mut R) -> Option<(u64, u64)> {
    let mut head = Vec::new();
    file.take(HEAD_BYTES).read_to_end(&mut head).ok()?;
    frame_size(&head)
}

/// See [`read_frame_size`]; `data` is the start of the file.
pub fn frame_size(data: &[u8]) -> Option<(u64, u64)> {
    let mut top = elements(data);
    let (id, _) = top.next()?;
    if id != EBML {
        return None;
    }
    let mut best: Option<(u64, u64)> = None;
    for (id, segment) in top {
        if id != SEGMENT {
            continue;
        }
        for (id, tracks) in elements(segment) {
            if id != TRACKS {
                continue;
            }
            for (id, entry) in elements(tracks) {
                if id != TRACK_ENTRY {
                    continue;
                }
                for (id, video) in elements(entry) {
                    if id != VIDEO {
                        continue;
                    }
                    let (mut w, mut h) = (0, 0);
                    for (id, value) in elements(video) {
                        match id {
                            PIXEL_WIDTH => w = uint(value),
                            PIXEL_HEIGHT => h = uint(value),
                            _ => {}
                        }
                    }
                    if best.is_none_or(|(bw, bh)| w.saturating_mul(h) > bw.saturating_mul(bh)) {
                        best = Some((w, h));
                    }
                }
            }
        }
    }
    best
}

/// An unsigned integer element's value (big-endian, at most 8 bytes).
fn uint(value: &[u8]) -> u64 {
    value.iter().take(8).fold(0u64, |acc, &b| (acc << 8) | b as u64)
}

/// The elements in `data`: (id, body). An element whose size is unknown or runs past the end
/// of `data` (a Segment in a file read only in part) gets the rest of `data`. Stops at the first
/// malformed element.
fn elements(mut data: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    std::iter::from_fn(move || {
        let (id, id_len) = vint(data, true)?;
        if id_len > 4 {
            return None;
        }
        let id = id?;
        let (size, size_len) = vint(data.get(id_len..)?, false)?;
        let start = id_len + size_len;
        let rest = data.get(start..)?;
        let len = match size {
            Some(n) if n <= rest.len() as u64 => n as usize,
            _ => rest.len(),
        };
        let body = &rest[..len];
        data = &rest[len..];
        Some((id as u32, body))
    })
}

/// An EBML variable-length integer at the start of `data`: (value, length in bytes). IDs keep
/// their marker bit; for sizes, all ones means "unknown" (None).
fn vint(data: &[u8], keep_marker: bool) -> Option<(Option<u64>, usize)> {
    let first = *data.first()?;
    if first == 0 {
        return None;
    }
    let len = first.leading_zeros() as usize + 1;
    let bytes = data.get(..len)?;
    let mut v = if keep_marker { first as u64 } else { (first as u64) & ((1u64 << (8 - len)) - 1) };
    for &b in &bytes[1..] {
        v = (v << 8) | b as u64;
    }
    let all_ones = (1u64 << (7 * len)) - 1;
    let unknown = !keep_marker && v == all_ones;
    Some((if unknown { None } else { Some(v) }, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_size_of_a_minimal_file_and_ignores_garbage() {
        // EBML header (empty), Segment of unknown size → Tracks → TrackEntry → Video → 800 x 600
        let video = [0xE0, 0x88, 0xB0, 0x82, 0x03, 0x20, 0xBA, 0x82, 0x02, 0x58];
        let mut entry = vec![0xAE, 0x80 | video.len() as u8];
        entry.extend(video);
        let mut tracks = vec![0x16, 0x54, 0xAE, 0x6B, 0x80 | entry.len() as u8];
        tracks.extend(entry);
        let mut file = vec![
            0x1A, 0x45, 0xDF, 0xA3, 0x80, 0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF,
        ];
        file.extend(tracks);
        assert_eq!(frame_size(&file), Some((800, 600)));
        assert_eq!(frame_size(b"not a matroska file"), None);
        assert_eq!(frame_size(&[]), None);
        assert_eq!(frame_size(&file[..file.len() - 3]), Some((800, 0)));
    }
}

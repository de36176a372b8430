//! The fonts compiled into romcam (DejaVu Sans, see `assets/fonts/README.md`), so that reports
//! look the same on every machine, and the text measurement that line wrapping needs.
//!
//! Sizes here are em sizes (a 10 pt font has an em of 10 units), as in PDF and CSS.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};

/// DejaVu Sans (Bitstream Vera licence).
pub static SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold (Bitstream Vera licence).
pub static SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    pub fn data(self) -> &'static [u8] {
        match self {
            Weight::Regular => SANS,
            Weight::Bold => SANS_BOLD,
        }
    }
}

/// The parsed font (parsing only reads the table directory, so it is cheap).
pub fn font(weight: Weight) -> FontRef<'static> {
    FontRef::try_from_slice(weight.data()).expect("the embedded DejaVu font parses")
}

/// ab_glyph's scale for an em size.
pub fn px_scale(font: &FontRef<'_>, em: f32) -> PxScale {
    let upem = font.units_per_em().unwrap_or(2048.0);
    PxScale::from(em * font.height_unscaled() / upem)
}

/// Width of a single line of text.
pub fn text_width(text: &str, em: f32, weight: Weight) -> f32 {
    let f = font(weight);
    let scaled = f.as_scaled(px_scale(&f, em));
    let mut width = 0.0;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    width
}

/// Ascent (above the baseline) of a font at an em size.
pub fn ascent(em: f32, weight: Weight) -> f32 {
    let f = font(weight);
    f.as_scaled(px_scale(&f, em)).ascent()
}

/// Breaks text into lines no wider than `max_width`: at spaces, and inside a word only when
/// the word alone is too wide (a long file path, say). Existing line breaks are kept.
pub fn wrap(text: &str, em: f32, weight: Weight, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if text_width(&candidate, em, weight) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if text_width(word, em, weight) <= max_width {
                line = word.to_string();
                continue;
            }
            for c in word.chars() {
                let mut next = line.clone();
                next.push(c);
                if !line.is_empty() && text_width(&next, em, weight) > max_width {
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                } else {
                    line = next;
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "Left thigh rests 3° above horizontal: consistent with shortened iliopsoas (one-joint hip flexors).";
        let lines = wrap(text, 10.0, Weight::Regular, 150.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, 10.0, Weight::Regular) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_long_word_is_broken() {
        let path = "/home/clinic/videos/2026/november/client-0042/thomas-left-after.mp4";
        let lines = wrap(path, 8.0, Weight::Regular, 80.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), path);
    }

    #[test]
    fn bold_is_wider_and_widths_scale() {
        let r = text_width("Hip extension", 10.0, Weight::Regular);
        assert!(text_width("Hip extension", 10.0, Weight::Bold) > r);
        assert!((text_width("Hip extension", 20.0, Weight::Regular) - 2.0 * r).abs() < 0.5);
        // DejaVu Sans: about 0.55 em per character on average
        assert!(r > 50.0 && r < 90.0, "{r}");
    }
}

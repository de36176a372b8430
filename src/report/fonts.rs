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
    width_with(&scaled, text)
}

/// Width of a line in an already scaled font: advances plus kerning, in one pass.
fn width_with(scaled: &ab_glyph::PxScaleFont<&FontRef<'_>>, text: &str) -> f32 {
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
/// the word alone is too wide (a long file path, say). Existing line breaks are kept. Linear in
/// the text's length: each word and each character is measured once.
pub fn wrap(text: &str, em: f32, weight: Weight, max_width: f32) -> Vec<String> {
    let f = font(weight);
    let scaled = f.as_scaled(px_scale(&f, em));
    let space = width_with(&scaled, " ");
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let (mut line, mut line_width) = (String::new(), 0.0f32);
        for word in paragraph.split_whitespace() {
            let word_width = width_with(&scaled, word);
            let joined = if line.is_empty() { word_width } else { line_width + space + word_width };
            if joined <= max_width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_width = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            if word_width <= max_width {
                line.push_str(word);
                line_width = word_width;
                continue;
            }
            let mut buffer = [0u8; 4];
            for c in word.chars() {
                let c_width = width_with(&scaled, c.encode_utf8(&mut buffer));
                if !line.is_empty() && line_width + c_width > max_width {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += c_width;
            }
        }
        lines.push(line);
    }
    lines
}

/// Shortens a one-line value to fit `width`, ending it with an ellipsis. Linear in the text's
/// length; a value longer than a line could ever show is cut to [`MAX_LINE_CHARS`] first.
pub fn fit(text: &str, em: f32, weight: Weight, width: f32) -> String {
    let (text, cut) = match text.char_indices().nth(MAX_LINE_CHARS) {
        Some((end, _)) => (&text[..end], true),
        None => (text, false),
    };
    let f = font(weight);
    let scaled = f.as_scaled(px_scale(&f, em));
    if !cut && width_with(&scaled, text) <= width {
        return text.to_string();
    }
    let room = width - width_with(&scaled, "…");
    let (mut used, mut end) = (0.0f32, 0);
    let mut buffer = [0u8; 4];
    for (i, c) in text.char_indices() {
        used += width_with(&scaled, c.encode_utf8(&mut buffer));
        if used > room {
            break;
        }
        end = i + c.len_utf8();
    }
    format!("{}…", &text[..end])
}

/// No line of a report shows more characters than this.
pub const MAX_LINE_CHARS: usize = 400;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_very_long_value_is_fitted_and_wrapped_at_once() {
        let long = "x/".repeat(100_000);
        let started = std::time::Instant::now();
        let fitted = fit(&long, 9.0, Weight::Regular, 200.0);
        assert!(fitted.ends_with('…') && text_width(&fitted, 9.0, Weight::Regular) <= 200.0);
        let lines = wrap(&long, 9.0, Weight::Regular, 400.0);
        assert!(lines.len() > 100 && lines.iter().all(|l| text_width(l, 9.0, Weight::Regular) <= 400.5));
        assert_eq!(lines.concat(), long, "wrapping keeps every character");
        // a correctness bound, not a speed goal: the quadratic version took minutes
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
        assert_eq!(fit("short", 9.0, Weight::Regular, 200.0), "short");
    }

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

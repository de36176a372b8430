//! The report document model: what a report page says, block by block, with no format in it.
//!
//! A [`Document`] is a list of pages, and a page a list of [`Block`]s (title, label/value pairs,
//! headings, paragraphs, tables, pictures, charts, warnings, method notes, and two columns side
//! by side). The content builders ([`super::assessment`], [`super::comparison`],
//! [`super::history`]) make documents from plain view data; one PDF renderer ([`super::pdf`])
//! and one HTML renderer ([`super::html`]) draw any document. Sizes given here (a picture's
//! largest size, a column's width, a chart's drawing) are in points of the A4 page; the HTML
//! scales them to its width.

use super::chart::{Figure, Rgb};

/// The width of an A4 page's text, in points (the page less 40 pt margins): charts are drawn
/// at this width.
pub const CONTENT_WIDTH: f32 = 595.28 - 2.0 * 40.0;

/// A whole report: its pages, and what the file's metadata names.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The report's title, without the client (for the PDF's metadata and the HTML's title).
    pub title: String,
    /// The client's code, added to the metadata title.
    pub client: Option<String>,
    /// The therapist, the PDF's author.
    pub author: Option<String>,
    pub pages: Vec<Page>,
}

impl Document {
    /// A one-page document under `title`, for the client and by the therapist of `header`.
    pub fn one_page(title: &str, header: &crate::report::content::Header, blocks: Vec<Block>) -> Document {
        Document {
            title: title.into(),
            client: header.client.clone(),
            author: header.therapist.clone(),
            pages: vec![Page { blocks }],
        }
    }
}

/// One page: a new PDF page (content that does not fit flows onto a continuation page), one
/// `<section>` of the HTML.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub blocks: Vec<Block>,
}

/// The colour a piece of text is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Normal,
    /// Secondary text (labels, captions).
    Muted,
    /// A withheld result.
    Alert,
    /// A warning or a note of caution.
    Caution,
    /// An improvement (a real change for the better).
    Positive,
    /// A worsening (a real change for the worse).
    Negative,
    /// A data series' own colour (a side in the history).
    Series(Rgb),
}

/// Text sizes, largest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextSize {
    /// A verdict.
    Large,
    #[default]
    Normal,
    Small,
    /// Notes.
    Tiny,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub text: String,
    pub size: TextSize,
    pub bold: bool,
    pub tone: Tone,
}

impl Paragraph {
    pub fn new(text: impl Into<String>) -> Self {
        Paragraph { text: text.into(), size: TextSize::Normal, bold: false, tone: Tone::Normal }
    }
    pub fn size(mut self, size: TextSize) -> Self {
        self.size = size;
        self
    }
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub fn tone(mut self, tone: Tone) -> Self {
        self.tone = tone;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub text: String,
    /// A major heading opens a part of the page (a leg); a minor one names what follows.
    pub major: bool,
    pub tone: Tone,
    /// Small type at the right of the heading's line.
    pub aside: Option<String>,
    /// A rule above the heading, between it and what came before.
    pub rule_above: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Start,
    End,
}

/// Table type: regular for the few main figures of a page, compact for lists and side columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableSize {
    #[default]
    Regular,
    Compact,
}

/// One table cell: a value, and a line under it in smaller type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub main: String,
    pub sub: Option<String>,
    pub bold: bool,
    pub tone: Tone,
}

impl Cell {
    pub fn new(main: impl Into<String>) -> Self {
        Cell { main: main.into(), ..Cell::default() }
    }
    pub fn with_sub(mut self, sub: Option<String>) -> Self {
        self.sub = sub.filter(|s| !s.is_empty());
        self
    }
    pub fn bold(mut self, bold: bool) -> Self {
        self.bold = bold;
        self
    }
    pub fn tone(mut self, tone: Tone) -> Self {
        self.tone = tone;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub head: String,
    /// Relative width (the columns share the width the table is given).
    pub weight: f32,
    pub align: Align,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub size: TableSize,
    /// What the table is, for screen readers.
    pub label: Option<String>,
}

/// A JPEG image with its size in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

/// A picture with its caption; without an image, a grey placeholder over the caption (which
/// says why).
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub image: Option<Image>,
    pub caption: String,
    /// The largest it is drawn, in points.
    pub max_width: f32,
    pub max_height: f32,
    /// The placeholder's height when there is no image.
    pub placeholder_height: f32,
}

impl Picture {
    /// Its size in points: the image scaled to fit within the largest size, or the placeholder.
    pub fn size(&self) -> (f32, f32) {
        match &self.image {
            Some(i) if i.width > 0 && i.height > 0 => {
                let s = (self.max_width / i.width as f32).min(self.max_height / i.height as f32);
                (i.width as f32 * s, i.height as f32 * s)
            }
            _ => (self.max_width, self.placeholder_height),
        }
    }
}

/// A chart: a vector drawing in points (made once, drawn alike by both renderers).
#[derive(Debug, Clone)]
pub struct Chart {
    pub figure: Figure,
    /// What the chart shows, for screen readers.
    pub label: String,
}

/// Two columns side by side; the left one `left_width` points wide.
#[derive(Debug, Clone)]
pub struct Columns {
    pub left_width: f32,
    pub gap: f32,
    pub left: Vec<Block>,
    pub right: Vec<Block>,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// The page's title, with the clinic at the right.
    Title {
        text: String,
        clinic: Option<String>,
    },
    /// Label/value pairs in three columns between rules (who, when, what).
    KeyValues(Vec<(String, String)>),
    Heading(Heading),
    /// A small label in capitals over what follows ("RESULT").
    Label(String),
    Paragraph(Paragraph),
    Table(Table),
    Picture(Picture),
    /// Pictures side by side, each drawn in a box of the same size (`max_height` points high,
    /// 16:9, never wider than its share of the width), the image fitted and centred in it, so
    /// that they compare at a glance whatever each clip's shape.
    Pictures {
        pictures: Vec<Picture>,
        max_height: f32,
    },
    Chart(Chart),
    /// Quality warnings under a heading, or `none` when there are none.
    Warnings {
        heading: String,
        items: Vec<String>,
        none: String,
    },
    /// The method notes, at the foot of the page when there is room.
    Method(Vec<String>),
    Columns(Box<Columns>),
    /// A thin rule across the width.
    Rule,
    /// Blocks kept on one PDF page.
    Together(Vec<Block>),
}

impl Heading {
    pub fn new(text: impl Into<String>, major: bool) -> Self {
        Heading { text: text.into(), major, tone: Tone::Normal, aside: None, rule_above: false }
    }
}

impl From<Heading> for Block {
    fn from(h: Heading) -> Self {
        Block::Heading(h)
    }
}

impl From<Paragraph> for Block {
    fn from(p: Paragraph) -> Self {
        Block::Paragraph(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_keeps_its_aspect_within_its_box() {
        let p = Picture {
            image: Some(Image { jpeg: Vec::new(), width: 1280, height: 720, alt: String::new() }),
            caption: String::new(),
            max_width: 300.0,
            max_height: 168.0,
            placeholder_height: 60.0,
        };
        let (w, h) = p.size();
        assert!((w / h - 1280.0 / 720.0).abs() < 1e-3 && w <= 300.0 && h <= 168.0 + 1e-3, "{w}x{h}");
        let none = Picture { image: None, ..p };
        assert_eq!(none.size(), (300.0, 60.0));
    }
}

//! The HTML report: one self-contained file (the key frame as a data URI, the chart as inline
//! SVG, the style inline) with the same content as the PDF, laid out for A4 when printed.

use std::fmt::Write;

use anyhow::Result;
use base64::Engine;

use super::chart::{self, Anchor, Figure, Prim};
use super::content::{wording, Header, PageContent, ReportContent};
use super::fonts::Weight;
use super::Exporter;

pub struct HtmlExporter;

const STYLE: &str = r#"
:root { color: #212121; font-family: "DejaVu Sans", Verdana, "Segoe UI", Arial, sans-serif; font-size: 10pt; }
body { margin: 0; background: #f3f3f3; }
.page { background: #fff; max-width: 190mm; margin: 8mm auto; padding: 10mm 12mm; box-shadow: 0 0 4px #bbb; }
header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #bebebe; padding-bottom: 3pt; }
h1 { font-size: 15pt; margin: 0; }
.clinic { color: #6e6e6e; font-weight: bold; }
.fields { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2pt 12pt; margin: 5pt 0 8pt; padding-bottom: 5pt; border-bottom: 1px solid #bebebe; }
.fields div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.fields span { color: #6e6e6e; }
.top { display: flex; gap: 14pt; align-items: flex-start; }
figure { margin: 0; flex: 0 0 auto; max-width: 58%; }
figure img { display: block; max-width: 100%; max-height: 70mm; }
figcaption { color: #6e6e6e; font-size: 7pt; margin-top: 3pt; }
.result .label { color: #6e6e6e; font-weight: bold; font-size: 8pt; }
.verdict { font-weight: bold; font-size: 11pt; margin: 3pt 0 6pt; }
.withheld { color: #a51c1c; }
.result p { margin: 0 0 4pt; }
table { border-collapse: collapse; width: 100%; margin: 10pt 0; }
th { text-align: left; color: #6e6e6e; font-size: 7.5pt; border-bottom: 1px solid #bebebe; padding: 2pt 4pt 2pt 0; vertical-align: bottom; }
td { padding: 3pt 4pt 3pt 0; vertical-align: top; }
td:nth-child(-n+2) { font-weight: bold; }
td small { display: block; font-weight: normal; font-size: 7.5pt; color: #6e6e6e; }
tbody tr:last-child td { border-bottom: 1px solid #bebebe; }
h2 { font-size: 9.5pt; margin: 8pt 0 4pt; }
h2.warn, .warnings li::marker { color: #965a00; }
.warnings { margin: 0 0 6pt; padding-left: 14pt; }
.ok { color: #6e6e6e; }
svg { display: block; width: 100%; height: auto; }
.method { border-top: 1px solid #bebebe; margin-top: 8pt; color: #6e6e6e; font-size: 7pt; }
.method h3 { font-size: 7.5pt; margin: 4pt 0 2pt; }
.method p { margin: 0 0 2pt; }
@page { size: A4; margin: 12mm; }
@media print {
  body { background: none; }
  .page { box-shadow: none; margin: 0; padding: 0; max-width: none; break-after: page; }
  .page:last-child { break-after: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

impl Exporter for HtmlExporter {
    fn serialize(&self, report: &ReportContent) -> Result<Vec<u8>> {
        let mut body = String::new();
        for page in &report.pages {
            section(&mut body, &report.header, page);
        }
        Ok(document(wording::TITLE, &report.header, "", &body))
    }
}

/// The whole file around the pages: the title (with the client's code), the style (the shared
/// one plus `extra_style`) and the body.
pub(super) fn document(title: &str, header: &Header, extra_style: &str, body: &str) -> Vec<u8> {
    let title = match &header.client {
        Some(c) => format!("{title} — client {c}"),
        None => title.to_string(),
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"generator\" content=\"romcam {}\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}{extra_style}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&title)
    );
    h.push_str(body);
    h.push_str("</body>\n</html>\n");
    h.into_bytes()
}

/// Opens a page: `<section class="page">`, the title with the clinic, and the label/value
/// pairs. The caller closes the section.
pub(super) fn page_header(h: &mut String, title: &str, clinic: Option<&str>, fields: &[(&str, String)]) {
    h.push_str("<section class=\"page\">\n<header><h1>");
    h.push_str(&escape(title));
    h.push_str("</h1>");
    if let Some(c) = clinic {
        let _ = write!(h, "<div class=\"clinic\">{}</div>", escape(c));
    }
    h.push_str("</header>\n<div class=\"fields\">\n");
    for (label, value) in fields {
        let _ = writeln!(h, "<div><span>{}:</span> <b>{}</b></div>", escape(label), escape(value));
    }
    h.push_str("</div>\n");
}

fn section(h: &mut String, header: &Header, page: &PageContent) {
    let a = page.assessment;
    let withheld = a.withheld_reason.is_some();
    page_header(h, wording::TITLE, header.clinic.as_deref(), &wording::header_fields(header, page));
    h.push_str("<div class=\"top\">\n<figure>");
    if let Some(k) = &page.key_frame {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&k.jpeg);
        let _ = write!(
            h,
            "<img src=\"data:image/jpeg;base64,{b64}\" width=\"{}\" height=\"{}\" alt=\"Key frame{} with the skeleton, the table horizontal and the angles\">",
            k.width,
            k.height,
            k.t.map(|t| format!(" at {t:.2} s")).unwrap_or_default()
        );
    }
    let _ = writeln!(h, "<figcaption>{}</figcaption></figure>", escape(&wording::key_frame_caption(page)));
    let _ = writeln!(
        h,
        "<div class=\"result\"><div class=\"label\">RESULT</div><p class=\"verdict{}\">{}</p>",
        if withheld { " withheld" } else { "" },
        escape(&wording::classification(a))
    );
    for s in &a.findings.sentences {
        let _ = writeln!(h, "<p>{}</p>", escape(s));
    }
    h.push_str("</div>\n</div>\n<table>\n<thead><tr>");
    let (head, rows) = wording::figure_table(a);
    for c in &head {
        let _ = write!(h, "<th>{}</th>", escape(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &rows {
        h.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let class = if i == 1 && c.main == "withheld" { " class=\"withheld\"" } else { "" };
            let _ = write!(h, "<td{class}>{}", escape(&c.main));
            if let Some(sub) = &c.sub {
                let _ = write!(h, "<small>{}</small>", escape(sub));
            }
            h.push_str("</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    let note = if withheld {
        "Angles over the clip (per frame; for checking the recording only: the result is withheld)"
    } else {
        "Angles over the clip"
    };
    let _ = writeln!(h, "<h2>{}</h2>", escape(note));
    let fig = chart::angle_chart(a, page.key_frame.as_ref().and_then(|k| k.t), 515.0);
    h.push_str(&svg(&fig));
    if a.warnings.is_empty() {
        h.push_str("<p class=\"ok\">Quality checks: no warnings.</p>\n");
    } else {
        h.push_str("<h2 class=\"warn\">Quality warnings</h2>\n<ul class=\"warnings\">\n");
        for w in &a.warnings {
            let _ = writeln!(h, "<li>{}</li>", escape(w));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<footer class=\"method\"><h3>Method</h3>\n");
    for m in wording::method(a) {
        let _ = writeln!(h, "<p>{}</p>", escape(&m));
    }
    h.push_str("</footer>\n</section>\n");
}

fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The chart as inline SVG, in the same units (points) as the PDF.
pub fn svg(fig: &Figure) -> String {
    svg_labelled(fig, "Hip extension and knee flexion over the clip")
}

/// A figure as inline SVG, with `label` for screen readers.
pub fn svg_labelled(fig: &Figure, label: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" font-family=\"'DejaVu Sans', Verdana, Arial, sans-serif\">",
        num(fig.width),
        num(fig.height),
        escape(label)
    );
    for p in &fig.prims {
        match p {
            Prim::Rect { x, y, w, h, fill } => {
                let _ = writeln!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                    num(*x),
                    num(*y),
                    num(*w),
                    num(*h),
                    fill.hex()
                );
            }
            Prim::Line { points, colour, width, dash } => {
                let pts: Vec<String> =
                    points.iter().map(|(x, y)| format!("{},{}", num(*x), num(*y))).collect();
                let dash =
                    dash.map(|d| format!(" stroke-dasharray=\"{} {}\"", num(d), num(d))).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"{dash}/>",
                    pts.join(" "),
                    colour.hex(),
                    num(*width)
                );
            }
            Prim::Dot { x, y, r, fill, outline } => {
                let _ = writeln!(
                    s,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
                    num(*x),
                    num(*y),
                    num(*r),
                    fill.hex(),
                    outline.hex()
                );
            }
            Prim::Text { x, y, em, anchor, colour, weight, text } => {
                let anchor = match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let bold = if *weight == Weight::Bold { " font-weight=\"bold\"" } else { "" };
                let _ = writeln!(
                    s,
                    "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" fill=\"{}\"{bold}>{}</text>",
                    num(*x),
                    num(*y),
                    num(*em),
                    colour.hex(),
                    escape(text)
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<b>\"A&B\"</b>"), "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-0.001), "0");
    }
}

//! A chart's shapes as inline SVG (maud, so every text is escaped), in the same units (points)
//! as the PDF.

use maud::{html, Markup};

use crate::report::chart::{Anchor, Figure, Prim};
use crate::report::fonts::Weight;

/// A number in few characters: "12", "12.5", never "-0".
fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A figure as inline SVG, with `label` for screen readers.
pub fn svg(fig: &Figure, label: &str) -> Markup {
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (num(fig.width)) " " (num(fig.height)) }
            role="img" aria-label=(label) font-family="'DejaVu Sans', Verdana, Arial, sans-serif" {
            @for p in &fig.prims {
                (prim(p))
            }
        }
    }
}

fn prim(p: &Prim) -> Markup {
    match p {
        Prim::Rect { x, y, w, h, fill } => html! {
            rect x=(num(*x)) y=(num(*y)) width=(num(*w)) height=(num(*h)) fill=(fill.hex()) {}
        },
        Prim::Line { points, colour, width, dash } => {
            let pts: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", num(*x), num(*y))).collect();
            let dash = dash.map(|d| format!("{} {}", num(d), num(d)));
            html! {
                polyline points=(pts.join(" ")) fill="none" stroke=(colour.hex()) stroke-width=(num(*width))
                    stroke-linejoin="round" stroke-dasharray=[dash] {}
            }
        }
        Prim::Dot { x, y, r, fill, outline } => html! {
            circle cx=(num(*x)) cy=(num(*y)) r=(num(*r)) fill=(fill.hex()) stroke=(outline.hex()) stroke-width="1" {}
        },
        Prim::Text { x, y, em, anchor, colour, weight, text } => {
            let anchor = match anchor {
                Anchor::Start => "start",
                Anchor::Middle => "middle",
                Anchor::End => "end",
            };
            let bold = (*weight == Weight::Bold).then_some("bold");
            html! {
                text x=(num(*x)) y=(num(*y)) font-size=(num(*em)) text-anchor=(anchor) fill=(colour.hex())
                    font-weight=[bold] { (text) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::Rgb;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-0.001), "0");
    }

    #[test]
    fn chart_text_is_escaped_and_shapes_are_closed() {
        let fig = Figure {
            width: 100.0,
            height: 50.0,
            prims: vec![
                Prim::Rect { x: 0.0, y: 0.0, w: 10.0, h: 5.0, fill: Rgb(255, 0, 0) },
                Prim::Text {
                    x: 1.0,
                    y: 2.0,
                    em: 6.5,
                    anchor: Anchor::End,
                    colour: Rgb(0, 0, 0),
                    weight: Weight::Bold,
                    text: "<b>&".into(),
                },
            ],
        };
        let s = svg(&fig, "a \"label\"").into_string();
        assert!(s.contains("viewBox=\"0 0 100 50\""), "{s}");
        assert!(s.contains("aria-label=\"a &quot;label&quot;\""), "{s}");
        assert!(
            s.contains("<rect x=\"0\" y=\"0\" width=\"10\" height=\"5\" fill=\"#ff0000\"></rect>"),
            "{s}"
        );
        assert!(s.contains("font-weight=\"bold\">&lt;b&gt;&amp;</text>"), "{s}");
    }
}

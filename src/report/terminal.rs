//! The short terminal summary for the therapist.

use std::fmt::Write;

use crate::assess::Assessment;

fn fmt_angle(v: Option<f64>, unc: Option<f64>, signed: bool) -> String {
    let value = |v: f64| if signed { format!("{v:+.1}°") } else { format!("{v:.1}°") };
    match (v, unc) {
        (Some(v), Some(u)) => format!("{} ± {u:.1}°", value(v)),
        (Some(v), None) => value(v),
        (None, _) => "withheld".into(),
    }
}

pub fn summary(a: &Assessment) -> String {
    let mut s = String::new();
    let near = match a.test_leg_near_camera {
        Some(true) => " (nearer the camera)",
        Some(false) => " (farther from the camera)",
        None => "",
    };
    let _ = writeln!(s, "Modified Thomas test: {} leg{near}", a.test_side);
    let _ = writeln!(s, "  side:            {}", a.side_basis);
    let _ = writeln!(
        s,
        "  hip extension:   {:<16} {:<22} norm: {:.1}° below horizontal (Harvey 1998); shortening below {:+.0}° (Kendall)",
        fmt_angle(a.hip_extension_deg, a.uncertainty_deg, true),
        a.hip_extension_words.as_deref().map(|w| format!("({w})")).unwrap_or_default(),
        a.norms.hip_extension_deg,
        a.criteria.hip_extension_threshold_deg
    );
    let _ = writeln!(
        s,
        "  knee flexion:    {:<16} {:<22} norm: {:.1}° (Harvey 1998); shortening below {:.0}° (Kendall)",
        fmt_angle(a.knee_flexion_deg, a.knee_uncertainty_deg, false),
        "",
        a.norms.knee_flexion_deg,
        a.criteria.knee_flexion_threshold_deg
    );
    let _ = writeln!(
        s,
        "  thigh to trunk:  {} (180° = thigh in line with the trunk)",
        fmt_angle(a.thigh_to_trunk_deg, None, false)
    );
    if let Some(h) = &a.hold {
        let _ = writeln!(s, "  hold:            {:.2}–{:.2} s ({} frames)", h.start_s, h.end_s, h.frames);
    }
    let _ = writeln!(s, "  horizontal:      {}", a.reference.description);
    let _ = writeln!(s, "  classification:  {}", a.classification);
    for line in &a.findings.sentences {
        let _ = writeln!(s, "  {line}");
    }
    for w in &a.warnings {
        let _ = writeln!(s, "  warning: {w}");
    }
    s
}

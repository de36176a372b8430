//! The short terminal summary for the therapist.

use std::fmt::Write;

use crate::assess::Assessment;

fn fmt_angle(v: Option<f64>, unc: Option<f64>) -> String {
    match (v, unc) {
        (Some(v), Some(u)) => format!("{v:+.1}° ± {u:.1}°"),
        (Some(v), None) => format!("{v:+.1}°"),
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
        "  hip extension:   {:<18} {}   norm {:+.1}° (Harvey 1998)",
        fmt_angle(a.hip_extension_deg, a.uncertainty_deg),
        a.hip_extension_words.as_deref().unwrap_or(""),
        a.norms.hip_extension_deg
    );
    let _ = writeln!(
        s,
        "  knee flexion:    {:<18} norm {:.1}° (Harvey 1998), criterion ≥ {:.0}°",
        fmt_angle(a.knee_flexion_deg, a.knee_uncertainty_deg),
        a.norms.knee_flexion_deg,
        a.criteria.knee_flexion_threshold_deg
    );
    let _ = writeln!(s, "  thigh to trunk:  {}", fmt_angle(a.thigh_to_trunk_deg, None));
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

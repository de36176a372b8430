//! What romcam prints on the terminal for people (not `--json`): the summary of an assessment
//! and the tables of the store commands (clients, history, comparison). Each view returns the
//! text; the command prints it.

use std::fmt::Write;
use std::path::Path;

use crate::assess::Assessment;
use crate::measure::leg::Side;
use crate::store::compare::Comparison;
use crate::store::records::{ClientSummary, StoredAssessment};

fn fmt_angle(v: Option<f64>, unc: Option<f64>, signed: bool) -> String {
    let value = |v: f64| if signed { format!("{v:+.1}°") } else { format!("{v:.1}°") };
    match (v, unc) {
        (Some(v), Some(u)) => format!("{} ± {u:.1}°", value(v)),
        (Some(v), None) => value(v),
        (None, _) => "withheld".into(),
    }
}

/// The short summary of `romcam assess` for the therapist.
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

/// `romcam clients`: one line per client, or a note that the store is empty.
pub fn clients_table(list: &[ClientSummary], store_path: &Path) -> String {
    if list.is_empty() {
        return format!("no clients in {}\n", store_path.display());
    }
    let mut s = format!("{:<20} {:>8} {:>11}  last session\n", "client", "sessions", "assessments");
    for c in list {
        let _ = writeln!(
            s,
            "{:<20} {:>8} {:>11}  {}",
            c.code,
            c.sessions,
            c.assessments,
            c.last_session.as_deref().unwrap_or_default()
        );
    }
    s
}

/// `romcam history`: a client's assessments per leg, oldest first.
pub fn history_table(list: &[StoredAssessment]) -> String {
    let mut s = String::new();
    for side in [Side::Left, Side::Right] {
        let rows: Vec<_> = list.iter().filter(|a| a.side == side).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "{side} leg");
        let _ = writeln!(
            s,
            "  {:>4}  {:<10}  {:<6}  {:>14}  {:>12}",
            "id", "session", "phase", "hip extension", "knee flexion"
        );
        for a in rows {
            let _ = writeln!(
                s,
                "  {:>4}  {:<10}  {:<6}  {:>14}  {:>12}",
                a.id,
                a.session_date,
                a.phase.name(),
                a.hip_extension_deg.map(|x| format!("{x:+.1}°")).unwrap_or_else(|| "withheld".into()),
                a.knee_flexion_deg.map(|k| format!("{k:.1}°")).unwrap_or_else(|| "withheld".into())
            );
        }
    }
    s
}

/// `romcam compare`: the change per leg, its verdict, the asymmetry and the MDC's method.
pub fn comparison_text(c: &Comparison) -> String {
    let mut out = format!("Client {}: before/after change (after minus before)\n", c.client);
    for ch in &c.changes {
        out.push_str(&format!(
            "  {} leg: hip extension {:+.1}° -> {:+.1}° (change {:+.1}°, MDC95 {:.1}°: {}); knee flexion change {} (MDC95 {:.1}°)\n",
            ch.side,
            ch.before.hip_extension_deg,
            ch.after.hip_extension_deg,
            ch.hip_extension_change_deg,
            ch.mdc95_deg,
            if ch.real { "real" } else { "not real" },
            ch.knee_flexion_change_deg.map(|k| format!("{k:+.1}°")).unwrap_or_else(|| "n/a".into()),
            ch.knee_mdc95_deg
        ));
        out.push_str(&format!("    {}\n", ch.verdict));
    }
    if let Some(a) = c.asymmetry.after_left_minus_right_deg {
        out.push_str(&format!(
            "  left/right asymmetry of hip extension: before {}, after {a:+.1}°\n",
            c.asymmetry
                .before_left_minus_right_deg
                .map(|b| format!("{b:+.1}°"))
                .unwrap_or_else(|| "n/a".into())
        ));
    }
    out.push_str(&format!(
        "  ({}; SEM hip {:.1}°, knee {:.1}°)\n",
        c.mdc_method, c.sem_hip_deg, c.sem_knee_deg
    ));
    out
}

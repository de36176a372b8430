//! What romcam prints on the terminal for people (not `--json`): the summary of an assessment
//! and the tables of the store commands (clients, history, comparison). Each view returns the
//! text; the command prints it.

use std::fmt::Write;
use std::path::Path;

use crate::assess::change::{Angle, ChangeVerdict};
use crate::assess::Assessment;
use crate::measure::leg::Side;
use crate::store::audit::AuditEntry;
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
    let c = &a.criteria;
    let population = crate::assess::reference_population(&c.norm_source);
    let norm_cite = crate::report::content::short_citation(&c.norm_source);
    let _ = writeln!(
        s,
        "  hip extension:   {:<16} {}",
        fmt_angle(a.hip_extension_deg, a.uncertainty_deg, true),
        a.hip_extension_words.as_deref().map(|w| format!("(thigh {w})")).unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "                   shortened if: {} ({})",
        crate::assess::hip_criterion_words(c.hip_extension_threshold_deg),
        crate::report::content::short_citation(&c.hip_source)
    );
    let _ = writeln!(
        s,
        "                   reference: {}, {population} ({norm_cite})",
        crate::assess::thigh_position_words(c.hip_extension_norm_deg)
    );
    let _ =
        writeln!(s, "  knee flexion:    {}", fmt_angle(a.knee_flexion_deg, a.knee_uncertainty_deg, false));
    let _ = writeln!(
        s,
        "                   shortened if: the knee bends less than {:.0}° ({})",
        c.knee_flexion_threshold_deg,
        crate::report::content::short_citation(&c.knee_source)
    );
    let _ = writeln!(
        s,
        "                   reference: {:.1}°, {population}, thighs hanging lower ({norm_cite})",
        c.knee_flexion_norm_deg
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

/// `romcam clients`: one line per client, then per leg the latest measured figures with their
/// reading, or a note that the store is empty.
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
        for l in &c.latest {
            let _ = writeln!(
                s,
                "  {:<5} hip {:>6}  knee {:>6}  {} ({}, {}, {})",
                l.side.name(),
                format!("{:+.1}°", l.hip_extension_deg),
                l.knee_flexion_deg.map(|k| format!("{k:.1}°")).unwrap_or_else(|| "—".into()),
                l.classification,
                l.session_date,
                l.phase,
                l.id
            );
        }
    }
    s
}

/// `romcam history`: a client's assessments per leg, oldest first (an amended one marked),
/// then the notes and the corrections to the record.
pub fn history_table(list: &[StoredAssessment], client_note: Option<&str>, trail: &[AuditEntry]) -> String {
    let mut s = String::new();
    for side in [Side::Left, Side::Right] {
        let rows: Vec<_> = list.iter().filter(|a| a.side == side).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "{side} leg");
        let _ = writeln!(
            s,
            "  {:<8}  {:<10}  {:<6}  {:>14}  {:>12}",
            "id", "session", "phase", "hip extension", "knee flexion"
        );
        for a in rows {
            let line = format!(
                "  {:<8}  {:<10}  {:<6}  {:>14}  {:>12}{}",
                a.id,
                a.session_date,
                a.phase.name(),
                a.hip_extension_deg.map(|x| format!("{x:+.1}°")).unwrap_or_else(|| "withheld".into()),
                a.knee_flexion_deg.map(|k| format!("{k:.1}°")).unwrap_or_else(|| "withheld".into()),
                if a.amendments > 0 { "  amended" } else { "" }
            );
            let _ = writeln!(s, "{}", line.trim_end());
        }
    }
    let notes: Vec<String> = client_note
        .map(|n| format!("client: {n}"))
        .into_iter()
        .chain(list.iter().filter_map(|a| Some(format!("{}: {}", a.id, a.notes.as_deref()?))))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(s, "notes");
        for n in notes {
            let _ = writeln!(s, "  {}", n.replace('\n', " "));
        }
    }
    if !trail.is_empty() {
        let _ = writeln!(s, "corrections");
        for e in trail {
            let _ = writeln!(s, "  {}", e.sentence().replace('\n', " "));
        }
    }
    s
}

/// `romcam compare`: per leg, what is compared (sessions and phases), hip extension and knee
/// flexion from the earlier to the later assessment with the change and its verdict (real
/// improvement, real worsening or within measurement error), then the left/right asymmetry
/// where both legs share a session and phase, and the MDC's method.
pub fn comparison_text(c: &Comparison) -> String {
    let mut out = format!("Client {}: change per leg (later minus earlier)\n", c.client);
    for ch in &c.changes {
        let _ = writeln!(out, "  {} leg: {}", ch.side, ch.label);
        let row =
            |what: &str, from: String, to: String, change: f64, mdc: f64, v: ChangeVerdict, a: Angle| {
                let direction = v.direction(a, change).map(|d| format!(" ({d})")).unwrap_or_default();
                format!(
                    "    {what:<14} {from:>6} → {to:>6}  change {:>6} (MDC95 {mdc:.1}°): {}{direction}\n",
                    format!("{change:+.1}°"),
                    v.words()
                )
            };
        out.push_str(&row(
            "hip extension",
            format!("{:+.1}°", ch.from.hip_extension_deg),
            format!("{:+.1}°", ch.to.hip_extension_deg),
            ch.hip_extension_change_deg,
            ch.mdc95_deg,
            ch.hip_verdict,
            Angle::HipExtension,
        ));
        match (ch.from.knee_flexion_deg, ch.to.knee_flexion_deg, ch.knee_flexion_change_deg, ch.knee_verdict)
        {
            (Some(f), Some(t), Some(k), Some(v)) => out.push_str(&row(
                "knee flexion",
                format!("{f:.1}°"),
                format!("{t:.1}°"),
                k,
                ch.knee_mdc95_deg,
                v,
                Angle::KneeFlexion,
            )),
            _ => out.push_str("    knee flexion   not compared: not measured in both assessments\n"),
        }
    }
    let a = &c.asymmetry;
    if a.across_sessions_only() {
        let per_leg: Vec<String> = c.changes.iter().map(|ch| format!("{}: {}", ch.side, ch.label)).collect();
        let _ = writeln!(
            out,
            "  left/right asymmetry: not given, the legs were not assessed in the same session and phase ({})",
            per_leg.join("; ")
        );
    } else if !a.hip_left_minus_right.is_empty() {
        let states: Vec<String> = a
            .hip_left_minus_right
            .iter()
            .map(|s| format!("{} {:+.1}°", s.label(), s.left_minus_right_deg))
            .collect();
        let _ = writeln!(
            out,
            "  left/right asymmetry of hip extension (left minus right): {}",
            states.join(", ")
        );
    }
    let _ = writeln!(out, "  ({}; SEM hip {:.1}°, knee {:.1}°)", c.mdc_method, c.sem_hip_deg, c.sem_knee_deg);
    let _ = writeln!(
        out,
        "  MDC95: the smallest change larger than measurement error (95% confidence). SEM: the typical\n  scatter of repeated measurements of an unchanged client."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::compare::{side_change, Endpoint};
    use crate::store::records::Phase;

    fn stored(id: i64, side: Side, phase: Phase, hip: Option<f64>) -> StoredAssessment {
        StoredAssessment {
            row_id: id,
            id: format!("{id:08x}"),
            uid: format!("{id:032x}"),
            client: "C1".into(),
            session_date: "2026-11-20".into(),
            side,
            phase,
            hip_extension_deg: hip,
            knee_flexion_deg: hip.map(|h| 60.0 + h),
            uncertainty_deg: Some(1.8),
            created_at: "2026-11-20T10:00:00.000Z".into(),
            video_path: "/clips/a.mp4".into(),
            video_sha256: "0".repeat(64),
            model: "BlazePose".into(),
            romcam_version: "0.1.0".into(),
            notes: None,
            amendments: 0,
        }
    }

    #[test]
    fn history_lists_each_leg_with_withheld_figures_in_words() {
        let rows = [
            stored(3, Side::Right, Phase::Before, Some(4.0)),
            stored(1, Side::Left, Phase::Before, Some(-9.5)),
            stored(2, Side::Left, Phase::After, None),
        ];
        let text = history_table(&rows, None, &[]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "left leg");
        assert_eq!(lines[2], "  00000001  2026-11-20  before           -9.5°         50.5°");
        assert_eq!(lines[3], "  00000002  2026-11-20  after         withheld      withheld");
        assert_eq!(lines[4], "right leg");
        assert_eq!(lines.len(), 7);
    }

    #[test]
    fn clients_table_or_an_empty_store() {
        assert_eq!(clients_table(&[], Path::new("/s/romcam.sqlite3")), "no clients in /s/romcam.sqlite3\n");
        let list = [ClientSummary {
            code: "0042".into(),
            name: None,
            sessions: 2,
            assessments: 3,
            last_session: Some("2026-12-04".into()),
            latest: vec![crate::store::records::LatestOfSide {
                side: Side::Left,
                id: "3fa2b1c4".into(),
                session_date: "2026-12-04".into(),
                phase: Phase::After,
                hip_extension_deg: -9.46,
                knee_flexion_deg: Some(50.5),
                classification: "positive: iliopsoas shortening".into(),
            }],
        }];
        let text = clients_table(&list, Path::new("/s"));
        assert_eq!(text.lines().nth(1), Some("0042                        2           3  2026-12-04"));
        assert_eq!(
            text.lines().nth(2),
            Some("  left  hip  -9.5°  knee  50.5°  positive: iliopsoas shortening (2026-12-04, after, 3fa2b1c4)")
        );
    }

    #[test]
    fn comparison_prints_both_measures_with_their_verdicts_and_what_is_compared() {
        let ep = |id: i64, date: &str, phase, hip, knee| Endpoint {
            id: format!("{id:08x}"),
            uid: format!("{id:032x}"),
            session_date: date.into(),
            phase,
            hip_extension_deg: hip,
            knee_flexion_deg: Some(knee),
        };
        let changes = vec![
            side_change(
                Side::Left,
                ep(1, "2026-11-20", Phase::Before, -9.5, 58.7),
                ep(2, "2026-11-20", Phase::After, -1.4, 59.7),
            ),
            side_change(
                Side::Right,
                ep(3, "2026-11-20", Phase::After, 2.0, 70.0),
                ep(4, "2026-12-04", Phase::After, -4.0, 62.0),
            ),
        ];
        let c = Comparison {
            client: "C1".into(),
            asymmetry: crate::store::compare::asymmetry(&changes),
            changes,
            sem_hip_deg: 1.0,
            sem_knee_deg: 1.0,
            mdc_method: crate::assess::change::mdc_method(),
        };
        let text = comparison_text(&c);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Client C1: change per leg (later minus earlier)");
        assert_eq!(lines[1], "  left leg: session 2026-11-20, before treatment → after treatment");
        assert_eq!(
            lines[2],
            "    hip extension   -9.5° →  -1.4°  change  +8.1° (MDC95 2.8°): real improvement (more hip extension)"
        );
        assert_eq!(
            lines[3],
            "    knee flexion    58.7° →  59.7°  change  +1.0° (MDC95 2.8°): within measurement error"
        );
        assert_eq!(lines[4], "  right leg: 2026-11-20 after → 2026-12-04 after");
        assert!(lines[5].ends_with("real worsening (less hip extension)"), "{text}");
        assert!(lines[6].ends_with("real worsening (less knee flexion)"), "{text}");
        assert!(!lines[4..].iter().any(|l| l.contains("before")), "{text}");
        // Left 2026-11-20 after and right 2026-11-20 after share a session and phase.
        assert_eq!(
            lines[7],
            "  left/right asymmetry of hip extension (left minus right): 2026-11-20 after -3.4°"
        );
    }
}

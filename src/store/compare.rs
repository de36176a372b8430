//! Comparisons per side: picks the two stored assessments of each leg (the latest before/after
//! pair, a session, two sessions, two ids, or the first before-treatment assessment against
//! the latest), puts them in time order (`from` the earlier, `to` the later), computes the
//! changes, says exactly what is compared (a session's before/after treatment pair, or two
//! assessments named by session and phase) and gives the left/right asymmetry only where both
//! legs were assessed in the same session and phase. Whether a change is real, an improvement
//! or a worsening, and the sentence saying so, is decided in [`crate::assess::change`] against
//! romcam's minimal detectable change.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::records::{Phase, StoredAssessment};
use super::Store;
pub use crate::assess::change::{
    mdc95, MEASURED_SEM_HIP_DEG, MEASURED_SEM_KNEE_DEG, PUBLISHED_PHOTO_SEM_DEG, SEM_HIP_DEG, SEM_KNEE_DEG,
};
use crate::assess::change::{Angle, ChangeVerdict};
use crate::error::RomcamError;
use crate::measure::leg::Side;

/// Which two assessments to compare, per side.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// The latest before/after pair of each side (within one session when there is one).
    Latest,
    /// Before against after within the session of this date.
    Session(String),
    /// The latest assessment of each side in the first session against that in the second.
    Sessions(String, String),
    /// Two assessments by id (as shown by `history`: the short id or a unique prefix of it).
    Assessments(String, String),
    /// The first before-treatment assessment of each side against its latest assessment (the
    /// progress since the start, for a progress or discharge report).
    Baseline,
}

/// One of the two assessments compared, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    /// The assessment's short id ([`crate::store::records::short_id`]).
    pub id: String,
    /// Its full uid.
    pub uid: String,
    pub session_date: String,
    pub phase: Phase,
    pub hip_extension_deg: f64,
    pub knee_flexion_deg: Option<f64>,
}

impl Endpoint {
    /// The assessment by its session and phase: "2025-02-03 after", "2025-02-03 (no phase)".
    pub fn label(&self) -> String {
        state_label(&self.session_date, self.phase)
    }

    /// Whether `other` was assessed in the same session and phase.
    pub fn same_state(&self, other: &Endpoint) -> bool {
        self.session_date == other.session_date && self.phase == other.phase
    }
}

/// What a side's two assessments are to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pairing {
    /// Before and after treatment in one session: the only pair called "before/after treatment".
    TreatmentSession,
    /// Any other two assessments (two sessions, two after-treatment states, ...): named by
    /// their sessions and phases.
    Assessments,
}

impl Pairing {
    pub fn of(from: &Endpoint, to: &Endpoint) -> Pairing {
        if from.session_date == to.session_date && from.phase == Phase::Before && to.phase == Phase::After {
            Pairing::TreatmentSession
        } else {
            Pairing::Assessments
        }
    }
}

/// The change of one side from one assessment to a later one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SideChange {
    pub side: Side,
    /// The earlier assessment.
    pub from: Endpoint,
    /// The later assessment.
    pub to: Endpoint,
    pub pairing: Pairing,
    /// What is compared, in words: "session 2025-02-03, before treatment → after treatment" or
    /// "2025-02-03 after → 2025-03-03 after".
    pub label: String,
    /// Later minus earlier: positive means more hip extension later.
    pub hip_extension_change_deg: f64,
    pub knee_flexion_change_deg: Option<f64>,
    /// The hip MDC95 the change is judged against.
    pub mdc95_deg: f64,
    pub knee_mdc95_deg: f64,
    /// Whether the hip change exceeds the MDC95 (a real improvement or worsening).
    pub real: bool,
    pub knee_real: Option<bool>,
    pub hip_verdict: ChangeVerdict,
    pub knee_verdict: Option<ChangeVerdict>,
    /// The hip verdict in one sentence ([`ChangeVerdict::sentence`]).
    pub hip_sentence: String,
    /// The knee verdict in one sentence, when both knee figures exist.
    pub knee_sentence: Option<String>,
}

/// Left minus right hip extension in one state (session and phase) in which both legs were
/// assessed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateAsymmetry {
    pub session_date: String,
    pub phase: Phase,
    pub left_minus_right_deg: f64,
}

impl StateAsymmetry {
    pub fn label(&self) -> String {
        state_label(&self.session_date, self.phase)
    }
}

/// A session and phase in words: "2025-02-03 after", "2025-02-03 (no phase)".
pub fn state_label(session_date: &str, phase: Phase) -> String {
    match phase {
        Phase::Before | Phase::After => format!("{session_date} {phase}"),
        Phase::None => format!("{session_date} (no phase)"),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Asymmetry {
    /// Whether both legs were compared.
    pub both_legs: bool,
    /// Left minus right hip extension in each session and phase in which both legs' compared
    /// assessments were made, earliest first. Legs assessed in different sessions or phases
    /// give no left-minus-right figure.
    pub hip_left_minus_right: Vec<StateAsymmetry>,
}

impl Asymmetry {
    /// Both legs compared, but no session and phase shared by them: no asymmetry is given.
    pub fn across_sessions_only(&self) -> bool {
        self.both_legs && self.hip_left_minus_right.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub client: String,
    pub changes: Vec<SideChange>,
    pub asymmetry: Asymmetry,
    pub sem_hip_deg: f64,
    pub sem_knee_deg: f64,
    pub mdc_method: String,
}

impl Comparison {
    /// Whether every side compared is a before/after treatment pair of one session.
    pub fn all_treatment_sessions(&self) -> bool {
        self.changes.iter().all(|c| c.pairing == Pairing::TreatmentSession)
    }

    /// What is compared, once when every side compares the same two states, else per leg:
    /// "left: 2025-02-03 after → 2025-03-03 after; right: ...".
    pub fn label(&self) -> String {
        let first = self.changes.first().map(|c| c.label.as_str()).unwrap_or_default();
        if self.changes.iter().all(|c| c.label == first) {
            return first.to_string();
        }
        let per_leg: Vec<String> = self.changes.iter().map(|c| format!("{}: {}", c.side, c.label)).collect();
        per_leg.join("; ")
    }
}

fn endpoint(a: &StoredAssessment) -> Option<Endpoint> {
    Some(Endpoint {
        id: a.id.clone(),
        uid: a.uid.clone(),
        session_date: a.session_date.clone(),
        phase: a.phase,
        hip_extension_deg: a.hip_extension_deg?,
        knee_flexion_deg: a.knee_flexion_deg,
    })
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// What a pair compares, in words (see [`SideChange::label`]).
pub fn pair_label(from: &Endpoint, to: &Endpoint) -> String {
    match Pairing::of(from, to) {
        Pairing::TreatmentSession => {
            format!("session {}, before treatment → after treatment", from.session_date)
        }
        Pairing::Assessments => format!("{} → {}", from.label(), to.label()),
    }
}

/// Builds the change of one side from an earlier assessment to a later one.
pub fn side_change(side: Side, from: Endpoint, to: Endpoint) -> SideChange {
    let hip = round1(to.hip_extension_deg - from.hip_extension_deg);
    let knee = match (from.knee_flexion_deg, to.knee_flexion_deg) {
        (Some(b), Some(a)) => Some(round1(a - b)),
        _ => None,
    };
    let (m_hip, m_knee) = (round1(mdc95(SEM_HIP_DEG)), round1(mdc95(SEM_KNEE_DEG)));
    let hip_verdict = ChangeVerdict::judge(Angle::HipExtension, hip, m_hip);
    let knee_verdict = knee.map(|k| ChangeVerdict::judge(Angle::KneeFlexion, k, m_knee));
    SideChange {
        side,
        pairing: Pairing::of(&from, &to),
        label: pair_label(&from, &to),
        from,
        to,
        hip_extension_change_deg: hip,
        knee_flexion_change_deg: knee,
        mdc95_deg: m_hip,
        knee_mdc95_deg: m_knee,
        real: hip_verdict.is_real(),
        knee_real: knee_verdict.map(ChangeVerdict::is_real),
        hip_verdict,
        knee_verdict,
        hip_sentence: hip_verdict.sentence(side, Angle::HipExtension, hip, m_hip),
        knee_sentence: knee.zip(knee_verdict).map(|(k, v)| v.sentence(side, Angle::KneeFlexion, k, m_knee)),
    }
}

/// The left/right asymmetry of the sides compared: for every session and phase in which both
/// legs' compared assessments were made.
pub fn asymmetry(changes: &[SideChange]) -> Asymmetry {
    let of = |side: Side| changes.iter().find(|c| c.side == side);
    let (Some(left), Some(right)) = (of(Side::Left), of(Side::Right)) else {
        return Asymmetry { both_legs: false, hip_left_minus_right: Vec::new() };
    };
    let mut states: Vec<StateAsymmetry> = Vec::new();
    for l in [&left.from, &left.to] {
        for r in [&right.from, &right.to] {
            let seen = states.iter().any(|s| s.session_date == l.session_date && s.phase == l.phase);
            if l.same_state(r) && !seen {
                states.push(StateAsymmetry {
                    session_date: l.session_date.clone(),
                    phase: l.phase,
                    left_minus_right_deg: round1(l.hip_extension_deg - r.hip_extension_deg),
                });
            }
        }
    }
    states
        .sort_by(|a, b| (&a.session_date, phase_rank(a.phase)).cmp(&(&b.session_date, phase_rank(b.phase))));
    Asymmetry { both_legs: true, hip_left_minus_right: states }
}

/// Within a session, before comes before an assessment without a phase, and that before after.
fn phase_rank(p: Phase) -> u8 {
    match p {
        Phase::Before => 0,
        Phase::None => 1,
        Phase::After => 2,
    }
}

/// The order in time: session, then phase, then when it was stored.
fn time_key(a: &StoredAssessment) -> (&str, u8, &str, i64) {
    (&a.session_date, phase_rank(a.phase), &a.created_at, a.row_id)
}

fn latest<'a>(items: impl Iterator<Item = &'a StoredAssessment>) -> Option<&'a StoredAssessment> {
    items.max_by(|a, b| time_key(a).cmp(&time_key(b)))
}

fn earliest<'a>(items: impl Iterator<Item = &'a StoredAssessment>) -> Option<&'a StoredAssessment> {
    items.min_by(|a, b| time_key(a).cmp(&time_key(b)))
}

/// The two assessments of a side to compare, earlier first.
fn pair_for_side<'a>(
    all: &'a [StoredAssessment],
    side: Side,
    selection: &Selection,
) -> Option<(&'a StoredAssessment, &'a StoredAssessment)> {
    let usable = |a: &&StoredAssessment| a.side == side && a.hip_extension_deg.is_some();
    let in_session = |date: &str, phase: Phase| {
        latest(all.iter().filter(usable).filter(|a| a.session_date == date && a.phase == phase))
    };
    let (x, y) = match selection {
        Selection::Latest => {
            let mut dates: Vec<&str> = all.iter().filter(usable).map(|a| a.session_date.as_str()).collect();
            dates.sort();
            dates.dedup();
            let in_one_session = dates
                .iter()
                .rev()
                .find_map(|date| Some((in_session(date, Phase::Before)?, in_session(date, Phase::After)?)));
            match in_one_session {
                Some(pair) => pair,
                None => (
                    latest(all.iter().filter(usable).filter(|a| a.phase == Phase::Before))?,
                    latest(all.iter().filter(usable).filter(|a| a.phase == Phase::After))?,
                ),
            }
        }
        Selection::Session(date) => (in_session(date, Phase::Before)?, in_session(date, Phase::After)?),
        Selection::Sessions(d1, d2) => (
            latest(all.iter().filter(usable).filter(|a| &a.session_date == d1))?,
            latest(all.iter().filter(usable).filter(|a| &a.session_date == d2))?,
        ),
        Selection::Assessments(x, y) => {
            // x and y are uids here ([`Store::compare`] resolved what was typed)
            (
                all.iter().filter(usable).find(|a| a.uid == *x)?,
                all.iter().filter(usable).find(|a| a.uid == *y)?,
            )
        }
        Selection::Baseline => (
            earliest(all.iter().filter(usable).filter(|a| a.phase == Phase::Before))?,
            latest(all.iter().filter(usable))?,
        ),
    };
    if x.id == y.id {
        return None;
    }
    Some(if time_key(x) <= time_key(y) { (x, y) } else { (y, x) })
}

impl Store {
    pub fn compare(&self, client: &str, selection: &Selection) -> Result<Comparison> {
        // one snapshot: another writer's change is seen whole or not at all (rolled back, as
        // nothing is written, when it goes out of scope)
        let _snapshot = self.conn.read_transaction().map_err(|e| super::store_error(&self.path, e))?;
        let all = self.history(client)?;
        let resolved;
        let selection = match selection {
            Selection::Assessments(x, y) => {
                let mut uids = Vec::new();
                for given in [x, y] {
                    let a = self.resolve(given)?;
                    if a.client != client {
                        return Err(RomcamError::Store(format!(
                            "assessment {given} is not one of client {client:?}'s (see `romcam history {client}`)"
                        ))
                        .into());
                    }
                    uids.push(a.uid);
                }
                resolved = Selection::Assessments(uids[0].clone(), uids[1].clone());
                &resolved
            }
            other => other,
        };
        let mut changes = Vec::new();
        for side in [Side::Left, Side::Right] {
            if let Some((from, to)) = pair_for_side(&all, side, selection) {
                if let (Some(f), Some(t)) = (endpoint(from), endpoint(to)) {
                    changes.push(side_change(side, f, t));
                }
            }
        }
        if changes.is_empty() {
            return Err(RomcamError::Store(format!(
                "client {client:?} has no pair of measured assessments to compare for that selection"
            ))
            .into());
        }
        let asymmetry = asymmetry(&changes);
        Ok(Comparison {
            client: client.to_string(),
            changes,
            asymmetry,
            sem_hip_deg: SEM_HIP_DEG,
            sem_knee_deg: SEM_KNEE_DEG,
            mdc_method: crate::assess::change::mdc_method(),
        })
    }
}

/// A stored end point with made-up figures, for the tests of the code that words and draws
/// changes.
#[cfg(test)]
pub fn test_endpoint(id: i64, phase: &str, hip: f64, knee: f64) -> Endpoint {
    Endpoint {
        id: format!("{id:08x}"),
        uid: format!("{id:032x}"),
        session_date: "2026-11-20".into(),
        phase: crate::store::records::Phase::from_name(phase).expect("a phase"),
        hip_extension_deg: hip,
        knee_flexion_deg: Some(knee),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(hip: f64) -> Endpoint {
        Endpoint {
            id: "00000001".into(),
            uid: format!("{:032x}", 1),
            session_date: "2026-01-01".into(),
            phase: Phase::Before,
            hip_extension_deg: hip,
            knee_flexion_deg: Some(60.0),
        }
    }

    fn at(id: i64, date: &str, phase: Phase, hip: f64) -> Endpoint {
        Endpoint {
            id: format!("{id:08x}"),
            uid: format!("{id:032x}"),
            session_date: date.into(),
            phase,
            hip_extension_deg: hip,
            knee_flexion_deg: Some(60.0),
        }
    }

    #[test]
    fn no_change_is_not_real_and_a_large_one_is() {
        assert!(!side_change(Side::Left, ep(-10.0), ep(-10.0)).real);
        let c = side_change(Side::Left, ep(-12.0), ep(-3.0));
        assert!(c.real);
        assert_eq!(c.hip_verdict, ChangeVerdict::RealImprovement);
        assert_eq!(c.hip_extension_change_deg, 9.0);
        let worse = side_change(Side::Left, ep(-3.0), ep(-12.0));
        assert_eq!((worse.real, worse.hip_verdict), (true, ChangeVerdict::RealWorsening));
    }

    #[test]
    fn only_a_sessions_before_after_pair_is_called_before_and_after_treatment() {
        let c = side_change(
            Side::Left,
            at(1, "2025-02-03", Phase::Before, -9.0),
            at(2, "2025-02-03", Phase::After, -2.0),
        );
        assert_eq!(c.pairing, Pairing::TreatmentSession);
        assert_eq!(c.label, "session 2025-02-03, before treatment → after treatment");
        let c = side_change(
            Side::Left,
            at(2, "2025-02-03", Phase::After, -2.0),
            at(4, "2025-03-03", Phase::After, -1.0),
        );
        assert_eq!(c.pairing, Pairing::Assessments);
        assert_eq!(c.label, "2025-02-03 after → 2025-03-03 after");
        let c = side_change(
            Side::Left,
            at(1, "2025-02-03", Phase::Before, -9.0),
            at(4, "2025-03-03", Phase::After, -1.0),
        );
        assert_eq!(c.label, "2025-02-03 before → 2025-03-03 after");
        let c = side_change(
            Side::Left,
            at(1, "2025-02-03", Phase::None, -9.0),
            at(4, "2025-02-03", Phase::After, -1.0),
        );
        assert_eq!(c.label, "2025-02-03 (no phase) → 2025-02-03 after");
    }

    #[test]
    fn asymmetry_only_where_both_legs_share_a_session_and_phase() {
        let left = side_change(
            Side::Left,
            at(1, "2025-02-03", Phase::After, -2.0),
            at(2, "2025-03-03", Phase::After, 1.0),
        );
        let right = side_change(
            Side::Right,
            at(3, "2025-01-10", Phase::Before, -6.0),
            at(4, "2025-02-03", Phase::Before, -5.0),
        );
        let a = asymmetry(&[left.clone(), right]);
        assert!(a.across_sessions_only(), "{a:?}");
        let right = side_change(
            Side::Right,
            at(3, "2025-01-10", Phase::Before, -6.0),
            at(4, "2025-02-03", Phase::After, -5.0),
        );
        let a = asymmetry(&[left.clone(), right]);
        assert_eq!(a.hip_left_minus_right.len(), 1, "{a:?}");
        assert_eq!(a.hip_left_minus_right[0].label(), "2025-02-03 after");
        assert_eq!(a.hip_left_minus_right[0].left_minus_right_deg, 3.0);
        let only_left = asymmetry(&[left]);
        assert!(!only_left.both_legs && !only_left.across_sessions_only());
    }

    fn stored(id: i64, date: &str, phase: Phase, hip: Option<f64>) -> StoredAssessment {
        StoredAssessment {
            uncertainty_deg: Some(1.0),
            ..StoredAssessment::for_test(id, date, Side::Left, phase, hip)
        }
    }

    #[test]
    fn pairs_are_put_in_time_order_and_the_baseline_is_the_first_before_against_the_latest() {
        let all = [
            stored(1, "2025-01-10", Phase::After, Some(-8.0)),
            stored(2, "2025-02-03", Phase::Before, None),
            stored(3, "2025-02-03", Phase::Before, Some(-7.0)),
            stored(4, "2025-02-03", Phase::After, Some(-3.0)),
            stored(5, "2025-03-03", Phase::Before, Some(-4.0)),
            stored(6, "2025-03-03", Phase::After, Some(0.0)),
            stored(7, "2025-04-01", Phase::None, Some(1.0)),
        ];
        let ids = |s: Selection| pair_for_side(&all, Side::Left, &s).map(|(a, b)| (a.row_id, b.row_id));
        let uid = |id: i64| format!("{id:032x}");
        // The first measured before-treatment assessment against the latest of any phase.
        assert_eq!(ids(Selection::Baseline), Some((3, 7)));
        assert_eq!(ids(Selection::Latest), Some((5, 6)));
        assert_eq!(ids(Selection::Session("2025-02-03".into())), Some((3, 4)));
        // Given later first, the pair is still compared earlier to later.
        assert_eq!(ids(Selection::Assessments(uid(6), uid(4))), Some((4, 6)));
        assert_eq!(ids(Selection::Sessions("2025-03-03".into(), "2025-01-10".into())), Some((1, 6)));
        assert_eq!(ids(Selection::Assessments(uid(2), uid(4))), None, "a withheld result is never compared");
        assert_eq!(
            pair_for_side(&all, Side::Right, &Selection::Baseline).map(|(a, b)| (a.row_id, b.row_id)),
            None
        );
        // One before-treatment assessment and nothing later: no baseline pair.
        assert_eq!(pair_for_side(&all[2..3], Side::Left, &Selection::Baseline).map(|(a, _)| a.row_id), None);
    }
}

//! Before/after comparison per side: picks the pair of stored assessments of each leg (the
//! latest before/after pair, a session, two sessions or two ids), computes the changes and the
//! left/right asymmetry. Whether a change is real, and the sentence saying so, is decided in
//! [`crate::assess::change`] against romcam's minimal detectable change.

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
}

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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SideChange {
    pub side: Side,
    pub before: Endpoint,
    pub after: Endpoint,
    /// After minus before: positive means more hip extension after.
    pub hip_extension_change_deg: f64,
    pub knee_flexion_change_deg: Option<f64>,
    /// The hip MDC95 the change is judged against.
    pub mdc95_deg: f64,
    pub knee_mdc95_deg: f64,
    /// Whether the hip change exceeds the MDC95 ([`ChangeVerdict::Real`]; a boolean in the JSON
    /// that `compare --json` prints).
    pub real: bool,
    pub knee_real: Option<bool>,
    /// The hip verdict in words ([`ChangeVerdict::sentence`]).
    pub verdict: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Asymmetry {
    /// Left minus right hip extension, degrees, in the "before" and "after" states.
    pub before_left_minus_right_deg: Option<f64>,
    pub after_left_minus_right_deg: Option<f64>,
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

/// Builds the change between two assessments of one side.
pub fn side_change(side: Side, before: Endpoint, after: Endpoint) -> SideChange {
    let hip = round1(after.hip_extension_deg - before.hip_extension_deg);
    let knee = match (before.knee_flexion_deg, after.knee_flexion_deg) {
        (Some(b), Some(a)) => Some(round1(a - b)),
        _ => None,
    };
    let (m_hip, m_knee) = (round1(mdc95(SEM_HIP_DEG)), round1(mdc95(SEM_KNEE_DEG)));
    let hip_verdict = ChangeVerdict::judge(hip, m_hip);
    SideChange {
        side,
        before,
        after,
        hip_extension_change_deg: hip,
        knee_flexion_change_deg: knee,
        mdc95_deg: m_hip,
        knee_mdc95_deg: m_knee,
        real: hip_verdict.is_real(),
        knee_real: knee.map(|k| ChangeVerdict::judge(k, m_knee).is_real()),
        verdict: hip_verdict.sentence(side, Angle::HipExtension, hip, m_hip),
    }
}

impl SideChange {
    /// The knee's verdict in words, when both knee figures exist.
    pub fn knee_verdict(&self) -> Option<String> {
        let k = self.knee_flexion_change_deg?;
        let verdict = ChangeVerdict::judge(k, self.knee_mdc95_deg);
        Some(verdict.sentence(self.side, Angle::KneeFlexion, k, self.knee_mdc95_deg))
    }
}

fn latest<'a>(items: impl Iterator<Item = &'a StoredAssessment>) -> Option<&'a StoredAssessment> {
    items.max_by(|a, b| {
        (&a.session_date, &a.created_at, a.row_id).cmp(&(&b.session_date, &b.created_at, b.row_id))
    })
}

fn pair_for_side<'a>(
    all: &'a [StoredAssessment],
    side: Side,
    selection: &Selection,
) -> Option<(&'a StoredAssessment, &'a StoredAssessment)> {
    let usable = |a: &&StoredAssessment| a.side == side && a.hip_extension_deg.is_some();
    let in_session = |date: &str, phase: Phase| {
        latest(all.iter().filter(usable).filter(|a| a.session_date == date && a.phase == phase))
    };
    match selection {
        Selection::Latest => {
            let mut dates: Vec<&str> = all.iter().filter(usable).map(|a| a.session_date.as_str()).collect();
            dates.sort();
            dates.dedup();
            for date in dates.iter().rev() {
                if let (Some(b), Some(a)) = (in_session(date, Phase::Before), in_session(date, Phase::After))
                {
                    return Some((b, a));
                }
            }
            let b = latest(all.iter().filter(usable).filter(|a| a.phase == Phase::Before))?;
            let a = latest(all.iter().filter(usable).filter(|a| a.phase == Phase::After))?;
            Some((b, a))
        }
        Selection::Session(date) => Some((in_session(date, Phase::Before)?, in_session(date, Phase::After)?)),
        Selection::Sessions(d1, d2) => Some((
            latest(all.iter().filter(usable).filter(|a| &a.session_date == d1))?,
            latest(all.iter().filter(usable).filter(|a| &a.session_date == d2))?,
        )),
        Selection::Assessments(x, y) => {
            // x and y are uids here ([`Store::compare`] resolved what was typed)
            let b = all.iter().filter(usable).find(|a| a.uid == *x)?;
            let a = all.iter().filter(usable).find(|a| a.uid == *y)?;
            Some((b, a))
        }
    }
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
            if let Some((b, a)) = pair_for_side(&all, side, selection) {
                if let (Some(be), Some(ae)) = (endpoint(b), endpoint(a)) {
                    changes.push(side_change(side, be, ae));
                }
            }
        }
        if changes.is_empty() {
            return Err(RomcamError::Store(format!(
                "client {client:?} has no pair of measured assessments to compare for that selection"
            ))
            .into());
        }
        let diff = |pick: &dyn Fn(&SideChange) -> f64| {
            let l = changes.iter().find(|c| c.side == Side::Left).map(pick)?;
            let r = changes.iter().find(|c| c.side == Side::Right).map(pick)?;
            Some(round1(l - r))
        };
        let asymmetry = Asymmetry {
            before_left_minus_right_deg: diff(&|c| c.before.hip_extension_deg),
            after_left_minus_right_deg: diff(&|c| c.after.hip_extension_deg),
        };
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

    #[test]
    fn no_change_is_not_real_and_a_large_one_is() {
        assert!(!side_change(Side::Left, ep(-10.0), ep(-10.0)).real);
        let c = side_change(Side::Left, ep(-12.0), ep(-3.0));
        assert!(c.real);
        assert_eq!(c.hip_extension_change_deg, 9.0);
    }
}

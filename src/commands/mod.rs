//! What each subcommand does, one module per subcommand: the steps in their order (open the
//! clip, find the poses, measure, read, store, write the reports), what goes to stdout and
//! stderr, and the exit code. Each takes plain values that [`crate::cli`] parsed; the measuring
//! and the reading themselves live in [`crate::pose`], [`crate::measure`] and [`crate::assess`],
//! and the words and tables printed on the terminal in [`crate::terminal`].

pub mod amend;
pub mod assess;
pub mod clients;
pub mod compare;
pub mod delete;
pub mod export;
pub mod history;
pub mod import;
pub mod note;
pub mod pose;
pub mod record;
pub mod remove;
pub mod report;

use std::path::Path;

use anyhow::Result;

use crate::pose::{MirrorPolicy, PoseOptions};
use crate::runtime::LandmarkModel;
use crate::store::{self, Store};

/// Opens the client store: the clinic's server (`--store`, `$ROMCAM_STORE`, `store =` in the
/// settings file), else the SQLite store in `--data-dir`, `$ROMCAM_DATA_DIR` or the user's data
/// folder.
pub fn open_store(data_dir: Option<&Path>) -> Result<Store> {
    store::open_chosen(data_dir)
}

/// Who makes a change to the record, for the audit trail: the therapist named in the settings
/// file (`--config` or the default one), or else the user's login name.
pub fn who(config: &Option<crate::report::ReportConfig>) -> String {
    let settings = crate::report::resolve_config(config);
    if let Some(t) = settings.therapist.filter(|t| !t.trim().is_empty()) {
        return t.trim().to_string();
    }
    for var in ["USER", "LOGNAME"] {
        if let Some(u) = std::env::var(var).ok().filter(|u| !u.trim().is_empty()) {
            return u;
        }
    }
    // SAFETY: getuid cannot fail; getpwuid returns null or a pointer to a record that stays
    // valid until the next getpw* call, and its name is copied at once.
    unsafe {
        let uid = libc::getuid();
        let pw = libc::getpwuid(uid);
        if !pw.is_null() && !(*pw).pw_name.is_null() {
            let name = std::ffi::CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned();
            if !name.is_empty() {
                return name;
            }
        }
        format!("user {uid}")
    }
}

/// The pose settings given on the command line.
#[derive(Debug, Clone, Copy)]
pub struct PoseChoice {
    pub model: LandmarkModel,
    /// ONNX Runtime threads; None keeps the default.
    pub threads: Option<usize>,
    /// `--no-mirror`: skip the mirrored landmark pass.
    pub no_mirror: bool,
    /// `--every-frame` (assess only): landmarks on every frame, with the mirrored pass.
    pub every_frame: bool,
}

impl PoseChoice {
    /// The options of `romcam pose`: every frame, the mirrored pass on all of them unless
    /// `--no-mirror`.
    pub fn pose_options(&self) -> PoseOptions {
        self.apply(PoseOptions::default())
    }

    /// The options of `romcam assess`: its sampling ([`PoseOptions::for_assess`]) unless
    /// `--every-frame`, which measures like `romcam pose`.
    pub fn assess_options(&self) -> PoseOptions {
        self.apply(if self.every_frame { PoseOptions::default() } else { PoseOptions::for_assess() })
    }

    fn apply(&self, base: PoseOptions) -> PoseOptions {
        let mut o = PoseOptions { model: self.model, ..base };
        if self.no_mirror {
            o.mirror_average = MirrorPolicy::Never;
        }
        if let Some(t) = self.threads {
            o.threads = t.max(1);
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Sampling;

    fn choice(no_mirror: bool, every_frame: bool) -> PoseChoice {
        PoseChoice { model: LandmarkModel::Full, threads: None, no_mirror, every_frame }
    }

    #[test]
    fn assess_samples_and_mirrors_only_while_still_unless_told_otherwise() {
        let o = choice(false, false).assess_options();
        assert_eq!(o.sampling, Sampling::ASSESS);
        assert_eq!(o.mirror_average, MirrorPolicy::WhenStill);
        let o = choice(true, false).assess_options();
        assert_eq!(o.sampling, Sampling::ASSESS);
        assert_eq!(o.mirror_average, MirrorPolicy::Never);
        let o = choice(false, true).assess_options();
        assert_eq!(o.sampling, Sampling::EveryFrame);
        assert_eq!(o.mirror_average, MirrorPolicy::Always);
    }

    #[test]
    fn pose_runs_every_frame_and_threads_are_at_least_one() {
        let o = PoseChoice { threads: Some(0), ..choice(true, false) }.pose_options();
        assert_eq!(o.sampling, Sampling::EveryFrame);
        assert_eq!(o.mirror_average, MirrorPolicy::Never);
        assert_eq!(o.threads, 1);
    }
}

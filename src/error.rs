//! The errors that reach the user: each is one sentence and maps to a documented exit code.

use thiserror::Error;

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code for an unexpected internal failure.
pub const EXIT_INTERNAL: i32 = 1;
/// Exit code for wrong command-line usage (clap uses it too).
pub const EXIT_USAGE: i32 = 2;
/// Exit code when no trustworthy measurement can be made, also when `assess` printed a result
/// whose figures the quality gate withheld.
pub const EXIT_NOT_MEASURABLE: i32 = 4;

/// A failure that romcam explains to the user in one sentence.
#[derive(Debug, Error)]
pub enum RomcamError {
    /// The input video is missing, unreadable, empty, truncated or not a video.
    #[error("{0}")]
    Input(String),
    /// The video was read, but no trustworthy Thomas-test measurement can be made from it.
    #[error("{0}")]
    NotMeasurable(String),
    /// ONNX Runtime or a model file is missing or cannot be loaded.
    #[error("{0}")]
    Setup(String),
    /// The client store cannot be opened, read or written.
    #[error("{0}")]
    Store(String),
    /// An output file cannot be written.
    #[error("{0}")]
    Output(String),
    /// The user did not confirm what the command asked them to confirm; nothing was changed.
    #[error("{0}")]
    Declined(String),
    /// The record asked for conflicts with one already stored (the same video for the same
    /// client); nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// The clinic's PostgreSQL store cannot be reached, refused the role or TLS, or the
    /// connection was lost in the middle of a change (which was then not stored).
    #[error("{0}")]
    Unavailable(String),
    /// The user interrupted the run (Ctrl-C or SIGTERM).
    #[error("interrupted; nothing was written")]
    Interrupted,
}

impl RomcamError {
    /// The process exit code documented in the README and in `romcam --help`.
    pub fn exit_code(&self) -> i32 {
        match self {
            RomcamError::Declined(_) => EXIT_USAGE,
            RomcamError::Input(_) => 3,
            RomcamError::NotMeasurable(_) => EXIT_NOT_MEASURABLE,
            RomcamError::Setup(_) => 5,
            RomcamError::Store(_) => 6,
            RomcamError::Output(_) => 7,
            RomcamError::Conflict(_) => 8,
            RomcamError::Unavailable(_) => 9,
            RomcamError::Interrupted => 130,
        }
    }
}

/// The exit-code table, as printed by `romcam --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    internal error (a bug: please report it)
  2    wrong command-line usage, or a confirmation that was not given (nothing changed)
  3    the input cannot be read or is refused (video, export file, client code)
  4    no trustworthy measurement (no person lying on a table, result withheld by the quality gate)
  5    the pose model cannot run: a model file or ONNX Runtime (the library that runs
       the models) is missing, broken, or not the file romcam was built with
  6    the client store cannot be used (locked, damaged, from a newer romcam)
  7    an output file cannot be written (exists, read-only folder, disk full, is the input)
  8    the client already has an assessment of the same video (add --replace); nothing was stored
  9    the clinic's PostgreSQL store cannot be reached, refused the role or TLS, or the connection
       was lost during a change (nothing of that change was stored)
  130  interrupted (Ctrl-C); nothing was written";

/// Maps any error to its exit code: romcam's own errors carry one, anything else is internal.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    err.chain()
        .find_map(|e| e.downcast_ref::<RomcamError>())
        .map(RomcamError::exit_code)
        .unwrap_or(EXIT_INTERNAL)
}

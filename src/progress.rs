//! The progress bar on stderr while frames are processed (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct FrameProgress {
    bar: ProgressBar,
}

impl FrameProgress {
    pub fn new(label: &str, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(0),
            if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() },
        );
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} frames {elapsed_precise}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        FrameProgress { bar }
    }

    /// Updates with frames done and the container's frame count (which may be an estimate).
    pub fn update(&self, done: usize, expected: u64) {
        self.bar.set_length(expected.max(done as u64));
        self.bar.set_position(done as u64);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

//! The progress bar on stderr while frames are processed (hidden when stderr is not a terminal).

use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct FrameProgress {
    bar: ProgressBar,
    /// Whether the frame count is known and the bar shows it (until then a spinner says what
    /// is happening, never "0/0 frames").
    counting: AtomicBool,
}

impl FrameProgress {
    pub fn new(label: &str, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            None,
            if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() },
        );
        let style = ProgressStyle::with_template("{prefix} {spinner} opening the video {elapsed_precise}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        FrameProgress { bar, counting: AtomicBool::new(false) }
    }

    /// Updates with frames done and the container's frame count (which may be an estimate).
    pub fn update(&self, done: usize, expected: u64) {
        let length = expected.max(done as u64);
        if length == 0 {
            self.bar.tick();
            return;
        }
        if !self.counting.swap(true, Ordering::Relaxed) {
            let style =
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} frames {elapsed_precise}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            self.bar.set_style(style);
        }
        self.bar.set_length(length);
        self.bar.set_position(done as u64);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

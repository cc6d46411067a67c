//! Render stage, for a person waiting: a progress bar on stderr while a long input is read.
//! Whether to show one at all is decided once, in [`crate::cli::config`]: only when stderr is a
//! terminal, never in a pipe or under CI.

use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

/// A bar appears only once an input has taken this long, so short inputs never flash one.
const DELAY: Duration = Duration::from_millis(400);

/// The progress of one input.
pub struct Progress {
    enabled: bool,
    /// The input's size, when known (a file); stdin shows bytes and speed only.
    len: Option<u64>,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(enabled: bool, len: Option<u64>) -> Progress {
        Progress {
            enabled,
            len,
            started: Instant::now(),
            bar: None,
        }
    }

    /// Tells how many bytes have been read.
    pub fn update(&mut self, bytes: usize) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= DELAY {
            self.bar = Some(self.make_bar());
        }
        if let Some(bar) = &self.bar {
            bar.set_position(bytes as u64);
        }
    }

    fn make_bar(&self) -> ProgressBar {
        let (bar, template) = match self.len {
            Some(len) => (
                ProgressBar::new(len),
                "{bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta}",
            ),
            None => (
                ProgressBar::no_length(),
                "{spinner} {binary_bytes} {binary_bytes_per_sec}",
            ),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
    }

    /// Removes the bar, if one was shown.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

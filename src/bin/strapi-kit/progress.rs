//! One progress bar on stderr for bytes and files; hidden when stderr is not a terminal,
//! with --quiet or NO_COLOR.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Bar {
    bar: ProgressBar,
    files_total: u64,
    files_done: AtomicU64,
}

impl Bar {
    pub fn new(fancy: bool, verb: &str, bytes: u64, files: u64) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(bytes),
            if fancy { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() },
        );
        let style = ProgressStyle::with_template(
            "{prefix} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(verb.to_owned());
        let b = Bar { bar, files_total: files, files_done: AtomicU64::new(0) };
        b.bar.set_message(format!("0/{files} files"));
        b
    }

    pub fn add_bytes(&self, n: u64) {
        self.bar.inc(n);
    }

    pub fn file_done(&self) {
        let n = self.files_done.fetch_add(1, Ordering::SeqCst) + 1;
        self.bar.set_message(format!("{n}/{} files", self.files_total));
    }

    /// A line above the bar (or plain stderr when hidden).
    pub fn println(&self, msg: String, quiet: bool) {
        if quiet {
            return;
        }
        if self.bar.is_hidden() {
            eprintln!("{msg}");
        } else {
            self.bar.println(msg);
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

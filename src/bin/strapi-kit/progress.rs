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
            if fancy {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        let style = ProgressStyle::with_template(
            "{prefix} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(verb.to_owned());
        let b = Bar {
            bar,
            files_total: files,
            files_done: AtomicU64::new(0),
        };
        b.bar.set_message(format!("0/{files} files"));
        b
    }

    pub fn add_bytes(&self, n: u64) {
        self.bar.inc(n);
    }

    pub fn file_done(&self) {
        let n = self.files_done.fetch_add(1, Ordering::SeqCst) + 1;
        self.bar
            .set_message(format!("{n}/{} files", self.files_total));
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

/// A transfer's progress: phase, type and count, on one line of stderr (a terminal), or one
/// line per phase and type when stderr is not a terminal.
pub struct Phases {
    bar: ProgressBar,
    fancy: bool,
    quiet: bool,
    verb: String,
    last: std::sync::Mutex<String>,
}

impl Phases {
    pub fn new(fancy: bool, quiet: bool, verb: &str) -> Self {
        let bar = if fancy {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::hidden()
        };
        let style = ProgressStyle::with_template("{prefix} {spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(verb.to_owned());
        if fancy {
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        Phases {
            bar,
            fancy,
            quiet,
            verb: verb.to_owned(),
            last: std::sync::Mutex::new(String::new()),
        }
    }

    pub fn update(&self, p: &strapi_kit::transfer::TransferProgress) {
        let what = format!(
            "{:?}{}",
            p.phase,
            p.uid
                .as_deref()
                .map(|u| format!(" {u}"))
                .unwrap_or_default()
        )
        .to_lowercase();
        let count = match p.total {
            Some(t) => format!("{}/{t}", p.done),
            None => p.done.to_string(),
        };
        if self.fancy {
            self.bar.set_message(format!("{what} {count}"));
        } else if !self.quiet {
            // Not a terminal: a line when the phase or type changes, not one per item.
            if let Ok(mut last) = self.last.lock() {
                if *last != what {
                    eprintln!("{}: {what}", self.verb);
                    *last = what;
                }
            }
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

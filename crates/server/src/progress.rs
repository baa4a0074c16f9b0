//! Import progress: a bar on a terminal, a log line every tenth of the file otherwise.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use jobs::ImportProgress;

pub(crate) enum CliProgress {
    Bar(ProgressBar),
    Log { total: AtomicU64, done: AtomicU64, next_tenth: AtomicU64 },
}

impl CliProgress {
    pub fn new() -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} [{bar:40}] {bytes_per_sec}, eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            CliProgress::Bar(bar)
        } else {
            CliProgress::Log { total: AtomicU64::new(0), done: AtomicU64::new(0), next_tenth: AtomicU64::new(1) }
        }
    }
}

impl ImportProgress for CliProgress {
    fn start(&self, total_bytes: u64) {
        match self {
            CliProgress::Bar(bar) => bar.set_length(total_bytes),
            CliProgress::Log { total, .. } => total.store(total_bytes, Ordering::Relaxed),
        }
    }

    fn advance(&self, bytes: u64) {
        match self {
            CliProgress::Bar(bar) => bar.inc(bytes),
            CliProgress::Log { total, done, next_tenth } => {
                let done = done.fetch_add(bytes, Ordering::Relaxed) + bytes;
                let total = total.load(Ordering::Relaxed).max(1);
                let tenth = next_tenth.load(Ordering::Relaxed);
                if tenth <= 10 && done * 10 >= total * tenth {
                    next_tenth.store(tenth + 1, Ordering::Relaxed);
                    tracing::info!(bytes.done = done, bytes.total = total, "read {}%", tenth * 10);
                }
            }
        }
    }

    fn finish(&self) {
        if let CliProgress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

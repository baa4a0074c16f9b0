//! Progress reporting, so the CLI can draw a bar on a terminal and log lines elsewhere.

use std::io::Read;

/// Told how far through its input a job is, in bytes.
pub trait ImportProgress: Send + Sync {
    fn start(&self, total_bytes: u64);
    fn advance(&self, bytes: u64);
    fn finish(&self);
}

/// For tests and jobs nobody watches.
#[derive(Debug, Default)]
pub struct NoProgress;

impl ImportProgress for NoProgress {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// A reader that reports each read to the progress sink.
pub(crate) struct Counting<'p, R> {
    pub inner: R,
    pub progress: &'p dyn ImportProgress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// A reader that counts what it reads where another thread can see it: for a parser running on
/// its own thread while the job reports progress.
pub(crate) struct SharedCount<R> {
    pub inner: R,
    pub read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for SharedCount<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

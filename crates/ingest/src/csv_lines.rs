//! Line numbers of CSV records, counted from the bytes: csv's own count lags by one line after
//! a CRLF terminator (the download's), and reports must name the line an editor shows.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Passes bytes through, noting where each newline is.
pub(crate) struct LineIndex<R> {
    inner: R,
    offset: u64,
    newlines: Arc<Mutex<VecDeque<u64>>>,
    ends_in_newline: Arc<AtomicBool>,
}

/// Turns a record's start byte into its 1-based line number.
pub(crate) struct Lines {
    newlines: Arc<Mutex<VecDeque<u64>>>,
    passed: u64,
    ends_in_newline: Arc<AtomicBool>,
}

impl<R: Read> LineIndex<R> {
    pub fn new(inner: R) -> (Self, Lines) {
        let newlines = Arc::new(Mutex::new(VecDeque::new()));
        let ends = Arc::new(AtomicBool::new(false));
        (
            Self { inner, offset: 0, newlines: newlines.clone(), ends_in_newline: ends.clone() },
            Lines { newlines, passed: 0, ends_in_newline: ends },
        )
    }
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut q = self.newlines.lock().unwrap_or_else(|e| e.into_inner());
        q.extend(buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| self.offset + i as u64));
        self.offset += n as u64;
        if n > 0 {
            self.ends_in_newline.store(matches!(buf[n - 1], b'\n' | b'\r'), Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl Lines {
    /// Whether the bytes read so far end with a line end (at the end of the file: whether its
    /// last record was finished).
    pub fn ends_in_newline(&self) -> bool {
        self.ends_in_newline.load(Ordering::Relaxed)
    }

    /// Line of the record csv places at `byte`; records must be asked for in file order. Only
    /// newlines the csv reader has buffered ahead stay queued, so memory stays flat.
    ///
    /// csv gives a record's position as where the previous record's terminator begins (its `\r`
    /// or `\n`), so a newline at `byte` or `byte + 1` still belongs before this record.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut q = self.newlines.lock().unwrap_or_else(|e| e.into_inner());
        while q.front().is_some_and(|&at| at <= byte + 1) {
            q.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

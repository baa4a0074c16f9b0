//! The result of an import run, as the CLI prints it and tests assert it.

use std::fmt;
use std::time::Duration;

use ingest::ImportIssue;
use store::runs::{RunCounts, RunStatus};

#[derive(Debug, Clone)]
pub struct ImportSummary {
    pub run_id: i64,
    pub job: &'static str,
    pub file: String,
    pub sha256: String,
    pub status: RunStatus,
    pub counts: RunCounts,
    /// What `inserted`/`updated`/`unchanged` count: `establishments`, `observations`, …
    pub noun: &'static str,
    /// Rows outside the requested scope (another LA), read and passed over.
    pub skipped: i64,
    /// URNs the store knew in this scope that the extract no longer lists.
    pub flagged_missing: Vec<i32>,
    pub issues: Vec<ImportIssue>,
    pub elapsed: Duration,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for issue in &self.issues {
            writeln!(f, "{issue}")?;
        }
        let c = &self.counts;
        writeln!(
            f,
            "{}: {} {} (run {}, sha256 {}): {}",
            self.job,
            match self.status {
                RunStatus::Unchanged if c.read == 0 => "source unchanged, nothing read from",
                RunStatus::Unchanged => "nothing changed from",
                _ => "imported",
            },
            self.file,
            self.run_id,
            &self.sha256[..12.min(self.sha256.len())],
            self.status.as_str()
        )?;
        write!(
            f,
            "rows read {}, rejected {}; {} inserted {}, updated {}, unchanged {}",
            c.read, c.rejected, self.noun, c.inserted, c.updated, c.unchanged
        )?;
        if self.skipped > 0 {
            write!(f, ", outside scope {}", self.skipped)?;
        }
        writeln!(f, "; took {:.2} s", self.elapsed.as_secs_f64())?;
        if !self.flagged_missing.is_empty() {
            let list: Vec<String> = self.flagged_missing.iter().take(20).map(ToString::to_string).collect();
            let more = self.flagged_missing.len().saturating_sub(20);
            write!(
                f,
                "{} establishment(s) no longer in the extract, kept and flagged: {}",
                self.flagged_missing.len(),
                list.join(", ")
            )?;
            if more > 0 {
                write!(f, " and {more} more")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Issues a run keeps, its last place left for the one saying how many more there were.
const KEEP_ISSUES: usize = store::runs::MAX_STORED_ISSUES - 1;

/// A run's issues, kept up to [`KEEP_ISSUES`]: a file rejected row by row must
/// not hold millions of issues in memory. Past the cap they are counted, and [`Issues::finish`]
/// adds one saying how many were left out.
#[derive(Debug, Default)]
pub(crate) struct Issues {
    kept: Vec<ImportIssue>,
    omitted: usize,
}

impl Issues {
    pub(crate) fn new(first: &[ImportIssue]) -> Self {
        let mut issues = Self::default();
        issues.extend(first.iter().cloned());
        issues
    }

    pub(crate) fn push(&mut self, issue: ImportIssue) {
        if self.kept.len() < KEEP_ISSUES {
            self.kept.push(issue);
        } else {
            self.omitted += 1;
        }
    }

    pub(crate) fn extend(&mut self, more: impl IntoIterator<Item = ImportIssue>) {
        for issue in more {
            self.push(issue);
        }
    }

    /// The issues kept so far.
    pub(crate) fn peek(&self) -> &[ImportIssue] {
        &self.kept
    }

    pub(crate) fn finish(mut self, file: &str) -> Vec<ImportIssue> {
        if self.omitted > 0 {
            let message = format!("{} more issues not listed (the first {KEEP_ISSUES} are)", self.omitted);
            self.kept.push(ImportIssue::file_warning(file, None, "issues_omitted", message));
        }
        self.kept
    }
}

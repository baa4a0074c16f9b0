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

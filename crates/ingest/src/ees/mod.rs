//! Explore Education Statistics (EES) open-data CSVs, read as a stream of observations through a
//! [`Mapping`].
//!
//! The file is tidy: standard time and location columns, then filters and indicators. The mapping
//! says which indicators become measures, which filter values become the cohort, and which
//! geographic levels to import; the remaining filter values become the observation's breakdown.

mod columns;
mod fields;
mod levels;
mod mapping;
mod mapping_toml;
mod mappings;
mod row;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{Chain, Cursor, Read};

pub use levels::{LEVELS, Level, level_by_code, level_by_label};
pub use mapping::{Aggregate, Better, Disclosure, Mapping, MeasureDef, UNITS};
pub use mappings::{BUILTIN_MAPPINGS, builtin_mappings, load_mappings};

use crate::csv_lines::{LineIndex, Lines};
use crate::{Error, ImportIssue};
use columns::Plan;
use fields::Fields;
use row::{Outcome, RowInput, RowState};

pub use domain::Observation;

/// One data row of the file.
#[derive(Debug, Clone, PartialEq)]
pub enum EesRow {
    /// Zero or more observations; `warnings` (unknown symbols, empty cells) do not reject the row.
    Observations { line: u64, observations: Vec<Observation>, warnings: Vec<ImportIssue> },
    /// The row could not be used; every issue names the file, line and column.
    Rejected { line: u64, issues: Vec<ImportIssue> },
    /// A geographic level the mapping does not import (e.g. `Ward`), as the file writes it.
    Skipped { line: u64, level: String },
}

/// What a reader has seen so far, for the import report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EesCounts {
    /// Data rows read (blank lines not counted).
    pub rows: u64,
    /// Rows that gave at least one observation.
    pub imported: u64,
    pub observations: u64,
    /// Rows of levels the mapping does not import, by level as the file writes it.
    pub skipped: BTreeMap<String, u64>,
    /// Rows of breakdowns the mapping's cohort rules pass over.
    pub unselected: u64,
    pub rejected: u64,
    pub warnings: u64,
}

impl EesCounts {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// Streams observations out of an EES CSV without holding the file in memory.
pub struct EesReader<R: Read> {
    file: String,
    csv: csv::Reader<LineIndex<Chain<Cursor<Vec<u8>>, R>>>,
    lines: Lines,
    plan: Plan,
    record: csv::ByteRecord,
    fields: Fields,
    header_issues: Vec<ImportIssue>,
    counts: EesCounts,
    state: RowState,
    /// Columns naming a local authority (`old_la_code`, `new_la_code`, `la_name`, `region_code`,
    /// `region_name`), when present.
    la_columns: Option<(usize, [Option<usize>; 4])>,
    /// The local authorities the rows name, by old code.
    las: std::collections::BTreeMap<String, NamedLa>,
}

/// A local authority a statistics file names, with its region where the row gives one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedLa {
    /// The old three-digit code (`886`).
    pub code: String,
    pub gss_code: Option<String>,
    pub name: Option<String>,
    /// The region's GSS code (`E12000008`) and name.
    pub region_code: Option<String>,
    pub region_name: Option<String>,
}

impl<R: Read> EesReader<R> {
    /// Reads the header; fails when the file is empty or lacks a column the mapping needs
    /// (`time_period`, `time_identifier`, `geographic_level`, a level's code column, a filter or a
    /// measure's indicator).
    pub fn new(file: &str, reader: R, mapping: &Mapping) -> Result<Self, Error> {
        let reader = skip_bom(reader).map_err(|source| Error::Io { file: file.to_owned(), source })?;
        let (reader, lines) = LineIndex::new(reader);
        let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut header = csv::ByteRecord::new();
        let has_header = csv.read_byte_record(&mut header).map_err(|e| csv_error(file, &e))?;
        if !has_header || header.iter().all(|h| h.iter().all(u8::is_ascii_whitespace)) {
            return Err(Error::Empty { file: file.to_owned() });
        }
        let names: Vec<String> = header.iter().map(|h| decode(h).trim().to_owned()).collect();
        let find = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
        let la_columns = find("old_la_code")
            .map(|old| (old, [find("new_la_code"), find("la_name"), find("region_code"), find("region_name")]));
        let (plan, header_issues) = Plan::resolve(file, names, mapping)?;
        let state = RowState { rule_hits: vec![0; plan.cohort.rules.len()], ..Default::default() };
        Ok(Self {
            file: file.to_owned(),
            csv,
            lines,
            plan,
            record: csv::ByteRecord::new(),
            fields: Fields::default(),
            header_issues,
            counts: EesCounts::default(),
            state,
            la_columns,
            las: std::collections::BTreeMap::new(),
        })
    }

    /// The local authorities the rows read so far name (a three-digit old code with its GSS code
    /// and name), so a database holding only statistics knows its LAs. A row's code that is not
    /// three digits (`314 / 318`, merged LAs) is left out.
    pub fn local_authorities(&self) -> Vec<NamedLa> {
        self.las.values().cloned().collect()
    }

    fn note_la(&mut self) {
        let Some((old, others)) = self.la_columns else { return };
        let code = self.fields.get(old);
        // A bounded set: England has about 150 LAs; a file claiming thousands is not worth keeping.
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) || self.las.len() >= 1_000 {
            return;
        }
        let text = |i: Option<usize>| {
            i.map(|i| self.fields.get(i)).filter(|t| !t.is_empty() && t.chars().count() <= 200).map(str::to_owned)
        };
        let [gss, name, region_code, region_name] = others.map(text);
        let entry =
            self.las.entry(code.to_owned()).or_insert_with(|| NamedLa { code: code.to_owned(), ..NamedLa::default() });
        entry.gss_code = entry.gss_code.take().or(gss);
        entry.name = entry.name.take().or(name);
        // Only a region code that looks like one (E12…): national rows leave it empty.
        if entry.region_code.is_none() && region_code.as_deref().is_some_and(|c| c.starts_with("E12")) {
            entry.region_code = region_code;
            entry.region_name = region_name;
        }
    }

    /// Warnings about the header (optional columns missing, duplicate columns), once per file.
    /// The file name reports use.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn header_issues(&self) -> &[ImportIssue] {
        &self.header_issues
    }

    pub fn counts(&self) -> &EesCounts {
        &self.counts
    }

    /// Warnings known only once the file is read: a cohort whose rules matched no row, so a
    /// renamed filter value cannot drop a cohort silently. Call after the last row.
    pub fn final_issues(&self) -> Vec<ImportIssue> {
        let rules = &self.plan.cohort.rules;
        let mut issues: Vec<ImportIssue> = Vec::new();
        for (i, (cohort, when)) in rules.iter().enumerate() {
            let matched = rules.iter().zip(&self.state.rule_hits).any(|((c, _), hits)| c == cohort && *hits > 0);
            let first_of_cohort = rules.iter().position(|(c, _)| c == cohort) == Some(i);
            if matched || !first_of_cohort {
                continue;
            }
            let conditions: Vec<String> =
                when.iter().map(|c| format!("{} = {}", self.plan.names[c.idx], c.values.join(" | "))).collect();
            let message = format!(
                "no row matched cohort {cohort} ({}); check the mapping against the file",
                conditions.join(", ")
            );
            let column = when.first().map(|c| self.plan.names[c.idx].as_str());
            issues.push(ImportIssue::file_warning(&self.file, column, "unmatched_cohort", message));
        }
        issues
    }

    /// The next row, `Ok(None)` at the end, or an error when the CSV itself is broken.
    pub fn next_row(&mut self) -> Result<Option<EesRow>, Error> {
        loop {
            let more = self.csv.read_byte_record(&mut self.record).map_err(|e| csv_error(&self.file, &e))?;
            if !more {
                if self.counts.rows == 0 {
                    return Err(Error::NoRows { file: self.file.clone() });
                }
                return Ok(None);
            }
            if self.record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            self.counts.rows += 1;
            // csv's own line count lags by one after a CRLF terminator: count newlines instead.
            let line = self.lines.line_at(self.record.position().map_or(0, |p| p.byte()));
            self.fields.fill(&self.record);
            self.note_la();
            let input = RowInput { file: &self.file, line, fields: &self.fields, plan: &self.plan };
            let row = match row::parse_row(&input, &mut self.state) {
                Outcome::Row(row) => row,
                Outcome::Unselected { line } => {
                    self.counts.unselected += 1;
                    EesRow::Observations { line, observations: Vec::new(), warnings: Vec::new() }
                }
            };
            match &row {
                EesRow::Observations { observations, warnings, .. } => {
                    self.counts.imported += u64::from(!observations.is_empty());
                    self.counts.observations += observations.len() as u64;
                    self.counts.warnings += warnings.len() as u64;
                }
                EesRow::Rejected { .. } => self.counts.rejected += 1,
                EesRow::Skipped { level, .. } => *self.counts.skipped.entry(level.clone()).or_default() += 1,
            }
            return Ok(Some(row));
        }
    }
}

impl<R: Read> Iterator for EesReader<R> {
    type Item = Result<EesRow, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

/// Drops a UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one): left in, it would make a quoted
/// first header unreadable and hide `time_period`.
fn skip_bom<R: Read>(mut reader: R) -> std::io::Result<Chain<Cursor<Vec<u8>>, R>> {
    let mut start = Vec::with_capacity(3);
    (&mut reader).take(3).read_to_end(&mut start)?;
    if start == b"\xEF\xBB\xBF" {
        start.clear();
    }
    Ok(Cursor::new(start).chain(reader))
}

/// EES files are UTF-8; a field that is not (an older file re-saved by Excel) is read as
/// Windows-1252 rather than mangled.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

fn csv_error(file: &str, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    match e.kind() {
        csv::ErrorKind::Io(io) => {
            Error::Io { file: file.to_owned(), source: std::io::Error::new(io.kind(), io.to_string()) }
        }
        _ => Error::Csv { file: file.to_owned(), line, message: e.to_string() },
    }
}

#[cfg(test)]
mod tests;

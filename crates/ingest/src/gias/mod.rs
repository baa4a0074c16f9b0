//! The GIAS establishment extract (`edubasealldataYYYYMMDD.csv`), read as a stream of rows.
//!
//! Columns are found by header name, never by position; extra columns are ignored, a missing
//! required column refuses the file, a missing optional one is a warning.

mod columns;
pub mod links;
mod row;

use std::io::Read;

pub use columns::{OPTIONAL_COLUMNS, REQUIRED_COLUMNS};

use crate::csv_lines::{LineIndex, Lines};
use crate::{Error, ImportIssue, TextEncoding};
use columns::Columns;

/// One data row of the extract: either an establishment or the reasons it was rejected.
#[derive(Debug)]
pub enum GiasRow {
    /// A valid establishment; `warnings` are kept alongside it.
    Establishment { line: u64, establishment: Box<domain::Establishment>, warnings: Vec<ImportIssue> },
    /// The row could not be used; every error found in it is listed.
    /// `la` is the row's LA code when it could be read, so a scoped import can pass it over.
    Rejected { line: u64, la: Option<String>, issues: Vec<ImportIssue> },
}

/// Streams establishments out of a GIAS extract without holding the file in memory.
pub struct GiasReader<R: Read> {
    file: String,
    csv: csv::Reader<LineIndex<R>>,
    lines: Lines,
    columns: Columns,
    encoding: TextEncoding,
    record: csv::ByteRecord,
    /// A record read ahead (after a short one, to tell a cut-off file from a bad row).
    ahead: Option<csv::ByteRecord>,
    /// Fields in the header: a record with fewer is broken.
    width: usize,
    header_issues: Vec<ImportIssue>,
    rows: u64,
}

impl<R: Read> GiasReader<R> {
    /// Reads the header row; fails when the file is empty or lacks a required column.
    pub fn new(file: &str, reader: R, encoding: TextEncoding) -> Result<Self, Error> {
        let (reader, lines) = LineIndex::new(reader);
        let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut header = csv::ByteRecord::new();
        let has_header = csv.read_byte_record(&mut header).map_err(|e| csv_error(file, &e))?;
        if !has_header || header.iter().all(|h| h.iter().all(u8::is_ascii_whitespace)) {
            return Err(Error::Empty { file: file.to_owned() });
        }
        let names: Vec<String> = header.iter().map(|h| row::decode(h, encoding).into_owned()).collect();
        let (columns, header_issues) = Columns::resolve(file, &names)?;
        Ok(Self {
            file: file.to_owned(),
            csv,
            lines,
            columns,
            encoding,
            record: csv::ByteRecord::new(),
            ahead: None,
            width: header.len(),
            header_issues,
            rows: 0,
        })
    }

    /// Warnings about the header (optional columns missing), to report once per file.
    pub fn header_issues(&self) -> &[ImportIssue] {
        &self.header_issues
    }

    /// The next row, `Ok(None)` at the end, or an error when the CSV itself is broken.
    pub fn next_row(&mut self) -> Result<Option<GiasRow>, Error> {
        loop {
            let more = match self.ahead.take() {
                Some(r) => {
                    self.record = r;
                    true
                }
                None => self.csv.read_byte_record(&mut self.record).map_err(|e| csv_error(&self.file, &e))?,
            };
            if !more {
                if self.rows == 0 {
                    return Err(Error::NoRows { file: self.file.clone() });
                }
                return Ok(None);
            }
            // Trailing blank lines in re-saved files are not rows, nor is an old DOS end-of-file
            // mark (Ctrl-Z).
            if self.record.iter().all(|f| f.iter().all(|b| b.is_ascii_whitespace() || *b == 0x1A)) {
                continue;
            }
            self.rows += 1;
            // csv's own line count lags by one after a CRLF terminator: count newlines instead.
            let line = self.lines.line_at(self.record.position().map_or(0, |p| p.byte()));
            if self.record.len() < self.width {
                return self.short_row(line).map(Some);
            }
            return Ok(Some(row::parse_row(&self.file, line, &self.record, &self.columns, self.encoding)));
        }
    }
}

impl<R: Read> GiasReader<R> {
    /// A record with fewer fields than the header: the file is cut off if it is the last one and
    /// unfinished (refused whole), else the row is rejected; never read as blanks.
    fn short_row(&mut self, line: u64) -> Result<GiasRow, Error> {
        let found = self.record.len();
        let mut next = csv::ByteRecord::new();
        let more = self.csv.read_byte_record(&mut next).map_err(|e| csv_error(&self.file, &e))?;
        if !more && !self.lines.ends_in_newline() {
            return Err(Error::Truncated { file: self.file.clone(), line, found, expected: self.width });
        }
        if more {
            self.ahead = Some(next);
        }
        let message = format!("the row has {found} fields, the header {}: a cut-off or mis-quoted row", self.width);
        let la = self
            .record
            .get(self.columns.la_code)
            .map(|b| row::decode(b, self.encoding).trim().to_owned())
            .filter(|s| !s.is_empty());
        Ok(GiasRow::Rejected {
            line,
            la,
            issues: vec![ImportIssue::row_error(&self.file, line, "URN", "short_row", message)],
        })
    }
}

impl<R: Read> Iterator for GiasReader<R> {
    type Item = Result<GiasRow, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
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

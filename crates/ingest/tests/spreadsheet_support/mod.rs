//! Writes test workbooks with a real writer (rust_xlsxwriter) into a temporary directory, and turns
//! import issues into the report lines a user reads.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use inclusion_ingest::ImportIssue;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};

/// One cell to write.
pub enum C<'a> {
    /// Text.
    S(&'a str),
    /// A number (a serial number when it stands for a date).
    N(f64),
    /// A date cell: an Excel serial formatted as a date, as Excel saves a typed date.
    D(u16, u8, u8),
    B(bool),
    /// A formula whose cached result is an Excel error, e.g. `#N/A`.
    Err(&'a str),
    /// Nothing (the column is left empty).
    Blank,
}

pub use C::*;

/// Writes `cells` along `row` from column `col` (0-based, as rust_xlsxwriter counts).
pub fn put_at(ws: &mut Worksheet, row: u32, col: u16, cells: &[C]) {
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (i, cell) in cells.iter().enumerate() {
        let col = col + i as u16;
        match cell {
            S(s) => ws.write_string(row, col, *s).map(|_| ()),
            N(n) => ws.write_number(row, col, *n).map(|_| ()),
            D(y, m, d) => {
                let value = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                ws.write_datetime_with_format(row, col, &value, &date).map(|_| ())
            }
            B(b) => ws.write_boolean(row, col, *b).map(|_| ()),
            Err(e) => ws.write_formula(row, col, Formula::new("=NA()").set_result(*e)).map(|_| ()),
            Blank => Ok(()),
        }
        .unwrap();
    }
}

/// Writes `cells` along `row` from column A.
pub fn put(ws: &mut Worksheet, row: u32, cells: &[C]) {
    put_at(ws, row, 0, cells);
}

/// Writes rows one under another from `first_row`.
pub fn put_rows(ws: &mut Worksheet, first_row: u32, rows: &[&[C]]) {
    for (i, row) in rows.iter().enumerate() {
        put(ws, first_row + i as u32, row);
    }
}

/// A file in its own temporary directory, removed when dropped.
pub struct TestFile {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Builds a workbook and saves it as `name`.
pub fn xlsx(name: &str, build: impl FnOnce(&mut Workbook)) -> TestFile {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut workbook = Workbook::new();
    build(&mut workbook);
    workbook.save(&path).unwrap();
    TestFile { _dir: dir, path }
}

/// A workbook of one sheet named `sheet` holding `rows` from A1.
pub fn one_sheet(name: &str, sheet: &str, rows: &[&[C]]) -> TestFile {
    xlsx(name, |wb| {
        let ws = wb.add_worksheet().set_name(sheet).unwrap();
        put_rows(ws, 0, rows);
    })
}

/// Any bytes saved as `name`.
pub fn raw_file(name: &str, bytes: &[u8]) -> TestFile {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    TestFile { _dir: dir, path }
}

/// The report lines, as `inclusion import` prints them.
pub fn lines(issues: &[ImportIssue]) -> Vec<String> {
    issues.iter().map(ToString::to_string).collect()
}

/// The committed fixtures made with LibreOffice (see `test_data/spreadsheet/make_fixtures.sh`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/spreadsheet").join(name)
}

pub fn opts() -> inclusion_ingest::spreadsheet::ReadOptions {
    inclusion_ingest::spreadsheet::ReadOptions::default()
}

pub fn ymd(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn urn(n: i64) -> domain::SchoolRef {
    domain::SchoolRef::Urn(domain::Urn::new(n).unwrap())
}

//! Reading one data row field by field. Each accessor reports its own problem as an `ImportIssue`
//! naming the cell, so the per-kind parsers read like the template they implement.

use chrono::NaiveDate;
use domain::{Laestab, SchoolRef, Urn};

use super::cells::{self, CellError, Value};
use super::grid::Grid;
use super::header::{HeaderMatch, Template};
use crate::{ImportIssue, Severity};

/// The sheet being read: where it came from and where each field sits.
pub(crate) struct SheetView<'a> {
    pub(crate) file: &'a str,
    /// `None` for a CSV file.
    pub(crate) sheet: Option<&'a str>,
    pub(crate) grid: &'a Grid,
    pub(crate) header: &'a HeaderMatch,
    pub(crate) template: &'a Template,
}

impl SheetView<'_> {
    /// A column as reports name it: the letter in a workbook, the header in a CSV file.
    pub(crate) fn column_name(&self, col: u32) -> String {
        if self.grid.csv {
            cells::value(self.grid.raw(self.header.row, col)).display()
        } else {
            cells::column_letter(col)
        }
    }

    pub(crate) fn issue(
        &self,
        row: Option<u64>,
        col: Option<u32>,
        severity: Severity,
        code: &'static str,
        message: String,
    ) -> ImportIssue {
        ImportIssue {
            file: self.file.to_owned(),
            sheet: self.sheet.map(str::to_owned),
            row,
            column: col.map(|c| self.column_name(c)),
            severity,
            code,
            message,
        }
    }
}

/// One data row while it is read; collects its issues and whether any rejects it.
pub(crate) struct Row<'a> {
    view: &'a SheetView<'a>,
    index: u32,
    /// The row as Excel numbers it (or the CSV line).
    pub(crate) number: u64,
    pub(crate) issues: Vec<ImportIssue>,
    pub(crate) rejected: bool,
}

impl<'a> Row<'a> {
    pub(crate) fn new(view: &'a SheetView<'a>, index: u32) -> Self {
        Self { view, index, number: view.grid.row_number(index), issues: Vec::new(), rejected: false }
    }

    /// Where a problem with the school as a whole is reported: its URN column, else its LAESTAB column.
    pub(crate) fn school_field(&self, urn: usize, laestab: usize) -> usize {
        if self.column(urn).is_some() { urn } else { laestab }
    }

    fn column(&self, field: usize) -> Option<u32> {
        self.view.header.columns[field]
    }

    fn label(&self, field: usize) -> &'static str {
        self.view.template.fields[field].label
    }

    pub(crate) fn value(&self, field: usize) -> Value<'a> {
        match self.column(field) {
            Some(col) => cells::value(self.view.grid.data(self.index, col, self.view.header.row)),
            None => Value::Empty,
        }
    }

    pub(crate) fn error(&mut self, field: usize, code: &'static str, message: String) {
        self.rejected = true;
        let issue = self.view.issue(Some(self.number), self.column(field), Severity::Error, code, message);
        self.issues.push(issue);
    }

    pub(crate) fn warning(&mut self, field: usize, code: &'static str, message: String) {
        let issue = self.view.issue(Some(self.number), self.column(field), Severity::Warning, code, message);
        self.issues.push(issue);
    }

    fn cell_error(&mut self, field: usize, error: &CellError) {
        let (code, message) = error.describe(self.label(field));
        self.error(field, code, message);
    }

    /// Text with runs of spaces made one; `None` when empty. An Excel error cell is reported.
    pub(crate) fn text(&mut self, field: usize) -> Option<String> {
        match self.value(field) {
            Value::Empty => None,
            Value::Error(e) => {
                self.cell_error(field, &CellError::Excel(e));
                None
            }
            v => Some(collapse_spaces(v.display())),
        }
    }

    /// Text that must be there: an empty cell rejects the row.
    pub(crate) fn required_text(&mut self, field: usize) -> Option<String> {
        let was_rejected = self.rejected;
        let text = self.text(field);
        if text.is_none() && self.rejected == was_rejected {
            let message = format!("{} is empty", self.label(field));
            self.error(field, "missing_value", message);
        }
        text
    }

    pub(crate) fn whole_number(&mut self, field: usize) -> Option<u32> {
        cells::whole_number(&self.value(field)).unwrap_or_else(|e| {
            self.cell_error(field, &e);
            None
        })
    }

    pub(crate) fn date(&mut self, field: usize) -> Option<NaiveDate> {
        cells::date(&self.value(field)).unwrap_or_else(|e| {
            self.cell_error(field, &e);
            None
        })
    }

    pub(crate) fn required_date(&mut self, field: usize) -> Option<NaiveDate> {
        let was_rejected = self.rejected;
        let date = self.date(field);
        if date.is_none() && self.rejected == was_rejected {
            let message = format!("{} is empty", self.label(field));
            self.error(field, "missing_value", message);
        }
        date
    }

    pub(crate) fn yes_no(&mut self, field: usize) -> Option<bool> {
        cells::yes_no(&self.value(field)).unwrap_or_else(|e| {
            self.cell_error(field, &e);
            None
        })
    }

    /// The school a row is about, from its URN column or else its LAESTAB column. A seven-digit
    /// number (or `886/2033`) in the URN column is taken as a LAESTAB: URNs have six digits.
    pub(crate) fn school(&mut self, urn: usize, laestab: usize) -> Option<SchoolRef> {
        // The usual case, a URN typed as a number, without going through text.
        if let Value::Number(n) = self.value(urn)
            && let Ok(urn) = Urn::new(n as i64)
            && n.fract() == 0.0
        {
            return Some(SchoolRef::Urn(urn));
        }
        if let Some(text) = self.text(urn) {
            return match Urn::parse(&text) {
                Ok(urn) => Some(SchoolRef::Urn(urn)),
                Err(urn_error) => match dfe_number(&text) {
                    Some(laestab) => Some(SchoolRef::Laestab(laestab)),
                    None => {
                        self.error(urn, "bad_urn", urn_error.to_string());
                        None
                    }
                },
            };
        }
        if let Some(text) = self.text(laestab) {
            return match dfe_number(&text) {
                Some(laestab) => Some(SchoolRef::Laestab(laestab)),
                None => {
                    let message = Laestab::parse(&text).err().map_or_else(String::new, |e| e.to_string());
                    self.error(laestab, "bad_laestab", message);
                    None
                }
            };
        }
        if !self.rejected {
            let field = self.school_field(urn, laestab);
            let message = match (self.column(urn), self.column(laestab)) {
                (Some(_), Some(_)) => "URN and LAESTAB are both empty".to_owned(),
                _ => format!("{} is empty", self.label(field)),
            };
            self.error(field, "missing_value", message);
        }
        None
    }
}

/// Runs of spaces, tabs and line breaks made one space (text is already trimmed); most cells have
/// none, and are returned as they are.
fn collapse_spaces(text: String) -> String {
    let mut previous_space = false;
    let clean = text.chars().all(|c| {
        let ok = (c == ' ' && !previous_space) || !c.is_whitespace();
        previous_space = c == ' ';
        ok
    });
    if clean { text } else { text.split_whitespace().collect::<Vec<_>>().join(" ") }
}

/// A LAESTAB as written seven digits, or as the DfE number `886/2033` (or `886-2033`).
fn dfe_number(text: &str) -> Option<Laestab> {
    let digits: String = text.chars().filter(|c| !matches!(c, '/' | '-' | ' ')).collect();
    Laestab::parse(&digits).ok()
}

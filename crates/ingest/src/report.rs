//! Import issues: one line per problem, naming file, sheet, row and column like a compiler would.

use std::fmt;

use serde::Serialize;

/// How bad a problem is: an error rejects the row, a warning keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    pub file: String,
    /// Spreadsheet sheet; `None` for CSV.
    pub sheet: Option<String>,
    /// Line (CSV) or row as Excel numbers it; `None` for whole-file issues.
    pub row: Option<u64>,
    /// Column header (CSV) or letter (spreadsheets).
    pub column: Option<String>,
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `bad_urn`.
    pub code: &'static str,
    pub message: String,
}

impl ImportIssue {
    pub fn row_error(file: &str, line: u64, column: &str, code: &'static str, message: String) -> Self {
        Self {
            file: file.to_owned(),
            sheet: None,
            row: Some(line),
            column: Some(column.to_owned()),
            severity: Severity::Error,
            code,
            message,
        }
    }

    pub fn row_warning(file: &str, line: u64, column: &str, code: &'static str, message: String) -> Self {
        Self { severity: Severity::Warning, ..Self::row_error(file, line, column, code, message) }
    }

    pub fn file_warning(file: &str, column: Option<&str>, code: &'static str, message: String) -> Self {
        Self {
            file: file.to_owned(),
            sheet: None,
            row: None,
            column: column.map(str::to_owned),
            severity: Severity::Warning,
            code,
            message,
        }
    }
}

impl fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, " [{sheet}]")?;
        }
        match (&self.sheet, self.row) {
            (Some(_), Some(row)) => match &self.column {
                Some(column) => write!(f, " {column}{row}")?,
                // A finding about a whole row (e.g. a disagreement with GIAS) names no cell.
                None => write!(f, " row {row}")?,
            },
            (None, Some(row)) => write!(f, ":{row}")?,
            _ => {}
        }
        write!(f, ": {}: ", self.severity.as_str())?;
        if self.sheet.is_none()
            && let Some(column) = &self.column
        {
            write!(f, "column {column}: ")?;
        }
        f.write_str(&self.message)?;
        if self.severity == Severity::Error && self.row.is_some() {
            f.write_str("; row rejected")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_row_error_names_file_line_and_column() {
        let issue = ImportIssue::row_error("gias.csv", 13, "URN", "bad_urn", "URN is not a number (\"12A45\")".into());
        assert_eq!(issue.to_string(), "gias.csv:13: error: column URN: URN is not a number (\"12A45\"); row rejected");
    }

    #[test]
    fn a_sheet_issue_reads_like_an_excel_cell_reference() {
        let issue = ImportIssue {
            sheet: Some("SRPs".into()),
            column: Some("B".into()),
            ..ImportIssue::row_error("srp.xlsx", 35, "B", "bad_urn", "URN is not a number (\"12A45\")".into())
        };
        assert_eq!(issue.to_string(), "srp.xlsx [SRPs] B35: error: URN is not a number (\"12A45\"); row rejected");
    }

    #[test]
    fn a_file_warning_has_no_line() {
        let issue = ImportIssue::file_warning(
            "gias.csv",
            Some("OfstedRating (name)"),
            "missing_column",
            "optional column is missing".into(),
        );
        assert_eq!(issue.to_string(), "gias.csv: warning: column OfstedRating (name): optional column is missing");
    }
}

//! Errors that stop a whole file from importing. Row-level problems are `ImportIssue`s instead.

/// A file that cannot be imported at all; nothing from it is written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: the file has a header but no data rows")]
    NoRows { file: String },
    #[error("{file}: not a CSV text file ({reason})")]
    NotText { file: String, reason: String },
    #[error("{file}: required column{} missing: {}", if columns.len() == 1 { " is" } else { "s are" }, columns.join(", "))]
    MissingColumns { file: String, columns: Vec<String> },
    #[error("{file}:{line}: malformed CSV: {message}")]
    Csv { file: String, line: u64, message: String },
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

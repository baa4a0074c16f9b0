//! Errors that stop a whole file from importing. Row-level problems are `ImportIssue`s instead.

/// A file that cannot be imported at all; nothing from it is written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    /// A lookup workbook (statistical neighbours, LA–region) that is not in DfE's shape; nothing
    /// is imported from it.
    #[error("{file} [{sheet}] row {row}, column {column}: {message}")]
    Lookup { file: String, sheet: String, row: u64, column: String, message: String },
    #[error("{file}: the file has a header but no data rows")]
    NoRows { file: String },
    #[error(
        "{file}:{line}: the last row has {found} of the header's {expected} fields and no line end: the file looks cut off (an interrupted download?); nothing imported"
    )]
    Truncated { file: String, line: u64, found: usize, expected: usize },
    #[error("{file}: not a CSV text file ({reason})")]
    NotText { file: String, reason: String },
    #[error("{file}: required column{} missing: {}", if columns.len() == 1 { " is" } else { "s are" }, columns.join(", "))]
    MissingColumns { file: String, columns: Vec<String> },
    #[error("{file}:{line}: malformed CSV: {message}")]
    Csv { file: String, line: u64, message: String },
    #[error("{file}: not a spreadsheet ({reason})")]
    NotSpreadsheet { file: String, reason: String },
    #[error("{file}: the workbook is encrypted (password protected); save a copy without a password and import that")]
    Encrypted { file: String },
    #[error("{file}: the file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { file: String, size: u64, limit: u64 },
    #[error("{file}: cannot read the workbook: {message}")]
    Workbook { file: String, message: String },
    #[error("{file}: no sheet named {sheet:?} (sheets: {})", available.join(", "))]
    SheetNotFound { file: String, sheet: String, available: Vec<String> },
    #[error("{file}: no sheet has data")]
    NoSheet { file: String },
    #[error("{file} [{sheet}]: required column{} for {kind} {} missing: {}{hint}", if columns.len() == 1 { "" } else { "s" }, if columns.len() == 1 { "is" } else { "are" }, columns.join(", "))]
    SheetMissingColumns { file: String, sheet: String, kind: &'static str, columns: Vec<String>, hint: String },
    #[error("{file}: required column{} for {kind} {} missing: {}{hint}", if columns.len() == 1 { "" } else { "s" }, if columns.len() == 1 { "is" } else { "are" }, columns.join(", "))]
    RegisterMissingColumns { file: String, kind: &'static str, columns: Vec<String>, hint: String },
    /// `fields`: the two fields, then the kind (for the template line).
    #[error(
        "{place}: column {column} {header:?} is equally close to {} and {}; say which it is in a template file (--template FILE or INCLUSION_TEMPLATES_DIR):\n  kind = \"{}\"\n  [columns]\n  {header:?} = \"{}\"",
        fields[0], fields[1], fields[2], fields[0]
    )]
    AmbiguousColumn { place: String, column: String, header: String, fields: Box<[String; 3]> },
    #[error("{file}: not a valid template file: {message}")]
    Template { file: String, message: String },
    #[error("{file} [{sheet}]: the sheet has a header but no data rows")]
    SheetNoRows { file: String, sheet: String },
    #[error("unknown spreadsheet kind {kind:?} (expected srp, designations, clusters or training)")]
    UnknownKind { kind: String },
    #[error("{file}: not a valid mapping file: {message}")]
    MappingSyntax { file: String, message: String },
    #[error("{file}: mapping key `{key}`: {message}")]
    Mapping { file: String, key: String, message: String },
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

//! Why a job imported nothing.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input was refused as a whole (empty, not CSV, a required column missing, malformed).
    #[error(transparent)]
    Refused(#[from] ingest::Error),
    #[error(
        "refused: the extract lists {found} establishments for {scope}, but the last import had {previous}; \
         a drop this sharp is usually a partial download (re-run with --force if it is real)"
    )]
    SharpDrop { scope: String, found: i64, previous: i64 },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] store::Error),
    /// Fetching the input failed (after retries where a retry could help).
    #[error(transparent)]
    Fetch(#[from] sources::Error),
    #[error("GIAS URL template {0}")]
    UrlTemplate(String),
    #[error("no mapping serves data set {dataset:?}: pass --mapping NAME (known: {known})")]
    NoMapping { dataset: String, known: String },
    #[error(
        "the archive {dir} holds {used} bytes; keeping this {need}-byte input would pass its cap of {cap} bytes (INCLUSION_ARCHIVE_MAX_BYTES), even after pruning what no recent, failed or current run needs; nothing imported. Prune with `inclusion archive prune --keep-days N` or raise the cap"
    )]
    ArchiveFull { dir: String, used: u64, need: u64, cap: u64 },
    #[error("the ZIP {file} holds no CSV file")]
    EmptyZip { file: String },
    #[error(
        "refused: {rejected} of {read} rows were rejected, so nothing was imported; {hint} First problems: {first}"
    )]
    MostlyRejected { hint: String, read: u64, rejected: u64, first: String },
}

impl From<store::DbErr> for Error {
    fn from(e: store::DbErr) -> Self {
        Error::Store(store::Error::Db(e))
    }
}

/// A file whose rows are mostly rejected (over half, of 20 or more) is the wrong file, not data
/// to half-import: the error, naming the first problems, or `None`.
pub(crate) fn mostly_rejected(read: u64, rejected: u64, issues: &[ingest::ImportIssue], hint: String) -> Option<Error> {
    if read < 20 || rejected * 2 <= read {
        return None;
    }
    let first: Vec<String> = issues
        .iter()
        .filter(|i| i.row.is_some() && i.severity == ingest::Severity::Error)
        .take(3)
        .map(ToString::to_string)
        .collect();
    Some(Error::MostlyRejected { hint, read, rejected, first: first.join("; ") })
}

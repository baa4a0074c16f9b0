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
    #[error("no mapping serves data set {dataset:?}: pass --mapping NAME (known: {known})")]
    NoMapping { dataset: String, known: String },
    #[error("the ZIP {file} holds no CSV file")]
    EmptyZip { file: String },
    #[error(
        "refused: {rejected} of {read} rows were rejected, so nothing was imported; is this the right file for --kind {kind}? First problems: {first}"
    )]
    MostlyRejected { kind: String, read: u64, rejected: u64, first: String },
}

impl From<store::DbErr> for Error {
    fn from(e: store::DbErr) -> Self {
        Error::Store(store::Error::Db(e))
    }
}

//! Fetch errors, classed so a job can tell "try again later" from "this will never work".

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{url}: timed out")]
    Timeout { url: String },
    #[error("{url}: cannot connect: {message}")]
    Connect { url: String, message: String },
    #[error("{url}: rate limited (429){}", retry_after.map(|d| format!(", retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited { url: String, retry_after: Option<Duration> },
    #[error("{url}: not found (404)")]
    NotFound { url: String },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: body larger than the {limit}-byte limit")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: body cut short: {message}")]
    Truncated { url: String, message: String },
    #[error("{url}: expected {expected}, got content type {found:?}")]
    ContentType { url: String, expected: &'static str, found: String },
    #[error("{url}: unexpected response: {message}")]
    Decode { url: String, message: String },
    #[error("{file}: {message}")]
    Zip { file: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Timeouts, connection failures, 429, 5xx and cut-off bodies may pass on a later try.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connect { .. } | Error::RateLimited { .. } | Error::Truncated { .. } => true,
            Error::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

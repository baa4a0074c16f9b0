//! Downloads with timeouts, retries, conditional requests, a size cap and a content-type check.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tracing::{debug, warn};

use crate::retry::{backoff, parse_retry_after};
use crate::{ClientConfig, Error};

/// What a download must be, judged by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Csv,
    Zip,
    Json,
}

impl Expect {
    fn accepts(self, content_type: &str) -> bool {
        let ct = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match self {
            // DfE serves CSVs under several types; an HTML error page is the case to refuse.
            Expect::Csv => matches!(
                ct.as_str(),
                "text/csv" | "text/plain" | "application/csv" | "application/octet-stream" | "application/vnd.ms-excel"
            ),
            Expect::Zip => {
                matches!(ct.as_str(), "application/zip" | "application/x-zip-compressed" | "application/octet-stream")
            }
            Expect::Json => ct == "application/json" || ct.ends_with("+json"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Expect::Csv => "a CSV file",
            Expect::Zip => "a ZIP file",
            Expect::Json => "JSON",
        }
    }
}

/// What we know of the copy we already have, to ask the server whether it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Download {
    /// 304: the copy we have is current; nothing was downloaded.
    NotModified,
    /// The body, on disk as `<dir>/<sha256>`.
    Fetched { path: PathBuf, sha256: String, bytes: u64, content_type: String, validators: Validators },
}

/// One HTTP client for every DfE endpoint.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    cfg: ClientConfig,
}

impl HttpClient {
    pub fn new(cfg: ClientConfig) -> Result<Self, Error> {
        crate::ensure_crypto_provider();
        let inner = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            .user_agent(cfg.user_agent.clone())
            .build()
            .map_err(|e| Error::Connect { url: String::new(), message: e.to_string() })?;
        Ok(Self { inner, cfg })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    /// Downloads `url` into `dir` (named by sha256), retrying what may pass on a later try.
    pub async fn download(
        &self,
        url: &str,
        dir: &Path,
        expect: Expect,
        known: Option<&Validators>,
    ) -> Result<Download, Error> {
        self.with_retries(url, || self.download_once(url, dir, expect, known)).await
    }

    /// GETs and decodes a JSON document.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, Error> {
        self.with_retries(url, || async {
            let resp = self.send(url, None).await?;
            check_content_type(url, resp.headers(), Expect::Json)?;
            let body = resp.bytes().await.map_err(|e| body_error(url, &e))?;
            serde_json::from_slice(&body).map_err(|e| Error::Decode { url: url.to_owned(), message: e.to_string() })
        })
        .await
    }

    async fn with_retries<T, F, Fut>(&self, url: &str, mut attempt: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let mut n = 1;
        loop {
            match attempt().await {
                Err(e) if e.is_retryable() && n < self.cfg.max_attempts => {
                    let retry_after = match &e {
                        Error::RateLimited { retry_after, .. } => *retry_after,
                        _ => None,
                    };
                    let wait = backoff(&self.cfg, n, retry_after);
                    warn!(url, attempt = n, wait_ms = wait.as_millis() as u64, error = %e, "retrying {url}");
                    tokio::time::sleep(wait).await;
                    n += 1;
                }
                other => return other,
            }
        }
    }

    /// Sends a GET and turns failure statuses into classed errors; 2xx and 304 come back.
    async fn send(&self, url: &str, known: Option<&Validators>) -> Result<reqwest::Response, Error> {
        let mut req = self.inner.get(url);
        if let Some(v) = known {
            if let Some(etag) = &v.etag {
                req = req.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm);
            }
        }
        let resp = req.send().await.map_err(|e| request_error(url, &e))?;
        let status = resp.status();
        debug!(url, status = status.as_u16(), "GET {url}");
        match status {
            s if s.is_success() || s == StatusCode::NOT_MODIFIED => Ok(resp),
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = resp
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                Err(Error::RateLimited { url: url.to_owned(), retry_after })
            }
            StatusCode::NOT_FOUND => Err(Error::NotFound { url: url.to_owned() }),
            s => Err(Error::Status { url: url.to_owned(), status: s.as_u16() }),
        }
    }

    async fn download_once(
        &self,
        url: &str,
        dir: &Path,
        expect: Expect,
        known: Option<&Validators>,
    ) -> Result<Download, Error> {
        let mut resp = self.send(url, known).await?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return Ok(Download::NotModified);
        }
        let content_type = check_content_type(url, resp.headers(), expect)?;
        let validators =
            Validators { etag: header(resp.headers(), ETAG), last_modified: header(resp.headers(), LAST_MODIFIED) };
        if let Some(len) = resp.content_length()
            && len > self.cfg.max_bytes
        {
            return Err(Error::TooLarge { url: url.to_owned(), limit: self.cfg.max_bytes });
        }
        let io = |source| Error::Io { path: dir.display().to_string(), source };
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        // Stream to a temporary name; only a complete body gets its final (hash) name.
        let partial = tempfile_name(dir);
        let result = async {
            let mut file = tokio::fs::File::create(&partial).await.map_err(io)?;
            let mut hasher = Sha256::new();
            let mut bytes = 0u64;
            while let Some(chunk) = resp.chunk().await.map_err(|e| body_error(url, &e))? {
                bytes += chunk.len() as u64;
                if bytes > self.cfg.max_bytes {
                    return Err(Error::TooLarge { url: url.to_owned(), limit: self.cfg.max_bytes });
                }
                hasher.update(&chunk);
                file.write_all(&chunk).await.map_err(io)?;
            }
            file.flush().await.map_err(io)?;
            Ok((hex::encode(hasher.finalize()), bytes))
        }
        .await;
        let (sha256, bytes) = match result {
            Ok(done) => done,
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(e);
            }
        };
        let path = dir.join(&sha256);
        tokio::fs::rename(&partial, &path).await.map_err(io)?;
        Ok(Download::Fetched { path, sha256, bytes, content_type, validators })
    }
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn check_content_type(url: &str, headers: &HeaderMap, expect: Expect) -> Result<String, Error> {
    let found = header(headers, CONTENT_TYPE).unwrap_or_default();
    if expect.accepts(&found) {
        Ok(found)
    } else {
        Err(Error::ContentType { url: url.to_owned(), expected: expect.name(), found })
    }
}

fn tempfile_name(dir: &Path) -> PathBuf {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!(".download-{}-{n}.partial", std::process::id()))
}

fn request_error(url: &str, e: &reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout { url: url.to_owned() }
    } else {
        Error::Connect { url: url.to_owned(), message: root_cause(e) }
    }
}

fn body_error(url: &str, e: &reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout { url: url.to_owned() }
    } else {
        Error::Truncated { url: url.to_owned(), message: root_cause(e) }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

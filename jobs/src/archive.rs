//! Hashes an input once while checking it is text, and keeps a copy named by its sha256.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ingest::{TextEncoding, TextSniffer};
use sha2::{Digest, Sha256};

use crate::Error;

/// Bytes the archive may hold; 0 for no cap. Set once by the binary from
/// `INCLUSION_ARCHIVE_MAX_BYTES`.
static ARCHIVE_CAP: AtomicU64 = AtomicU64::new(0);
/// Days of runs whose inputs an automatic prune keeps (as `inclusion archive prune` does).
const PRUNE_KEEP_DAYS: u32 = 90;

/// Caps the archive at `bytes` (0: no cap).
pub fn set_archive_cap(bytes: u64) {
    ARCHIVE_CAP.store(bytes, Ordering::Relaxed);
}

/// Bytes of the archived inputs in `dir`.
fn archive_bytes(dir: &Path) -> Result<u64, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(source) => return Err(Error::Io { path: dir.display().to_string(), source }),
    };
    Ok(entries.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
}

/// What the first pass over an input learned.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// File name as reports show it.
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: Result<TextEncoding, String>,
}

impl SourceFile {
    /// [`SourceFile::scan`] on a blocking thread: hashing a large input is not async work.
    pub async fn scan_off_thread(path: &Path) -> Result<Self, Error> {
        let owned = path.to_path_buf();
        tokio::task::spawn_blocking(move || Self::scan(&owned))
            .await
            .map_err(|e| Error::Io { path: path.display().to_string(), source: std::io::Error::other(e) })?
    }

    /// A text input's encoding, or why it is refused: empty, or not text.
    pub fn text_encoding(&self) -> Result<ingest::TextEncoding, Error> {
        if self.bytes == 0 {
            return Err(ingest::Error::Empty { file: self.name.clone() }.into());
        }
        self.encoding.clone().map_err(|reason| ingest::Error::NotText { file: self.name.clone(), reason }.into())
    }

    /// Streams the file once (64 KiB at a time): memory stays flat however large it is.
    pub fn scan(path: &Path) -> Result<Self, Error> {
        let io = |source| Error::Io { path: path.display().to_string(), source };
        let mut file = File::open(path).map_err(io)?;
        let mut hasher = Sha256::new();
        let mut sniffer = TextSniffer::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            sniffer.update(&buf[..n]);
        }
        let bytes = sniffer.bytes();
        Ok(Self {
            path: path.to_owned(),
            name: path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
            sha256: hex::encode(hasher.finalize()),
            bytes,
            encoding: sniffer.finish(),
        })
    }

    /// Keeps the input: a copy in `archive_dir` (when given) and a `source_file` row. Done once the
    /// file-level checks pass and before the rows are written, so a run that fails on its rows
    /// still leaves a record of what it was given, and a refused file leaves nothing on disk.
    pub(crate) async fn keep(
        &self,
        db: &sea_orm::DatabaseConnection,
        archive_dir: Option<&Path>,
        origin: Option<&str>,
    ) -> Result<(), Error> {
        let archived = match archive_dir {
            Some(dir) => {
                self.make_room(db, dir).await?;
                Some(self.archive(dir)?.display().to_string())
            }
            None => None,
        };
        let now = chrono::Utc::now();
        store::runs::record_source_file(
            db,
            &self.sha256,
            &self.name,
            self.bytes as i64,
            origin,
            archived.as_deref(),
            now,
        )
        .await?;
        Ok(())
    }

    /// Keeps the archive under its cap ([`set_archive_cap`]): when this input would pass it, what
    /// no recent, failed or current run needs is pruned first; if it still would, the import is
    /// refused rather than the disk filled.
    async fn make_room(&self, db: &sea_orm::DatabaseConnection, dir: &Path) -> Result<(), Error> {
        let cap = ARCHIVE_CAP.load(Ordering::Relaxed);
        if cap == 0 || dir.join(&self.sha256).exists() {
            return Ok(());
        }
        let used = archive_bytes(dir)?;
        if used + self.bytes <= cap {
            return Ok(());
        }
        let since = chrono::Utc::now() - chrono::Duration::days(i64::from(PRUNE_KEEP_DAYS));
        let protected = store::runs::protected_inputs(db, since).await?;
        let pruned = prune(dir, &protected, false)?;
        if !pruned.removed.is_empty() {
            tracing::info!(
                removed = pruned.removed.len(),
                bytes = pruned.removed_bytes,
                "archive over its cap: pruned"
            );
        }
        let used = used.saturating_sub(pruned.removed_bytes);
        if used + self.bytes > cap {
            return Err(Error::ArchiveFull { dir: dir.display().to_string(), used, need: self.bytes, cap });
        }
        Ok(())
    }

    /// Copies the input into `dir` as `<sha256>` unless it is already there.
    pub fn archive(&self, dir: &Path) -> Result<PathBuf, Error> {
        let io = |source| Error::Io { path: dir.display().to_string(), source };
        std::fs::create_dir_all(dir).map_err(io)?;
        let target = dir.join(&self.sha256);
        if !target.exists() {
            // Link (a download waiting in `incoming/`), else copy then rename, so a crash never
            // leaves a truncated file under the final name.
            // Only a download of our own is linked: a user's file edited in place later must not
            // change the archived copy.
            let ours = self.path.starts_with(dir.join("incoming"));
            if !ours || std::fs::hard_link(&self.path, &target).is_err() {
                let partial = dir.join(format!("{}.partial", self.sha256));
                std::fs::copy(&self.path, &partial).map_err(io)?;
                std::fs::rename(&partial, &target).map_err(io)?;
            }
        }
        Ok(target)
    }
}

/// What `prune` did (or would do, on a dry run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub kept: usize,
    pub kept_bytes: u64,
    pub removed: Vec<String>,
    pub removed_bytes: u64,
}

/// Removes archived inputs (files named by a sha256) that `protected` does not list; other
/// files in the directory are left alone.
pub fn prune(dir: &Path, protected: &std::collections::BTreeSet<String>, dry_run: bool) -> Result<PruneReport, Error> {
    let io = |source| Error::Io { path: dir.display().to_string(), source };
    let mut report = PruneReport::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(report),
        Err(e) => return Err(io(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_input = name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_input || !entry.file_type().map_err(io)?.is_file() {
            continue;
        }
        let bytes = entry.metadata().map_err(io)?.len();
        if protected.contains(&name) {
            report.kept += 1;
            report.kept_bytes += bytes;
        } else {
            if !dry_run {
                std::fs::remove_file(entry.path()).map_err(io)?;
            }
            report.removed.push(name);
            report.removed_bytes += bytes;
        }
    }
    report.removed.sort();
    Ok(report)
}

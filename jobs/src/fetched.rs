//! What every import by URL shares: conditional requests against the copy last imported, the
//! record of what a download answered, and the removal of what it left in `incoming/`.

use std::path::PathBuf;

use chrono::Utc;
use sea_orm::DatabaseConnection;
use sources::{Download, Validators};
use store::runs;

use crate::Error;

/// The validators to send for `url`: those of the copy a committed run imported, if any.
pub(crate) async fn known(db: &DatabaseConnection, url: &str) -> Result<Option<Validators>, Error> {
    Ok(runs::validators_for(db, url).await?.map(|s| Validators { etag: s.etag, last_modified: s.last_modified }))
}

/// Records what `url` answered: a fetched copy's validators and hash (before the import, so a
/// failed run still knows what it fetched), or on a 304 that the copy was confirmed now.
pub(crate) async fn record(db: &DatabaseConnection, url: &str, download: &Download) -> Result<(), Error> {
    match download {
        Download::NotModified => {
            let state = runs::fetch_state(db, url).await?;
            let s = state.as_ref();
            let (etag, modified, sha) = (
                s.and_then(|s| s.etag.as_deref()),
                s.and_then(|s| s.last_modified.as_deref()),
                s.and_then(|s| s.sha256.as_deref()),
            );
            runs::save_fetch_state(db, url, etag, modified, sha, Utc::now()).await?;
        }
        Download::Fetched { sha256, validators, .. } => {
            let (etag, modified) = (validators.etag.as_deref(), validators.last_modified.as_deref());
            runs::save_fetch_state(db, url, etag, modified, Some(sha256), Utc::now()).await?;
        }
    }
    Ok(())
}

/// Files and folders a run put in `incoming/`, removed when the run ends, however it ends.
pub(crate) struct RemoveOnDrop(pub(crate) Vec<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = if p.is_dir() { std::fs::remove_dir_all(p) } else { std::fs::remove_file(p) };
        }
    }
}

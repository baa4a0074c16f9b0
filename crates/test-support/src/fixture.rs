//! Where test data lives.

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A committed GIAS fixture, e.g. `basic.csv`.
pub fn gias(name: &str) -> PathBuf {
    root().join("crates/ingest/test_data/gias").join(name)
}

/// The bundled demo extract.
pub fn sample_gias() -> PathBuf {
    root().join("data/sample/gias_kent_sample.csv")
}

/// `../shared/dfe-data` (or `INCLUSION_DFE_DATA`), `None` with a printed reason when absent
/// outside CI; under `CI=true` a missing directory fails the test.
pub fn dfe_data() -> Option<PathBuf> {
    let dir =
        std::env::var("INCLUSION_DFE_DATA").map(PathBuf::from).unwrap_or_else(|_| root().join("../shared/dfe-data"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("DfE data is required under CI=true but {} is missing (set INCLUSION_DFE_DATA)", dir.display());
    }
    eprintln!("SKIPPED: {} is missing (set INCLUSION_DFE_DATA)", dir.display());
    None
}

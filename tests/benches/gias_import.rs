//! Benchmark: a national-size GIAS extract (synthesised in the published format, 50,000 rows by
//! default) imported into SQLite and into PostgreSQL. Prints rows/s and the peak memory of the
//! import (resident set high-water mark, reset before each import).
//!
//! `cargo bench -p inclusion-tests --bench gias_import [-- ROWS]`

use std::time::Instant;

use jobs::NoProgress;
use jobs::import_gias::{GiasImport, run};
use test_support::{Backend, TestDb};

/// The allocator the `inclusion` binary uses, so the bench measures what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Resets the high-water mark so each import is measured on its own (Linux `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let rows: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("edubasealldata20261126.csv");
    {
        let file = std::fs::File::create(&path).expect("create extract");
        let mut out = std::io::BufWriter::new(file);
        test_support::gias_synth::write(&mut out, rows, 42).expect("write extract");
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("GIAS extract: {rows} rows, {:.1} MiB, 140 columns, Windows-1252", bytes as f64 / 1_048_576.0);

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        rt.block_on(async {
            let Some(t) = TestDb::of(backend).await else { return };
            let job = GiasImport { path: path.clone(), la: None, force: false, trigger: "bench".into(), archive_dir: None };
            for pass in ["first import", "re-import (unchanged)"] {
                reset_peak();
                let started = Instant::now();
                let summary = run(&t.db, &job, &NoProgress).await.expect("import");
                let secs = started.elapsed().as_secs_f64();
                println!(
                    "{backend:?} {pass}: {} rows in {secs:.2} s = {:.0} rows/s (inserted {}, unchanged {}); peak RSS {:.0} MiB",
                    summary.counts.read,
                    summary.counts.read as f64 / secs,
                    summary.counts.inserted,
                    summary.counts.unchanged,
                    peak_rss_mib().unwrap_or(f64::NAN),
                );
            }
        });
    }
}

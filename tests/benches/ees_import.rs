//! Benchmark: a school-level EES tidy CSV of 1,000,000 observations (200,000 rows × 5 indicators,
//! synthesised in the open-data standard of `ees__absence_school.csv`) imported into SQLite and
//! PostgreSQL through the `absence_school` mapping. Prints observations/s and peak memory.
//!
//! `cargo bench -p inclusion-tests --bench ees_import [-- ROWS]`

use std::io::Write;
use std::time::Instant;

use jobs::NoProgress;
use jobs::import_ees::{EesImport, EesSource, run};
use test_support::{Backend, TestDb};

/// The allocator the `inclusion` binary uses, so the bench measures what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

fn write_csv(path: &std::path::Path, rows: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,school_urn,school_laestab,school_name,ward_code,ward_name,school_type,academy_type,ncyear,enrolments,sess_possible,sess_authorised,sess_unauthorised,sess_unauthorised_percent"
    )?;
    for i in 0..rows {
        let school = i / 10;
        let year = i % 10 + 1;
        let urn = 100_000 + school;
        let enrol = 20 + (i * 7) % 180;
        let possible = enrol * 300;
        let auth = possible / 20 + i % 50;
        let unauth = possible / 100 + i % 13;
        // Every 97th figure is suppressed, as DfE does for small numbers.
        let pct = if i % 97 == 0 { "c".to_owned() } else { format!("{:.4}", unauth as f64 * 100.0 / possible as f64) };
        writeln!(
            out,
            "202324,Academic year,School,E92000001,England,E12000008,South East,886,E10000016,Kent,{urn},886{:04},School {school},,,State-funded primary,N/A,Year {year},{enrol},{possible},{auth},{unauth},{pct}",
            school % 10_000
        )?;
    }
    out.flush()
}

fn main() {
    let rows: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("absence_school.csv");
    write_csv(&path, rows).expect("write CSV");
    let mib = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0;
    println!("EES school-level CSV: {rows} rows, {} observations, {mib:.1} MiB", rows * 5);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        rt.block_on(async {
            let Some(t) = TestDb::of(backend).await else { return };
            let job = EesImport {
release: Default::default(),
source: EesSource::File(path.clone()),
                mapping: Some("absence_school".into()),
                mappings_dir: None,
                api_base: String::new(),
                client: Default::default(),
                trigger: "bench".into(),
                archive_dir: dir.path().join(format!("archive-{backend:?}")),
            };
            for pass in ["first import", "re-import (unchanged)"] {
                let _ = std::fs::write("/proc/self/clear_refs", "5");
                let started = Instant::now();
                let s = run(&t.db, &job, &NoProgress).await.expect("import");
                let secs = started.elapsed().as_secs_f64();
                let n = s.counts.inserted + s.counts.updated + s.counts.unchanged;
                println!(
                    "{backend:?} {pass}: {n} observations in {secs:.2} s = {:.0} observations/s (inserted {}, unchanged {}); peak RSS {:.0} MiB",
                    n as f64 / secs,
                    s.counts.inserted,
                    s.counts.unchanged,
                    peak_rss_mib().unwrap_or(f64::NAN)
                );
            }
        });
    }
}

//! Benchmark: a 100,000-row SRP register (CSV, 2 provisions at each of 50,000 synthetic GIAS
//! schools) parsed and validated, then imported into SQLite and PostgreSQL (matched to the GIAS
//! SRPs, compared, written in one transaction). Prints both times.
//!
//! `cargo bench -p inclusion-tests --bench register_import`

use std::io::Write;
use std::time::Instant;

use chrono::NaiveDate;
use ingest::spreadsheet::{Kind, ReadOptions, read_srp_register};
use jobs::NoProgress;
use jobs::import_gias::GiasImport;
use jobs::import_register::{RegisterImport, run};
use test_support::{Backend, TestDb};

/// The allocator the `inclusion` binary uses, so the bench measures what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let schools = 50_000usize;
    let dir = tempfile::tempdir().expect("temp dir");
    let gias = dir.path().join("gias.csv");
    test_support::gias_synth::write(&mut std::io::BufWriter::new(std::fs::File::create(&gias).unwrap()), schools, 5)
        .expect("GIAS extract");
    let register = dir.path().join("srp_register.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&register).unwrap());
        writeln!(out, "URN,SRP name,Provision type,Need type,Commissioned places,On roll,Age range,Provider,SLA signed,SLA date,Open date").unwrap();
        for i in 0..schools {
            let urn = 100_000 + i;
            for (need, kind) in [("Autism", "Resourced provision"), ("Speech and language", "SEN unit")] {
                let places = 8 + i % 12;
                writeln!(out, "{urn},Base {i} {need},{kind},{need},{places},{},4-11,Kent County Council,Yes,15/07/2024,01/09/2015", places - 1)
                    .unwrap();
            }
        }
    }
    let started = Instant::now();
    let parsed = read_srp_register(&register, &ReadOptions::default()).expect("parse");
    println!(
        "SRP register: {} rows parsed and validated in {:.2} s ({} issues)",
        parsed.rows_read,
        started.elapsed().as_secs_f64(),
        parsed.issues.len()
    );
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        rt.block_on(async {
            let Some(t) = TestDb::of(backend).await else { return };
            let g = GiasImport { path: gias.clone(), la: None, force: false, trigger: "bench".into(), archive_dir: None };
            jobs::import_gias::run(&t.db, &g, &NoProgress).await.expect("GIAS");
            let job = RegisterImport {
                path: register.clone(),
                kind: Kind::Srp,
                sheet: None,
                dry_run: false,
                trigger: "bench".into(),
                archive_dir: None,
                cluster_size: (7, 14),
                today: NaiveDate::from_ymd_opt(2026, 11, 26).expect("date"),
                templates: Vec::new(),
                templates_dir: None,
            };
            for pass in ["first import", "re-import (unchanged)"] {
                let started = Instant::now();
                let s = run(&t.db, &job).await.expect("import");
                println!(
                    "{backend:?} {pass}: {} rows parsed, validated and imported in {:.2} s (inserted {}, updated {}, unchanged {})",
                    s.counts.read,
                    started.elapsed().as_secs_f64(),
                    s.counts.inserted,
                    s.counts.updated,
                    s.counts.unchanged
                );
            }
        });
    }
}

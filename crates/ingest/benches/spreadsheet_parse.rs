//! How long a 100,000-row SRP register takes to read and validate (goal: under 1 s in release).
//! Writes the workbook with rust_xlsxwriter into a temporary directory (not timed), then times
//! `read_srp_register` three times and prints the figures.
//!
//! ```sh
//! cargo bench -p inclusion-ingest --bench spreadsheet_parse [-- ROWS]   # default 100000
//! ```

use std::time::Instant;

use inclusion_ingest::spreadsheet::{ReadOptions, read_srp_register};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// The allocator the `inclusion` binary uses, so the bench measures what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NEEDS: [&str; 6] = ["Autism", "SEMH", "Speech and language", "Hearing impairment", "ASD/SLCN", "Dyslexia"];

/// Rows to write, from the command line.
static ROWS_CELL: std::sync::OnceLock<u32> = std::sync::OnceLock::new();

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    ROWS_CELL.set(rows).ok();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("srp_register.xlsx");
    let started = Instant::now();
    write_register(&path)?;
    let size = std::fs::metadata(&path)?.len();
    println!("wrote {rows} rows ({size} bytes) in {:.2} s", started.elapsed().as_secs_f64());

    let opts = ReadOptions { max_bytes: u64::MAX, ..ReadOptions::default() };
    let mut timings = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..3 {
        let (started, cpu_started) = (Instant::now(), cpu_seconds());
        let parsed = read_srp_register(&path, &opts)?;
        timings.push(started.elapsed().as_secs_f64());
        cpu.push(cpu_seconds() - cpu_started);
        assert_eq!(parsed.records.len(), rows as usize);
        assert_eq!(parsed.rows_rejected, 0);
    }
    timings.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    // What calamine alone takes to read the cells, for scale: the rest is ours.
    let started = Instant::now();
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&path)?;
    let cells = calamine::Reader::worksheet_range(&mut workbook, "SRP register")?;
    let calamine_alone = started.elapsed().as_secs_f64();
    println!("calamine alone (open + worksheet_range, {} rows): {calamine_alone:.3} s", cells.height());
    println!(
        "read_srp_register: {rows} rows parsed and validated in {:.3} s (best of 3; median {:.3} s) = {:.0} rows/s",
        timings[0],
        timings[1],
        f64::from(rows) / timings[0]
    );
    // On a shared machine wall time includes waiting for a core; CPU time does not.
    if cpu[0] > 0.0 {
        println!("read_srp_register CPU time: {:.3} s (best of 3; median {:.3} s)", cpu[0], cpu[1]);
    }
    println!("peak resident memory: {:.0} MiB", peak_rss_mib().unwrap_or(f64::NAN));
    Ok(())
}

/// User plus system CPU time of this process so far, from /proc (Linux; 0 elsewhere), in 10 ms ticks.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 12th.
    let Some(after) = stat.rsplit_once(')').map(|(_, rest)| rest) else { return 0.0 };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn write_register(path: &std::path::Path) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let ws = workbook.add_worksheet().set_name("SRP register")?;
    ws.write_string(0, 0, "SRP register (benchmark)")?;
    let header = [
        "URN",
        "SRP name",
        "Need type",
        "Commissioned places",
        "On roll",
        "Age range",
        "Provider",
        "SLA signed",
        "SLA date",
        "Open date",
    ];
    for (col, name) in header.iter().enumerate() {
        ws.write_string(2, col as u16, *name)?;
    }
    let sla = ExcelDateTime::from_ymd(2024, 7, 15)?;
    let open = ExcelDateTime::from_ymd(2019, 9, 1)?;
    let rows = *ROWS_CELL.get().unwrap_or(&100_000);
    for i in 0..rows {
        let row = 3 + i;
        ws.write_number(row, 0, f64::from(100_000 + i))?;
        ws.write_string(row, 1, format!("SRP {i}"))?;
        ws.write_string(row, 2, NEEDS[i as usize % NEEDS.len()])?;
        ws.write_number(row, 3, f64::from(8 + i % 12))?;
        ws.write_number(row, 4, f64::from(4 + i % 8))?;
        ws.write_string(row, 5, "4-11")?;
        ws.write_string(row, 6, "Kent County Council")?;
        ws.write_string(row, 7, if i % 5 == 0 { "No" } else { "Yes" })?;
        if i % 5 != 0 {
            ws.write_datetime_with_format(row, 8, &sla, &date)?;
        }
        ws.write_datetime_with_format(row, 9, &open, &date)?;
    }
    workbook.save(path)
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

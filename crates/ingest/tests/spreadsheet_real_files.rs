//! Files this project did not write: the .ods/.xls/encrypted fixtures LibreOffice made (committed with
//! the script that made them), and the DfE's own workbooks in `INCLUSION_DFE_DATA`.

mod spreadsheet_support;

use std::path::{Path, PathBuf};

use inclusion_ingest::spreadsheet::{ReadOptions, Table, list_sheets, read_srp_register, read_table};
use spreadsheet_support::{fixture, lines};

/// The messy register as LibreOffice saved it, whatever the format: same records, same report.
fn assert_messy_register(name: &str) {
    let parsed = read_srp_register(&fixture(name), &ReadOptions::default()).unwrap();
    assert_eq!(parsed.sheet, "SRP register", "the notes sheet and the hidden old register are passed over");
    assert_eq!(
        lines(&parsed.issues),
        [
            format!("{name} [SRP register] E8: warning: On roll (14) is more than commissioned places (13)"),
            format!("{name} [SRP register] A9: error: URN is not a number (\"12A45\"); row rejected"),
            format!("{name} [SRP register] D10: error: Commissioned places is an Excel error (#N/A); row rejected"),
        ]
    );
    let rows: Vec<u32> = parsed.records.iter().map(|(row, _)| *row).collect();
    assert_eq!(rows, [5, 6, 8, 11]);
    let oakfield = &parsed.records[1].1;
    // "Kent County Council" is merged over rows 5 and 6; "13" was typed as text; the date as text.
    assert_eq!(oakfield.provider.as_deref(), Some("Kent County Council"));
    assert_eq!(oakfield.commissioned_places, Some(13));
    assert_eq!(oakfield.open_date, chrono::NaiveDate::from_ymd_opt(2016, 9, 1));
    assert_eq!(parsed.records[0].1.sla_date, chrono::NaiveDate::from_ymd_opt(2024, 7, 15));
}

#[test]
fn an_ods_register_made_by_libreoffice_reads_like_the_xlsx_one() {
    assert_messy_register("messy_srp.ods");
}

#[test]
fn an_xls_register_made_by_libreoffice_reads_like_the_xlsx_one() {
    assert_messy_register("messy_srp.xls");
}

#[test]
fn a_hidden_ods_sheet_is_read_when_named() {
    let named = ReadOptions { sheet: Some("Old register".into()), ..ReadOptions::default() };
    let parsed = read_srp_register(&fixture("messy_srp.ods"), &named).unwrap();
    assert_eq!(parsed.records[0].1.commissioned_places, Some(99));
    let sheets = list_sheets(&fixture("messy_srp.ods"), u64::MAX).unwrap();
    let visible: Vec<(&str, bool)> = sheets.iter().map(|s| (s.name.as_str(), s.visible)).collect();
    assert_eq!(visible, [("Read me", true), ("Old register", false), ("SRP register", true)]);
}

#[test]
fn a_password_protected_xlsx_is_refused() {
    let error = read_srp_register(&fixture("encrypted.xlsx"), &ReadOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "encrypted.xlsx: the workbook is encrypted (password protected); save a copy without a password and import that"
    );
}

/// The DfE files, or `None` (with a note) where they are absent; under CI their absence fails.
fn dfe_data() -> Option<PathBuf> {
    let dir = std::env::var_os("INCLUSION_DFE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/dfe-data"));
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "DfE data not found at {} (set INCLUSION_DFE_DATA)",
        dir.display()
    );
    println!("SKIPPED: DfE data not found at {} (set INCLUSION_DFE_DATA)", dir.display());
    None
}

fn table(dir: &Path, file: &str, sheet: Option<&str>) -> Table {
    read_table(&dir.join(file), sheet).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn every_dfe_workbook_opens_and_every_sheet_has_a_header_row() {
    let Some(dir) = dfe_data() else { return };
    let mut workbooks = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !matches!(ext, "xlsx" | "ods") {
            continue;
        }
        workbooks += 1;
        for sheet in list_sheets(&path, u64::MAX).unwrap() {
            let table = read_table(&path, Some(&sheet.name)).unwrap();
            assert!(table.headers.iter().any(|h| !h.is_empty()), "{} [{}]: no header", table.file, sheet.name);
            assert!(!table.rows.is_empty(), "{} [{}]: no rows", table.file, sheet.name);
        }
    }
    assert_eq!(workbooks, 5, "the xlsx and ods files listed in SOURCES.md");
}

#[test]
fn the_statistical_neighbours_header_is_found_under_two_junk_rows() {
    let Some(dir) = dfe_data() else { return };
    let sn = table(&dir, "lookups__statistical_neighbours_2025.xlsx", None);
    assert_eq!((sn.sheet.as_str(), sn.header_row), ("LA SN Groups", 3));
    assert_eq!(sn.headers[..6], ["LA num", "LA Name", "LA number", "GOInd", "GOReg", "SN1"]);
    assert_eq!(sn.headers.iter().filter(|h| *h == "SNP").count(), 10);
    let kent = sn.rows.iter().find(|(_, cells)| cells[0] == "886").unwrap();
    assert_eq!(kent.1[1], "Kent");
}

#[test]
fn the_dsg_workbooks_headers_are_found_below_their_titles() {
    let Some(dir) = dfe_data() else { return };
    let xlsx = table(&dir, "finance__DSG_by_year_dr.xlsx", None);
    assert_eq!(xlsx.header_row, 1);
    assert_eq!(xlsx.headers, ["la_code", "la_name", "Total DSG allocation (£s)", "time_period"]);

    let ods = "finance__dedicated-schools-grant_2024_07_20.ods";
    let summary = table(&dir, ods, Some("Allocations_summary"));
    assert_eq!(summary.header_row, 2, "the title row above the header is skipped");
    assert_eq!(summary.headers[2..4], ["Schools block (£s)", "Central school services block (£s)"]);
    assert!(summary.rows.iter().any(|(_, cells)| cells[..2] == ["886", "Kent"]));
    let deductions = table(&dir, ods, Some("High_needs_deductions"));
    assert_eq!(deductions.header_row, 3, "two rows of group titles sit above the header");
    assert_eq!(deductions.rows[0].1[0], "ENGLAND");
}

#[test]
fn the_la_region_lookup_reads_the_same_from_xlsx_and_ods() {
    let Some(dir) = dfe_data() else { return };
    let xlsx = table(&dir, "lookups__la_region_lookup_raw.xlsx", None);
    let ods = table(&dir, "lookups__la_region_lookup_raw.ods", None);
    assert_eq!((xlsx.header_row, ods.header_row), (3, 3), "the title and blank rows above are skipped");
    assert_eq!(xlsx.headers, ["", "", "2021/22"]);
    assert_eq!(xlsx.headers, ods.headers);
    // The region is merged down the rows of its authorities; each row carries it.
    let kent = xlsx.rows.iter().find(|(_, cells)| cells[1] == "Kent").unwrap();
    assert_eq!(kent.1, ["South East", "Kent", "265,806"]);
    // The two files differ by one row: the xlsx still lists Northamptonshire (abolished in 2021)
    // with "NA"; the ods does not. Every other row is identical, cell for cell.
    let extra = ["East Midlands", "Northamptonshire", "NA"];
    let xlsx_rows: Vec<&Vec<String>> = xlsx.rows.iter().map(|(_, cells)| cells).filter(|c| **c != extra).collect();
    let ods_rows: Vec<&Vec<String>> = ods.rows.iter().map(|(_, cells)| cells).collect();
    assert_eq!(xlsx.rows.len(), ods.rows.len() + 1);
    assert_eq!(xlsx_rows, ods_rows);
}

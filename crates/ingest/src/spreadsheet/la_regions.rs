//! DfE's LA–region lookup as the EES table tool writes it (xlsx or ods): a title row, a row with
//! the period, then region names in the first column (each written once, on its first LA's row,
//! or merged down) beside LA names in the second; footnotes at the end. It names no codes: LAs are
//! matched by name, regions by the nine English region names to their GSS codes.

use std::path::Path;

use super::cells::{self, column_letter};
use super::open::Workbook;
use crate::Error;

/// The English regions (ONS GSS codes, as DfE's statistics give them in `region_code`).
pub const REGIONS: [(&str, &str); 9] = [
    ("E12000001", "North East"),
    ("E12000002", "North West"),
    ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"),
    ("E12000005", "West Midlands"),
    ("E12000006", "East of England"),
    ("E12000007", "London"),
    ("E12000008", "South East"),
    ("E12000009", "South West"),
];

/// An LA (by name) and its region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaRegion {
    pub la_name: String,
    pub region_code: &'static str,
    pub region_name: &'static str,
    /// The row as Excel numbers it, for reports.
    pub row: u64,
}

/// `Yorkshire and the Humber`, `yorkshire & the humber`, `Inner London` → the region.
pub fn region_by_name(name: &str) -> Option<(&'static str, &'static str)> {
    let key = |s: &str| s.to_lowercase().replace('&', "and").split_whitespace().collect::<Vec<_>>().join(" ");
    let wanted = key(name);
    let wanted = wanted.strip_prefix("inner ").or_else(|| wanted.strip_prefix("outer ")).unwrap_or(&wanted).to_owned();
    REGIONS.iter().find(|(_, n)| key(n) == wanted).copied()
}

/// Reads every LA row under a region. A sheet with no LA under a known region is refused.
pub fn read_la_regions(path: &Path, max_bytes: u64) -> Result<Vec<LaRegion>, Error> {
    let (file, sheet, grid) = Workbook::first_visible(path, max_bytes)?;
    let Some(((top, first), (bottom, last))) = grid.bounds() else { return Err(Error::NoSheet { file }) };
    if last == first {
        return Err(Error::Lookup {
            file,
            sheet,
            row: grid.row_number(top),
            column: column_letter(first + 1),
            message: "expected region names in one column and LA names in the next".into(),
        });
    }
    let text = |row: u32, col: u32| cells::value(grid.data(row, col, top)).display().trim().to_owned();
    let mut region = None;
    let mut out = Vec::new();
    for row in top..=bottom {
        let (a, b) = (text(row, first), text(row, first + 1));
        if !a.is_empty() {
            // A title, a footnote or a region; only a region starts a block.
            region = region_by_name(&a);
        }
        if let (Some((code, name)), false) = (region, b.is_empty()) {
            // `NA` beside an LA: one that did not exist in the table's year (Northamptonshire in
            // 2021/22, split in two); the ods DfE published leaves such rows out.
            let figure = if last > first + 1 { text(row, first + 2) } else { String::new() };
            if b.chars().count() > 200 || figure.eq_ignore_ascii_case("na") {
                continue;
            }
            out.push(LaRegion { la_name: b, region_code: code, region_name: name, row: grid.row_number(row) });
        }
    }
    if out.is_empty() {
        return Err(Error::SheetNoRows { file, sheet });
    }
    Ok(out)
}

//! DfE's children's services statistical neighbours workbook (sheet `LA SN Groups`): each LA's
//! ten closest LAs by old three-digit code, with a closeness label. The header row (`LA num`,
//! `LA Name`, …, `SN1`, `SNP`, … `SN10`, `SNP`) sits under rows of column letters and numbers;
//! a neighbour's closeness is the `SNP` column after its `SNn`.

use std::path::Path;

use super::cells::{self, column_letter};
use super::open::Workbook;
use crate::Error;

/// One LA's neighbour at one rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    pub la_code: String,
    pub la_name: String,
    /// 1 (closest) to 10.
    pub rank: u8,
    pub neighbour_code: String,
    /// DfE's label (`Extremely close`, `Very close`, …) with its capitalisation evened out.
    pub closeness: Option<String>,
}

/// More LAs than England has means this is not the workbook.
const MAX_LAS: usize = 200;

fn la_code(text: &str) -> Option<String> {
    let t = text.trim();
    (t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.to_owned())
}

/// `very Close` → `Very close`: the labels' capitalisation varies between model years.
fn closeness(text: &str) -> Option<String> {
    let t = text.trim().to_lowercase();
    let mut chars = t.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// Reads every LA's neighbours; an LA row with a neighbour that is not an LA code, or with fewer
/// than ten, refuses the file naming the cell.
pub fn read_statistical_neighbours(path: &Path, max_bytes: u64) -> Result<Vec<Neighbour>, Error> {
    let mut workbook = Workbook::open(path, max_bytes)?;
    let file = workbook.file.clone();
    let sheets = workbook.sheets();
    let sheet = sheets
        .iter()
        .find(|s| s.name.trim().eq_ignore_ascii_case("LA SN Groups"))
        .or_else(|| sheets.iter().find(|s| s.visible))
        .map(|s| s.name.clone())
        .ok_or_else(|| Error::NoSheet { file: file.clone() })?;
    let grid = workbook.load(&sheet)?;
    let Some(((top, first), (bottom, last))) = grid.bounds() else { return Err(Error::NoSheet { file }) };
    let text = |row: u32, col: u32| cells::value(grid.raw(row, col)).display();
    let err = |row: u32, col: u32, message: String| Error::Lookup {
        file: file.clone(),
        sheet: sheet.clone(),
        row: grid.row_number(row),
        column: column_letter(col),
        message,
    };
    let header = (top..=bottom.min(top + 20))
        .find(|&r| (first..=last).any(|c| text(r, c).trim().eq_ignore_ascii_case("LA num")))
        .ok_or_else(|| err(top, first, "no header row with `LA num` in the first 20 rows".into()))?;
    let find = |name: &str| (first..=last).find(|&c| text(header, c).trim().eq_ignore_ascii_case(name));
    let code_col = find("LA num").expect("the header row has it");
    let name_col = find("LA Name").ok_or_else(|| err(header, first, "no `LA Name` column".into()))?;
    let mut rank_cols = Vec::new();
    for rank in 1..=10u8 {
        let col = find(&format!("SN{rank}")).ok_or_else(|| err(header, first, format!("no `SN{rank}` column")))?;
        rank_cols.push((rank, col));
    }
    let mut out = Vec::new();
    let mut las = 0;
    for row in header + 1..=bottom {
        let code_text = text(row, code_col);
        if code_text.trim().is_empty() {
            continue;
        }
        let Some(la) = la_code(&code_text) else {
            return Err(err(row, code_col, format!("{:?} is not a three-digit LA number", code_text.trim())));
        };
        las += 1;
        if las > MAX_LAS {
            return Err(err(row, code_col, format!("more than {MAX_LAS} LAs: not DfE's neighbours workbook")));
        }
        for &(rank, col) in &rank_cols {
            let cell = text(row, col);
            let Some(neighbour) = la_code(&cell) else {
                return Err(err(
                    row,
                    col,
                    format!("neighbour SN{rank} of LA {la} is {:?}, not a three-digit LA number", cell.trim()),
                ));
            };
            let label = if col < last { closeness(&text(row, col + 1)) } else { None };
            out.push(Neighbour {
                la_code: la.clone(),
                la_name: text(row, name_col).trim().to_owned(),
                rank,
                neighbour_code: neighbour,
                closeness: label,
            });
        }
    }
    if out.is_empty() {
        return Err(Error::SheetNoRows { file, sheet });
    }
    Ok(out)
}

//! One sheet's cells by absolute position, with merged blocks and CSV line numbers taken care of,
//! so the parsers ask "what is in C7" and never think about file formats.

use std::collections::HashMap;

use calamine::{Data, Dimensions, Range};

/// A sheet loaded in memory. Positions are 0-based (row, column) as Excel lays them out.
pub(crate) struct Grid {
    range: Range<Data>,
    /// Every cell inside a merged block, except its top-left, points to that top-left cell.
    merged: HashMap<(u32, u32), (u32, u32)>,
    /// CSV only: the line each record starts on (a quoted field may span lines).
    lines: Option<Vec<u64>>,
    /// A CSV file: reports name columns by header and rows by line, with no sheet.
    pub(crate) csv: bool,
}

static EMPTY: Data = Data::Empty;

impl Grid {
    pub(crate) fn new(range: Range<Data>, merged_blocks: &[Dimensions]) -> Self {
        let mut merged = HashMap::new();
        // A merge over a whole sheet would be billions of entries: past this, blocks are read as
        // unmerged (values stay in their top-left cell).
        const MAX_MERGED_CELLS: u64 = 1_000_000;
        let mut budget = MAX_MERGED_CELLS;
        for block in merged_blocks {
            let (top, left) = block.start;
            let (bottom, right) = block.end;
            let area = u64::from(bottom.saturating_sub(top) + 1) * u64::from(right.saturating_sub(left) + 1);
            if area > budget {
                continue;
            }
            budget -= area;
            for row in top..=bottom {
                for col in left..=right {
                    if (row, col) != (top, left) {
                        merged.insert((row, col), (top, left));
                    }
                }
            }
        }
        Self { range, merged, lines: None, csv: false }
    }

    /// Records as the csv crate reads them, each with the line it starts on.
    pub(crate) fn from_records(records: Vec<(u64, Vec<String>)>) -> Self {
        let height = records.len() as u32;
        let width = records.iter().map(|(_, r)| r.len()).max().unwrap_or(0) as u32;
        let mut range =
            if height == 0 || width == 0 { Range::empty() } else { Range::new((0, 0), (height - 1, width - 1)) };
        let mut lines = Vec::with_capacity(records.len());
        for (row, (line, fields)) in records.into_iter().enumerate() {
            lines.push(line);
            for (col, field) in fields.into_iter().enumerate() {
                if !field.is_empty() {
                    range.set_value((row as u32, col as u32), Data::String(field));
                }
            }
        }
        Self { range, merged: HashMap::new(), lines: Some(lines), csv: true }
    }

    /// First and last row and column that hold anything; `None` for an empty sheet.
    pub(crate) fn bounds(&self) -> Option<((u32, u32), (u32, u32))> {
        Some((self.range.start()?, self.range.end()?))
    }

    /// The cell as stored, ignoring merged blocks.
    pub(crate) fn raw(&self, row: u32, col: u32) -> &Data {
        self.range.get_value((row, col)).unwrap_or(&EMPTY)
    }

    /// The cell as a reader of the data sees it: an empty cell inside a merged block shows the block's
    /// value (a district merged over five rows applies to all five), as long as the block starts below
    /// the header, so a title merged across the top never leaks into the data.
    pub(crate) fn data(&self, row: u32, col: u32, header_row: u32) -> &Data {
        let data = self.raw(row, col);
        if !matches!(data, Data::Empty) || self.merged.is_empty() {
            return data;
        }
        match self.merged.get(&(row, col)) {
            Some(&(top, left)) if top > header_row => self.raw(top, left),
            _ => data,
        }
    }

    pub(crate) fn row_is_blank(&self, row: u32) -> bool {
        let Some(((_, first), (_, last))) = self.bounds() else { return true };
        (first..=last).all(|col| super::cells::value(self.raw(row, col)) == super::cells::Value::Empty)
    }

    /// The row number a person would look for: Excel's 1-based row, or the CSV line.
    pub(crate) fn row_number(&self, row: u32) -> u64 {
        match &self.lines {
            Some(lines) => lines.get(row as usize).copied().unwrap_or(row as u64 + 1),
            None => row as u64 + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merged_block_below_the_header_fills_its_rows() {
        let mut range = Range::new((0, 0), (4, 1));
        range.set_value((0, 0), Data::String("District".into()));
        range.set_value((1, 0), Data::String("Ashford".into()));
        let grid = Grid::new(range, &[Dimensions::new((1, 0), (3, 0))]);
        assert_eq!(grid.data(3, 0, 0), &Data::String("Ashford".into()));
        assert_eq!(grid.data(4, 0, 0), &Data::Empty);
        assert_eq!(grid.raw(3, 0), &Data::Empty);
    }

    #[test]
    fn a_title_merged_above_the_header_stays_put() {
        let mut range = Range::new((0, 0), (2, 2));
        range.set_value((0, 0), Data::String("SRP register 2024".into()));
        let grid = Grid::new(range, &[Dimensions::new((0, 0), (2, 2))]);
        assert_eq!(grid.data(2, 1, 1), &Data::Empty);
    }
}

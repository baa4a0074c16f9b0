//! The registers local authority officers keep in spreadsheets (xlsx, xlsm, xls, ods, csv), read as
//! carefully as a good analyst would: titles above the header skipped, headers matched by meaning,
//! dates and numbers however they were typed, and every problem reported against its cell.
//!
//! Pure: a path in, typed records and `ImportIssue`s out; no database. Templates: `docs/templates.md`.

mod cells;
mod clusters;
mod designations;
mod grid;
mod header;
mod la_regions;
mod need;
mod neighbours;
mod ods;
mod open;
mod parse;
mod population;
mod row;
mod srp;
mod templates;
mod training;
mod words;
mod xlsx_merges;
mod zipfile;

use std::path::Path;
use std::str::FromStr;

pub use cells::column_letter;
pub use la_regions::{LaRegion, REGIONS, read_la_regions, region_by_name};
pub use neighbours::{Neighbour, read_statistical_neighbours};
pub use open::SheetInfo;
pub use population::{OLDEST, PopulationRow, read_population};
pub use templates::{TemplateFile, read_template, templates_for};

use crate::{Error, ImportIssue};

/// The four registers this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Srp,
    Designations,
    Clusters,
    Training,
}

impl Kind {
    /// The name on the command line (`--kind srp`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Srp => "srp",
            Kind::Designations => "designations",
            Kind::Clusters => "clusters",
            Kind::Training => "training",
        }
    }

    /// What the register is called in messages ("SRP register").
    pub fn label(self) -> &'static str {
        self.template().name
    }

    pub(crate) fn template(self) -> &'static header::Template {
        match self {
            Kind::Srp => &srp::TEMPLATE,
            Kind::Designations => &designations::TEMPLATE,
            Kind::Clusters => &clusters::TEMPLATE,
            Kind::Training => &training::TEMPLATE,
        }
    }
}

impl FromStr for Kind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_lowercase().as_str() {
            "srp" => Ok(Kind::Srp),
            "designations" => Ok(Kind::Designations),
            "clusters" => Ok(Kind::Clusters),
            "training" => Ok(Kind::Training),
            _ => Err(Error::UnknownKind { kind: s.to_owned() }),
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The sheet to read (`--sheet`); by default the visible sheet whose header fits the kind best.
    pub sheet: Option<String>,
    /// Files larger than this are refused before they are opened.
    pub max_bytes: u64,
    /// Cluster sizes outside this inclusive range are warned about.
    pub cluster_size: (u32, u32),
    /// Operators' overrides from template files: (header as the workbook writes it, field label).
    pub columns: Vec<(String, String)>,
    /// The kind being read, for the template lines messages suggest.
    pub kind: Option<Kind>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self { sheet: None, max_bytes: 50 * 1024 * 1024, cluster_size: (7, 14), columns: Vec::new(), kind: None }
    }
}

/// A register read: the accepted records with their row numbers, and every problem found.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    /// The file's name as reports show it.
    pub file: String,
    /// The sheet read; empty for a CSV file.
    pub sheet: String,
    /// Accepted rows: (row as Excel numbers it, or the CSV line; record).
    pub records: Vec<(u32, T)>,
    /// Errors (rows rejected) and warnings (rows kept), in row order after the header's own.
    pub issues: Vec<ImportIssue>,
    /// Non-blank rows below the header.
    pub rows_read: u64,
    pub rows_rejected: u64,
}

pub fn read_srp_register(path: &Path, opts: &ReadOptions) -> Result<Parsed<domain::SrpRegisterEntry>, Error> {
    let opts = &ReadOptions { kind: Some(Kind::Srp), ..opts.clone() };
    let mut rows = srp::SrpRows::new();
    parse::parse_sheet(path, opts, &srp::TEMPLATE, |row| rows.parse(row))
}

pub fn read_designations(path: &Path, opts: &ReadOptions) -> Result<Parsed<domain::DesignationEntry>, Error> {
    let opts = &ReadOptions { kind: Some(Kind::Designations), ..opts.clone() };
    let mut rows = designations::DesignationRows::new();
    parse::parse_sheet(path, opts, &designations::TEMPLATE, |row| rows.parse(row))
}

pub fn read_clusters(path: &Path, opts: &ReadOptions) -> Result<Parsed<domain::ClusterMembership>, Error> {
    let opts = &ReadOptions { kind: Some(Kind::Clusters), ..opts.clone() };
    let mut rows = clusters::ClusterRows::new();
    let mut parsed = parse::parse_sheet(path, opts, &clusters::TEMPLATE, |row| rows.parse(row))?;
    let sheet = (!parsed.sheet.is_empty()).then_some(parsed.sheet.as_str());
    let warnings = rows.size_warnings(&parsed.file, sheet, opts.cluster_size);
    parsed.issues.extend(warnings);
    Ok(parsed)
}

pub fn read_training(path: &Path, opts: &ReadOptions) -> Result<Parsed<domain::TrainingEntry>, Error> {
    let opts = &ReadOptions { kind: Some(Kind::Training), ..opts.clone() };
    let mut rows = training::TrainingRows::new();
    parse::parse_sheet(path, opts, &training::TEMPLATE, |row| rows.parse(row))
}

/// Any sheet as text: the header row found, then each non-blank row below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub file: String,
    /// Empty for a CSV file.
    pub sheet: String,
    /// The header's row as Excel numbers it.
    pub header_row: u32,
    /// The first column of the table (0 = `A`); `headers` and each row start there.
    pub first_column: u32,
    pub headers: Vec<String>,
    /// (row as Excel numbers it, cells as text); dates as `yyyy-mm-dd`, whole numbers without `.0`;
    /// a merged block's value on every row it covers.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// The worksheets of a file in workbook order (one unnamed sheet for a CSV file).
pub fn list_sheets(path: &Path, max_bytes: u64) -> Result<Vec<SheetInfo>, Error> {
    Ok(open::Workbook::open(path, max_bytes)?.sheets())
}

/// Reads a sheet nobody described: the one named, else the first visible sheet with data; its header
/// row is guessed (see `header::guess_header_row`).
pub fn read_table(path: &Path, sheet: Option<&str>) -> Result<Table, Error> {
    let mut workbook = open::Workbook::open(path, u64::MAX)?;
    let file = workbook.file.clone();
    let sheets = workbook.sheets();
    let candidates = match sheet {
        Some(wanted) if !workbook.is_csv() => vec![parse::find_sheet(&file, &sheets, wanted)?],
        _ => sheets.iter().filter(|s| s.visible).map(|s| s.name.clone()).collect(),
    };
    for name in candidates {
        let grid = workbook.load(&name)?;
        let (Some(((_, first), (bottom, last))), Some(header_row)) = (grid.bounds(), header::guess_header_row(&grid))
        else {
            continue;
        };
        // Data rows see merged blocks filled (a region's name on each of its rows); the header does not.
        let text_row = |row: u32| -> Vec<String> {
            (first..=last).map(|col| cells::value(grid.data(row, col, header_row)).display()).collect()
        };
        let rows = (header_row + 1..=bottom)
            .filter(|&row| !grid.row_is_blank(row))
            .map(|row| (grid.row_number(row) as u32, text_row(row)))
            .collect();
        let headers = (first..=last).map(|col| cells::value(grid.raw(header_row, col)).display()).collect();
        return Ok(Table {
            file,
            sheet: name,
            header_row: grid.row_number(header_row) as u32,
            first_column: first,
            headers,
            rows,
        });
    }
    Err(Error::NoSheet { file })
}

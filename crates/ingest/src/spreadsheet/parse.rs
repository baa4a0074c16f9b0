//! The walk every kind shares: open the file, pick the sheet, find the header, report the columns,
//! then hand each non-blank data row to the kind's own parser.

use std::path::Path;

use super::grid::Grid;
use super::header::{self, HeaderMatch, Need, Template};
use super::open::Workbook;
use super::row::{Row, SheetView};
use super::{Parsed, ReadOptions};
use crate::{Error, Severity};

/// The chosen sheet with its header.
pub(crate) struct Chosen {
    pub(crate) workbook: Workbook,
    pub(crate) sheet: String,
    pub(crate) grid: Grid,
    pub(crate) header: HeaderMatch,
}

/// Opens the file and picks the sheet: the one named, else the visible sheet whose header names most of
/// the template's fields (the first of equals). Hidden sheets are read only when named.
pub(crate) fn choose_sheet(path: &Path, opts: &ReadOptions, template: &Template) -> Result<Chosen, Error> {
    let mut workbook = Workbook::open(path, opts.max_bytes)?;
    let file = workbook.file.clone();
    let sheets = workbook.sheets();
    let names: Vec<String> = match (&opts.sheet, workbook.is_csv()) {
        (Some(wanted), false) => vec![find_sheet(&file, &sheets, wanted)?],
        _ => sheets.iter().filter(|s| s.visible).map(|s| s.name.clone()).collect(),
    };
    let overrides = overrides(template, opts)?;
    let mut best: Option<(String, Grid, HeaderMatch)> = None;
    let mut first_with_data = None;
    for name in names {
        let grid = workbook.load(&name)?;
        if grid.bounds().is_some() && first_with_data.is_none() {
            first_with_data = Some(name.clone());
        }
        let Some(found) = header::find_header(&grid, template, &overrides) else { continue };
        let better = best.as_ref().is_none_or(|(_, _, b)| rank(template, &found) > rank(template, b));
        if better {
            best = Some((name, grid, found));
        }
    }
    // No sheet names any of the template's columns: report the first sheet with data against it.
    let Some((sheet, grid, header)) = best else {
        let nothing = vec![None; template.fields.len()];
        return match first_with_data {
            Some(sheet) => Err(missing_columns(&workbook, &sheet, template, &nothing, &[], opts.kind)),
            None => Err(Error::NoSheet { file }),
        };
    };
    if let Some((col, text, a, b)) = header.ambiguous.first() {
        let place = if workbook.is_csv() { file } else { format!("{file} [{sheet}]") };
        return Err(Error::AmbiguousColumn {
            place,
            column: super::column_letter(*col),
            header: text.clone(),
            fields: Box::new([
                template.fields[*a].label.to_owned(),
                template.fields[*b].label.to_owned(),
                opts.kind.map_or("…", super::Kind::as_str).to_owned(),
            ]),
        });
    }
    if !template.missing(&header.columns).is_empty() {
        return Err(missing_columns(&workbook, &sheet, template, &header.columns, &header.unknown, opts.kind));
    }
    Ok(Chosen { workbook, sheet, grid, header })
}

/// The operator's overrides (`ReadOptions::columns`) as template fields.
fn overrides(template: &Template, opts: &ReadOptions) -> Result<Vec<(String, usize)>, Error> {
    opts.columns
        .iter()
        .map(|(header, label)| {
            let field = template.field_of(label).ok_or_else(|| Error::Template {
                file: "template".into(),
                message: format!(
                    "{label:?} is not a field of the {} template (fields: {})",
                    template.name,
                    labels(template)
                ),
            })?;
            Ok((header::normalise(header), field))
        })
        .collect()
}

pub(crate) fn labels(template: &Template) -> String {
    template.fields.iter().map(|f| f.label).collect::<Vec<_>>().join(", ")
}

/// A sheet that has every required column beats one that lacks some; then the most columns wins.
fn rank(template: &Template, found: &HeaderMatch) -> (bool, usize) {
    (template.missing(&found.columns).is_empty(), found.matched())
}

fn missing_columns(
    workbook: &Workbook,
    sheet: &str,
    template: &Template,
    found: &[Option<u32>],
    unknown: &[(u32, String)],
    kind: Option<super::Kind>,
) -> Error {
    let file = workbook.file.clone();
    let columns = template.missing(found);
    let hint = override_hint(template, found, unknown, kind);
    if workbook.is_csv() {
        Error::RegisterMissingColumns { file, kind: template.name, columns, hint }
    } else {
        Error::SheetMissingColumns { file, sheet: sheet.to_owned(), kind: template.name, columns, hint }
    }
}

/// For a sheet lacking a required column: the headers that matched nothing, the field each is
/// closest to, and the override line that reads one of them as a missing field. Empty when every
/// header matched (the column is simply not there).
fn override_hint(
    template: &Template,
    found: &[Option<u32>],
    unknown: &[(u32, String)],
    kind: Option<super::Kind>,
) -> String {
    if unknown.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = unknown
        .iter()
        .take(12)
        .map(|(col, text)| {
            let closest = template.by_meaning(text).first().map_or("none", |(f, _)| template.fields[*f].label);
            format!("{} {text:?} (closest field: {closest})", super::column_letter(*col))
        })
        .collect();
    // For each missing field, the unmatched header closest to it (the leftmost when none is close).
    let missing: Vec<usize> = (0..template.fields.len())
        .filter(|&i| found[i].is_none() && !matches!(template.fields[i].need, Need::Optional | Need::Quiet))
        .collect();
    let mut lines = Vec::new();
    let mut groups_done = Vec::new();
    for field in missing {
        if let Need::OneOf(group) = template.fields[field].need {
            let held =
                (0..template.fields.len()).any(|j| template.fields[j].need == Need::OneOf(group) && found[j].is_some());
            if held || groups_done.contains(&group) {
                continue;
            }
            groups_done.push(group);
        }
        let score = |text: &str| template.by_meaning(text).iter().find(|(f, _)| *f == field).map_or(0.0, |(_, s)| *s);
        let best = unknown.iter().max_by(|a, b| score(&a.1).total_cmp(&score(&b.1)).then(b.0.cmp(&a.0)));
        if let Some((_, text)) = best.filter(|(_, t)| score(t) > 0.0) {
            lines.push(format!("  {text:?} = {:?}", template.fields[field].label));
        } else {
            lines.push(format!("  \"<the header of that column>\" = {:?}", template.fields[field].label));
        }
    }
    let kind = kind.map_or("…", super::Kind::as_str);
    format!(
        ". Headers that matched no field: {}. To read a column as a field, add the line to a template file (--template FILE or INCLUSION_TEMPLATES_DIR):\n  kind = \"{kind}\"\n  [columns]\n{}",
        listed.join(", "),
        lines.join("\n")
    )
}

/// The sheet named by `--sheet`: exactly, else ignoring case and surrounding spaces.
pub(crate) fn find_sheet(file: &str, sheets: &[super::open::SheetInfo], wanted: &str) -> Result<String, Error> {
    sheets
        .iter()
        .find(|s| s.name == wanted)
        .or_else(|| sheets.iter().find(|s| s.name.trim().eq_ignore_ascii_case(wanted.trim())))
        .map(|s| s.name.clone())
        .ok_or_else(|| Error::SheetNotFound {
            file: file.to_owned(),
            sheet: wanted.to_owned(),
            available: sheets.iter().map(|s| s.name.clone()).collect(),
        })
}

/// Reads every data row of the chosen sheet through `parse_row`; the kind adds whole-file checks after.
pub(crate) fn parse_sheet<T>(
    path: &Path,
    opts: &ReadOptions,
    template: &Template,
    mut parse_row: impl FnMut(&mut Row) -> Option<T>,
) -> Result<Parsed<T>, Error> {
    let chosen = choose_sheet(path, opts, template)?;
    let csv = chosen.workbook.is_csv();
    let file = chosen.workbook.file.clone();
    let view = SheetView {
        file: &file,
        sheet: (!csv).then_some(chosen.sheet.as_str()),
        grid: &chosen.grid,
        header: &chosen.header,
        template,
    };
    let mut parsed = Parsed {
        file: file.clone(),
        sheet: chosen.sheet.clone(),
        records: Vec::new(),
        issues: header_issues(&view),
        rows_read: 0,
        rows_rejected: 0,
    };
    let bottom = chosen.grid.bounds().map_or(chosen.header.row, |(_, (bottom, _))| bottom);
    let footer = footer_start(&chosen.grid, chosen.header.row, bottom);
    if let Some((start, label)) = &footer {
        let (first, last) = (chosen.grid.row_number(*start), chosen.grid.row_number(bottom));
        let rows = if first == last { format!("row {first}") } else { format!("rows {first}-{last}") };
        let message = format!("{rows}: a footer ({label:?}) after the data; skipped");
        parsed.issues.push(view.issue(Some(first), None, Severity::Warning, "footer_skipped", message));
    }
    let bottom = footer.map_or(bottom, |(start, _)| start.saturating_sub(1));
    parsed.records.reserve(bottom.saturating_sub(chosen.header.row) as usize);
    for index in chosen.header.row + 1..=bottom {
        if chosen.grid.row_is_blank(index) {
            continue;
        }
        parsed.rows_read += 1;
        let mut row = Row::new(&view, index);
        let record = parse_row(&mut row);
        if row.rejected {
            parsed.rows_rejected += 1;
        }
        parsed.issues.append(&mut row.issues);
        if let (false, Some(record)) = (row.rejected, record) {
            parsed.records.push((row.number as u32, record));
        }
    }
    // An empty register would close every SRP or membership it covers: refuse it instead.
    if parsed.rows_read == 0 {
        return Err(if csv { Error::NoRows { file } } else { Error::SheetNoRows { file, sheet: chosen.sheet } });
    }
    Ok(parsed)
}

/// Words a totals row starts with (its first non-blank cell), as registers write them.
const FOOTER_WORDS: [&str; 7] = ["total", "totals", "grand total", "sub-total", "subtotal", "sum", "overall total"];

/// Where a footer block starts: the first row after at least one data row whose first non-blank
/// cell reads like a total ("Total", "Totals", "Grand total: 74", …); it and every row after it
/// are the footer (totals, then notes). Data rows never start with such a word: their first cell
/// is a URN, a name or a date.
fn footer_start(grid: &Grid, header_row: u32, bottom: u32) -> Option<(u32, String)> {
    let (_, (_, right)) = grid.bounds()?;
    let first_text = |row: u32| -> Option<String> {
        (0..=right).map(|c| grid.raw(row, c)).find(|d| !matches!(d, calamine::Data::Empty)).map(|d| d.to_string())
    };
    let mut seen_data = false;
    for row in header_row + 1..=bottom {
        if grid.row_is_blank(row) {
            continue;
        }
        let Some(text) = first_text(row) else { continue };
        let lower = text.trim().to_lowercase();
        let word = lower.trim_end_matches(|c: char| c == ':' || c.is_ascii_digit() || c.is_whitespace());
        let is_total = FOOTER_WORDS
            .iter()
            .any(|w| word == *w || lower.strip_prefix(w).is_some_and(|rest| rest.starts_with([' ', ':', '('])));
        if is_total && seen_data {
            return Some((row, text.trim().to_owned()));
        }
        seen_data = true;
    }
    None
}

/// Columns the template does not know, columns named twice and optional columns not there: a renamed
/// column must never vanish silently.
fn header_issues(view: &SheetView) -> Vec<crate::ImportIssue> {
    let header = view.header;
    let row = Some(view.grid.row_number(header.row));
    let mut issues = Vec::new();
    for (col, text) in &header.unknown {
        let message = format!("column {text:?} is not in the {} template; ignored", view.template.name);
        issues.push(view.issue(row, Some(*col), Severity::Warning, "unknown_column", message));
    }
    for (col, text, field) in &header.repeated {
        let first = header.columns[*field].map(|c| view.column_name(c)).unwrap_or_default();
        let label = view.template.fields[*field].label;
        let message = format!("column {text:?} is a second {label} column (the first is {first}); ignored");
        issues.push(view.issue(row, Some(*col), Severity::Warning, "repeated_column", message));
    }
    for (col, text, field) in &header.by_meaning {
        let label = view.template.fields[*field].label;
        let message = format!(
            "column {text:?} read as {label} (the closest in meaning); if it is something else, say so in a template file"
        );
        issues.push(view.issue(row, Some(*col), Severity::Warning, "column_by_meaning", message));
    }
    for (field, col) in view.template.fields.iter().zip(&header.columns) {
        if col.is_none() && field.need == Need::Optional {
            let message = format!("optional column {:?} is missing", field.label);
            issues.push(view.issue(None, None, Severity::Warning, "missing_column", message));
        }
    }
    issues
}

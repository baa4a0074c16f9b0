//! Finds the header row of a sheet and maps its cells to a template's fields. Officers put titles and
//! notes above their tables and name columns their own way, so headers match ignoring case, spaces and
//! punctuation, through a list of synonyms per field.

use super::cells::{self, Value};
use super::grid::Grid;

/// How many rows from the top of a sheet may hold the header (titles and notes sit above it).
pub(crate) const HEADER_SCAN_ROWS: u32 = 30;

/// Whether a template needs a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// The sheet is refused without it.
    Required,
    /// One column of the group is required (URN or LAESTAB).
    OneOf(u8),
    /// Used when present; a missing one is reported as a warning.
    Optional,
    /// Used when present; not worth a warning when missing (a school's name beside its URN).
    Quiet,
}

/// One column of a template: its label in reports and docs, and the header spellings it accepts.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) label: &'static str,
    pub(crate) synonyms: &'static [&'static str],
    pub(crate) need: Need,
}

/// The columns of one kind of register.
#[derive(Debug)]
pub(crate) struct Template {
    /// "SRP register", for messages.
    pub(crate) name: &'static str,
    pub(crate) fields: &'static [Field],
}

/// Lower case letters and digits only: `"Commissioned places (2024/25)"` → `commissionedplaces202425`.
pub(crate) fn normalise(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl Template {
    /// The field a header cell names. A bracketed note (`Places (2024/25)`) is tried with and without.
    pub(crate) fn field_of(&self, header: &str) -> Option<usize> {
        let full = normalise(header);
        let bare = normalise(&strip_brackets(header));
        self.fields.iter().position(|f| {
            f.synonyms.iter().chain(std::iter::once(&f.label)).any(|s| {
                let s = normalise(s);
                s == full || (!bare.is_empty() && s == bare)
            })
        })
    }

    /// Labels of required fields (or groups) the matched columns lack.
    pub(crate) fn missing(&self, columns: &[Option<u32>]) -> Vec<String> {
        let mut missing = Vec::new();
        let mut groups_seen = Vec::new();
        for (i, field) in self.fields.iter().enumerate() {
            match field.need {
                Need::Required if columns[i].is_none() => missing.push(field.label.to_owned()),
                Need::OneOf(group) if !groups_seen.contains(&group) => {
                    groups_seen.push(group);
                    let members: Vec<usize> =
                        (0..self.fields.len()).filter(|&j| self.fields[j].need == Need::OneOf(group)).collect();
                    if members.iter().all(|&j| columns[j].is_none()) {
                        let labels: Vec<&str> = members.iter().map(|&j| self.fields[j].label).collect();
                        missing.push(labels.join(" or "));
                    }
                }
                _ => {}
            }
        }
        missing
    }
}

fn strip_brackets(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A header row matched against a template.
#[derive(Debug, Clone)]
pub(crate) struct HeaderMatch {
    /// 0-based row of the header.
    pub(crate) row: u32,
    /// For each template field, the column that holds it.
    pub(crate) columns: Vec<Option<u32>>,
    /// Header cells that name no field: (column, text).
    pub(crate) unknown: Vec<(u32, String)>,
    /// Header cells naming a field another column already holds: (column, text, field).
    pub(crate) repeated: Vec<(u32, String, usize)>,
}

impl HeaderMatch {
    pub(crate) fn matched(&self) -> usize {
        self.columns.iter().filter(|c| c.is_some()).count()
    }
}

/// Matches one row against the template.
pub(crate) fn match_row(grid: &Grid, row: u32, template: &Template) -> HeaderMatch {
    let mut found = HeaderMatch { row, columns: vec![None; template.fields.len()], unknown: vec![], repeated: vec![] };
    let Some(((_, first), (_, last))) = grid.bounds() else { return found };
    for col in first..=last {
        let value = cells::value(grid.raw(row, col));
        if value == Value::Empty {
            continue;
        }
        let text = value.display();
        match template.field_of(&text) {
            Some(field) if found.columns[field].is_none() => found.columns[field] = Some(col),
            Some(field) => found.repeated.push((col, text, field)),
            None => found.unknown.push((col, text)),
        }
    }
    found
}

/// The row among the first few that names most of the template's fields (the first of equals).
pub(crate) fn find_header(grid: &Grid, template: &Template) -> Option<HeaderMatch> {
    let ((top, _), (bottom, _)) = grid.bounds()?;
    let mut best: Option<HeaderMatch> = None;
    for row in top..=bottom.min(top + HEADER_SCAN_ROWS - 1) {
        let candidate = match_row(grid, row, template);
        if candidate.matched() > best.as_ref().map_or(0, HeaderMatch::matched) {
            best = Some(candidate);
        }
    }
    best
}

/// The header row of a table nobody described to us: the row whose text cells look most like names of
/// the columns below. Column letters (`A`, `[B]`), formulas written out (`= [A] + [B]`) and numbers
/// are not names; a name over a column of numbers counts double, which lifts a header above a title.
pub(crate) fn guess_header_row(grid: &Grid) -> Option<u32> {
    let ((top, first), (bottom, last)) = grid.bounds()?;
    let mut best: Option<(i64, u32)> = None;
    for row in top..=bottom.min(top + HEADER_SCAN_ROWS - 1) {
        let mut score = 0i64;
        for col in first..=last {
            match cells::value(grid.raw(row, col)) {
                Value::Empty => {}
                Value::Text(text) if looks_numeric(text) => score -= 1,
                Value::Text(text) if looks_like_a_name(text) => {
                    score += if mostly_numbers_below(grid, row, col, bottom) { 2 } else { 1 };
                }
                Value::Text(_) => {}
                _ => score -= 1,
            }
        }
        if score > 0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, row));
        }
    }
    best.map(|(_, row)| row)
}

fn looks_like_a_name(text: &str) -> bool {
    let is_letter_ref = |t: &str| !t.is_empty() && t.len() <= 2 && t.chars().all(|c| c.is_ascii_uppercase());
    let bracketed = text.strip_prefix('[').and_then(|t| t.strip_suffix(']'));
    !(is_letter_ref(text) || bracketed.is_some_and(is_letter_ref) || text.starts_with('='))
}

/// Text that is a number once thousands separators, currency and percent signs are dropped
/// (`"76,409"`, `"£1,200"`, `"12.5%"`): statistics tables often store their numbers so.
fn looks_numeric(text: &str) -> bool {
    let digits: String = text.chars().filter(|c| !matches!(c, ',' | '£' | '%' | ' ')).collect();
    !digits.is_empty() && digits.parse::<f64>().is_ok()
}

/// Whether the next non-empty cells under (row, col) are mostly numbers or dates.
fn mostly_numbers_below(grid: &Grid, row: u32, col: u32, bottom: u32) -> bool {
    let (mut numbers, mut texts) = (0, 0);
    for r in row + 1..=bottom.min(row + 12) {
        match cells::value(grid.raw(r, col)) {
            Value::Empty => {}
            Value::Number(_) | Value::Date(_) => numbers += 1,
            Value::Text(text) if looks_numeric(text) => numbers += 1,
            _ => texts += 1,
        }
    }
    numbers > texts
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Field] = &[
        Field { label: "URN", synonyms: &["host school urn"], need: Need::OneOf(1) },
        Field { label: "LAESTAB", synonyms: &["DfE number"], need: Need::OneOf(1) },
        Field { label: "Commissioned places", synonyms: &["places"], need: Need::Required },
    ];
    const TEMPLATE: Template = Template { name: "test", fields: FIELDS };

    #[test]
    fn headers_match_ignoring_case_spaces_and_punctuation() {
        assert_eq!(TEMPLATE.field_of("  host   SCHOOL urn "), Some(0));
        assert_eq!(TEMPLATE.field_of("DfE-number"), Some(1));
        assert_eq!(TEMPLATE.field_of("Commissioned Places (2024/25)"), Some(2));
        assert_eq!(TEMPLATE.field_of("Notes"), None);
    }

    #[test]
    fn a_missing_group_is_named_by_its_members() {
        assert_eq!(TEMPLATE.missing(&[None, None, Some(2)]), vec!["URN or LAESTAB"]);
        assert!(TEMPLATE.missing(&[None, Some(1), Some(2)]).is_empty());
    }
}

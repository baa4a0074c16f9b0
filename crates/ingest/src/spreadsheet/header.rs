//! Finds the header row of a sheet and maps its cells to a template's fields. Officers put titles and
//! notes above their tables and name columns their own way, so a header matches, in this order: an
//! operator's override (a template file), a field's label or synonym ignoring case, spaces and
//! punctuation, else the field closest in meaning (`words`) when one is clearly closest.

use super::cells::{self, Value};
use super::grid::Grid;
use super::words;

/// How close in meaning a header must be to a field's label or synonym to be read as that field.
pub(crate) const CLOSE_ENOUGH: f64 = 0.6;

/// How a header names a field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldMatch {
    /// An override, the label or a synonym.
    Exact(usize),
    /// The one field closest in meaning.
    Meaning(usize),
    /// Two fields equally close in meaning.
    Ambiguous(usize, usize),
    None,
}

/// Operators' overrides: header (normalised) → field.
pub(crate) type Overrides = [(String, usize)];

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
    /// How a header names a field: overrides first, then exact spellings, then meaning.
    pub(crate) fn match_header(&self, header: &str, overrides: &Overrides) -> FieldMatch {
        let full = normalise(header);
        if let Some((_, field)) = overrides.iter().find(|(h, _)| *h == full) {
            return FieldMatch::Exact(*field);
        }
        if let Some(field) = self.field_of(header) {
            return FieldMatch::Exact(field);
        }
        let ranked = self.by_meaning(header);
        match ranked.as_slice() {
            [(a, sa), (b, sb), ..] if *sa >= CLOSE_ENOUGH && (sa - sb).abs() < 1e-9 => FieldMatch::Ambiguous(*a, *b),
            [(a, sa), ..] if *sa >= CLOSE_ENOUGH => FieldMatch::Meaning(*a),
            _ => FieldMatch::None,
        }
    }

    /// Fields by how close in meaning the header is to their label or nearest synonym, closest first;
    /// fields sharing no word are left out.
    pub(crate) fn by_meaning(&self, header: &str) -> Vec<(usize, f64)> {
        // A bracketed note may be noise ("(2024/25)") or meaning ("Places (commissioned)"): both read.
        let readings = [words::meaning(header), words::meaning(&strip_brackets(header))];
        let mut ranked: Vec<(usize, f64)> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let best = std::iter::once(&f.label)
                    .chain(f.synonyms)
                    .flat_map(|s| {
                        let theirs = words::meaning(s);
                        readings.iter().map(move |mine| words::closeness(mine, &theirs))
                    })
                    .fold(0.0, f64::max);
                (i, best)
            })
            .filter(|(_, score)| *score > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }

    /// The field a header cell names by label or synonym. A bracketed note (`Places (2024/25)`) is
    /// tried with and without.
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
    /// Header cells read as a field by meaning, not by spelling: (column, text, field).
    pub(crate) by_meaning: Vec<(u32, String, usize)>,
    /// Header cells equally close to two fields, neither otherwise held: (column, text, fields).
    pub(crate) ambiguous: Vec<(u32, String, usize, usize)>,
}

impl HeaderMatch {
    pub(crate) fn matched(&self) -> usize {
        self.columns.iter().filter(|c| c.is_some()).count()
    }
}

/// Matches one row against the template: exact names (and overrides) take their fields first, so a
/// header matched by meaning never displaces one spelled as the template spells it.
pub(crate) fn match_row(grid: &Grid, row: u32, template: &Template, overrides: &Overrides) -> HeaderMatch {
    let mut found = HeaderMatch {
        row,
        columns: vec![None; template.fields.len()],
        unknown: vec![],
        repeated: vec![],
        by_meaning: vec![],
        ambiguous: vec![],
    };
    let Some(((_, first), (_, last))) = grid.bounds() else { return found };
    let mut second_pass = Vec::new();
    for col in first..=last {
        let value = cells::value(grid.raw(row, col));
        if value == Value::Empty {
            continue;
        }
        let text = value.display();
        match template.match_header(&text, overrides) {
            FieldMatch::Exact(field) if found.columns[field].is_none() => found.columns[field] = Some(col),
            FieldMatch::Exact(field) => found.repeated.push((col, text, field)),
            FieldMatch::None => found.unknown.push((col, text)),
            close => second_pass.push((col, text, close)),
        }
    }
    for (col, text, close) in second_pass {
        let free = |f: usize| found.columns[f].is_none();
        match close {
            FieldMatch::Meaning(field) if free(field) => {
                found.columns[field] = Some(col);
                found.by_meaning.push((col, text, field));
            }
            FieldMatch::Meaning(field) => found.repeated.push((col, text, field)),
            // Equally close to two fields, one of them already held: the other is meant.
            FieldMatch::Ambiguous(a, b) if free(a) != free(b) => {
                let field = if free(a) { a } else { b };
                found.columns[field] = Some(col);
                found.by_meaning.push((col, text, field));
            }
            FieldMatch::Ambiguous(a, b) if free(a) => found.ambiguous.push((col, text, a, b)),
            _ => found.unknown.push((col, text)),
        }
    }
    found.unknown.sort_by_key(|(col, _)| *col);
    found
}

/// The row among the first few that names most of the template's fields (the first of equals).
pub(crate) fn find_header(grid: &Grid, template: &Template, overrides: &Overrides) -> Option<HeaderMatch> {
    let ((top, _), (bottom, _)) = grid.bounds()?;
    let mut best: Option<HeaderMatch> = None;
    for row in top..=bottom.min(top + HEADER_SCAN_ROWS - 1) {
        let candidate = match_row(grid, row, template, overrides);
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

    mod by_meaning {
        use super::super::*;
        use crate::spreadsheet::Kind;

        fn field(kind: Kind, header: &str) -> Option<&'static str> {
            let template = kind.template();
            match template.match_header(header, &[]) {
                FieldMatch::Exact(f) | FieldMatch::Meaning(f) => Some(template.fields[f].label),
                FieldMatch::Ambiguous(..) | FieldMatch::None => None,
            }
        }

        /// The ways officers vary a header: case, word order, filler, years, abbreviations, plurals.
        fn variants(base: &str) -> Vec<String> {
            let words: Vec<&str> = base.split_whitespace().collect();
            let reversed = words.iter().rev().copied().collect::<Vec<_>>().join(" ");
            let abbreviated = base
                .replace("Number of", "No. of")
                .replace("number", "no.")
                .replace("Provision", "Prov.")
                .replace("provision", "prov")
                .replace("School", "Sch");
            vec![
                base.to_owned(),
                base.to_uppercase(),
                base.to_lowercase(),
                reversed,
                format!("The {base}"),
                format!("{base} (2024/25)"),
                format!("{base}:"),
                format!("  {base}  "),
                abbreviated,
            ]
            .into_iter()
            .chain((!base.ends_with(')')).then(|| format!("{base}s")))
            .collect()
        }

        #[test]
        fn headers_no_synonym_list_holds_land_on_the_field_they_mean() {
            let cases: &[(Kind, &str, &[&str])] = &[
                (Kind::Srp, "Need type", &["Primary designation", "Designated need", "Type of SEN need"]),
                (Kind::Srp, "SRP name", &["Provision title", "Title of provision", "Unit title"]),
                (Kind::Srp, "Close date", &["Date of closure", "Closure date", "Provision closing date"]),
                (Kind::Srp, "Open date", &["Date of opening", "Opening date of provision"]),
                (Kind::Srp, "Commissioned places", &["Places (commissioned)", "Commissioned place numbers"]),
                (Kind::Srp, "On roll", &["Pupils currently on roll", "Number of children on roll"]),
                (Kind::Srp, "SLA date", &["Date SLA was signed"]),
                (Kind::Srp, "Age range", &["Age range of pupils"]),
                (Kind::Designations, "Effective from", &["Date of designation", "Designation start date"]),
                (Kind::Clusters, "Primary care network", &["Name of primary care network (PCN)"]),
                (Kind::Training, "School name", &["Name of school"]),
            ];
            for (kind, want, bases) in cases {
                for base in *bases {
                    for header in variants(base) {
                        assert_eq!(field(*kind, &header), Some(*want), "{header:?} in the {} template", kind.as_str());
                    }
                }
            }
        }

        #[test]
        fn unrelated_headers_match_no_field() {
            for header in
                ["Notes", "Contact email", "Comments", "Last reviewed by", "Ofsted rating", "Headteacher", "Number of"]
            {
                for kind in [Kind::Srp, Kind::Designations, Kind::Clusters, Kind::Training] {
                    assert_eq!(field(kind, header), None, "{header:?} in the {} template", kind.as_str());
                }
            }
        }

        #[test]
        fn a_bare_date_is_no_srp_date_in_particular() {
            assert_eq!(field(Kind::Srp, "Date"), None);
        }

        #[test]
        fn every_label_and_synonym_still_matches_its_own_field_exactly() {
            for kind in [Kind::Srp, Kind::Designations, Kind::Clusters, Kind::Training] {
                let template = kind.template();
                for (i, f) in template.fields.iter().enumerate() {
                    for s in std::iter::once(&f.label).chain(f.synonyms) {
                        assert_eq!(template.match_header(s, &[]), FieldMatch::Exact(i), "{s:?} in {}", template.name);
                    }
                }
            }
        }

        #[test]
        fn a_header_equally_close_to_two_fields_is_ambiguous_and_an_override_settles_it() {
            let template = Kind::Srp.template();
            let open = template.fields.iter().position(|f| f.label == "Open date").unwrap();
            let close = template.fields.iter().position(|f| f.label == "Close date").unwrap();
            assert_eq!(template.match_header("Open or close date", &[]), FieldMatch::Ambiguous(open, close));
            let overrides = [(normalise("Open or close date"), close)];
            assert_eq!(template.match_header("OPEN OR CLOSE DATE", &overrides), FieldMatch::Exact(close));
        }
    }
}

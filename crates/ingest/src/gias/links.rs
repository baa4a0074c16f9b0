//! GIAS's links extract (`links_edubasealldataYYYYMMDD.csv`): which establishment succeeded which.
//! An academy conversion closes one URN and opens another; the file lists it from both sides
//! (`Successor` from the old URN, `Predecessor` from the new), with merges, splits and
//! amalgamations qualified (`Predecessor - merged`). Windows-1252 or UTF-8, CRLF, dates `dd-mm-yyyy`.

use chrono::NaiveDate;
use domain::Urn;

use super::row::decode;
use crate::{Error, ImportIssue, TextEncoding};

/// One link as the file states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishmentLink {
    pub urn: Urn,
    pub link_urn: Urn,
    /// The linked establishment's name, as GIAS gives it.
    pub link_name: Option<String>,
    /// As written: `Predecessor`, `Successor - merged`, `Sixth Form Centre School`, …
    pub link_type: String,
    pub established: Option<NaiveDate>,
}

impl EstablishmentLink {
    /// Which way the link points: the linked establishment came before this one (`Predecessor…`),
    /// after it (`Successor…`), or neither (a sixth form centre, an expansion).
    pub fn direction(&self) -> LinkDirection {
        LinkDirection::of(&self.link_type)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDirection {
    Predecessor,
    Successor,
    Other,
}

impl LinkDirection {
    pub fn of(link_type: &str) -> Self {
        let t = link_type.trim().to_ascii_lowercase();
        if t.starts_with("predecessor") {
            LinkDirection::Predecessor
        } else if t.starts_with("successor") {
            LinkDirection::Successor
        } else {
            LinkDirection::Other
        }
    }
}

/// The links read: accepted rows with their line, and every problem.
#[derive(Debug, Default)]
pub struct ParsedLinks {
    pub links: Vec<(u64, EstablishmentLink)>,
    pub issues: Vec<ImportIssue>,
    pub rows_read: u64,
    pub rows_rejected: u64,
}

const COLUMNS: [&str; 5] = ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"];

/// Reads a whole links file (a few MB nationally). A row with a bad URN or date is rejected and
/// reported; a repeated (URN, LinkURN, LinkType) is reported once and the first kept.
pub fn read_links(file: &str, bytes: &[u8], encoding: TextEncoding) -> Result<ParsedLinks, Error> {
    let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = csv.byte_records();
    let header = match records.next() {
        None => return Err(Error::Empty { file: file.to_owned() }),
        Some(r) => r.map_err(|e| csv_error(file, &e))?,
    };
    let names: Vec<String> =
        header.iter().map(|h| decode(h, encoding).trim().trim_start_matches('\u{feff}').to_owned()).collect();
    let find = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
    let missing: Vec<String> =
        COLUMNS[..2].iter().chain(&COLUMNS[3..4]).filter(|c| find(c).is_none()).map(|c| (*c).to_owned()).collect();
    if !missing.is_empty() {
        return Err(Error::MissingColumns { file: file.to_owned(), columns: missing });
    }
    let at = COLUMNS.map(find);
    let mut out = ParsedLinks::default();
    let mut seen = std::collections::HashMap::new();
    for record in records {
        let record = record.map_err(|e| csv_error(file, &e))?;
        // The csv crate counts lines from 0 here; reports count as editors do, from 1.
        let line = record.position().map_or(0, |p| p.line() + 1);
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        out.rows_read += 1;
        let cell = |i: usize| {
            at[i].and_then(|c| record.get(c)).map(|b| decode(b, encoding).trim().to_owned()).unwrap_or_default()
        };
        let mut errors = Vec::new();
        let mut urn_of = |i: usize| match Urn::parse(&cell(i)).ok() {
            Some(u) => Some(u),
            None => {
                let message = format!("{} {:?} is not a URN", COLUMNS[i], cell(i));
                errors.push(ImportIssue::row_error(file, line, COLUMNS[i], "invalid_urn", message));
                None
            }
        };
        let (urn, link_urn) = (urn_of(0), urn_of(1));
        let link_type = cell(3);
        if link_type.is_empty() {
            errors.push(ImportIssue::row_error(file, line, "LinkType", "missing_value", "LinkType is empty".into()));
        }
        let date_text = cell(4);
        let established = if date_text.is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(&date_text, "%d-%m-%Y")
                .or_else(|_| NaiveDate::parse_from_str(&date_text, "%d/%m/%Y"))
            {
                Ok(d) => Some(d),
                Err(_) => {
                    let message = format!("LinkEstablishedDate {date_text:?} is not a dd-mm-yyyy date");
                    errors.push(ImportIssue::row_error(file, line, "LinkEstablishedDate", "invalid_date", message));
                    None
                }
            }
        };
        let (Some(urn), Some(link_urn), true) = (urn, link_urn, errors.is_empty()) else {
            out.rows_rejected += 1;
            out.issues.append(&mut errors);
            continue;
        };
        let key = (urn.get(), link_urn.get(), link_type.to_ascii_lowercase());
        if let Some(first) = seen.get(&key) {
            let message = format!(
                "the link {} → {} ({link_type}) is listed again (first on line {first}); ignored",
                urn.get(),
                link_urn.get()
            );
            out.issues.push(ImportIssue::row_warning(file, line, "URN", "duplicate_link", message));
            continue;
        }
        seen.insert(key, line);
        let name = cell(2);
        out.links.push((
            line,
            EstablishmentLink { urn, link_urn, link_name: (!name.is_empty()).then_some(name), link_type, established },
        ));
    }
    if out.rows_read == 0 {
        return Err(Error::NoRows { file: file.to_owned() });
    }
    Ok(out)
}

fn csv_error(file: &str, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    Error::Csv { file: file.to_owned(), line, message: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"\"URN\",\"LinkURN\",\"LinkName\",\"LinkType\",\"LinkEstablishedDate\"\r\n\
100023,100024,\"Torriano Infant School\",\"Predecessor\",\"15-09-2015\"\r\n\
100024,100023,\"Torriano Primary School\",\"Successor\",\"15-09-2015\"\r\n\
100016,132245,\"St Thomas \xe0 Becket\",\"Successor\",\"\"\r\n\
12x,100024,\"Bad\",\"Successor\",\"\"\r\n\
100025,100026,\"Bad date\",\"Successor\",\"31-02-2015\"\r\n\
100023,100024,\"Torriano Infant School\",\"Predecessor\",\"15-09-2015\"";

    #[test]
    fn links_read_from_both_sides_in_windows_1252_without_a_last_newline() {
        let parsed = read_links("links.csv", SAMPLE, TextEncoding::Windows1252).unwrap();
        assert_eq!((parsed.rows_read, parsed.rows_rejected, parsed.links.len()), (6, 2, 3));
        let (_, first) = &parsed.links[0];
        assert_eq!((first.urn.get(), first.link_urn.get()), (100023, 100024));
        assert_eq!(first.direction(), LinkDirection::Predecessor);
        assert_eq!(first.established, NaiveDate::from_ymd_opt(2015, 9, 15));
        assert_eq!(parsed.links[2].1.link_name.as_deref(), Some("St Thomas à Becket"));
        assert_eq!(parsed.links[2].1.established, None);
        let lines: Vec<String> = parsed.issues.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(lines[0].contains("URN \"12x\" is not a URN"), "{lines:#?}");
        assert!(lines[1].contains("\"31-02-2015\" is not a dd-mm-yyyy date"), "{lines:#?}");
        assert!(lines[2].contains("listed again (first on line 2)"), "{lines:#?}");
    }

    #[test]
    fn a_file_without_the_link_columns_is_refused() {
        let err = read_links("x.csv", b"URN,Name\r\n100023,x\r\n", TextEncoding::Utf8).unwrap_err();
        assert_eq!(err.to_string(), "x.csv: required columns are missing: LinkURN, LinkType");
        assert!(matches!(read_links("x.csv", b"", TextEncoding::Utf8), Err(Error::Empty { .. })));
    }
}

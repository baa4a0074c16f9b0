//! OpenDocument spreadsheets: opened through calamine, repaired first when calamine refuses a file
//! LibreOffice opens, with the merged cells calamine does not expose read from `content.xml` (a cell
//! with `table:number-rows-spanned` covers the cells below it, as a merged block does in Excel).

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Dimensions, Ods, OdsError, Reader as _};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::zipfile::{self, Directory};
use crate::Error;

/// An opened .ods file and its merged blocks by sheet name.
pub(crate) type OpenedOds = (Ods<Cursor<Vec<u8>>>, HashMap<String, Vec<Dimensions>>);

pub(crate) fn open_ods(file: &str, bytes: Vec<u8>) -> Result<OpenedOds, Error> {
    // calamine expands repeated rows and cells up to 100 million cells (gigabytes): a few bytes of
    // `number-rows-repeated` ask for that, so the span is measured before calamine sees the sheet.
    let layout = zipfile::read_entry(&bytes, b"content.xml").map(|xml| scan(&xml)).unwrap_or_default();
    if let Some((sheet, area)) = layout.spans.iter().find(|(_, area)| **area > zipfile::MAX_SHEET_CELLS) {
        return Err(Error::NotSpreadsheet {
            file: file.to_owned(),
            reason: format!(
                "sheet {sheet} spans {area} cells from its first to its last (repeated rows or cells); at most {} are read",
                zipfile::MAX_SHEET_CELLS
            ),
        });
    }
    let (ods, _) = match Ods::new(Cursor::new(bytes.clone())) {
        Ok(ods) => (ods, bytes),
        Err(OdsError::Password) => return Err(Error::Encrypted { file: file.to_owned() }),
        Err(first) => match repair(&bytes).map(|fixed| (Ods::new(Cursor::new(fixed.clone())), fixed)) {
            Some((Ok(ods), fixed)) => (ods, fixed),
            Some((Err(OdsError::Password), _)) => return Err(Error::Encrypted { file: file.to_owned() }),
            _ => return Err(Error::Workbook { file: file.to_owned(), message: first.to_string() }),
        },
    };
    Ok((ods, layout.merged))
}

const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Repairs two harmless oddities that calamine refuses and LibreOffice opens: a missing `mimetype`
/// entry (the DfE's dedicated schools grant .ods has none), and a `content.xml` pretty-printed with
/// line breaks between cells (the DfE's LA/region lookup .ods). The archive repaired, or `None` when nothing needed (or could safely get) repair.
fn repair(zip: &[u8]) -> Option<Vec<u8>> {
    let dir = Directory::read(zip)?;
    let mut out: Option<Vec<u8>> = None;
    if let Some(entry) = dir.entry(zip, b"content.xml")
        && let Some(content) = dir.contents(zip, &entry)
        && let Some(flat) = strip_indentation(&content)
    {
        out = Some(dir.replace(zip, &entry, &flat)?);
    }
    if dir.entry(zip, b"mimetype").is_none() {
        let current = out.as_deref().unwrap_or(zip);
        out = Some(Directory::read(current)?.append(current, b"mimetype", MIMETYPE)?);
    }
    out
}

/// Removes whitespace-only text that holds a line break: indentation between elements. calamine reads
/// cells as a strict sequence of elements; a single space inside a paragraph has no line break and stays.
fn strip_indentation(xml: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(xml.len());
    let mut changed = false;
    let mut i = 0;
    while i < xml.len() {
        if xml[i] == b'>' {
            out.push(b'>');
            let end = xml[i + 1..].iter().position(|b| !b.is_ascii_whitespace()).map_or(xml.len(), |p| i + 1 + p);
            let gap = &xml[i + 1..end];
            if gap.contains(&b'\n') && xml.get(end) == Some(&b'<') {
                changed = true;
            } else {
                out.extend_from_slice(gap);
            }
            i = end;
        } else {
            out.push(xml[i]);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// What `content.xml` says of each sheet before calamine expands it.
#[derive(Default)]
pub(crate) struct Layout {
    /// Merged blocks per sheet name, positions 0-based as calamine counts them.
    pub(crate) merged: HashMap<String, Vec<Dimensions>>,
    /// Cells each sheet spans once its repeats are expanded, up to its last non-empty cell.
    pub(crate) spans: HashMap<String, u64>,
}

/// Merged blocks per sheet name, positions 0-based as calamine counts them.
#[cfg(test)]
pub(crate) fn merged_blocks(content_xml: &[u8]) -> HashMap<String, Vec<Dimensions>> {
    scan(content_xml).merged
}

/// One streaming pass over `content.xml`: merged blocks and the expanded span of every sheet.
pub(crate) fn scan(content_xml: &[u8]) -> Layout {
    let mut sheets: HashMap<String, Vec<Dimensions>> = HashMap::new();
    let mut spans: HashMap<String, u64> = HashMap::new();
    // Rows up to the last non-empty one, and the widest non-empty reach, of the sheet being read.
    let (mut last_row, mut widest) = (0u64, 0u64);
    let mut row_reach = 0u64;
    let mut reader = Reader::from_reader(content_xml);
    let mut buf = Vec::new();
    let mut sheet: Option<String> = None;
    let (mut row, mut col) = (0u32, 0u32);
    let mut rows_repeated = 1u32;
    // Tables nested inside a cell have rows of their own; they are not the sheet's.
    let mut depth = 0u32;
    loop {
        let (event, is_empty) = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                match e.name().as_ref() {
                    "table:table" => {
                        if depth == 1
                            && let Some(name) = &sheet
                        {
                            spans.insert(name.clone(), last_row.saturating_mul(widest));
                        }
                        depth = depth.saturating_sub(1)
                    }
                    "table:table-row" if depth == 1 => {
                        row = row.saturating_add(rows_repeated);
                        if row_reach > 0 {
                            last_row = u64::from(row);
                            widest = widest.max(row_reach);
                        }
                    }
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {
                buf.clear();
                continue;
            }
        };
        match event.name().as_ref() {
            "table:table" if !is_empty => {
                depth += 1;
                if depth == 1 {
                    sheet = attr(&event, "table:name");
                    row = 0;
                    (last_row, widest) = (0, 0);
                }
            }
            "table:table-row" if depth == 1 => {
                col = 0;
                row_reach = 0;
                rows_repeated = number(&event, "table:number-rows-repeated").unwrap_or(1);
                if is_empty {
                    row = row.saturating_add(rows_repeated);
                }
            }
            "table:table-cell" | "table:covered-table-cell" if depth == 1 => {
                let rows = number(&event, "table:number-rows-spanned").unwrap_or(1);
                let cols = number(&event, "table:number-columns-spanned").unwrap_or(1);
                if (rows > 1 || cols > 1)
                    && let Some(name) = &sheet
                {
                    let end = (row + rows - 1, col + cols - 1);
                    sheets.entry(name.clone()).or_default().push(Dimensions::new((row, col), end));
                }
                col = col.saturating_add(number(&event, "table:number-columns-repeated").unwrap_or(1));
                // A cell with content or a value type is one calamine keeps; an empty one it drops
                // when nothing follows it.
                if !is_empty || event.attributes().flatten().any(|a| a.key.as_ref() == "office:value-type") {
                    row_reach = u64::from(col);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Layout { merged: sheets, spans }
}

fn attr(e: &BytesStart, key: &str) -> Option<String> {
    let attr = e.attributes().flatten().find(|a| a.key.as_ref() == key)?;
    attr.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned())
}

fn number(e: &BytesStart, key: &str) -> Option<u32> {
    attr(e, key).and_then(|v| v.parse().ok()).filter(|&n: &u32| n >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archive_without_mimetype_gains_it() {
        let empty: [u8; 22] = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let patched = repair(&empty).unwrap();
        assert_eq!(zipfile::read_entry(&patched, b"mimetype").unwrap(), MIMETYPE);
        assert_eq!(repair(&patched), None);
    }

    #[test]
    fn indentation_between_elements_goes_and_a_space_in_a_cell_stays() {
        let xml = b"<row>\n  <cell><p> </p></cell>\n  <cell><p>a b</p></cell>\n</row>";
        let flat = strip_indentation(xml).unwrap();
        assert_eq!(String::from_utf8(flat).unwrap(), "<row><cell><p> </p></cell><cell><p>a b</p></cell></row>");
        assert_eq!(strip_indentation(b"<row><cell/></row>"), None);
    }

    #[test]
    fn a_cell_spanning_rows_is_a_merged_block() {
        let xml = br#"<office:spreadsheet><table:table table:name="Regions">
            <table:table-row><table:table-cell/><table:table-cell/></table:table-row>
            <table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>
            <table:table-row><table:table-cell table:number-columns-repeated="2"/>
              <table:table-cell table:number-rows-spanned="3" table:number-columns-spanned="1"><text:p>North East</text:p></table:table-cell></table:table-row>
            <table:table-row><table:covered-table-cell/></table:table-row>
            </table:table></office:spreadsheet>"#;
        let blocks = merged_blocks(xml);
        assert_eq!(blocks["Regions"], vec![Dimensions::new((3, 2), (5, 2))]);
    }

    const EMPTY_ZIP: [u8; 22] = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    fn sheet(rows: &str) -> String {
        format!(r#"<office:spreadsheet><table:table table:name="Bomb">{rows}</table:table></office:spreadsheet>"#)
    }

    #[test]
    fn repeated_rows_of_repeated_values_are_refused_before_calamine_expands_them() {
        // 2,000 bytes that would ask calamine for a million rows of a thousand values.
        let xml = sheet(
            r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"/></table:table-row>"#,
        );
        assert_eq!(scan(xml.as_bytes()).spans["Bomb"], 1_000_000_000);
        let with_mime = Directory::read(&EMPTY_ZIP).unwrap().append(&EMPTY_ZIP, b"mimetype", MIMETYPE).unwrap();
        let ods = Directory::read(&with_mime).unwrap().append(&with_mime, b"content.xml", xml.as_bytes()).unwrap();
        let Err(Error::NotSpreadsheet { reason, .. }) = open_ods("bomb.ods", ods) else { panic!("opened a bomb") };
        assert!(reason.contains("sheet Bomb spans 1000000000 cells"), "{reason}");
    }

    #[test]
    fn trailing_empty_repeats_as_libreoffice_writes_them_cost_nothing() {
        let xml = sheet(concat!(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>URN</text:p></table:table-cell>"#,
            r#"<table:table-cell table:number-columns-repeated="1023"/></table:table-row>"#,
            r#"<table:table-row table:number-rows-repeated="3"><table:table-cell><text:p>1</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="float" office:value="2"/><table:table-cell table:number-columns-repeated="1022"/></table:table-row>"#,
            r#"<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
        ));
        assert_eq!(scan(xml.as_bytes()).spans["Bomb"], 4 * 2);
    }
}

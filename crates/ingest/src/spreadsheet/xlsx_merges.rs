//! Merged cells of one .xlsx sheet, read without parsing the sheet twice. calamine's own
//! `merge_cells_by_sheet_name` runs its XML parser over the whole sheet again, which costs as much as
//! reading the cells; the merged cells sit after the data, so here the inflated sheet is searched from
//! the end for `</sheetData>` and only what follows is parsed.

use calamine::Dimensions;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::zipfile;

/// The merged blocks of `sheet`, or `None` when the workbook is not laid out as expected (the caller
/// then asks calamine).
pub(crate) fn merged_blocks(zip: &[u8], sheet: &str) -> Option<Vec<Dimensions>> {
    let workbook = zipfile::read_entry(zip, b"xl/workbook.xml")?;
    let id = elements(&workbook, "sheet").into_iter().find(|attrs| value(attrs, "name") == Some(sheet))?;
    let id = value(&id, "r:id")?.to_owned();
    let rels = zipfile::read_entry(zip, b"xl/_rels/workbook.xml.rels")?;
    let target = elements(&rels, "Relationship").into_iter().find(|attrs| value(attrs, "Id") == Some(id.as_str()))?;
    let target = value(&target, "Target")?;
    let path = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{target}"),
    };
    let xml = zipfile::read_entry(zip, path.as_bytes())?;
    let end = xml.windows(10).rposition(|w| w == b"sheetData>")?;
    let blocks = elements(&xml[end..], "mergeCell").iter().filter_map(|attrs| block(value(attrs, "ref")?)).collect();
    Some(blocks)
}

/// The attributes (unescaped) of every element with this local name.
fn elements(xml: &[u8], local_name: &str) -> Vec<Vec<(String, String)>> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == local_name => {
                found.push(attributes(&e))
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buf.clear();
    }
    found
}

fn attributes(e: &BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .filter_map(|a| {
            Some((a.key.as_ref().to_owned(), a.normalized_value(XmlVersion::Implicit1_0).ok()?.into_owned()))
        })
        .collect()
}

fn value<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// `B2:B8` as 0-based (row, column) corners.
fn block(reference: &str) -> Option<Dimensions> {
    let (start, end) = reference.split_once(':')?;
    Some(Dimensions::new(cell(start)?, cell(end)?))
}

fn cell(reference: &str) -> Option<(u32, u32)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    let col =
        letters.bytes().try_fold(0u32, |acc, b| b.is_ascii_uppercase().then(|| acc * 26 + u32::from(b - b'A') + 1))?;
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_reference_becomes_zero_based_corners() {
        assert_eq!(block("B2:B8"), Some(Dimensions::new((1, 1), (7, 1))));
        assert_eq!(block("AA10:AB12"), Some(Dimensions::new((9, 26), (11, 27))));
        assert_eq!(block("B2"), None);
    }
}

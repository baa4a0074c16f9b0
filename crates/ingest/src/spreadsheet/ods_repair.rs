//! Repairs two harmless oddities of real OpenDocument files that calamine refuses and LibreOffice
//! opens: a missing `mimetype` entry (the DfE's dedicated schools grant .ods has none), and a
//! `content.xml` pretty-printed with line breaks between cells (the DfE's LA/region lookup .ods).
//! New entries are appended before the central directory, so no existing offset moves.

use std::io::Read;

use flate2::read::DeflateDecoder;

const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const EOCD_LEN: usize = 22;

/// The archive repaired, or `None` when nothing needed (or could safely get) repair.
pub(crate) fn repair(zip: &[u8]) -> Option<Vec<u8>> {
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

/// An entry's bytes, inflated.
pub(crate) fn read_entry(zip: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    let dir = Directory::read(zip)?;
    dir.contents(zip, &dir.entry(zip, name)?)
}

/// Whether the archive lists an entry of this name.
pub(crate) fn has_entry(zip: &[u8], name: &[u8]) -> bool {
    Directory::read(zip).is_some_and(|dir| dir.entry(zip, name).is_some())
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

/// One entry of the central directory: where its record sits and what it says.
struct Entry {
    /// Offset of the central directory record, relative to the directory's start.
    record: usize,
    method: u16,
    compressed: usize,
    local: usize,
}

/// The central directory and end record of a (non-ZIP64) archive.
struct Directory {
    eocd: usize,
    start: usize,
    size: usize,
    entries: u16,
}

impl Directory {
    fn read(zip: &[u8]) -> Option<Self> {
        let last = zip.len().checked_sub(EOCD_LEN)?;
        let first = last.saturating_sub(u16::MAX as usize);
        let eocd = (first..=last).rev().find(|&at| le32(zip, at) == Some(EOCD_SIGNATURE))?;
        let entries = le16(zip, eocd + 10)?;
        let (size, start) = (le32(zip, eocd + 12)?, le32(zip, eocd + 16)?);
        if entries == u16::MAX || size == u32::MAX || start == u32::MAX {
            return None; // ZIP64: not worth repairing by hand.
        }
        let (start, size) = (start as usize, size as usize);
        (start.checked_add(size)? <= eocd).then_some(Self { eocd, start, size, entries })
    }

    fn entry(&self, zip: &[u8], name: &[u8]) -> Option<Entry> {
        let dir = zip.get(self.start..self.start + self.size)?;
        let mut at = 0;
        while le32(dir, at) == Some(CENTRAL_SIGNATURE) {
            let name_len = le16(dir, at + 28)? as usize;
            let tail = name_len + le16(dir, at + 30)? as usize + le16(dir, at + 32)? as usize;
            if dir.get(at + 46..at + 46 + name_len)? == name {
                let compressed = le32(dir, at + 20)?;
                return (compressed != u32::MAX).then_some(Entry {
                    record: at,
                    method: le16(dir, at + 10)?,
                    compressed: compressed as usize,
                    local: le32(dir, at + 42)? as usize,
                });
            }
            at += 46 + tail;
        }
        None
    }

    /// The entry's bytes, inflated; `None` for methods other than stored and deflate.
    fn contents(&self, zip: &[u8], entry: &Entry) -> Option<Vec<u8>> {
        if le32(zip, entry.local) != Some(LOCAL_SIGNATURE) {
            return None;
        }
        let data = entry.local + 30 + le16(zip, entry.local + 26)? as usize + le16(zip, entry.local + 28)? as usize;
        let raw = zip.get(data..data.checked_add(entry.compressed)?)?;
        match entry.method {
            0 => Some(raw.to_vec()),
            8 => {
                let mut out = Vec::new();
                DeflateDecoder::new(raw).read_to_end(&mut out).ok()?;
                Some(out)
            }
            _ => None,
        }
    }

    /// Appends `content` as a stored entry and points the existing record at it.
    fn replace(&self, zip: &[u8], entry: &Entry, content: &[u8]) -> Option<Vec<u8>> {
        let name = self.name(zip, entry)?;
        let (mut out, local) = self.with_local(zip, &name, content)?;
        let crc = crc32(content);
        let len = u32::try_from(content.len()).ok()?;
        let new_start = out.len();
        out.extend_from_slice(zip.get(self.start..self.start + self.size)?);
        let record = new_start + entry.record;
        set16(&mut out, record + 8, 0); // no data descriptor
        set16(&mut out, record + 10, 0); // stored
        set32(&mut out, record + 16, crc);
        set32(&mut out, record + 20, len);
        set32(&mut out, record + 24, len);
        set32(&mut out, record + 42, local);
        self.finish(zip, out, new_start, 0)
    }

    /// Appends a new stored entry.
    fn append(&self, zip: &[u8], name: &[u8], content: &[u8]) -> Option<Vec<u8>> {
        let (mut out, local) = self.with_local(zip, name, content)?;
        let new_start = out.len();
        out.extend_from_slice(zip.get(self.start..self.start + self.size)?);
        let len = u32::try_from(content.len()).ok()?;
        put32(&mut out, CENTRAL_SIGNATURE);
        put16s(&mut out, &[20, 20, 0, 0, 0, 0]);
        put32(&mut out, crc32(content));
        put32(&mut out, len);
        put32(&mut out, len);
        put16s(&mut out, &[u16::try_from(name.len()).ok()?, 0, 0, 0, 0]);
        put32(&mut out, 0);
        put32(&mut out, local);
        out.extend_from_slice(name);
        self.finish(zip, out, new_start, 1)
    }

    fn name(&self, zip: &[u8], entry: &Entry) -> Option<Vec<u8>> {
        let at = self.start + entry.record;
        let len = le16(zip, at + 28)? as usize;
        zip.get(at + 46..at + 46 + len).map(<[u8]>::to_vec)
    }

    /// The archive up to its directory, then a stored local entry; returns the entry's offset.
    fn with_local(&self, zip: &[u8], name: &[u8], content: &[u8]) -> Option<(Vec<u8>, u32)> {
        let mut out = Vec::with_capacity(zip.len() + content.len() + 128);
        out.extend_from_slice(zip.get(..self.start)?);
        let local = u32::try_from(out.len()).ok()?;
        let len = u32::try_from(content.len()).ok()?;
        put32(&mut out, LOCAL_SIGNATURE);
        put16s(&mut out, &[20, 0, 0, 0, 0]);
        put32(&mut out, crc32(content));
        put32(&mut out, len);
        put32(&mut out, len);
        put16s(&mut out, &[u16::try_from(name.len()).ok()?, 0]);
        out.extend_from_slice(name);
        out.extend_from_slice(content);
        Some((out, local))
    }

    /// Writes the end record for a directory that now starts at `start` with `added` more entries.
    fn finish(&self, zip: &[u8], mut out: Vec<u8>, start: usize, added: u16) -> Option<Vec<u8>> {
        let size = u32::try_from(out.len() - start).ok()?;
        let entries = self.entries.checked_add(added)?;
        put32(&mut out, EOCD_SIGNATURE);
        put16s(&mut out, &[0, 0, entries, entries]);
        put32(&mut out, size);
        put32(&mut out, u32::try_from(start).ok()?);
        out.extend_from_slice(zip.get(self.eocd + 20..)?); // comment length and comment
        Some(out)
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn set16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn set32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put16s(out: &mut Vec<u8>, values: &[u16]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest archive: no entries, just the end record.
    const EMPTY_ZIP: [u8; 22] = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    #[test]
    fn an_archive_without_mimetype_gains_it() {
        let patched = repair(&EMPTY_ZIP).unwrap();
        let dir = Directory::read(&patched).unwrap();
        let entry = dir.entry(&patched, b"mimetype").unwrap();
        assert_eq!(dir.contents(&patched, &entry).unwrap(), MIMETYPE);
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
    fn garbage_is_left_alone() {
        assert_eq!(repair(b"PK\x03\x04 not really a zip"), None);
    }
}

//! The little of the zip format done here by hand: find an entry, inflate it, append a stored entry
//! or point an existing one at new content. Enough to read an .xlsx sheet's merged cells quickly and to
//! repair .ods files calamine refuses (see `ods.rs`); ZIP64 archives are left alone.

use std::io::Read;

use flate2::read::DeflateDecoder;

const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const EOCD_LEN: usize = 22;

/// An entry's bytes, inflated.
pub(crate) fn read_entry(zip: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    let dir = Directory::read(zip)?;
    dir.contents(zip, &dir.entry(zip, name)?)
}

/// Bytes a workbook's entries may inflate to, in all.
pub(crate) const MAX_INFLATED: u64 = 128 * 1024 * 1024;
/// Inflated over compressed size an entry may reach (XML inflates 5-30 times; a bomb, 250 and up).
pub(crate) const MAX_RATIO: u64 = 150;

/// Inflates every entry once, counting and discarding (the sizes an archive declares can lie),
/// and refuses an archive that would inflate past [`MAX_INFLATED`] or whose entry inflates more
/// than [`MAX_RATIO`] times. Memory stays at one buffer; a bomb stops at the limit.
pub(crate) fn check_inflation(zip: &[u8]) -> Result<(), String> {
    // Fail closed: an archive whose directory this cannot walk is not passed on to be inflated.
    let damaged = || "a damaged zip archive (its directory cannot be read)".to_owned();
    let dir = Directory::read(zip).ok_or_else(damaged)?;
    let central = zip.get(dir.start..dir.start + dir.size).ok_or_else(damaged)?;
    let mut total: u64 = 0;
    let mut walked: u32 = 0;
    let mut cells = CellSpan::default();
    let mut at = 0;
    let mut buf = vec![0u8; 64 * 1024];
    while le32(central, at) == Some(CENTRAL_SIGNATURE) {
        let field = |off: usize| le16(central, at + off).map(usize::from);
        let (Some(name_len), Some(extra), Some(comment)) = (field(28), field(30), field(32)) else { break };
        let name = String::from_utf8_lossy(central.get(at + 46..at + 46 + name_len).unwrap_or_default()).into_owned();
        let (Some(method), Some(compressed), Some(local)) =
            (le16(central, at + 10), le32(central, at + 20), le32(central, at + 42))
        else {
            break;
        };
        if compressed == u32::MAX || local == u32::MAX {
            return Err(format!("entry {name} uses ZIP64, which a workbook does not need"));
        }
        let local = local as usize;
        let data = le16(zip, local + 26).zip(le16(zip, local + 28)).map(|(n, e)| local + 30 + n as usize + e as usize);
        let raw = data.and_then(|d| zip.get(d..d.checked_add(compressed as usize)?));
        let sheet = name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        let inflated = match (method, raw) {
            (0, Some(raw)) => {
                if sheet {
                    cells.scan(raw);
                }
                raw.len() as u64
            }
            (8, Some(raw)) => {
                let limit =
                    (MAX_INFLATED - total).min((compressed as u64).max(64 * 1024).saturating_mul(MAX_RATIO)) + 1;
                let mut reader = DeflateDecoder::new(raw).take(limit);
                let mut n = 0u64;
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(k) => {
                            if sheet {
                                cells.scan(&buf[..k]);
                            }
                            n += k as u64
                        }
                    }
                }
                n
            }
            _ => 0,
        };
        if inflated > (compressed as u64).max(64 * 1024).saturating_mul(MAX_RATIO) {
            return Err(format!(
                "entry {name} inflates more than {MAX_RATIO} times its {compressed} compressed bytes: a zip bomb, not a workbook"
            ));
        }
        total += inflated;
        if total > MAX_INFLATED {
            return Err(format!(
                "the workbook inflates to more than {} MiB; split it or save it smaller",
                MAX_INFLATED >> 20
            ));
        }
        if sheet {
            if let Some(area) = cells.area().filter(|a| *a > MAX_SHEET_CELLS) {
                return Err(format!(
                    "sheet {name} spans {area} cells from its first to its last; at most {MAX_SHEET_CELLS} are read"
                ));
            }
            cells = CellSpan::default();
        }
        walked += 1;
        at += 46 + name_len + extra + comment;
    }
    if walked != u32::from(dir.entries) {
        return Err(damaged());
    }
    Ok(())
}

/// Cells a sheet may span, first to last row and column (calamine allocates every one).
pub(crate) const MAX_SHEET_CELLS: u64 = 10_000_000;

/// The rows and columns a sheet's cell references (`<c r="AB12"`) reach, read as the XML streams.
#[derive(Default)]
struct CellSpan {
    carry: Vec<u8>,
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl CellSpan {
    fn scan(&mut self, chunk: &[u8]) {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(chunk);
        let mut i = 0;
        while let Some(found) = data[i..].windows(6).position(|w| w == b"<c r=\"") {
            let start = i + found + 6;
            let Some(len) = data[start..].iter().position(|&b| b == b'"') else {
                // The reference runs into the next chunk.
                self.carry = data[i + found..].to_vec();
                return;
            };
            let r = &data[start..start + len];
            let letters = r.iter().take_while(|b| b.is_ascii_uppercase()).count();
            let col = r[..letters].iter().fold(0u64, |n, b| n * 26 + u64::from(b - b'A' + 1));
            let row = std::str::from_utf8(&r[letters..]).ok().and_then(|t| t.parse::<u64>().ok());
            if let (true, Some(row)) = (letters > 0, row) {
                self.rows = Some(self.rows.map_or((row, row), |(a, b)| (a.min(row), b.max(row))));
                self.cols = Some(self.cols.map_or((col, col), |(a, b)| (a.min(col), b.max(col))));
            }
            i = start + len;
        }
        // Keep a tail that may hold the start of a reference split across chunks.
        let keep = data.len().saturating_sub(i).min(5);
        self.carry = data[data.len() - keep..].to_vec();
    }

    fn area(&self) -> Option<u64> {
        let ((r0, r1), (c0, c1)) = (self.rows?, self.cols?);
        Some((r1 - r0 + 1).saturating_mul(c1 - c0 + 1))
    }
}

/// Whether the archive lists an entry of this name.
pub(crate) fn has_entry(zip: &[u8], name: &[u8]) -> bool {
    Directory::read(zip).is_some_and(|dir| dir.entry(zip, name).is_some())
}

/// One entry of the central directory: where its record sits and what it says.
pub(crate) struct Entry {
    /// Offset of the central directory record, relative to the directory's start.
    record: usize,
    method: u16,
    compressed: usize,
    local: usize,
}

/// The central directory and end record of a (non-ZIP64) archive.
pub(crate) struct Directory {
    eocd: usize,
    start: usize,
    size: usize,
    entries: u16,
}

impl Directory {
    pub(crate) fn read(zip: &[u8]) -> Option<Self> {
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

    pub(crate) fn entry(&self, zip: &[u8], name: &[u8]) -> Option<Entry> {
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
    pub(crate) fn contents(&self, zip: &[u8], entry: &Entry) -> Option<Vec<u8>> {
        if le32(zip, entry.local) != Some(LOCAL_SIGNATURE) {
            return None;
        }
        let data = entry.local + 30 + le16(zip, entry.local + 26)? as usize + le16(zip, entry.local + 28)? as usize;
        let raw = zip.get(data..data.checked_add(entry.compressed)?)?;
        match entry.method {
            0 => Some(raw.to_vec()),
            8 => {
                // Bounded: `check_inflation` has vouched for the archive, this is a second fence.
                let mut out = Vec::new();
                DeflateDecoder::new(raw).take(MAX_INFLATED).read_to_end(&mut out).ok()?;
                Some(out)
            }
            _ => None,
        }
    }

    /// Appends `content` as a stored entry and points the existing record at it.
    pub(crate) fn replace(&self, zip: &[u8], entry: &Entry, content: &[u8]) -> Option<Vec<u8>> {
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
    pub(crate) fn append(&self, zip: &[u8], name: &[u8], content: &[u8]) -> Option<Vec<u8>> {
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
pub(crate) mod test_zip {
    use super::*;

    /// An archive of one deflated entry, with the uncompressed size it claims.
    pub(crate) fn deflated_zip(name: &[u8], data: &[u8], claimed: u32) -> Vec<u8> {
        let mut z = Vec::new();
        put32(&mut z, LOCAL_SIGNATURE);
        put16s(&mut z, &[20, 0, 8, 0, 0]);
        put32(&mut z, 0);
        put32(&mut z, data.len() as u32);
        put32(&mut z, claimed);
        put16s(&mut z, &[name.len() as u16, 0]);
        z.extend_from_slice(name);
        z.extend_from_slice(data);
        let start = z.len();
        put32(&mut z, CENTRAL_SIGNATURE);
        put16s(&mut z, &[20, 20, 0, 8, 0, 0]);
        put32(&mut z, 0);
        put32(&mut z, data.len() as u32);
        put32(&mut z, claimed);
        put16s(&mut z, &[name.len() as u16, 0, 0, 0, 0]);
        put32(&mut z, 0);
        put32(&mut z, 0);
        z.extend_from_slice(name);
        let size = z.len() - start;
        put32(&mut z, EOCD_SIGNATURE);
        put16s(&mut z, &[0, 0, 1, 1]);
        put32(&mut z, size as u32);
        put32(&mut z, start as u32);
        put16s(&mut z, &[0]);
        z
    }

    pub(crate) fn deflate_spaces(n: usize) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..n >> 20 {
            enc.write_all(&chunk).unwrap();
        }
        enc.finish().unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_zip::{deflate_spaces, deflated_zip};
    use super::*;

    /// Two cells at opposite corners of a sheet: tiny, but calamine would allocate 17 billion.
    #[test]
    fn a_sheet_spanning_too_many_cells_is_refused() {
        let xml = br#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>"#;
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut enc, xml).unwrap();
        let zip = deflated_zip(b"xl/worksheets/sheet1.xml", &enc.finish().unwrap(), xml.len() as u32);
        let err = check_inflation(&zip).unwrap_err();
        assert!(err.contains("spans 17179869184 cells"), "{err}");
        // Data prepended to an archive (the directory then points at the wrong place): refused.
        let mut shifted = b"junk".to_vec();
        shifted.extend_from_slice(&zip);
        assert!(check_inflation(&shifted).is_err());
    }

    #[test]
    fn a_zip_bomb_is_refused_whatever_size_it_claims() {
        // 400 MiB of spaces in a few hundred KB, claiming to be 1 KB.
        let bomb = deflated_zip(b"xl/worksheets/sheet1.xml", &deflate_spaces(400 << 20), 1024);
        let err = check_inflation(&bomb).unwrap_err();
        assert!(err.contains("a zip bomb"), "{err}");
        // A small entry that compresses very well passes (ratios count from 64 KiB compressed),
        // and so does ordinary sheet XML.
        let fine = deflated_zip(b"xl/workbook.xml", &deflate_spaces(1 << 20), 1 << 20);
        assert_eq!(check_inflation(&fine), Ok(()));
        let text: Vec<u8> =
            (0..200_000u32).flat_map(|i| format!("<c r=\"A{i}\"><v>{i}</v></c>").into_bytes()).collect();
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut enc, &text).unwrap();
        let xml = deflated_zip(b"xl/worksheets/sheet1.xml", &enc.finish().unwrap(), text.len() as u32);
        assert_eq!(check_inflation(&xml), Ok(()));
    }

    /// The smallest archive: no entries, just the end record.
    const EMPTY_ZIP: [u8; 22] = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    #[test]
    fn an_appended_entry_reads_back_and_a_replaced_one_shows_its_new_content() {
        let zip = Directory::read(&EMPTY_ZIP).unwrap().append(&EMPTY_ZIP, b"a.txt", b"first").unwrap();
        assert_eq!(read_entry(&zip, b"a.txt").unwrap(), b"first");
        let dir = Directory::read(&zip).unwrap();
        let entry = dir.entry(&zip, b"a.txt").unwrap();
        let zip = dir.replace(&zip, &entry, b"second").unwrap();
        assert_eq!(read_entry(&zip, b"a.txt").unwrap(), b"second");
        assert!(has_entry(&zip, b"a.txt") && !has_entry(&zip, b"b.txt"));
    }

    #[test]
    fn garbage_is_not_an_archive() {
        assert!(Directory::read(b"PK\x03\x04 not really a zip").is_none());
    }
}

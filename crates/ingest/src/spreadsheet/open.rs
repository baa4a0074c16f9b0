//! Opens a spreadsheet file after checking it is one: size limit first, then the first bytes, so a
//! renamed PDF or a password-protected workbook is refused with a message an officer understands.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Dimensions, Reader, SheetType, SheetVisible, Sheets, Xls, XlsError, Xlsb, Xlsx, XlsxError};

use super::grid::Grid;
use super::{ods, xlsx_merges, zipfile};
use crate::Error;

type Bytes = Cursor<Vec<u8>>;

/// Zip archives (xlsx, xlsm, xlsb, ods) start with `PK\x03\x04`.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// OLE compound files start with `D0 CF 11 E0`: a legacy .xls, or an encrypted xlsx, which Excel
/// wraps in a compound file around the encrypted zip.
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
/// The first entry of an OpenDocument zip: the file name `mimetype`, then its uncompressed content.
const ODS_MIMETYPE: &[u8] = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet";

/// An opened workbook, or a CSV file read as a one-sheet workbook.
pub(crate) struct Workbook {
    pub(crate) file: String,
    book: Book,
}

enum Book {
    Calamine(Box<Sheets<Bytes>>, Merges),
    Csv(Option<Grid>),
}

/// Where a workbook's merged cells come from.
enum Merges {
    /// An .xlsx file's bytes, searched by `xlsx_merges` (calamine's own reader is as slow as the cells).
    Xlsx(Vec<u8>),
    /// An .ods file's blocks by sheet, which calamine does not expose.
    Ods(HashMap<String, Vec<Dimensions>>),
    /// Ask calamine (.xls), or none (.xlsb).
    Calamine,
}

/// A sheet's name and whether an officer would see it (hidden sheets are read only when named).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    pub name: String,
    pub visible: bool,
}

/// The name reports use for a file: its file name, not the whole path.
pub(crate) fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

impl Workbook {
    pub(crate) fn open(path: &Path, max_bytes: u64) -> Result<Self, Error> {
        let file = display_name(path);
        let io = |source| Error::Io { file: file.clone(), source };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > max_bytes {
            return Err(Error::TooLarge { file, size, limit: max_bytes });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        if bytes.is_empty() {
            return Err(Error::Empty { file });
        }
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        let book = if ext == "csv" {
            Book::Csv(Some(read_csv(&file, &bytes)?))
        } else if bytes.starts_with(ZIP_MAGIC) {
            let (sheets, merges) = open_zip(&file, &ext, bytes)?;
            Book::Calamine(Box::new(sheets), merges)
        } else if bytes.starts_with(CFB_MAGIC) {
            Book::Calamine(Box::new(open_cfb(&file, &ext, bytes)?), Merges::Calamine)
        } else {
            return Err(Error::NotSpreadsheet { file, reason: not_a_workbook(&ext, &bytes) });
        };
        Ok(Self { file, book })
    }

    /// Sheets in workbook order; chart and macro sheets are left out.
    pub(crate) fn sheets(&self) -> Vec<SheetInfo> {
        match &self.book {
            Book::Csv(_) => vec![SheetInfo { name: String::new(), visible: true }],
            Book::Calamine(sheets, _) => sheets
                .sheets_metadata()
                .iter()
                .filter(|s| s.typ == SheetType::WorkSheet)
                .map(|s| SheetInfo { name: s.name.clone(), visible: s.visible == SheetVisible::Visible })
                .collect(),
        }
    }

    pub(crate) fn is_csv(&self) -> bool {
        matches!(self.book, Book::Csv(_))
    }

    /// The first visible sheet, read: (file name, sheet name, its cells). The lookup files
    /// (LA regions, population) hold their table on their first sheet.
    pub(crate) fn first_visible(path: &Path, max_bytes: u64) -> Result<(String, String, Grid), Error> {
        let mut workbook = Self::open(path, max_bytes)?;
        let file = workbook.file.clone();
        let sheet = workbook
            .sheets()
            .into_iter()
            .find(|s| s.visible)
            .map(|s| s.name)
            .ok_or_else(|| Error::NoSheet { file: file.clone() })?;
        let grid = workbook.load(&sheet)?;
        Ok((file, sheet, grid))
    }

    /// Reads one sheet's cells, and for Excel files its merged blocks.
    pub(crate) fn load(&mut self, name: &str) -> Result<Grid, Error> {
        let file = &self.file;
        let fail =
            |message: String| Error::Workbook { file: file.clone(), message: format!("sheet {name:?}: {message}") };
        match &mut self.book {
            Book::Csv(grid) => grid.take().ok_or_else(|| fail("already read".into())),
            Book::Calamine(sheets, merges) => {
                let range = sheets.worksheet_range(name).map_err(|e| fail(e.to_string()))?;
                let merged = match (sheets.as_mut(), merges) {
                    (_, Merges::Ods(by_sheet)) => by_sheet.get(name).cloned().unwrap_or_default(),
                    (Sheets::Xlsx(x), Merges::Xlsx(bytes)) => match xlsx_merges::merged_blocks(bytes, name) {
                        Some(blocks) => blocks,
                        None => x.merge_cells_by_sheet_name(name).map_err(|e| fail(e.to_string()))?,
                    },
                    (Sheets::Xls(x), _) => x.merge_cells_by_sheet_name(name).map_err(|e| fail(e.to_string()))?,
                    // calamine does not expose merged cells of xlsb files: values stay in the top-left cell.
                    _ => Vec::new(),
                };
                Ok(Grid::new(range, &merged))
            }
        }
    }
}

fn open_zip(file: &str, ext: &str, bytes: Vec<u8>) -> Result<(Sheets<Bytes>, Merges), Error> {
    let workbook = |message: String| Error::Workbook { file: file.to_owned(), message };
    zipfile::check_inflation(&bytes).map_err(|reason| Error::NotSpreadsheet { file: file.to_owned(), reason })?;
    // An OpenDocument file stores its type uncompressed as the first zip entry, whatever its name.
    let is_ods = ext == "ods"
        || bytes.get(30..).is_some_and(|b| b.starts_with(ODS_MIMETYPE))
        || zipfile::has_entry(&bytes, b"content.xml");
    if is_ods {
        let (ods, merged) = ods::open_ods(file, bytes)?;
        return Ok((Sheets::Ods(ods), Merges::Ods(merged)));
    }
    if ext == "xlsb" {
        let xlsb = Xlsb::new(Cursor::new(bytes)).map_err(|e| workbook(e.to_string()))?;
        return Ok((Sheets::Xlsb(xlsb), Merges::Calamine));
    }
    match Xlsx::new(Cursor::new(bytes.clone())) {
        Ok(xlsx) => Ok((Sheets::Xlsx(xlsx), Merges::Xlsx(bytes))),
        Err(XlsxError::Password) => Err(Error::Encrypted { file: file.to_owned() }),
        Err(e) => Err(Error::NotSpreadsheet {
            file: file.to_owned(),
            reason: format!("a zip archive but not an Excel or OpenDocument workbook ({e})"),
        }),
    }
}

fn open_cfb(file: &str, ext: &str, bytes: Vec<u8>) -> Result<Sheets<Bytes>, Error> {
    match Xls::new(Cursor::new(bytes.clone())) {
        Ok(xls) => Ok(Sheets::Xls(xls)),
        Err(XlsError::Password) => Err(Error::Encrypted { file: file.to_owned() }),
        // An Excel 2007+ name on a compound file that is not a legacy workbook: Excel writes a
        // password-protected xlsx exactly like this.
        Err(_) if matches!(ext, "xlsx" | "xlsm" | "xlsb") => Err(Error::Encrypted { file: file.to_owned() }),
        Err(xls_error) => match Xlsx::new(Cursor::new(bytes)) {
            Err(XlsxError::Password) => Err(Error::Encrypted { file: file.to_owned() }),
            _ => Err(Error::Workbook { file: file.to_owned(), message: xls_error.to_string() }),
        },
    }
}

fn not_a_workbook(ext: &str, bytes: &[u8]) -> String {
    let kind = if bytes.starts_with(b"%PDF") {
        "it is a PDF document".to_owned()
    } else if bytes.starts_with(b"<") || bytes.starts_with(b"\xEF\xBB\xBF<") {
        "it is an HTML or XML document".to_owned()
    } else if std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok() {
        "it is plain text; save a CSV file with a .csv name".to_owned()
    } else {
        "its content is not an Excel or OpenDocument workbook".to_owned()
    };
    if ext.is_empty() { kind } else { format!("named .{ext} but {kind}") }
}

/// Reads a CSV file as a grid: UTF-8 (with or without a byte-order mark), else Windows-1252, the
/// encoding Excel's plain "CSV (Comma delimited)" writes on British Windows.
fn read_csv(file: &str, bytes: &[u8]) -> Result<Grid, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    if text.contains('\0') {
        return Err(Error::NotSpreadsheet { file: file.to_owned(), reason: "named .csv but it is binary".into() });
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    // Line numbers are counted from byte offsets: the csv crate's own count drifts with CRLF endings.
    let mut lines = LineCounter { text: text.as_bytes(), at: 0, line: 1 };
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::Csv {
            file: file.to_owned(),
            line: e.position().map_or(0, |p| lines.line_at(p.byte())),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(records.len() as u64 + 1, |p| lines.line_at(p.byte()));
        records.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(Grid::from_records(records))
}

/// Line number of a byte offset, for offsets that only grow.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, byte: u64) -> u64 {
        // The csv crate places a record after the `\r` of a CRLF ending (and before blank lines it
        // skips): the record itself starts after those line breaks.
        let mut byte = (byte as usize).min(self.text.len());
        while matches!(self.text.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        if byte > self.at {
            self.line += self.text[self.at..byte].iter().filter(|&&b| b == b'\n').count() as u64;
            self.at = byte;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 400 MiB sheet in a few hundred KB (the shape of the 4.5 MB xlsx that inflated to 1.2 GB)
    /// is refused before calamine reads a byte of it.
    #[test]
    fn a_zip_bomb_workbook_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.xlsx");
        let data = zipfile::test_zip::deflate_spaces(400 << 20);
        std::fs::write(&path, zipfile::test_zip::deflated_zip(b"xl/worksheets/sheet1.xml", &data, 4096)).unwrap();
        let err = Workbook::open(&path, u64::MAX).err().expect("refused");
        assert!(matches!(err, Error::NotSpreadsheet { .. }), "{err}");
        assert!(err.to_string().contains("zip bomb"), "{err}");
    }
}

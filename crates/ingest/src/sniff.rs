//! Decides how a text file is encoded while the caller streams it once (to hash it, say):
//! valid UTF-8 is read as UTF-8, anything else as Windows-1252, as GIAS downloads are.

/// The encoding a text file will be decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1252,
}

/// Fed the file chunk by chunk; tells the encoding and whether it looks like text at all.
#[derive(Debug, Default)]
pub struct TextSniffer {
    /// Bytes of a UTF-8 sequence split across two chunks.
    carry: Vec<u8>,
    utf8_valid: bool,
    started: bool,
    bytes: u64,
    nul_at: Option<u64>,
    /// The first bytes, to recognise UTF-16 (a BOM, or every other byte NUL).
    head: Vec<u8>,
}

impl TextSniffer {
    pub fn new() -> Self {
        Self { utf8_valid: true, ..Self::default() }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        self.started = true;
        if self.head.len() < 64 {
            let take = (64 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if self.nul_at.is_none()
            && let Some(i) = chunk.iter().position(|&b| b == 0)
        {
            self.nul_at = Some(self.bytes + i as u64);
        }
        self.bytes += chunk.len() as u64;
        if !self.utf8_valid {
            return;
        }
        let data: std::borrow::Cow<[u8]> = if self.carry.is_empty() {
            chunk.into()
        } else {
            let mut joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(chunk);
            joined.into()
        };
        match std::str::from_utf8(&data) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => self.carry = data[e.valid_up_to()..].to_vec(),
            Err(_) => self.utf8_valid = false,
        }
    }

    /// The encoding to read with, or why the bytes are not a text file.
    pub fn finish(self) -> Result<TextEncoding, String> {
        if self.is_utf16() {
            return Err("UTF-16 text (Excel's \"Unicode Text\"), not UTF-8 or Windows-1252: in Excel, Save As \"CSV UTF-8 (Comma delimited)\" and import that".to_owned());
        }
        if let Some(at) = self.nul_at {
            return Err(format!("binary data: a NUL byte at offset {at}"));
        }
        if self.utf8_valid && self.carry.is_empty() { Ok(TextEncoding::Utf8) } else { Ok(TextEncoding::Windows1252) }
    }

    fn is_utf16(&self) -> bool {
        let h = &self.head;
        if h.starts_with(&[0xFF, 0xFE]) || h.starts_with(&[0xFE, 0xFF]) {
            return true;
        }
        // ASCII text in UTF-16 without a BOM: NUL at every odd (LE) or every even (BE) offset.
        let pairs: Vec<&[u8]> = h.chunks_exact(2).collect();
        pairs.len() >= 4
            && (pairs.iter().all(|p| p[1] == 0 && p[0] != 0) || pairs.iter().all(|p| p[0] == 0 && p[1] != 0))
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

/// Sniffs a whole in-memory buffer.
pub fn sniff(bytes: &[u8]) -> Result<TextEncoding, String> {
    let mut s = TextSniffer::new();
    s.update(bytes);
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_split_across_chunks_is_still_utf8() {
        let text = "St Mary\u{2019}s".as_bytes();
        let mut s = TextSniffer::new();
        s.update(&text[..8]);
        s.update(&text[8..]);
        assert_eq!(s.finish(), Ok(TextEncoding::Utf8));
    }

    #[test]
    fn a_windows_1252_apostrophe_is_not_utf8() {
        assert_eq!(sniff(b"St Mary\x92s"), Ok(TextEncoding::Windows1252));
    }

    #[test]
    fn utf16_is_named_with_the_way_out() {
        let utf16le: Vec<u8> = "\u{feff}URN,LA (code)\r\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let err = sniff(&utf16le).unwrap_err();
        assert!(err.starts_with("UTF-16 text") && err.contains("CSV UTF-8"), "{err}");
        let no_bom: Vec<u8> = "URN,LA (code)\r\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(sniff(&no_bom).unwrap_err().starts_with("UTF-16 text"));
        assert!(sniff(b"URN,LA").is_ok());
    }

    #[test]
    fn a_nul_byte_means_not_text() {
        assert!(sniff(b"PK\x03\x04\x00\x00").unwrap_err().contains("NUL byte at offset 4"));
    }
}

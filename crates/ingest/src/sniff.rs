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
}

impl TextSniffer {
    pub fn new() -> Self {
        Self { utf8_valid: true, ..Self::default() }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        self.started = true;
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
        if let Some(at) = self.nul_at {
            return Err(format!("binary data: a NUL byte at offset {at}"));
        }
        if self.utf8_valid && self.carry.is_empty() { Ok(TextEncoding::Utf8) } else { Ok(TextEncoding::Windows1252) }
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
    fn a_nul_byte_means_not_text() {
        assert!(sniff(b"PK\x03\x04\x00\x00").unwrap_err().contains("NUL byte at offset 4"));
    }
}

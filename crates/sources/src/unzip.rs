//! Unpacks a downloaded ZIP with limits: entry count, each entry's size and the compression
//! ratio are checked while reading, so a zip bomb is refused rather than filling the disk.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::Error;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    /// Largest uncompressed entry.
    pub max_entry_bytes: u64,
    /// Largest uncompressed / compressed ratio of an entry.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_entries: 1_000, max_entry_bytes: 2 * 1024 * 1024 * 1024, max_ratio: 200 }
    }
}

/// Extracts the `.csv` entries of `zip` into `dir` (flat, by file name) and returns their paths.
pub fn csv_entries(zip: &Path, dir: &Path, limits: Limits) -> Result<Vec<PathBuf>, Error> {
    let name = zip.display().to_string();
    let fail = |message: String| Error::Zip { file: name.clone(), message };
    let io = |source| Error::Io { path: dir.display().to_string(), source };
    let file = File::open(zip).map_err(|source| Error::Io { path: name.clone(), source })?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| fail(format!("not a ZIP archive: {e}")))?;
    if archive.len() > limits.max_entries {
        return Err(fail(format!("{} entries, more than the limit of {}", archive.len(), limits.max_entries)));
    }
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| fail(e.to_string()))?;
        let Some(entry_path) = entry.enclosed_name() else {
            return Err(fail(format!("entry {:?} escapes the archive", entry.name())));
        };
        let is_csv = entry_path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if entry.is_dir() || !is_csv {
            continue;
        }
        let file_name = entry_path.file_name().map(|n| n.to_owned()).unwrap_or_default();
        let compressed = entry.compressed_size().max(1);
        // The declared size can lie: count what actually comes out, one byte past the limit.
        let cap = limits.max_entry_bytes.min(compressed.saturating_mul(limits.max_ratio));
        let target = dir.join(&file_name);
        let mut dest = File::create(&target).map_err(io)?;
        let mut limited = (&mut entry).take(cap + 1);
        let mut buf = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        loop {
            let n = limited.read(&mut buf).map_err(|e| fail(format!("{}: {e}", entry_path.display())))?;
            if n == 0 {
                break;
            }
            written += n as u64;
            if written > cap {
                drop(dest);
                let _ = std::fs::remove_file(&target);
                return Err(fail(format!(
                    "{} unpacks past the limit ({cap} bytes, ratio {}:1 allowed): refused as a possible zip bomb",
                    entry_path.display(),
                    limits.max_ratio
                )));
            }
            dest.write_all(&buf[..n]).map_err(io)?;
        }
        out.push(target);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(entries: &[(&str, Vec<u8>)]) -> tempfile::NamedTempFile {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        let mut w = zip::ZipWriter::new(tmp.reopen().unwrap());
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
        tmp
    }

    #[test]
    fn csv_entries_are_unpacked_and_others_skipped() {
        let zip = zip_with(&[("data/a.csv", b"x,y\n1,2\n".to_vec()), ("meta/readme.txt", b"hi".to_vec())]);
        let dir = tempfile::tempdir().unwrap();
        let files = csv_entries(zip.path(), dir.path(), Limits::default()).unwrap();
        assert_eq!(files, vec![dir.path().join("a.csv")]);
        assert_eq!(std::fs::read(&files[0]).unwrap(), b"x,y\n1,2\n");
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let zip = zip_with(&[("bomb.csv", vec![b'0'; 5_000_000])]);
        let dir = tempfile::tempdir().unwrap();
        let err = csv_entries(zip.path(), dir.path(), Limits::default()).unwrap_err();
        assert!(err.to_string().contains("refused as a possible zip bomb"), "{err}");
        assert!(!dir.path().join("bomb.csv").exists());
    }

    #[test]
    fn not_a_zip_is_an_error() {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), b"time_period,x\n").unwrap();
        let err = csv_entries(tmp.path(), tmp.path().parent().unwrap(), Limits::default()).unwrap_err();
        assert!(err.to_string().contains("not a ZIP archive"), "{err}");
    }
}

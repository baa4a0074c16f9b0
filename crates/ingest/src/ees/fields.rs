//! A row's fields in one reused buffer, and the strings many observations share: a million-row
//! file would otherwise allocate a string per field and per observation key part.

use std::collections::HashSet;

use domain::SharedStr;

/// The current row's fields, decoded and trimmed, in one buffer reused from row to row.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    buf: String,
    spans: Vec<(usize, usize)>,
}

impl Fields {
    pub fn fill(&mut self, record: &csv::ByteRecord) {
        self.buf.clear();
        self.spans.clear();
        for raw in record {
            let start = self.buf.len();
            self.buf.push_str(super::decode(raw).trim());
            self.spans.push((start, self.buf.len()));
        }
    }

    /// The field at `idx`, or `""` past the end of a short row.
    pub fn get(&self, idx: usize) -> &str {
        self.spans.get(idx).map_or("", |&(start, end)| &self.buf[start..end])
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }
}

/// Hands out one shared copy of each string it has seen. Bounded: a file with endless distinct
/// values (URNs) only costs a fresh allocation once the table is full, never unbounded memory.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    seen: HashSet<SharedStr>,
}

impl Interner {
    const MAX: usize = 16_384;

    pub fn get(&mut self, s: &str) -> SharedStr {
        if let Some(shared) = self.seen.get(s) {
            return shared.clone();
        }
        if self.seen.len() >= Self::MAX {
            self.seen.clear();
        }
        let shared = SharedStr::from(s);
        self.seen.insert(shared.clone());
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_trimmed_and_short_rows_read_as_empty() {
        let mut f = Fields::default();
        f.fill(&csv::ByteRecord::from(vec![" 202223 ", "School", ""]));
        assert_eq!((f.len(), f.get(0), f.get(1), f.get(2), f.get(9)), (3, "202223", "School", "", ""));
        f.fill(&csv::ByteRecord::from(vec!["x"]));
        assert_eq!((f.len(), f.get(0), f.get(1)), (1, "x", ""));
    }

    #[test]
    fn interned_strings_share_one_allocation() {
        let mut i = Interner::default();
        let a = i.get("total");
        let b = i.get("total");
        assert!(std::sync::Arc::ptr_eq(&a.to_arc(), &b.to_arc()));
        assert_eq!(i.get("ehcp"), "ehcp");
    }
}

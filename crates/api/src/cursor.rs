//! Opaque Relay cursors keyed on the list's sort order (plus the URN, so ties are stable).

use async_graphql::connection::CursorType;
use store::query::schools::{SchoolKey, SchoolSort};

/// Where a page of schools ended: the sort it was taken in and the last key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolCursor {
    pub sort: SchoolSort,
    pub descending: bool,
    pub key: SchoolKey,
}

impl CursorType for SchoolCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let invalid = || "invalid cursor".to_owned();
        // A school's name is short; a long cursor is not one this server made.
        if s.len() > 1024 {
            return Err(invalid());
        }
        let bytes = hex::decode(s).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.splitn(3, '\t');
        let (Some(tag), Some(urn), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid());
        };
        let (sort, descending) = match tag {
            "name" => (SchoolSort::Name, false),
            "-name" => (SchoolSort::Name, true),
            "urn" => (SchoolSort::Urn, false),
            "-urn" => (SchoolSort::Urn, true),
            _ => return Err(invalid()),
        };
        let urn = urn.parse().map_err(|_| invalid())?;
        Ok(Self { sort, descending, key: SchoolKey { name: name.to_owned(), urn } })
    }

    fn encode_cursor(&self) -> String {
        let tag = match (self.sort, self.descending) {
            (SchoolSort::Name, false) => "name",
            (SchoolSort::Name, true) => "-name",
            (SchoolSort::Urn, false) => "urn",
            (SchoolSort::Urn, true) => "-urn",
        };
        hex::encode(format!("{tag}\t{}\t{}", self.key.urn, self.key.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hostile and mangled cursors: every one is "invalid cursor" or a cursor, never a panic.
    #[test]
    fn mangled_cursors_are_refused_not_trusted() {
        let good =
            SchoolCursor { sort: SchoolSort::Urn, descending: false, key: SchoolKey { name: "A".into(), urn: 1 } }
                .encode_cursor();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut bytes = good.clone().into_bytes();
            for _ in 0..=(next() % 4) {
                let at = (next() as usize) % (bytes.len() + 1);
                match next() % 3 {
                    0 if at < bytes.len() => bytes[at] = b"0123456789abcdefgZ\t"[(next() % 19) as usize],
                    1 => bytes.insert(at, b"0123456789abcdef"[(next() % 16) as usize]),
                    _ => bytes.truncate(at),
                }
            }
            let s = String::from_utf8_lossy(&bytes);
            if let Err(e) = SchoolCursor::decode_cursor(&s) {
                assert_eq!(e, "invalid cursor");
            }
        }
        assert!(SchoolCursor::decode_cursor(&"61".repeat(5000)).is_err(), "over-long cursors are refused");
        assert!(SchoolCursor::decode_cursor(&hex::encode("urn\t99999999999999\tA")).is_err(), "URN out of range");
    }

    #[test]
    fn a_cursor_round_trips_with_tabs_in_the_name() {
        let c = SchoolCursor {
            sort: SchoolSort::Name,
            descending: true,
            key: SchoolKey { name: "St Mary\u{2019}s\tAnnex".into(), urn: 118001 },
        };
        assert_eq!(SchoolCursor::decode_cursor(&c.encode_cursor()), Ok(c));
    }

    #[test]
    fn garbage_is_an_invalid_cursor() {
        assert_eq!(SchoolCursor::decode_cursor("zz"), Err("invalid cursor".to_owned()));
    }
}

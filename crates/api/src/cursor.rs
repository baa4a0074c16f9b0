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

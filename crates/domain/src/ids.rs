//! Identifier newtypes, so a URN can never be passed where a LAESTAB is wanted.

use std::fmt;

use crate::Error;

/// Unique Reference Number of an establishment, as GIAS assigns it (six digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Urn(i32);

impl Urn {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::UrnNotNumber(s.to_owned()));
        }
        let n: i64 = s.parse().map_err(|_| Error::UrnNotNumber(s.to_owned()))?;
        Self::new(n)
    }

    pub fn new(n: i64) -> Result<Self, Error> {
        if (100_000..=999_999).contains(&n) { Ok(Self(n as i32)) } else { Err(Error::UrnOutOfRange(n)) }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Old-style three-digit local authority number, e.g. `886` for Kent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LaCode(String);

impl LaCode {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::LaCode(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// LA code followed by the four-digit establishment number, e.g. `8862001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Laestab(String);

impl Laestab {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if s.len() == 7 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::Laestab(s.to_owned()))
        }
    }

    /// Joins an LA code and an establishment number as GIAS publishes them separately.
    pub fn from_parts(la: &LaCode, establishment_number: &str) -> Result<Self, Error> {
        Self::parse(&format!("{}{:0>4}", la.as_str(), establishment_number.trim()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// GSS code of a local authority district, e.g. `E07000105` (Ashford).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DistrictCode(String);

impl DistrictCode {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        let ok = s.len() == 9 && s.as_bytes()[0].is_ascii_uppercase() && s.bytes().skip(1).all(|b| b.is_ascii_digit());
        if ok { Ok(Self(s.to_owned())) } else { Err(Error::DistrictCode(s.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_six_digit_urn_parses() {
        assert_eq!(Urn::parse(" 118000 ").unwrap().get(), 118000);
    }

    #[test]
    fn a_urn_with_letters_is_rejected() {
        assert_eq!(Urn::parse("12A45").unwrap_err().to_string(), "URN is not a number (\"12A45\")");
    }

    #[test]
    fn an_empty_urn_is_rejected() {
        assert!(Urn::parse("").is_err());
    }

    #[test]
    fn a_urn_too_short_is_rejected() {
        assert_eq!(Urn::parse("12345"), Err(Error::UrnOutOfRange(12345)));
    }

    #[test]
    fn a_urn_too_long_for_an_integer_is_rejected_not_a_panic() {
        assert!(Urn::parse("99999999999999999999999").is_err());
    }

    #[test]
    fn an_la_code_must_have_three_digits() {
        assert!(LaCode::parse("886").is_ok());
        assert!(LaCode::parse("0").is_err());
        assert!(LaCode::parse("88a").is_err());
    }

    #[test]
    fn a_laestab_joins_la_and_padded_establishment_number() {
        let la = LaCode::parse("886").unwrap();
        assert_eq!(Laestab::from_parts(&la, "2001").unwrap().as_str(), "8862001");
        assert_eq!(Laestab::from_parts(&la, "42").unwrap().as_str(), "8860042");
    }

    #[test]
    fn a_district_code_is_a_gss_code() {
        assert!(DistrictCode::parse("E07000105").is_ok());
        assert!(DistrictCode::parse("9999").is_err());
    }
}

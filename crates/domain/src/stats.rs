//! Statistics vocabulary shared by parsers and the API: a cell that is a number or a DfE symbol,
//! the time periods EES files use, and the cohort codes observations are filed under.

use std::fmt;

/// One value cell of a statistics file. A symbol is not a number and never zero.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(f64),
    /// The token as written (trimmed), e.g. `c`, `low`, `:`; see [`symbol_meaning`].
    Symbol(String),
    Empty,
}

/// DfE symbols (statistics production guidance, GSS bracketed forms and older tables) with what
/// they mean. Compared case-insensitively; the cell keeps the text as written.
pub const KNOWN_SYMBOLS: &[(&str, &str)] = &[
    ("c", "confidential: suppressed to protect confidentiality"),
    ("x", "unavailable"),
    ("z", "not applicable"),
    ("low", "rounds to zero, but is not zero"),
    ("u", "low reliability"),
    ("k", "rounds to zero, but is not zero"),
    ("w", "no data"),
    (":", "not available"),
    ("~", "fewer than five, or rounds to zero"),
    (".", "not applicable"),
    ("..", "not available"),
    ("-", "nil or negligible"),
    ("*", "suppressed"),
    ("#", "suppressed"),
    ("n/a", "not applicable"),
    ("na", "not applicable"),
    ("supp", "suppressed"),
    ("ne", "no entries"),
    ("np", "not published"),
    ("lowcov", "low coverage"),
    ("new", "new school: no figures yet"),
];

/// What a DfE symbol means, or `None` for a token nobody documented. `[c]`-style bracketed
/// forms mean what their bare letters mean.
pub fn symbol_meaning(token: &str) -> Option<&'static str> {
    let t = token.trim();
    let bare = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(t);
    KNOWN_SYMBOLS.iter().find(|(s, _)| s.eq_ignore_ascii_case(bare)).map(|(_, m)| *m)
}

impl Cell {
    /// Reads a cell: spaces trimmed, then a number (plain, signed, decimal, exponent, or with
    /// thousands separators like `1,234,567`), else a symbol. Never fails and never invents 0.
    pub fn parse(raw: &str) -> Cell {
        let s = raw.trim();
        if s.is_empty() {
            return Cell::Empty;
        }
        match parse_number(s) {
            Some(n) => Cell::Number(n),
            None => Cell::Symbol(s.to_owned()),
        }
    }

    pub fn value(&self) -> Option<f64> {
        match self {
            Cell::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn symbol(&self) -> Option<&str> {
        match self {
            Cell::Symbol(s) => Some(s),
            _ => None,
        }
    }

    /// A token that is neither a number nor a documented symbol: kept, but worth a warning.
    pub fn is_unknown_symbol(&self) -> bool {
        matches!(self, Cell::Symbol(s) if symbol_meaning(s).is_none())
    }
}

/// Strict decimal grammar: Rust's `f64::from_str` also takes `inf` and `NaN`, which are not
/// statistics.
fn parse_number(s: &str) -> Option<f64> {
    let grouped = is_thousands_grouped(s);
    if !grouped && !is_plain_number(s) {
        return None;
    }
    let text = if grouped { s.replace(',', "") } else { s.to_owned() };
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn is_plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// `1,234` or `-12,345.6`: groups of exactly three digits after the first, so `1,23` (a list or a
/// European decimal) is never read as a number.
fn is_thousands_grouped(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    int.contains(',')
        && (1..=3).contains(&first.len())
        && all_digits(first)
        && groups.all(|g| g.len() == 3 && all_digits(g))
        && all_digits(frac)
        && !(body.contains('.') && frac.is_empty())
}

/// Why a time period from a file or an argument is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimePeriodError {
    #[error("time period is not a year (2022) or a two-year period (202223 or 2022/23) ({0:?})")]
    NotAPeriod(String),
    #[error("the second year of a two-year period must follow the first ({0:?})")]
    YearsDoNotFollow(String),
}

/// Identifiers that name the whole year, so the display shows the years alone.
const WHOLE_YEAR_IDENTIFIERS: &[&str] =
    &["Academic year", "Calendar year", "Financial year", "Tax year", "Reporting year"];

/// An EES time period: the raw code (`2014`, `202223`) and its `time_identifier`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimePeriod {
    code: String,
    identifier: Option<String>,
}

impl TimePeriod {
    /// From a file's `time_period` and `time_identifier` columns.
    pub fn parse(time_period: &str, time_identifier: &str) -> Result<Self, TimePeriodError> {
        let code = parse_code(time_period.trim())?;
        let identifier = Some(time_identifier.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(Self { code, identifier })
    }

    /// From what a user or a GraphQL argument passes: `2022/23`, `2022-23`, `202223` or `2022`,
    /// optionally followed by the identifier (`2022/23 Autumn and spring term`).
    pub fn parse_arg(arg: &str) -> Result<Self, TimePeriodError> {
        let arg = arg.trim();
        let (years, rest) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
        let code = match years.split_once(['/', '-']) {
            Some((first, second)) => {
                let not_a_period = || TimePeriodError::NotAPeriod(arg.to_owned());
                let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
                if first.len() != 4 || !digits(first) || !digits(second) {
                    return Err(not_a_period());
                }
                // `2022/2023` names the second year in full; keep its last two digits.
                let short = match second.len() {
                    2 => second,
                    4 if second.parse::<u32>().ok() == first.parse::<u32>().ok().map(|y| y + 1) => &second[2..],
                    4 => return Err(TimePeriodError::YearsDoNotFollow(arg.to_owned())),
                    _ => return Err(not_a_period()),
                };
                parse_code(&format!("{first}{short}")).map_err(|e| match e {
                    TimePeriodError::NotAPeriod(_) => not_a_period(),
                    TimePeriodError::YearsDoNotFollow(_) => TimePeriodError::YearsDoNotFollow(arg.to_owned()),
                })?
            }
            None => parse_code(years)?,
        };
        let identifier = Some(rest.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(Self { code, identifier })
    }

    /// The code as EES writes it: `202223`, `2014`.
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn identifier(&self) -> Option<&str> {
        self.identifier.as_deref()
    }

    /// The first (or only) year.
    pub fn start_year(&self) -> i32 {
        self.code[..4].parse().unwrap_or_default()
    }

    /// As DfE shows it: `2022/23`, `2022`, or with a term `2022/23 Autumn and spring term`.
    pub fn display(&self) -> String {
        let years = match self.code.len() {
            6 => format!("{}/{}", &self.code[..4], &self.code[4..]),
            _ => self.code.clone(),
        };
        match &self.identifier {
            Some(id) if !WHOLE_YEAR_IDENTIFIERS.iter().any(|w| w.eq_ignore_ascii_case(id)) => format!("{years} {id}"),
            _ => years,
        }
    }
}

impl fmt::Display for TimePeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

fn parse_code(s: &str) -> Result<String, TimePeriodError> {
    if !s.bytes().all(|b| b.is_ascii_digit()) || !(s.len() == 4 || s.len() == 6) {
        return Err(TimePeriodError::NotAPeriod(s.to_owned()));
    }
    if s.len() == 6 {
        let first: u32 = s[..4].parse().map_err(|_| TimePeriodError::NotAPeriod(s.to_owned()))?;
        let second: u32 = s[4..].parse().map_err(|_| TimePeriodError::NotAPeriod(s.to_owned()))?;
        if (first + 1) % 100 != second {
            return Err(TimePeriodError::YearsDoNotFollow(s.to_owned()));
        }
    }
    Ok(s.to_owned())
}

/// Cohort codes an observation is filed under. Plain strings, so a mapping can name groups we
/// have no constant for (other social-care groups keep their own codes).
pub mod cohort {
    pub const ALL: &str = "all";
    /// Any special educational need (SEN support or an EHC plan).
    pub const SEN: &str = "sen";
    pub const SEN_SUPPORT: &str = "sen_support";
    pub const EHCP: &str = "ehcp";
    pub const NO_SEN: &str = "no_sen";
    /// Children looked after (CLA).
    pub const CIC: &str = "cic";
    /// Children in need (other than looked after or on a protection plan).
    pub const CIN: &str = "cin";
    /// Children on a child protection plan.
    pub const CPP: &str = "cpp";
    pub const KNOWN: &[&str] = &[ALL, SEN, SEN_SUPPORT, EHCP, NO_SEN, CIC, CIN, CPP];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_with_a_leading_space_is_a_number() {
        assert_eq!(Cell::parse(" 47.665"), Cell::Number(47.665));
    }

    #[test]
    fn signed_and_exponent_numbers_are_numbers() {
        assert_eq!(Cell::parse("-3"), Cell::Number(-3.0));
        assert_eq!(Cell::parse("1E-05"), Cell::Number(0.00001));
        assert_eq!(Cell::parse(".5"), Cell::Number(0.5));
    }

    #[test]
    fn thousands_separators_are_read_when_unambiguous() {
        assert_eq!(Cell::parse("1,234"), Cell::Number(1234.0));
        assert_eq!(Cell::parse("12,345,678.5"), Cell::Number(12_345_678.5));
    }

    #[test]
    fn an_ambiguous_comma_is_not_a_number() {
        assert_eq!(Cell::parse("1,23"), Cell::Symbol("1,23".into()));
        assert_eq!(Cell::parse("1234,567"), Cell::Symbol("1234,567".into()));
    }

    #[test]
    fn infinity_and_nan_are_not_numbers() {
        assert!(Cell::parse("inf").is_unknown_symbol());
        assert!(Cell::parse("NaN").is_unknown_symbol());
    }

    #[test]
    fn every_dfe_symbol_round_trips_as_text_with_no_value() {
        for token in ["c", "x", "z", "low", "u", ":", "~", ".", "-", "..", "*", "#", "n/a", "N/A", "[c]", "SUPP"] {
            let cell = Cell::parse(token);
            assert_eq!(cell.symbol(), Some(token), "{token}");
            assert_eq!(cell.value(), None, "{token}");
            assert!(!cell.is_unknown_symbol(), "{token}");
        }
    }

    #[test]
    fn an_unknown_token_is_kept_and_flagged() {
        let cell = Cell::parse(" banana ");
        assert_eq!(cell, Cell::Symbol("banana".into()));
        assert!(cell.is_unknown_symbol());
    }

    #[test]
    fn a_blank_cell_is_empty_not_zero() {
        assert_eq!(Cell::parse("   "), Cell::Empty);
        assert_eq!(Cell::parse("").value(), None);
    }

    #[test]
    fn a_six_digit_academic_year_displays_with_a_slash() {
        assert_eq!(TimePeriod::parse("202223", "Academic year").unwrap().display(), "2022/23");
    }

    #[test]
    fn a_six_digit_financial_year_displays_with_a_slash() {
        assert_eq!(TimePeriod::parse("202425", "Financial year").unwrap().display(), "2024/25");
    }

    #[test]
    fn a_calendar_year_displays_as_the_year() {
        assert_eq!(TimePeriod::parse("2014", "Calendar year").unwrap().display(), "2014");
    }

    #[test]
    fn a_term_adds_its_name() {
        let period = TimePeriod::parse("202223", "Autumn and spring term").unwrap();
        assert_eq!(period.display(), "2022/23 Autumn and spring term");
        assert_eq!(period.code(), "202223");
        assert_eq!(period.start_year(), 2022);
    }

    #[test]
    fn a_turn_of_the_century_period_is_valid() {
        assert_eq!(TimePeriod::parse("199900", "Academic year").unwrap().display(), "1999/00");
    }

    #[test]
    fn years_that_do_not_follow_are_rejected() {
        assert_eq!(
            TimePeriod::parse("202224", "Academic year"),
            Err(TimePeriodError::YearsDoNotFollow("202224".into()))
        );
    }

    #[test]
    fn a_non_period_is_rejected() {
        for bad in ["", "22", "20222", "2022/23", "abcd", "20222023"] {
            assert!(TimePeriod::parse(bad, "Academic year").is_err(), "{bad}");
        }
    }

    #[test]
    fn an_argument_may_be_written_with_a_slash() {
        assert_eq!(TimePeriod::parse_arg("2022/23").unwrap().code(), "202223");
        assert_eq!(TimePeriod::parse_arg("2022-23").unwrap().code(), "202223");
        assert_eq!(TimePeriod::parse_arg("2022/2023").unwrap().code(), "202223");
    }

    #[test]
    fn an_argument_may_be_the_raw_code() {
        assert_eq!(TimePeriod::parse_arg("202223").unwrap().code(), "202223");
        assert_eq!(TimePeriod::parse_arg(" 2022 ").unwrap().code(), "2022");
    }

    #[test]
    fn an_argument_may_name_the_term() {
        let period = TimePeriod::parse_arg("2022/23 Autumn and spring term").unwrap();
        assert_eq!(period.identifier(), Some("Autumn and spring term"));
        assert_eq!(period.to_string(), "2022/23 Autumn and spring term");
    }

    #[test]
    fn a_bad_argument_is_rejected() {
        assert!(TimePeriod::parse_arg("2022/24").is_err());
        assert!(TimePeriod::parse_arg("2022/2024").is_err());
        assert!(TimePeriod::parse_arg("last year").is_err());
    }
}

//! What one cell holds, whatever wrote the file: calamine's values read as text, whole numbers, dates
//! and yes/no, the way an analyst would read them (numbers typed as text, dates typed as text).

use calamine::Data;
use chrono::{Datelike, Days, NaiveDate};

/// Excel's column letter: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letter(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.iter().rev().map(|&b| b as char).collect()
}

/// A cell as the parsers see it; text is trimmed and blank text is `Empty`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    /// An Excel error such as `#N/A`, as Excel shows it.
    Error(String),
}

/// Error tokens Excel writes, also found as plain text in CSV exports.
const EXCEL_ERRORS: [&str; 8] = ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#DATA!"];

pub(crate) fn value(data: &Data) -> Value<'_> {
    match data {
        Data::Empty => Value::Empty,
        Data::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                Value::Empty
            } else if s.starts_with('#') && EXCEL_ERRORS.iter().any(|e| e.eq_ignore_ascii_case(s)) {
                Value::Error(s.to_uppercase())
            } else {
                Value::Text(s)
            }
        }
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(y.into(), m.into(), d.into()).map_or(Value::Number(dt.as_f64()), Value::Date)
        }
        Data::DateTime(dt) => Value::Number(dt.as_f64()),
        // OpenDocument stores dates as ISO text (`2024-09-01` or `2024-09-01T00:00:00`).
        Data::DateTimeIso(s) => iso_date(s).map_or(Value::Text(s.trim()), Value::Date),
        Data::DurationIso(s) => Value::Text(s.trim()),
        Data::Error(e) => Value::Error(e.to_string()),
    }
}

impl Value<'_> {
    /// The cell as a person reads it: whole numbers without `.0`, dates as ISO `yyyy-mm-dd`.
    pub(crate) fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => (*s).to_owned(),
            Value::Number(f) => number_text(*f),
            Value::Bool(true) => "TRUE".to_owned(),
            Value::Bool(false) => "FALSE".to_owned(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Error(e) => e.clone(),
        }
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// Why a cell could not be read as the type its column wants.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CellError {
    Excel(String),
    NotWholeNumber(String),
    Negative(String),
    NotDate(String),
    NotYesNo(String),
}

impl CellError {
    /// The stable code and the message, starting with the column's label.
    pub(crate) fn describe(&self, label: &str) -> (&'static str, String) {
        match self {
            CellError::Excel(e) => ("excel_error", format!("{label} is an Excel error ({e})")),
            CellError::NotWholeNumber(v) => ("bad_number", format!("{label} is not a whole number ({v:?})")),
            CellError::Negative(v) => ("bad_number", format!("{label} cannot be negative ({v})")),
            CellError::NotDate(v) => ("bad_date", format!("{label} is not a date ({v:?})")),
            CellError::NotYesNo(v) => ("bad_boolean", format!("{label} is not yes or no ({v:?})")),
        }
    }
}

/// A count of places or pupils: a whole number, zero or more, possibly typed as text (`"12"`, `"1,200"`).
pub(crate) fn whole_number(v: &Value) -> Result<Option<u32>, CellError> {
    let n = match v {
        Value::Empty => return Ok(None),
        Value::Error(e) => return Err(CellError::Excel(e.clone())),
        Value::Number(f) => *f,
        Value::Text(s) => {
            let cleaned: String = s.chars().filter(|c| !c.is_whitespace() && *c != ',').collect();
            cleaned.parse::<f64>().map_err(|_| CellError::NotWholeNumber((*s).to_owned()))?
        }
        other => return Err(CellError::NotWholeNumber(other.display())),
    };
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(CellError::NotWholeNumber(v.display()));
    }
    if n < 0.0 {
        return Err(CellError::Negative(number_text(n)));
    }
    u32::try_from(n as i64).map(Some).map_err(|_| CellError::NotWholeNumber(v.display()))
}

/// Serial numbers Excel gives 1950-01-01 and 2099-12-31: a smaller or larger number in a date column
/// is a slip (a count typed in the wrong column), not a date.
const SERIAL_RANGE: std::ops::RangeInclusive<f64> = 18264.0..=73050.0;

/// A date from a date cell, an Excel serial number, or text written the British way (`01/09/2024`),
/// the ISO way (`2024-09-01`), or in words (`1 September 2024`).
pub(crate) fn date(v: &Value) -> Result<Option<NaiveDate>, CellError> {
    match v {
        Value::Empty => Ok(None),
        Value::Error(e) => Err(CellError::Excel(e.clone())),
        Value::Date(d) => Ok(Some(*d)),
        Value::Number(f) => serial_date(*f).map(Some).ok_or_else(|| CellError::NotDate(v.display())),
        Value::Text(s) => text_date(s).map(Some).ok_or_else(|| CellError::NotDate((*s).to_owned())),
        Value::Bool(_) => Err(CellError::NotDate(v.display())),
    }
}

fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !SERIAL_RANGE.contains(&serial) {
        return None;
    }
    // Day 0 is 1899-12-30 for every serial after Excel's phantom 29 February 1900.
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(serial.floor() as u64))
}

const TEXT_DATE_FORMATS: [&str; 9] =
    ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d/%m/%y"];

fn text_date(s: &str) -> Option<NaiveDate> {
    if let Some(d) = iso_date(s) {
        return Some(d);
    }
    let s = s.trim();
    // A date typed with a time after it (`01/09/2024 00:00`): the time does not matter here.
    let date_part = s.split_whitespace().next().filter(|p| p.contains(['/', '-', '.'])).unwrap_or(s);
    for format in TEXT_DATE_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(date_part, format) {
            // `%y` only: a two-digit year is this century; four-digit years under 1900 are typos.
            if d.year() >= 1900 {
                return Some(d);
            }
        }
    }
    if let Ok(serial) = s.parse::<f64>() {
        return serial_date(serial);
    }
    None
}

/// `2024-09-01`, optionally followed by a time (`T00:00:00` or ` 00:00:00`).
fn iso_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let head = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

/// Yes or no, written any of the ways registers write it.
pub(crate) fn yes_no(v: &Value) -> Result<Option<bool>, CellError> {
    match v {
        Value::Empty => Ok(None),
        Value::Error(e) => Err(CellError::Excel(e.clone())),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(f) if *f == 1.0 => Ok(Some(true)),
        Value::Number(f) if *f == 0.0 => Ok(Some(false)),
        Value::Text(s) => {
            let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(s));
            if is(&["yes", "y", "true", "1", "signed"]) {
                Ok(Some(true))
            } else if is(&["no", "n", "false", "0", "not signed", "unsigned"]) {
                Ok(Some(false))
            } else {
                Err(CellError::NotYesNo((*s).to_owned()))
            }
        }
        other => Err(CellError::NotYesNo(other.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn a_british_text_date_is_day_first() {
        assert_eq!(date(&Value::Text("01/09/2024")), Ok(Some(ymd(2024, 9, 1))));
        assert_eq!(date(&Value::Text("1/9/24")), Ok(Some(ymd(2024, 9, 1))));
        assert_eq!(date(&Value::Text("2024-09-01")), Ok(Some(ymd(2024, 9, 1))));
        assert_eq!(date(&Value::Text("2024-09-01T00:00:00")), Ok(Some(ymd(2024, 9, 1))));
        assert_eq!(date(&Value::Text("1 September 2024")), Ok(Some(ymd(2024, 9, 1))));
        assert_eq!(date(&Value::Text("01/09/2024 00:00")), Ok(Some(ymd(2024, 9, 1))));
    }

    #[test]
    fn an_excel_serial_is_a_date_in_a_date_column() {
        assert_eq!(date(&Value::Number(45536.0)), Ok(Some(ymd(2024, 9, 1))));
        assert_eq!(date(&Value::Text("45536")), Ok(Some(ymd(2024, 9, 1))));
    }

    #[test]
    fn a_small_number_in_a_date_column_is_not_a_date() {
        assert_eq!(date(&Value::Number(12.0)), Err(CellError::NotDate("12".into())));
        assert_eq!(date(&Value::Text("31/02/2024")), Err(CellError::NotDate("31/02/2024".into())));
    }

    #[test]
    fn numbers_typed_as_text_are_numbers() {
        assert_eq!(whole_number(&Value::Text("12")), Ok(Some(12)));
        assert_eq!(whole_number(&Value::Text("1,200")), Ok(Some(1200)));
        assert_eq!(whole_number(&Value::Number(15.0)), Ok(Some(15)));
        assert_eq!(whole_number(&Value::Text("12.5")), Err(CellError::NotWholeNumber("12.5".into())));
        assert_eq!(whole_number(&Value::Number(-3.0)), Err(CellError::Negative("-3".into())));
        assert_eq!(whole_number(&Value::Text("ten")), Err(CellError::NotWholeNumber("ten".into())));
    }

    #[test]
    fn yes_and_no_come_in_many_spellings() {
        for yes in ["yes", "Y", "TRUE", "1"] {
            assert_eq!(yes_no(&Value::Text(yes)), Ok(Some(true)), "{yes}");
        }
        for no in ["No", "n", "false", "0"] {
            assert_eq!(yes_no(&Value::Text(no)), Ok(Some(false)), "{no}");
        }
        assert_eq!(yes_no(&Value::Number(1.0)), Ok(Some(true)));
        assert_eq!(yes_no(&Value::Text("maybe")), Err(CellError::NotYesNo("maybe".into())));
    }

    #[test]
    fn excel_error_text_in_a_csv_is_an_error_cell() {
        assert_eq!(value(&Data::String("#N/A".into())), Value::Error("#N/A".into()));
        assert_eq!(value(&Data::String("  ".into())), Value::Empty);
    }
}

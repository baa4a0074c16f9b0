//! ONS mid-year population estimates by area and single year of age, as ONS publishes them
//! (CSV, or the xlsx/ods a user saved it as): an area code column (`ladcode21`, `code`, …), its
//! name, `sex` (1 male, 2 female; or persons), `age` (0 to 90, where 90 means 90 and over) and
//! one `population_YYYY` column per mid-year (the real Kent file has `population_2021`), or a
//! `year` column beside a `population` column. Men and women are summed: DfE's per-head figures
//! count persons.

use std::collections::BTreeMap;
use std::path::Path;

use super::cells::{self, Value};
use super::open::Workbook;
use crate::Error;

/// Persons of one age in one area at one mid-year.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    /// The area's GSS code (`E07000105`, `E10000016`, `E12000008`, `E92000001`).
    pub code: String,
    pub name: String,
    pub year: i32,
    /// 0 to 90; 90 is 90 and over.
    pub age: u8,
    pub persons: f64,
}

/// Oldest single year ONS gives; its row holds everyone that age or older.
pub const OLDEST: u8 = 90;

fn key(header: &str) -> String {
    header.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_")
}

fn is_code(k: &str) -> bool {
    matches!(k, "code" | "area_code" | "geography_code" | "geogcode" | "mnemonic")
        || (k.starts_with("lad") && (k.contains("code") || k.ends_with("cd")))
        || (k.starts_with("la") && k.contains("code"))
}

fn is_name(k: &str) -> bool {
    matches!(k, "name" | "area_name" | "geography_name" | "geography")
        || (k.starts_with("la") && (k.contains("name") || k.ends_with("nm")))
}

enum Sex {
    Male,
    Female,
    Persons,
}

fn sex(text: &str) -> Option<Sex> {
    match text.trim().to_lowercase().as_str() {
        "1" | "m" | "male" | "males" => Some(Sex::Male),
        "2" | "f" | "female" | "females" => Some(Sex::Female),
        "0" | "3" | "p" | "persons" | "all" | "all persons" => Some(Sex::Persons),
        _ => None,
    }
}

/// `34`, `34.0`, `90+`, `Aged 90+`: the single year of age.
fn age(v: &Value) -> Option<u8> {
    let n = match v {
        Value::Number(f) if f.fract() == 0.0 => *f,
        Value::Text(t) => {
            let t = t.trim().to_lowercase();
            let t = t.strip_prefix("aged").unwrap_or(&t).trim().trim_end_matches('+').trim();
            t.parse::<f64>().ok().filter(|f| f.fract() == 0.0)?
        }
        _ => return None,
    };
    (0.0..=f64::from(OLDEST)).contains(&n).then_some(n as u8)
}

fn persons(v: &Value) -> Result<f64, String> {
    let n = match v {
        Value::Number(f) => *f,
        Value::Text(t) => {
            t.replace(',', "").trim().parse::<f64>().map_err(|_| format!("{t:?} is not a number of persons"))?
        }
        Value::Empty => return Err("is empty: a population is a number".into()),
        other => return Err(format!("{:?} is not a number of persons", other.display())),
    };
    if !n.is_finite() || n < 0.0 {
        return Err(format!("{n} is not a number of persons (zero or more)"));
    }
    Ok(n)
}

/// One area, year and age so far: its name, the persons summed, which of men, women and
/// persons were given, and the row it was first seen on.
struct Sum {
    name: String,
    persons: f64,
    seen: [bool; 3],
    row: u32,
}

/// Reads every area, age and year, men and women summed. A file with no code, age or population
/// column, or a cell that is not what its column holds, is refused naming its row and column.
pub fn read_population(path: &Path, max_bytes: u64) -> Result<Vec<PopulationRow>, Error> {
    let (file, sheet, grid) = Workbook::first_visible(path, max_bytes)?;
    let Some(((top, first), (bottom, last))) = grid.bounds() else { return Err(Error::Empty { file }) };
    let header: Vec<String> = (first..=last).map(|c| cells::value(grid.raw(top, c)).display()).collect();
    let keys: Vec<String> = header.iter().map(|h| key(h)).collect();
    let find = |pred: &dyn Fn(&str) -> bool| keys.iter().position(|k| pred(k));
    let code_col = find(&is_code);
    let name_col = find(&is_name);
    let sex_col = find(&|k| k == "sex" || k == "gender");
    let age_col = find(&|k| k == "age");
    let year_col = find(&|k| matches!(k, "year" | "mid_year" | "time_period"));
    // `population_2021` columns, or one `population` column read with `year`.
    let mut value_cols: Vec<(usize, Option<i32>)> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            let year = k.strip_prefix("population_").or_else(|| k.strip_prefix("mid_"))?.parse::<i32>().ok()?;
            (1950..=2100).contains(&year).then_some((i, Some(year)))
        })
        .collect();
    if value_cols.is_empty()
        && year_col.is_some()
        && let Some(i) = find(&|k| matches!(k, "population" | "persons" | "value" | "count" | "obs_value"))
    {
        value_cols.push((i, None));
    }
    let mut missing = Vec::new();
    if code_col.is_none() {
        missing.push("an area code (ladcode21, code, …)".to_owned());
    }
    if age_col.is_none() {
        missing.push("age".to_owned());
    }
    if value_cols.is_empty() {
        missing.push("population_YYYY (or year and population)".to_owned());
    }
    if !missing.is_empty() {
        return Err(Error::MissingColumns { file, columns: missing });
    }
    let (code_col, age_col) = (code_col.unwrap_or_default(), age_col.unwrap_or_default());
    let err = |row: u32, col: usize, message: String| Error::Lookup {
        file: file.clone(),
        sheet: sheet.clone(),
        row: grid.row_number(row),
        column: header[col].trim().to_owned(),
        message,
    };
    let cell = |row: u32, col: usize| cells::value(grid.raw(row, first + col as u32));
    let mut sums: BTreeMap<(String, i32, u8), Sum> = BTreeMap::new();
    for row in top + 1..=bottom {
        if grid.row_is_blank(row) {
            continue;
        }
        let code = cell(row, code_col).display().trim().to_uppercase();
        if code.is_empty() || code.len() > 12 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(err(row, code_col, format!("{:?} is not an area code (such as E07000105)", code)));
        }
        let name = name_col.map(|c| cell(row, c).display().trim().to_owned()).unwrap_or_default();
        let Some(age) = age(&cell(row, age_col)) else {
            return Err(err(
                row,
                age_col,
                format!("{:?} is not a single year of age from 0 to {OLDEST}", cell(row, age_col).display()),
            ));
        };
        let sex = match sex_col {
            None => Sex::Persons,
            Some(c) => sex(&cell(row, c).display()).ok_or_else(|| {
                err(row, c, format!("{:?} is not a sex ONS codes (1 male, 2 female)", cell(row, c).display()))
            })?,
        };
        let slot = match sex {
            Sex::Male => 0,
            Sex::Female => 1,
            Sex::Persons => 2,
        };
        for &(col, year) in &value_cols {
            let year = match (year, year_col) {
                (Some(y), _) => y,
                (None, Some(yc)) => {
                    let text = cell(row, yc).display();
                    text.trim()
                        .get(..4)
                        .and_then(|y| y.parse::<i32>().ok())
                        .filter(|y| (1950..=2100).contains(y))
                        .ok_or_else(|| err(row, yc, format!("{text:?} is not a mid-year such as 2021")))?
                }
                (None, None) => unreachable!("a population column without a year is only read beside `year`"),
            };
            let n = persons(&cell(row, col)).map_err(|m| err(row, col, m))?;
            let entry = sums.entry((code.clone(), year, age)).or_insert_with(|| Sum {
                name: name.clone(),
                persons: 0.0,
                seen: [false; 3],
                row,
            });
            if entry.seen[slot] {
                return Err(err(
                    row,
                    age_col,
                    format!("{code} age {age} in {year} appears twice (first on row {})", grid.row_number(entry.row)),
                ));
            }
            entry.seen[slot] = true;
            // A file giving persons beside men and women would count everyone twice.
            if entry.seen[2] && (entry.seen[0] || entry.seen[1]) {
                return Err(err(
                    row,
                    sex_col.unwrap_or(age_col),
                    format!("{code} age {age} in {year} has persons and men or women: give one or the other"),
                ));
            }
            entry.persons += n;
        }
    }
    if sums.is_empty() {
        return Err(Error::SheetNoRows { file, sheet });
    }
    Ok(sums
        .into_iter()
        .map(|((code, year, age), s)| PopulationRow { code, name: s.name, year, age, persons: s.persons })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<PopulationRow>, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pop.csv");
        std::fs::write(&path, text).unwrap();
        read_population(&path, 1 << 20)
    }

    #[test]
    fn men_and_women_are_summed_per_age_and_year() {
        let rows = read(
            "\u{feff}ladcode21,ladname21,country,sex,age,population_2020,population_2021\r\n\
             E07000105,Ashford,E,1,0,600,669\r\nE07000105,Ashford,E,2,0,610,640\r\n\
             E07000105,Ashford,E,1,90+,20,21\r\n",
        )
        .unwrap();
        let find = |y, a| rows.iter().find(|r| r.year == y && r.age == a).map(|r| r.persons);
        assert_eq!(find(2021, 0), Some(1309.0));
        assert_eq!(find(2020, 0), Some(1210.0));
        assert_eq!(find(2021, 90), Some(21.0));
        assert_eq!(rows[0].name, "Ashford");
    }

    #[test]
    fn a_long_file_with_a_year_column() {
        let rows = read("code,name,age,year,population\nE92000001,England,5,2022,650000\n").unwrap();
        assert_eq!(
            rows,
            vec![PopulationRow {
                code: "E92000001".into(),
                name: "England".into(),
                year: 2022,
                age: 5,
                persons: 650_000.0
            }]
        );
    }

    #[test]
    fn hostile_and_sloppy_cells_name_row_and_column() {
        let head = "ladcode21,ladname21,sex,age,population_2021\n";
        let cases = [
            ("E07000105,Ashford,1,0,six hundred\n", "row 2, column population_2021"),
            ("E07000105,Ashford,1,0,-5\n", "zero or more"),
            ("E07000105,Ashford,1,91,5\n", "column age"),
            ("E07000105,Ashford,9,0,5\n", "column sex"),
            ("E07000105,Ashford,1,0,5\nE07000105,Ashford,1,0,6\n", "appears twice (first on row 2)"),
            ("E07000105,Ashford,0,0,5\nE07000105,Ashford,1,0,6\n", "persons and men or women"),
            ("'; DROP TABLE population;--,x,1,0,5\n", "is not an area code"),
        ];
        for (body, expect) in cases {
            let e = read(&format!("{head}{body}")).unwrap_err().to_string();
            assert!(e.contains(expect), "{body}: {e}");
        }
        let e = read("area,sex,age\nx,1,2\n").unwrap_err().to_string();
        assert!(e.contains("an area code") && e.contains("population_YYYY"), "{e}");
        // Thousands separators and spaces, as a hand-edited file has them.
        let rows = read(&format!("{head}E07000105,Ashford,1, 3 ,\"1,234\"\n")).unwrap();
        assert_eq!((rows[0].age, rows[0].persons), (3, 1234.0));
    }
}

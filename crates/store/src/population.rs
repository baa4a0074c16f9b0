//! Population denominators: ONS mid-year estimates as imported, and the persons of an age band
//! in an area at a year, built from the areas inside it where the file has no row for it (a
//! county from its districts, as DfE's LA figures are built from ONS district estimates).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult, QueryFilter,
    Statement,
};

use crate::Error;
use crate::entity::population;
use crate::links::LinkTotals;

/// One row to write: persons of one age in one area at one mid-year.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    pub code: String,
    pub name: String,
    pub year: i32,
    pub age: i32,
    pub persons: f64,
}

/// Writes the file's rows: each (area, year) it gives replaces that area's stored year whole (an
/// age the new file lacks goes); other areas and years stay. Counts compare with what was stored.
pub async fn replace(txn: &DatabaseTransaction, run_id: i64, rows: &[PopulationRow]) -> Result<LinkTotals, Error> {
    let codes: BTreeSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let pairs: BTreeSet<(&str, i32)> = rows.iter().map(|r| (r.code.as_str(), r.year)).collect();
    let mut stored: HashMap<(String, i32, i32), f64> = HashMap::new();
    for chunk in codes.iter().copied().collect::<Vec<_>>().chunks(500) {
        for m in
            population::Entity::find().filter(population::Column::GeographyCode.is_in(chunk.to_vec())).all(txn).await?
        {
            if pairs.contains(&(m.geography_code.as_str(), m.year)) {
                stored.insert((m.geography_code, m.year, m.age), m.persons);
            }
        }
    }
    let mut totals = LinkTotals::default();
    for r in rows {
        match stored.get(&(r.code.clone(), r.year, r.age)) {
            Some(p) if *p == r.persons => totals.unchanged += 1,
            Some(_) => totals.updated += 1,
            None => totals.inserted += 1,
        }
    }
    for (code, year) in &pairs {
        population::Entity::delete_many()
            .filter(population::Column::GeographyCode.eq(*code))
            .filter(population::Column::Year.eq(*year))
            .exec(txn)
            .await?;
    }
    let models: Vec<population::ActiveModel> = rows
        .iter()
        .map(|r| population::ActiveModel {
            geography_code: Set(r.code.clone()),
            year: Set(r.year),
            age: Set(r.age),
            geography_name: Set(r.name.clone()),
            persons: Set(r.persons),
            run_id: Set(run_id),
        })
        .collect();
    for chunk in models.chunks(1000) {
        population::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    population::Column::GeographyCode,
                    population::Column::Year,
                    population::Column::Age,
                ])
                .update_columns([
                    population::Column::Persons,
                    population::Column::GeographyName,
                    population::Column::RunId,
                ])
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(totals)
}

/// The oldest single year of age ONS gives (90: 90 and over).
pub const OLDEST: u8 = 90;

/// An inclusive band of single years of age, `2-18` by default (DfE's high-needs per-head base).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AgeBand {
    pub from: u8,
    pub to: u8,
}

impl Default for AgeBand {
    fn default() -> Self {
        Self { from: 2, to: 18 }
    }
}

impl std::fmt::Display for AgeBand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.from, self.to)
    }
}

/// The persons of a band in an area at a year, and how it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Persons {
    pub code: String,
    /// The mid-year used (see [`estimate_year`]).
    pub year: i32,
    pub persons: f64,
    /// Areas summed: 1 where the file has the area itself, else how many parts it was built from.
    pub areas: i64,
}

/// The mid-year estimate a period's figure is set against: the calendar year the period starts in
/// (DfE's rule: financial year 2022-23 and academic year 2022/23 use mid-2022), or, when that
/// estimate is not imported, the latest earlier one. `None` when there is none at or before it.
pub fn estimate_year(period_start: i32, available: &BTreeSet<i32>) -> Option<i32> {
    available.range(..=period_start).next_back().copied()
}

/// Which areas make up which, for building a population the file does not give: an LA from
/// its districts (GIAS's district of each school names them), a region from its LAs, England
/// from its regions. LAs are keyed by GSS code where it is known.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Areas {
    /// Old LA code (`886`) → GSS code (`E10000016`).
    pub la_gss: BTreeMap<String, String>,
    pub parts: BTreeMap<String, Vec<String>>,
}

impl Areas {
    /// The code an LA's population is stored under.
    pub fn la_area(&self, la_code: &str) -> String {
        self.la_gss.get(la_code).cloned().unwrap_or_else(|| la_code.to_owned())
    }

    /// `area` and every area inside it, for reading their rows in one go.
    fn within<'a>(&'a self, area: &'a str, out: &mut BTreeSet<&'a str>, depth: u8) {
        if !out.insert(area) || depth == 0 {
            return;
        }
        for p in self.parts.get(area).into_iter().flatten() {
            self.within(p, out, depth - 1);
        }
    }

    /// Persons of `area` at `year`: its own row, else the sum of its parts when every part
    /// resolves (a county short of a district is not a county); with how many areas were summed.
    fn resolve(&self, found: &BTreeMap<(&str, i32), f64>, area: &str, year: i32, depth: u8) -> Option<(f64, i64)> {
        if let Some(p) = found.get(&(area, year)) {
            return Some((*p, 1));
        }
        let parts = self.parts.get(area).filter(|ps| !ps.is_empty() && depth > 0)?;
        parts.iter().try_fold((0.0, 0), |(sum, n), p| {
            let (persons, areas) = self.resolve(found, p, year, depth - 1)?;
            Some((sum + persons, n + areas))
        })
    }
}

#[derive(FromQueryResult)]
struct AreaLink {
    part: String,
    whole: String,
}

/// The district → LA, LA → region and region → England links the store knows. Two statements.
pub async fn areas(db: &impl ConnectionTrait) -> Result<Areas, Error> {
    let backend = db.get_database_backend();
    let las = AreaLink::find_by_statement(Statement::from_string(
        backend,
        "SELECT code AS part, COALESCE(gss_code, '') AS whole FROM local_authority",
    ))
    .all(db)
    .await?;
    let la_gss: BTreeMap<String, String> =
        las.into_iter().filter(|l| !l.whole.is_empty()).map(|l| (l.part, l.whole)).collect();
    let links = AreaLink::find_by_statement(Statement::from_string(
        backend,
        "SELECT d.code AS part, d.la_code AS whole FROM district d WHERE d.la_code IS NOT NULL \
         UNION ALL SELECT COALESCE(l.gss_code, l.code) AS part, l.region_code AS whole FROM local_authority l \
         WHERE l.region_code IS NOT NULL \
         UNION ALL SELECT r.code AS part, 'E92000001' AS whole FROM region r",
    ))
    .all(db)
    .await?;
    let mut parts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in links {
        // A district's LA is named by its old code: key it as the LA's population is stored.
        let whole = la_gss.get(&l.whole).cloned().unwrap_or(l.whole);
        parts.entry(whole).or_default().push(l.part);
    }
    for ps in parts.values_mut() {
        ps.sort();
        ps.dedup();
    }
    Ok(Areas { la_gss, parts })
}

#[derive(FromQueryResult)]
struct Summed {
    geography_code: String,
    year: i32,
    persons: f64,
    ages: i64,
}

/// How deep an area is built from parts: England from regions from LAs from districts.
const DEPTH: u8 = 3;

/// Persons aged `band` in each of `areas` at every imported year, each found as itself or built
/// from its parts (see [`Areas`]). One statement.
pub async fn persons(
    db: &impl ConnectionTrait,
    areas: &[String],
    links: &Areas,
    band: AgeBand,
) -> Result<BTreeMap<(String, i32), Persons>, Error> {
    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    for a in areas {
        links.within(a, &mut wanted, DEPTH);
    }
    if wanted.is_empty() {
        return Ok(BTreeMap::new());
    }
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = vec![i32::from(band.from).into(), i32::from(band.to).into()];
    let mut marks = Vec::new();
    for code in &wanted {
        values.push((*code).to_owned().into());
        marks.push(match backend {
            sea_orm::DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        });
    }
    let (from, to) = match backend {
        sea_orm::DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let sql = format!(
        "SELECT geography_code, year, SUM(persons) AS persons, COUNT(*) AS ages FROM population \
         WHERE age >= {from} AND age <= {to} AND geography_code IN ({}) GROUP BY geography_code, year",
        marks.join(", ")
    );
    let rows = Summed::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await?;
    let ages = i64::from(band.to - band.from) + 1;
    // Only complete bands count: a year short of an age is not that band's population.
    let found: BTreeMap<(&str, i32), f64> =
        rows.iter().filter(|r| r.ages == ages).map(|r| ((r.geography_code.as_str(), r.year), r.persons)).collect();
    let years: BTreeSet<i32> = found.keys().map(|(_, y)| *y).collect();
    let mut out = BTreeMap::new();
    for area in areas {
        for &year in &years {
            if let Some((persons, n)) = links.resolve(&found, area, year, DEPTH) {
                out.insert((area.clone(), year), Persons { code: area.clone(), year, persons, areas: n });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_the_start_year_or_the_latest_before_it() {
        let years: BTreeSet<i32> = [2019, 2021].into();
        assert_eq!(estimate_year(2021, &years), Some(2021));
        assert_eq!(estimate_year(2022, &years), Some(2021), "no mid-2022: the latest earlier");
        assert_eq!(estimate_year(2020, &years), Some(2019));
        assert_eq!(estimate_year(2018, &years), None, "none at or before");
    }
}

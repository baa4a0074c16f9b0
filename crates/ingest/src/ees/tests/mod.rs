//! Tests of the EES reader and mappings on the hand-written fixtures in `test_data/ees`.

mod mapping;
mod reader;

use super::*;

const FIXTURE_MAPPING: &str = include_str!("../../../test_data/ees/fixture.toml");
const BASIC: &[u8] = include_bytes!("../../../test_data/ees/basic.csv");
const ERRORS: &[u8] = include_bytes!("../../../test_data/ees/recoverable-errors.csv");

fn fixture_mapping() -> Mapping {
    Mapping::from_toml("fixture.toml", FIXTURE_MAPPING).unwrap()
}

/// Every row, the header issues and the final counts.
fn read_all(file: &str, bytes: &[u8], mapping: &Mapping) -> Result<(Vec<EesRow>, EesReader<&'static [u8]>), Error> {
    let bytes: &'static [u8] = Vec::leak(bytes.to_vec());
    let mut reader = EesReader::new(file, bytes, mapping)?;
    let rows = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok((rows, reader))
}

fn observations(row: &EesRow) -> &[Observation] {
    match row {
        EesRow::Observations { observations, .. } => observations,
        other => panic!("expected observations, got {other:?}"),
    }
}

fn issues(row: &EesRow) -> Vec<String> {
    match row {
        EesRow::Rejected { issues, .. } => issues.iter().map(ToString::to_string).collect(),
        EesRow::Observations { warnings, .. } => warnings.iter().map(ToString::to_string).collect(),
        other => panic!("expected issues, got {other:?}"),
    }
}

fn find<'a>(row: &'a EesRow, measure: &str) -> &'a Observation {
    observations(row).iter().find(|o| o.measure == measure).unwrap_or_else(|| panic!("no {measure} in {row:?}"))
}

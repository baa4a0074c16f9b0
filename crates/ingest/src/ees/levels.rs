//! The geographic levels of the EES open-data standard: the label a file writes, the short code
//! observations are filed under, and the column that holds a row's geography code.

use domain::{LaCode, Urn};

/// One EES geographic level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// As `geographic_level` writes it, e.g. `Local authority`.
    pub label: &'static str,
    /// What observations and mappings call it, e.g. `la`.
    pub code: &'static str,
    /// The column holding the row's geography code at this level.
    pub code_column: &'static str,
}

const fn level(label: &'static str, code: &'static str, code_column: &'static str) -> Level {
    Level { label, code, code_column }
}

/// Every level EES accepts (explore-education-statistics `GeographicLevelUtils`).
pub const LEVELS: &[Level] = &[
    level("National", "national", "country_code"),
    level("Regional", "regional", "region_code"),
    level("Local authority", "la", "old_la_code"),
    level("Local authority district", "lad", "lad_code"),
    level("School", "school", "school_urn"),
    level("Ward", "ward", "ward_code"),
    level("Parliamentary constituency", "pcon", "pcon_code"),
    level("Provider", "provider", "provider_ukprn"),
    level("Institution", "institution", "institution_id"),
    level("MAT", "mat", "trust_id"),
    level("Sponsor", "sponsor", "sponsor_id"),
    level("Local enterprise partnership", "lep", "local_enterprise_partnership_code"),
    level("English devolved area", "english_devolved_area", "english_devolved_area_code"),
    level("Opportunity area", "opportunity_area", "opportunity_area_code"),
    level("Planning area", "planning_area", "planning_area_code"),
    level("Local skills improvement plan area", "lsip", "lsip_code"),
    level("Mayoral combined authority", "mca", "mayoral_combined_authority_code"),
    level("RSC region", "rsc_region", "rsc_region_lead_name"),
];

/// Other spellings seen in files for the same levels.
const ALIASES: &[(&str, &str)] = &[("Multi-academy trust", "mat"), ("Country", "national"), ("Region", "regional")];

/// The level a `geographic_level` value names (case and spacing forgiven).
pub fn level_by_label(label: &str) -> Option<&'static Level> {
    let label = label.trim();
    LEVELS.iter().find(|l| l.label.eq_ignore_ascii_case(label)).or_else(|| {
        let code = ALIASES.iter().find(|(a, _)| a.eq_ignore_ascii_case(label))?.1;
        level_by_code(code)
    })
}

pub fn level_by_code(code: &str) -> Option<&'static Level> {
    LEVELS.iter().find(|l| l.code == code)
}

/// Location columns never act as filters: they say where a row is, not what it counts.
const LOCATION_COLUMNS: &[&str] = &[
    "school_urn",
    "school_laestab",
    "school_estab",
    "school_postcode",
    "provider_ukprn",
    "provider_upin",
    "provider_urn",
    "trust_id",
    "sponsor_id",
    "institution_id",
    "rsc_region_lead_name",
    "urn",
    "laestab",
];

pub fn is_location_column(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    name.ends_with("_code") || name.ends_with("_name") || LOCATION_COLUMNS.contains(&name.as_str())
}

/// Checks a row's geography code for its level and returns it as observations store it.
/// LA codes are the three-digit numbers; a combined authority (`314 / 318`, Kingston and
/// Richmond reported together) keeps both numbers.
pub fn check_code(level: &Level, column: &str, raw: &str) -> Result<String, (&'static str, String)> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(("missing_code", format!("{column} is empty on a {} row", level.label)));
    }
    match level.code {
        "school" => Urn::parse(raw).map(|u| u.to_string()).map_err(|e| ("bad_urn", format!("{column}: {e}"))),
        "la" => {
            let parts: Result<Vec<_>, _> = raw.split('/').map(LaCode::parse).collect();
            parts
                .map(|p| p.iter().map(LaCode::as_str).collect::<Vec<_>>().join(" / "))
                .map_err(|_| ("bad_la_code", format!("{column} is not a three-digit LA code ({raw:?})")))
        }
        _ => Ok(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_matched_whatever_their_case() {
        assert_eq!(level_by_label(" local Authority ").map(|l| l.code), Some("la"));
        assert_eq!(level_by_label("Multi-academy trust").map(|l| l.code), Some("mat"));
        assert_eq!(level_by_label("Galaxy"), None);
    }

    #[test]
    fn code_and_name_columns_are_locations() {
        assert!(is_location_column("ward_code"));
        assert!(is_location_column("la_name"));
        assert!(is_location_column("school_urn"));
        assert!(!is_location_column("setting_type"));
    }

    #[test]
    fn a_combined_la_keeps_both_numbers() {
        let la = level_by_code("la").unwrap();
        assert_eq!(check_code(la, "old_la_code", "314 / 318"), Ok("314 / 318".into()));
        assert_eq!(check_code(la, "old_la_code", "886"), Ok("886".into()));
        assert_eq!(check_code(la, "old_la_code", "88").unwrap_err().0, "bad_la_code");
    }

    #[test]
    fn a_school_code_must_be_a_urn() {
        let school = level_by_code("school").unwrap();
        assert_eq!(check_code(school, "school_urn", " 145374 "), Ok("145374".into()));
        let (code, message) = check_code(school, "school_urn", "14537A").unwrap_err();
        assert_eq!(code, "bad_urn");
        assert_eq!(message, "school_urn: URN is not a number (\"14537A\")");
    }
}

//! Every EES file in the shared DfE data folder imports through its shipped mapping, and gives
//! the figures read from the files themselves (with Python's csv module) for Kent (`886`) and
//! England (`E92000001`).
//!
//! The folder is `INCLUSION_DFE_DATA`, by default `<workspace>/../shared/dfe-data`. When it is
//! missing the tests print `SKIPPED` and pass, except under `CI=true`, where they fail.

use std::collections::HashSet;
use std::fs::File;
use std::path::PathBuf;

use inclusion_ingest::ImportIssue;
use inclusion_ingest::ees::{EesCounts, EesReader, EesRow, Mapping, Observation, builtin_mappings};

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("INCLUSION_DFE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/dfe-data"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("DfE data folder {} is missing (set INCLUSION_DFE_DATA)", dir.display());
    }
    println!("SKIPPED: DfE data folder {} is missing (set INCLUSION_DFE_DATA)", dir.display());
    None
}

struct Imported {
    observations: Vec<Observation>,
    rejected: Vec<ImportIssue>,
    counts: EesCounts,
    warnings: Vec<ImportIssue>,
}

impl Imported {
    fn get(&self, measure: &str, period: &str, code: &str, cohort: &str, breakdown: &str) -> &Observation {
        self.observations
            .iter()
            .find(|o| {
                o.measure == measure
                    && o.time_period == period
                    && o.geography_code == code
                    && o.cohort == cohort
                    && o.breakdown == breakdown
            })
            .unwrap_or_else(|| panic!("no {measure} {period} {code} {cohort} {breakdown}"))
    }

    fn value(&self, measure: &str, period: &str, code: &str) -> Option<f64> {
        self.get(measure, period, code, "all", "total").value
    }

    fn status(&self, measure: &str, period: &str, code: &str) -> Option<&str> {
        self.get(measure, period, code, "all", "total").status.as_deref()
    }
}

/// Imports `file` through the shipped mapping that serves it (found by file name).
fn import(file: &str) -> Option<Imported> {
    let path = data_dir()?.join(file);
    let mappings = builtin_mappings();
    let mapping = Mapping::for_dataset(&mappings, file).unwrap_or_else(|| panic!("no mapping serves {file}"));
    let reader = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = EesReader::new(file, reader, mapping).unwrap();
    let mut imported = Imported {
        observations: Vec::new(),
        rejected: Vec::new(),
        counts: EesCounts::default(),
        warnings: reader.header_issues().to_vec(),
    };
    while let Some(row) = reader.next_row().unwrap() {
        match row {
            EesRow::Observations { observations, warnings, .. } => {
                imported.observations.extend(observations);
                imported.warnings.extend(warnings);
            }
            EesRow::Rejected { issues, .. } => imported.rejected.extend(issues),
            EesRow::Skipped { .. } => {}
        }
    }
    imported.counts = reader.counts().clone();
    imported.warnings.extend(reader.final_issues());
    // What the store will upsert on must be unique within a file.
    let mut keys = HashSet::new();
    for o in &imported.observations {
        let key = (
            &o.measure,
            &o.time_period,
            &o.time_identifier,
            &o.geographic_level,
            &o.geography_code,
            &o.cohort,
            &o.breakdown,
        );
        assert!(keys.insert(key), "{file}:{}: duplicate observation {key:?}", o.line);
    }
    Some(imported)
}

fn assert_clean(file: &str, imported: &Imported, rows: u64, observations: u64) {
    let rejected: Vec<_> = imported.rejected.iter().map(ToString::to_string).collect();
    assert!(rejected.is_empty(), "{file}: {rejected:#?}");
    let warnings: Vec<_> = imported.warnings.iter().map(ToString::to_string).collect();
    assert!(warnings.is_empty(), "{file}: {warnings:#?}");
    assert_eq!((imported.counts.rows, imported.counts.observations), (rows, observations), "{file}");
}

#[test]
fn ehc_plans_import_with_leading_space_numbers_and_symbols() {
    let Some(ehc) = import("ehc_plans__sen2_mi.csv") else { return };
    assert_clean("ehc_plans", &ehc, 1456, 1456 * 12);
    assert_eq!(ehc.value("ehcp_new", "2022", "886"), Some(2314.0));
    assert_eq!(ehc.value("ehcp_new", "2022", "E92000001"), Some(68665.0));
    // Written " 40.930" and " 47.665" in the file.
    assert_eq!(ehc.value("ehcp_issued_20wk_incl_exceptions_pct", "2022", "886"), Some(40.93));
    assert_eq!(ehc.value("ehcp_issued_20wk_incl_exceptions_pct", "2022", "E92000001"), Some(47.665));
    assert_eq!(ehc.value("ehcp_issued_20wk_pct", "2021", "886"), Some(41.4));
    assert_eq!(ehc.status("ehcp_requests", "2014", "886"), Some("z"));
    assert_eq!(ehc.value("ehcp_requests", "2014", "886"), None);
    assert_eq!(ehc.status("ehcp_issued_20wk_pct", "2022", "926"), Some("x"));
    let kent = ehc.get("ehcp_new", "2022", "886", "all", "total");
    assert_eq!((kent.geographic_level.as_str(), kent.time_identifier.as_str()), ("la", "Calendar year"));
    assert_eq!(ehc.get("ehcp_new", "2022", "E12000008", "all", "total").geographic_level, "regional");
}

#[test]
fn cin_sen_files_social_care_groups_as_cohorts() {
    let Some(cin) = import("cin__sen_la.csv") else { return };
    assert_clean("cin_sen", &cin, 2946, 2946 * 35);
    let kent_cla = |m| cin.get(m, "202122", "886", "cic", "total");
    assert_eq!(kent_cla("cin_pupils").value, Some(813.0));
    assert_eq!(kent_cla("cin_ehcp").value, Some(323.0));
    assert_eq!(kent_cla("cin_ehcp_pct").value, Some(39.7));
    assert_eq!((kent_cla("cin_need_nsa").value, kent_cla("cin_need_nsa").status.as_deref()), (None, Some("c")));
    assert_eq!(cin.get("cin_pupils", "202122", "886", "cin", "total").value, Some(4721.0));
    assert_eq!(cin.get("cin_pupils", "202122", "886", "cpp", "total").value, Some(710.0));
    assert_eq!(cin.get("cin_pupils", "202122", "E92000001", "cin", "total").value, Some(139320.0));
    assert_eq!(cin.get("cin_need_asd_pct", "202122", "E92000001", "cin", "total").value, Some(19.3));
}

#[test]
fn pru_absence_reads_a_bom_file_with_terms() {
    let Some(pru) = import("absence__4_absence_2term_pru.csv") else { return };
    assert_clean("pru_absence", &pru, 1373, 1373 * 9);
    let kent = pru.get("pru_persistent_absence_pct", "202223", "886", "all", "total");
    assert_eq!(kent.value, Some(84.30034));
    assert_eq!(kent.time_identifier, "Autumn and spring term");
    assert_eq!(
        domain::TimePeriod::parse(&kent.time_period, &kent.time_identifier).unwrap().display(),
        "2022/23 Autumn and spring term"
    );
    assert_eq!(pru.value("pru_overall_absence_pct", "202223", "E92000001"), Some(40.74959));
    assert_eq!(pru.value("pru_severe_absence_pct", "202223", "886"), Some(35.4949));
    assert_eq!(pru.status("pru_severe_absence_pct", "201415", "886"), Some("z"));
}

#[test]
fn ap_settings_keep_the_setting_type_in_the_breakdown() {
    let Some(ap) = import("ap__spc_ap_setting.csv") else { return };
    assert_clean("ap_settings", &ap, 707, 707);
    assert_eq!(ap.value("ap_placements", "202223", "886"), Some(2240.0));
    assert_eq!(ap.get("ap_placements", "202223", "886", "all", "setting_type=One on one tuition").value, Some(251.0));
    assert_eq!(ap.value("ap_placements", "202223", "E92000001"), Some(41319.0));
    assert_eq!(ap.get("ap_placements", "202223", "E92000001", "all", "setting_type=Unknown").value, Some(4.0));
}

#[test]
fn ehe_keeps_low_as_a_status() {
    let Some(ehe) = import("ehe__ehe_academic_year.csv") else { return };
    assert_clean("ehe", &ehe, 655, 655 * 18);
    assert_eq!(ehe.value("ehe_anytime", "202425", "886"), Some(7420.0));
    assert_eq!(ehe.value("ehe_anytime", "202425", "E92000001"), Some(175900.0));
    assert_eq!(ehe.value("ehe_starts", "202324", "886"), Some(3270.0));
    assert_eq!(ehe.value("ehe_starts_from_acad_pct", "202425", "886"), Some(60.0));
    assert_eq!(ehe.status("ehe_starts_from_none_pct", "202425", "886"), Some("low"));
    assert_eq!(ehe.status("ehe_starts_from_ey_pct", "202425", "E92000001"), Some("low"));
}

#[test]
fn school_level_absence_skips_the_ward_row_and_reads_urns() {
    let Some(abs) = import("ees__absence_school.csv") else { return };
    assert_clean("absence_school", &abs, 199, 198 * 5);
    assert_eq!(abs.counts.skipped.get("Ward"), Some(&1));
    let school = abs.get(
        "absence_enrolments",
        "202021",
        "145374",
        "all",
        "academy_type=N/A;ncyear=Year 4;school_type=State-funded primary",
    );
    assert_eq!((school.geographic_level.as_str(), school.value, school.line), ("school", Some(193938.0), 36));
    // Kingston upon Thames and Richmond upon Thames are reported together.
    let combined = abs.get("absence_enrolments", "202021", "314 / 318", "all", "academy_type=N/A;ncyear=Year 4");
    assert_eq!(combined.value, Some(500911.0));
    assert_eq!(
        abs.get("absence_unauthorised_pct", "202021", "E92000001", "all", "academy_type=N/A;ncyear=Year 4").value,
        Some(10.0359)
    );
}

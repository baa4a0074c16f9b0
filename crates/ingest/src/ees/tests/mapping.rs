use std::collections::BTreeSet;
use std::path::Path;

use super::*;

fn mapping_error(text: &str) -> String {
    Mapping::from_toml("bad.toml", text).unwrap_err().to_string()
}

const MINIMAL: &str = r#"
name = "minimal"
publication = "P"
datasets = ["d"]
levels = ["national"]

[[measures]]
code = "m"
label = "M"
unit = "count"
column = "c"
"#;

#[test]
fn every_shipped_mapping_parses() {
    let mappings = builtin_mappings();
    // Every file in mappings/ is compiled in (a new one left out of BUILTIN_MAPPINGS fails here).
    let on_disk: BTreeSet<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../mappings"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    let compiled: BTreeSet<String> = BUILTIN_MAPPINGS.iter().map(|(file, _)| (*file).to_owned()).collect();
    assert_eq!(compiled, on_disk, "mappings/ and BUILTIN_MAPPINGS differ");
    assert_eq!(mappings.len(), on_disk.len());
    let names: BTreeSet<_> = mappings.iter().map(Mapping::name).collect();
    assert_eq!(names.len(), mappings.len(), "mapping names are unique");
    for expected in [
        "ehc_plans",
        "cin_sen",
        "pru_absence",
        "ap_settings",
        "ehe",
        "absence_school",
        "ks2_sen",
        "ks4_sen",
        "exclusions_sen",
        "sen_school",
        "exclusions_school",
        "ks2_school",
        "ks4_sen_provision",
        "absence_by_school",
    ] {
        assert!(names.contains(expected), "{expected}");
    }
}

#[test]
fn a_measure_code_shared_by_mappings_means_one_thing() {
    // One figure published at two levels (a school file and an LA file) keeps one code, so school
    // sums and DfE's own LA figures sit side by side; its label and unit must then agree.
    let mut seen: std::collections::BTreeMap<String, (String, String, String)> = Default::default();
    let mut rules: std::collections::BTreeMap<String, (ingest_rule::Rule, String)> = Default::default();
    for mapping in builtin_mappings() {
        for measure in mapping.measures() {
            for (kind, rule) in ingest_rule::of(measure) {
                let key = format!("{} {kind}", measure.code);
                match rules.get(&key) {
                    Some((first, from)) => assert_eq!(first, &rule, "{key}: {from} and {} disagree", mapping.name()),
                    None => {
                        rules.insert(key, (rule, mapping.name().to_owned()));
                    }
                }
            }
            let this = (measure.label.clone(), measure.unit.clone(), mapping.name().to_owned());
            match seen.get(&measure.code) {
                Some(first) if first.2 == this.2 => {} // one column per filter value in one mapping
                Some(first) => assert_eq!(
                    (&first.0, &first.1),
                    (&this.0, &this.1),
                    "{} differs between {} and {}",
                    measure.code,
                    first.2,
                    this.2
                ),
                None => {
                    seen.insert(measure.code.clone(), this);
                }
            }
        }
    }
    assert!(seen.len() > 100);
}

#[test]
fn a_minimal_mapping_defaults_to_cohort_all() {
    let mapping = Mapping::from_toml("m.toml", MINIMAL).unwrap();
    assert_eq!((mapping.name(), mapping.publication()), ("minimal", "P"));
    assert_eq!(mapping.default_cohort, "all");
    assert_eq!(mapping.measures()[0].unit, "count");
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let text = MINIMAL.replace("publication = \"P\"", "publication = \"P\"\npublisher = \"DfE\"");
    let message = mapping_error(&text);
    assert!(
        message.starts_with("bad.toml: not a valid mapping file: line 4, column 1: unknown field `publisher`"),
        "{message}"
    );
}

#[test]
fn a_missing_key_is_named() {
    let message = mapping_error(&MINIMAL.replace("publication = \"P\"\n", ""));
    assert!(message.contains("missing field `publication`"), "{message}");
}

#[test]
fn a_bad_unit_names_the_measure_key() {
    assert_eq!(
        mapping_error(&MINIMAL.replace("\"count\"", "\"kg\"")),
        "bad.toml: mapping key `measures[0].unit`: \"kg\" must be one of count, percent, score, rate, gbp"
    );
}

#[test]
fn an_unknown_level_is_refused() {
    let message = mapping_error(&MINIMAL.replace("[\"national\"]", "[\"national\", \"county\"]"));
    assert!(
        message.starts_with(
            "bad.toml: mapping key `levels[1]`: \"county\" is not a level code (one of national, regional, la,"
        ),
        "{message}"
    );
}

#[test]
fn a_location_column_cannot_be_a_filter() {
    let message =
        mapping_error(&MINIMAL.replace("levels = [\"national\"]", "levels = [\"national\"]\nfilters = [\"la_name\"]"));
    assert_eq!(message, "bad.toml: mapping key `filters[0]`: \"la_name\" is a location column, not a filter");
}

#[test]
fn a_measure_defined_twice_is_refused() {
    let text = format!("{MINIMAL}\n[[measures]]\ncode = \"m\"\nlabel = \"Again\"\nunit = \"count\"\ncolumn = \"d\"\n");
    assert_eq!(mapping_error(&text), "bad.toml: mapping key `measures[1].code`: \"m\" is defined twice");
}

#[test]
fn a_bad_cohort_setting_is_refused() {
    let text = format!("{MINIMAL}\n[cohort]\nunmatched = \"ignore\"\n");
    assert_eq!(
        mapping_error(&text),
        "bad.toml: mapping key `cohort.unmatched`: \"ignore\" must be \"reject\" or \"skip\""
    );
    let text = format!("{MINIMAL}\n[[cohort.rules]]\ncohort = \"EHCP\"\nwhen = {{ sen = \"EHC plan\" }}\n");
    assert_eq!(
        mapping_error(&text),
        "bad.toml: mapping key `cohort.rules[0].cohort`: \"EHCP\" must be lower-case letters, digits and _"
    );
}

#[test]
fn a_mapping_is_found_by_file_name_path_id_or_pattern() {
    let mappings = builtin_mappings();
    let name = |d: &str| Mapping::for_dataset(&mappings, d).map(Mapping::name);
    assert_eq!(name("ehc_plans__sen2_mi"), Some("ehc_plans"));
    assert_eq!(name("/data/dfe/ehc_plans__sen2_mi.csv"), Some("ehc_plans"));
    assert_eq!(name("SEN2_MI.CSV"), Some("ehc_plans"));
    assert_eq!(name("0768784d-bebc-45be-9a47-850fedb5aeb6"), Some("exclusions_sen"));
    assert_eq!(
        name("ks2_regional_local_authority_and_pupil_characteristics_2019_to_2023_revised.csv"),
        Some("ks2_sen")
    );
    assert_eq!(name("2223_lachar_data_revised.csv"), Some("ks4_sen"));
    // DfE's EES API data-set ids (from DfE's published data catalogue pages).
    assert_eq!(name("019afee4-e5d0-72f9-9a8f-d7a1a56eac1d"), Some("ks2_school"));
    assert_eq!(name("b3e19901-5d2b-b676-bb4c-e60937d74725"), Some("ks4_sen_provision"));
    assert_eq!(name("exc_school.csv"), Some("exclusions_school"));
    assert_eq!(name("1a_absence_3term_school.csv"), Some("absence_by_school"));
    assert_eq!(name("ees__absence_school.csv"), Some("absence_school"));
    assert_eq!(name("something_else"), None);
}

#[test]
fn a_mappings_directory_overrides_built_ins_by_name_and_adds_new_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/ees/mappings");
    let mappings = load_mappings(Some(&dir)).unwrap();
    assert_eq!(mappings.len(), BUILTIN_MAPPINGS.len() + 1);
    let ap = mappings.iter().find(|m| m.name() == "ap_settings").unwrap();
    assert_eq!(ap.publication(), "Overridden publication");
    assert!(ap.source().ends_with("ap_settings.toml") && !ap.source().starts_with("builtin:"));
    assert!(mappings.iter().any(|m| m.name() == "extra"));
    assert_eq!(load_mappings(None).unwrap(), builtin_mappings());
}

#[test]
fn two_files_with_one_name_in_a_directory_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), MINIMAL).unwrap();
    std::fs::write(dir.path().join("b.toml"), MINIMAL).unwrap();
    let message = load_mappings(Some(dir.path())).unwrap_err().to_string();
    assert!(message.contains("b.toml: mapping key `name`: \"minimal\" is also the name of"), "{message}");
}

#[test]
fn a_broken_file_in_the_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.toml"), "name = ").unwrap();
    let message = load_mappings(Some(dir.path())).unwrap_err().to_string();
    assert!(message.contains("broken.toml: not a valid mapping file: line 1"), "{message}");
}

#[test]
fn a_mapping_declares_its_disclosure_published_by_default() {
    assert_eq!(Mapping::from_toml("m.toml", MINIMAL).unwrap().disclosure(), Disclosure::Published);
    let restricted = format!("disclosure = \"restricted\"\n{MINIMAL}");
    assert_eq!(Mapping::from_toml("m.toml", &restricted).unwrap().disclosure(), Disclosure::Restricted);
    // Every shipped mapping is DfE open data.
    assert!(builtin_mappings().iter().all(|m| m.disclosure() == Disclosure::Published));
    // A typo is refused, naming the key, not read as published.
    let typo = format!("disclosure = \"Restricted!\"\n{MINIMAL}");
    assert!(mapping_error(&typo).contains("disclosure"), "{}", mapping_error(&typo));
    assert!(mapping_error(&typo).contains("\"published\" or \"restricted\""), "{}", mapping_error(&typo));
}

/// A measure's declared rules, to compare across mappings.
mod ingest_rule {
    use crate::ees::MeasureDef;

    pub type Rule = String;

    pub fn of(m: &MeasureDef) -> Vec<(&'static str, Rule)> {
        let mut out = Vec::new();
        if let Some(a) = &m.aggregate {
            out.push(("aggregate", format!("{a:?}")));
        }
        if let Some(b) = m.better {
            out.push(("better", b.as_str().to_owned()));
        }
        out
    }
}

#[test]
fn aggregation_rules_are_checked() {
    let rate = format!(
        "{MINIMAL}\n[[measures]]\ncode = \"r\"\nlabel = \"R\"\nunit = \"rate\"\ncolumn = \"r\"\naggregate = {{ numerator = \"x\", denominator = \"m\" }}\n"
    );
    assert_eq!(
        mapping_error(&rate),
        "bad.toml: mapping key `measures[1].aggregate.numerator`: \"x\" is not a measure of this mapping"
    );
    let score_sum = format!(
        "{MINIMAL}\n[[measures]]\ncode = \"s\"\nlabel = \"S\"\nunit = \"score\"\ncolumn = \"s\"\naggregate = \"sum\"\n"
    );
    assert_eq!(
        mapping_error(&score_sum),
        "bad.toml: mapping key `measures[1].aggregate`: a score does not add up; give a rate or a weight"
    );
    let bad_better = format!("{MINIMAL}\nbetter = \"up\"\n");
    assert!(mapping_error(&bad_better).contains("`measures[0].better`: \"up\" must be \"higher\" or \"lower\""));
    let ok = format!(
        "{MINIMAL}\n[[measures]]\ncode = \"r\"\nlabel = \"R\"\nunit = \"percent\"\ncolumn = \"r\"\naggregate = {{ numerator = \"m\", denominator = \"m\" }}\nbetter = \"lower\"\n"
    );
    let m = Mapping::from_toml("ok.toml", &ok).unwrap();
    assert_eq!(m.measures()[0].aggregate, Some(crate::ees::Aggregate::Sum), "a count sums by default");
    assert_eq!(
        m.measures()[1].aggregate,
        Some(crate::ees::Aggregate::Rate { numerator: "m".into(), denominator: "m".into(), scale: 100.0 })
    );
    assert_eq!(m.measures()[1].better, Some(crate::ees::Better::Lower));
}

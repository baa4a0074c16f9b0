use super::*;

#[test]
fn a_bom_file_with_quoted_headers_reads_its_first_header() {
    let (rows, reader) = read_all("basic.csv", BASIC, &fixture_mapping()).unwrap();
    assert!(reader.header_issues().is_empty(), "{:?}", reader.header_issues());
    assert_eq!(find(&rows[0], "placements").time_period, "202223");
}

#[test]
fn a_national_row_gives_england_and_the_total_breakdown() {
    let (rows, _) = read_all("basic.csv", BASIC, &fixture_mapping()).unwrap();
    let obs = find(&rows[0], "placements");
    assert_eq!(
        obs,
        &Observation {
            measure: "placements".into(),
            time_period: "202223".into(),
            time_identifier: "Academic year".into(),
            geographic_level: "national".into(),
            geography_code: "E92000001".into(),
            cohort: "all".into(),
            breakdown: "total".into(),
            value: Some(41319.0),
            status: None,
            line: 2,
        }
    );
    // `primary_pupils` needs phase = Primary: a Total row does not give it.
    assert_eq!(observations(&rows[0]).len(), 2);
}

#[test]
fn remaining_filters_make_a_sorted_breakdown() {
    let (rows, _) = read_all("basic.csv", BASIC, &fixture_mapping()).unwrap();
    let obs = find(&rows[1], "placements");
    assert_eq!((obs.geographic_level.as_str(), obs.geography_code.as_str()), ("regional", "E12000008"));
    assert_eq!(obs.cohort, "ehcp");
    assert_eq!(obs.breakdown, "phase=Primary;setting_type=One on one tuition");
    assert_eq!(obs.value, Some(47.665), "a leading space does not stop a number");
}

#[test]
fn a_measure_condition_consumes_its_filter() {
    let (rows, _) = read_all("basic.csv", BASIC, &fixture_mapping()).unwrap();
    let obs = find(&rows[1], "primary_pupils");
    assert_eq!(obs.breakdown, "setting_type=One on one tuition");
    assert_eq!(obs.value, Some(20.0));
}

#[test]
fn symbols_come_through_as_status_with_no_value() {
    let (rows, _) = read_all("basic.csv", BASIC, &fixture_mapping()).unwrap();
    assert_eq!(
        (find(&rows[1], "placements_pct").value, find(&rows[1], "placements_pct").status.as_deref()),
        (None, Some("z"))
    );
    let la = &rows[2];
    assert_eq!(find(la, "placements").geography_code, "886");
    assert_eq!(find(la, "placements").cohort, "sen_support");
    for (measure, symbol) in [("placements", "c"), ("placements_pct", "low"), ("primary_pupils", "x")] {
        assert_eq!(find(la, measure).status.as_deref(), Some(symbol));
        assert_eq!(find(la, measure).value, None);
    }
    assert_eq!(find(la, "primary_pupils").breakdown, "total");
}

#[test]
fn ward_rows_are_skipped_and_counted() {
    let (rows, reader) = read_all("basic.csv", BASIC, &fixture_mapping()).unwrap();
    assert_eq!(rows[3], EesRow::Skipped { line: 5, level: "Ward".into() });
    assert_eq!(reader.counts().skipped.get("Ward"), Some(&1));
    assert_eq!(reader.counts().skipped_total(), 1);
}

#[test]
fn line_numbers_count_crlf_and_quoted_newlines() {
    let (rows, _) = read_all("basic.csv", BASIC, &fixture_mapping()).unwrap();
    // The ward row's name spans lines 5 and 6, so the school row is on line 7.
    let school = find(&rows[4], "placements");
    assert_eq!(school.line, 7);
    assert_eq!((school.geographic_level.as_str(), school.geography_code.as_str()), ("school", "118001"));
    assert_eq!((school.time_period.as_str(), school.time_identifier.as_str()), ("2014", "Calendar year"));
    assert_eq!(school.value, Some(1234.0), "thousands separator");
    assert_eq!(school.breakdown, "phase=Secondary");
}

#[test]
fn counts_add_up() {
    let (_, reader) = read_all("basic.csv", BASIC, &fixture_mapping()).unwrap();
    let counts = reader.counts();
    assert_eq!((counts.rows, counts.imported, counts.rejected, counts.unselected), (5, 4, 0, 0));
    assert_eq!(counts.observations, 2 + 3 + 3 + 2);
}

#[test]
fn bad_rows_are_rejected_with_file_line_and_column() {
    let (rows, reader) = read_all("errors.csv", ERRORS, &fixture_mapping()).unwrap();
    assert_eq!(
        issues(&rows[0]),
        [
            "errors.csv:2: error: column time_period: time period is not a year (2022) or a two-year period (202223 or 2022/23) (\"2022/23\"); row rejected"
        ]
    );
    assert_eq!(
        issues(&rows[1]),
        ["errors.csv:3: error: column school_urn: school_urn: URN is not a number (\"11800A\"); row rejected"]
    );
    assert_eq!(
        issues(&rows[2]),
        [
            "errors.csv:4: error: column geographic_level: geographic_level is not a level EES defines (\"Galaxy\"); row rejected"
        ]
    );
    assert_eq!(
        issues(&rows[3]),
        [
            "errors.csv:5: error: column sen_status: no cohort rule of the mapping matches sen_status = \"No SEN\"; row rejected"
        ]
    );
    assert_eq!(issues(&rows[5]), ["errors.csv:7: error: the row has 5 fields but the header has 19; row rejected"]);
    assert_eq!(
        issues(&rows[6]),
        ["errors.csv:8: error: column old_la_code: old_la_code is not a three-digit LA code (\"88\"); row rejected"]
    );
    assert_eq!(reader.counts().rejected, 6);
}

#[test]
fn an_unknown_symbol_or_an_empty_cell_is_a_warning_not_a_rejection() {
    let (rows, _) = read_all("errors.csv", ERRORS, &fixture_mapping()).unwrap();
    let row = &rows[4];
    assert_eq!(find(row, "placements").status.as_deref(), Some("banana"));
    assert!(observations(row).iter().all(|o| o.measure != "placements_pct"), "an empty cell gives no observation");
    assert_eq!(
        issues(row),
        [
            "errors.csv:6: warning: column placements: unknown symbol \"banana\" kept as the value's status, with no value",
            "errors.csv:6: warning: column placements_percent: no value or symbol; no placements_pct observation for this row",
        ]
    );
}

#[test]
fn a_missing_mapped_column_refuses_the_file_naming_it() {
    let header = "time_period,time_identifier,geographic_level,country_code,sen_status,setting_type,phase,pupils\n";
    let err = EesReader::new("short.csv", header.as_bytes(), &fixture_mapping()).err().unwrap();
    assert_eq!(
        err.to_string(),
        "short.csv: required columns are missing: region_code, old_la_code, school_urn, placements, placements_percent"
    );
}

#[test]
fn a_file_without_time_period_is_refused() {
    let err = EesReader::new("x.csv", "geographic_level,placements\nNational,1\n".as_bytes(), &fixture_mapping()).err();
    assert!(err.unwrap().to_string().contains("time_period"));
}

#[test]
fn an_unused_indicator_is_not_an_issue_but_a_missing_optional_one_is_a_warning() {
    let mut mapping = fixture_mapping();
    mapping.measures[2].optional = true;
    mapping.measures[2].column = "not_there".into();
    let csv = "time_period,time_identifier,geographic_level,country_code,region_code,old_la_code,school_urn,sen_status,setting_type,phase,placements,placements_percent,unused_indicator\n\
               202223,Academic year,National,E92000001,,,,Total,Total,Total,1,2,3\n";
    let reader = EesReader::new("opt.csv", csv.as_bytes(), &mapping).unwrap();
    let issues: Vec<_> = reader.header_issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        issues,
        ["opt.csv: warning: column not_there: optional column is missing; measure primary_pupils is not imported"]
    );
}

#[test]
fn a_header_only_file_is_refused() {
    let csv = "time_period,time_identifier,geographic_level,country_code,region_code,old_la_code,school_urn,sen_status,setting_type,phase,placements,placements_percent,pupils\n";
    let mut reader = EesReader::new("empty.csv", csv.as_bytes(), &fixture_mapping()).unwrap();
    assert_eq!(reader.next_row().unwrap_err().to_string(), "empty.csv: the file has a header but no data rows");
}

#[test]
fn a_cohort_no_row_matched_is_reported_at_the_end() {
    let (_, reader) = read_all("errors.csv", ERRORS, &fixture_mapping()).unwrap();
    let issues: Vec<_> = reader.final_issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        issues,
        [
            "errors.csv: warning: column sen_status: no row matched cohort ehcp (sen_status = EHC plan | Statement or EHC plan); check the mapping against the file",
            "errors.csv: warning: column sen_status: no row matched cohort sen_support (sen_status = SEN support); check the mapping against the file",
        ]
    );
}

#[test]
fn rows_of_other_breakdowns_are_passed_over_when_the_mapping_says_skip() {
    let mut mapping = fixture_mapping();
    mapping.unmatched = crate::ees::mapping::Unmatched::Skip;
    let (rows, reader) = read_all("errors.csv", ERRORS, &mapping).unwrap();
    assert_eq!(rows[3], EesRow::Observations { line: 5, observations: vec![], warnings: vec![] });
    assert_eq!(reader.counts().unselected, 1);
}

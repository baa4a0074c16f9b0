use super::*;
use domain::SrpKind;

const HEADER: &str = "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),EstablishmentTypeGroup (name),EstablishmentStatus (name),OpenDate,PhaseOfEducation (name),NumberOfPupils,SEN1 (name),SEN2 (name),TypeOfResourcedProvision (name),ResourcedProvisionOnRoll,ResourcedProvisionCapacity,SenUnitOnRoll,SenUnitCapacity,DistrictAdministrative (code),DistrictAdministrative (name),HeadFirstName\r\n";

fn read_all(bytes: &[u8]) -> Result<(Vec<GiasRow>, Vec<ImportIssue>), Error> {
    let encoding = crate::sniff::sniff(bytes).unwrap();
    let mut reader = GiasReader::new("gias.csv", bytes, encoding)?;
    let header = reader.header_issues().to_vec();
    let rows = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok((rows, header))
}

fn establishment(row: &GiasRow) -> &domain::Establishment {
    match row {
        GiasRow::Establishment { establishment, .. } => establishment,
        GiasRow::Rejected { issues, .. } => panic!("row rejected: {issues:?}"),
    }
}

fn issues(row: &GiasRow) -> Vec<String> {
    match row {
        GiasRow::Rejected { issues, .. } => issues.iter().map(ToString::to_string).collect(),
        GiasRow::Establishment { .. } => panic!("row was accepted"),
    }
}

#[test]
fn a_windows_1252_curly_apostrophe_becomes_u2019() {
    let mut file = HEADER.as_bytes().to_vec();
    file.extend_from_slice(b"118001,886,Kent,2001,\"St Mary\x92s CofE Primary School\",Community school,Local authority maintained schools,Open,01-09-1990,Primary,210,,,,,,,,E07000105,Ashford,Jane\r\n");
    let (rows, _) = read_all(&file).unwrap();
    let school = establishment(&rows[0]);
    assert_eq!(school.name, "St Mary\u{2019}s CofE Primary School");
    assert_eq!(school.laestab.as_ref().unwrap().as_str(), "8862001");
    assert_eq!(school.open_date, chrono::NaiveDate::from_ymd_opt(1990, 9, 1));
    assert_eq!(school.district.as_ref().unwrap().as_str(), "E07000105");
}

#[test]
fn a_quoted_name_with_commas_stays_one_field() {
    let file = format!(
        "{HEADER}118002,886,Kent,2002,\"Holy Trinity and St John's, Margate\",Voluntary aided school,Local authority maintained schools,Open,,Primary,,,,,,,,,E07000114,Thanet,\r\n"
    );
    let (rows, _) = read_all(file.as_bytes()).unwrap();
    let school = establishment(&rows[0]);
    assert_eq!(school.name, "Holy Trinity and St John's, Margate");
    assert_eq!(school.status, "Open");
}

#[test]
fn empty_numeric_cells_are_none_not_zero() {
    let file = format!(
        "{HEADER}118003,886,Kent,2003,Ashford Oaks,Community school,Local authority maintained schools,Open,,Primary,,,,Resourced provision,,,,,E07000105,Ashford,\r\n"
    );
    let (rows, _) = read_all(file.as_bytes()).unwrap();
    let school = establishment(&rows[0]);
    assert_eq!(school.number_of_pupils, None);
    assert_eq!(school.srps, vec![domain::GiasSrp { kind: SrpKind::ResourcedProvision, capacity: None, on_roll: None }]);
}

#[test]
fn resourced_provision_and_sen_unit_give_two_srps() {
    let file = format!(
        "{HEADER}118004,886,Kent,2004,Twin School,Community school,Local authority maintained schools,Open,,Primary,300,,,Resourced provision and SEN unit,12,15,8,10,E07000105,Ashford,\r\n"
    );
    let (rows, _) = read_all(file.as_bytes()).unwrap();
    let srps = &establishment(&rows[0]).srps;
    assert_eq!(srps.len(), 2);
    assert_eq!((srps[0].kind, srps[0].capacity, srps[0].on_roll), (SrpKind::ResourcedProvision, Some(15), Some(12)));
    assert_eq!((srps[1].kind, srps[1].capacity, srps[1].on_roll), (SrpKind::SenUnit, Some(10), Some(8)));
}

#[test]
fn sen_ranks_keep_gaps_and_skip_not_applicable() {
    let file = format!(
        "{HEADER}101077,212,Wandsworth,6000,The Dominie School,Other independent special school,Special schools,Closed,,Not applicable,,Not Applicable,SpLD - Specific Learning Difficulty,Not applicable,,,,,E09000032,Wandsworth,\r\n"
    );
    let (rows, _) = read_all(file.as_bytes()).unwrap();
    let school = establishment(&rows[0]);
    assert_eq!(school.sen_provision, vec![(2, "SpLD - Specific Learning Difficulty".to_owned())]);
    assert!(school.is_special());
    assert!(school.srps.is_empty());
}

#[test]
fn an_overseas_school_has_no_la_and_no_district() {
    let file = format!(
        "{HEADER}150516,0,,,Dubai Scholars,British schools overseas,Other types,Open,28-09-2023,Not applicable,,,,,,,,,9999,,\r\n"
    );
    let (rows, _) = read_all(file.as_bytes()).unwrap();
    let school = establishment(&rows[0]);
    assert_eq!((school.la.as_ref(), school.district.as_ref(), school.laestab.as_ref()), (None, None, None));
}

#[test]
fn bad_urn_and_bad_date_are_rejected_with_line_and_column() {
    let file = format!(
        "{HEADER}12A45,886,Kent,2005,Bad Urn School,Community school,Local authority maintained schools,Open,,Primary,,,,,,,,,E07000105,Ashford,\r\n\
         118006,886,Kent,2006,Bad Date School,Community school,Local authority maintained schools,Open,31-02-2019,Primary,lots,,,,,,,,E07000105,Ashford,\r\n"
    );
    let (rows, _) = read_all(file.as_bytes()).unwrap();
    assert_eq!(issues(&rows[0]), vec!["gias.csv:2: error: column URN: URN is not a number (\"12A45\"); row rejected"]);
    assert_eq!(
        issues(&rows[1]),
        vec![
            "gias.csv:3: error: column OpenDate: OpenDate is not a date in dd-mm-yyyy form (\"31-02-2019\"); row rejected",
            "gias.csv:3: error: column NumberOfPupils: NumberOfPupils is not a whole number (\"lots\"); row rejected",
        ]
    );
}

#[test]
fn line_numbers_count_lf_crlf_and_newlines_inside_quotes() {
    let file = format!(
        "{HEADER}118010,886,Kent,2010,\"Two\nLines\",Community school,Local authority maintained schools,Open,,Primary,,,,,,,,,E07000105,Ashford,\n\
         12A45,886,Kent,2011,X,Community school,Local authority maintained schools,Open,,Primary,,,,,,,,,E07000105,Ashford,\r\n"
    );
    let (rows, _) = read_all(file.as_bytes()).unwrap();
    assert!(matches!(rows[0], GiasRow::Establishment { line: 2, .. }));
    assert!(issues(&rows[1])[0].starts_with("gias.csv:4: "), "{:?}", issues(&rows[1]));
}

#[test]
fn a_missing_urn_column_refuses_the_file_and_names_it() {
    let err = read_all(b"LA (code),EstablishmentName\r\n886,X\r\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "gias.csv: required columns are missing: URN, LA (name), TypeOfEstablishment (name), EstablishmentTypeGroup (name), EstablishmentStatus (name), PhaseOfEducation (name)"
    );
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(read_all(b"").unwrap_err().to_string(), "gias.csv: the file is empty");
}

#[test]
fn a_header_without_rows_is_refused() {
    assert_eq!(
        read_all(HEADER.as_bytes()).unwrap_err().to_string(),
        "gias.csv: the file has a header but no data rows"
    );
}

#[test]
fn missing_optional_columns_are_warnings() {
    let file = "URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (name),EstablishmentTypeGroup (name),EstablishmentStatus (name),PhaseOfEducation (name)\n118007,886,Kent,X,Community school,Local authority maintained schools,Open,Primary\n";
    let (rows, header) = read_all(file.as_bytes()).unwrap();
    assert_eq!(rows.len(), 1);
    assert!(header.iter().any(|i| i.to_string()
        == "gias.csv: warning: column OfstedRating (name): optional column is missing; its values are left empty"));
}

#[test]
fn a_utf8_file_with_bom_reads_its_first_header() {
    let file = format!(
        "\u{feff}{HEADER}118008,886,Kent,2008,\u{201c}Quoted\u{201d} School,Community school,Local authority maintained schools,Open,,Primary,,,,,,,,,E07000105,Ashford,\n"
    );
    let (rows, _) = read_all(file.as_bytes()).unwrap();
    assert_eq!(establishment(&rows[0]).name, "\u{201c}Quoted\u{201d} School");
    assert!(matches!(rows[0], GiasRow::Establishment { line: 2, .. }));
}

#[test]
fn a_file_cut_off_in_its_last_row_is_refused_and_a_short_row_inside_is_rejected() {
    let raw = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/gias/basic.csv")).unwrap();
    let text: String = String::from_utf8_lossy(&raw).chars().filter(char::is_ascii).collect();
    let body = text.trim_end();
    // Cut after the 50th field of the last row, no line end: the whole file is refused.
    let last_start = body.rfind('\n').unwrap() + 1;
    let at = body[last_start..].match_indices("\",\"").nth(49).unwrap().0 + last_start + 1;
    let cut = &body[..at];
    let mut reader = GiasReader::new("cut.csv", cut.as_bytes(), TextEncoding::Utf8).unwrap();
    let err = loop {
        match reader.next_row() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("a cut-off file was read to the end"),
            Err(e) => break e,
        }
    };
    assert!(matches!(err, Error::Truncated { .. }), "{err}");
    assert!(err.to_string().contains("looks cut off"), "{err}");
    // The same short row with a line end and rows after it: rejected, the others read.
    let mut lines: Vec<String> = body.lines().map(str::to_owned).collect();
    let short = cut[last_start..].to_owned();
    lines.insert(2, short);
    let joined = lines.join("\r\n") + "\r\n";
    let rows: Vec<GiasRow> =
        GiasReader::new("short.csv", joined.as_bytes(), TextEncoding::Utf8).unwrap().collect::<Result<_, _>>().unwrap();
    let rejected: Vec<&GiasRow> = rows.iter().filter(|r| matches!(r, GiasRow::Rejected { .. })).collect();
    assert_eq!(rejected.len(), 1);
    let GiasRow::Rejected { line, issues, .. } = rejected[0] else { unreachable!() };
    assert_eq!(*line, 3);
    assert!(issues[0].message.contains("a cut-off or mis-quoted row"), "{:?}", issues[0]);
    // A file ending in spaces or a DOS end-of-file mark after its last line end is not cut off.
    for tail in [" ", "\u{1a}", "  \t"] {
        let padded = format!("{body}\r\n{tail}");
        let rows: Vec<GiasRow> = GiasReader::new("tail.csv", padded.as_bytes(), TextEncoding::Utf8)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), body.lines().count() - 1, "{tail:?}");
    }
    // A file that simply lacks a final line end, its last row whole, still reads every row.
    let rows: Vec<GiasRow> =
        GiasReader::new("noeol.csv", body.as_bytes(), TextEncoding::Utf8).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), body.lines().count() - 1);
}

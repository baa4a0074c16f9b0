//! An authority's own wording: headers no synonym list holds, read by meaning; operators' template
//! overrides; and the message that tells a new user the exact line to add.

mod spreadsheet_support;

use inclusion_ingest::spreadsheet::{Kind, ReadOptions, read_srp_register, templates_for};
use spreadsheet_support::*;

/// Kent-like: two title rows, a blank first column, a hidden archive sheet, and headers worded the
/// authority's way.
fn own_wording(need_header: &str) -> TestFile {
    let header = [
        S("URN"),
        S("Provision title"),
        S(need_header),
        S("Places (commissioned)"),
        S("Pupils currently on roll"),
        S("Date of closure"),
        S("Contact email"),
    ];
    xlsx("kent_srps.xlsx", |wb| {
        let archive = wb.add_worksheet().set_name("Archive 2019").unwrap();
        put_rows(archive, 0, &[&[S("URN"), S("Need type"), S("Places")], &[N(118084.0), S("ASD"), N(4.0)]]);
        archive.set_hidden(true);
        let ws = wb.add_worksheet().set_name("SRPs 2025").unwrap().set_active(true);
        put_at(ws, 0, 1, &[S("Kent County Council")]);
        put_at(ws, 1, 1, &[S("Specialist resource provision register, autumn 2025")]);
        put_at(ws, 3, 1, &header);
        put_at(
            ws,
            4,
            1,
            &[N(118084.0), S("Kemsing SEMH base"), S("SEMH"), N(16.0), N(10.0), Blank, S("senco@kemsing.example")],
        );
        put_at(ws, 5, 1, &[N(118207.0), S("Hawkhurst HI unit"), S("HI"), N(8.0), N(6.0), D(2025, 7, 31), Blank]);
    })
}

#[test]
fn a_register_in_its_own_words_imports_with_names_and_closures() {
    let file = own_wording("Primary designation");
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(parsed.sheet, "SRPs 2025");
    let kemsing = &parsed.records[0].1;
    assert_eq!(kemsing.name.as_deref(), Some("Kemsing SEMH base"));
    assert_eq!(kemsing.need_as_written, "SEMH");
    assert_eq!((kemsing.commissioned_places, kemsing.on_roll), (Some(16), Some(10)));
    let hawkhurst = &parsed.records[1].1;
    assert_eq!(hawkhurst.name.as_deref(), Some("Hawkhurst HI unit"));
    assert_eq!(hawkhurst.close_date, Some(ymd(2025, 7, 31)));
    let report = lines(&parsed.issues);
    // Each column read by meaning is said so once, and the unrelated column is reported, not guessed.
    for header in ["Provision title", "Primary designation", "Pupils currently on roll", "Date of closure"] {
        assert_eq!(
            report.iter().filter(|l| l.contains(&format!("column {header:?} read as"))).count(),
            1,
            "{report:#?}"
        );
    }
    assert!(
        report.contains(
            &"kent_srps.xlsx [SRPs 2025] H4: warning: column \"Contact email\" is not in the SRP register template; ignored"
                .to_owned()
        ),
        "{report:#?}"
    );
}

#[test]
fn a_missing_required_column_names_the_unmatched_headers_and_the_line_to_add() {
    let file = own_wording("Specialist focus");
    let err = read_srp_register(file.path(), &opts()).unwrap_err().to_string();
    assert_eq!(
        err,
        "kent_srps.xlsx [SRPs 2025]: required column for SRP register is missing: Need type. \
         Headers that matched no field: D \"Specialist focus\" (closest field: none), H \"Contact email\" (closest field: none). \
         To read a column as a field, add the line to a template file (--template FILE or INCLUSION_TEMPLATES_DIR):\n  \
         kind = \"srp\"\n  [columns]\n  \"<the header of that column>\" = \"Need type\""
    );
}

#[test]
fn the_suggested_line_names_the_closest_unmatched_header() {
    let file = own_wording("Type of specialist focus");
    let err = read_srp_register(file.path(), &opts()).unwrap_err().to_string();
    assert!(err.contains("D \"Type of specialist focus\" (closest field: Provision type)"), "{err}");
    assert!(err.ends_with("[columns]\n  \"Type of specialist focus\" = \"Need type\""), "{err}");
}

#[test]
fn a_template_file_reads_a_header_as_the_field_it_names() {
    let file = own_wording("Specialist focus");
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("kent_srp.toml");
    std::fs::write(&template, "kind = \"srp\"\n[columns]\n\"Specialist focus\" = \"Need type\"\n").unwrap();
    // A template of another kind in the same directory is left alone.
    std::fs::write(dir.path().join("kent_clusters.toml"), "kind = \"clusters\"\n[columns]\n\"Hub\" = \"Cluster\"\n")
        .unwrap();
    let columns = templates_for(Kind::Srp, &[], Some(dir.path())).unwrap();
    assert_eq!(columns, vec![("Specialist focus".to_owned(), "Need type".to_owned())]);
    let parsed = read_srp_register(file.path(), &ReadOptions { columns, ..opts() }).unwrap();
    assert_eq!(parsed.records[0].1.need_as_written, "SEMH");
    assert!(!lines(&parsed.issues).iter().any(|l| l.contains("Specialist focus")), "an override is not a guess");

    // The file named on the command line must be of the kind imported.
    let err = templates_for(Kind::Clusters, &[template], None).unwrap_err().to_string();
    assert!(err.ends_with("it is a template for --kind srp, not clusters"), "{err}");
}

#[test]
fn two_templates_disagreeing_on_a_header_are_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), "kind = \"srp\"\n[columns]\n\"Focus\" = \"Need type\"\n").unwrap();
    std::fs::write(dir.path().join("b.toml"), "kind = \"srp\"\n[columns]\n\"focus \" = \"Provision type\"\n").unwrap();
    let err = templates_for(Kind::Srp, &[], Some(dir.path())).unwrap_err().to_string();
    assert!(
        err.contains("b.toml: not a valid template file: header \"focus \" is Provision type here but Need type in"),
        "{err}"
    );
    assert!(err.contains("a.toml"), "{err}");
}

#[test]
fn a_header_equally_close_to_two_fields_is_an_error_naming_both() {
    let file = one_sheet(
        "srp.xlsx",
        "SRPs",
        &[
            &[S("URN"), S("Need type"), S("Places"), S("Open or close date")],
            &[N(118084.0), S("SEMH"), N(16.0), D(2025, 7, 31)],
        ],
    );
    let err = read_srp_register(file.path(), &opts()).unwrap_err().to_string();
    assert_eq!(
        err,
        "srp.xlsx [SRPs]: column D \"Open or close date\" is equally close to Open date and Close date; say which it is \
         in a template file (--template FILE or INCLUSION_TEMPLATES_DIR):\n  kind = \"srp\"\n  [columns]\n  \
         \"Open or close date\" = \"Open date\""
    );
}

#[test]
fn a_hostile_template_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    std::fs::write(&big, "kind = \"srp\"\n".repeat(30_000)).unwrap();
    assert!(templates_for(Kind::Srp, &[big], None).unwrap_err().to_string().contains("a template file is at most"));
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x6b]).unwrap();
    assert!(templates_for(Kind::Srp, &[binary], None).unwrap_err().to_string().contains("not UTF-8"));
    let missing = dir.path().join("missing.toml");
    assert!(templates_for(Kind::Srp, &[missing], None).unwrap_err().to_string().contains("missing.toml: cannot read"));
}

//! The reading layer on messy workbooks written with a real writer: where the header is, which sheet,
//! how cells were typed, and files refused whole. Each test asserts the exact report lines.

mod spreadsheet_support;

use domain::{Laestab, NeedType, SchoolRef};
use inclusion_ingest::spreadsheet::{ReadOptions, read_clusters, read_srp_register};
use rust_xlsxwriter::Format;
use spreadsheet_support::*;

const HEADER: &[C] = &[
    S("URN"),
    S("SRP name"),
    S("Need type"),
    S("Commissioned places"),
    S("On roll"),
    S("Age range"),
    S("Provider"),
    S("SLA signed"),
    S("SLA date"),
    S("Open date"),
];

fn kemsing<'a>() -> Vec<C<'a>> {
    vec![
        N(118084.0),
        S("Kemsing SEMH base"),
        S("SEMH"),
        N(16.0),
        N(10.0),
        S("4-11"),
        S("Kent County Council"),
        S("Yes"),
        D(2024, 7, 15),
        D(2015, 9, 1),
    ]
}

fn error_text(result: Result<impl std::fmt::Debug, inclusion_ingest::Error>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn title_and_note_rows_above_the_header_are_skipped_and_rows_keep_excel_numbers() {
    let mut bad = kemsing();
    bad[0] = S("12A45");
    let file = one_sheet(
        "srp.xlsx",
        "SRPs",
        &[
            &[S("Kent County Council: SRP register 2024/25")],
            &[S("Figures as at 1 September 2024. Send corrections to the SEN team.")],
            &[],
            HEADER,
            &kemsing(),
            &bad,
        ],
    );
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(parsed.sheet, "SRPs");
    assert_eq!(lines(&parsed.issues), ["srp.xlsx [SRPs] A6: error: URN is not a number (\"12A45\"); row rejected"]);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.records[0].0, 5);
    assert_eq!((parsed.rows_read, parsed.rows_rejected), (2, 1));
}

#[test]
fn blank_rows_blank_columns_and_trailing_empty_rows_are_passed_over() {
    let file = xlsx("srp.xlsx", |wb| {
        let ws = wb.add_worksheet().set_name("Register").unwrap();
        // The table starts in column B, with an empty column E between need type and places.
        let header = [S("URN"), S("SRP name"), S("Need type"), Blank, S("Commissioned places"), S("On roll")];
        put_at(ws, 0, 1, &header);
        put_at(ws, 1, 1, &[N(118084.0), S("Kemsing"), S("SEMH"), Blank, N(16.0), N(10.0)]);
        put_at(ws, 3, 1, &[N(118207.0), S("Hawkhurst"), S("HI"), Blank, S("ten"), N(9.0)]);
        put_at(ws, 5, 1, &[N(118275.0), S("Paddock Wood"), S("ASD"), Blank, N(19.0), N(18.0)]);
        // Rows an officer "cleared" with the space bar, and a formatted but empty cell far below.
        put_at(ws, 8, 1, &[S(" "), S("  ")]);
        ws.write_blank(30, 3, &Format::new().set_bold()).unwrap();
    });
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "srp.xlsx [Register]: warning: optional column \"Age range\" is missing",
            "srp.xlsx [Register]: warning: optional column \"Provider\" is missing",
            "srp.xlsx [Register]: warning: optional column \"SLA signed\" is missing",
            "srp.xlsx [Register]: warning: optional column \"SLA date\" is missing",
            "srp.xlsx [Register]: warning: optional column \"Open date\" is missing",
            "srp.xlsx [Register] F4: error: Commissioned places is not a whole number (\"ten\"); row rejected",
        ]
    );
    let rows: Vec<u32> = parsed.records.iter().map(|(row, _)| *row).collect();
    assert_eq!(rows, [2, 6]);
    assert_eq!((parsed.rows_read, parsed.rows_rejected), (3, 1));
}

#[test]
fn headers_match_by_synonym_ignoring_case_spacing_and_punctuation() {
    let header = [
        S("  Host School URN "),
        S("PROVISION NAME"),
        S("need-type"),
        S("Places (2024/25)"),
        S("No. on roll"),
        S("Ages"),
        S("Provider / Trust"),
        S("SLA?"),
        S("Date SLA signed"),
        S("Date opened"),
        S("Comments"),
    ];
    let mut row = kemsing();
    row.push(S("New head from January"));
    let file = one_sheet("srp.xlsx", "SRPs", &[&header, &row]);
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        ["srp.xlsx [SRPs] K1: warning: column \"Comments\" is not in the SRP register template; ignored"]
    );
    let (_, srp) = &parsed.records[0];
    assert_eq!(srp.host, urn(118084));
    assert_eq!(srp.name.as_deref(), Some("Kemsing SEMH base"));
    assert_eq!(srp.needs, [NeedType::Semh]);
    assert_eq!((srp.commissioned_places, srp.on_roll), (Some(16), Some(10)));
    assert_eq!(srp.provider.as_deref(), Some("Kent County Council"));
    assert_eq!(
        (srp.sla_signed, srp.sla_date, srp.open_date),
        (Some(true), Some(ymd(2024, 7, 15)), Some(ymd(2015, 9, 1)))
    );
}

#[test]
fn a_column_named_twice_is_reported_and_the_first_is_used() {
    let mut header = HEADER.iter().map(|c| if let S(s) = c { S(s) } else { Blank }).collect::<Vec<_>>();
    header.push(S("Places"));
    let mut row = kemsing();
    row.push(N(99.0));
    let file = one_sheet("srp.xlsx", "SRPs", &[&header, &row]);
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "srp.xlsx [SRPs] K1: warning: column \"Places\" is a second Commissioned places column (the first is D); ignored"
        ]
    );
    assert_eq!(parsed.records[0].1.commissioned_places, Some(16));
}

#[test]
fn dates_come_as_date_cells_serial_numbers_or_british_and_iso_text() {
    let with_open = |urn: f64, open: C<'static>| {
        let mut row = kemsing();
        row[0] = N(urn);
        row[9] = open;
        row
    };
    let file = one_sheet(
        "srp.xlsx",
        "SRPs",
        &[
            HEADER,
            &with_open(118084.0, D(2024, 9, 1)),
            &with_open(118207.0, N(45536.0)),
            &with_open(118275.0, S("01/09/2024")),
            &with_open(118587.0, S("2024-09-01")),
            &with_open(118862.0, S("31/02/2024")),
            &with_open(119204.0, N(12.0)),
        ],
    );
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "srp.xlsx [SRPs] J6: error: Open date is not a date (\"31/02/2024\"); row rejected",
            "srp.xlsx [SRPs] J7: error: Open date is not a date (\"12\"); row rejected",
        ]
    );
    let opened: Vec<_> = parsed.records.iter().map(|(_, srp)| srp.open_date).collect();
    assert_eq!(opened, [Some(ymd(2024, 9, 1)); 4]);
}

#[test]
fn numbers_typed_as_text_are_numbers() {
    let mut row = kemsing();
    row[3] = S("12");
    row[4] = S(" 9 ");
    let file = one_sheet("srp.xlsx", "SRPs", &[HEADER, &row]);
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert!(parsed.issues.is_empty(), "{:?}", lines(&parsed.issues));
    let srp = &parsed.records[0].1;
    assert_eq!((srp.commissioned_places, srp.on_roll), (Some(12), Some(9)));
}

#[test]
fn excel_error_cells_are_reported_against_their_cell() {
    let mut na = kemsing();
    na[3] = Err("#N/A");
    let mut broken = kemsing();
    broken[0] = N(118207.0);
    broken[6] = Err("#REF!");
    let file = one_sheet("srp.xlsx", "SRPs", &[HEADER, &na, &broken]);
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "srp.xlsx [SRPs] D2: error: Commissioned places is an Excel error (#N/A); row rejected",
            "srp.xlsx [SRPs] G3: error: Provider is an Excel error (#REF!); row rejected",
        ]
    );
    assert_eq!(parsed.rows_rejected, 2);
}

#[test]
fn a_value_merged_over_several_rows_applies_to_each_of_them() {
    let file = xlsx("clusters.xlsx", |wb| {
        let ws = wb.add_worksheet().set_name("Clusters").unwrap();
        put(ws, 0, &[S("Cluster"), S("District"), S("PCN"), S("URN")]);
        let urns = [118049.0, 118836.0, 136838.0, 141204.0, 143739.0, 147315.0, 148852.0];
        for (i, urn) in urns.iter().enumerate() {
            put_at(ws, 1 + i as u32, 2, &[S("Folkestone PCN"), N(*urn)]);
        }
        let merged = Format::new();
        ws.merge_range(1, 0, 7, 0, "Folkestone", &merged).unwrap();
        ws.merge_range(1, 1, 7, 1, "Folkestone and Hythe", &merged).unwrap();
    });
    let parsed = read_clusters(file.path(), &opts()).unwrap();
    assert!(parsed.issues.is_empty(), "{:?}", lines(&parsed.issues));
    assert_eq!(parsed.records.len(), 7);
    for (_, member) in &parsed.records {
        assert_eq!(member.cluster, "Folkestone");
        assert_eq!(member.district.as_deref(), Some("Folkestone and Hythe"));
    }
}

fn with_hidden_old_register() -> TestFile {
    xlsx("srp.xlsx", |wb| {
        let old = wb.add_worksheet().set_name("Old register").unwrap();
        put_rows(old, 0, &[HEADER, &kemsing()]);
        old.set_hidden(true);
        // The active sheet cannot be hidden: make the visible one active, as Excel does.
        let current = wb.add_worksheet().set_name("Current").unwrap().set_active(true);
        let mut row = kemsing();
        row[3] = N(20.0);
        put_rows(current, 0, &[HEADER, &row]);
    })
}

#[test]
fn a_hidden_sheet_is_ignored_unless_named() {
    let file = with_hidden_old_register();
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!((parsed.sheet.as_str(), parsed.records[0].1.commissioned_places), ("Current", Some(20)));
    let named = ReadOptions { sheet: Some("old register".into()), ..opts() };
    let parsed = read_srp_register(file.path(), &named).unwrap();
    assert_eq!((parsed.sheet.as_str(), parsed.records[0].1.commissioned_places), ("Old register", Some(16)));
}

#[test]
fn the_sheet_whose_header_fits_the_kind_is_chosen() {
    let file = xlsx("srp.xlsx", |wb| {
        let notes = wb.add_worksheet().set_name("Read me").unwrap();
        put_rows(notes, 0, &[&[S("How to fill in this register")], &[S("One row per SRP.")]]);
        let summary = wb.add_worksheet().set_name("Summary").unwrap();
        put_rows(summary, 0, &[&[S("District"), S("Places")], &[S("Sevenoaks"), N(16.0)]]);
        let register = wb.add_worksheet().set_name("Register").unwrap();
        put_rows(register, 0, &[HEADER, &kemsing()]);
    });
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(parsed.sheet, "Register");
    assert_eq!(parsed.records.len(), 1);
}

#[test]
fn a_sheet_that_does_not_exist_is_refused_naming_those_that_do() {
    let file = with_hidden_old_register();
    let named = ReadOptions { sheet: Some("2023".into()), ..opts() };
    assert_eq!(
        error_text(read_srp_register(file.path(), &named)),
        "srp.xlsx: no sheet named \"2023\" (sheets: Old register, Current)"
    );
}

#[test]
fn a_sheet_without_a_required_column_is_refused() {
    let header: Vec<C> = HEADER
        .iter()
        .filter(|c| !matches!(c, S("Need type")))
        .map(|c| if let S(s) = c { S(s) } else { Blank })
        .collect();
    let file = one_sheet("srp.xlsx", "SRPs", &[&header, &[N(118084.0)]]);
    assert_eq!(
        error_text(read_srp_register(file.path(), &opts())),
        "srp.xlsx [SRPs]: required column for SRP register is missing: Need type"
    );
    let notes = one_sheet("srp.xlsx", "Notes", &[&[S("Nothing to see here")]]);
    assert_eq!(
        error_text(read_srp_register(notes.path(), &opts())),
        "srp.xlsx [Notes]: required columns for SRP register are missing: URN or LAESTAB, Need type, Commissioned places"
    );
}

#[test]
fn a_header_with_no_rows_below_is_refused() {
    let file = one_sheet("srp.xlsx", "SRPs", &[HEADER]);
    assert_eq!(
        error_text(read_srp_register(file.path(), &opts())),
        "srp.xlsx [SRPs]: the sheet has a header but no data rows"
    );
}

#[test]
fn a_school_may_be_given_by_its_dfe_number() {
    let mut row = kemsing();
    row[0] = S("886/3070");
    let file = one_sheet("srp.xlsx", "SRPs", &[HEADER, &row]);
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(parsed.records[0].1.host, SchoolRef::Laestab(Laestab::parse("8863070").unwrap()));
}

#[test]
fn a_file_that_is_not_a_spreadsheet_is_refused() {
    let text = raw_file("srp.xlsx", b"URN,Need type\n118084,SEMH\n");
    assert_eq!(
        error_text(read_srp_register(text.path(), &opts())),
        "srp.xlsx: not a spreadsheet (named .xlsx but it is plain text; save a CSV file with a .csv name)"
    );
    let pdf = raw_file("register.xlsx", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj");
    assert_eq!(
        error_text(read_srp_register(pdf.path(), &opts())),
        "register.xlsx: not a spreadsheet (named .xlsx but it is a PDF document)"
    );
    let empty = raw_file("srp.xlsx", b"");
    assert_eq!(error_text(read_srp_register(empty.path(), &opts())), "srp.xlsx: the file is empty");
}

#[test]
fn an_encrypted_looking_workbook_is_refused() {
    // An OLE compound file under an .xlsx name: how Excel saves a workbook with a password.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    let file = raw_file("srp.xlsx", &bytes);
    assert_eq!(
        error_text(read_srp_register(file.path(), &opts())),
        "srp.xlsx: the workbook is encrypted (password protected); save a copy without a password and import that"
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_opened() {
    let file = one_sheet("srp.xlsx", "SRPs", &[HEADER, &kemsing()]);
    let size = std::fs::metadata(file.path()).unwrap().len();
    let small = ReadOptions { max_bytes: 1000, ..opts() };
    assert_eq!(
        error_text(read_srp_register(file.path(), &small)),
        format!("srp.xlsx: the file is {size} bytes, over the limit of 1000 bytes")
    );
}

#[test]
fn a_csv_register_reports_lines_and_column_names() {
    let csv = "\u{feff}URN,SRP name,Need type,Commissioned places\r\n\
               118084,Kemsing SEMH base,SEMH,16\r\n\
               12A45,\"Hawkhurst, HI unit\",HI,13\r\n\
               \r\n\
               118275,Paddock Wood,Autism,#N/A\r\n";
    let file = raw_file("srp.csv", csv.as_bytes());
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(parsed.sheet, "");
    assert_eq!(
        lines(&parsed.issues),
        [
            "srp.csv: warning: optional column \"On roll\" is missing",
            "srp.csv: warning: optional column \"Age range\" is missing",
            "srp.csv: warning: optional column \"Provider\" is missing",
            "srp.csv: warning: optional column \"SLA signed\" is missing",
            "srp.csv: warning: optional column \"SLA date\" is missing",
            "srp.csv: warning: optional column \"Open date\" is missing",
            "srp.csv:3: error: column URN: URN is not a number (\"12A45\"); row rejected",
            "srp.csv:5: error: column Commissioned places: Commissioned places is an Excel error (#N/A); row rejected",
        ]
    );
    assert_eq!(parsed.records.len(), 1);
}

#[test]
fn a_windows_1252_csv_is_read() {
    let mut csv = b"URN,SRP name,Need type,Commissioned places\r\n118084,St Mary".to_vec();
    csv.extend_from_slice(b"\x92s base,SEMH,16\r\n");
    let file = raw_file("srp.csv", &csv);
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(parsed.records[0].1.name.as_deref(), Some("St Mary\u{2019}s base"));
}

/// Totals and notes under the data are a footer, reported once and skipped, not rejected rows;
/// a school whose name merely starts like one ("Summerfield") is data.
#[test]
fn a_totals_footer_is_skipped_and_reported_once() {
    let f = one_sheet(
        "srp_totals.xlsx",
        "SRPs",
        &[
            &[S("URN"), S("SRP name"), S("Provision type"), S("Need type"), S("Commissioned places"), S("On roll")],
            &[N(118312.0), S("Bearsted ASD base"), S("Resourced provision"), S("ASD"), N(15.0), N(12.0)],
            &[N(118456.0), S("Summerfield SLCN unit"), S("SEN unit"), S("SLCN"), N(10.0), N(8.0)],
            &[Blank],
            &[S("Total"), Blank, Blank, Blank, N(25.0), N(20.0)],
            &[S("Source: Kent SEN team, March 2026")],
        ],
    );
    let parsed = inclusion_ingest::spreadsheet::read_srp_register(f.path(), &opts()).unwrap();
    assert_eq!((parsed.rows_read, parsed.rows_rejected, parsed.records.len()), (2, 0, 2));
    let footer: Vec<String> = lines(&parsed.issues).into_iter().filter(|l| l.contains("a footer")).collect();
    assert_eq!(footer.len(), 1, "{:?}", lines(&parsed.issues));
    assert!(footer[0].contains("rows 5-6: a footer (\"Total\") after the data; skipped"), "{footer:?}");
}

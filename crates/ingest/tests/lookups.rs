//! DfE's lookup workbooks (statistical neighbours, LA–region) in their hostile and sloppy forms:
//! a wrong file is refused naming the cell; spacing and capitalisation drift is read.

use std::path::PathBuf;

use inclusion_ingest::spreadsheet::{read_la_regions, read_statistical_neighbours, region_by_name};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn neighbours_header() -> String {
    let sn: Vec<String> = (1..=10).map(|k| format!("SN{k},SNP")).collect();
    format!("A,B,C\n1,2,3\nLA num,LA Name,LA number,GOInd,GOReg,{}\n", sn.join(","))
}

fn neighbour_row(code: &str, name: &str, neighbours: &[&str]) -> String {
    let cells: Vec<String> = neighbours.iter().map(|n| format!("{n},very CLOSE")).collect();
    format!("{code},{name},{code},6,South East,{}\n", cells.join(","))
}

const TEN: [&str; 10] = ["881", "845", "878", "303", "935", "926", "891", "938", "822", "933"];

#[test]
fn neighbours_are_read_with_their_closeness_evened() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}{}\n{}",
        neighbours_header(),
        neighbour_row("886", "Kent", &TEN),
        neighbour_row(" 887 ", "Medway", &TEN)
    );
    let got = read_statistical_neighbours(&write(&dir, "sn.csv", &text), u64::MAX).unwrap();
    assert_eq!(got.len(), 20, "a blank row is passed over");
    assert_eq!((got[0].la_code.as_str(), got[0].rank, got[0].neighbour_code.as_str()), ("886", 1, "881"));
    assert_eq!(got[0].closeness.as_deref(), Some("Very close"));
    assert_eq!(got[10].la_code, "887", "codes are trimmed");
}

#[test]
fn a_wrong_neighbours_file_is_refused_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let no_header = write(&dir, "other.csv", "name,value\nKent,1\n");
    let e = read_statistical_neighbours(&no_header, u64::MAX).unwrap_err().to_string();
    assert!(e.contains("no header row with `LA num`"), "{e}");

    let mut bad = TEN;
    bad[3] = "Barnet";
    let text = format!("{}{}", neighbours_header(), neighbour_row("886", "Kent", &bad));
    let e = read_statistical_neighbours(&write(&dir, "bad.csv", &text), u64::MAX).unwrap_err().to_string();
    assert!(e.contains("row 4, column L: neighbour SN4 of LA 886 is \"Barnet\", not a three-digit LA number"), "{e}");

    let text = format!("{}{}", neighbours_header(), neighbour_row("E10000016", "Kent", &TEN));
    let e = read_statistical_neighbours(&write(&dir, "gss.csv", &text), u64::MAX).unwrap_err().to_string();
    assert!(e.contains("column A: \"E10000016\" is not a three-digit LA number"), "{e}");

    let header_only = write(&dir, "empty.csv", &neighbours_header());
    assert!(read_statistical_neighbours(&header_only, u64::MAX).is_err());
    let big = write(&dir, "big.csv", &neighbours_header());
    let e = read_statistical_neighbours(&big, 10).unwrap_err().to_string();
    assert!(e.contains("over the limit"), "{e}");
}

#[test]
fn la_regions_carry_the_region_down_and_skip_titles_and_footnotes() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\"Headcount for '01 - Pupils' in Kent and 2 other locations\",,\n,,2021/22\n\
                south  east,Kent,\"265,806\"\n,Medway,\"50,672\"\nLondon,Barnet,\"60,000\"\n\
                ,Northamptonshire,NA\n(1) Totals include all schools,,\n,Not an LA,1\n";
    let got = read_la_regions(&write(&dir, "lookup.csv", text), u64::MAX).unwrap();
    let pairs: Vec<(&str, &str)> = got.iter().map(|r| (r.la_name.as_str(), r.region_code)).collect();
    assert_eq!(pairs, [("Kent", "E12000008"), ("Medway", "E12000008"), ("Barnet", "E12000007")]);
}

#[test]
fn a_wrong_lookup_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let one_column = write(&dir, "one.csv", "Kent\nMedway\n");
    let e = read_la_regions(&one_column, u64::MAX).unwrap_err().to_string();
    assert!(e.contains("expected region names in one column and LA names in the next"), "{e}");
    let no_region = write(&dir, "none.csv", "Somewhere,Kent\nElsewhere,Medway\n");
    assert!(read_la_regions(&no_region, u64::MAX).is_err(), "no row under a known region");
}

#[test]
fn region_names_are_matched_whatever_their_spelling() {
    assert_eq!(region_by_name("Yorkshire & the Humber"), Some(("E12000003", "Yorkshire and The Humber")));
    assert_eq!(region_by_name("Inner London"), Some(("E12000007", "London")));
    assert_eq!(region_by_name("  EAST of england "), Some(("E12000006", "East of England")));
    assert_eq!(region_by_name("Wales"), None);
}

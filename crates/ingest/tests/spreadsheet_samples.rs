//! The example registers in `data/sample/` that the demo imports, matched to the Kent schools of
//! `data/sample/gias_kent_sample.csv` (real URNs, its special schools and its schools with resourced
//! provision or SEN units). The tests check they read with exactly the warnings meant for the demo;
//! the ignored test writes them again from the tables below after a change:
//!
//! ```sh
//! cargo test -p inclusion-ingest --test spreadsheet_samples -- --ignored write_the_sample_registers
//! ```

mod spreadsheet_support;

use std::path::{Path, PathBuf};

use inclusion_ingest::spreadsheet::{ReadOptions, read_clusters, read_designations, read_srp_register, read_training};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use spreadsheet_support::*;

/// Host (URN, or DfE number for Bridge Primary), SRP name, provision type, need as written, places,
/// on roll, ages, provider, SLA signed, SLA date, open date. Places differ from GIAS where the LA
/// commissions differently (Paddock Wood: GIAS capacity 19, register 15); Meopham's base is in the
/// register only; Allington has more pupils than places (the one warning).
const SRPS: &str = "\
118084   | Kemsing SEMH base                | Resourced provision | SEMH                               | 16 | 12 | 4-11  | Kent County Council            | Yes | 2024-07-15 | 2015-09-01
118207   | Hawkhurst Hearing Unit           | SEN unit            | Hearing impairment                 | 13 | 11 | 4-11  | Kent County Council            | Yes | 2024-06-28 | 2009-09-01
118275   | Paddock Wood Autism base         | Resourced provision | Autism                             | 15 | 15 | 4-11  | Kent County Council            | Yes | 2024-07-01 | 2016-09-01
118587   | Oakfield SEMH base               | Resourced provision | Social, emotional and mental health | 13 | 10 | 4-11 | Kent County Council            | No  |            | 2018-09-01
118862   | St Dunstan's Hearing Unit        | SEN unit            | HI                                 | 15 | 12 | 3-11  | Kent County Council            | Yes | 2024-07-08 | 2011-01-04
119204   | Cheriton VI base                 | Resourced provision | Visual impairment                  | 16 | 9  | 4-11  | Kent County Council            | Yes | 2024-05-20 | 2012-09-01
119286   | Coxheath Nurture Unit            | SEN unit            | SEMH                               | 18 | 14 | 4-7   | Kent County Council            | Yes | 2024-07-12 | 2019-09-01
119513   | Meadow Vale VI base              | Resourced provision | VI                                 | 8  | 6  | 4-11  | Kent County Council            | Yes | 2024-07-03 | 2013-09-01
119873   | Allington SLCN base              | Resourced provision | Speech and language                | 13 | 14 | 3-11  | Kent County Council            | Yes | 2024-06-30 | 2017-09-01
119992   | Birchington Language Unit        | SEN unit            | SLCN                               | 19 | 17 | 4-7   | Kent County Council            | Yes | 2024-07-10 | 2010-09-01
119794   | Meopham Autism base              | Resourced provision | ASC                                | 12 | 4  | 4-11  | Kent County Council            | No  |            | 2024-09-01
139060   | St Nicholas's SLCN base          | Resourced provision | Speech, language and communication | 8  | 8  | 3-11  | North Downs Schools Trust      | Yes | 2024-07-19 | 2014-09-01
139273   | Sittingbourne VI Unit            | SEN unit            | VI                                 | 9  | 7  | 4-11  | Coastline Learning Trust       | Yes | 2024-03-14 | 2015-09-01
140562   | Tunbridge Wells Academy SLCN base | Resourced provision | SLCN                              | 8  | 8  | 11-16 | East Kent Learning Trust       | Yes | 2024-07-02 | 2016-09-01
142523   | Canterbury SLCN base             | Resourced provision | Speech and language                | 13 | 12 | 11-18 | North Downs Schools Trust      | No  |            | 2020-09-01
143549   | Benenden SLCN base               | Resourced provision | SLCN                               | 17 | 15 | 4-11  | Weald Academies Trust          | Yes | 2024-07-16 | 2014-09-01
143549   | Benenden Autism Unit             | SEN unit            | ASD                                | 10 | 9  | 4-11  | Weald Academies Trust          | Yes | 2024-07-16 | 2021-09-01
145002   | Orchard SpLD base                | Resourced provision | Dyslexia                           | 14 | 12 | 11-18 | The Downs Learning Partnership | Yes | 2024-06-21 | 2015-09-01
148023   | Priory Fields Hearing base       | Resourced provision | HI                                 | 10 | 8  | 4-11  | North Downs Schools Trust      | Yes | 2024-07-05 | 2018-09-01
148023   | Priory Fields Hearing Unit       | SEN unit            | HI                                 | 12 | 11 | 4-11  | North Downs Schools Trust      | Yes | 2024-07-05 | 2018-09-01
886/2650 | Bridge Hearing base              | Resourced provision | Hearing impairment                 | 15 | 13 | 4-11  | The Downs Learning Partnership | Yes | 2024-06-25 | 2019-09-01
886/2650 | Bridge Hearing Unit              | SEN unit            | Hearing impairment                 | 14 | 10 | 4-11  | The Downs Learning Partnership | Yes | 2024-06-25 | 2019-09-01
149273   | Ramsgate Infant PD base          | Resourced provision | Physical disability                | 14 | 11 | 4-7   | East Kent Learning Trust       | Yes | 2024-07-18 | 2022-09-01
149342   | Westlands SpLD base              | Resourced provision | SpLD                               | 18 | 16 | 11-18 | East Kent Learning Trust       | Yes | 2024-07-18 | 2022-09-01";

/// URN, school, designation, admissions guidance, effective from; a school's rows are its history.
const DESIGNATIONS: &str = "\
118190 | Dover Park School      | Profound, Severe and Complex Needs            | Ages 5-19; EHC plan naming PSCN as the primary need                      | 2016-09-01
118233 | Singlewell Park School | Communication and Interaction                 | Ages 11-19; EHC plan with SLCN or hearing impairment as the primary need | 2017-09-01
118743 | Ridgeview School       | Autistic Spectrum Condition                   | Ages 2-19; EHC plan naming autism                                        | 2015-09-01
118743 | Ridgeview School       | Neurodivergent with Learning Difficulties     | Ages 2-19; EHC plan naming autism or ADHD with learning difficulties     | 2024-09-01
118763 | The Hazelwood School   | Profound, Severe and Complex Needs            | Ages 5-19                                                                | 2016-09-01
119334 | Harbour School         | Social, Emotional and Mental Health           | Ages 11-19; places agreed through the SEMH panel                         | 2018-01-08
119508 | The Kingsmead School   | Autistic Spectrum Condition                   | Ages 2-19                                                                | 2014-09-01
119617 | Lyminge Park School    | Social, Emotional and Mental Health           | Ages 11-19                                                               | 2016-01-04
119618 | Greenhithe Park School | Physical Disability                           | Ages 5-19                                                                | 2015-09-01
119618 | Greenhithe Park School | Physical Disability and Complex Medical Needs | Ages 5-19; health plan agreed with the ICB                               | 2023-09-01
119710 | Kingsnorth Park School | Autistic Spectrum Condition                   | Ages 2-19                                                                | 2019-09-01
149069 | The Westlands School   | Autistic Spectrum Condition                   | Ages 5-19                                                                | 2022-04-01";

/// Cluster | district | primary care network | member URNs: one cluster per district of the sample.
/// Tonbridge and Malling and Tunbridge Wells have six schools each in the sample: two warnings.
const CLUSTERS: &str = "\
Ashford                  | Ashford               | Ashford Stour PCN      | 118654 118717 118862 119710 138312 142159 144923 145262 148774 149478
Canterbury and Herne Bay | Canterbury            | Canterbury Central PCN | 118541 119334 138445 140003 140353 142523 146268 148023 148493
Dartford and Swanscombe  | Dartford              | Dartford Central PCN   | 119067 119486 119618 119683 119797 137662 144090 144470 144866 148883 149857
Dover and Deal           | Dover                 | Dover Town PCN         | 118190 118306 119711 137222 139060 142405 142785 143196 143372 144232
Folkestone and Hythe     | Folkestone and Hythe  | Folkestone PCN         | 118049 118891 119204 119617 136838 141204 141446 143739 146527 147315 148852
Gravesham                | Gravesham             | Gravesend Central PCN  | 118163 118233 118474 119052 119513 119794 142231 143147 145168
Maidstone                | Maidstone             | Maidstone Central PCN  | 118153 118543 118638 118763 119286 119873 140450 145002 145641 148135 149905
Sevenoaks and Swanley    | Sevenoaks             | Sevenoaks PCN          | 118084 118221 118227 118587 119993 136167 136533 147404 149069 149342
Swale                    | Swale                 | Sittingbourne PCN      | 118167 118743 119601 138149 139273 142668 145655 146157 147010 149387
Thanet                   | Thanet                | Margate PCN            | 118532 119508 119525 119698 119733 119992 137250 147077 149273
Tonbridge and Malling    | Tonbridge and Malling | Tonbridge PCN          | 118158 119112 145050 145153 147807 148569
Tunbridge Wells          | Tunbridge Wells       | Tunbridge Wells PCN    | 118119 118207 118275 140562 143549 146548";

const PROGRAMMES: [&str; 3] = ["Whole School Nurture", "Inclusion Leadership", "Mainstream Core Standards"];
const STATUSES: [&str; 4] = ["Completed", "In progress", "Enrolled", "Withdrawn"];

/// Mainstream schools of the sample; the n-th takes part in n % 4 programmes, so the engagement
/// summary has schools in none, one, two and three.
const TRAINING_SCHOOLS: &str = "\
118049 118084 118119 118163 118167 118207 118221 118275 118306 118474 118532 118541 118587 118654 118717 118862
119052 119204 119286 119513 119873 119992 136838 137662 139060 140562 142523 143549 145002 146157 148023 149273";

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample").join(name)
}

fn table(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines().map(|line| line.split('|').map(str::trim).collect())
}

/// A table cell as the officer would type it: numbers as numbers, ISO dates as date cells.
fn cell(text: &str) -> C<'_> {
    let date = || {
        let mut parts = text.splitn(3, '-').map(str::parse::<u16>);
        let (y, m, d) = (parts.next()?.ok()?, parts.next()?.ok()?, parts.next()?.ok()?);
        Some(D(y, m as u8, d as u8))
    };
    if text.is_empty() {
        Blank
    } else if let Ok(n) = text.parse::<f64>() {
        N(n)
    } else if text.len() == 10 && text.as_bytes()[4] == b'-' {
        date().unwrap_or(S(text))
    } else {
        S(text)
    }
}

fn urns(text: &'static str) -> impl Iterator<Item = f64> {
    text.split_whitespace().map(|u| u.parse().unwrap())
}

fn header(ws: &mut Worksheet, row: u32, names: &[&str]) {
    put(ws, row, &names.iter().map(|n| S(n)).collect::<Vec<_>>());
}

#[test]
#[ignore = "writes data/sample/*.xlsx; run by hand after changing the sample data"]
fn write_the_sample_registers() {
    write("srp_register.xlsx", |wb| {
        let ws = wb.add_worksheet().set_name("SRP register").unwrap();
        put(ws, 0, &[S("Kent County Council: Specialist Resource Provision register, 2024/25")]);
        put(ws, 1, &[S("Commissioned places as agreed for September 2024. Corrections to the SEN team.")]);
        let names = ["Host school URN", "SRP name", "Provision type", "Need type", "Commissioned places", "On roll"];
        header(ws, 3, &[&names[..], &["Age range", "Provider", "SLA signed", "SLA date", "Open date"]].concat());
        for (i, row) in table(SRPS).enumerate() {
            put(ws, 4 + i as u32, &row.iter().map(|c| cell(c)).collect::<Vec<_>>());
        }
    });
    write("designations.xlsx", |wb| {
        let ws = wb.add_worksheet().set_name("Designations").unwrap();
        header(ws, 0, &["URN", "School name", "Designation", "Admissions guidance", "Effective from"]);
        for (i, row) in table(DESIGNATIONS).enumerate() {
            put(ws, 1 + i as u32, &row.iter().map(|c| cell(c)).collect::<Vec<_>>());
        }
    });
    write("clusters.xlsx", |wb| {
        let ws = wb.add_worksheet().set_name("Locality clusters").unwrap();
        header(ws, 0, &["Cluster", "District", "Primary care network", "Member URN"]);
        let mut row = 1u32;
        for line in table(CLUSTERS) {
            let members: Vec<f64> = urns(line[3]).collect();
            for (i, urn) in members.iter().enumerate() {
                put_at(ws, row + i as u32, 2, &[S(line[2]), N(*urn)]);
            }
            // Officers merge the cluster and district down their schools' rows.
            let last = row + members.len() as u32 - 1;
            ws.merge_range(row, 0, last, 0, line[0], &Format::new()).unwrap();
            ws.merge_range(row, 1, last, 1, line[1], &Format::new()).unwrap();
            row = last + 1;
        }
    });
    write("training.xlsx", |wb| {
        let ws = wb.add_worksheet().set_name("Engagement").unwrap();
        header(ws, 0, &["URN", "Programme", "Status", "Date"]);
        let mut row = 1u32;
        for (i, urn) in urns(TRAINING_SCHOOLS).enumerate() {
            for (p, programme) in PROGRAMMES.iter().take(i % 4).enumerate() {
                let status = STATUSES[(i + p) % STATUSES.len()];
                let month = 1 + ((i * 5 + p * 3) % 12) as u8;
                put(ws, row, &[N(urn), S(programme), S(status), D(2024, month, 1 + (i % 27) as u8)]);
                row += 1;
            }
        }
    });
}

fn write(name: &str, build: impl FnOnce(&mut Workbook)) {
    let mut workbook = Workbook::new();
    build(&mut workbook);
    workbook.save(sample(name)).unwrap();
}

#[test]
fn the_sample_srp_register_reads_with_one_warning() {
    let parsed = read_srp_register(&sample("srp_register.xlsx"), &ReadOptions::default()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        ["srp_register.xlsx [SRP register] F13: warning: On roll (14) is more than commissioned places (13)"]
    );
    assert_eq!(parsed.records.len(), table(SRPS).count());
}

#[test]
fn the_sample_designations_read_cleanly() {
    let parsed = read_designations(&sample("designations.xlsx"), &ReadOptions::default()).unwrap();
    assert!(parsed.issues.is_empty(), "{:?}", lines(&parsed.issues));
    assert_eq!(parsed.records.len(), table(DESIGNATIONS).count());
}

#[test]
fn the_sample_clusters_read_with_two_small_clusters() {
    let parsed = read_clusters(&sample("clusters.xlsx"), &ReadOptions::default()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "clusters.xlsx [Locality clusters]: warning: cluster \"Tonbridge and Malling\" has 6 schools (expected 7–14)",
            "clusters.xlsx [Locality clusters]: warning: cluster \"Tunbridge Wells\" has 6 schools (expected 7–14)",
        ]
    );
    let members: usize = table(CLUSTERS).map(|line| urns(line[3]).count()).sum();
    assert_eq!(parsed.records.len(), members);
    assert!(parsed.records.iter().all(|(_, m)| m.district.is_some()), "merged districts apply to every row");
}

#[test]
fn the_sample_training_reads_cleanly() {
    let parsed = read_training(&sample("training.xlsx"), &ReadOptions::default()).unwrap();
    assert!(parsed.issues.is_empty(), "{:?}", lines(&parsed.issues));
    let expected: usize = (0..urns(TRAINING_SCHOOLS).count()).map(|i| i % 4).sum();
    assert_eq!(parsed.records.len(), expected);
}

//! The four registers validated as a careful analyst would: what becomes a record, what is an error
//! (row rejected) and what is a warning (row kept), with the exact report lines.

mod spreadsheet_support;

use domain::{
    AgeRange, ClusterMembership, DesignationEntry, NeedType, SrpKind, SrpRegisterEntry, TrainingEntry, TrainingStatus,
};
use inclusion_ingest::spreadsheet::{
    Kind, ReadOptions, read_clusters, read_designations, read_srp_register, read_training,
};
use spreadsheet_support::*;

#[test]
fn kinds_are_named_as_on_the_command_line() {
    assert_eq!("srp".parse::<Kind>().unwrap(), Kind::Srp);
    assert_eq!("Clusters".parse::<Kind>().unwrap(), Kind::Clusters);
    assert_eq!(
        "schools".parse::<Kind>().unwrap_err().to_string(),
        "unknown spreadsheet kind \"schools\" (expected srp, designations, clusters or training)"
    );
    assert_eq!(Kind::Designations.as_str(), "designations");
}

const SRP_HEADER: &[C] = &[
    S("URN"),
    S("SRP name"),
    S("Provision type"),
    S("Need type"),
    S("Commissioned places"),
    S("On roll"),
    S("Age range"),
    S("Provider"),
    S("SLA signed"),
    S("SLA date"),
    S("Open date"),
    S("Close date"),
];

#[test]
fn a_complete_srp_row_becomes_a_register_entry() {
    let row = [
        N(143549.0),
        S("Benenden SLCN base"),
        S("Resourced provision"),
        S("Speech and language"),
        N(17.0),
        N(15.0),
        S("4 - 11"),
        S("Leigh Academies Trust"),
        S("Y"),
        S("12/07/2024"),
        D(2019, 9, 1),
        Blank,
    ];
    let file = one_sheet("srp.xlsx", "SRPs", &[SRP_HEADER, &row]);
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert!(parsed.issues.is_empty(), "{:?}", lines(&parsed.issues));
    assert_eq!(
        parsed.records,
        [(
            2,
            SrpRegisterEntry {
                host: urn(143549),
                school_name: None,
                name: Some("Benenden SLCN base".into()),
                kind: Some(SrpKind::ResourcedProvision),
                need_as_written: "Speech and language".into(),
                needs: vec![NeedType::Slcn],
                commissioned_places: Some(17),
                on_roll: Some(15),
                age_range: Some(AgeRange { low: 4, high: 11 }),
                provider: Some("Leigh Academies Trust".into()),
                sla_signed: Some(true),
                sla_date: Some(ymd(2024, 7, 12)),
                open_date: Some(ymd(2019, 9, 1)),
                close_date: None,
            }
        )]
    );
}

fn srp_row<'a>(urn: f64, need: &'a str, places: C<'a>, on_roll: C<'a>) -> Vec<C<'a>> {
    vec![N(urn), Blank, Blank, S(need), places, on_roll, Blank, Blank, Blank, Blank, Blank, Blank]
}

#[test]
fn free_text_needs_map_to_the_controlled_list_and_unknown_ones_are_kept_with_a_warning() {
    let file = one_sheet(
        "srp.xlsx",
        "SRPs",
        &[
            SRP_HEADER,
            &srp_row(118275.0, "Autistic spectrum condition", N(19.0), Blank),
            &srp_row(119873.0, "ASC", N(13.0), Blank),
            &srp_row(140562.0, "ASD/SLCN", N(8.0), Blank),
            &srp_row(145002.0, "Dyscalculia and maths anxiety", N(14.0), Blank),
        ],
    );
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "srp.xlsx [SRPs] D5: warning: Need type \"Dyscalculia and maths anxiety\" is not on the controlled list (ASD, SLCN, SEMH, SpLD, MLD, SLD, PMLD, PD, HI, VI, MSI, OTH); kept as written"
        ]
    );
    let needs: Vec<_> = parsed.records.iter().map(|(_, s)| s.needs.clone()).collect();
    assert_eq!(needs, [vec![NeedType::Asd], vec![NeedType::Asd], vec![NeedType::Asd, NeedType::Slcn], vec![]]);
    assert_eq!(parsed.records[3].1.need_as_written, "Dyscalculia and maths anxiety");
}

#[test]
fn places_on_roll_and_dates_are_checked_against_each_other() {
    let mut late_close = srp_row(119204.0, "VI", N(16.0), N(12.0));
    late_close[10] = D(2024, 9, 1);
    late_close[11] = D(2023, 7, 31);
    let mut unsigned = srp_row(119513.0, "VI", N(8.0), N(8.0));
    unsigned[8] = S("no");
    unsigned[9] = D(2024, 3, 1);
    let file = one_sheet(
        "srp.xlsx",
        "SRPs",
        &[
            SRP_HEADER,
            &srp_row(118084.0, "SEMH", N(12.0), N(14.0)),
            &late_close,
            &unsigned,
            &srp_row(118587.0, "SEMH", Blank, N(3.0)),
            &srp_row(119286.0, "SEMH", N(-2.0), Blank),
        ],
    );
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "srp.xlsx [SRPs] F2: warning: On roll (14) is more than commissioned places (12)",
            "srp.xlsx [SRPs] L3: error: Close date (2023-07-31) is before open date (2024-09-01); row rejected",
            "srp.xlsx [SRPs] J4: warning: SLA date is given but SLA signed says no",
            "srp.xlsx [SRPs] E5: warning: Commissioned places is empty",
            "srp.xlsx [SRPs] E6: error: Commissioned places cannot be negative (-2); row rejected",
        ]
    );
    let kept: Vec<u32> = parsed.records.iter().map(|(row, _)| *row).collect();
    assert_eq!(kept, [2, 4, 5]);
}

#[test]
fn a_missing_need_or_school_rejects_the_row_and_a_repeated_srp_is_rejected_once() {
    let mut no_school = srp_row(118084.0, "SEMH", N(16.0), Blank);
    no_school[0] = Blank;
    no_school[1] = S("Orphan base");
    let file = one_sheet(
        "srp.xlsx",
        "SRPs",
        &[
            SRP_HEADER,
            &srp_row(118084.0, "SEMH", N(16.0), Blank),
            &srp_row(118207.0, "", N(13.0), Blank),
            &no_school,
            &srp_row(118084.0, "Social, emotional and mental health", N(16.0), Blank),
        ],
    );
    let parsed = read_srp_register(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "srp.xlsx [SRPs] D3: error: Need type is empty; row rejected",
            "srp.xlsx [SRPs] A4: error: URN is empty; row rejected",
            "srp.xlsx [SRPs] A5: error: URN 118084 has this SRP already (row 2: same name and need type); row rejected",
        ]
    );
    assert_eq!((parsed.rows_read, parsed.rows_rejected, parsed.records.len()), (4, 3, 1));
}

#[test]
fn designations_keep_their_history_and_reject_two_on_one_date() {
    let file = one_sheet(
        "designations.xlsx",
        "Designations",
        &[
            &[S("URN"), S("School name"), S("Designation"), S("Admissions guidance"), S("Effective from")],
            &[
                N(118190.0),
                S("Dover Park School"),
                S("Profound, Severe and Complex Needs"),
                S("Ages 5-19"),
                D(2018, 9, 1),
            ],
            &[
                N(118190.0),
                S("Dover Park School"),
                S("Neurodivergent with Learning Difficulties"),
                Blank,
                S("01/09/2024"),
            ],
            &[N(118190.0), S("Dover Park School"), S("Autistic Spectrum Condition"), Blank, S("2024-09-01")],
            &[N(118743.0), S("Ridgeview School"), Blank, Blank, D(2020, 1, 1)],
            &[N(119617.0), S("Lyminge Park School"), S("Social, Emotional and Mental Health"), Blank, Blank],
        ],
    );
    let parsed = read_designations(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "designations.xlsx [Designations] E4: error: URN 118190 already has a designation effective from 2024-09-01 (row 3); row rejected",
            "designations.xlsx [Designations] C5: error: Designation is empty; row rejected",
            "designations.xlsx [Designations] E6: error: Effective from is empty; row rejected",
        ]
    );
    assert_eq!(
        parsed.records[1],
        (
            3,
            DesignationEntry {
                school: urn(118190),
                school_name: Some("Dover Park School".into()),
                designation: "Neurodivergent with Learning Difficulties".into(),
                admissions_guidance: None,
                effective_from: ymd(2024, 9, 1),
            }
        )
    );
}

#[test]
fn a_school_in_two_clusters_is_rejected_on_the_second_and_odd_sizes_are_warned_per_cluster() {
    let mut rows: Vec<Vec<C>> =
        vec![vec![S("Cluster name"), S("District"), S("Primary care network"), S("Member URN")]];
    let ashford = [118654.0, 118717.0, 118862.0, 138312.0, 142159.0];
    for u in ashford {
        rows.push(vec![S("Ashford Rural"), S("Ashford"), S("Ashford Rural PCN"), N(u)]);
    }
    rows.push(vec![S("Dover"), S("Dover"), S("Dover PCN"), N(118862.0)]);
    rows.push(vec![S("ashford  rural"), S("Swale"), Blank, N(148774.0)]);
    rows.push(vec![S("Ashford Rural"), Blank, Blank, N(118654.0)]);
    let rows: Vec<&[C]> = rows.iter().map(Vec::as_slice).collect();
    let file = one_sheet("clusters.xlsx", "Clusters", &rows);
    let parsed = read_clusters(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "clusters.xlsx [Clusters] D7: error: URN 118862 is already in cluster \"Ashford Rural\" (row 4); a school is in at most one cluster; row rejected",
            "clusters.xlsx [Clusters] B8: warning: District \"Swale\" differs from \"Ashford\" given for cluster \"Ashford Rural\" at row 2",
            "clusters.xlsx [Clusters] D9: error: URN 118654 is listed twice in cluster \"Ashford Rural\" (row 2); row rejected",
            "clusters.xlsx [Clusters]: warning: cluster \"Ashford Rural\" has 6 schools (expected 7–14)",
        ]
    );
    // The Dover row was rejected, so Dover has no members and no size warning of its own.
    let last = &parsed.records.last().unwrap().1;
    assert_eq!(
        last,
        &ClusterMembership {
            cluster: "Ashford Rural".into(),
            district: Some("Swale".into()),
            primary_care_network: Some("Ashford Rural PCN".into()),
            school: urn(148774),
            school_name: None,
        }
    );
    let wide = ReadOptions { cluster_size: (1, 5), ..opts() };
    let parsed = read_clusters(file.path(), &wide).unwrap();
    assert_eq!(
        parsed.issues.last().unwrap().to_string(),
        "clusters.xlsx [Clusters]: warning: cluster \"Ashford Rural\" has 6 schools (expected 1–5)"
    );
}

#[test]
fn training_programmes_and_statuses_are_normalised_and_a_repeat_is_rejected() {
    let file = one_sheet(
        "training.xlsx",
        "Engagement",
        &[
            &[S("URN"), S("Programme"), S("Status"), S("Date")],
            &[N(118049.0), S("whole school NURTURE"), S("Enrolled"), D(2024, 9, 12)],
            &[N(118049.0), S("Inclusion Leadership Programme"), S("complete"), S("15/03/2024")],
            &[N(118084.0), S("MCS"), S("paused"), Blank],
            &[N(118084.0), S("Forest School"), Blank, Blank],
            &[N(118049.0), S("Whole School Nurture"), S("Completed"), Blank],
        ],
    );
    let parsed = read_training(file.path(), &opts()).unwrap();
    assert_eq!(
        lines(&parsed.issues),
        [
            "training.xlsx [Engagement] C4: warning: Status \"paused\" is not one of Interested, Enrolled, In progress, Completed, Withdrawn; kept as written",
            "training.xlsx [Engagement] B5: warning: Programme \"Forest School\" is not a known programme; kept as written",
            "training.xlsx [Engagement] B6: error: URN 118049 is already listed for Whole School Nurture (row 2); row rejected",
        ]
    );
    let entries: Vec<&TrainingEntry> = parsed.records.iter().map(|(_, t)| t).collect();
    assert_eq!(entries[0].programme, "Whole School Nurture");
    assert_eq!(entries[0].status, Some(TrainingStatus::Enrolled));
    assert_eq!(entries[0].date, Some(ymd(2024, 9, 12)));
    assert_eq!(entries[1].programme, "Inclusion Leadership");
    assert_eq!(entries[1].status, Some(TrainingStatus::Completed));
    assert_eq!(entries[2].programme, "Mainstream Core Standards");
    assert_eq!(entries[2].status, Some(TrainingStatus::Other("paused".into())));
    assert_eq!(entries[3].programme, "Forest School");
}

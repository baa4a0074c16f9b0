//! GIAS's links file: the real national extract imports (Windows-1252, CRLF, no last newline, each
//! conversion listed from both sides), re-imports unchanged, and a converted school's series
//! continues across its two URNs through `includePredecessors`.

use std::collections::BTreeSet;

use jobs::NoProgress;
use jobs::import_ees::{EesImport, EesSource};
use jobs::import_links::{LinksImport, run};
use sea_orm::EntityTrait;
use serde_json::json;
use store::entity::{school, school_link};
use store::runs::RunStatus;
use test_support::{TestApp, TestDb, fixture};

fn job(path: std::path::PathBuf) -> LinksImport {
    LinksImport { path, trigger: "test".into(), archive_dir: None }
}

const MAPPING: &str = r#"
name = "test_attainment"
publication = "Key stage 4 performance"
datasets = ["test_attainment"]
levels = ["school"]

[[measures]]
code = "test_attainment8"
label = "Average Attainment 8 score"
unit = "score"
column = "avg_att8"
"#;

async fn the_real_links_file_joins_a_converted_schools_series(t: TestDb) {
    let Some(dfe) = fixture::dfe_data() else { return };
    let db = &t.db;
    jobs::import_gias::run(db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    let links = dfe.join("gias__links_edubasealldata20250422.csv");
    let first = run(db, &job(links.clone())).await.expect("the real links file imports");
    assert_eq!(first.counts.read, 33_801, "every row but the header");
    assert_eq!(
        first.counts.rejected,
        0,
        "{:?}",
        first.issues.iter().take(3).map(ToString::to_string).collect::<Vec<_>>()
    );
    let stored = school_link::Entity::find().all(db).await.unwrap();
    assert_eq!(stored.len() as i64, first.counts.inserted);
    assert_eq!(
        first.counts.inserted + first.issues.len() as i64,
        33_801,
        "a repeated link is reported, not stored twice"
    );
    // Torriano: the infant school (100023) became the primary (100024) on 15 September 2015,
    // listed from both sides.
    let torriano: Vec<_> =
        stored.iter().filter(|l| [100023, 100024].contains(&l.urn) && [100023, 100024].contains(&l.link_urn)).collect();
    assert_eq!(torriano.len(), 2);
    assert!(torriano.iter().all(|l| l.established_on == chrono::NaiveDate::from_ymd_opt(2015, 9, 15)));
    let again = run(db, &job(links)).await.unwrap();
    assert_eq!((again.counts.inserted, again.counts.updated), (0, 0));
    assert_eq!(again.status, RunStatus::Unchanged);

    // A sample school with a predecessor in the real file: its series continues across both URNs.
    let sample: BTreeSet<i32> = school::Entity::find().all(db).await.unwrap().iter().map(|s| s.urn).collect();
    let (urn, old) = stored
        .iter()
        .filter(|l| l.direction == "predecessor" && sample.contains(&l.urn) && l.urn != l.link_urn)
        .map(|l| (l.urn, l.link_urn))
        .min()
        .expect("a sample school converted from a predecessor");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(dir.path().join("mappings/test_attainment.toml"), MAPPING).unwrap();
    let csv = dir.path().join("att8.csv");
    std::fs::write(
        &csv,
        format!(
            "time_period,time_identifier,geographic_level,country_code,country_name,old_la_code,new_la_code,la_name,school_urn,school_name,avg_att8\n\
             202122,Academic year,School,E92000001,England,886,E10000016,Kent,{old},Before,41.5\n\
             202324,Academic year,School,E92000001,England,886,E10000016,Kent,{urn},After,44.25\n"
        ),
    )
    .unwrap();
    let ees = EesImport {
        release: Default::default(),
        source: EesSource::File(csv),
        mapping: Some("test_attainment".into()),
        mappings_dir: Some(dir.path().join("mappings")),
        api_base: "http://127.0.0.1:9".into(),
        client: Default::default(),
        trigger: "test".into(),
        archive_dir: dir.path().to_owned(),
    };
    let s = jobs::import_ees::run(db, &ees, &NoProgress).await.unwrap();
    assert_eq!(s.counts.rejected, 0, "{:?}", s.issues.iter().map(ToString::to_string).collect::<Vec<_>>());

    let app = TestApp::spawn(db.clone()).await;
    let q = "query($urn: Int!) { school(urn: $urn) {
        predecessors { urn linkType date }
        own: observations(query: { measures: [\"test_attainment8\"] }) { geographyCode period value }
        series: observations(query: { measures: [\"test_attainment8\"] }, includePredecessors: true) { geographyCode period value }
    } }";
    let data = app.data(q, json!({ "urn": urn })).await;
    let school = &data["school"];
    assert!(school["predecessors"].as_array().unwrap().iter().any(|p| p["urn"] == old), "{school}");
    assert_eq!(school["own"], json!([{ "geographyCode": urn.to_string(), "period": "2023/24", "value": 44.25 }]));
    let series = school["series"].as_array().unwrap();
    let mut got: Vec<(String, f64)> =
        series.iter().map(|o| (o["period"].as_str().unwrap().to_owned(), o["value"].as_f64().unwrap())).collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, [("2021/22".to_owned(), 41.5), ("2023/24".to_owned(), 44.25)], "{school}");
    // Seen from the predecessor, the school is its successor.
    let data = app.data("query($urn: Int!) { school(urn: $urn) { successors { urn } } }", json!({ "urn": old })).await;
    if !data["school"].is_null() {
        assert!(data["school"]["successors"].as_array().unwrap().iter().any(|s| s["urn"] == urn), "{data}");
    }
    app.stop().await;
}

async fn a_broken_links_file_imports_nothing(t: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let db = &t.db;
    let good = dir.path().join("links.csv");
    std::fs::write(&good, "URN,LinkURN,LinkName,LinkType,LinkEstablishedDate\r\n100023,100024,\"Torriano\",\"Predecessor\",\"15-09-2015\"").unwrap();
    run(db, &job(good)).await.unwrap();
    for (name, body) in [
        ("empty.csv", String::new()),
        ("wrong.csv", "URN,EstablishmentName\r\n100023,x\r\n".to_owned()),
        (
            "mostly_bad.csv",
            format!("URN,LinkURN,LinkName,LinkType,LinkEstablishedDate\r\n{}", "x,y,z,Successor,\r\n".repeat(30)),
        ),
        ("binary.csv", "\u{0}\u{1}\u{2}".repeat(100)),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let err = run(db, &job(path)).await.expect_err(name);
        assert!(err.to_string().contains(name), "{name}: {err}");
    }
    assert_eq!(school_link::Entity::find().all(db).await.unwrap().len(), 1, "the good import is intact");
}

crate::on_both_backends! {
    real_links_file => the_real_links_file_joins_a_converted_schools_series;
    broken_links_files => a_broken_links_file_imports_nothing;
}

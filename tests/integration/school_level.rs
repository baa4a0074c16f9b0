//! DfE's school-level files (written in their published shapes, `crates/ingest/test_data/ees/
//! school_level/`) import through the shipped mappings, found by file name or by EES API data-set
//! id, and their figures and symbols come back through GraphQL by cohort.

use std::path::PathBuf;

use jobs::NoProgress;
use jobs::import_ees::{EesImport, EesSource, run};
use serde_json::{Value, json};
use test_support::fake_dfe::{FakeDfe, Reply};
use test_support::{TestApp, TestDb, fixture};

pub fn school_level(name: &str) -> PathBuf {
    fixture::root().join("data/sample/statistics").join(name)
}

fn job(source: EesSource, archive: &std::path::Path, base: &str) -> EesImport {
    EesImport {
        release: Default::default(),
        source,
        mapping: None,
        mappings_dir: None,
        api_base: base.to_owned(),
        client: Default::default(),
        trigger: "test".into(),
        archive_dir: archive.to_owned(),
    }
}

/// Imports the bundled GIAS sample and every school-level fixture: the files by name, the two
/// EES API data sets by id from the local DfE stand-in. Returns the imports' row counts.
pub async fn import_all(t: &TestDb) -> Vec<(String, i64, i64)> {
    jobs::import_gias::run(&t.db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut counts = Vec::new();
    for file in ["exc_school.csv", "1a_absence_3term_school.csv", "sen_school_level_underlying_data.csv"] {
        let s = run(&t.db, &job(EesSource::File(school_level(file)), dir.path(), ""), &NoProgress).await.unwrap();
        counts.push((file.to_owned(), s.counts.read, s.counts.rejected));
    }
    let dfe = FakeDfe::start().await;
    for (id, file) in [
        ("019afee4-e5d0-72f9-9a8f-d7a1a56eac1d", "ks2_institution.csv"),
        ("b3e19901-5d2b-b676-bb4c-e60937d74725", "ks4_sen_provision.csv"),
    ] {
        let csv = std::fs::read(school_level(file)).unwrap();
        dfe.route(&format!("/v1/data-sets/{id}/csv"), vec![Reply::ok("text/csv", csv)]);
        let source = EesSource::Api { dataset: id.into(), version: None };
        let s = run(&t.db, &job(source, dir.path(), &dfe.url("")), &NoProgress).await.unwrap();
        counts.push((file.to_owned(), s.counts.read, s.counts.rejected));
    }
    counts
}

fn figures(school: &Value) -> Vec<(String, String, String, Value, Value)> {
    let mut out: Vec<_> = school["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["measure"]["code"].as_str().unwrap().to_owned(),
                o["period"].as_str().unwrap().to_owned(),
                o["cohort"].as_str().unwrap().to_owned(),
                o["value"].clone(),
                o["status"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    out
}

async fn school_level_files_reach_graphql(t: TestDb) {
    let counts = import_all(&t).await;
    for (file, read, rejected) in &counts {
        assert!(*read > 0 && *rejected == 0, "{file}: read {read}, rejected {rejected}");
    }
    let app = TestApp::spawn(t.db.clone()).await;
    let query = r#"query($urn: Int!, $measures: [String!]) { school(urn: $urn) {
        observations(query: { measures: $measures }) { measure { code } period cohort value status } } }"#;
    let school = |urn: i32, measures: &[&str]| {
        let app = &app;
        let measures: Vec<String> = measures.iter().map(|m| (*m).to_owned()).collect();
        async move { app.data(query, json!({"urn": urn, "measures": measures})).await["school"].clone() }
    };
    let f = |m: &str, p: &str, c: &str, v: Value, s: Value| (m.to_owned(), p.to_owned(), c.to_owned(), v, s);

    // Exclusions: counts and rates as published; a suppressed count stays `c`, never 0.
    let got = figures(&school(118891, &["excl_permanent", "excl_suspensions", "excl_suspension_rate"]).await);
    assert_eq!(
        got,
        vec![
            f("excl_permanent", "2022/23", "all", Value::Null, json!("c")),
            f("excl_suspension_rate", "2022/23", "all", json!(8.14), Value::Null),
            f("excl_suspensions", "2022/23", "all", json!(96.0), Value::Null),
        ]
    );

    // Absence: persistent and severe absence, with a suppressed severe count.
    let got = figures(&school(119204, &["absence_persistent", "absence_persistent_pct", "absence_severe"]).await);
    assert_eq!(
        got,
        vec![
            f("absence_persistent", "2023/24", "all", json!(78.0), Value::Null),
            f("absence_persistent_pct", "2023/24", "all", json!(18.0974), Value::Null),
            f("absence_severe", "2023/24", "all", Value::Null, json!("c")),
        ]
    );

    // SEN: totals, an SEN unit and resourced provision, primary need.
    let got = figures(
        &school(
            118221,
            &[
                "sen_school_ehcp",
                "sen_school_sen_unit",
                "sen_school_resourced_provision",
                "sen_school_sen_support_need_slcn",
            ],
        )
        .await,
    );
    assert_eq!(
        got,
        vec![
            f("sen_school_ehcp", "2023/24", "all", json!(11.0), Value::Null),
            f("sen_school_resourced_provision", "2023/24", "all", json!(0.0), Value::Null),
            f("sen_school_sen_support_need_slcn", "2023/24", "all", json!(24.0), Value::Null),
            f("sen_school_sen_unit", "2023/24", "all", json!(8.0), Value::Null),
        ]
    );

    // KS2 by SEN status and subject, from the API data set: a suppressed EHCP figure stays `c`;
    // 2023/24 has no progress score (`z`); a disadvantage breakdown is passed over.
    let got = figures(&school(118049, &["ks2_reading_expected_pct", "ks2_reading_progress"]).await);
    assert_eq!(
        got,
        vec![
            f("ks2_reading_expected_pct", "2022/23", "all", json!(80.0), Value::Null),
            f("ks2_reading_expected_pct", "2022/23", "ehcp", Value::Null, json!("c")),
            f("ks2_reading_expected_pct", "2022/23", "sen_support", json!(40.0), Value::Null),
            f("ks2_reading_expected_pct", "2023/24", "all", json!(80.0), Value::Null),
            f("ks2_reading_expected_pct", "2023/24", "ehcp", Value::Null, json!("c")),
            f("ks2_reading_expected_pct", "2023/24", "sen_support", json!(40.0), Value::Null),
            f("ks2_reading_progress", "2022/23", "all", json!(1.2), Value::Null),
            f("ks2_reading_progress", "2022/23", "ehcp", Value::Null, json!("c")),
            f("ks2_reading_progress", "2022/23", "sen_support", json!(-1.8), Value::Null),
            f("ks2_reading_progress", "2023/24", "all", Value::Null, json!("z")),
            f("ks2_reading_progress", "2023/24", "ehcp", Value::Null, json!("z")),
            f("ks2_reading_progress", "2023/24", "sen_support", Value::Null, json!("z")),
        ]
    );
    let disadvantaged = figures(&school(118221, &["ks2_maths_expected_pct"]).await);
    assert_eq!(disadvantaged.len(), 2, "only the Total rows of two years: {disadvantaged:?}");

    // KS4 by SEN provision for Kent, from the API data set: no Progress 8 for 2024/25.
    let kent = app
        .data(
            r#"{ localAuthority(code: "886") { observations(query: { measures: ["ks4_attainment8", "ks4_progress8"], cohorts: ["ehcp"] }) {
                measure { code } period cohort value status } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        figures(&kent["localAuthority"]),
        vec![
            f("ks4_attainment8", "2023/24", "ehcp", json!(12.9), Value::Null),
            f("ks4_attainment8", "2024/25", "ehcp", json!(12.9), Value::Null),
            f("ks4_progress8", "2023/24", "ehcp", json!(-1.3), Value::Null),
            f("ks4_progress8", "2024/25", "ehcp", Value::Null, json!("z")),
        ]
    );
    app.stop().await;
}

crate::on_both_backends! {
    school_level_files => school_level_files_reach_graphql;
}

//! The bulk path of EES imports on both backends: statements larger than one chunk, keys repeated
//! within a file, re-imports that change a few figures, and the migration that rebuilt
//! `observation` around its key.

use jobs::NoProgress;
use jobs::import_ees::{EesImport, EesSource, run};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use sea_orm_migration::MigratorTrait;
use store::entity::observation;
use store::migration::Migrator;
use test_support::TestDb;

use crate::on_both_backends;

const MAPPING: &str = r#"
name = "bulk_ehc"
publication = "Education, health and care plans"
datasets = ["bulk_ehc"]
levels = ["la"]

[[measures]]
code = "bulk_ehcp_new"
label = "New EHC plans"
unit = "count"
column = "ehcp_new"
"#;

/// 26 years × 100 LAs = 2,600 figures: more than one SQLite statement's worth.
fn csv(value: impl Fn(u32, u32) -> String, extra: &str) -> String {
    let mut out =
        String::from("time_period,time_identifier,geographic_level,new_la_code,old_la_code,la_name,ehcp_new\n");
    for year in 2000..2026 {
        for la in 800..900 {
            out.push_str(&format!("{year},Calendar year,Local authority,E0600{la},{la},LA {la},{}\n", value(year, la)));
        }
    }
    out.push_str(extra);
    out
}

fn job(dir: &std::path::Path, name: &str, body: &str) -> EesImport {
    let mappings = dir.join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(mappings.join("bulk_ehc.toml"), MAPPING).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    EesImport {
        release: Default::default(),
        source: EesSource::File(path),
        mapping: Some("bulk_ehc".into()),
        mappings_dir: Some(mappings),
        api_base: String::new(),
        client: Default::default(),
        trigger: "test".into(),
        archive_dir: dir.join("archive"),
    }
}

async fn stored(t: &TestDb, la: &str, year: &str) -> observation::Model {
    let key = (
        "la".to_owned(),
        la.to_owned(),
        "bulk_ehcp_new".to_owned(),
        year.to_owned(),
        "Calendar year".to_owned(),
        "all".to_owned(),
        "total".to_owned(),
    );
    observation::Entity::find_by_id(key).one(&t.db).await.unwrap().expect("stored")
}

async fn figure(t: &TestDb, la: &str, year: &str) -> (Option<f64>, Option<String>) {
    let o = stored(t, la, year).await;
    (o.value, o.status)
}

async fn repeats_and_reimports(t: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let value = |year: u32, la: u32| (year * 1000 + la).to_string();
    // The file ends by repeating its first figure with another value: the later one stands.
    let first = job(dir.path(), "first.csv", &csv(value, "2000,Calendar year,Local authority,E0600800,800,LA 800,7\n"));
    let s = run(&t.db, &first, &NoProgress).await.expect("first import");
    assert_eq!(s.counts.read, 2_601);
    assert_eq!(s.counts.inserted, 2_600);
    // Within one statement the repeat is folded away; across statements (SQLite's are smaller) it
    // updates the figure.
    assert!(s.counts.updated <= 1, "{:?}", s.counts);
    assert_eq!(observation::Entity::find().count(&t.db).await.unwrap(), 2_600);
    assert_eq!(figure(&t, "800", "2000").await, (Some(7.0), None));
    assert_eq!(figure(&t, "899", "2025").await, (Some(2_025_899.0), None));

    // Two figures change (one to a symbol); the other 2,598 are left as they are.
    let changed = |year: u32, la: u32| match (year, la) {
        (2010, 850) => "c".to_owned(),
        (2024, 801) => "1".to_owned(),
        (2000, 800) => "7".to_owned(),
        _ => (year * 1000 + la).to_string(),
    };
    let second = job(dir.path(), "second.csv", &csv(changed, ""));
    let s = run(&t.db, &second, &NoProgress).await.expect("re-import");
    assert_eq!((s.counts.inserted, s.counts.updated, s.counts.unchanged), (0, 2, 2_598));
    assert_eq!(figure(&t, "850", "2010").await, (None, Some("c".into())));
    assert_eq!(figure(&t, "801", "2024").await, (Some(1.0), None));
    let changed_row = stored(&t, "850", "2010").await;
    assert_eq!(changed_row.run_id, Some(s.run_id), "a changed figure names the run that changed it");
    let untouched = stored(&t, "849", "2010").await;
    assert_ne!(untouched.run_id, Some(s.run_id), "an unchanged figure keeps the run that wrote it");
}

/// Figures stored before the rebuild survive it, and the rebuild can be undone.
async fn the_rebuild_keeps_stored_figures(t: TestDb) {
    // Back to before the rebuild: only the first two migrations stay.
    let since_rebuild = Migrator::migrations().len() as u32 - 2;
    Migrator::down(&t.db, Some(since_rebuild)).await.expect("undo the rebuild");
    t.db.execute_unprepared(
        "INSERT INTO observation (measure_code, time_period, time_identifier, geographic_level, geography_code, \
         cohort, breakdown, value, status, run_id, source_sha256, source_line) \
         VALUES ('ehcp_new', '2022', 'Calendar year', 'la', '886', 'all', 'total', 2314, NULL, NULL, 'abc', 3), \
                ('ehcp_new', '2021', 'Calendar year', 'la', '886', 'all', 'total', NULL, 'x', NULL, 'abc', 4)",
    )
    .await
    .expect("a figure in the old layout");
    // Its measure, which the foreign keys of a later migration require.
    t.db.execute_unprepared("INSERT INTO measure (code, label, unit) VALUES ('ehcp_new', 'New EHC plans', 'count')")
        .await
        .expect("the measure");
    Migrator::up(&t.db, None).await.expect("redo the rebuild");
    let mut rows = observation::Entity::find().all(&t.db).await.unwrap();
    rows.sort_by(|a, b| a.time_period.cmp(&b.time_period));
    let got: Vec<_> =
        rows.iter().map(|o| (o.time_period.as_str(), o.value, o.status.as_deref(), o.source_line)).collect();
    assert_eq!(got, [("2021", None, Some("x"), Some(4)), ("2022", Some(2314.0), None, Some(3))]);
}

on_both_backends! {
    repeated_keys_and_reimports => repeats_and_reimports;
    observation_rebuild => the_rebuild_keeps_stored_figures;
}

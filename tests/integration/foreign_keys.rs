//! The references between tables are foreign keys: a row naming a school, district, cluster,
//! measure or run that does not exist cannot be written, on either backend, and a real import
//! (which writes schools before their districts) still commits.

use sea_orm::{ConnectionTrait, TransactionTrait};
use test_support::{TestDb, fixture};

use crate::gias_job;

/// Each statement names one parent that does not exist.
const ORPHANS: &[(&str, &str)] = &[
    (
        "an SRP of no school",
        "INSERT INTO srp (host_urn, kind, in_gias, in_register, run_id) VALUES (999999, 'resourced_provision', false, true, 1)",
    ),
    (
        "a designation of no school",
        "INSERT INTO designation (urn, name, valid_from) VALUES (999999, 'ASD', '2024-09-01')",
    ),
    ("training of no school", "INSERT INTO training_enrolment (urn, programme) VALUES (999999, 'Inclusion leads')"),
    ("a cluster member of no cluster", "INSERT INTO cluster_member (cluster_id, urn) VALUES (999999, 118084)"),
    ("a SEN provision of no school", "INSERT INTO school_sen_provision (urn, rank, need) VALUES (999999, 1, 'ASD')"),
    (
        "an observation of no measure",
        "INSERT INTO observation (geographic_level, geography_code, measure_code, time_period, time_identifier, cohort, breakdown, value) \
         VALUES ('local_authority', '886', 'no_such_measure', '2024', 'Academic year', 'all', '', 1.0)",
    ),
    (
        "an issue of no run",
        "INSERT INTO import_issue (run_id, file, severity, code, message) VALUES (999999, 'x.csv', 'error', 'x', 'x')",
    ),
    (
        "a district of no local authority",
        "INSERT INTO district (code, name, la_code) VALUES ('E07999999', 'Nowhere', '999')",
    ),
    (
        "a school of no district",
        "UPDATE school SET district_code = 'E07999999' WHERE urn = (SELECT MIN(urn) FROM school)",
    ),
];

async fn orphans_cannot_be_written(t: TestDb) {
    let db = &t.db;
    // Real parents exist, so each refusal is the missing one's doing.
    let summary = jobs::import_gias::run(db, &gias_job(fixture::gias("basic.csv"), None), &jobs::NoProgress)
        .await
        .expect("the sample extract imports with its constraints");
    assert!(summary.counts.inserted > 0);
    let before = counts(&t).await;
    for (what, sql) in ORPHANS {
        let txn = db.begin().await.unwrap();
        let written = match txn.execute_unprepared(sql).await {
            // Deferred constraints are checked at commit.
            Ok(_) => txn.commit().await,
            Err(e) => Err(e),
        };
        let err = written.expect_err(&format!("{what} was written"));
        let text = err.to_string().to_lowercase();
        assert!(text.contains("foreign key"), "{what}: {err}");
    }
    assert_eq!(counts(&t).await, before, "a refused write leaves nothing behind");
}

async fn counts(t: &TestDb) -> Vec<i64> {
    let mut out = Vec::new();
    for table in
        ["srp", "designation", "training_enrolment", "cluster_member", "observation", "import_issue", "district"]
    {
        let row =
            t.db.query_one_raw(sea_orm::Statement::from_string(
                t.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        out.push(row.try_get::<i64>("", "n").unwrap());
    }
    out
}

/// A database holding a row the constraints would reject is not migrated half-way: the migration
/// names the table and the count, changes nothing, and runs once the row is corrected.
async fn the_migration_refuses_orphans_naming_them(t: TestDb) {
    use sea_orm_migration::MigratorTrait;
    use store::migration::Migrator;
    // Back to before the foreign keys, and the migrations after them.
    let all = Migrator::migrations();
    let at = all.iter().position(|m| m.name() == "m20261202_000006_foreign_keys").expect("the migration");
    Migrator::down(&t.db, Some((all.len() - at) as u32)).await.expect("undo the foreign keys");
    t.db.execute_unprepared(
        "INSERT INTO srp (host_urn, kind, in_gias, in_register, run_id) VALUES (999999, 'resourced_provision', false, true, 1)",
    )
    .await
    .expect("an orphan, without the constraint");
    let err = Migrator::up(&t.db, None).await.expect_err("migrated over an orphan").to_string();
    assert!(
        err.contains("cannot declare the foreign keys: 1 srp rows whose host_urn is no school; nothing changed"),
        "{err}"
    );
    t.db.execute_unprepared("DELETE FROM srp WHERE host_urn = 999999").await.unwrap();
    Migrator::up(&t.db, None).await.expect("migrates once corrected");
    let txn = t.db.begin().await.unwrap();
    let again = txn.execute_unprepared(ORPHANS[0].1).await;
    assert!(
        match again {
            Ok(_) => txn.commit().await.is_err(),
            Err(_) => true,
        },
        "the constraint is in place"
    );
}

crate::on_both_backends! {
    orphans_cannot_be_written => orphans_cannot_be_written;
    the_migration_refuses_orphans => the_migration_refuses_orphans_naming_them;
}

//! LA registers end to end: the demo's sample workbooks import over the GIAS sample, match GIAS
//! SRPs, keep designation history, and answer through GraphQL, identically on both backends.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ingest::spreadsheet::{Kind, ReadOptions};
use jobs::NoProgress;
use jobs::import_register::{RegisterImport, run};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use store::entity::import_run;
use test_support::{TestApp, TestDb, fixture};

pub(crate) fn sample(name: &str) -> std::path::PathBuf {
    fixture::root().join("data/sample").join(name)
}

pub(crate) fn job(kind: Kind, file: &str) -> RegisterImport {
    RegisterImport {
        path: sample(file),
        kind,
        sheet: None,
        dry_run: false,
        trigger: "test".into(),
        archive_dir: None,
        cluster_size: (7, 14),
        today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        templates: Vec::new(),
        templates_dir: None,
    }
}

pub(crate) const FILES: [(Kind, &str); 4] = [
    (Kind::Srp, "srp_register.xlsx"),
    (Kind::Designations, "designations.xlsx"),
    (Kind::Clusters, "clusters.xlsx"),
    (Kind::Training, "training.xlsx"),
];

crate::on_both_backends! {
    sample_registers_import_and_answer => sample_registers_import_and_answer;
}

async fn sample_registers_import_and_answer(t: TestDb) {
    let db = &t.db;
    jobs::import_gias::run(db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();

    // A dry run reports what an import would find and writes nothing, not even a run record.
    let runs_before = import_run::Entity::find().count(db).await.unwrap();
    let dry = run(db, &RegisterImport { dry_run: true, ..job(Kind::Srp, "srp_register.xlsx") }).await.unwrap();
    assert!(dry.file.ends_with("(dry run: nothing written)"));
    assert_eq!(import_run::Entity::find().count(db).await.unwrap(), runs_before);

    let mut reports = BTreeMap::new();
    for (kind, file) in FILES {
        let s = run(db, &job(kind, file)).await.unwrap();
        assert_eq!(s.counts.rejected, 0, "{file}: {:?}", s.issues.iter().map(ToString::to_string).collect::<Vec<_>>());
        reports.insert(file, s);
    }
    let srp_lines: Vec<String> = reports["srp_register.xlsx"].issues.iter().map(|i| i.message.clone()).collect();
    assert_eq!(dry.issues.iter().map(|i| i.message.clone()).collect::<Vec<_>>(), srp_lines, "the dry run foresaw it");
    assert!(
        srp_lines.contains(
            &"URN 118275 ASD: the register commissions 15 places, GIAS reports a resourced provision with capacity 19"
                .to_owned()
        ),
        "{srp_lines:#?}"
    );
    assert!(
        srp_lines.iter().any(|l| l.starts_with("URN 119794 ASD: GIAS reports no resourced provision")),
        "{srp_lines:#?}"
    );

    // Idempotent: the same registers again change nothing.
    for (kind, file) in FILES {
        let again = run(db, &job(kind, file)).await.unwrap();
        assert_eq!((again.counts.inserted, again.counts.updated), (0, 0), "{file}");
    }

    let app = TestApp::spawn(db.clone()).await;
    let data = app
        .data(
            r#"{
              paddock: srps(filter: { hostUrn: 118275 }) { nodes { needType places capacity onRoll occupancy source slaSigned } }
              registerOnly: srps(filter: { source: REGISTER }) { totalCount nodes { hostUrn needType } }
              asd: srps(filter: { needType: "ASD", laCode: "886" }) { totalCount }
              specialSchools(laCode: "886") { urn designation { name validFrom } designationHistory { name validFrom validTo } }
              clusters { name primaryCareNetwork district { name } schools { urn cluster { name } } }
              trainingEngagement(groupBy: PHASE, laCode: "886") {
                group schools inNone { schools } inExactlyOne { schools } inExactlyTwo { schools }
                inThreeOrMore { schools } programmes { programme schools share status } }
            }"#,
            json!({}),
        )
        .await;
    app.stop().await;

    assert_eq!(
        data["paddock"]["nodes"],
        json!([{"needType": "ASD", "places": 15, "capacity": 19, "onRoll": 15, "occupancy": 1.0, "source": "BOTH", "slaSigned": true}])
    );
    let register_only: Vec<i64> =
        data["registerOnly"]["nodes"].as_array().unwrap().iter().map(|n| n["hostUrn"].as_i64().unwrap()).collect();
    assert!(register_only.contains(&119794), "{register_only:?}");
    assert!(data["asd"]["totalCount"].as_i64().unwrap() >= 2);

    // Designation history: each holds until the next starts; the current one is the latest.
    let parsed = ingest::spreadsheet::read_designations(&sample("designations.xlsx"), &ReadOptions::default()).unwrap();
    let mut per_school: BTreeMap<i64, usize> = BTreeMap::new();
    for (_, d) in &parsed.records {
        if let domain::SchoolRef::Urn(u) = d.school {
            *per_school.entry(i64::from(u.get())).or_default() += 1;
        }
    }
    let specials = data["specialSchools"].as_array().unwrap();
    let mut with_history = 0;
    for s in specials {
        let history = s["designationHistory"].as_array().unwrap();
        if let Some(n) = per_school.get(&s["urn"].as_i64().unwrap()) {
            assert_eq!(history.len(), *n);
        }
        for pair in history.windows(2) {
            assert_eq!(pair[0]["validTo"], pair[1]["validFrom"], "a new designation closes the previous one");
            with_history += 1;
        }
        if let Some(last) = history.last() {
            assert_eq!(last["validTo"], Value::Null);
            assert_eq!(s["designation"]["name"], last["name"]);
        }
    }
    assert!(with_history > 0, "the sample has schools whose designation changed");

    let clusters = data["clusters"].as_array().unwrap();
    assert!(!clusters.is_empty());
    for c in clusters {
        for school in c["schools"].as_array().unwrap() {
            assert_eq!(school["cluster"]["name"], c["name"], "School.cluster agrees with Cluster.schools");
        }
    }
    for g in data["trainingEngagement"].as_array().unwrap() {
        let parts =
            ["inNone", "inExactlyOne", "inExactlyTwo", "inThreeOrMore"].map(|k| g[k]["schools"].as_i64().unwrap());
        assert_eq!(parts.iter().sum::<i64>(), g["schools"].as_i64().unwrap(), "{g}");
    }
}

crate::on_both_backends! {
    a_newer_register_closes_what_it_no_longer_lists => a_newer_register_closes_what_it_no_longer_lists;
}

async fn a_newer_register_closes_what_it_no_longer_lists(t: TestDb) {
    use sea_orm::{ColumnTrait, QueryFilter};
    use store::entity::srp;
    let db = &t.db;
    jobs::import_gias::run(db, &crate::gias_job(fixture::gias("basic.csv"), None), &NoProgress).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let header = "URN,SRP name,Provision type,Need type,Commissioned places,On roll,Age range,Provider,SLA signed,SLA date,Open date\n";
    let bearsted =
        "118312,Bearsted ASD base,Resourced provision,ASD,15,12,4-11,Kent County Council,Yes,15/07/2024,01/09/2015\n";
    let milton = "118456,Milton Creek SLCN unit,SEN unit,SLCN,10,8,11-16,Kent County Council,No,,01/09/2012\n";
    let write = |name: &str, body: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        RegisterImport { path, ..job(Kind::Srp, "unused") }
    };
    let first = run(db, &write("v1.csv", format!("{header}{bearsted}{milton}"))).await.unwrap();
    assert_eq!((first.counts.inserted, first.counts.updated), (0, 2), "both match GIAS provisions");
    let bearsted_of =
        || async { srp::Entity::find().filter(srp::Column::HostUrn.eq(118312)).one(db).await.unwrap().unwrap() };
    let b = bearsted_of().await;
    assert_eq!(
        (b.name.as_deref(), b.need_type.as_deref(), b.commissioned_places, b.register_on_roll, b.age_range.as_deref()),
        (Some("Bearsted ASD base"), Some("ASD"), Some(15), Some(12), Some("4-11"))
    );
    assert_eq!((b.in_gias, b.in_register, b.run_id, b.sla_signed), (true, true, first.run_id, Some(true)));

    // Only the places change: that entry is rewritten, under the new run.
    let bearsted = bearsted.replace(",15,12,", ",16,12,");
    let second = run(db, &write("v2.csv", format!("{header}{bearsted}"))).await.unwrap();
    assert_eq!((second.counts.updated, second.counts.unchanged), (1, 0));
    let b = bearsted_of().await;
    assert_eq!((b.commissioned_places, b.in_gias, b.in_register, b.run_id), (Some(16), true, true, second.run_id));
    let lines: Vec<String> = second.issues.iter().map(|i| i.message.clone()).collect();
    assert!(
        lines.contains(&"URN 118456 SLCN: no longer in the register; GIAS still reports it".to_owned()),
        "{lines:#?}"
    );
    let milton_row = srp::Entity::find().filter(srp::Column::HostUrn.eq(118456)).one(db).await.unwrap().unwrap();
    assert!(!milton_row.in_register, "kept, not deleted");
    assert_eq!(milton_row.close_date, None, "GIAS still reports the unit, so it is not closed");

    // A register with a rejected row closes nothing: the bad row may be the missing entry.
    let third = run(db, &write("v3.csv", format!("{header}12A45,Bad,Resourced provision,ASD,1,1,4-11,X,Yes,,\n")))
        .await
        .unwrap();
    assert_eq!(third.counts.rejected, 1);
    assert!(third.issues.iter().any(|i| i.code == "closures_skipped"));
    let bearsted_row = srp::Entity::find().filter(srp::Column::HostUrn.eq(118312)).one(db).await.unwrap().unwrap();
    assert!(bearsted_row.in_register);
}

crate::on_both_backends! {
    a_register_rejected_row_by_row_imports_nothing => a_register_rejected_row_by_row_imports_nothing;
}

/// The wrong file (or kind): most rows rejected, so nothing is written, and the error shows the
/// first problems.
async fn a_register_rejected_row_by_row_imports_nothing(t: TestDb) {
    use sea_orm::EntityTrait;
    let db = &t.db;
    jobs::import_gias::run(db, &crate::gias_job(fixture::gias("basic.csv"), None), &NoProgress).await.unwrap();
    let before = store::entity::srp::Entity::find().all(db).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::from("URN,SRP name,Provision type,Need type,Commissioned places,On roll\n");
    for i in 0..40 {
        body.push_str(&format!("ABC{i},Base {i},Resourced provision,ASD,10,8\n"));
    }
    body.push_str("118312,Bearsted ASD base,Resourced provision,ASD,15,12\n");
    let path = dir.path().join("wrong.csv");
    std::fs::write(&path, body).unwrap();
    let err = run(db, &RegisterImport { path, ..job(Kind::Srp, "unused") }).await.unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("refused: 40 of 41 rows were rejected, so nothing was imported"), "{text}");
    assert!(text.contains("URN is not a number"), "{text}");
    assert_eq!(store::entity::srp::Entity::find().all(db).await.unwrap(), before);
}

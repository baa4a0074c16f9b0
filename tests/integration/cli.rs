//! The `inclusion` command line, run in-process on a real SQLite file.

use clap::Parser;
use server::Cli;
use test_support::fixture;

fn cli(db: &std::path::Path, args: &[&str]) -> Cli {
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let mut all = vec!["inclusion", "--database-url", &url];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_exits_zero_when_committed_and_two_when_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let archive = dir.path().join("kept");
    let basic = fixture::gias("basic.csv");
    let ok = server::run(cli(
        &db,
        &["--archive-dir", archive.to_str().unwrap(), "import", "gias", basic.to_str().unwrap(), "--la", "886"],
    ))
    .await;
    assert_eq!(format!("{ok:?}"), format!("{:?}", std::process::ExitCode::SUCCESS));
    // The raw input is archived under its sha256.
    let kept: Vec<_> =
        std::fs::read_dir(&archive).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].len(), 64);
    assert_eq!(std::fs::read(archive.join(&kept[0])).unwrap(), std::fs::read(&basic).unwrap());

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let refused = server::run(cli(&db, &["import", "gias", empty.to_str().unwrap()])).await;
    assert_eq!(format!("{refused:?}"), format!("{:?}", std::process::ExitCode::from(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_list_revoke_and_audit() {
    use sea_orm::EntityTrait;
    use store::entity::api_token;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tokens.db");
    let ok = |code: std::process::ExitCode| format!("{code:?}") == format!("{:?}", std::process::ExitCode::SUCCESS);
    let basic = fixture::gias("basic.csv");
    assert!(ok(server::run(cli(&db, &["import", "gias", basic.to_str().unwrap()])).await));

    // Refused, and nothing stored: a school token without its school, for a URN that is not a
    // school, a scope on a role that has none, an expiry in the past, a control character.
    for bad in [
        vec!["token", "create", "--role", "school"],
        vec!["token", "create", "--role", "school", "--urn", "999999"],
        vec!["token", "create", "--role", "analyst", "--urn", "140210"],
        vec!["token", "create", "--role", "analyst", "--expires", "2020-01-01"],
        vec!["token", "create", "--role", "analyst", "--label", "bad\u{7}label"],
    ] {
        assert!(!ok(server::run(cli(&db, &bad)).await), "{bad:?}");
    }
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let conn = store::connect(&url).await.unwrap();
    assert!(api_token::Entity::find().all(&conn).await.unwrap().is_empty());

    let made =
        ["token", "create", "--role", "school", "--urn", "140210", "--label", " SENCo ", "--expires", "2099-12-31"];
    assert!(ok(server::run(cli(&db, &made)).await));
    assert!(ok(server::run(cli(&db, &["token", "create", "--role", "analyst"])).await));
    let rows = api_token::Entity::find().all(&conn).await.unwrap();
    assert_eq!(rows.len(), 2);
    let school = &rows[0];
    assert_eq!(
        (school.role.as_str(), school.school_urn, school.label.as_deref()),
        ("school", Some(140210), Some("SENCo"))
    );
    assert_eq!(school.expires_at.unwrap().to_rfc3339(), "2100-01-01T00:00:00+00:00", "works through its last day");
    assert_eq!(school.token_hash.len(), 64);
    assert!(ok(server::run(cli(&db, &["token", "list"])).await));

    assert!(ok(server::run(cli(&db, &["token", "revoke", &school.id.to_string()])).await));
    let revoked = api_token::Entity::find_by_id(school.id).one(&conn).await.unwrap().unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(!ok(server::run(cli(&db, &["token", "revoke", "4242"])).await), "an unknown id is an error");

    assert!(ok(server::run(cli(&db, &["audit", "--school", "140210", "--since", "2026-01-01"])).await));
    assert!(ok(server::run(cli(&db, &["audit", "--format", "json"])).await));
}

/// `backup` writes a copy of a live SQLite database that `restore` puts into an empty one; the
/// restored database answers the same queries byte for byte. Neither overwrites anything, and a
/// file that is not a backup is refused before anything is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_then_restore_answers_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let archive = dir.path().join("archive");
    let sample = fixture::sample_gias();
    let ok = format!("{:?}", std::process::ExitCode::SUCCESS);
    let failed = format!("{:?}", std::process::ExitCode::FAILURE);
    let imported = server::run(cli(
        &live,
        &["--archive-dir", archive.to_str().unwrap(), "import", "gias", sample.to_str().unwrap(), "--la", "886"],
    ))
    .await;
    assert_eq!(format!("{imported:?}"), ok);

    let backup = dir.path().join("backup.db");
    // The live database stays open and serving while the copy is taken.
    let serving = test_support::TestApp::spawn(store::connect(&url(&live)).await.unwrap()).await;
    let taken = server::run(cli(&live, &["backup", backup.to_str().unwrap()])).await;
    assert_eq!(format!("{taken:?}"), ok);
    let again = server::run(cli(&live, &["backup", backup.to_str().unwrap()])).await;
    assert_eq!(format!("{again:?}"), failed, "a backup never overwrites a file");

    let restored = dir.path().join("restored.db");
    let put = server::run(cli(&restored, &["restore", backup.to_str().unwrap()])).await;
    assert_eq!(format!("{put:?}"), ok);
    let over = server::run(cli(&live, &["restore", backup.to_str().unwrap()])).await;
    assert_eq!(format!("{over:?}"), failed, "restore goes into an empty database only");

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"URN,name\n1,not a database\n").unwrap();
    let elsewhere = dir.path().join("elsewhere.db");
    let refused = server::run(cli(&elsewhere, &["restore", junk.to_str().unwrap()])).await;
    assert_eq!(format!("{refused:?}"), failed);
    assert!(!elsewhere.exists(), "nothing is written for a refused backup");
    let missing = server::run(cli(&elsewhere, &["restore", dir.path().join("nope.db").to_str().unwrap()])).await;
    assert_eq!(format!("{missing:?}"), failed);

    let q = "{ schools(first: 100) { nodes { urn name phase status laCode district { code name } } }
               importRuns(first: 10) { edges { node { id job status trigger rowsInserted error } } } }";
    let before = serde_json::to_string(&serving.data(q, serde_json::json!({})).await).unwrap();
    serving.stop().await;
    let app = test_support::TestApp::spawn(store::connect(&url(&restored)).await.unwrap()).await;
    let after = serde_json::to_string(&app.data(q, serde_json::json!({})).await).unwrap();
    app.stop().await;
    assert!(before.contains("\"urn\""), "{before}");
    assert_eq!(before, after);
}

fn url(db: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", db.display())
}

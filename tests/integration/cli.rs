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

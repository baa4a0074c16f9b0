//! GIAS import semantics: all-or-nothing, idempotent, updates without deletes, rejected rows
//! reported with line and column, broken files refused.

use jobs::NoProgress;
use jobs::import_gias::run;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use store::entity::{import_issue, import_run, school, school_sen_provision, source_file, srp};
use store::runs::RunStatus;
use test_support::{TestDb, fixture};

use crate::gias_job;

crate::on_both_backends! {
    first_import_fills_schools_srps_and_places => first_import_fills_schools_srps_and_places;
    same_file_twice_changes_nothing => same_file_twice_changes_nothing;
    newer_extract_updates_and_flags_but_never_deletes => newer_extract_updates_and_flags_but_never_deletes;
    bad_rows_are_rejected_with_line_and_column => bad_rows_are_rejected_with_line_and_column;
    broken_files_import_nothing => broken_files_import_nothing;
    a_sharp_drop_is_refused_unless_forced => a_sharp_drop_is_refused_unless_forced;
    an_extract_cut_off_mid_row_changes_nothing => an_extract_cut_off_mid_row_changes_nothing;
}

/// The download interrupted in its last row: refused whole; the school that row was about keeps
/// every field and its SEN provision.
async fn an_extract_cut_off_mid_row_changes_nothing(t: TestDb) {
    let db = &t.db;
    run(db, &gias_job(fixture::gias("basic.csv"), None), &NoProgress).await.unwrap();
    let snapshot = || async {
        let schools = school::Entity::find().order_by_asc(school::Column::Urn).all(db).await.unwrap();
        let sen = school_sen_provision::Entity::find().all(db).await.unwrap().len();
        (format!("{schools:?}"), sen)
    };
    let before = snapshot().await;
    let raw = std::fs::read(fixture::gias("basic.csv")).unwrap();
    let body = raw.strip_suffix(b"\r\n").unwrap_or(&raw);
    let last = body.iter().rposition(|b| *b == b'\n').unwrap() + 1;
    // Keep the first 30 fields of the last row, as a dropped connection would.
    let mut cut_at = last;
    for _ in 0..30 {
        cut_at += body[cut_at..].windows(3).position(|w| w == b"\",\"").unwrap() + 3;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edubasealldata20261201.csv");
    std::fs::write(&path, &body[..cut_at - 2]).unwrap();
    let err = run(db, &gias_job(path, None), &NoProgress).await.unwrap_err();
    assert!(err.to_string().contains("looks cut off"), "{err}");
    assert_eq!(snapshot().await, before, "nothing imported");
}

async fn first_import_fills_schools_srps_and_places(t: TestDb) {
    let db = &t.db;
    let s = run(db, &gias_job(fixture::gias("basic.csv"), Some("886")), &NoProgress).await.unwrap();
    assert_eq!(
        (s.counts.read, s.counts.inserted, s.counts.updated, s.counts.unchanged, s.counts.rejected),
        (18, 16, 0, 0, 0)
    );
    assert_eq!(s.skipped, 2, "two Medway rows are outside LA 886");
    assert_eq!(s.status, RunStatus::Succeeded);

    let st_marys = school::Entity::find_by_id(118540).one(db).await.unwrap().unwrap();
    assert_eq!(st_marys.name, "St Mary\u{2019}s Church of England Primary School");
    assert_eq!(st_marys.laestab.as_deref(), Some("8863302"));
    assert_eq!(st_marys.la_code.as_deref(), Some("886"));
    assert_eq!(st_marys.source_line, 8);
    let holy = school::Entity::find_by_id(118690).one(db).await.unwrap().unwrap();
    assert!(holy.name.contains(", "), "quoted name with a comma stays whole: {}", holy.name);
    assert!(school::Entity::find_by_id(134562).one(db).await.unwrap().is_none(), "Medway is out of scope");

    let srps =
        srp::Entity::find().order_by_asc(srp::Column::HostUrn).order_by_asc(srp::Column::Kind).all(db).await.unwrap();
    let got: Vec<_> = srps.iter().map(|s| (s.host_urn, s.kind.as_str(), s.gias_capacity, s.gias_on_roll)).collect();
    assert_eq!(
        got,
        vec![
            (118265, "resourced_provision", None, None),
            (118312, "resourced_provision", Some(15), Some(12)),
            (118456, "sen_unit", Some(10), Some(8)),
            (140210, "resourced_provision", Some(14), Some(11)),
            (140210, "sen_unit", Some(8), Some(6)),
        ]
    );
    let special = school::Entity::find().filter(school::Column::IsSpecial.eq(true)).count(db).await.unwrap();
    assert_eq!(special, 3, "community special, academy special converter, independent special");
    let sen = school_sen_provision::Entity::find()
        .filter(school_sen_provision::Column::Urn.eq(118870))
        .count(db)
        .await
        .unwrap();
    assert_eq!(sen, 3, "the special school lists ASD, SLCN and MLD");

    let runs = import_run::Entity::find().all(db).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].status.as_str(), runs[0].rows_inserted, runs[0].scope.as_deref()),
        ("succeeded", 16, Some("la=886"))
    );
    let file = source_file::Entity::find().one(db).await.unwrap().unwrap();
    assert_eq!((file.name.as_str(), file.sha256.len()), ("basic.csv", 64));
    assert_eq!(runs[0].source_sha256.as_deref(), Some(file.sha256.as_str()));
}

async fn same_file_twice_changes_nothing(t: TestDb) {
    let db = &t.db;
    let job = gias_job(fixture::gias("basic.csv"), None);
    let first = run(db, &job, &NoProgress).await.unwrap();
    assert_eq!(first.counts.inserted, 18);
    let before = school::Entity::find().order_by_asc(school::Column::Urn).all(db).await.unwrap();
    let srps_before = srp::Entity::find().order_by_asc(srp::Column::Id).all(db).await.unwrap();

    let second = run(db, &job, &NoProgress).await.unwrap();
    assert_eq!(
        (second.counts.read, second.counts.inserted, second.counts.updated, second.counts.unchanged),
        (18, 0, 0, 18)
    );
    assert_eq!(second.status, RunStatus::Unchanged);
    assert_eq!(school::Entity::find().order_by_asc(school::Column::Urn).all(db).await.unwrap(), before);
    assert_eq!(srp::Entity::find().order_by_asc(srp::Column::Id).all(db).await.unwrap(), srps_before);
    assert_eq!(import_run::Entity::find().count(db).await.unwrap(), 2, "every run leaves a record");
    assert_eq!(source_file::Entity::find().count(db).await.unwrap(), 1, "the same file is kept once");
}

async fn newer_extract_updates_and_flags_but_never_deletes(t: TestDb) {
    let db = &t.db;
    run(db, &gias_job(fixture::gias("basic.csv"), Some("886")), &NoProgress).await.unwrap();
    let s = run(db, &gias_job(fixture::gias("newer.csv"), Some("886")), &NoProgress).await.unwrap();
    // newer.csv: 118201 pupils and Ofsted changed, 118312's SRP capacity 15 -> 18, 149921 new,
    // 118140 gone.
    assert_eq!((s.counts.inserted, s.counts.updated, s.counts.unchanged), (1, 2, 13));
    assert_eq!(s.flagged_missing, vec![118140]);
    assert_eq!(s.status, RunStatus::Succeeded);

    let great_chart = school::Entity::find_by_id(118201).one(db).await.unwrap().unwrap();
    assert_eq!((great_chart.number_of_pupils, great_chart.ofsted_rating.as_deref()), (Some(418), Some("Good")));
    let gone = school::Entity::find_by_id(118140).one(db).await.unwrap().expect("kept, not deleted");
    assert!(!gone.in_latest_extract);
    let bearsted = srp::Entity::find().filter(srp::Column::HostUrn.eq(118312)).all(db).await.unwrap();
    assert_eq!(bearsted.len(), 1, "updated in place, not duplicated");
    assert_eq!(bearsted[0].gias_capacity, Some(18));

    // Re-importing the older file brings the school back and reverts the changes.
    let back = run(db, &gias_job(fixture::gias("basic.csv"), Some("886")), &NoProgress).await.unwrap();
    assert_eq!(back.counts.updated, 3);
    assert_eq!(back.flagged_missing, vec![149921]);
    assert!(school::Entity::find_by_id(118140).one(db).await.unwrap().unwrap().in_latest_extract);
}

async fn bad_rows_are_rejected_with_line_and_column(t: TestDb) {
    let db = &t.db;
    let s = run(db, &gias_job(fixture::gias("recoverable-errors.csv"), None), &NoProgress).await.unwrap();
    assert_eq!((s.counts.read, s.counts.inserted, s.counts.rejected), (6, 3, 3));
    assert_eq!(s.status, RunStatus::SucceededWithIssues);
    let lines: Vec<String> = s.issues.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        vec![
            "recoverable-errors.csv:3: error: column URN: URN is not a number (\"12A45\"); row rejected",
            "recoverable-errors.csv:5: error: column OpenDate: OpenDate is not a date in dd-mm-yyyy form (\"31-02-2019\"); row rejected",
            "recoverable-errors.csv:6: error: column NumberOfPupils: NumberOfPupils is not a whole number (\"lots\"); row rejected",
        ]
    );
    let stored = import_issue::Entity::find().order_by_asc(import_issue::Column::Id).all(db).await.unwrap();
    let got: Vec<_> =
        stored.iter().map(|i| (i.row, i.column.as_deref(), i.severity.as_str(), i.code.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (Some(3), Some("URN"), "error", "bad_urn"),
            (Some(5), Some("OpenDate"), "error", "bad_date"),
            (Some(6), Some("NumberOfPupils"), "error", "bad_number"),
        ]
    );
    // What the issues share (run, file, no sheet) is written once per statement: check it landed.
    assert!(stored.iter().all(|i| i.run_id == s.run_id && i.file == "recoverable-errors.csv" && i.sheet.is_none()));
    let run_row = import_run::Entity::find().one(db).await.unwrap().unwrap();
    assert_eq!((run_row.status.as_str(), run_row.rows_rejected), ("succeeded_with_issues", 3));
}

async fn broken_files_import_nothing(t: TestDb) {
    let db = &t.db;
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("workbook.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "workbook.csv: not a CSV text file (binary data: a NUL byte at offset 5)"),
        (
            "no-urn.csv",
            b"LA (code),LA (name),EstablishmentName,TypeOfEstablishment (name),EstablishmentTypeGroup (name),EstablishmentStatus (name),PhaseOfEducation (name)\r\n886,Kent,X,Community school,Local authority maintained schools,Open,Primary\r\n",
            "no-urn.csv: required column is missing: URN",
        ),
        ("header-only.csv", b"URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (name),EstablishmentTypeGroup (name),EstablishmentStatus (name),PhaseOfEducation (name)\r\n", "header-only.csv: the file has a header but no data rows"),
    ];
    for (name, bytes, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = run(db, &gias_job(path, None), &NoProgress).await.unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    assert_eq!(school::Entity::find().count(db).await.unwrap(), 0);
    let runs = import_run::Entity::find().order_by_asc(import_run::Column::Id).all(db).await.unwrap();
    assert_eq!(runs.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(), vec!["failed"; 4]);
    assert_eq!(runs[2].error_summary.as_deref(), Some("no-urn.csv: required column is missing: URN"));

    // A download cut off mid-row: the whole file is refused (the cut may hide more), nothing
    // imported, and the refused file is not archived.
    let mut cut = std::fs::read(fixture::gias("basic.csv")).unwrap();
    cut.extend_from_slice(b"\"119999,\"886");
    let path = dir.path().join("cut-off.csv");
    std::fs::write(&path, cut).unwrap();
    let archive = dir.path().join("archive");
    let job = jobs::import_gias::GiasImport { archive_dir: Some(archive.clone()), ..gias_job(path, None) };
    let err = run(db, &job, &NoProgress).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cut-off.csv:20: the last row has 1 of the header's 140 fields and no line end: the file looks cut off (an interrupted download?); nothing imported"
    );
    assert_eq!(school::Entity::find().count(db).await.unwrap(), 0);
    // The refused empty and binary files were not archived either; the cut-off one passed the
    // file-level checks (it is text) and is kept as the input of a failed run.
    let kept = std::fs::read_dir(&archive).map(|d| d.count()).unwrap_or(0);
    assert!(kept <= 1, "{kept} files archived");
    let empty = dir.path().join("empty.csv");
    let job = jobs::import_gias::GiasImport { archive_dir: Some(archive.clone()), ..gias_job(empty, None) };
    run(db, &job, &NoProgress).await.unwrap_err();
    assert_eq!(std::fs::read_dir(&archive).map(|d| d.count()).unwrap_or(0), kept, "an empty file is not archived");
}

async fn a_sharp_drop_is_refused_unless_forced(t: TestDb) {
    let db = &t.db;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let mut out = std::fs::File::create(&big).unwrap();
    test_support::gias_synth::write(&mut out, 60, 7).unwrap();
    run(db, &gias_job(big, None), &NoProgress).await.unwrap();
    let before = school::Entity::find().order_by_asc(school::Column::Urn).all(db).await.unwrap();

    let small = dir.path().join("small.csv");
    let mut out = std::fs::File::create(&small).unwrap();
    test_support::gias_synth::write(&mut out, 10, 8).unwrap();
    let err = run(db, &gias_job(small.clone(), None), &NoProgress).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("refused: the extract lists 10 establishments for all LAs, but the last import had 60"),
        "{err}"
    );
    // Rows were written inside the transaction before the check: all rolled back.
    assert_eq!(school::Entity::find().order_by_asc(school::Column::Urn).all(db).await.unwrap(), before);

    let forced =
        run(db, &jobs::import_gias::GiasImport { force: true, ..gias_job(small, None) }, &NoProgress).await.unwrap();
    assert_eq!(forced.counts.updated, 10);
    assert_eq!(forced.flagged_missing.len(), 50);
}

crate::on_both_backends! {
    a_run_stores_at_most_ten_thousand_issues => a_run_stores_at_most_ten_thousand_issues;
}

/// A file rejected row by row does not write an issue row per row past the cap; the last one
/// says how many were left out.
async fn a_run_stores_at_most_ten_thousand_issues(t: TestDb) {
    let db = &t.db;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many-bad.csv");
    test_support::gias_synth::write(&mut std::fs::File::create(&path).unwrap(), 10_100, 3).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let template = text.lines().nth(1).unwrap();
    let bad = format!("X1{}\r\n", &template[template.find(',').unwrap()..]);
    for _ in 0..10_050 {
        bytes.extend_from_slice(bad.as_bytes());
    }
    std::fs::write(&path, bytes).unwrap();
    let s = run(db, &gias_job(path.clone(), None), &NoProgress).await.unwrap();
    assert_eq!(s.counts.rejected, 10_050);
    let stored = import_issue::Entity::find().filter(import_issue::Column::RunId.eq(s.run_id)).count(db).await.unwrap();
    assert_eq!(stored, store::runs::MAX_STORED_ISSUES as u64);
    let last = import_issue::Entity::find()
        .filter(import_issue::Column::Code.eq("issues_omitted"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.message, "51 more issues not listed (the first 9999 are)");
    assert_eq!(s.issues.len(), store::runs::MAX_STORED_ISSUES, "the run holds no more in memory either");

    // Mostly rejected: the wrong file, refused whole.
    let worse = dir.path().join("mostly-bad.csv");
    let mut bytes = text.lines().take(11).collect::<Vec<_>>().join("\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n");
    for _ in 0..30 {
        bytes.extend_from_slice(bad.as_bytes());
    }
    std::fs::write(&worse, bytes).unwrap();
    let before = school::Entity::find().count(db).await.unwrap();
    let err = run(db, &gias_job(worse, None), &NoProgress).await.unwrap_err();
    assert!(err.to_string().starts_with("refused: 30 of 40 rows were rejected, so nothing was imported"), "{err}");
    assert_eq!(school::Entity::find().count(db).await.unwrap(), before);
}

crate::on_both_backends! {
    pruning_keeps_the_inputs_of_current_and_failed_runs => pruning_keeps_the_inputs_of_current_and_failed_runs;
}

/// A temp dir with an archive folder and two different 30-school extracts in it.
fn two_extracts() -> (tempfile::TempDir, std::path::PathBuf, [std::path::PathBuf; 2]) {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let files = [1, 2].map(|seed| {
        let path = dir.path().join(format!("extract{seed}.csv"));
        test_support::gias_synth::write(&mut std::fs::File::create(&path).unwrap(), 30, seed).unwrap();
        path
    });
    (dir, archive, files)
}

/// An import of `path` that archives into `archive`.
fn archived(archive: &std::path::Path, path: std::path::PathBuf) -> jobs::import_gias::GiasImport {
    jobs::import_gias::GiasImport { archive_dir: Some(archive.to_owned()), ..gias_job(path, None) }
}

async fn pruning_keeps_the_inputs_of_current_and_failed_runs(t: TestDb) {
    let db = &t.db;
    let (dir, archive, [older, newer]) = two_extracts();
    let import = |path| archived(&archive, path);
    run(db, &import(older.clone()), &NoProgress).await.unwrap();
    run(db, &import(newer.clone()), &NoProgress).await.unwrap();
    // A failed run whose input passed the file-level checks: kept for whoever looks into it.
    let header_only = dir.path().join("header-only.csv");
    let first_line: Vec<u8> = std::fs::read(&newer).unwrap().split(|b| *b == b'\n').next().unwrap().to_vec();
    std::fs::write(&header_only, [first_line.as_slice(), b"\n"].concat()).unwrap();
    run(db, &import(header_only.clone()), &NoProgress).await.unwrap_err();
    let sha = |p: &std::path::Path| jobs::SourceFile::scan(p).unwrap().sha256;
    let all: std::collections::BTreeSet<String> =
        std::fs::read_dir(&archive).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(all, [sha(&older), sha(&newer), sha(&header_only)].into_iter().collect());

    // Nothing is recent: the latest committed input and the failed one stay, the older goes.
    let protected = store::runs::protected_inputs(db, chrono::Utc::now() + chrono::Duration::days(1)).await.unwrap();
    let dry = jobs::prune(&archive, &protected, true).unwrap();
    assert_eq!(dry.removed, vec![sha(&older)]);
    assert_eq!(std::fs::read_dir(&archive).unwrap().count(), 3, "a dry run removes nothing");
    let done = jobs::prune(&archive, &protected, false).unwrap();
    assert_eq!((done.removed.clone(), done.kept), (vec![sha(&older)], 2));
    assert!(
        !archive.join(sha(&older)).exists()
            && archive.join(sha(&newer)).exists()
            && archive.join(sha(&header_only)).exists()
    );
    // Within the keep period everything stays.
    let recent = store::runs::protected_inputs(db, chrono::Utc::now() - chrono::Duration::days(90)).await.unwrap();
    assert!(recent.contains(&sha(&older)), "runs of the last 90 days keep their inputs");
}

/// Past its cap the archive refuses an input rather than fill the disk; what a recent or the
/// current run needs is never pruned to make room. (The cap is process-wide: nextest runs each
/// test in a process of its own.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_archive_refuses_the_import_and_keeps_what_runs_need() {
    let t = TestDb::sqlite().await;
    let db = &t.db;
    let (_dir, archive, [first, second]) = two_extracts();
    let import = |path| archived(&archive, path);
    let size = |p: &std::path::Path| std::fs::metadata(p).unwrap().len();
    jobs::set_archive_cap(size(&first) + size(&second) - 1);
    run(db, &import(first.clone()), &NoProgress).await.unwrap();
    let before = school::Entity::find().order_by_asc(school::Column::Urn).all(db).await.unwrap();
    let err = run(db, &import(second.clone()), &NoProgress).await.unwrap_err();
    jobs::set_archive_cap(0);
    assert!(err.to_string().contains("would pass its cap"), "{err}");
    assert_eq!(
        school::Entity::find().order_by_asc(school::Column::Urn).all(db).await.unwrap(),
        before,
        "nothing imported"
    );
    let kept: Vec<String> =
        std::fs::read_dir(&archive).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(kept, vec![jobs::SourceFile::scan(&first).unwrap().sha256], "the current run's input stays");
}

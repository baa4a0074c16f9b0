//! DfE statistics over HTTP and from real files: the fake DfE server on 127.0.0.1 scripts the
//! failures the client must survive; the real EES files in `../shared/dfe-data` import through
//! their mappings, and their figures come back through GraphQL.

use std::path::PathBuf;
use std::time::Duration;

use jobs::NoProgress;
use jobs::import_ees::{EesImport, EesSource, run};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use sources::{ClientConfig, Download, Expect, HttpClient};
use store::entity::{import_run, observation};
use store::runs::RunStatus;
use test_support::fake_dfe::{FakeDfe, Reply};
use test_support::{Backend, TestApp, TestDb, fixture};

/// A small EHC-plans file in the real layout (quoted headers, a leading-space number, symbols).
const EHC_CSV: &str = "\"time_period\",\"time_identifier\",\"geographic_level\",\"country_code\",\"country_name\",\"region_code\",\"region_name\",\"new_la_code\",\"old_la_code\",\"la_name\",\"ehcp_new\"\n";

fn fast_client() -> ClientConfig {
    ClientConfig {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_millis(400),
        max_attempts: 3,
        base_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_secs(2),
        ..Default::default()
    }
}

/// A one-measure mapping in a mappings directory of the test's own, overriding nothing built in.
const TINY_MAPPING: &str = r#"
name = "tiny_ehc"
publication = "Education, health and care plans"
datasets = ["sen2_mi"]
levels = ["national", "regional", "la"]

[[measures]]
code = "tiny_ehcp_new"
label = "New EHC plans"
unit = "count"
column = "ehcp_new"
"#;

fn job(source: EesSource, mapping: Option<&str>, archive: &std::path::Path, base: &str) -> EesImport {
    let mappings = archive.join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(mappings.join("tiny_ehc.toml"), TINY_MAPPING).unwrap();
    EesImport {
        release: Default::default(),
        source,
        mapping: mapping.map(str::to_owned),
        mappings_dir: Some(mappings),
        api_base: base.to_owned(),
        client: fast_client(),
        trigger: "test".into(),
        archive_dir: archive.to_owned(),
    }
}

/// The real EHC-plans file, or `None` (skipped with a reason) outside CI.
fn real(name: &str) -> Option<PathBuf> {
    fixture::dfe_data().map(|d| d.join(name))
}

fn tiny_ehc_csv() -> String {
    format!(
        "{EHC_CSV}2022,Calendar year,National,E92000001,England,,,,,,68665\n\
         2022,Calendar year,Local authority,E92000001,England,E12000008,South East,E10000016,886,Kent, 2314\n\
         2021,Calendar year,Local authority,E92000001,England,E12000008,South East,E10000016,886,Kent,x\n"
    )
}

async fn observations(t: &TestDb) -> u64 {
    observation::Entity::find().count(&t.db).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_then_success_is_retried_and_imports() {
    let t = TestDb::sqlite().await;
    let dfe = FakeDfe::start().await;
    dfe.route("/data/sen2_mi.csv", vec![Reply::status(500), Reply::ok("text/csv", tiny_ehc_csv())]);
    let dir = tempfile::tempdir().unwrap();
    let s =
        run(&t.db, &job(EesSource::Url(dfe.url("/data/sen2_mi.csv")), Some("tiny_ehc"), dir.path(), ""), &NoProgress)
            .await
            .unwrap();
    assert_eq!(dfe.hits("/data/sen2_mi.csv"), 2);
    assert_eq!((s.counts.read, s.counts.inserted), (3, 3));
    assert_eq!(observations(&t).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_is_retried() {
    let t = TestDb::sqlite().await;
    let dfe = FakeDfe::start().await;
    let slow = Reply::ok("text/csv", tiny_ehc_csv()).delayed(Duration::from_secs(2));
    dfe.route("/data/sen2_mi.csv", vec![slow, Reply::ok("text/csv", tiny_ehc_csv())]);
    let dir = tempfile::tempdir().unwrap();
    run(&t.db, &job(EesSource::Url(dfe.url("/data/sen2_mi.csv")), Some("tiny_ehc"), dir.path(), ""), &NoProgress)
        .await
        .unwrap();
    assert_eq!(dfe.hits("/data/sen2_mi.csv"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_waits_for_retry_after() {
    let dfe = FakeDfe::start().await;
    dfe.route("/f.csv", vec![Reply::status(429).header("Retry-After", "1"), Reply::ok("text/csv", tiny_ehc_csv())]);
    let dir = tempfile::tempdir().unwrap();
    let http = HttpClient::new(fast_client()).unwrap();
    let started = std::time::Instant::now();
    let got = http.download(&dfe.url("/f.csv"), dir.path(), Expect::Csv, None).await.unwrap();
    assert!(matches!(got, Download::Fetched { .. }));
    assert_eq!(dfe.hits("/f.csv"), 2);
    // Behaviour, not speed: the client honoured the one-second Retry-After before trying again.
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_304_imports_nothing_and_marks_the_run_unchanged() {
    let t = TestDb::sqlite().await;
    let dfe = FakeDfe::start().await;
    let path = "/v1/data-sets/abc-123/csv";
    dfe.route(path, vec![Reply::ok("text/csv", tiny_ehc_csv()).header("ETag", "\"v1\"")]);
    let dir = tempfile::tempdir().unwrap();
    let source = EesSource::Api { dataset: "abc-123".into(), version: None };
    let base = dfe.url("");
    let first = run(&t.db, &job(source.clone(), Some("tiny_ehc"), dir.path(), &base), &NoProgress).await.unwrap();
    assert_eq!(first.counts.inserted, 3);
    let second = run(&t.db, &job(source, Some("tiny_ehc"), dir.path(), &base), &NoProgress).await.unwrap();
    assert_eq!(second.status, RunStatus::Unchanged);
    assert_eq!((second.counts.read, second.counts.inserted), (0, 0));
    // The CSV twice (the second conditional), and the data set's metadata once, for the first
    // import's provenance (unscripted here: a 404, reported as a warning, not a failure).
    let seen: Vec<_> = dfe.seen().into_iter().filter(|r| r.path == path).collect();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].headers.get("if-none-match").map(String::as_str), Some("\"v1\""));
    assert!(first.issues.iter().any(|i| i.code == "dataset_metadata"), "{:?}", first.issues);
    let runs = import_run::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(runs.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(), vec!["succeeded", "unchanged"]);
    assert_eq!(observations(&t).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_fails_once_without_retry() {
    let t = TestDb::sqlite().await;
    let dfe = FakeDfe::start().await;
    let dir = tempfile::tempdir().unwrap();
    let err = run(&t.db, &job(EesSource::Url(dfe.url("/gone.csv")), Some("tiny_ehc"), dir.path(), ""), &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), format!("{}: not found (404)", dfe.url("/gone.csv")));
    assert_eq!(dfe.hits("/gone.csv"), 1);
    let runs = import_run::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(runs[0].status, "failed");
    assert_eq!(observations(&t).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_body_fails_and_writes_nothing() {
    let t = TestDb::sqlite().await;
    let dfe = FakeDfe::start().await;
    dfe.route("/cut.csv", vec![Reply::ok("text/csv", tiny_ehc_csv()).cut_at(150)]);
    let dir = tempfile::tempdir().unwrap();
    let err = run(&t.db, &job(EesSource::Url(dfe.url("/cut.csv")), Some("tiny_ehc"), dir.path(), ""), &NoProgress)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("body cut short"), "{err}");
    assert_eq!(dfe.hits("/cut.csv"), 3, "a cut-off body may pass on a later try: retried");
    assert_eq!(observations(&t).await, 0);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != "mappings")
        // Downloads wait in `incoming/`: it may stay, empty.
        .filter(|e| e.file_name() != "incoming" || std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some()))
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "no partial download is kept: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_content_type_fails_without_retry() {
    let t = TestDb::sqlite().await;
    let dfe = FakeDfe::start().await;
    dfe.route("/page.csv", vec![Reply::ok("text/html; charset=utf-8", "<html>Service unavailable</html>")]);
    let dir = tempfile::tempdir().unwrap();
    let err = run(&t.db, &job(EesSource::Url(dfe.url("/page.csv")), Some("tiny_ehc"), dir.path(), ""), &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: expected a CSV file, got content type \"text/html; charset=utf-8\"", dfe.url("/page.csv"))
    );
    assert_eq!(dfe.hits("/page.csv"), 1);
    assert_eq!(observations(&t).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_lists_publications_data_sets_and_meta_in_the_published_shapes() {
    let dfe = FakeDfe::start().await;
    dfe.route(
        "/v1/publications?page=1&pageSize=40&search=special",
        vec![Reply::json(&json!({
            "paging": {"page": 1, "pageSize": 40, "totalResults": 1, "totalPages": 1},
            "results": [{"id": "d851c09e-7f5a-4750-9191-ed67ba5e8f8b", "title": "Special educational needs in England",
                         "slug": "special-educational-needs-in-england", "summary": "SEN", "lastPublished": "2024-06-20T09:30:00+00:00"}]
        }))],
    );
    dfe.route(
        "/v1/publications/d851c09e-7f5a-4750-9191-ed67ba5e8f8b/data-sets?page=1&pageSize=40",
        vec![Reply::json(&json!({
            "paging": {"page": 1, "pageSize": 40, "totalResults": 1, "totalPages": 1},
            "results": [{"id": "7588c2d6-9e8a-4d84-8f19-6b8d52a01fbd", "title": "SEN by school", "summary": "s",
                         "status": "Published",
                         "latestVersion": {"version": "2.0", "published": "2024-06-20T09:30:00+00:00", "totalResults": 1000,
                                           "file": {"id": "f1"}, "timePeriods": {"start": "2015/16", "end": "2023/24"},
                                           "geographicLevels": ["School"], "filters": [], "indicators": []}}]
        }))],
    );
    dfe.route(
        "/v1/data-sets/7588c2d6-9e8a-4d84-8f19-6b8d52a01fbd/meta?dataSetVersion=2.0",
        vec![Reply::json(&json!({
            "filters": [{"id": "f", "column": "sen_status", "label": "SEN status", "options": []}],
            "indicators": [{"id": "i", "column": "ehc_plan", "label": "EHC plan", "unit": "", "decimalPlaces": 0}],
            "geographicLevels": [], "locations": [], "timePeriods": []
        }))],
    );
    let api = sources::EesApi::new(HttpClient::new(fast_client()).unwrap(), &dfe.url(""));
    let pubs = api.publications(Some("special"), 1).await.unwrap();
    assert_eq!(pubs.results[0].slug, "special-educational-needs-in-england");
    let sets = api.data_sets(&pubs.results[0].id, 1).await.unwrap();
    assert_eq!(sets.results[0].latest_version.as_ref().unwrap().version, "2.0");
    let meta = api.meta(&sets.results[0].id, Some("2.0")).await.unwrap();
    assert_eq!((meta.filters[0].column.as_str(), meta.indicators[0].column.as_str()), ("sen_status", "ehc_plan"));
}

/// Every DfE symbol comes through to GraphQL as the observation's status, never as a number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_symbol_round_trips_to_graphql() {
    let t = TestDb::sqlite().await;
    let symbols = ["c", "x", "z", "low", "u", ":", "~"];
    let mut csv = EHC_CSV.to_owned();
    for (i, s) in symbols.iter().enumerate() {
        csv.push_str(&format!(
            "{},Calendar year,Local authority,E92000001,England,E12000008,South East,E10000016,886,Kent,{s}\n",
            2014 + i
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sen2_mi.csv");
    std::fs::write(&path, csv).unwrap();
    jobs::import_gias::run(&t.db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    run(&t.db, &job(EesSource::File(path), Some("tiny_ehc"), dir.path(), ""), &NoProgress).await.unwrap();
    let app = TestApp::spawn(t.db.clone()).await;
    let data = app
        .data(r#"{ localAuthority(code: "886") { observations(query: {measures: ["tiny_ehcp_new"]}) { period value status } } }"#, json!({}))
        .await;
    let got: Vec<(String, Value, String)> = data["localAuthority"]["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["period"].as_str().unwrap().to_owned(),
                o["value"].clone(),
                o["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, Value, String)> =
        symbols.iter().enumerate().map(|(i, s)| ((2014 + i).to_string(), Value::Null, (*s).to_owned())).collect();
    assert_eq!(got, want);
    app.stop().await;
}

/// The real EES files import through their mappings; Kent's and England's figures (read from the
/// files themselves) come back through GraphQL, symbols included, identically on both backends.
async fn real_files_query(backend: Backend) -> Option<Value> {
    let files = [
        ("ehc_plans__sen2_mi.csv", "ehc_plans"),
        ("cin__sen_la.csv", "cin_sen"),
        ("absence__4_absence_2term_pru.csv", "pru_absence"),
        ("ap__spc_ap_setting.csv", "ap_settings"),
        ("ehe__ehe_academic_year.csv", "ehe"),
    ];
    let paths: Vec<_> = files.iter().map(|(f, _)| real(f)).collect::<Option<_>>()?;
    let t = TestDb::of(backend).await?;
    let dir = tempfile::tempdir().unwrap();
    // The register of schools names the LAs; statistics hang off them.
    jobs::import_gias::run(&t.db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    for (path, (_, mapping)) in paths.into_iter().zip(files) {
        let s = run(&t.db, &job(EesSource::File(path), Some(mapping), dir.path(), ""), &NoProgress).await.unwrap();
        assert_eq!(s.counts.rejected, 0, "{mapping}: {:?}", s.issues);
    }
    let app = TestApp::spawn(t.db.clone()).await;
    let q = r#"{
      kent: localAuthority(code: "E10000016") { code observations(query: {
        measures: ["ehcp_new", "ehcp_issued_20wk_incl_exceptions_pct", "ehcp_requests", "cin_need_nsa",
                   "pru_persistent_absence_pct", "ehe_anytime", "ehe_starts_from_none_pct", "ap_placements"],
        periods: ["2022", "2014", "2021/22", "202223", "2024/25"], breakdowns: [] }) {
          measure { code unit } period cohort breakdown value status } }
      england { observations(query: { measures: ["ehcp_new", "ehe_anytime"], periods: ["2022", "2024/25"] }) {
          measure { code } period value status } }
      measures { code }
    }"#;
    let data = app.data(q, json!({})).await;
    app.stop().await;
    Some(data)
}

fn find<'a>(obs: &'a Value, code: &str, period: &str, cohort: Option<&str>) -> &'a Value {
    obs.as_array()
        .unwrap()
        .iter()
        .find(|o| o["measure"]["code"] == code && o["period"] == period && cohort.is_none_or(|c| o["cohort"] == c))
        .unwrap_or_else(|| panic!("no {code} {period} {cohort:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_files_give_kent_and_england_figures_identically_on_both_backends() {
    let Some(sqlite) = real_files_query(Backend::Sqlite).await else { return };
    let kent = &sqlite["kent"]["observations"];
    assert_eq!(sqlite["kent"]["code"], "886");
    assert_eq!(find(kent, "ehcp_new", "2022", None)["value"], 2314.0);
    assert_eq!(find(kent, "ehcp_issued_20wk_incl_exceptions_pct", "2022", None)["value"], 40.93);
    assert_eq!(find(kent, "ehcp_issued_20wk_incl_exceptions_pct", "2022", None)["measure"]["unit"], "percent");
    let requests_2014 = find(kent, "ehcp_requests", "2014", None);
    assert_eq!((&requests_2014["value"], &requests_2014["status"]), (&Value::Null, &json!("z")));
    let nsa = find(kent, "cin_need_nsa", "2021/22", Some("cic"));
    assert_eq!((&nsa["value"], &nsa["status"]), (&Value::Null, &json!("c")));
    assert_eq!(find(kent, "pru_persistent_absence_pct", "2022/23 Autumn and spring term", None)["value"], 84.30034);
    assert_eq!(find(kent, "ehe_anytime", "2024/25", None)["value"], 7420.0);
    assert_eq!(find(kent, "ehe_starts_from_none_pct", "2024/25", None)["status"], "low");
    let england = &sqlite["england"]["observations"];
    assert_eq!(find(england, "ehcp_new", "2022", None)["value"], 68665.0);
    assert_eq!(find(england, "ehe_anytime", "2024/25", None)["value"], 175900.0);

    let Some(postgres) = real_files_query(Backend::Postgres).await else { return };
    assert_eq!(postgres, sqlite, "the same import answers the same on PostgreSQL");
}

/// School-level SEN statistics reach `School.observations` and `School.pupils`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn school_figures_and_pupils_by_sen_status() {
    let t = TestDb::sqlite().await;
    jobs::import_gias::run(&t.db, &crate::gias_job(fixture::gias("basic.csv"), None), &NoProgress).await.unwrap();
    let mapping = ingest::ees::builtin_mappings().into_iter().find(|m| m.name() == "sen_school").unwrap();
    let columns: Vec<String> = mapping.measures().iter().map(|m| m.column.clone()).collect();
    let mut csv = format!(
        "time_period,time_identifier,geographic_level,country_code,country_name,old_la_code,new_la_code,la_name,URN,{}\n",
        columns.join(",")
    );
    // Two censuses for one school: the latest is the default; a suppressed cell stays a symbol.
    for (period, pupils, support, ehcp) in [("202223", "400", "52", "9"), ("202324", "412", "60", "c")] {
        let rest: Vec<&str> = columns
            .iter()
            .map(|c| match c.as_str() {
                "Total pupils" => pupils,
                "SEN support" => support,
                "EHC plan" => ehcp,
                _ => "0",
            })
            .collect();
        csv.push_str(&format!(
            "{period},Academic year,School,E92000001,England,886,E10000016,Kent,118201,{}\n",
            rest.join(",")
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sen_school_level_underlying_data.csv");
    std::fs::write(&path, csv).unwrap();
    let s = run(&t.db, &job(EesSource::File(path), None, dir.path(), ""), &NoProgress).await.unwrap();
    assert_eq!((s.counts.read, s.counts.rejected), (2, 0), "{:?}", s.issues);
    let app = TestApp::spawn(t.db.clone()).await;
    let data = app
        .data(
            r#"{ school(urn: 118201) {
                latest: pupils { period headcount senSupport ehcPlan senSupportShare ehcPlanShare }
                earlier: pupils(period: "2022/23") { period headcount senSupport ehcPlan ehcPlanShare }
                observations(query: { measures: ["sen_school_ehcp"] }) { period value status run { id } } } }"#,
            json!({}),
        )
        .await;
    let school = &data["school"];
    assert_eq!(
        school["latest"],
        json!({"period": "2023/24", "headcount": 412.0, "senSupport": 60.0, "ehcPlan": null,
               "senSupportShare": 60.0 / 412.0, "ehcPlanShare": null})
    );
    assert_eq!(
        school["earlier"],
        json!({"period": "2022/23", "headcount": 400.0, "senSupport": 52.0, "ehcPlan": 9.0, "ehcPlanShare": 9.0 / 400.0})
    );
    let obs = school["observations"].as_array().unwrap();
    assert_eq!(obs.len(), 2);
    assert_eq!((&obs[1]["status"], &obs[1]["value"]), (&json!("c"), &Value::Null));
    assert_eq!(obs[0]["run"]["id"], json!(s.run_id.to_string()));
    app.stop().await;
}

/// A download waits in `incoming/` until its checks pass: a refused one leaves nothing behind, a
/// good one is archived under its sha256 and the waiting copy goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_are_archived_only_once_checked() {
    let t = TestDb::sqlite().await;
    let dfe = FakeDfe::start().await;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let good = tiny_ehc_csv();
    dfe.route("/good.csv", vec![Reply::ok("text/csv", good.clone())]);
    dfe.route("/empty.csv", vec![Reply::ok("text/csv", "")]);
    let empty =
        run(&t.db, &job(EesSource::Url(dfe.url("/empty.csv")), Some("tiny_ehc"), &archive, &dfe.url("")), &NoProgress)
            .await;
    assert!(empty.is_err());
    let files = |d: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(d)
            .map(|r| r.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
            .unwrap_or_default()
    };
    assert!(files(&archive.join("incoming")).is_empty(), "{:?}", files(&archive.join("incoming")));
    assert!(
        !files(&archive).iter().any(|f| f.len() == 64),
        "a refused download is not archived: {:?}",
        files(&archive)
    );
    run(&t.db, &job(EesSource::Url(dfe.url("/good.csv")), Some("tiny_ehc"), &archive, &dfe.url("")), &NoProgress)
        .await
        .unwrap();
    let good_path = dir.path().join("good.csv");
    std::fs::write(&good_path, &good).unwrap();
    let good_sha = jobs::SourceFile::scan(&good_path).unwrap().sha256;
    assert!(files(&archive).contains(&good_sha), "{:?}", files(&archive));
    assert!(files(&archive.join("incoming")).is_empty());
}

/// A provisional release, then the revised one: the change is reported, the current value is the
/// revised one, and the provisional value stays queryable with its source.
async fn a_revised_release_keeps_the_provisional_value(t: TestDb) {
    // GIAS names LA 886, so `localAuthority` answers.
    jobs::import_gias::run(&t.db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, kent: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "{EHC_CSV}2022,Calendar year,National,E92000001,England,,,,,,68665\n\
                 2022,Calendar year,Local authority,E92000001,England,E12000008,South East,E10000016,886,Kent,{kent}\n"
            ),
        )
        .unwrap();
        path
    };
    let release = |provisional| jobs::import_ees::ReleaseInfo {
        title: Some("2022".into()),
        published: Some(if provisional { "2023-06-22" } else { "2024-06-13" }.into()),
        provisional: Some(provisional),
    };
    let provisional = EesImport {
        release: release(true),
        ..job(EesSource::File(file("sen2_provisional.csv", "2314")), Some("tiny_ehc"), dir.path(), "")
    };
    let first = run(&t.db, &provisional, &NoProgress).await.unwrap();
    assert!(!first.issues.iter().any(|i| i.code == "figures_revised"));
    let revised = EesImport {
        release: release(false),
        ..job(EesSource::File(file("sen2_revised.csv", "2320")), Some("tiny_ehc"), dir.path(), "")
    };
    let second = run(&t.db, &revised, &NoProgress).await.unwrap();
    assert_eq!((second.counts.updated, second.counts.unchanged), (1, 1));
    let note = second.issues.iter().find(|i| i.code == "figures_revised").expect("the revision is reported");
    assert_eq!(
        note.message,
        "1 figures replace values from earlier imports (1 of them provisional); the earlier values stay queryable (Observation.history)"
    );
    // Re-running the revised file changes nothing and reports no revision.
    let again = run(&t.db, &revised, &NoProgress).await.unwrap();
    assert!(!again.issues.iter().any(|i| i.code == "figures_revised"));

    let app = TestApp::spawn(t.db.clone()).await;
    let q = r#"{ localAuthority(code: "886") { observations(query: { measures: ["tiny_ehcp_new"] }) {
        period value source { publication dataset release published provisional }
        history { value source { published provisional } replacedBy { id } } } } }"#;
    let data = app.data(q, json!({})).await;
    let kent = &data["localAuthority"]["observations"][0];
    assert_eq!(kent["value"], 2320.0);
    assert_eq!(
        kent["source"],
        json!({ "publication": "Education, health and care plans", "dataset": "sen2_mi", "release": "2022", "published": "2024-06-13", "provisional": false })
    );
    assert_eq!(
        kent["history"],
        json!([{ "value": 2314.0, "source": { "published": "2023-06-22", "provisional": true }, "replacedBy": { "id": second.run_id.to_string() } }])
    );
    app.stop().await;
}

crate::on_both_backends! {
    revised_release => a_revised_release_keeps_the_provisional_value;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deprecated_data_set_is_imported_naming_its_successor() {
    let t = TestDb::sqlite().await;
    let dfe = FakeDfe::start().await;
    dfe.route("/v1/data-sets/abc-123/csv", vec![Reply::ok("text/csv", tiny_ehc_csv())]);
    dfe.route(
        "/v1/data-sets/abc-123",
        vec![Reply::ok(
            "application/json",
            r#"{"id":"abc-123","title":"EHC plans by LA","summary":"s","status":"Deprecated",
                "supersedingDataSetId":"def-456","latestVersion":{"version":"2.1","published":"2024-06-13T09:30:00+00:00","totalResults":3}}"#,
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let source = EesSource::Api { dataset: "abc-123".into(), version: None };
    let s = run(&t.db, &job(source, Some("tiny_ehc"), dir.path(), &dfe.url("")), &NoProgress).await.unwrap();
    assert_eq!(s.counts.inserted, 3);
    let note = s.issues.iter().find(|i| i.code == "dataset_superseded").expect("the deprecation is reported");
    assert!(
        note.message
            .contains("data set abc-123 (EHC plans by LA) is deprecated by DfE; DfE names def-456 as its successor"),
        "{}",
        note.message
    );
    let sources = store::provenance::sources(&t.db, &[s.run_id]).await.unwrap();
    assert_eq!(sources[0].version.as_deref(), Some("2.1"));
    assert_eq!(sources[0].published.as_deref(), Some("2024-06-13T09:30:00+00:00"));
    assert_eq!(sources[0].dataset.as_deref(), Some("abc-123"));
}

/// A database holding only DfE statistics knows the LAs its rows name: `localAuthority("886")`
/// answers without GIAS, and a merged-LA code (`314 / 318`) is not made an LA.
async fn statistics_alone_name_their_local_authorities(t: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sen2_mi.csv");
    std::fs::write(
        &path,
        format!("{}2022,Calendar year,Local authority,E92000001,England,E12000007,London,E09000012 / E09000001,314 / 318,Hackney / City of London,120\n", tiny_ehc_csv()),
    )
    .unwrap();
    let s =
        run(&t.db, &job(EesSource::File(path.clone()), Some("tiny_ehc"), dir.path(), ""), &NoProgress).await.unwrap();
    assert_eq!(s.counts.rejected, 0, "{:?}", s.issues);
    let app = TestApp::spawn(t.db.clone()).await;
    let data = app
        .data(r#"{ localAuthority(code: "886") { code gssCode name observations(query: { measures: ["tiny_ehcp_new"], periods: ["2022"] }) { value } } }"#, json!({}))
        .await;
    assert_eq!(
        data["localAuthority"],
        json!({ "code": "886", "gssCode": "E10000016", "name": "Kent", "observations": [{ "value": 2314.0 }] })
    );
    let las = store::entity::local_authority::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(las.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(), ["886"]);
    // Importing again changes nothing; GIAS later names the LA as it always did.
    run(&t.db, &job(EesSource::File(path), Some("tiny_ehc"), dir.path(), ""), &NoProgress).await.unwrap();
    assert_eq!(store::entity::local_authority::Entity::find().all(&t.db).await.unwrap().len(), 1);
    app.stop().await;
}

crate::on_both_backends! {
    statistics_name_their_las => statistics_alone_name_their_local_authorities;
}

//! Section 251 high-needs spending and ONS population: £ per head of the 2-18 population for
//! Kent, the South East, England and Kent's statistical neighbours, and figures per 1,000 by
//! district, each checked against sums and divisions done here from the files; Kent built from
//! the real ONS mid-2021 file of its twelve districts; the estimate year used when the spending
//! year has none.

use std::collections::BTreeMap;

use jobs::NoProgress;
use jobs::import_ees::{EesImport, EesSource, run};
use serde_json::{Value, json};
use test_support::{TestApp, TestDb, fixture};

use crate::school_level::school_level;

fn rows_of(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    r.records().map(|x| h.iter().zip(x.unwrap().iter()).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()).collect()
}

/// Persons aged 2-18 per (area, year), summed here from a file's rows (men and women alike).
fn persons_2_18(path: &std::path::Path) -> BTreeMap<(String, i32), f64> {
    let mut out = BTreeMap::new();
    for r in rows_of(path) {
        let age: i32 = r["age"].parse().unwrap();
        if !(2..=18).contains(&age) {
            continue;
        }
        let (code, year, n) = match r.get("ladcode21") {
            Some(code) => (code.clone(), 2021, r["population_2021"].parse::<f64>().unwrap()),
            None => (r["code"].clone(), r["year"].parse().unwrap(), r["population"].parse::<f64>().unwrap()),
        };
        *out.entry((code, year)).or_insert(0.0) += n;
    }
    out
}

/// Net expenditure on a line per (place code, period), from the section 251 fixture.
fn spend(line: &str) -> BTreeMap<(String, String), Option<f64>> {
    rows_of(&school_level("s251_budget_la.csv"))
        .into_iter()
        .filter(|r| r["category_of_expenditure"] == line)
        .map(|r| {
            let place = match r["geographic_level"].as_str() {
                "National" => "E92000001".to_owned(),
                "Regional" => r["region_code"].clone(),
                _ => r["old_la_code"].clone(),
            };
            ((place, r["time_period"].clone()), r["net_expenditure"].parse().ok())
        })
        .collect()
}

async fn import_file(t: &TestDb, path: std::path::PathBuf, archive: &std::path::Path) {
    let job = EesImport {
        release: Default::default(),
        source: EesSource::File(path),
        mapping: None,
        mappings_dir: None,
        api_base: String::new(),
        client: Default::default(),
        trigger: "test".into(),
        archive_dir: archive.to_owned(),
    };
    run(&t.db, &job, &NoProgress).await.unwrap();
}

async fn import_population(t: &TestDb, path: std::path::PathBuf) -> jobs::ImportSummary {
    let job = jobs::import_population::PopulationImport { path, trigger: "test".into(), archive_dir: None };
    jobs::import_population::run(&t.db, &job).await.unwrap()
}

const Q: &str = r#"query($m: [String!]!, $g: [GroupBy!]!, $p: [String!], $pp: PerPopulation) {
    indicators(measures: $m, periods: $p, groupBy: $g, filter: { laCode: "886" }, perPopulation: $pp) {
        group { level code } measure { code } period timePeriod value source note neighboursWithValue
        valuePerPopulation population { year ages persons areas } } }"#;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

async fn per_head_spending(t: TestDb) {
    let Some(data_dir) = fixture::dfe_data() else { return };
    let archive = tempfile::tempdir().unwrap();
    jobs::import_gias::run(&t.db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    import_file(&t, school_level("s251_budget_la.csv"), archive.path()).await;
    import_file(&t, school_level("exc_school.csv"), archive.path()).await;
    let kent_file = data_dir.join("population__ons_mye2021_kent_districts.csv");
    let s = import_population(&t, kent_file.clone()).await;
    assert_eq!((s.counts.read, s.counts.inserted), (12 * 91, 12 * 91), "12 districts × ages 0-90, sexes summed");
    let synthetic = school_level("population_mye_synthetic.csv");
    import_population(&t, synthetic.clone()).await;
    let again = import_population(&t, synthetic.clone()).await;
    assert_eq!(again.counts.inserted + again.counts.updated, 0, "re-importing changes nothing");
    let neighbours = jobs::import_neighbours::NeighboursImport {
        path: data_dir.join("lookups__statistical_neighbours_2025.xlsx"),
        model: Some("May 2025".into()),
        trigger: "test".into(),
        archive_dir: None,
    };
    jobs::import_neighbours::run(&t.db, &neighbours).await.unwrap();

    let mut people = persons_2_18(&kent_file);
    people.extend(persons_2_18(&synthetic));
    let kent_districts: Vec<String> =
        people.keys().filter(|(c, _)| c.starts_with("E07")).map(|(c, _)| c.clone()).collect();
    assert_eq!(kent_districts.len(), 12);
    let kent_2021: f64 = kent_districts.iter().map(|d| people[&(d.clone(), 2021)]).sum();

    let app = TestApp::spawn(t.db.clone()).await;
    let line = "1.2.3 Top-up and other funding - non-maintained and independent providers";
    let money = spend(line);
    let data = app
        .data(
            Q,
            json!({"m": ["s251_hn_topup_independent"], "g": ["LA", "REGION", "NATIONAL", "STATISTICAL_NEIGHBOURS"],
                        "p": ["2022-23", "2023-24"], "pp": {"ages": "2-18"}}),
        )
        .await;
    let rows = data["indicators"].as_array().unwrap();
    let row = |level: &str, tp: &str| {
        rows.iter()
            .find(|r| r["group"]["level"] == level && r["timePeriod"] == tp)
            .unwrap_or_else(|| panic!("no {level} {tp}: {rows:?}"))
    };
    for tp in ["202223", "202324"] {
        // Kent: the sum of its twelve districts at mid-2021, the latest estimate at or before
        // the financial year's start (no mid-2022 or mid-2023 for Kent is imported).
        let la = row("LA", tp);
        let kent = money[&("886".to_owned(), tp.to_owned())].unwrap();
        assert_eq!(la["population"], json!({"year": 2021, "ages": "2-18", "persons": kent_2021, "areas": 12}));
        assert!(close(la["valuePerPopulation"].as_f64().unwrap(), kent / kent_2021), "{la}");
        // The South East and England: their own rows, mid-2022 for both years (no mid-2023).
        for (level, code) in [("REGION", "E12000008"), ("NATIONAL", "E92000001")] {
            let r = row(level, tp);
            let p = people[&(code.to_owned(), 2022)];
            assert_eq!(r["population"], json!({"year": 2022, "ages": "2-18", "persons": p, "areas": 1}), "{r}");
            let v = money[&(code.to_owned(), tp.to_owned())].unwrap();
            assert!(close(r["valuePerPopulation"].as_f64().unwrap(), v / p), "{r}");
        }
        // Neighbours: each against its own population, then the mean. Of Kent's neighbours
        // Essex (881) and East Sussex (845) have spending and population; Devon (878) has
        // spending but no population, so it is left out of the per-head mean.
        let nb = row("STATISTICAL_NEIGHBOURS", tp);
        let essex = money[&("881".to_owned(), tp.to_owned())].unwrap() / people[&("E10000012".to_owned(), 2022)];
        let sussex = money[&("845".to_owned(), tp.to_owned())].unwrap() / people[&("E10000011".to_owned(), 2022)];
        assert!(close(nb["valuePerPopulation"].as_f64().unwrap(), (essex + sussex) / 2.0), "{nb}");
        assert_eq!(nb["population"]["areas"], json!(2));
        assert_eq!(nb["neighboursWithValue"], json!(3), "the plain mean still counts Devon");
    }

    // Per 1,000 by district, from school figures: suspensions against each district's 2-18
    // population (2022/23 academic year: mid-2022 wanted, mid-2021 used).
    let data = app
        .data(Q, json!({"m": ["excl_suspensions"], "g": ["DISTRICT"], "p": ["2022/23"], "pp": {"ages": "2 to 18", "per": 1000}}))
        .await;
    let districts = data["indicators"].as_array().unwrap();
    let with_value: Vec<&Value> = districts.iter().filter(|r| r["value"].is_number()).collect();
    assert!(with_value.len() >= 2, "{districts:?}");
    for r in with_value {
        let code = r["group"]["code"].as_str().unwrap().to_owned();
        let p = people[&(code, 2021)];
        assert_eq!(r["population"]["year"], json!(2021));
        assert!(close(r["valuePerPopulation"].as_f64().unwrap(), r["value"].as_f64().unwrap() * 1000.0 / p), "{r}");
    }

    // A rate is not divided by heads; a school has no ONS population; both say so.
    let data = app
        .data(
            Q,
            json!({"m": ["excl_suspension_rate", "excl_suspensions"], "g": ["SCHOOL"], "p": ["2022/23"], "pp": {}}),
        )
        .await;
    for r in data["indicators"].as_array().unwrap() {
        assert_eq!(r["valuePerPopulation"], Value::Null);
        let note = r["note"].as_str().unwrap_or_default();
        let expect = if r["measure"]["code"] == "excl_suspension_rate" {
            "is not set against population"
        } else {
            "no population"
        };
        assert!(note.contains(expect), "{r}");
    }

    // Hostile and sloppy bands.
    for (pp, expect) in [
        (json!({"ages": "18-2"}), "perPopulation.ages"),
        (json!({"ages": "2-118"}), "perPopulation.ages"),
        (json!({"ages": "'; DROP TABLE population; --"}), "perPopulation.ages"),
        (json!({"ages": "2-18", "per": 0}), "perPopulation.per"),
    ] {
        let body = app.graphql(Q, json!({"m": ["s251_hn_topup_independent"], "g": ["LA"], "p": null, "pp": pp})).await;
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(expect), "{pp}: {body}");
    }
    let sloppy = app
        .data(Q, json!({"m": ["s251_hn_topup_independent"], "g": ["LA"], "p": ["2022-23"], "pp": {"ages": " 2 – 18 "}}))
        .await;
    assert_eq!(sloppy["indicators"][0]["population"]["ages"], "2-18");
    app.stop().await;
}

crate::on_both_backends! {
    per_head => per_head_spending;
}

/// A population file with one bad cell imports nothing: the stored estimates stay as they were,
/// and the error names the row and column.
async fn a_bad_population_file_changes_nothing(t: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("pop_good.csv");
    std::fs::write(&good, "code,name,age,year,population\nE10000016,Kent,5,2022,20000\n").unwrap();
    import_population(&t, good).await;
    let bad = dir.path().join("pop_bad.csv");
    std::fs::write(&bad, "code,name,age,year,population\nE10000016,Kent,5,2022,99999\nE10000016,Kent,6,2022,lots\n")
        .unwrap();
    let job = jobs::import_population::PopulationImport { path: bad, trigger: "test".into(), archive_dir: None };
    let e = jobs::import_population::run(&t.db, &job).await.unwrap_err().to_string();
    assert!(e.contains("row 3, column population") && e.contains("\"lots\""), "{e}");
    use sea_orm::EntityTrait;
    let stored = store::entity::population::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].persons, 20000.0, "the bad file's first row was not written");
}

crate::on_both_backends! {
    bad_population_file => a_bad_population_file_changes_nothing;
}

/// Special-school places per 1,000 pupils and per 1,000 of the 2-18 population by district,
/// against sums done here from the GIAS sample and the real ONS file of Kent's districts.
async fn special_school_places(t: TestDb) {
    let Some(data_dir) = fixture::dfe_data() else { return };
    jobs::import_gias::run(&t.db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    let kent_file = data_dir.join("population__ons_mye2021_kent_districts.csv");
    import_population(&t, kent_file.clone()).await;
    let people = persons_2_18(&kent_file);

    // (special schools, places, pupils) per district, open or opening state-funded schools only.
    let mut expect: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for r in rows_of(&fixture::sample_gias()) {
        if r["LA (code)"] != "886"
            || r["EstablishmentStatus (name)"] == "Closed"
            || r["EstablishmentTypeGroup (name)"] == "Independent schools"
            || r["TypeOfEstablishment (name)"].to_lowercase().contains("independent")
        {
            continue;
        }
        let special = r["EstablishmentTypeGroup (name)"] == "Special schools"
            || r["TypeOfEstablishment (name)"].to_lowercase().contains("special");
        let e = expect.entry(r["DistrictAdministrative (code)"].clone()).or_default();
        if special {
            e.0 += 1;
            e.1 += r["SchoolCapacity"].parse::<i64>().unwrap_or(0);
        }
        e.2 += r["NumberOfPupils"].parse::<i64>().unwrap_or(0);
    }
    assert!(expect.values().filter(|e| e.0 > 0).count() >= 3, "the sample has special schools in several districts");
    let independent = rows_of(&fixture::sample_gias())
        .iter()
        .filter(|r| r["LA (code)"] == "886" && r["TypeOfEstablishment (name)"] == "Other independent special school")
        .count();
    assert!(independent > 0, "the sample's independent special schools are left out, so they must be there");

    let app = TestApp::spawn(t.db.clone()).await;
    const PLACES: &str = r#"query($g: GroupBy!, $pp: PerPopulation) {
        specialSchoolPlaces(groupBy: $g, laCode: "886", perPopulation: $pp) {
            group { level code name } specialSchools places pupils placesPerThousandPupils
            population { year persons areas } placesPerPopulation note } }"#;
    let data = app.data(PLACES, json!({"g": "DISTRICT", "pp": {"ages": "2-18", "per": 1000}})).await;
    let rows = data["specialSchoolPlaces"].as_array().unwrap();
    assert_eq!(rows.len(), expect.len(), "{rows:?}");
    for r in rows {
        let code = r["group"]["code"].as_str().unwrap();
        let (schools, places, pupils) = expect[code];
        assert_eq!(r["specialSchools"], json!(schools), "{r}");
        assert_eq!(r["pupils"], json!(pupils), "{r}");
        if schools == 0 {
            assert_eq!(r["places"], Value::Null, "{r}");
            assert!(r["note"].as_str().unwrap().contains("no open state-funded special school"), "{r}");
            continue;
        }
        assert_eq!(r["places"], json!(places), "{r}");
        assert!(close(r["placesPerThousandPupils"].as_f64().unwrap(), places as f64 * 1000.0 / pupils as f64), "{r}");
        let p = people[&(code.to_owned(), 2021)];
        assert_eq!(r["population"], json!({"year": 2021, "persons": p, "areas": 1}), "{r}");
        assert!(close(r["placesPerPopulation"].as_f64().unwrap(), places as f64 * 1000.0 / p), "{r}");
    }

    // The LA: its districts summed, against Kent built from the twelve district estimates.
    let data = app.data(PLACES, json!({"g": "LA", "pp": {"ages": "2-18", "per": 1000}})).await;
    let kent = &data["specialSchoolPlaces"][0];
    let places: i64 = expect.values().map(|e| e.1).sum();
    let pupils: i64 = expect.values().map(|e| e.2).sum();
    assert_eq!((kent["places"].clone(), kent["pupils"].clone()), (json!(places), json!(pupils)), "{kent}");
    let kent_2021: f64 = people.iter().filter(|((c, y), _)| c.starts_with("E07") && *y == 2021).map(|(_, p)| p).sum();
    assert_eq!(kent["population"]["areas"], json!(12), "{kent}");
    assert!(close(kent["placesPerPopulation"].as_f64().unwrap(), places as f64 * 1000.0 / kent_2021), "{kent}");

    // Without perPopulation no population is read; a school level is refused.
    let data = app.data(PLACES, json!({"g": "DISTRICT", "pp": null})).await;
    assert!(data["specialSchoolPlaces"].as_array().unwrap().iter().all(|r| r["population"].is_null()));
    let body = app.graphql(PLACES, json!({"g": "SCHOOL", "pp": null})).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("DISTRICT or LA"), "{body}");
    app.stop().await;
}

crate::on_both_backends! {
    special_places => special_school_places;
}

/// Where EHCP pupils are placed, by district: DfE's school-level SEN counts summed by GIAS's
/// establishment type (mainstream, special, alternative provision), independent schools left
/// out, a suppressed school counted as without a value; checked against sums done here.
async fn ehcp_placements(t: TestDb) {
    jobs::import_gias::run(&t.db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    let sample = school_level("sen_school_level_underlying_data.csv");
    let mut reader = csv::Reader::from_path(&sample).unwrap();
    let header = reader.headers().unwrap().clone();
    let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    // A special school, a pupil referral unit, an independent special school, and a special
    // school whose count DfE suppressed, added to the sample's mainstream rows.
    for (urn, ehcp) in [("118190", "40"), ("118153", "3"), ("118811", "30"), ("119617", "c")] {
        let mut r: Vec<String> = rows[0].iter().map(str::to_owned).collect();
        r[col("URN")] = urn.into();
        r[col("EHC plan")] = ehcp.into();
        rows.push(csv::StringRecord::from(r));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sen_school_level_underlying_data.csv");
    let mut w = csv::Writer::from_path(&file).unwrap();
    w.write_record(&header).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    import_file(&t, file, dir.path()).await;

    // (mainstream, special, ap, schools with a value, without) per district, done here.
    let gias: BTreeMap<String, BTreeMap<String, String>> =
        rows_of(&fixture::sample_gias()).into_iter().map(|r| (r["URN"].clone(), r)).collect();
    let mut expect: BTreeMap<String, (f64, f64, f64, i64, i64)> = BTreeMap::new();
    for r in &rows {
        let g = &gias[&r[col("URN")]];
        let kind = g["TypeOfEstablishment (name)"].to_lowercase();
        if g["EstablishmentTypeGroup (name)"] == "Independent schools" || kind.contains("independent") {
            continue;
        }
        let e = expect.entry(g["DistrictAdministrative (code)"].clone()).or_default();
        let Ok(n) = r[col("EHC plan")].parse::<f64>() else {
            e.4 += 1;
            continue;
        };
        e.3 += 1;
        if g["EstablishmentTypeGroup (name)"] == "Special schools" || kind.contains("special") {
            e.1 += n;
        } else if kind.contains("pupil referral") || kind.contains("alternative provision") {
            e.2 += n;
        } else {
            e.0 += n;
        }
    }
    assert!(
        expect.values().any(|e| e.1 > 0.0) && expect.values().any(|e| e.2 > 0.0) && expect.values().any(|e| e.4 > 0)
    );

    let app = TestApp::spawn(t.db.clone()).await;
    const PLACED: &str = r#"query($g: GroupBy!) { ehcpPlacements(groupBy: $g, laCode: "886") {
        group { code } period mainstream special alternativeProvision mainstreamShare schools schoolsWithoutValue } }"#;
    let data = app.data(PLACED, json!({"g": "DISTRICT"})).await;
    let got = data["ehcpPlacements"].as_array().unwrap();
    assert_eq!(got.len(), expect.len(), "{got:?}");
    let opt = |v: f64| if v == 0.0 { Value::Null } else { json!(v) };
    for r in got {
        let (m, s, a, with, without) = expect[r["group"]["code"].as_str().unwrap()];
        assert_eq!(r["period"], "2023/24");
        assert_eq!((&r["schools"], &r["schoolsWithoutValue"]), (&json!(with), &json!(without)), "{r}");
        for (field, v) in [("mainstream", m), ("special", s), ("alternativeProvision", a)] {
            if r[field].is_number() {
                assert!(close(r[field].as_f64().unwrap(), v), "{field}: {r}");
            } else {
                assert_eq!(opt(v), Value::Null, "{field}: {r}");
            }
        }
        match r["mainstreamShare"].as_f64() {
            Some(share) => assert!(close(share, m / (m + s + a)), "{r}"),
            None => assert_eq!(m + s + a, 0.0, "{r}"),
        }
    }
    let body = app.graphql(PLACED, json!({"g": "CLUSTER"})).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("DISTRICT or LA"), "{body}");
    // Open data: the public reads it too.
    let (_, public) = app.graphql_as(None, PLACED, json!({"g": "LA"})).await;
    let kent = &public["data"]["ehcpPlacements"][0];
    let all: f64 = expect.values().map(|e| e.0 + e.1 + e.2).sum();
    let mainstream: f64 = expect.values().map(|e| e.0).sum();
    assert!(close(kent["mainstreamShare"].as_f64().unwrap(), mainstream / all), "{public}");
    // Where the LA's own census is imported as `sen_school_ehcp` (restricted), analysts only.
    use sea_orm::ConnectionTrait;
    t.db.execute_unprepared("UPDATE measure SET disclosure = 'restricted' WHERE code = 'sen_school_ehcp'")
        .await
        .unwrap();
    let (_, public) = app.graphql_as(None, PLACED, json!({"g": "DISTRICT"})).await;
    assert_eq!(public["errors"][0]["extensions"]["code"], "FORBIDDEN", "{public}");
    assert!(app.data(PLACED, json!({"g": "DISTRICT"})).await["ehcpPlacements"].as_array().unwrap().len() > 1);
    app.stop().await;
}

crate::on_both_backends! {
    ehcp_placed => ehcp_placements;
}

//! Access and disclosure end to end, on both backends: tokens over real HTTP, the role matrix
//! over every figure-returning field, a differencing attack on the group figures a school token
//! may read, suppression, the access log.

use std::collections::{BTreeMap, BTreeSet};

use api::Role;
use jobs::NoProgress;
use jobs::import_ees::{EesImport, EesSource};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::AppConfig;
use store::entity::{access_log, cluster_member, school, srp, training_enrolment};
use test_support::{TestApp, TestDb, fixture, make_token};

use crate::registers::{FILES, job};

/// The LA's own school-level SEN figures in the EES format, imported as restricted data (this
/// overrides the built-in, published `sen_school` mapping for the test).
const RESTRICTED_SEN: &str = r#"
name = "sen_school"
publication = "Kent SEN census (LA's own)"
datasets = ["la_sen_census"]
levels = ["school", "lad", "la", "national"]
disclosure = "restricted"

[[measures]]
code = "sen_school_pupils"
label = "Pupils on roll"
unit = "count"
column = "Total pupils"

[[measures]]
code = "sen_school_sen_support"
label = "Pupils on SEN support"
unit = "count"
column = "SEN support"

[[measures]]
code = "sen_school_ehcp"
label = "Pupils with an EHC plan"
unit = "count"
column = "EHC plan"
"#;

/// A published school-level figure, to show small numbers and DfE symbols pass as published.
const PUBLISHED_ABSENCE: &str = r#"
name = "test_absence"
publication = "Pupil absence in schools in England"
datasets = ["test_absence"]
levels = ["school"]

[[measures]]
code = "test_persistent_absentees"
label = "Persistent absentees"
unit = "count"
column = "persistent_absentees"
"#;

const HEAD: &str = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,\
                    new_la_code,old_la_code,la_name,lad_code,lad_name,school_urn,school_name";

/// Figures a test knows the truth of.
struct Fixture {
    app: TestApp,
    /// The school token's own school and another school; both host register SRPs and train.
    own: i32,
    other: i32,
    own_district: String,
    tokens: BTreeMap<&'static str, Option<String>>,
    _dir: tempfile::TempDir,
}

async fn import_csv(t: &TestDb, dir: &std::path::Path, name: &str, mapping: &str, body: String) {
    let path = dir.join(format!("{name}.csv"));
    std::fs::write(&path, body).unwrap();
    let job = EesImport {
        release: Default::default(),
        source: EesSource::File(path),
        mapping: Some(mapping.to_owned()),
        mappings_dir: Some(dir.join("mappings")),
        api_base: "http://127.0.0.1:9".to_owned(),
        client: Default::default(),
        trigger: "test".into(),
        archive_dir: dir.to_owned(),
    };
    let s = jobs::import_ees::run(&t.db, &job, &NoProgress).await.unwrap();
    assert_eq!(s.counts.rejected, 0, "{name}: {:?}", s.issues.iter().map(ToString::to_string).collect::<Vec<_>>());
}

async fn setup(t: &TestDb, config: AppConfig) -> Fixture {
    let db = &t.db;
    jobs::import_gias::run(db, &crate::gias_job(fixture::sample_gias(), None), &NoProgress).await.unwrap();
    for (kind, file) in FILES {
        jobs::import_register::run(db, &job(kind, file)).await.unwrap();
    }
    // Two open schools that host a register SRP with places and take part in training.
    let trained: BTreeSet<i32> =
        training_enrolment::Entity::find().all(db).await.unwrap().iter().map(|t| t.urn).collect();
    let hosts: Vec<i32> = srp::Entity::find()
        .filter(srp::Column::InRegister.eq(true))
        .filter(srp::Column::CommissionedPlaces.is_not_null())
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|s| s.host_urn)
        .filter(|u| trained.contains(u))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(hosts.len() >= 2, "the sample has two trained SRP hosts: {hosts:?}");
    let (own, other) = (hosts[0], hosts[1]);
    let own_school = school::Entity::find_by_id(own).one(db).await.unwrap().unwrap();
    let own_district = own_school.district_code.clone().unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    std::fs::create_dir_all(dir.join("mappings")).unwrap();
    std::fs::write(dir.join("mappings/sen_school.toml"), RESTRICTED_SEN).unwrap();
    std::fs::write(dir.join("mappings/test_absence.toml"), PUBLISHED_ABSENCE).unwrap();
    let row = |level: &str, lad: &str, urn: &str, values: &str| {
        format!(
            "202324,Academic year,{level},E92000001,England,E12000008,South East,E10000016,886,Kent,{lad},,{urn},,{values}\n"
        )
    };
    let sen = format!(
        "{HEAD},Total pupils,SEN support,EHC plan\n{}{}{}{}{}",
        row("School", "", &own.to_string(), "420,3,0"),
        row("School", "", &other.to_string(), "300,40,12"),
        row("Local authority district", &own_district, "", "2000,2,30"),
        row("Local authority", "", "", "50000,7000,4"),
        "202324,Academic year,National,E92000001,England,,,,,,,,,,9000000,x,0\n",
    );
    import_csv(t, &dir, "la_sen_census", "sen_school", sen).await;
    let absence = format!(
        "{HEAD},persistent_absentees\n{}{}",
        row("School", "", &own.to_string(), "3"),
        row("School", "", &other.to_string(), "c"),
    );
    import_csv(t, &dir, "test_absence", "test_absence", absence).await;

    let app = TestApp::spawn_with(db.clone(), config).await;
    let mut tokens = BTreeMap::new();
    tokens.insert("analyst", Some(app.analyst.clone()));
    tokens.insert("school", Some(make_token(db, Role::School, Some(own), "own school").await));
    tokens.insert("operator", Some(make_token(db, Role::Operator, None, "operator").await));
    tokens.insert("public", Some(make_token(db, Role::Public, None, "public").await));
    tokens.insert("anonymous", None);
    Fixture { app, own, other, own_district, tokens, _dir: tmp }
}

/// What a role must get for one field.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// The value, exactly.
    Value(Value),
    /// Suppressed: no value, status `c`.
    C,
    Forbidden,
}

/// The codes of the errors whose path names `field` (list indices aside).
fn error_codes(body: &Value, field: &str) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .filter(|e| e["path"].as_array().is_some_and(|p| p.iter().any(|s| s == field)))
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

impl Fixture {
    async fn ask(&self, role: &str, query: &str) -> Value {
        let token = self.tokens[role].as_deref();
        let (status, body) = self.app.graphql_as(token, query, json!({})).await;
        assert_eq!(status, 200, "{role}: {body}");
        body
    }

    /// Checks one figure: `query` selects it, `field` is its name in error paths, `get` reads
    /// `(value, status)` from `data`.
    async fn check(
        &self,
        role: &str,
        what: &str,
        query: &str,
        field: &str,
        get: fn(&Value) -> (Value, Value),
        want: &Expect,
    ) {
        let body = self.ask(role, query).await;
        let codes = error_codes(&body, field);
        match want {
            Expect::Forbidden => {
                assert!(codes.iter().any(|c| c == "FORBIDDEN"), "{role} {what}: expected FORBIDDEN, got {body:#}");
                let (value, _) = get(&body["data"]);
                assert!(value.is_null(), "{role} {what}: a forbidden field carries no value: {body:#}");
            }
            Expect::Value(v) => {
                assert!(body.get("errors").is_none(), "{role} {what}: {body:#}");
                assert_eq!(&get(&body["data"]).0, v, "{role} {what}: {body:#}");
            }
            Expect::C => {
                assert!(body.get("errors").is_none(), "{role} {what}: {body:#}");
                assert_eq!(get(&body["data"]), (Value::Null, json!("c")), "{role} {what}: {body:#}");
            }
        }
    }
}

const ROLES: [&str; 5] = ["analyst", "school", "operator", "public", "anonymous"];

/// The figure-returning fields this matrix covers; it must be every one the schema has.
const COVERED: [&str; 15] = [
    "Query.trainingEngagement",
    "Query.indicators",
    "Region.observations",
    "School.observations",
    "School.pupils",
    "School.trainingEnrolments",
    "Srp.places",
    "Srp.onRoll",
    "Srp.occupancy",
    "Srp.slaSigned",
    "Srp.slaDate",
    "Srp.provider",
    "District.observations",
    "LocalAuthority.observations",
    "England.observations",
];

crate::on_both_backends! {
    role_matrix => role_matrix;
    differencing_recovers_no_school => differencing_recovers_no_school;
    tokens_over_http => tokens_over_http;
    audit_log_records_restricted_reads_only => audit_log_records_restricted_reads_only;
}

#[test]
fn the_matrix_covers_every_figure_field() {
    let covered: BTreeSet<&str> = COVERED.into_iter().collect();
    let figures: BTreeSet<&str> = api::disclosure::fields::figure_fields().collect();
    assert_eq!(covered, figures, "a figure field the role matrix does not check (or checks but no longer exists)");
}

async fn role_matrix(t: TestDb) {
    let f = setup(&t, AppConfig::default()).await;
    let (own, other) = (f.own, f.other);
    let full = |r: &str, is_own: bool| r == "analyst" || (r == "school" && is_own);

    // SRPs: the register's figures are restricted, GIAS's open.
    for (urn, is_own) in [(own, true), (other, false)] {
        let rows = srp::Entity::find()
            .filter(srp::Column::HostUrn.eq(urn))
            .filter(srp::Column::InRegister.eq(true))
            .all(&t.db)
            .await
            .unwrap();
        let m = &rows[0];
        let q = format!(
            "{{ srps(filter: {{hostUrn: {urn}, source: {}}}) {{ nodes {{ id capacity places onRoll occupancy slaSigned slaDate provider }} }} }}",
            if m.in_gias { "BOTH" } else { "REGISTER" }
        );
        let on_roll = m.register_on_roll.or(m.gias_on_roll);
        let occupancy = match (on_roll, m.commissioned_places.or(m.gias_capacity)) {
            (Some(r), Some(b)) if b > 0 => json!(f64::from(r) / f64::from(b)),
            _ => Value::Null,
        };
        let truth = [
            ("places", json!(m.commissioned_places)),
            ("onRoll", if m.register_on_roll.is_some() { json!(m.register_on_roll) } else { Value::Null }),
            ("occupancy", occupancy),
            ("slaSigned", json!(m.sla_signed)),
            ("slaDate", json!(m.sla_date.map(|d| d.to_string()))),
            ("provider", json!(m.provider)),
        ];
        for role in ROLES {
            let body = f.ask(role, &q).await;
            let node =
                body["data"]["srps"]["nodes"].as_array().unwrap().iter().find(|n| n["id"] == m.id).cloned().unwrap();
            assert_eq!(node["capacity"], json!(m.gias_capacity), "{role}: GIAS capacity is open");
            for (field, want) in &truth {
                if m.register_on_roll.is_none() && *field == "onRoll" {
                    continue;
                }
                if full(role, is_own) {
                    assert_eq!(&node[*field], want, "{role} Srp.{field} of {urn}: {body:#}");
                    assert!(error_codes(&body, field).is_empty(), "{role} Srp.{field}: {body:#}");
                } else {
                    assert_eq!(node[*field], Value::Null, "{role} Srp.{field} of {urn}");
                    assert_eq!(error_codes(&body, field), vec!["FORBIDDEN"], "{role} Srp.{field} of {urn}: {body:#}");
                }
            }
        }
    }

    // A school's training enrolments and its restricted census; its published absence figure.
    for (urn, is_own) in [(own, true), (other, false)] {
        let enrolled = training_enrolment::Entity::find()
            .filter(training_enrolment::Column::Urn.eq(urn))
            .all(&t.db)
            .await
            .unwrap()
            .len();
        let (pupils, support, ehcp, absent) =
            if is_own { (420.0, 3.0, 0.0, json!(3.0)) } else { (300.0, 40.0, 12.0, Value::Null) };
        for role in ROLES {
            let q = format!("{{ school(urn: {urn}) {{ trainingEnrolments {{ programme }} }} }}");
            let want = if full(role, is_own) { Expect::Value(json!(enrolled)) } else { Expect::Forbidden };
            f.check(
                role,
                "School.trainingEnrolments",
                &q,
                "trainingEnrolments",
                |d| (d["school"]["trainingEnrolments"].as_array().map_or(Value::Null, |a| json!(a.len())), Value::Null),
                &want,
            )
            .await;

            let q = format!(
                r#"{{ school(urn: {urn}) {{ observations(query: {{measures: ["sen_school_sen_support"]}}) {{ value status }} }} }}"#
            );
            let want = if full(role, is_own) { Expect::Value(json!(support)) } else { Expect::Forbidden };
            f.check(
                role,
                "School.observations",
                &q,
                "observations",
                |d| {
                    let o = &d["school"]["observations"][0];
                    (o["value"].clone(), o["status"].clone())
                },
                &want,
            )
            .await;

            let q = format!("{{ school(urn: {urn}) {{ pupils {{ headcount senSupport ehcPlan }} }} }}");
            let want =
                if full(role, is_own) { Expect::Value(json!([pupils, support, ehcp])) } else { Expect::Forbidden };
            f.check(
                role,
                "School.pupils",
                &q,
                "pupils",
                |d| {
                    let p = &d["school"]["pupils"];
                    if p.is_null() {
                        (Value::Null, Value::Null)
                    } else {
                        (json!([p["headcount"], p["senSupport"], p["ehcPlan"]]), Value::Null)
                    }
                },
                &want,
            )
            .await;

            // Published: every role, as DfE published it (a small number stays, `c` stays).
            let q = format!(
                r#"{{ school(urn: {urn}) {{ observations(query: {{measures: ["test_persistent_absentees"]}}) {{ value status }} }} }}"#
            );
            let body = f.ask(role, &q).await;
            assert!(body.get("errors").is_none(), "{role}: {body:#}");
            let o = &body["data"]["school"]["observations"][0];
            assert_eq!(o["value"], absent, "{role}: {body:#}");
            assert_eq!(o["status"], if is_own { Value::Null } else { json!("c") }, "{role}: {body:#}");
        }
    }

    // Stored restricted figures above school level: districts for analysts only; LA and England
    // for all; small counts `c` for all but analysts; zero and symbols as stored.
    let district = f.own_district.clone();
    for role in ROLES {
        let q = format!(
            r#"{{ district(code: "{district}") {{ observations(query: {{measures: ["sen_school_sen_support"]}}) {{ value status }} }} }}"#
        );
        let want = match role {
            "analyst" => Expect::Value(json!(2.0)),
            _ => Expect::Forbidden,
        };
        f.check(
            role,
            "District.observations",
            &q,
            "observations",
            |d| {
                let o = &d["district"]["observations"][0];
                (o["value"].clone(), o["status"].clone())
            },
            &want,
        )
        .await;

        let q = r#"{ localAuthority(code: "886") { observations(query: {measures: ["sen_school_ehcp", "sen_school_sen_support"]}) { measure { code } value status } }
                     england { observations(query: {measures: ["sen_school_ehcp", "sen_school_sen_support"]}) { measure { code } value status } } }"#;
        let body = f.ask(role, q).await;
        assert!(body.get("errors").is_none(), "{role}: {body:#}");
        let by_code = |list: &Value| -> BTreeMap<String, (Value, Value)> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|o| (o["measure"]["code"].as_str().unwrap().to_owned(), (o["value"].clone(), o["status"].clone())))
                .collect()
        };
        let la = by_code(&body["data"]["localAuthority"]["observations"]);
        let q = r#"{ localAuthority(code: "886") { observations(query: {measures: ["sen_school_ehcp"]}) { value status } } }"#;
        let want = if role == "analyst" { Expect::Value(json!(4.0)) } else { Expect::C };
        let get = |d: &Value| {
            let o = &d["localAuthority"]["observations"][0];
            (o["value"].clone(), o["status"].clone())
        };
        f.check(role, "LocalAuthority.observations (4 is small)", q, "observations", get, &want).await;
        assert_eq!(la["sen_school_sen_support"], (json!(7000.0), Value::Null), "{role}");
        let england = by_code(&body["data"]["england"]["observations"]);
        assert_eq!(england["sen_school_ehcp"], (json!(0.0), Value::Null), "{role}: zero stays 0");
        assert_eq!(england["sen_school_sen_support"], (Value::Null, json!("x")), "{role}: DfE's symbol kept");

        // Indicators of a restricted measure: a school's own row to itself and analysts; groups
        // below the LA to analysts only; the LA's computed (2 schools) and published (4) figures
        // held back as `c` for everyone else.
        let first = |d: &Value| (d["indicators"][0]["value"].clone(), d["indicators"][0]["status"].clone());
        for (urn, is_own, v) in [(own, true, 0.0), (other, false, 12.0)] {
            let q = format!(
                r#"{{ indicators(measures: ["sen_school_ehcp"], groupBy: [SCHOOL], filter: {{ urns: [{urn}] }}) {{ value status }} }}"#
            );
            let want = if full(role, is_own) { Expect::Value(json!(v)) } else { Expect::Forbidden };
            f.check(role, "Query.indicators (SCHOOL)", &q, "indicators", first, &want).await;
        }
        let q = r#"{ indicators(measures: ["sen_school_ehcp"], groupBy: [DISTRICT], filter: { laCode: "886" }) { value status } }"#;
        let body = f.ask(role, q).await;
        if role == "analyst" {
            assert!(body.get("errors").is_none(), "{role}: {body:#}");
        } else {
            assert_eq!(error_codes(&body, "indicators"), vec!["FORBIDDEN"], "{role}: {body:#}");
        }
        let q = r#"{ indicators(measures: ["sen_school_ehcp"], groupBy: [LA], filter: { laCode: "886" }) { value status source } }"#;
        let body = f.ask(role, q).await;
        assert!(body.get("errors").is_none(), "{role}: {body:#}");
        let got: Vec<(Value, Value, Value)> = body["data"]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["source"].clone(), r["value"].clone(), r["status"].clone()))
            .collect();
        let want = if role == "analyst" {
            vec![(json!("COMPUTED"), json!(12.0), Value::Null), (json!("PUBLISHED"), json!(4.0), Value::Null)]
        } else {
            vec![(json!("COMPUTED"), Value::Null, json!("c")), (json!("PUBLISHED"), Value::Null, json!("c"))]
        };
        assert_eq!(got, want, "{role}");

        // A region's stored figures go through the same gate as the LA's (none stored here).
        let q = r#"{ region(code: "E12000008") { name observations(query: {measures: ["sen_school_ehcp"]}) { value status } } }"#;
        let body = f.ask(role, q).await;
        assert!(body.get("errors").is_none(), "{role}: {body:#}");
        assert_eq!(body["data"]["region"], json!({"name": "South East", "observations": []}), "{role}");
    }

    // Training engagement by every level, against the truth.
    let truth = Truth::load(&t.db).await;
    let mut shown_to_group_viewers = 0;
    for role in ROLES {
        for level in ["SCHOOL", "CLUSTER", "DISTRICT", "PHASE", "PHASE_IN_DISTRICT", "LA"] {
            let q = format!(
                r#"{{ trainingEngagement(groupBy: {level}, laCode: "886") {{ code schools programmes {{ programme schools share status }}
                      inNone {{ schools status }} inExactlyOne {{ schools status }} inExactlyTwo {{ schools status }} inThreeOrMore {{ schools status }} }} }}"#
            );
            let body = f.ask(role, &q).await;
            let open = match role {
                "analyst" => true,
                "school" => level != "SCHOOL",
                _ => level == "LA",
            };
            if !open {
                assert_eq!(error_codes(&body, "trainingEngagement"), vec!["FORBIDDEN"], "{role} {level}: {body:#}");
                assert_eq!(body["data"], Value::Null, "{role} {level}");
                continue;
            }
            assert!(body.get("errors").is_none(), "{role} {level}: {body:#}");
            let groups = body["data"]["trainingEngagement"].as_array().unwrap();
            assert_eq!(groups.len(), truth.groups(level).len(), "{role} {level}: every group listed");
            for g in groups {
                let code = g["code"].as_str().unwrap();
                let members = &truth.groups(level)[code];
                assert_eq!(g["schools"], json!(members.len()), "{role} {level} {code}");
                // The four counts add up to the group's size: never exactly one of them held back.
                let hidden = ["inNone", "inExactlyOne", "inExactlyTwo", "inThreeOrMore"]
                    .iter()
                    .filter(|k| g[**k]["status"] == "c")
                    .count();
                assert_ne!(hidden, 1, "{role} {level} {code}: one count held back is the size less the others: {g}");
                if role != "analyst" && level == "LA" {
                    shown_to_group_viewers +=
                        g["programmes"].as_array().unwrap().iter().filter(|p| p["status"].is_null()).count();
                }
                for p in g["programmes"].as_array().unwrap() {
                    let name = p["programme"].as_str().unwrap();
                    let n = truth.count(members, name);
                    if role == "analyst" {
                        assert_eq!(
                            (p["schools"].clone(), p["status"].clone()),
                            (json!(n), Value::Null),
                            "{level} {code} {name}"
                        );
                        continue;
                    }
                    if p["status"] == "c" {
                        assert_eq!(
                            (p["schools"].clone(), p["share"].clone()),
                            (Value::Null, Value::Null),
                            "a suppressed count has no share either"
                        );
                    } else {
                        assert_eq!(p["schools"], json!(n), "{role} {level} {code} {name}: a shown figure is the truth");
                        assert!(members.len() >= 5, "{role} {level} {code}: a group under 5 schools shown");
                        assert!(!(1..5).contains(&n), "{role} {level} {code} {name}: a count of {n} shown");
                    }
                }
            }
        }
    }
    assert!(shown_to_group_viewers > 0, "the LA's figures are shown, not all suppressed");

    // No existence oracle: asking another school for a restricted measure is FORBIDDEN whether
    // or not it has rows; without `measures` too, while restricted measures exist; published
    // measures named alone still answer.
    let third = truth.groups("SCHOOL").values().flatten().copied().find(|u| *u != own && *u != other).unwrap();
    for urn in [other, third] {
        let q = format!(
            r#"{{ school(urn: {urn}) {{ observations(query: {{measures: ["sen_school_ehcp"]}}) {{ value }} }} }}"#
        );
        assert_eq!(error_codes(&f.ask("school", &q).await, "observations"), vec!["FORBIDDEN"], "{urn}");
        let q = format!("{{ school(urn: {urn}) {{ observations {{ value }} }} }}");
        assert_eq!(error_codes(&f.ask("public", &q).await, "observations"), vec!["FORBIDDEN"], "{urn}");
        let q = format!(
            r#"{{ school(urn: {urn}) {{ observations(query: {{measures: ["test_persistent_absentees"]}}) {{ value }} }} }}"#
        );
        assert!(f.ask("public", &q).await.get("errors").is_none());
    }

    // A provision GIAS alone reports: its on roll and occupancy are GIAS's, open to everyone.
    let g = sea_orm::ActiveModelTrait::insert(
        srp::ActiveModel {
            host_urn: sea_orm::Set(third),
            kind: sea_orm::Set("sen_unit".into()),
            gias_capacity: sea_orm::Set(Some(12)),
            gias_on_roll: sea_orm::Set(Some(9)),
            in_gias: sea_orm::Set(true),
            in_register: sea_orm::Set(false),
            run_id: sea_orm::Set(1),
            ..Default::default()
        },
        &t.db,
    )
    .await
    .unwrap();
    let q =
        format!("{{ srps(filter: {{hostUrn: {}, source: GIAS}}) {{ nodes {{ id onRoll capacity }} }} }}", g.host_urn);
    let body = f.ask("anonymous", &q).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let node = body["data"]["srps"]["nodes"].as_array().unwrap().iter().find(|n| n["id"] == g.id).cloned().unwrap();
    assert_eq!((node["onRoll"].clone(), node["capacity"].clone()), (json!(g.gias_on_roll), json!(g.gias_capacity)));
    f.app.stop().await;
}

/// The truth of training engagement, read from the tables as the LA would.
struct Truth {
    /// Level → group code → open member URNs.
    levels: BTreeMap<&'static str, BTreeMap<String, BTreeSet<i32>>>,
    engaged: BTreeSet<(i32, String)>,
    programmes: BTreeSet<String>,
}

impl Truth {
    async fn load(db: &sea_orm::DatabaseConnection) -> Self {
        let schools: Vec<school::Model> = school::Entity::find()
            .filter(school::Column::LaCode.eq("886"))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|s| s.status != "Closed" && s.in_latest_extract)
            .collect();
        let clusters: BTreeMap<i32, i32> = cluster_member::Entity::find()
            .filter(cluster_member::Column::ValidTo.is_null())
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.urn, m.cluster_id))
            .collect();
        let mut levels: BTreeMap<&'static str, BTreeMap<String, BTreeSet<i32>>> = BTreeMap::new();
        for s in &schools {
            let district = s.district_code.clone().unwrap_or_else(|| "none".into());
            let codes = [
                ("SCHOOL", s.urn.to_string()),
                ("CLUSTER", clusters.get(&s.urn).map_or_else(|| "none".to_owned(), ToString::to_string)),
                ("DISTRICT", district.clone()),
                ("PHASE", s.phase.clone()),
                ("PHASE_IN_DISTRICT", format!("{district}/{}", s.phase)),
                ("LA", "886".to_owned()),
            ];
            for (level, code) in codes {
                levels.entry(level).or_default().entry(code).or_default().insert(s.urn);
            }
        }
        let engaged: BTreeSet<(i32, String)> = training_enrolment::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.status.as_deref() != Some("Withdrawn"))
            .map(|t| (t.urn, t.programme))
            .collect();
        let programmes = engaged.iter().map(|(_, p)| p.clone()).collect();
        Self { levels, engaged, programmes }
    }

    fn groups(&self, level: &str) -> &BTreeMap<String, BTreeSet<i32>> {
        &self.levels[level]
    }

    fn count(&self, members: &BTreeSet<i32>, programme: &str) -> usize {
        members.iter().filter(|u| self.engaged.contains(&(**u, programme.to_owned()))).count()
    }
}

/// Whether `target` is a linear combination of `rows` (over the reals), by elimination.
fn in_span(rows: &[Vec<f64>], target: &[f64]) -> bool {
    let rank = |m: &[Vec<f64>]| -> usize {
        let mut m: Vec<Vec<f64>> = m.to_vec();
        let (mut rank, width) = (0, m.first().map_or(0, Vec::len));
        for col in 0..width {
            let Some(p) = (rank..m.len()).find(|&r| m[r][col].abs() > 1e-9) else { continue };
            m.swap(rank, p);
            let pivot = m[rank].clone();
            for (r, row) in m.iter_mut().enumerate() {
                if r != rank && row[col].abs() > 1e-9 {
                    let f = row[col] / pivot[col];
                    row.iter_mut().zip(&pivot).for_each(|(x, y)| *x -= f * y);
                }
            }
            rank += 1;
        }
        rank
    };
    let mut with = rows.to_vec();
    with.push(target.to_vec());
    rank(rows) == rank(&with)
}

/// A group's members and whether its figure was shown.
type Seen = (BTreeSet<i32>, bool);

/// The schools (other than `own`) whose programme figure follows from the groups shown.
fn recoverable(groups: &[(BTreeSet<i32>, bool)], schools: &[i32], own: Option<i32>) -> Vec<i32> {
    let vector = |members: &BTreeSet<i32>| -> Vec<f64> {
        schools.iter().map(|u| f64::from(u8::from(members.contains(u)))).collect()
    };
    let mut rows: Vec<Vec<f64>> = groups.iter().filter(|(_, shown)| *shown).map(|(m, _)| vector(m)).collect();
    if let Some(o) = own {
        rows.push(vector(&BTreeSet::from([o])));
    }
    schools.iter().copied().filter(|u| Some(*u) != own && in_span(&rows, &vector(&BTreeSet::from([*u])))).collect()
}

async fn differencing_recovers_no_school(t: TestDb) {
    let f = setup(&t, AppConfig::default()).await;
    let truth = Truth::load(&t.db).await;
    let schools: Vec<i32> = truth.groups("SCHOOL").values().flatten().copied().collect();
    let levels = ["CLUSTER", "DISTRICT", "PHASE", "PHASE_IN_DISTRICT", "LA"];
    let sizes: BTreeSet<usize> = levels.iter().flat_map(|l| truth.groups(l).values().map(BTreeSet::len)).collect();
    assert!(sizes.contains(&5) && sizes.contains(&6), "groups of exactly the minimum and one more: {sizes:?}");

    // Everything the school token can read, by programme: which groups it was shown.
    let mut shown_to: BTreeMap<&str, BTreeMap<String, Vec<Seen>>> = BTreeMap::new();
    for role in ["school", "analyst"] {
        for level in levels {
            let q = format!(
                r#"{{ trainingEngagement(groupBy: {level}, laCode: "886") {{ code programmes {{ programme schools status }} }} }}"#
            );
            let body = f.ask(role, &q).await;
            assert!(body.get("errors").is_none(), "{role} {level}: {body:#}");
            for g in body["data"]["trainingEngagement"].as_array().unwrap() {
                let members = truth.groups(level)[g["code"].as_str().unwrap()].clone();
                for p in g["programmes"].as_array().unwrap() {
                    let shown = p["status"].is_null();
                    if shown {
                        // What was shown is what the attacker would subtract: it must be the truth.
                        assert_eq!(p["schools"], json!(truth.count(&members, p["programme"].as_str().unwrap())));
                    }
                    shown_to
                        .entry(role)
                        .or_default()
                        .entry(p["programme"].as_str().unwrap().to_owned())
                        .or_default()
                        .push((members.clone(), shown));
                }
            }
        }
    }
    // The attack works: on an analyst's unsuppressed figures it isolates schools.
    let analyst_hits: usize = shown_to["analyst"].values().map(|g| recoverable(g, &schools, None).len()).sum();
    assert!(analyst_hits > 0, "the sample's groups allow differencing when nothing is suppressed");
    // On the school token's figures, knowing its own school, it finds nothing.
    let mut released = 0;
    for programme in &truth.programmes {
        let groups = &shown_to["school"][programme];
        released += groups.iter().filter(|(_, s)| *s).count();
        let hits = recoverable(groups, &schools, Some(f.own));
        assert!(hits.is_empty(), "{programme}: schools {hits:?} recoverable from the school token's groups");
        // Nor is any held-back group's figure: each suppressed group stays out of the span.
        let vector =
            |m: &BTreeSet<i32>| -> Vec<f64> { schools.iter().map(|u| f64::from(u8::from(m.contains(u)))).collect() };
        let mut rows: Vec<Vec<f64>> = groups.iter().filter(|(_, s)| *s).map(|(m, _)| vector(m)).collect();
        rows.push(vector(&BTreeSet::from([f.own])));
        for (members, _) in groups.iter().filter(|(m, s)| !*s && m != &BTreeSet::from([f.own])) {
            assert!(
                !in_span(&rows, &vector(members)),
                "{programme}: a suppressed group of {} follows from those shown",
                members.len()
            );
        }
    }
    assert!(released > 0, "the school token was shown some group figures");
    f.app.stop().await;
}

async fn tokens_over_http(t: TestDb) {
    let f = setup(&t, AppConfig::default()).await;
    let app = &f.app;
    let me = "{ me { role urn label } }";
    let (status, body) = app.graphql_as(f.tokens["school"].as_deref(), me, json!({})).await;
    assert_eq!((status, &body["data"]["me"]), (200, &json!({"role": "SCHOOL", "urn": f.own, "label": "own school"})));
    let (_, body) = app.graphql_as(None, me, json!({})).await;
    assert_eq!(body["data"]["me"], json!({"role": "PUBLIC", "urn": null, "label": null}));

    let expired = make_token(&t.db, Role::Analyst, None, "expired").await;
    let hash = api::auth::hash_token(&expired);
    let row = store::tokens::by_hash(&t.db, &hash).await.unwrap().unwrap();
    let mut active: store::entity::api_token::ActiveModel = row.into();
    active.expires_at = sea_orm::Set(Some(chrono::Utc::now() - chrono::Duration::minutes(1)));
    sea_orm::ActiveModelTrait::update(active, &t.db).await.unwrap();
    let revoked = make_token(&t.db, Role::Analyst, None, "revoked").await;
    let id = store::tokens::by_hash(&t.db, &api::auth::hash_token(&revoked)).await.unwrap().unwrap().id;
    store::tokens::revoke(&t.db, id, chrono::Utc::now()).await.unwrap();
    let unknown = api::auth::new_token().unwrap();

    for (why, header) in [
        ("expired", format!("Bearer {expired}")),
        ("revoked", format!("Bearer {revoked}")),
        ("unknown", format!("Bearer {unknown}")),
        ("malformed", "Bearer inc_short".to_owned()),
        ("not bearer", format!("Basic {unknown}")),
        ("empty", String::new()),
        ("sql", "Bearer inc_' OR 1=1 --".to_owned()),
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header("Authorization", header)
            .json(&json!({"query": me}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{why}");
        assert!(response.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"), "{why}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{why}: {body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{why}: no data with a 401");
    }
    // Two Authorization headers are refused, not guessed between.
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("Authorization", format!("Bearer {unknown}"))
        .header("Authorization", format!("Bearer {}", app.analyst))
        .json(&json!({"query": me}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // A sloppy but valid header (lower-case scheme, trailing newline-free spaces) works.
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("Authorization", format!("bearer   {}  ", app.analyst))
        .json(&json!({"query": me}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // The token is never stored in clear; its hash is.
    if let Some(file) = t.url.strip_prefix("sqlite://").map(|r| r.split('?').next().unwrap().to_owned()) {
        let bytes = std::fs::read(&file).unwrap();
        let wal = std::fs::read(format!("{file}-wal")).unwrap_or_default();
        let school = f.tokens["school"].clone().unwrap();
        for haystack in [&bytes, &wal] {
            assert!(
                !haystack.windows(school.len()).any(|w| w == school.as_bytes()),
                "token found in the database file"
            );
        }
        let hash = api::auth::hash_token(&school);
        assert!(
            [&bytes, &wal].iter().any(|h| h.windows(hash.len()).any(|w| w == hash.as_bytes())),
            "the hash is what is stored"
        );
    }
    let tokens = store::tokens::list(&t.db).await.unwrap();
    assert!(tokens.iter().all(|r| !r.token_hash.starts_with("inc_") && r.token_hash.len() == 64));
    assert!(tokens.iter().any(|r| r.last_used_at.is_some()), "last use is recorded");
    f.app.stop().await;

    // --require-token refuses anonymous requests; introspection can be switched off.
    let config = AppConfig {
        api: api::Settings { introspection: false, ..Default::default() },
        require_token: true,
        token_cache: std::time::Duration::ZERO,
        ..Default::default()
    };
    let app = TestApp::spawn_with(t.db.clone(), config).await;
    let (status, body) = app.graphql_as(None, me, json!({})).await;
    assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    let (status, body) = app.graphql_as(Some(&app.analyst.clone()), me, json!({})).await;
    assert_eq!((status, body["data"]["me"]["role"].as_str()), (200, Some("ANALYST")));
    // Without the token cache, revoking a token in use stops it at the next request.
    let in_use = make_token(&t.db, Role::Analyst, None, "in use").await;
    assert_eq!(app.graphql_as(Some(&in_use), me, json!({})).await.0, 200);
    let id = store::tokens::by_hash(&t.db, &api::auth::hash_token(&in_use)).await.unwrap().unwrap().id;
    store::tokens::revoke(&t.db, id, chrono::Utc::now()).await.unwrap();
    assert_eq!(app.graphql_as(Some(&in_use), me, json!({})).await.0, 401);
    let (_, body) = app.graphql_as(Some(&app.analyst.clone()), "{ __schema { types { name } } }", json!({})).await;
    assert_eq!(body["errors"][0]["message"], "introspection is switched off on this server", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "INTROSPECTION_DISABLED", "{body}");
    // With introspection on (the default) GraphiQL's docs work for anyone.
    let open = TestApp::spawn(t.db.clone()).await;
    let (_, body) = open.graphql_as(None, "{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    open.stop().await;

    // A database failure reaches the client as a fixed message, never as SQL.
    let analyst = app.analyst.clone();
    t.db.clone().close().await.unwrap();
    let (status, body) = app.graphql_as(Some(&analyst), "{ school(urn: 1) { name } }", json!({})).await;
    assert_eq!(status, 500);
    assert_eq!(body["errors"][0]["message"], "internal error");
    assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL");
    assert!(body["errors"][0]["extensions"]["requestId"].is_string(), "the id to quote when reporting it: {body}");
    let text = body.to_string().to_lowercase();
    for leak in ["select", "api_token", "sqlx", "pool", "/tmp", "src/"] {
        assert!(!text.contains(leak), "{leak:?} in {body}");
    }
    app.stop().await;
}

async fn audit_log_records_restricted_reads_only(t: TestDb) {
    let f = setup(&t, AppConfig::default()).await;
    let school = f.tokens["school"].clone().unwrap();
    let token_id = store::tokens::by_hash(&t.db, &api::auth::hash_token(&school)).await.unwrap().unwrap().id;
    let count = || async { access_log::Entity::find().all(&t.db).await.unwrap().len() };
    let before = count().await;

    // Published and open reads leave no entry.
    let q = format!("{{ school(urn: {}) {{ name srps {{ capacity }} }} }}", f.other);
    let (_, body) = f.app.graphql_as(Some(&school), &q, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(count().await, before, "nothing restricted was shown");
    // A refused read shows nothing, so it logs nothing either.
    let q = format!("{{ school(urn: {}) {{ trainingEnrolments {{ programme }} }} }}", f.other);
    f.app.graphql_as(Some(&school), &q, json!({})).await;
    assert_eq!(count().await, before);

    // The school reads its own restricted figures: one entry, naming who, what and which school.
    let q = format!(
        "query OwnTraining {{ school(urn: {}) {{ trainingEnrolments {{ programme }} srps {{ places }} }} }}",
        f.own
    );
    let (_, body) = f.app.graphql_as(Some(&school), &q, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let entries = store::audit::list(&t.db, &store::audit::AuditFilter { school: Some(f.own), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(
        (e.token_id, e.role.as_str(), e.school_urn, e.operation.as_deref(), e.fields.as_str(), e.schools.clone()),
        (
            Some(token_id),
            "school",
            Some(f.own),
            Some("OwnTraining"),
            "School.trainingEnrolments,Srp.places",
            format!(",{},", f.own)
        )
    );
    // An aggregate read logs its groups.
    let (_, body) = f.app.graphql_as(None, "{ trainingEngagement(groupBy: LA) { code } }", json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let latest =
        store::audit::list(&t.db, &store::audit::AuditFilter { limit: Some(1), ..Default::default() }).await.unwrap();
    assert_eq!((latest[0].token_id, latest[0].role.as_str()), (None, "public"));
    assert!(latest[0].groups.contains("LA:886"), "{latest:?}");
    // An analyst's per-school engagement names each school, for `inclusion audit --school`.
    let (_, body) = f
        .app
        .graphql_as(
            Some(&f.app.analyst.clone()),
            r#"{ trainingEngagement(groupBy: SCHOOL, laCode: "886") { code } }"#,
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let about_other =
        store::audit::list(&t.db, &store::audit::AuditFilter { school: Some(f.other), ..Default::default() })
            .await
            .unwrap();
    assert_eq!((about_other.len(), about_other[0].role.as_str()), (1, "analyst"), "{about_other:?}");
    // Filtering by token and by date.
    let by_token =
        store::audit::list(&t.db, &store::audit::AuditFilter { token_id: Some(token_id), ..Default::default() })
            .await
            .unwrap();
    assert_eq!(by_token.len(), 1);
    let future = chrono::Utc::now() + chrono::Duration::days(1);
    assert!(
        store::audit::list(&t.db, &store::audit::AuditFilter { since: Some(future), ..Default::default() })
            .await
            .unwrap()
            .is_empty()
    );
    // Retention: pruning removes what is older than the cut-off only.
    assert_eq!(store::audit::prune(&t.db, chrono::Utc::now() - chrono::Duration::days(400)).await.unwrap(), 0);
    assert!(store::audit::prune(&t.db, future).await.unwrap() >= 3);
    f.app.stop().await;
}

crate::on_both_backends! {
    restricted_measures_stay_restricted => restricted_measures_stay_restricted;
}

/// A later import of the same measure codes through a published mapping does not open the LA's
/// own figures.
async fn restricted_measures_stay_restricted(t: TestDb) {
    let f = setup(&t, AppConfig::default()).await;
    let dir = f._dir.path();
    let published = RESTRICTED_SEN
        .replace("name = \"sen_school\"", "name = \"sen_again\"")
        .replace("datasets = [\"la_sen_census\"]", "datasets = [\"sen_again\"]")
        .replace("disclosure = \"restricted\"\n", "");
    std::fs::write(dir.join("mappings/sen_again.toml"), published).unwrap();
    let head = format!("{HEAD},Total pupils,SEN support,EHC plan\n");
    let row = format!(
        "202223,Academic year,School,E92000001,England,E12000008,South East,E10000016,886,Kent,,,{},,100,9,1\n",
        f.other
    );
    import_csv(&t, dir, "sen_again", "sen_again", format!("{head}{row}")).await;
    let measures = store::query::stats::measures(&t.db).await.unwrap();
    assert!(measures.iter().filter(|m| m.code.starts_with("sen_school_")).all(|m| m.disclosure == "restricted"));
    let q = format!(
        r#"{{ school(urn: {}) {{ observations(query: {{measures: ["sen_school_sen_support"]}}) {{ value }} }} }}"#,
        f.other
    );
    assert_eq!(error_codes(&f.ask("school", &q).await, "observations"), vec!["FORBIDDEN"]);
    f.app.stop().await;
}

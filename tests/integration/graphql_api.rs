//! The GraphQL API over real HTTP: lookups, filters, Relay pagination, batching, limits.

use jobs::NoProgress;
use jobs::import_gias::run;
use serde_json::json;
use test_support::{TestApp, TestDb, fixture};

use crate::gias_job;

crate::on_both_backends! {
    school_by_urn_with_relations => school_by_urn_with_relations;
    schools_filter_and_paginate => schools_filter_and_paginate;
    districts_and_their_schools => districts_and_their_schools;
    five_hundred_schools_cost_a_bounded_number_of_statements => five_hundred_schools_cost_a_bounded_number_of_statements;
    limits_are_enforced => limits_are_enforced;
}

async fn school_by_urn_with_relations(t: TestDb) {
    run(&t.db, &gias_job(fixture::gias("basic.csv"), None), &NoProgress).await.unwrap();
    let app = TestApp::spawn(t.db.clone()).await;
    let data = app
        .data(
            r#"query($urn: Int!) { school(urn: $urn) {
                urn laestab name typeGroup phase isSpecial openDate inLatestExtract
                district { code name localAuthority { code name gssCode } }
                srps { kind capacity onRoll occupancy source }
                senProvision { rank need }
            } }"#,
            json!({"urn": 140210}),
        )
        .await;
    assert_eq!(
        data,
        json!({"school": {
            "urn": 140210, "laestab": "8862254", "name": "Westgate Bay Primary Academy",
            "typeGroup": "Academies", "phase": "Primary", "isSpecial": false, "openDate": "2013-12-01",
            "inLatestExtract": true,
            "district": {"code": "E07000114", "name": "Thanet",
                         "localAuthority": {"code": "886", "name": "Kent", "gssCode": "E10000016"}},
            "srps": [
                {"kind": "RESOURCED_PROVISION", "capacity": 14, "onRoll": 11, "occupancy": 11.0 / 14.0, "source": "GIAS"},
                {"kind": "SEN_UNIT", "capacity": 8, "onRoll": 6, "occupancy": 0.75, "source": "GIAS"},
            ],
            "senProvision": [
                {"rank": 1, "need": "SLCN - Speech, language and Communication"},
                {"rank": 2, "need": "ASD - Autistic Spectrum Disorder"},
            ],
        }})
    );
    assert!(data["school"]["laestab"].as_str().unwrap().starts_with("886"));
    let missing = app.data("{ school(urn: 999999) { name } }", json!({})).await;
    assert_eq!(missing, json!({"school": null}));
    app.stop().await;
}

async fn schools_filter_and_paginate(t: TestDb) {
    run(&t.db, &gias_job(fixture::gias("basic.csv"), None), &NoProgress).await.unwrap();
    let app = TestApp::spawn(t.db.clone()).await;
    let q = r#"query($f: SchoolFilter, $first: Int, $after: String, $o: SchoolOrder) {
        schools(filter: $f, first: $first, after: $after, orderBy: $o) {
            totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { urn name } } }"#;
    let names = |d: &serde_json::Value| -> Vec<i64> {
        d["schools"]["nodes"].as_array().unwrap().iter().map(|n| n["urn"].as_i64().unwrap()).collect()
    };

    let kent_srp = app.data(q, json!({"f": {"laCode": "886", "hasSrp": true}, "o": {"field": "URN"}})).await;
    assert_eq!(names(&kent_srp), vec![118265, 118312, 118456, 140210]);
    assert_eq!(kent_srp["schools"]["totalCount"], 4);

    let special = app.data(q, json!({"f": {"isSpecial": true}, "o": {"field": "URN"}})).await;
    assert_eq!(names(&special), vec![118870, 119617, 142731]);
    let thanet =
        app.data(q, json!({"f": {"districtCode": "E07000114", "phase": "Primary"}, "o": {"field": "URN"}})).await;
    assert_eq!(names(&thanet), vec![118690, 140210]);
    // Name search ignores case on both backends.
    let margate = app.data(q, json!({"f": {"nameContains": "MARGATE"}, "o": {"field": "URN"}})).await;
    assert_eq!(names(&margate), vec![118690, 138975]);
    let closed = app.data(q, json!({"f": {"status": "Closed"}})).await;
    assert_eq!(names(&closed), vec![118377]);

    // Walk all 18 schools five at a time by name: no overlap, no gap, same order as one page.
    let all = app.data(q, json!({"first": 18})).await;
    let mut walked = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let page = app.data(q, json!({"first": 5, "after": after})).await;
        walked.extend(names(&page));
        assert_eq!(page["schools"]["totalCount"], 18);
        if !page["schools"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = page["schools"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(walked, names(&all));
    assert_eq!(walked.len(), 18);
    let names_sorted: Vec<String> =
        all["schools"]["nodes"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap().to_owned()).collect();
    let mut expected = names_sorted.clone();
    expected.sort();
    assert_eq!(names_sorted, expected);

    // A cursor from one order cannot be used with another.
    let page = app.data(q, json!({"first": 2})).await;
    let body = app
        .graphql(q, json!({"first": 2, "after": page["schools"]["pageInfo"]["endCursor"], "o": {"field": "URN"}}))
        .await;
    assert_eq!(body["errors"][0]["message"], "the cursor belongs to a different orderBy");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    app.stop().await;
}

async fn districts_and_their_schools(t: TestDb) {
    run(&t.db, &gias_job(fixture::gias("basic.csv"), None), &NoProgress).await.unwrap();
    let app = TestApp::spawn(t.db.clone()).await;
    let data = app.data(r#"{ districts(laCode: "886") { code name } }"#, json!({})).await;
    let districts = data["districts"].as_array().unwrap();
    assert_eq!(districts.len(), 12, "every Kent district appears in basic.csv: {districts:?}");
    assert_eq!(districts[0], json!({"code": "E07000105", "name": "Ashford"}));

    let swale = app.data(r#"{ district(code: "E07000113") { name schools { urn name } } }"#, json!({})).await;
    assert_eq!(
        swale,
        json!({"district": {"name": "Swale", "schools": [
            {"urn": 118870, "name": "Kemsley Brook School"},
            {"urn": 118456, "name": "The Milton Creek School"},
        ]}})
    );
    let la = app.data(r#"{ localAuthority(code: "E10000016") { code name districts { code } } }"#, json!({})).await;
    assert_eq!(la["localAuthority"]["code"], "886");
    assert_eq!(la["localAuthority"]["districts"].as_array().unwrap().len(), 12);
    app.stop().await;
}

async fn five_hundred_schools_cost_a_bounded_number_of_statements(t: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("national.csv");
    test_support::gias_synth::write(&mut std::fs::File::create(&path).unwrap(), 600, 11).unwrap();
    run(&t.db, &gias_job(path, None), &NoProgress).await.unwrap();
    let app = TestApp::spawn(t.db.clone()).await;
    let q = "{ schools(first: 500) { nodes { urn name district { code name } srps { kind capacity onRoll } senProvision { need } } } }";
    // The token's first use records its last use; later requests only look it up.
    app.data("{ me { role } }", json!({})).await;
    let before = t.statements();
    let data = app.data(q, json!({})).await;
    let used = t.statements() - before;
    let nodes = data["schools"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 500);
    assert!(nodes.iter().any(|n| !n["srps"].as_array().unwrap().is_empty()), "some schools host SRPs");
    assert!(nodes.iter().all(|n| n["district"]["code"].is_string()));
    // The token's lookup, one page query, one batch each for districts, SRPs and SEN provision
    // (DataLoader batches of up to 1,000 keys): not one per school.
    assert!(used <= 5, "500 schools with relations took {used} SQL statements");
    app.stop().await;
}

async fn limits_are_enforced(t: TestDb) {
    let app = TestApp::spawn_with_limits(
        t.db.clone(),
        api::Limits { depth: 6, complexity: 500, page_max: 100, ..Default::default() },
    )
    .await;
    let too_big = app.graphql("{ schools(first: 101) { nodes { urn } } }", json!({})).await;
    assert_eq!(too_big["errors"][0]["message"], "first must be between 0 and 100 (got 101)");
    let too_deep = app
        .graphql(
            "{ school(urn: 118201) { district { schools { district { schools { district { name } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(too_deep["errors"][0]["message"], "the query nests 7 levels deep; at most 6 are allowed");
    assert_eq!(too_deep["errors"][0]["extensions"]["code"], "QUERY_TOO_LARGE");
    let too_complex = app
        .graphql(
            "{ schools(first: 100) { nodes { urn name phase status typeGroup laCode district { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(too_complex["errors"][0]["message"], "Query is too complex.");
    app.stop().await;
}

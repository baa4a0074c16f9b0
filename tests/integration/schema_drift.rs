//! `schema.graphql` is generated from the code; this fails when the two drift apart.

#[test]
fn checked_in_schema_matches_the_code() {
    let path = test_support::fixture::root().join("schema.graphql");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = api::sdl();
    if checked_in != generated {
        if std::env::var("UPDATE_SCHEMA").is_ok() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        panic!(
            "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` \
             (or UPDATE_SCHEMA=1 cargo test -p inclusion-tests schema_drift)"
        );
    }
}

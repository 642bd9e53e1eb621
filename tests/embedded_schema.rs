//! The embedded schema exists twice: `schema.cedarschema` (the source people read and edit)
//! and `schema.cedarschema.json` (what the engine loads, several times faster). This test
//! keeps them the same schema; `ORGWARDEN_BLESS=1 cargo test --test embedded_schema`
//! rewrites the JSON from the Cedar text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cedar_policy::SchemaFragment;
use orgwarden::policies::{DEFAULT_SCHEMA, DEFAULT_SCHEMA_JSON};

fn normalized(fragment: &SchemaFragment) -> serde_json::Value {
    serde_json::from_str(&fragment.to_json_string().unwrap()).unwrap()
}

#[test]
fn json_schema_is_the_cedar_schema() {
    let (from_text, _) = SchemaFragment::from_cedarschema_str(DEFAULT_SCHEMA).unwrap();
    let expected = normalized(&from_text);
    if std::env::var_os("ORGWARDEN_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/schema.cedarschema.json");
        std::fs::write(path, serde_json::to_string_pretty(&expected).unwrap() + "\n").unwrap();
        return;
    }
    let from_json = SchemaFragment::from_json_str(DEFAULT_SCHEMA_JSON).unwrap();
    assert_eq!(
        normalized(&from_json),
        expected,
        "policies/schema.cedarschema.json is stale: run ORGWARDEN_BLESS=1 cargo test --test embedded_schema"
    );
}

#[test]
fn default_policies_validate_strictly_against_the_schema() {
    // The engine skips validating the embedded policies against the embedded schema at
    // start-up; this is the check it relies on.
    let options = orgwarden::EngineOptions { schema: Some(DEFAULT_SCHEMA.to_owned()), ..Default::default() };
    let answer = orgwarden::ffi::validate_policies(&serde_json::to_string(&options).unwrap());
    match answer {
        orgwarden::ffi::Answer::Success(list) => assert!(list.policies.len() > 50),
        orgwarden::ffi::Answer::Failure { errors } => panic!("{errors:?}"),
    }
}

//! Arbitrary bytes as policy text (with and without the default policies) or, when the first
//! byte says so, as engine options JSON. Building never panics; a built engine answers checks
//! on the seed snapshot, and a failure is never an allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orgwarden::{ffi, Engine, EngineOptions, EntityRef, PolicySource};
use orgwarden_fuzz::{assert_decision, assert_decision_json, text, SEED_SNAPSHOT};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else { return };
    let input = text(rest);
    if mode % 4 == 3 {
        // Engine options JSON: custom schema, policies, defaults on or off.
        let answer: Value = serde_json::from_str(&ffi::validate_policies_json(&input)).expect("JSON");
        assert!(answer["type"] == "success" || answer["type"] == "failure", "{answer}");
        if let Ok(engine) = ffi::new_engine_json(&input) {
            exercise(engine);
        }
        return;
    }
    // Mostly the text alone (fast); one input in four on top of the default policies.
    let with_defaults = mode % 4 == 0;
    let options = EngineOptions {
        policies: vec![PolicySource::new("fuzz.cedar", input.clone())],
        include_default_policies: Some(with_defaults),
        ..EngineOptions::default()
    };
    // The JSON twin answers as the typed call does (checked without the defaults, which
    // would double the slowest part).
    let answer: Option<Value> = (!with_defaults).then(|| {
        let options_json = serde_json::to_string(&options).expect("serializable");
        serde_json::from_str(&ffi::validate_policies_json(&options_json)).expect("JSON")
    });
    match Engine::new(options) {
        Ok(engine) => {
            if let Some(answer) = answer {
                assert_eq!(answer["type"], "success", "{answer}");
            }
            exercise(engine);
        }
        Err(_) => {
            if let Some(answer) = answer {
                assert_eq!(answer["type"], "failure", "{answer}");
            }
        }
    }
});

/// Loads the seed snapshot (if the schema takes it) and runs a few checks.
fn exercise(mut engine: Engine) {
    if engine.load_snapshot_json(SEED_SNAPSHOT).is_err() {
        return;
    }
    let principals =
        [EntityRef::new("User", "olga"), EntityRef::new("User", "cleo"), EntityRef::new("ApiKey", "k-acme")];
    let resources = [
        EntityRef::new("Organization", "acme"),
        EntityRef::new("Workspace", "w-lab"),
        EntityRef::new("Membership", "acme/mo"),
        EntityRef::new("Algorithm", "a-gx"),
    ];
    for principal in &principals {
        for resource in &resources {
            if let Ok(outcomes) = engine.allowed_actions(principal, resource) {
                outcomes.iter().for_each(|o| assert_decision(&o.decision));
            }
        }
    }
    assert_decision_json(&ffi::check_json(
        &engine,
        r#"{"principal":{"type":"User","id":"mo"},"action":"changeRole","resource":{"type":"Membership","id":"acme/olga"},"context":{"newRole":"member"}}"#,
    ));
}

//! Arbitrary bytes as a request to the engine with the seed snapshot loaded: a check, an
//! action validation, an allowed-actions listing and a matrix. Every answer is tagged JSON,
//! a failure is never allowed, a validation is valid only when its decision allows, and the
//! JSON answer of a check is the typed one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orgwarden::ffi;
use orgwarden_fuzz::{assert_decision_json, assert_validation_json, base_engine, text};

/// The engine never changes here: one for every input.
fn shared() -> &'static orgwarden::Engine {
    static ENGINE: std::sync::OnceLock<orgwarden::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(base_engine)
}
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let call = text(data);
    let engine = shared();
    let answer = ffi::check_json(engine, &call);
    assert_decision_json(&answer);
    // The typed call gives the same answer, when the text is a check call.
    if let Ok(value) = serde_json::from_str::<Value>(&call) {
        if let (Ok(principal), Some(action), Ok(resource)) = (
            serde_json::from_value::<orgwarden::EntityRef>(value["principal"].clone()),
            value["action"].as_str(),
            serde_json::from_value::<orgwarden::EntityRef>(value["resource"].clone()),
        ) {
            let context = value.get("context").cloned().filter(|c| !c.is_null());
            let keys_ok = call.len() < 1 << 20
                && value.as_object().is_some_and(|o| {
                    o.keys().all(|k| ["principal", "action", "resource", "context"].contains(&k.as_str()))
                });
            let parsed: Value = serde_json::from_str(&answer).expect("JSON");
            // The typed reading refuses what a `Value` lets through (a duplicate key, which
            // different parsers would read differently): that is a deny, never an allow.
            let refused = parsed["errors"][0]["code"] == "INVALID_JSON";
            let typed = engine.check(&principal, action, &resource, context);
            if parsed["allowed"] == true {
                assert!(typed.allowed(), "{call}");
            }
            if keys_ok && !refused {
                assert_eq!(parsed, serde_json::to_value(&typed).expect("serializable"), "{call}");
            }
        }
    }
    assert_validation_json(&ffi::validate_action_json(engine, &call));
    let listing: Value = serde_json::from_str(&ffi::allowed_actions_json(engine, &call)).expect("JSON");
    if listing["type"] == "success" {
        for outcome in listing["outcomes"].as_array().expect("outcomes") {
            assert_decision_json(&outcome["decision"].to_string());
        }
    }
    let matrix: Value = serde_json::from_str(&ffi::matrix_json(engine, &call)).expect("JSON");
    if matrix["type"] == "success" {
        for cell in matrix["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .flat_map(|r| r["cells"].as_array().cloned().unwrap_or_default())
        {
            if cell["allowed"] == true {
                assert_eq!(cell["cause"], "permitted", "{cell}");
            }
        }
    }
});

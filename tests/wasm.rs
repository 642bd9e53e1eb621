//! The raw wasm-bindgen layer (src/wasm.rs), run inside real JavaScript engines: Node and
//! headless Chromium (`scripts/test.sh` runs this file in both). It checks what only that
//! layer can get wrong: bytes and strings in, tagged answers out as JSON text (which the JS
//! layer parses after the call), the constructor's refusal returned as a value, and that
//! nothing panics. The JS layer above it (pkg/lib/) has its own
//! suites in tests/js/.
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use js_sys::Reflect;
use orgwarden::wasm::{validate_policies, RawEngine};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const SNAPSHOT: &str = include_str!("fixtures/small-org.json");

/// An answer's JSON text as the JS value the package's JS layer makes of it.
fn answer(text: String) -> JsValue {
    js_sys::JSON::parse(&text).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

fn loaded() -> RawEngine {
    let mut authz = RawEngine::new(None).unwrap();
    let loaded = answer(authz.load_snapshot(SNAPSHOT.as_bytes(), None, None));
    assert_eq!(text(&loaded, "type").as_deref(), Some("success"));
    authz
}

fn check(authz: &RawEngine, user: &str, action: &str, resource: (&str, &str)) -> JsValue {
    answer(authz.check("User".into(), user.into(), action, resource.0.into(), resource.1.into(), None))
}

fn first_error_code(answer: &JsValue) -> Option<String> {
    let errors: js_sys::Array = get(answer, "errors").dyn_into().unwrap();
    text(&errors.get(0), "code")
}

#[wasm_bindgen_test]
fn org2_owner_deletes_and_member_gets_the_policy_reason() {
    let authz = loaded();
    let owner = check(&authz, "olivia", "deleteOrganization", ("Organization", "acme"));
    assert_eq!(text(&owner, "type").as_deref(), Some("success"));
    assert_eq!(get(&owner, "allowed").as_bool(), Some(true));
    assert_eq!(text(&owner, "reason").as_deref(), Some("Owners can delete the organization"));

    let member = check(&authz, "mia", "deleteOrganization", ("Organization", "acme"));
    assert_eq!(get(&member, "allowed").as_bool(), Some(false));
    assert_eq!(text(&member, "cause").as_deref(), Some("notPermitted"));
    assert_eq!(text(&member, "reason").as_deref(), Some("Only owners can delete the organization"));
}

#[wasm_bindgen_test]
fn alg3_forbid_names_its_rule_across_the_boundary() {
    let authz = loaded();
    let decision = check(&authz, "adam", "approveVersion", ("AlgorithmVersion", "sentiment@1"));
    assert_eq!(text(&decision, "cause").as_deref(), Some("forbidden"));
    let policies: js_sys::Array = get(&decision, "policies").dyn_into().unwrap();
    let rules: Vec<String> = policies.iter().map(|p| text(&p, "rule").unwrap()).collect();
    assert_eq!(rules, vec!["ALG-3".to_owned()]);
}

#[wasm_bindgen_test]
fn sec4_bad_input_is_a_tagged_failure_not_a_throw() {
    let authz = loaded();
    let unknown = check(&authz, "nobody", "viewMembers", ("Organization", "acme"));
    assert_eq!(text(&unknown, "type").as_deref(), Some("failure"));
    assert_eq!(get(&unknown, "allowed").as_bool(), Some(false));
    assert_eq!(first_error_code(&unknown).as_deref(), Some("UNKNOWN_PRINCIPAL"));

    let long_name = "x".repeat(orgwarden::limits::MAX_NAME_BYTES + 1);
    let too_long = check(&authz, &long_name, "viewMembers", ("Organization", "acme"));
    assert_eq!(first_error_code(&too_long).as_deref(), Some("LIMIT_EXCEEDED"));

    let bad_context = answer(authz.check(
        "User".into(),
        "olivia".into(),
        "removeMember",
        "Membership".into(),
        "acme/mia".into(),
        Some(br#"{"confirmation": 42}"#.to_vec()),
    ));
    assert_eq!(first_error_code(&bad_context).as_deref(), Some("INVALID_CONTEXT"));
    let not_utf8 = answer(authz.check(
        "User".into(),
        "olivia".into(),
        "removeMember",
        "Membership".into(),
        "acme/mia".into(),
        Some(vec![0xff, 0xfe]),
    ));
    assert_eq!(first_error_code(&not_utf8).as_deref(), Some("INVALID_JSON"));

    let mut fresh = RawEngine::new(None).unwrap();
    assert_eq!(
        first_error_code(&answer(fresh.load_snapshot(b"{ not json", None, None))).as_deref(),
        Some("INVALID_JSON")
    );
    assert_eq!(
        first_error_code(&answer(fresh.load_entities(&[0xc3, 0x28]))).as_deref(),
        Some("INVALID_JSON")
    );
}

#[wasm_bindgen_test]
fn a_load_within_a_budget_is_refused_before_it_is_built() {
    let mut authz = loaded();
    let count = get(&answer(authz.load_snapshot(SNAPSHOT.as_bytes(), None, None)), "entityCount")
        .as_f64()
        .unwrap() as u32;
    let over = answer(authz.load_snapshot(SNAPSHOT.as_bytes(), Some(count - 1), None));
    assert_eq!(first_error_code(&over).as_deref(), Some("LIMIT_EXCEEDED"));
    assert_eq!(authz.entity_count(), count as usize, "a refused load keeps the store");
    let exact = answer(authz.load_snapshot(SNAPSHOT.as_bytes(), Some(count), None));
    assert_eq!(text(&exact, "type").as_deref(), Some("success"));
}

#[wasm_bindgen_test]
fn a_load_for_one_organization_refuses_a_snapshot_of_others() {
    let mut authz = loaded();
    let count = authz.entity_count();
    // The fixture holds acme and globex: loaded for acme alone, it is refused and the store kept.
    let mismatch = answer(authz.load_snapshot(SNAPSHOT.as_bytes(), None, Some("acme".into())));
    assert_eq!(first_error_code(&mismatch).as_deref(), Some("ORG_MISMATCH"));
    assert_eq!(authz.entity_count(), count, "a refused load keeps the store");
    let acme = serde_json::json!({
        "users": [{ "id": "olivia", "email": "olivia@acme.test", "mfaEnabled": true, "passwordCompliant": true }],
        "organizations": [{ "id": "acme", "name": "acme", "members": [{ "user": "olivia", "role": "owner" }] }],
    })
    .to_string();
    let alone = answer(authz.load_snapshot(acme.as_bytes(), Some(1_000), Some("acme".into())));
    assert_eq!(text(&alone, "type").as_deref(), Some("success"));
}

#[wasm_bindgen_test]
fn sec2_roles_do_not_cross_organizations() {
    let authz = loaded();
    let allowed = |user: &str, org: &str| {
        authz.is_allowed("User".into(), user.into(), "viewMembers", "Organization".into(), org.into(), None)
    };
    assert!(allowed("oscar", "globex"));
    assert!(!allowed("oscar", "acme"));
    assert!(!allowed("olivia", "globex"));
}

#[wasm_bindgen_test]
fn mem8_validate_action_reports_violations_with_codes() {
    let authz = loaded();
    let request = br#"{"principal":{"type":"User","id":"olivia"},"action":"removeMember",
        "resource":{"type":"Membership","id":"acme/mia"},"input":{"confirmation":"wrong@acme.test"}}"#;
    let validation = answer(authz.validate_action(request));
    assert_eq!(get(&validation, "valid").as_bool(), Some(false));
    let violations: js_sys::Array = get(&validation, "violations").dyn_into().unwrap();
    assert_eq!(text(&violations.get(0), "rule").as_deref(), Some("MEM-8"));

    let request = br#"{"principal":{"type":"User","id":"olivia"},"action":"removeMember",
        "resource":{"type":"Membership","id":"acme/mia"},"input":{"confirmation":"mia@acme.test"}}"#;
    assert_eq!(get(&answer(authz.validate_action(request)), "valid").as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn ui_gating_lists_and_matrix_in_one_call() {
    let authz = loaded();
    let member =
        answer(authz.allowed_actions("User".into(), "mia".into(), "Organization".into(), "acme".into()));
    let allowed: Vec<String> =
        js_sys::Array::from(&get(&member, "allowed")).iter().map(|a| a.as_string().unwrap()).collect();
    assert!(allowed.contains(&"viewMembers".to_owned()));
    assert!(!allowed.contains(&"inviteMember".to_owned()));

    let call = br#"{"principal":{"type":"User","id":"olivia"},
        "resources":[{"type":"Organization","id":"acme"},{"type":"Organization","id":"globex"}],
        "actions":["deleteOrganization","viewMembers"]}"#;
    let matrix = answer(authz.matrix(call));
    let rows = js_sys::Array::from(&get(&matrix, "rows"));
    assert_eq!(rows.length(), 2);
    let acme_cells = js_sys::Array::from(&get(&rows.get(0), "cells"));
    let globex_cells = js_sys::Array::from(&get(&rows.get(1), "cells"));
    assert_eq!(get(&acme_cells.get(0), "allowed").as_bool(), Some(true));
    assert_eq!(get(&globex_cells.get(1), "allowed").as_bool(), Some(false));

    let null_action = answer(
        authz.matrix(br#"{"principal":{"type":"User","id":"olivia"},"resources":[],"actions":[null]}"#),
    );
    assert_eq!(first_error_code(&null_action).as_deref(), Some("INVALID_JSON"));
}

#[wasm_bindgen_test]
fn an_invalid_custom_policy_is_returned_with_its_code_and_location() {
    let options =
        br#"{"policies":[{"name":"custom.cedar","text":"permit (principal, action, resource)\nwhen { resource.nope };"}]}"#;
    let refused = RawEngine::new(Some(options.to_vec())).err().expect("the engine must be refused");
    // JSON text returned by Rust (the glue throws it in JS), not an exception from Rust.
    let refused = answer(refused.as_string().expect("the refusal is JSON text"));
    assert_eq!(text(&refused, "code").as_deref(), Some("INVALID_POLICY"));
    let diagnostics = js_sys::Array::from(&get(&refused, "diagnostics"));
    assert!(diagnostics.length() > 0);
    let location = get(&diagnostics.get(0), "location");
    assert_eq!(text(&location, "source").as_deref(), Some("custom.cedar"));
    assert_eq!(get(&location, "line").as_f64(), Some(2.0));

    let validated = answer(validate_policies(options));
    assert_eq!(text(&validated, "type").as_deref(), Some("failure"));
}

#[wasm_bindgen_test]
fn the_limits_cross_as_one_object() {
    let limits = answer(orgwarden::wasm::limits());
    let max = get(&limits, "maxJsonBytes").as_f64().unwrap();
    assert_eq!(max, orgwarden::limits::MAX_JSON_BYTES as f64);
    assert!(get(&limits, "maxNameBytes").as_f64().is_some());
}

#[wasm_bindgen_test]
fn mem5_validate_action_never_allows_beside_a_violation() {
    let authz = loaded();
    // `role` is inviteMember's field; changeRole needs `newRole`.
    let request = r#"{"principal": {"type": "User", "id": "olivia"}, "action": "changeRole",
        "resource": {"type": "Membership", "id": "acme/mia"}, "input": {"role": "admin"}}"#;
    let validation = answer(authz.validate_action(request.as_bytes()));
    assert_eq!(get(&validation, "valid").as_bool(), Some(false));
    let violations: js_sys::Array = get(&validation, "violations").dyn_into().unwrap();
    assert_eq!(text(&violations.get(0), "code").as_deref(), Some("MISSING_INPUT"));
    let decision = get(&validation, "decision");
    assert_eq!(get(&decision, "allowed").as_bool(), Some(false));
    assert_eq!(first_error_code(&decision).as_deref(), Some("MISSING_INPUT"));
}

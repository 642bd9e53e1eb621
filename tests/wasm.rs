//! The wasm-bindgen layer, run inside real JavaScript engines: Node and headless Chromium
//! (`scripts/test.sh` runs this file in both). It checks what only the boundary can get
//! wrong: value conversion, tagged answers, thrown errors, and that nothing panics.
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use js_sys::{Reflect, JSON};
use orgwarden::wasm::{validate_policies, Authorizer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const SNAPSHOT: &str = include_str!("fixtures/small-org.json");

fn js(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn entity(entity_type: &str, id: &str) -> JsValue {
    js(&format!(r#"{{"type":"{entity_type}","id":"{id}"}}"#))
}

fn loaded() -> Authorizer {
    let mut authz = Authorizer::new(None).unwrap();
    let answer = authz.load_snapshot(js(SNAPSHOT));
    assert_eq!(get(&answer, "type").as_string().as_deref(), Some("success"));
    authz
}

#[wasm_bindgen_test]
fn org2_owner_deletes_and_member_gets_the_policy_reason() {
    let authz = loaded();
    let org = entity("Organization", "acme");
    let owner = authz.check(entity("User", "olivia"), "deleteOrganization", org.clone(), None);
    assert_eq!(get(&owner, "type").as_string().as_deref(), Some("success"));
    assert_eq!(get(&owner, "allowed").as_bool(), Some(true));

    let member = authz.check(entity("User", "mia"), "deleteOrganization", org, None);
    assert_eq!(get(&member, "allowed").as_bool(), Some(false));
    assert_eq!(get(&member, "cause").as_string().as_deref(), Some("notPermitted"));
    assert_eq!(
        get(&member, "reason").as_string().as_deref(),
        Some("Only owners can delete the organization")
    );
}

#[wasm_bindgen_test]
fn alg3_forbid_names_its_rule_across_the_boundary() {
    let authz = loaded();
    let decision = authz.check(
        entity("User", "adam"),
        "approveVersion",
        entity("AlgorithmVersion", "sentiment@1"),
        None,
    );
    assert_eq!(get(&decision, "cause").as_string().as_deref(), Some("forbidden"));
    let policies: js_sys::Array = get(&decision, "policies").dyn_into().unwrap();
    let rules: Vec<String> = policies.iter().map(|p| get(&p, "rule").as_string().unwrap()).collect();
    assert_eq!(rules, vec!["ALG-3".to_owned()]);
}

#[wasm_bindgen_test]
fn sec4_bad_input_is_a_tagged_failure_not_a_throw() {
    let authz = loaded();
    let unknown = authz.check(entity("User", "nobody"), "viewMembers", entity("Organization", "acme"), None);
    assert_eq!(get(&unknown, "type").as_string().as_deref(), Some("failure"));
    assert_eq!(get(&unknown, "allowed").as_bool(), Some(false));
    let errors: js_sys::Array = get(&unknown, "errors").dyn_into().unwrap();
    assert_eq!(get(&errors.get(0), "code").as_string().as_deref(), Some("UNKNOWN_PRINCIPAL"));

    let not_an_entity = authz.check(
        JsValue::from_str("User::\"olivia\""),
        "viewMembers",
        entity("Organization", "acme"),
        None,
    );
    assert_eq!(get(&not_an_entity, "type").as_string().as_deref(), Some("failure"));
    assert!(!authz.is_allowed(JsValue::NULL, "viewMembers", JsValue::UNDEFINED, None));

    let bad_context = authz.check(
        entity("User", "olivia"),
        "removeMember",
        entity("Membership", "acme/mia"),
        Some(js(r#"{"confirmation": 42}"#).unchecked_into()),
    );
    let errors: js_sys::Array = get(&bad_context, "errors").dyn_into().unwrap();
    assert_eq!(get(&errors.get(0), "code").as_string().as_deref(), Some("INVALID_CONTEXT"));

    let mut fresh = Authorizer::new(None).unwrap();
    let refused = fresh.load_snapshot(JsValue::from_str("{ not json"));
    assert_eq!(get(&refused, "type").as_string().as_deref(), Some("failure"));
}

#[wasm_bindgen_test]
fn sec2_roles_do_not_cross_organizations() {
    let authz = loaded();
    assert!(authz.is_allowed(entity("User", "oscar"), "viewMembers", entity("Organization", "globex"), None));
    assert!(!authz.is_allowed(entity("User", "oscar"), "viewMembers", entity("Organization", "acme"), None));
    assert!(!authz.is_allowed(
        entity("User", "olivia"),
        "viewMembers",
        entity("Organization", "globex"),
        None
    ));
}

#[wasm_bindgen_test]
fn mem8_validate_action_reports_violations_with_codes() {
    let authz = loaded();
    let request = js(r#"{"principal":{"type":"User","id":"olivia"},"action":"removeMember",
        "resource":{"type":"Membership","id":"acme/mia"},"input":{"confirmation":"wrong@acme.test"}}"#);
    let validation = authz.validate_action(request);
    assert_eq!(get(&validation, "valid").as_bool(), Some(false));
    let violations: js_sys::Array = get(&validation, "violations").dyn_into().unwrap();
    assert_eq!(get(&violations.get(0), "rule").as_string().as_deref(), Some("MEM-8"));

    let request = js(r#"{"principal":{"type":"User","id":"olivia"},"action":"removeMember",
        "resource":{"type":"Membership","id":"acme/mia"},"input":{"confirmation":"mia@acme.test"}}"#);
    assert_eq!(get(&authz.validate_action(request), "valid").as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn ui_gating_lists_and_matrix_in_one_call() {
    let authz = loaded();
    let member = authz.allowed_actions(entity("User", "mia"), entity("Organization", "acme"));
    let allowed: Vec<String> =
        js_sys::Array::from(&get(&member, "allowed")).iter().map(|a| a.as_string().unwrap()).collect();
    assert!(allowed.contains(&"viewMembers".to_owned()));
    assert!(!allowed.contains(&"inviteMember".to_owned()));

    let resources = js(r#"[{"type":"Organization","id":"acme"},{"type":"Organization","id":"globex"}]"#);
    let answer = authz.matrix(
        entity("User", "olivia"),
        resources,
        vec!["deleteOrganization".into(), "viewMembers".into()],
    );
    let rows = js_sys::Array::from(&get(&answer, "rows"));
    assert_eq!(rows.length(), 2);
    let acme_cells = js_sys::Array::from(&get(&rows.get(0), "cells"));
    let globex_cells = js_sys::Array::from(&get(&rows.get(1), "cells"));
    assert_eq!(get(&acme_cells.get(0), "allowed").as_bool(), Some(true));
    assert_eq!(get(&globex_cells.get(1), "allowed").as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn invalid_custom_policy_throws_an_error_with_code_and_location() {
    let options = js(
        r#"{"policies":[{"name":"custom.cedar","text":"permit (principal, action, resource)\nwhen { resource.nope };"}]}"#,
    );
    let thrown =
        Authorizer::new(Some(options.clone().unchecked_into())).err().expect("constructor must throw");
    let error: js_sys::Error = thrown.dyn_into().unwrap();
    assert_eq!(String::from(error.name()), "OrgwardenError");
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("INVALID_POLICY"));
    let diagnostics = js_sys::Array::from(&get(&error, "diagnostics"));
    assert!(diagnostics.length() > 0);
    let location = get(&diagnostics.get(0), "location");
    assert_eq!(get(&location, "source").as_string().as_deref(), Some("custom.cedar"));
    assert_eq!(get(&location, "line").as_f64(), Some(2.0));

    let answer = validate_policies(options);
    assert_eq!(get(&answer, "type").as_string().as_deref(), Some("failure"));
}

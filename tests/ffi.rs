//! The boundary calls through their JSON twins, natively: the same answers the wasm layer
//! hands to JavaScript, tagged, and never an error escaping as anything but a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use orgwarden::{ffi, Engine};
use serde_json::{json, Value};

const SNAPSHOT: &str = include_str!("fixtures/small-org.json");

fn engine() -> Engine {
    let mut engine = ffi::new_engine_json("{}").unwrap();
    let answer: Value = serde_json::from_str(&ffi::load_snapshot_json(&mut engine, SNAPSHOT)).unwrap();
    assert_eq!(answer["type"], "success", "{answer}");
    engine
}

fn call(f: impl Fn(&str) -> String, request: Value) -> Value {
    serde_json::from_str(&f(&request.to_string())).unwrap()
}

#[test]
fn check_json_answers_a_tagged_decision_with_rule_and_reason() {
    let engine = engine();
    let check = |r: &str| ffi::check_json(&engine, r);
    let allowed = call(
        check,
        json!({"principal": {"type": "User", "id": "olivia"}, "action": "deleteOrganization", "resource": {"type": "Organization", "id": "acme"}}),
    );
    assert_eq!(allowed["type"], "success");
    assert_eq!(allowed["allowed"], true);
    assert_eq!(allowed["policies"][0]["rule"], "ORG-2");
    assert_eq!(allowed["reason"], "Owners can delete the organization");
    assert_eq!(allowed["policies"][0]["grant"], "Owners can delete the organization");

    let denied = call(
        check,
        json!({"principal": {"type": "User", "id": "mia"}, "action": "deleteOrganization", "resource": {"type": "Organization", "id": "acme"}}),
    );
    assert_eq!(denied["allowed"], false);
    assert_eq!(denied["cause"], "notPermitted");
    assert_eq!(denied["reason"], "Only owners can delete the organization");
}

#[test]
fn check_json_turns_malformed_calls_into_failures_that_deny() {
    let engine = engine();
    for (call_text, code) in [
        ("not json", "INVALID_JSON"),
        (
            r#"{"principal": "User::\"olivia\"", "action": "viewMembers", "resource": {"type": "Organization", "id": "acme"}}"#,
            "INVALID_JSON",
        ),
        (
            r#"{"principal": {"type": "User", "id": "olivia"}, "action": "viewMembers", "resource": {"type": "Organization", "id": "acme"}, "extra": 1}"#,
            "INVALID_JSON",
        ),
        (
            r#"{"principal": {"type": "Robot", "id": "r2"}, "action": "viewMembers", "resource": {"type": "Organization", "id": "acme"}}"#,
            "UNKNOWN_ENTITY_TYPE",
        ),
        (
            r#"{"principal": {"type": "User", "id": "olivia"}, "action": "viewMembers", "resource": {"type": "Organization", "id": "nowhere"}}"#,
            "UNKNOWN_RESOURCE",
        ),
        (
            r#"{"principal": {"type": "User", "id": "olivia"}, "action": "approveVersion", "resource": {"type": "Organization", "id": "acme"}}"#,
            "INVALID_REQUEST",
        ),
    ] {
        let answer: Value = serde_json::from_str(&ffi::check_json(&engine, call_text)).unwrap();
        assert_eq!(answer["type"], "failure", "{call_text}");
        assert_eq!(answer["allowed"], false, "{call_text}");
        assert_eq!(answer["errors"][0]["code"], code, "{call_text}: {answer}");
    }
}

#[test]
fn a_refused_load_keeps_the_store() {
    let mut engine = engine();
    let before = engine.entities().len();
    let answer: Value = serde_json::from_str(&ffi::load_snapshot_json(
        &mut engine,
        r#"{"organizations": [{"id": "x", "name": "x", "members": []}]}"#,
    ))
    .unwrap();
    assert_eq!(answer["type"], "failure");
    assert_eq!(answer["errors"][0]["code"], "INVALID_SNAPSHOT");
    assert_eq!(engine.entities().len(), before);

    let answer: Value =
        serde_json::from_str(&ffi::remove_entities_json(&mut engine, r#"[{"type": "User", "id": "ghost"}]"#))
            .unwrap();
    assert_eq!(answer["errors"][0]["code"], "UNKNOWN_ENTITY");
    assert_eq!(engine.entities().len(), before);
}

#[test]
fn allowed_actions_and_matrix_json_agree_with_single_checks() {
    let engine = engine();
    let pair = json!({"principal": {"type": "User", "id": "adam"}, "resource": {"type": "Organization", "id": "acme"}});
    let listed = call(|r| ffi::allowed_actions_json(&engine, r), pair);
    assert_eq!(listed["type"], "success");
    let outcomes = listed["outcomes"].as_array().unwrap();
    assert!(outcomes.len() > 10);
    for outcome in outcomes {
        let single = call(
            |r| ffi::check_json(&engine, r),
            json!({"principal": {"type": "User", "id": "adam"}, "action": outcome["action"], "resource": {"type": "Organization", "id": "acme"}}),
        );
        assert_eq!(single["allowed"], outcome["decision"]["allowed"], "{}", outcome["action"]);
    }
    let allowed: Vec<&str> =
        listed["allowed"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(allowed.contains(&"inviteMember"), "admins invite (MEM-1)");
    assert!(!allowed.contains(&"deleteOrganization"), "admins do not delete (ORG-2)");

    let matrix = call(
        |r| ffi::matrix_json(&engine, r),
        json!({"principal": {"type": "User", "id": "adam"}, "resources": [{"type": "Organization", "id": "acme"}], "actions": ["inviteMember", "deleteOrganization"]}),
    );
    assert_eq!(matrix["rows"][0]["cells"][0]["allowed"], true);
    assert_eq!(matrix["rows"][0]["cells"][1]["allowed"], false);
    assert_eq!(matrix["rows"][0]["cells"][1]["reason"], "Only owners can delete the organization");
}

#[test]
fn validate_action_json_reports_missing_input_and_notices() {
    let engine = engine();
    let validate = |r: &str| ffi::validate_action_json(&engine, r);
    let missing = call(
        validate,
        json!({"principal": {"type": "User", "id": "olivia"}, "action": "leaveOrganization", "resource": {"type": "Organization", "id": "acme"}}),
    );
    assert_eq!(missing["valid"], false);
    assert_eq!(missing["violations"][0]["code"], "MISSING_INPUT");

    // JSON, but no request: a request error (INVALID_JSON is for text that is not JSON).
    let unreadable = call(validate, json!({"principal": {"type": "User", "id": "olivia"}}));
    assert_eq!(unreadable["valid"], false);
    assert_eq!(unreadable["violations"][0]["code"], "INVALID_REQUEST");
    assert_eq!(unreadable["decision"]["allowed"], false);

    // The policies let an owner change roles, but `role` is not changeRole's input: the
    // decision beside the violation denies too.
    let misspelt = call(
        validate,
        json!({"principal": {"type": "User", "id": "olivia"}, "action": "changeRole", "resource": {"type": "Membership", "id": "acme/mia"}, "input": {"role": "admin"}}),
    );
    assert_eq!(misspelt["valid"], false);
    assert_eq!(misspelt["violations"][0]["code"], "MISSING_INPUT");
    assert_eq!(misspelt["decision"]["type"], "failure");
    assert_eq!(misspelt["decision"]["allowed"], false);
    assert_eq!(misspelt["decision"]["errors"][0]["code"], "MISSING_INPUT");

    let create = call(
        validate,
        json!({"principal": {"type": "User", "id": "mia"}, "action": "createOrganization", "resource": {"type": "Platform", "id": "platform"}}),
    );
    assert_eq!(create["valid"], true);
    assert_eq!(create["notices"][0]["rule"], "ORG-1");
}

#[test]
fn validate_policies_json_returns_policies_or_located_diagnostics() {
    let ok: Value = serde_json::from_str(&ffi::validate_policies_json("{}")).unwrap();
    assert_eq!(ok["type"], "success");
    assert!(ok["policies"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["rule"].is_string() && p["reason"].is_string()));

    let options = json!({"policies": [{"name": "mine.cedar", "text": "permit (principal, action, resource)\nwhen { resource.owners == 3 };"}]});
    let bad: Value = serde_json::from_str(&ffi::validate_policies_json(&options.to_string())).unwrap();
    assert_eq!(bad["type"], "failure");
    assert_eq!(bad["errors"][0]["code"], "INVALID_POLICY");
    let location = &bad["errors"][0]["diagnostics"][0]["location"];
    assert_eq!(location["source"], "mine.cedar");
    assert_eq!(location["line"], 2);

    let error = ffi::new_engine_json(r#"{"schema": "entity User"}"#).err().unwrap();
    assert_eq!(error.code.as_str(), "INVALID_SCHEMA");
}

#[test]
fn validate_policies_json_warns_of_a_policy_that_can_never_apply() {
    assert_eq!(call_validate(json!({}))["warnings"], json!([]), "the defaults draw no warning");
    // A workspace is never inside an organization in the hierarchy: it names it in `org`.
    let text = "@id(\"never\")\npermit (principal is User, action == Action::\"viewWorkspace\",\n  resource in Organization::\"acme\");";
    let answer = call_validate(json!({"policies": [{"name": "mine.cedar", "text": text}]}));
    assert_eq!(answer["type"], "success", "a warning does not refuse the set");
    let warning = &answer["warnings"][0];
    assert_eq!(warning["policyId"], "never", "{answer}");
    assert!(
        warning["message"].as_str().unwrap().contains("unable to find an applicable action"),
        "{warning}"
    );
    assert_eq!(warning["location"]["source"], "mine.cedar");
    let fine = "@id(\"fine\")\npermit (principal is User, action == Action::\"viewWorkspace\", resource)\nwhen { resource.org == Organization::\"acme\" };";
    assert_eq!(
        call_validate(json!({"policies": [{"name": "fine.cedar", "text": fine}]}))["warnings"],
        json!([])
    );
}

fn call_validate(options: Value) -> Value {
    serde_json::from_str(&ffi::validate_policies_json(&options.to_string())).unwrap()
}

#[test]
fn engine_options_and_action_requests_are_objects_of_known_fields() {
    let refused = |options: &str| ffi::new_engine_json(options).err().map(|e| (e.code, e.message));
    // An array would be read by position: this one would drop the default policies.
    let (code, message) = refused(r#"[null, [{"name": "a.cedar", "text": ""}], false]"#).unwrap();
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("INVALID_REQUEST", "invalid request: engine options must be an object")
    );
    let (code, message) = refused(r#"{"polices": []}"#).unwrap();
    assert_eq!(code.as_str(), "INVALID_REQUEST");
    assert!(message.contains("unknown field `polices`"), "{message}");
    let (code, message) =
        refused(r#"{"policies": [{"name": "a.cedar", "text": "", "effect": "forbid"}]}"#).unwrap();
    assert_eq!(code.as_str(), "INVALID_REQUEST");
    assert!(message.contains("unknown field `effect`"), "{message}");
    assert_eq!(refused("{policies").unwrap().0.as_str(), "INVALID_JSON");
    assert!(ffi::new_engine_json(r#"{"policies": [], "includeDefaultPolicies": true}"#).is_ok());

    let engine = engine();
    let answer: Value = serde_json::from_str(&ffi::validate_action_json(
        &engine,
        r#"[{"type": "User", "id": "olivia"}, "renameOrganization", {"type": "Organization", "id": "acme"}]"#,
    ))
    .unwrap();
    assert_eq!(answer["decision"]["allowed"], false);
    assert_eq!(answer["decision"]["errors"][0]["code"], "INVALID_REQUEST", "{answer}");
}

#[test]
fn default_policy_sources_json_lists_the_embedded_files() {
    let sources: Vec<Value> = serde_json::from_str(&ffi::default_policy_sources_json()).unwrap();
    let names: Vec<&str> = sources.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"membership.cedar"));
    assert!(sources.iter().all(|s| s["text"].as_str().unwrap().contains("@rule(")));
}

#[test]
fn mem2_known_accounts_follow_upserts_and_removals() {
    let mut engine = engine();
    let invite = json!({"principal": {"type": "User", "id": "olivia"}, "action": "inviteMember",
        "resource": {"type": "Organization", "id": "acme"}, "input": {"role": "member", "email": "Zed@Example.test"}});
    let validate = |engine: &Engine| call(|r| ffi::validate_action_json(engine, r), invite.clone());
    assert_eq!(validate(&engine)["valid"], true, "no account has this email yet");

    let zed = json!([{"uid": {"type": "User", "id": "zed"}, "parents": [], "tags": {},
        "attrs": {"email": "zed@example.test", "name": "Zed", "mfaEnabled": true, "passwordCompliant": true}}]);
    let answer: Value =
        serde_json::from_str(&ffi::upsert_entities_json(&mut engine, &zed.to_string())).unwrap();
    assert_eq!(answer["type"], "success", "{answer}");
    let refused = validate(&engine);
    assert_eq!(refused["valid"], false);
    assert_eq!(refused["violations"][0]["rule"], "MEM-2");

    let answer: Value =
        serde_json::from_str(&ffi::remove_entities_json(&mut engine, r#"[{"type": "User", "id": "zed"}]"#))
            .unwrap();
    assert_eq!(answer["type"], "success", "{answer}");
    assert_eq!(validate(&engine)["valid"], true, "the account is gone");
}

#[test]
fn load_snapshot_json_names_an_unknown_field_by_its_path() {
    let mut engine = engine();
    let mut snapshot: Value = serde_json::from_str(SNAPSHOT).unwrap();
    snapshot["organizations"][0]["members"][1]["title"] = json!("CTO");
    let answer: Value =
        serde_json::from_str(&ffi::load_snapshot_json(&mut engine, &snapshot.to_string())).unwrap();
    assert_eq!(answer["type"], "failure");
    assert_eq!(answer["errors"][0]["code"], "INVALID_SNAPSHOT");
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("`organizations[0].members[1].title`"), "{message}");
    let not_json: Value =
        serde_json::from_str(&ffi::load_snapshot_json(&mut engine, "{\"users\": [")).unwrap();
    assert_eq!(not_json["errors"][0]["code"], "INVALID_JSON");
}

#[test]
fn split_organizations_json_answers_one_snapshot_per_org_or_the_snapshots_errors() {
    let fixture = include_str!("fixtures/small-org.json");
    let answer: Value = serde_json::from_str(&ffi::split_organizations_json(fixture)).unwrap();
    assert_eq!(answer["type"], "success", "{answer}");
    let orgs = answer["organizations"].as_array().unwrap();
    let ids: Vec<&str> = orgs.iter().map(|o| o["orgId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["acme", "globex"]);
    for org in orgs {
        assert_eq!(org["snapshot"]["organizations"][0]["id"], org["orgId"]);
        let mut alone = Engine::with_defaults().unwrap();
        alone.load_snapshot_json(&org["snapshot"].to_string()).unwrap();
    }
    // A snapshot that breaks the snapshot's own rules is refused whole, as a load refuses it.
    let broken =
        ffi::split_organizations_json(r#"{"users":[],"organizations":[{"id":"a","name":"a","members":[]}]}"#);
    let broken: Value = serde_json::from_str(&broken).unwrap();
    assert_eq!(broken["type"], "failure", "{broken}");
    let bad_json: Value = serde_json::from_str(&ffi::split_organizations_json("[")).unwrap();
    assert_eq!(bad_json["type"], "failure");
}

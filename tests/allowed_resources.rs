//! `allowed_resources`: the ids of the resources of one type on which a principal may do one
//! action must be exactly the candidates `check` allows, one by one, over random organizations
//! (tests/support/generator.rs), for every principal, action and resource type; and it must
//! refuse what `check` refuses, with the same codes.
//!
//! Set `PROPTEST_CASES` for long rounds:
//!
//! ```sh
//! PROPTEST_CASES=2000 cargo test --release --test allowed_resources
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use orgwarden::{ffi, Engine, EngineOptions, EntityRef, ErrorCode, PolicySource};
use proptest::prelude::*;
use serde_json::{json, Value};

#[path = "support/engines.rs"]
mod engines;
#[path = "support/generator.rs"]
mod generator;
use engines::{config, defaults, loaded, store_refs};
use generator::snapshot_strategy;

const FIXTURE: &str = include_str!("fixtures/small-org.json");

fn fixture() -> Engine {
    let mut engine = defaults().clone();
    engine.load_snapshot_json(FIXTURE).unwrap();
    engine
}

/// What `allowed_resources` must answer, by its definition: every entity of the type in the
/// store, filtered by `check(..).allowed`, sorted.
fn filtered_by_check(
    engine: &Engine,
    refs: &[EntityRef],
    principal: &EntityRef,
    action: &str,
    resource_type: &str,
) -> Vec<String> {
    let mut ids: Vec<String> = refs
        .iter()
        .filter(|r| r.entity_type == resource_type && engine.check(principal, action, r, None).allowed())
        .map(|r| r.id.clone())
        .collect();
    ids.sort();
    ids
}

/// Compares every principal × action × resource type of `engine`'s store. Returns how many
/// listings were compared and how many of them held some but not all of their candidates.
fn compare_every_listing(engine: &Engine) -> Result<(usize, usize), TestCaseError> {
    let refs = store_refs(engine);
    let (mut compared, mut partial) = (0, 0);
    for principal in refs.iter().filter(|r| matches!(r.entity_type.as_str(), "User" | "ApiKey")) {
        for entry in engine.catalog().actions() {
            for resource_type in &entry.resources {
                let resource_type = resource_type.to_string();
                let listed = engine.allowed_resources(principal, &entry.name, &resource_type);
                let applies = entry.principals.iter().any(|t| t.to_string() == principal.entity_type);
                if !applies {
                    let code = listed.map(|_| ()).unwrap_err().code();
                    prop_assert_eq!(
                        code,
                        ErrorCode::InvalidRequest,
                        "{} {} {}",
                        principal,
                        entry.name,
                        resource_type
                    );
                    continue;
                }
                let listed =
                    listed.map_err(|e| TestCaseError::fail(format!("{principal} {}: {e}", entry.name)))?;
                let expected = filtered_by_check(engine, &refs, principal, &entry.name, &resource_type);
                prop_assert_eq!(&listed, &expected, "{} {} {}", principal, entry.name, resource_type);
                let candidates = refs.iter().filter(|r| r.entity_type == resource_type).count();
                compared += 1;
                if !listed.is_empty() && listed.len() < candidates {
                    partial += 1;
                }
            }
        }
    }
    Ok((compared, partial))
}

proptest! {
    #![proptest_config(config(24))]

    /// The listing is the filter of every candidate by `check`, for users and API keys, members,
    /// collaborators, outsiders, revoked keys and non-compliant users alike (the generator makes
    /// all of them), and the property is not vacuous: some listings hold some candidates only.
    #[test]
    fn allowed_resources_are_the_candidates_check_allows(snapshot in snapshot_strategy(1..=2)) {
        let engine = loaded(&snapshot);
        let (compared, _) = compare_every_listing(&engine)?;
        prop_assert!(compared > 0, "no listing was compared");
    }
}

#[test]
fn the_fixture_lists_what_each_person_may_reach() {
    let engine = fixture();
    let (compared, partial) = compare_every_listing(&engine).unwrap();
    assert!(compared > 100 && partial > 0, "{compared} listings, {partial} partial");
    let user = |id: &str| EntityRef::new("User", id);
    let list = |who: &str, action: &str, resource_type: &str| {
        engine.allowed_resources(&user(who), action, resource_type).unwrap()
    };
    // oscar owns globex only (SEC-2): his org is the one he may delete.
    assert_eq!(list("oscar", "deleteOrganization", "Organization"), ["globex"]);
    assert_eq!(list("olivia", "deleteOrganization", "Organization"), ["acme"]);
    // Sorted ids, whatever the store's order.
    assert_eq!(list("oscar", "viewPublicProfile", "Organization"), ["acme", "globex"]);
    assert_eq!(list("mia", "viewWorkspace", "Workspace"), ["research"]);
    assert!(list("oscar", "viewWorkspace", "Workspace").is_empty());
}

#[test]
fn refusals_carry_the_codes_check_gives() {
    let engine = fixture();
    let olivia = EntityRef::new("User", "olivia");
    let acme = EntityRef::new("Organization", "acme");
    let code = |principal: &EntityRef, action: &str, resource_type: &str| {
        engine.allowed_resources(principal, action, resource_type).unwrap_err().code()
    };
    let check_code = |principal: &EntityRef, action: &str, resource: &EntityRef| {
        engine.check(principal, action, resource, None).errors()[0].code
    };
    let cases = [
        (EntityRef::new("User", "nobody"), "viewMembers", "Organization", acme.clone()),
        (olivia.clone(), "noSuchAction", "Organization", acme.clone()),
        (EntityRef::new("Usr", "olivia"), "viewMembers", "Organization", acme.clone()),
        (olivia.clone(), "deleteOrganization", "Workspace", EntityRef::new("Workspace", "research")),
        (EntityRef::new("Organization", "acme"), "viewMembers", "Organization", acme.clone()),
    ];
    let expected = [
        ErrorCode::UnknownPrincipal,
        ErrorCode::UnknownAction,
        ErrorCode::UnknownEntityType,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidRequest,
    ];
    for ((principal, action, resource_type, resource), expected) in cases.iter().zip(expected) {
        assert_eq!(code(principal, action, resource_type), expected, "{principal} {action} {resource_type}");
        if expected != ErrorCode::InvalidRequest || resource_type == &resource.entity_type {
            assert_eq!(check_code(principal, action, resource), expected, "check: {principal} {action}");
        }
    }
    assert_eq!(code(&olivia, "viewMembers", "Nope"), ErrorCode::UnknownEntityType);
    // A type the store holds none of lists nothing; it is no error.
    let empty = engine.allowed_resources(&olivia, "useApiKey", "ApiKey").unwrap();
    assert!(empty.is_empty());
}

#[test]
fn an_erring_policy_leaves_its_candidate_out_as_check_denies_it() {
    // A permit whose condition overflows on acme alone: an evaluation error denies (SEC-4)
    // even where another permit applies, so acme leaves olivia's listing.
    let policy = r#"@id("overflows-on-acme") permit (principal, action == Action::"viewOrganization", resource is Organization)
        when { resource.id == "acme" && resource.ownerCount + 9223372036854775807 > 0 };"#;
    let options = EngineOptions {
        policies: vec![PolicySource { name: "erring.cedar".into(), text: policy.into() }],
        ..EngineOptions::default()
    };
    let mut engine = Engine::new(options).unwrap();
    engine.load_snapshot_json(FIXTURE).unwrap();
    let olivia = EntityRef::new("User", "olivia");
    let acme = EntityRef::new("Organization", "acme");
    assert_eq!(fixture().allowed_resources(&olivia, "viewOrganization", "Organization").unwrap(), ["acme"]);
    assert_eq!(
        engine.check(&olivia, "viewOrganization", &acme, None).errors()[0].code,
        ErrorCode::PolicyEvaluation
    );
    assert!(engine.allowed_resources(&olivia, "viewOrganization", "Organization").unwrap().is_empty());
    compare_every_listing(&engine).unwrap();
}

#[test]
fn the_json_twin_answers_a_tagged_list() {
    let engine = fixture();
    let call = |request: Value| -> Value {
        serde_json::from_str(&ffi::allowed_resources_json(&engine, &request.to_string())).unwrap()
    };
    let answer = call(
        json!({"principal": {"type": "User", "id": "olivia"}, "action": "viewWorkspace", "resourceType": "Workspace"}),
    );
    assert_eq!(answer, json!({"type": "success", "resources": ["research"]}));
    let unknown = call(
        json!({"principal": {"type": "User", "id": "nobody"}, "action": "viewWorkspace", "resourceType": "Workspace"}),
    );
    assert_eq!(unknown["type"], "failure");
    assert_eq!(unknown["errors"][0]["code"], "UNKNOWN_PRINCIPAL");
    let misspelt = call(
        json!({"principal": {"type": "User", "id": "olivia"}, "action": "viewWorkspace", "resource_type": "Workspace"}),
    );
    assert_eq!(misspelt["errors"][0]["code"], "INVALID_JSON");
    let long = "x".repeat(orgwarden::limits::MAX_NAME_BYTES + 1);
    let typed = ffi::allowed_resources(&engine, &EntityRef::new("User", "olivia"), "viewWorkspace", &long);
    assert_eq!(serde_json::to_value(&typed).unwrap()["errors"][0]["code"], "LIMIT_EXCEEDED");
}

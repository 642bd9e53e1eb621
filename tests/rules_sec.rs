//! SEC-1..4: default deny, org isolation, account compliance, fail-closed input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use orgwarden::{ActionInput, Cause, Decision, Engine, EngineOptions, EntityRef, ErrorCode, PolicyEffect};
use serde_json::json;

/// Every globex resource of the fixture.
fn globex_resources() -> Vec<EntityRef> {
    vec![
        org("globex"),
        membership("globex", "heidi"),
        membership("globex", "ivan"),
        team("gx-team"),
        workspace("gx-main"),
        algorithm("gx-public"),
        algorithm("gx-private"),
        version("gx-public-2"),
        invitation("gx-inv"),
        api_key("gx-key"),
    ]
}

// ---- SEC-1 ------------------------------------------------------------------------------

#[test]
fn sec1_allowed_only_when_a_permit_grants_it() {
    let engine = engine();
    for outcome in engine.allowed_actions(&user("alice"), &org("acme")).unwrap() {
        if outcome.decision.allowed() {
            assert!(
                outcome.decision.policies().iter().all(|p| p.effect == PolicyEffect::Permit)
                    && !outcome.decision.policies().is_empty(),
                "{}: {:?}",
                outcome.action,
                outcome.decision
            );
        }
    }
}

#[test]
fn sec1_nothing_granted_is_denied() {
    let decision = check(&engine(), &user("grace"), "viewWorkspace", &workspace("ws-ops"));
    assert_not_permitted(&decision);
    let Decision::Success(verdict) = &decision else { panic!("{decision:?}") };
    assert!(!verdict.requirements.is_empty(), "the would-be permits are listed");
}

#[test]
fn sec1_without_policies_an_owner_is_denied_everything() {
    let options = EngineOptions { include_default_policies: false, ..Default::default() };
    let mut engine = Engine::new(options).unwrap();
    engine.load_snapshot(&snapshot()).unwrap();
    let outcomes = engine.allowed_actions(&user("alice"), &org("acme")).unwrap();
    assert!(!outcomes.is_empty());
    for outcome in outcomes {
        assert_eq!(outcome.decision.cause(), Some(Cause::NotPermitted), "{}", outcome.action);
        assert_eq!(outcome.decision.reason(), Some("No policy grants this action"));
    }
}

// ---- SEC-2 ------------------------------------------------------------------------------

#[test]
fn sec2_acme_owner_gets_only_what_anyone_gets_in_globex() {
    let engine = engine();
    for resource in globex_resources() {
        let as_owner = allowed_action_names(&engine, &user("alice"), &resource);
        let as_outsider = allowed_action_names(&engine, &user("grace"), &resource);
        assert_eq!(as_owner, as_outsider, "{resource}");
    }
    // What anyone gets: the public profile and public algorithms.
    assert_eq!(allowed_action_names(&engine, &user("alice"), &org("globex")), ["viewPublicProfile"]);
    assert_eq!(allowed_action_names(&engine, &user("alice"), &algorithm("gx-private")), Vec::<String>::new());
    assert!(allowed_action_names(&engine, &user("alice"), &workspace("gx-main")).is_empty());
}

#[test]
fn sec2_role_holds_in_its_own_org() {
    let engine = engine();
    for (owner, home) in [("alice", "acme"), ("heidi", "globex")] {
        let names = allowed_action_names(&engine, &user(owner), &org(home));
        for action in
            ["viewOrganization", "deleteOrganization", "changeBillingSettings", "inviteMember", "createTeam"]
        {
            assert!(names.iter().any(|n| n == action), "{owner} {action}: {names:?}");
        }
    }
    assert_eq!(allowed_action_names(&engine, &user("heidi"), &org("acme")), ["viewPublicProfile"]);
}

#[test]
fn sec2_acme_api_key_gets_nothing_in_globex() {
    let engine = engine();
    for key in ["key-models", "key-ops"] {
        for resource in globex_resources() {
            let outcomes = engine.allowed_actions(&api_key(key), &resource).unwrap();
            for outcome in outcomes {
                assert!(!outcome.decision.allowed(), "{key} {} {resource}", outcome.action);
                if outcome.decision.cause() == Some(Cause::Forbidden) {
                    assert!(rules_of(&outcome.decision).contains(&"KEY-2".to_owned()));
                }
            }
        }
    }
}

// ---- SEC-3 ------------------------------------------------------------------------------

#[test]
fn sec3_noncompliant_member_may_only_leave_or_view_the_public_profile() {
    let engine = engine();
    // peggy fails globex's password policy; quinn has no MFA, which globex requires.
    for who in ["peggy", "quinn"] {
        assert_eq!(
            allowed_action_names(&engine, &user(who), &org("globex")),
            ["leaveOrganization", "viewPublicProfile"],
            "{who}"
        );
        for resource in globex_resources() {
            if resource == org("globex") {
                continue;
            }
            assert!(allowed_action_names(&engine, &user(who), &resource).is_empty(), "{who} {resource}");
        }
        let input = ActionInput { confirmation: Some("globex".into()), ..Default::default() };
        assert_valid(&validate(&engine, &user(who), "leaveOrganization", &org("globex"), input));
    }
}

#[test]
fn sec3_noncompliance_is_the_stated_reason() {
    let engine = engine();
    let password = check(&engine, &user("peggy"), "viewWorkspace", &workspace("gx-main"));
    assert_forbidden_by(&password, "SEC-3");
    assert!(password.policies().iter().any(|p| p.id == "sec3-password-policy-compliance"));
    let mfa = check(&engine, &user("quinn"), "viewOrganization", &org("globex"));
    assert_forbidden_by(&mfa, "SEC-3");
    assert!(mfa.policies().iter().any(|p| p.id == "sec3-mfa-compliance"));
}

#[test]
fn sec3_compliant_member_is_not_affected() {
    let engine = engine();
    assert_allowed(&check(&engine, &user("ivan"), "viewOrganization", &org("globex")));
    assert_allowed(&check(&engine, &user("ivan"), "viewWorkspace", &workspace("gx-main")));
    assert_allowed(&check(&engine, &user("ivan"), "callAlgorithm", &algorithm("gx-private")));
}

#[test]
fn sec3_applies_only_while_the_org_enforces_it() {
    let engine = engine_variant(|s| org_mut(s, "globex").security.enforce_password_policy = false);
    assert_allowed(&check(&engine, &user("peggy"), "viewWorkspace", &workspace("gx-main")));
    assert_forbidden_by(&check(&engine, &user("quinn"), "viewWorkspace", &workspace("gx-main")), "SEC-3");
    let engine = engine_variant(|s| org_mut(s, "globex").security.require_mfa = false);
    assert_allowed(&check(&engine, &user("quinn"), "viewWorkspace", &workspace("gx-main")));
}

#[test]
fn sec3_unknown_compliance_counts_as_noncompliant() {
    let mut json = snapshot_json();
    let users = json["users"].as_array_mut().unwrap();
    let ivan = users.iter_mut().find(|u| u["id"] == "ivan").unwrap();
    ivan.as_object_mut().unwrap().remove("passwordCompliant");
    let mut engine = Engine::with_defaults().unwrap();
    engine.load_snapshot_json(&json.to_string()).unwrap();
    assert_forbidden_by(&check(&engine, &user("ivan"), "viewWorkspace", &workspace("gx-main")), "SEC-3");
}

// ---- SEC-4 ------------------------------------------------------------------------------

#[test]
fn sec4_well_formed_request_is_evaluated() {
    let decision = check_ctx(
        &engine(),
        &user("carol"),
        "removeMember",
        &membership("acme", "dave"),
        json!({"confirmation": "dave@example.com"}),
    );
    assert_allowed(&decision);
}

#[test]
fn sec4_bad_input_never_allows() {
    let engine = engine();
    let cases = [
        (check(&engine, &user("nobody"), "viewOrganization", &org("acme")), ErrorCode::UnknownPrincipal),
        (check(&engine, &user("alice"), "viewOrganization", &org("nowhere")), ErrorCode::UnknownResource),
        (check(&engine, &user("alice"), "doAnything", &org("acme")), ErrorCode::UnknownAction),
        (
            check(&engine, &EntityRef::new("Robot", "r2"), "viewOrganization", &org("acme")),
            ErrorCode::UnknownEntityType,
        ),
        (check(&engine, &user("alice"), "viewOrganization", &workspace("ws-ops")), ErrorCode::InvalidRequest),
        (
            check_ctx(
                &engine,
                &user("alice"),
                "removeMember",
                &membership("acme", "dave"),
                json!({"confirmation": 42}),
            ),
            ErrorCode::InvalidContext,
        ),
    ];
    for (decision, code) in cases {
        assert!(!decision.allowed(), "{decision:?}");
        assert_eq!(decision.cause(), None);
        assert_eq!(decision.errors()[0].code, code, "{decision:?}");
    }
}

#[test]
fn sec4_context_of_the_wrong_shape_is_invalid_context() {
    let engine = engine();
    let target = membership("acme", "dave");
    for context in [json!({"confirmation": 42}), json!({"unexpected": "x"}), json!({"newRole": true})] {
        let decision = check_ctx(&engine, &user("alice"), "removeMember", &target, context.clone());
        assert!(!decision.allowed());
        assert_eq!(decision.errors()[0].code, ErrorCode::InvalidContext, "{context}: {decision:?}");
    }
    let not_an_object = check_ctx(&engine, &user("alice"), "removeMember", &target, json!(["x"]));
    assert_eq!(not_an_object.errors()[0].code, ErrorCode::InvalidContext);
}

//! KEY-1..2: org API keys as a resource members manage, and as a principal acting for the org.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use orgwarden::ErrorCode;

// ---- KEY-1 ------------------------------------------------------------------------------

#[test]
fn key1_admins_and_owners_create_and_revoke_keys() {
    let engine = engine();
    for who in ["alice", "carol"] {
        assert_allowed(&check(&engine, &user(who), "createApiKey", &org("acme")));
        assert_allowed(&check(&engine, &user(who), "revokeApiKey", &api_key("key-models")));
    }
}

#[test]
fn key1_members_cannot_create_or_revoke_keys() {
    let engine = engine();
    let create = check(&engine, &user("dave"), "createApiKey", &org("acme"));
    assert_not_permitted_because(&create, "Only admins and owners can create API keys");
    let revoke = check(&engine, &user("dave"), "revokeApiKey", &api_key("key-models"));
    assert_not_permitted_because(&revoke, "Only admins and owners can revoke API keys");
}

#[test]
fn key1_members_list_and_use_keys() {
    let engine = engine();
    for who in ["dave", "kate", "carol"] {
        assert_allowed(&check(&engine, &user(who), "listApiKeys", &org("acme")));
        assert_allowed(&check(&engine, &user(who), "useApiKey", &api_key("key-ops")));
    }
}

#[test]
fn key1_collaborators_and_outsiders_do_not_see_keys() {
    let engine = engine();
    // The collaborator is refused under WS-3; the outsider and another org's owner under ORG-4.
    for (who, rule) in [("frank", "WS-3"), ("grace", "ORG-4"), ("heidi", "ORG-4")] {
        assert_forbidden_by(&check(&engine, &user(who), "listApiKeys", &org("acme")), rule);
        assert_forbidden_by(&check(&engine, &user(who), "useApiKey", &api_key("key-ops")), rule);
    }
}

#[test]
fn key1_a_revoked_key_is_neither_revoked_again_nor_used() {
    let engine = engine();
    let revoked = api_key("key-revoked");
    assert_forbidden_by(&check(&engine, &user("alice"), "revokeApiKey", &revoked), "KEY-1");
    assert_forbidden_by(&check(&engine, &user("dave"), "useApiKey", &revoked), "KEY-1");
    assert_allowed(&check(&engine, &user("alice"), "revokeApiKey", &api_key("key-ops")));
}

#[test]
fn key1_admins_of_another_org_cannot_revoke() {
    assert!(!allowed(&engine(), &user("heidi"), "revokeApiKey", &api_key("key-models")));
}

// ---- KEY-2 ------------------------------------------------------------------------------

#[test]
fn key2_key_acts_within_its_scopes() {
    let engine = engine();
    let models = api_key("key-models");
    assert_allowed(&check(&engine, &models, "viewAlgorithm", &algorithm("acme-internal")));
    assert_allowed(&check(&engine, &models, "callAlgorithm", &algorithm("acme-internal")));
    assert_allowed(&check(&engine, &models, "viewWorkspace", &workspace("ws-ops")));
    let ops = api_key("key-ops");
    assert_allowed(&check(&engine, &ops, "launchCompute", &workspace("ws-research")));
    assert_allowed(&check(&engine, &ops, "viewUsage", &org("acme")));
    assert_allowed(&check(&engine, &ops, "viewMembers", &org("acme")));
    assert_allowed(&check(&engine, &ops, "viewOrganization", &org("acme")));
}

#[test]
fn key2_key_is_denied_outside_its_scopes() {
    let engine = engine();
    let models = api_key("key-models");
    let launch = check(&engine, &models, "launchCompute", &workspace("ws-research"));
    assert_not_permitted_because(&launch, "This API key lacks the compute:launch scope");
    let edit = check(&engine, &models, "editAlgorithm", &algorithm("acme-vision"));
    assert_not_permitted_because(&edit, "This API key lacks the algorithms:write scope");
    let usage = check(&engine, &models, "viewUsage", &org("acme"));
    assert_not_permitted_because(&usage, "This API key lacks the usage:read scope");
    let call = check(&engine, &api_key("key-ops"), "callAlgorithm", &algorithm("acme-vision"));
    assert_not_permitted_because(&call, "This API key lacks the algorithms:call scope");
}

#[test]
fn key2_key_does_only_what_its_scopes_name() {
    let engine = engine();
    assert_eq!(
        allowed_action_names(&engine, &api_key("key-ops"), &org("acme")),
        ["viewMembers", "viewOrganization", "viewPublicProfile", "viewUsage"]
    );
    assert_eq!(
        allowed_action_names(&engine, &api_key("key-models"), &algorithm("acme-vision")),
        ["callAlgorithm", "viewAlgorithm"]
    );
}

#[test]
fn key2_key_acts_only_inside_its_org() {
    let engine = engine();
    // Even the public profile and public algorithms of another org.
    let public = check(&engine, &api_key("key-models"), "callAlgorithm", &algorithm("gx-public"));
    assert_forbidden_by(&public, "KEY-2");
    assert_eq!(public.reason(), Some("An API key acts only inside its own organization"));
    assert_forbidden_by(&check(&engine, &api_key("key-ops"), "viewPublicProfile", &org("globex")), "KEY-2");
    assert_forbidden_by(&check(&engine, &api_key("gx-key"), "viewOrganization", &org("acme")), "KEY-2");
    assert_forbidden_by(&check(&engine, &api_key("gx-key"), "viewWorkspace", &workspace("ws-ops")), "KEY-2");
}

#[test]
fn key2_revoked_key_does_nothing() {
    let engine = engine();
    let revoked = api_key("key-revoked");
    let decision = check(&engine, &revoked, "callAlgorithm", &algorithm("acme-vision"));
    assert_forbidden_by(&decision, "KEY-2");
    assert!(decision.policies().iter().any(|p| p.id == "key2-revoked-key-does-nothing"));
    assert!(allowed_action_names(&engine, &revoked, &org("acme")).is_empty());
    assert!(allowed_action_names(&engine, &revoked, &algorithm("acme-vision")).is_empty());
}

#[test]
fn key2_key_cannot_take_user_only_actions() {
    let engine = engine();
    for action in ["createTeam", "inviteMember", "createApiKey", "changeBillingSettings"] {
        let decision = check(&engine, &api_key("key-ops"), action, &org("acme"));
        assert!(!decision.allowed());
        assert_eq!(decision.errors()[0].code, ErrorCode::InvalidRequest, "{action}");
    }
}

#[test]
fn key2_scope_gates_public_algorithms_too() {
    let engine = engine();
    // key-ops lacks algorithms:read: a public algorithm is public to people, not to any key.
    let view = check(&engine, &api_key("key-ops"), "viewAlgorithm", &algorithm("acme-vision"));
    assert_not_permitted_because(&view, "This API key lacks the algorithms:read scope");
    assert!(allowed_action_names(&engine, &api_key("key-ops"), &algorithm("acme-vision")).is_empty());
    assert_allowed(&check(&engine, &api_key("key-models"), "viewAlgorithm", &algorithm("acme-vision")));
}

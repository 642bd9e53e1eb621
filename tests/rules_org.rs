//! ORG-1..4: creating, editing, renaming, deleting and viewing organizations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use orgwarden::snapshot::OrganizationRecord;
use orgwarden::{ActionInput, ErrorCode};

#[test]
fn org1_any_signed_in_user_may_create_an_organization() {
    let engine = engine();
    for who in ["grace", "dave", "frank", "heidi"] {
        assert_allowed(&check(&engine, &user(who), "createOrganization", &platform()));
    }
    let validation =
        validate(&engine, &user("grace"), "createOrganization", &platform(), ActionInput::default());
    assert_valid(&validation);
    assert!(validation.notices.iter().any(|n| n.code == "CREATOR_BECOMES_OWNER" && n.rule == "ORG-1"));
}

#[test]
fn org1_an_api_key_is_not_a_signed_in_user() {
    let decision = check(&engine(), &api_key("key-ops"), "createOrganization", &platform());
    assert!(!decision.allowed());
    assert_eq!(decision.errors()[0].code, ErrorCode::InvalidRequest);
}

#[test]
fn org1_creator_becomes_first_owner() {
    let created = OrganizationRecord::new_with_creator("newco", "newco", "grace");
    assert_eq!(created.members.len(), 1);
    let engine = engine_variant(|s| s.organizations.push(created));
    // The creator holds the owner's powers...
    for action in ["renameOrganization", "deleteOrganization", "changeBillingSettings", "inviteMember"] {
        assert_allowed(&check(&engine, &user("grace"), action, &org("newco")));
    }
    // ...as the only owner (MEM-7 keeps them), and nobody else got anything.
    assert_forbidden_by(&check(&engine, &user("grace"), "leaveOrganization", &org("newco")), "MEM-7");
    assert!(!allowed(&engine, &user("alice"), "viewOrganization", &org("newco")));
}

#[test]
fn org2_admins_and_owners_edit_the_profile() {
    let engine = engine();
    assert_allowed(&check(&engine, &user("carol"), "editOrganizationProfile", &org("acme")));
    assert_allowed(&check(&engine, &user("alice"), "editOrganizationProfile", &org("acme")));
}

#[test]
fn org2_member_cannot_edit_the_profile() {
    let decision = check(&engine(), &user("dave"), "editOrganizationProfile", &org("acme"));
    assert_not_permitted_because(&decision, "Only admins and owners can edit the organization profile");
}

#[test]
fn org2_owners_rename_and_delete() {
    let engine = engine();
    for owner in ["alice", "bob"] {
        assert_allowed(&check(&engine, &user(owner), "renameOrganization", &org("acme")));
        assert_allowed(&check(&engine, &user(owner), "deleteOrganization", &org("acme")));
    }
}

#[test]
fn org2_admin_cannot_rename_or_delete() {
    let engine = engine();
    let rename = check(&engine, &user("carol"), "renameOrganization", &org("acme"));
    assert_not_permitted_because(&rename, "Only owners can rename the organization");
    let delete = check(&engine, &user("carol"), "deleteOrganization", &org("acme"));
    assert_not_permitted_because(&delete, "Only owners can delete the organization");
}

#[test]
fn org3_personal_account_cannot_invite() {
    let engine = engine();
    assert_forbidden_by(&check(&engine, &user("sam"), "inviteMember", &org("sam")), "ORG-3");
    let validation = validate(
        &engine,
        &user("sam"),
        "inviteMember",
        &org("sam"),
        ActionInput {
            role: Some("member".into()),
            email: Some("friend@example.com".into()),
            ..Default::default()
        },
    );
    assert_violates(&validation, "ORG-3");
}

#[test]
fn org3_organization_owner_can_invite() {
    assert_allowed(&check(&engine(), &user("alice"), "inviteMember", &org("acme")));
}

#[test]
fn org3_personal_account_cannot_hold_members() {
    let broken = snapshot_with(|s| {
        org_mut(s, "sam")
            .members
            .push(serde_json::from_value(serde_json::json!({"user": "grace", "role": "member"})).unwrap());
    });
    let mut engine = orgwarden::Engine::with_defaults().unwrap();
    let error = engine.load_snapshot(&broken).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidSnapshot);
    assert!(error.to_string().contains("ORG-3"), "{error}");
}

#[test]
fn org4_members_see_the_full_profile() {
    let engine = engine();
    assert_allowed(&check(&engine, &user("dave"), "viewOrganization", &org("acme")));
    assert_allowed(&check(&engine, &user("dave"), "viewMembers", &org("acme")));
    assert_allowed(&check(&engine, &user("dave"), "viewTeam", &team("data")));
    // Every algorithm, private ones too.
    assert_allowed(&check(&engine, &user("dave"), "viewAlgorithm", &algorithm("acme-internal")));
}

#[test]
fn org4_outsider_sees_only_the_public_profile() {
    let engine = engine();
    assert_allowed(&check(&engine, &user("grace"), "viewPublicProfile", &org("acme")));
    assert_allowed(&check(&engine, &user("grace"), "viewAlgorithm", &algorithm("acme-vision")));
    assert!(!allowed(&engine, &user("grace"), "viewAlgorithm", &algorithm("acme-internal")));
    assert!(!allowed(&engine, &user("grace"), "viewTeam", &team("data")));
    let full = check(&engine, &user("grace"), "viewOrganization", &org("acme"));
    assert_forbidden_by(&full, "ORG-4");
    assert_eq!(allowed_action_names(&engine, &user("grace"), &org("acme")), ["viewPublicProfile"]);
}

#[test]
fn org4_outsiders_are_refused_org_records_by_the_members_only_forbid_alone() {
    // An outsider (grace) and another organization's owner (heidi) are refused acme's own
    // records by `org4-org-records-are-for-members` alone: not by WS-3, which binds
    // collaborators, and, even when they fail acme's security demands, not by SEC-3, which
    // binds only the org's members and collaborators.
    let engine = engine_variant(|s| {
        org_mut(s, "acme").security.require_mfa = true;
        s.users.iter_mut().find(|u| u.id == "grace").unwrap().mfa_enabled = false;
    });
    for (action, resource) in [
        ("viewOrganization", org("acme")),
        ("viewMembers", org("acme")),
        ("viewBilling", org("acme")),
        ("leaveOrganization", org("acme")),
        ("viewTeam", team("data")),
        ("editTeam", team("data")),
        ("useApiKey", api_key("key-models")),
    ] {
        for who in ["grace", "heidi"] {
            let decision = check(&engine, &user(who), action, &resource);
            assert_forbidden_by(&decision, "ORG-4");
            let ids: Vec<&str> = decision.policies().iter().map(|p| p.id.as_str()).collect();
            assert_eq!(ids, ["org4-org-records-are-for-members"], "{who} {action} {resource}");
            assert_eq!(
                decision.reason(),
                Some("Only members of the organization can do this: everyone else sees only its public profile"),
                "{who} {action} {resource}"
            );
        }
    }
    // What everyone gets stays open to them.
    assert_allowed(&check(&engine, &user("grace"), "viewPublicProfile", &org("acme")));
}

#[test]
fn org4_does_not_refuse_collaborators_their_org_records_ws3_does() {
    let engine = engine();
    for (action, resource) in [("viewOrganization", org("acme")), ("viewTeam", team("data"))] {
        let decision = check(&engine, &user("frank"), action, &resource);
        assert_forbidden_by(&decision, "WS-3");
        assert!(!rules_of(&decision).contains(&"ORG-4".to_string()), "{action}: {:?}", rules_of(&decision));
    }
}

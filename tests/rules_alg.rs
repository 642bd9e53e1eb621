//! ALG-1..5: algorithms, version approval and publishing, and calling algorithms.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use orgwarden::snapshot::{VersionStatus, WorkspaceRole};

// ---- ALG-1 ------------------------------------------------------------------------------

#[test]
fn alg1_members_with_maintain_or_stronger_create_algorithms() {
    let engine = engine();
    for who in ["leo", "nina", "olivia", "carol", "alice"] {
        assert_allowed(&check(&engine, &user(who), "createAlgorithm", &workspace("ws-research")));
    }
}

#[test]
fn alg1_weaker_roles_and_collaborators_cannot_create_algorithms() {
    let engine = engine();
    const REASON: &str =
        "Creating an algorithm needs org membership and the maintain role or stronger in the workspace";
    for who in ["dave", "kate", "frank", "grace"] {
        let decision = check(&engine, &user(who), "createAlgorithm", &workspace("ws-research"));
        assert_not_permitted_because(&decision, REASON);
    }
    // A collaborator stays out even with maintain: algorithms belong to the org's members.
    let engine = engine_variant(|s| {
        let research = org_mut(s, "acme").workspaces.iter_mut().find(|w| w.id == "ws-research").unwrap();
        research.participants.iter_mut().find(|p| p.user.as_deref() == Some("frank")).unwrap().role =
            WorkspaceRole::Maintain;
    });
    assert_not_permitted_because(
        &check(&engine, &user("frank"), "createAlgorithm", &workspace("ws-research")),
        REASON,
    );
}

#[test]
fn alg1_contributors_edit_and_add_versions() {
    let engine = engine();
    for who in ["leo", "frank"] {
        assert_allowed(&check(&engine, &user(who), "editAlgorithm", &algorithm("acme-vision")));
        assert_allowed(&check(&engine, &user(who), "submitVersion", &algorithm("acme-vision")));
    }
}

#[test]
fn alg1_non_contributors_do_not_edit() {
    let engine = engine();
    // Not even an owner: an algorithm is edited by its contributors.
    for who in ["dave", "alice", "grace"] {
        let decision = check(&engine, &user(who), "editAlgorithm", &algorithm("acme-vision"));
        assert_not_permitted_because(
            &decision,
            "Only the algorithm's contributors can edit it and add versions",
        );
    }
    assert!(!allowed(&engine, &user("frank"), "submitVersion", &algorithm("acme-internal")));
}

// ---- ALG-2 ------------------------------------------------------------------------------

#[test]
fn alg2_admins_and_owners_approve_or_reject_pending_versions() {
    let engine = engine();
    for who in ["alice", "carol"] {
        assert_allowed(&check(&engine, &user(who), "approveVersion", &version("vision-3")));
        assert_allowed(&check(&engine, &user(who), "rejectVersion", &version("vision-3")));
    }
}

#[test]
fn alg2_members_and_contributors_cannot_approve() {
    let engine = engine();
    for who in ["dave", "frank", "olivia"] {
        let decision = check(&engine, &user(who), "approveVersion", &version("vision-3"));
        assert_not_permitted_because(&decision, "Only admins and owners can approve or reject a version");
    }
    assert!(!allowed(&engine, &user("heidi"), "approveVersion", &version("vision-3")));
}

#[test]
fn alg2_only_a_pending_version_is_reviewed() {
    let engine = engine();
    for v in ["vision-1", "vision-2", "vision-5", "vision-6"] {
        for action in ["approveVersion", "rejectVersion"] {
            let decision = check(&engine, &user("alice"), action, &version(v));
            assert_forbidden_by(&decision, "ALG-2");
        }
    }
}

#[test]
fn alg2_approving_one_version_does_not_approve_another() {
    let engine = engine_variant(|s| set_version_status(s, "vision-3", VersionStatus::Approved));
    assert_allowed(&check(&engine, &user("leo"), "publishVersion", &version("vision-3")));
    // vision-4 of the same algorithm is still pending.
    assert_forbidden_by(&check(&engine, &user("leo"), "publishVersion", &version("vision-4")), "ALG-3");
    assert_allowed(&check(&engine, &user("alice"), "approveVersion", &version("vision-4")));
}

// ---- ALG-3 ------------------------------------------------------------------------------

#[test]
fn alg3_an_approved_version_is_published() {
    let engine = engine();
    for who in ["leo", "frank", "carol", "alice"] {
        assert_allowed(&check(&engine, &user(who), "publishVersion", &version("vision-2")));
    }
}

#[test]
fn alg3_only_an_approved_version_is_published() {
    let engine = engine();
    for v in ["vision-1", "vision-3", "vision-5", "vision-6"] {
        let decision = check(&engine, &user("leo"), "publishVersion", &version(v));
        assert_forbidden_by(&decision, "ALG-3");
        assert_eq!(decision.reason(), Some("Only an approved version can be published"));
    }
    let decision = check(&engine, &user("dave"), "publishVersion", &version("vision-2"));
    assert_not_permitted_because(
        &decision,
        "Only the algorithm's contributors, admins and owners can publish a version",
    );
}

#[test]
fn alg3_submitter_cannot_approve_their_own_version_by_default() {
    let engine = engine();
    // vision-4 was submitted by carol, an admin.
    let decision = check(&engine, &user("carol"), "approveVersion", &version("vision-4"));
    assert_forbidden_by(&decision, "ALG-3");
    assert_eq!(
        decision.reason(),
        Some(
            "The submitter cannot approve their own version: the organization requires independent approval"
        )
    );
    // She may still reject it, and another admin may approve it.
    assert_allowed(&check(&engine, &user("carol"), "rejectVersion", &version("vision-4")));
    assert_allowed(&check(&engine, &user("alice"), "approveVersion", &version("vision-4")));
}

#[test]
fn alg3_independent_approval_is_on_when_the_snapshot_omits_it() {
    let mut json = snapshot_json();
    json["organizations"][0]["security"] = serde_json::json!({ "enforcePasswordPolicy": false });
    let mut engine = orgwarden::Engine::with_defaults().unwrap();
    engine.load_snapshot_json(&json.to_string()).unwrap();
    assert_forbidden_by(&check(&engine, &user("carol"), "approveVersion", &version("vision-4")), "ALG-3");
}

#[test]
fn alg3_independent_approval_off_lets_the_submitter_approve() {
    let engine = engine_variant(|s| org_mut(s, "acme").security.require_independent_approval = false);
    assert_allowed(&check(&engine, &user("carol"), "approveVersion", &version("vision-4")));
}

// ---- ALG-4 ------------------------------------------------------------------------------

#[test]
fn alg4_admins_and_owners_see_pending_versions() {
    let engine = engine();
    for who in ["alice", "bob", "carol"] {
        assert_allowed(&check(&engine, &user(who), "listPendingVersions", &org("acme")));
    }
}

#[test]
fn alg4_members_do_not_see_pending_versions() {
    let engine = engine();
    for who in ["dave", "leo"] {
        let decision = check(&engine, &user(who), "listPendingVersions", &org("acme"));
        assert_not_permitted_because(
            &decision,
            "Only admins and owners see the versions waiting for approval",
        );
    }
    assert!(!allowed(&engine, &user("heidi"), "listPendingVersions", &org("acme")));
}

// ---- ALG-5 ------------------------------------------------------------------------------

#[test]
fn alg5_members_call_the_orgs_published_algorithms() {
    let engine = engine();
    for who in ["dave", "kate", "alice"] {
        assert_allowed(&check(&engine, &user(who), "callAlgorithm", &algorithm("acme-internal")));
        assert_allowed(&check(&engine, &user(who), "callAlgorithm", &algorithm("acme-vision")));
    }
}

#[test]
fn alg5_outsiders_call_only_public_algorithms() {
    let engine = engine();
    for who in ["grace", "heidi", "frank"] {
        assert_allowed(&check(&engine, &user(who), "callAlgorithm", &algorithm("acme-vision")));
        let private = check(&engine, &user(who), "callAlgorithm", &algorithm("acme-internal"));
        assert_not_permitted_because(
            &private,
            "Only members of the organization can call its private algorithms",
        );
        assert_eq!(
            private.reason(),
            Some("Only members of the organization can call its private algorithms")
        );
    }
}

#[test]
fn alg5_an_unpublished_algorithm_is_not_called() {
    let engine = engine();
    for who in ["leo", "alice", "grace"] {
        let decision = check(&engine, &user(who), "callAlgorithm", &algorithm("acme-unreleased"));
        assert_forbidden_by(&decision, "ALG-5");
        assert_eq!(decision.reason(), Some("Only a published algorithm can be called"));
    }
}

#[test]
fn alg5_publishing_a_version_makes_the_algorithm_callable() {
    let engine = engine_variant(|s| set_version_status(s, "unreleased-1", VersionStatus::Published));
    assert_allowed(&check(&engine, &user("grace"), "callAlgorithm", &algorithm("acme-unreleased")));
}

//! WS-1..4: workspaces, role levels, collaborators, and the org's admins owning every workspace.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use orgwarden::snapshot::WorkspaceRole;
use orgwarden::{Engine, ErrorCode};

/// Workspace actions and the weakest workspace role each needs.
const LADDER: [(&str, &str); 6] = [
    ("viewWorkspace", "view"),
    ("connectSession", "connect"),
    ("launchCompute", "launch"),
    ("createAlgorithm", "maintain"),
    ("editWorkspace", "admin"),
    ("deleteWorkspace", "owner"),
];

// ---- WS-1 -------------------------------------------------------------------------------

#[test]
fn ws1_owners_and_admins_create_workspaces() {
    let engine = engine();
    assert_allowed(&check(&engine, &user("alice"), "createWorkspace", &org("acme")));
    assert_allowed(&check(&engine, &user("carol"), "createWorkspace", &org("acme")));
}

#[test]
fn ws1_members_cannot_create_workspaces() {
    let engine = engine();
    // Not even olivia, owner of ws-research.
    for who in ["dave", "olivia"] {
        let decision = check(&engine, &user(who), "createWorkspace", &org("acme"));
        assert_not_permitted_because(&decision, "Only admins and owners can create workspaces");
    }
}

#[test]
fn ws1_workspace_admins_and_owners_manage_participants() {
    let engine = engine();
    for who in ["nina", "olivia"] {
        assert_allowed(&check(&engine, &user(who), "manageParticipants", &workspace("ws-research")));
        assert_allowed(&check(&engine, &user(who), "editWorkspace", &workspace("ws-research")));
    }
    assert_allowed(&check(&engine, &user("olivia"), "deleteWorkspace", &workspace("ws-research")));
}

#[test]
fn ws1_weaker_roles_do_not_manage_participants() {
    let engine = engine();
    for who in ["dave", "kate", "frank", "leo"] {
        let decision = check(&engine, &user(who), "manageParticipants", &workspace("ws-research"));
        assert_not_permitted_because(
            &decision,
            "Only workspace admins and owners can edit the workspace and manage its participants",
        );
    }
    let delete = check(&engine, &user("nina"), "deleteWorkspace", &workspace("ws-research"));
    assert_not_permitted_because(&delete, "Only workspace owners can delete the workspace");
}

// ---- WS-2 -------------------------------------------------------------------------------

#[test]
fn ws2_a_role_includes_every_weaker_one() {
    let engine = engine();
    // One participant per level, by user grant except nina (team grant).
    let holders =
        [("dave", "view"), ("kate", "connect"), ("leo", "maintain"), ("nina", "admin"), ("olivia", "owner")];
    for (who, held) in holders {
        let held_rank = WorkspaceRole::ALL.iter().position(|r| r.as_str() == held).unwrap();
        for (action, needed) in LADDER {
            let needed_rank = WorkspaceRole::ALL.iter().position(|r| r.as_str() == needed).unwrap();
            let decision = check(&engine, &user(who), action, &workspace("ws-research"));
            assert_eq!(
                decision.allowed(),
                held_rank >= needed_rank,
                "{who} ({held}) {action} (needs {needed}): {decision:?}"
            );
        }
    }
}

#[test]
fn ws2_view_role_views_but_does_not_connect() {
    let engine = engine();
    assert_allowed(&check(&engine, &user("dave"), "viewWorkspace", &workspace("ws-research")));
    assert_allowed(&check(&engine, &user("dave"), "viewAlgorithm", &algorithm("acme-internal")));
    let connect = check(&engine, &user("dave"), "connectSession", &workspace("ws-research"));
    assert_not_permitted_because(
        &connect,
        "Connecting to a session needs the connect role or stronger in the workspace",
    );
    let launch = check(&engine, &user("kate"), "launchCompute", &workspace("ws-research"));
    assert_not_permitted_because(
        &launch,
        "Launching compute needs the launch role or stronger in the workspace",
    );
}

#[test]
fn ws2_a_member_without_a_role_has_no_workspace_access() {
    let decision = check(&engine(), &user("dave"), "viewWorkspace", &workspace("ws-ops"));
    assert_not_permitted_because(&decision, "Viewing a workspace needs the view role or stronger in it");
}

#[test]
fn ws2_role_granted_to_a_user_or_a_team() {
    let engine = engine_variant(|s| {
        let ops = org_mut(s, "acme").workspaces.iter_mut().find(|w| w.id == "ws-ops").unwrap();
        ops.participants = serde_json::from_value(serde_json::json!([
            { "user": "dave", "role": "connect" },
            { "team": "data", "role": "view" },
        ]))
        .unwrap();
    });
    assert_allowed(&check(&engine, &user("dave"), "connectSession", &workspace("ws-ops")));
    assert_allowed(&check(&engine, &user("nina"), "viewWorkspace", &workspace("ws-ops")));
    assert!(!allowed(&engine, &user("nina"), "connectSession", &workspace("ws-ops")));
}

// ---- WS-3 -------------------------------------------------------------------------------

#[test]
fn ws3_collaborator_acts_inside_the_workspaces_where_they_hold_a_role() {
    let engine = engine();
    for action in ["viewWorkspace", "connectSession", "launchCompute"] {
        assert_allowed(&check(&engine, &user("frank"), action, &workspace("ws-research")));
    }
    assert_allowed(&check(&engine, &user("frank"), "viewAlgorithm", &algorithm("acme-internal")));
    assert_allowed(&check(&engine, &user("frank"), "editAlgorithm", &algorithm("acme-vision")));
}

#[test]
fn ws3_collaborator_never_acts_on_org_records() {
    let engine = engine();
    let on_org = [
        "viewOrganization",
        "editOrganizationProfile",
        "viewMembers",
        "viewBilling",
        "viewUsage",
        "listApiKeys",
        "createApiKey",
        "createTeam",
        "createWorkspace",
        "listPendingVersions",
    ];
    for action in on_org {
        let decision = check(&engine, &user("frank"), action, &org("acme"));
        assert_forbidden_by(&decision, "WS-3");
    }
    assert_forbidden_by(&check(&engine, &user("frank"), "useApiKey", &api_key("key-models")), "WS-3");
    assert_forbidden_by(&check(&engine, &user("frank"), "viewTeam", &team("data")), "WS-3");
    assert_eq!(allowed_action_names(&engine, &user("frank"), &org("acme")), ["viewPublicProfile"]);
}

#[test]
fn ws3_collaborators_are_refused_org_records_in_words_for_a_collaborator() {
    let engine = engine();
    for (action, resource) in [
        ("viewOrganization", org("acme")),
        ("viewBilling", org("acme")),
        ("viewTeam", team("data")),
        ("useApiKey", api_key("key-models")),
    ] {
        let decision = check(&engine, &user("frank"), action, &resource);
        let ids: Vec<&str> = decision.policies().iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["ws3-org-records-are-for-members"], "{action} {resource}");
        assert_eq!(
            decision.reason(),
            Some("Collaborators act only inside the workspaces where they hold a role: the organization's own records are for its members"),
            "{action} {resource}"
        );
    }
}

#[test]
fn ws3_members_are_not_refused_org_records() {
    let engine = engine();
    for who in ["dave", "alice", "carol"] {
        assert_allowed(&check(&engine, &user(who), "viewOrganization", &org("acme")));
        assert_allowed(&check(&engine, &user(who), "viewTeam", &team("data")));
    }
}

#[test]
fn ws3_collaborator_never_acts_in_other_workspaces() {
    let engine = engine();
    for ws in ["ws-ops", "ws-hipaa", "gx-main"] {
        assert!(allowed_action_names(&engine, &user("frank"), &workspace(ws)).is_empty(), "{ws}");
    }
    assert!(!allowed(&engine, &user("frank"), "callAlgorithm", &algorithm("acme-phi")));
}

#[test]
fn ws3_collaborator_without_a_workspace_role_is_refused() {
    let broken = snapshot_with(|s| {
        let acme = org_mut(s, "acme");
        acme.collaborators.push("grace".into());
    });
    let error = Engine::with_defaults().unwrap().load_snapshot(&broken).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidSnapshot);
    assert!(error.to_string().contains("WS-3"), "{error}");
}

// ---- WS-4 -------------------------------------------------------------------------------

#[test]
fn ws4_org_owners_and_admins_own_every_workspace() {
    let engine = engine();
    for who in ["alice", "bob", "carol"] {
        for ws in ["ws-research", "ws-hipaa", "ws-ops"] {
            for (action, _) in LADDER {
                assert_allowed(&check(&engine, &user(who), action, &workspace(ws)));
            }
            assert_allowed(&check(&engine, &user(who), "manageParticipants", &workspace(ws)));
        }
    }
    // ws-ops gives bob no role of its own: the WS-4 policy is what grants it.
    let decision = check(&engine, &user("bob"), "deleteWorkspace", &workspace("ws-ops"));
    assert!(decision.policies().iter().any(|p| p.rule.as_deref() == Some("WS-4")), "{decision:?}");
}

#[test]
fn ws4_only_of_their_own_org() {
    let engine = engine();
    for (who, ws) in [("alice", "gx-main"), ("carol", "gx-main"), ("heidi", "ws-ops")] {
        assert!(allowed_action_names(&engine, &user(who), &workspace(ws)).is_empty(), "{who} on {ws}");
    }
    // A plain member gets nothing on a workspace without a role in it.
    assert!(allowed_action_names(&engine, &user("dave"), &workspace("ws-ops")).is_empty());
}

/// frank, a collaborator with a role in ws-research only, named a contributor of acme-phi in
/// ws-hipaa.
fn frank_contributes_outside_his_workspace() -> Engine {
    engine_variant(|s| {
        let acme = org_mut(s, "acme");
        acme.algorithms.iter_mut().find(|a| a.id == "acme-phi").unwrap().contributors.push("frank".into());
        set_version_status(s, "phi-1", orgwarden::snapshot::VersionStatus::Approved);
    })
}

#[test]
fn ws3_collaborator_contributor_acts_only_where_they_hold_a_role() {
    let engine = frank_contributes_outside_his_workspace();
    for action in ["editAlgorithm", "submitVersion"] {
        assert_forbidden_by(&check(&engine, &user("frank"), action, &algorithm("acme-phi")), "WS-3");
    }
    let publish = check(&engine, &user("frank"), "publishVersion", &version("phi-1"));
    assert_forbidden_by(&publish, "WS-3");
    assert_eq!(publish.reason(), Some("Collaborators act only inside the workspaces where they hold a role"));
    // Inside ws-research he still edits and publishes what he contributes to.
    assert_allowed(&check(&engine, &user("frank"), "editAlgorithm", &algorithm("acme-vision")));
    assert_allowed(&check(&engine, &user("frank"), "publishVersion", &version("vision-2")));
}

#[test]
fn ws3_member_contributor_is_not_bound_to_workspace_roles() {
    // Members are not collaborators: erin contributes to acme-phi through her team's role, and
    // a member contributor without any role edits too (ALG-1).
    let engine = engine_variant(|s| {
        let acme = org_mut(s, "acme");
        acme.algorithms
            .iter_mut()
            .find(|a| a.id == "acme-internal")
            .unwrap()
            .contributors
            .push("dave".into());
    });
    assert_allowed(&check(&engine, &user("dave"), "editAlgorithm", &algorithm("acme-internal")));
    assert_allowed(&check(&engine, &user("erin"), "editAlgorithm", &algorithm("acme-phi")));
}

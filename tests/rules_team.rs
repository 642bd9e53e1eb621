//! TEAM-1..4: teams, their membership, their workspace roles and compliance restrictions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use orgwarden::{ActionInput, ActionValidation, Engine, ErrorCode};

fn add_to_team(engine: &Engine, by: &str, team_id: &str, candidate: &str) -> ActionValidation {
    let input = ActionInput { user: Some(candidate.into()), ..Default::default() };
    validate(engine, &user(by), "addTeamMember", &team(team_id), input)
}

// ---- TEAM-1 -----------------------------------------------------------------------------

#[test]
fn team1_owners_and_admins_create_edit_and_delete_teams() {
    let engine = engine();
    for by in ["alice", "carol"] {
        assert_allowed(&check(&engine, &user(by), "createTeam", &org("acme")));
        for action in ["editTeam", "deleteTeam", "addTeamMember", "removeTeamMember"] {
            assert_allowed(&check(&engine, &user(by), action, &team("data")));
        }
    }
}

#[test]
fn team1_members_cannot_manage_teams() {
    let engine = engine();
    let create = check(&engine, &user("dave"), "createTeam", &org("acme"));
    assert_not_permitted_because(&create, "Only admins and owners can create teams");
    // Not even the team's own members.
    for action in ["editTeam", "deleteTeam", "addTeamMember", "removeTeamMember"] {
        let decision = check(&engine, &user("nina"), action, &team("data"));
        assert_not_permitted_because(
            &decision,
            "Only admins and owners can edit or delete teams and manage their members",
        );
    }
}

#[test]
fn team1_admins_of_another_org_cannot_manage_teams() {
    let engine = engine();
    assert!(!allowed(&engine, &user("heidi"), "editTeam", &team("data")));
    assert!(!allowed(&engine, &user("alice"), "deleteTeam", &team("gx-team")));
}

// ---- TEAM-2 -----------------------------------------------------------------------------

#[test]
fn team2_team_takes_members_and_collaborators_of_its_org() {
    let engine = engine();
    assert_valid(&add_to_team(&engine, "carol", "data", "dave"));
    assert_valid(&add_to_team(&engine, "carol", "data", "frank"));
}

#[test]
fn team2_team_refuses_users_of_another_org_or_none() {
    let engine = engine();
    for candidate in ["ivan", "heidi", "grace", "no-such-user"] {
        let validation = add_to_team(&engine, "carol", "data", candidate);
        assert_violates(&validation, "TEAM-2");
        assert!(validation
            .violations
            .iter()
            .any(|v| v.message == "A team holds only members and collaborators of its own organization"));
    }
}

#[test]
fn team2_candidate_is_required() {
    let validation =
        validate(&engine(), &user("carol"), "addTeamMember", &team("data"), ActionInput::default());
    assert!(!validation.valid);
    assert!(validation.violations.iter().any(|v| v.code == "MISSING_INPUT"));
}

#[test]
fn team2_snapshot_with_a_team_member_from_another_org_is_refused() {
    let broken = snapshot_with(|s| org_mut(s, "acme").teams[0].members.push("ivan".into()));
    let error = Engine::with_defaults().unwrap().load_snapshot(&broken).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidSnapshot);
    assert!(error.to_string().contains("TEAM-2"), "{error}");
}

// ---- TEAM-3 -----------------------------------------------------------------------------

#[test]
fn team3_team_workspace_role_reaches_its_members() {
    let engine = engine();
    // nina holds no role herself: team `data` holds admin on ws-research.
    for action in [
        "viewWorkspace",
        "connectSession",
        "launchCompute",
        "editWorkspace",
        "manageParticipants",
        "createAlgorithm",
    ] {
        assert_allowed(&check(&engine, &user("nina"), action, &workspace("ws-research")));
    }
    // erin's team holds launch on ws-hipaa.
    assert_allowed(&check(&engine, &user("erin"), "launchCompute", &workspace("ws-hipaa")));
}

#[test]
fn team3_team_role_gives_no_more_than_the_role() {
    let engine = engine();
    // admin is below owner: no delete.
    assert_not_permitted(&check(&engine, &user("nina"), "deleteWorkspace", &workspace("ws-research")));
    // launch is below maintain: no algorithm creation.
    assert_not_permitted(&check(&engine, &user("erin"), "createAlgorithm", &workspace("ws-hipaa")));
}

#[test]
fn team3_leaving_the_team_takes_the_role_away() {
    let engine = engine_variant(|s| org_mut(s, "acme").teams[0].members.clear());
    let decision = check(&engine, &user("nina"), "viewWorkspace", &workspace("ws-research"));
    assert_not_permitted_because(&decision, "Viewing a workspace needs the view role or stronger in it");
}

// ---- TEAM-4 -----------------------------------------------------------------------------

#[test]
fn team4_restricted_member_is_denied_an_unlabelled_workspace_even_as_org_admin() {
    let engine = engine();
    // hank is an org admin (WS-4 makes him owner of every workspace) but in team `compliance`.
    for action in ["viewWorkspace", "launchCompute", "manageParticipants", "deleteWorkspace"] {
        let decision = check(&engine, &user("hank"), action, &workspace("ws-research"));
        assert_forbidden_by(&decision, "TEAM-4");
        assert_eq!(
            decision.reason(),
            Some("Your team is restricted to resources carrying its compliance labels")
        );
    }
    assert_forbidden_by(&check(&engine, &user("hank"), "deleteWorkspace", &workspace("ws-ops")), "TEAM-4");
}

#[test]
fn team4_restricted_member_is_denied_unlabelled_algorithms() {
    let engine = engine();
    assert_forbidden_by(
        &check(&engine, &user("erin"), "callAlgorithm", &algorithm("acme-internal")),
        "TEAM-4",
    );
    assert_forbidden_by(&check(&engine, &user("erin"), "viewAlgorithm", &algorithm("acme-vision")), "TEAM-4");
    assert_forbidden_by(&check(&engine, &user("hank"), "approveVersion", &version("vision-3")), "TEAM-4");
}

#[test]
fn team4_restricted_member_acts_on_labelled_resources() {
    let engine = engine();
    for action in ["viewWorkspace", "launchCompute", "manageParticipants", "deleteWorkspace"] {
        assert_allowed(&check(&engine, &user("hank"), action, &workspace("ws-hipaa")));
    }
    assert_allowed(&check(&engine, &user("erin"), "viewWorkspace", &workspace("ws-hipaa")));
    assert_allowed(&check(&engine, &user("erin"), "callAlgorithm", &algorithm("acme-phi")));
    // The restriction is about labelled resources; hank still administers the org itself.
    assert_allowed(&check(&engine, &user("hank"), "createTeam", &org("acme")));
}

#[test]
fn team4_unrestricted_members_are_not_affected() {
    let engine = engine();
    assert_allowed(&check(&engine, &user("carol"), "viewWorkspace", &workspace("ws-research")));
    assert_allowed(&check(&engine, &user("dave"), "callAlgorithm", &algorithm("acme-internal")));
}

#[test]
fn team4_team_without_labels_restricts_nothing() {
    let engine = engine_variant(|s| org_mut(s, "acme").teams[1].compliance_labels.clear());
    assert_allowed(&check(&engine, &user("hank"), "viewWorkspace", &workspace("ws-research")));
    assert_allowed(&check(&engine, &user("erin"), "callAlgorithm", &algorithm("acme-internal")));
}

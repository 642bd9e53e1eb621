//! MEM-1..10: invitations, roles, removal and leaving.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use orgwarden::snapshot::OrgRole;
use orgwarden::{ActionInput, ActionValidation, Engine};
use serde_json::json;

fn invite(
    engine: &Engine,
    by: &str,
    role: &str,
    email: Option<&str>,
    account: Option<&str>,
) -> ActionValidation {
    let input = ActionInput {
        role: Some(role.into()),
        email: email.map(Into::into),
        account: account.map(Into::into),
        ..Default::default()
    };
    validate(engine, &user(by), "inviteMember", &org("acme"), input)
}

fn change_role(engine: &Engine, by: &str, org_id: &str, member: &str, new_role: &str) -> ActionValidation {
    let input = ActionInput { new_role: Some(new_role.into()), ..Default::default() };
    validate(engine, &user(by), "changeRole", &membership(org_id, member), input)
}

fn remove(engine: &Engine, by: &str, org_id: &str, member: &str, confirmation: &str) -> ActionValidation {
    let input = ActionInput { confirmation: Some(confirmation.into()), ..Default::default() };
    validate(engine, &user(by), "removeMember", &membership(org_id, member), input)
}

fn leave(engine: &Engine, who: &str, org_id: &str, confirmation: &str) -> ActionValidation {
    let input = ActionInput { confirmation: Some(confirmation.into()), ..Default::default() };
    validate(engine, &user(who), "leaveOrganization", &org(org_id), input)
}

fn accept(engine: &Engine, who: &str, invitation_id: &str, terms: &str) -> ActionValidation {
    let input = ActionInput { accepted_terms_version: Some(terms.into()), ..Default::default() };
    validate(engine, &user(who), "acceptInvitation", &invitation(invitation_id), input)
}

/// acme with bob demoted to admin: alice is the last owner.
fn acme_with_one_owner() -> Engine {
    engine_variant(|s| {
        let acme = org_mut(s, "acme");
        acme.members.iter_mut().find(|m| m.user == "bob").unwrap().role = OrgRole::Admin;
    })
}

// ---- MEM-1 ------------------------------------------------------------------------------

#[test]
fn mem1_admins_and_owners_invite_members_and_admins() {
    let engine = engine();
    for by in ["alice", "carol"] {
        assert_allowed(&check(&engine, &user(by), "inviteMember", &org("acme")));
        assert_valid(&invite(&engine, by, "member", Some("newcomer2@example.com"), None));
        assert_valid(&invite(&engine, by, "admin", None, Some("grace")));
    }
}

#[test]
fn mem1_member_cannot_invite() {
    let engine = engine();
    let decision = check(&engine, &user("dave"), "inviteMember", &org("acme"));
    assert_not_permitted_because(&decision, "Only admins and owners can invite members");
    assert_violates(&invite(&engine, "dave", "member", Some("newcomer2@example.com"), None), "MEM-1");
}

#[test]
fn mem1_only_owners_invite_owners() {
    let engine = engine();
    assert_valid(&invite(&engine, "alice", "owner", None, Some("grace")));
    let by_admin = invite(&engine, "carol", "owner", None, Some("grace"));
    assert_violates(&by_admin, "MEM-1");
    assert_eq!(by_admin.violations[0].policy_id.as_deref(), Some("mem1-only-owners-invite-owners"));
}

#[test]
fn mem1_only_owners_grant_the_owner_role() {
    let engine = engine();
    assert_valid(&change_role(&engine, "alice", "acme", "dave", "owner"));
    let by_admin = check_ctx(
        &engine,
        &user("carol"),
        "changeRole",
        &membership("acme", "dave"),
        json!({"newRole": "owner"}),
    );
    assert_forbidden_by(&by_admin, "MEM-1");
}

#[test]
fn mem1_invitation_offers_a_known_role() {
    assert_violates(&invite(&engine(), "alice", "superuser", Some("newcomer2@example.com"), None), "MEM-1");
}

#[test]
fn mem1_existing_member_is_not_invited_again() {
    let validation = invite(&engine(), "alice", "member", None, Some("dave"));
    assert!(!validation.valid);
    assert!(validation
        .violations
        .iter()
        .any(|v| v.code == "ALREADY_MEMBER" && v.rule.as_deref() == Some("MEM-1")));
}

// ---- MEM-2 ------------------------------------------------------------------------------

#[test]
fn mem2_email_invitation_to_an_existing_account_is_rejected() {
    let engine = engine();
    for email in ["grace@example.com", "Grace@Example.COM"] {
        let validation = invite(&engine, "alice", "member", Some(email), None);
        assert_violates(&validation, "MEM-2");
        let violation = validation.violations.iter().find(|v| v.rule.as_deref() == Some("MEM-2")).unwrap();
        assert_eq!(violation.code, "FORBIDDEN");
        assert!(violation.message.contains("already has an account"), "{}", violation.message);
        assert!(violation.message.contains("account name"), "{}", violation.message);
    }
}

/// Records grace's account under the email `recorded`, then asserts that inviting by each of
/// `lookups` finds that account (MEM-2) and that inviting by `unrelated` does not.
fn assert_account_found_by_email(recorded: &str, lookups: &[&str], unrelated: &str) {
    let engine = engine_variant(|s| {
        let grace = s.users.iter_mut().find(|u| u.id == "grace").unwrap();
        grace.email = recorded.into();
    });
    for email in lookups {
        assert_violates(&invite(&engine, "alice", "member", Some(email), None), "MEM-2");
    }
    assert_valid(&invite(&engine, "alice", "member", Some(unrelated), None));
}

/// The account index is built from the snapshot's users: an account recorded with capitals
/// is still found by its email in any case.
#[test]
fn mem2_an_account_recorded_with_capitals_is_found_by_email() {
    assert_account_found_by_email(
        "Grace@Example.COM",
        &["grace@example.com", "GRACE@example.com"],
        "nobody-yet@example.com",
    );
}

#[test]
fn mem2_an_account_with_a_non_ascii_email_is_found_in_any_case() {
    // Emails are lower-cased on a fast path when ASCII and by Unicode rules otherwise.
    assert_account_found_by_email(
        "GRÂCE.ÖZ@Example.COM",
        &["grâce.öz@example.com", "Grâce.Öz@EXAMPLE.com"],
        "grace.oz@example.com",
    );
}

/// The index follows the store: an account upserted as raw entities is found by its email, a
/// changed email is found under the new one only, and a removed account is not found at all.
#[test]
fn mem2_the_account_index_follows_upserts_and_removals() {
    let mut engine = engine();
    let account = |email: &str| {
        serde_json::json!([{
            "uid": { "type": "User", "id": "newcomer" },
            "attrs": { "email": email, "name": "Newcomer", "mfaEnabled": true, "passwordCompliant": true },
            "parents": [],
        }])
        .to_string()
    };
    let by_email =
        |engine: &orgwarden::Engine, email: &str| invite(engine, "alice", "member", Some(email), None);

    assert_valid(&by_email(&engine, "newcomer@example.com"));
    engine.upsert_entities_json(&account("Newcomer@Example.com")).unwrap();
    assert_violates(&by_email(&engine, "newcomer@example.com"), "MEM-2");

    engine.upsert_entities_json(&account("renamed@example.com")).unwrap();
    assert_valid(&by_email(&engine, "newcomer@example.com"));
    assert_violates(&by_email(&engine, "renamed@example.com"), "MEM-2");

    engine.remove_entities(&[user("newcomer")]).unwrap();
    assert_valid(&by_email(&engine, "renamed@example.com"));
}

#[test]
fn mem2_existing_account_is_invited_by_account_name() {
    assert_valid(&invite(&engine(), "alice", "member", None, Some("grace")));
}

#[test]
fn mem2_person_without_account_is_invited_by_email() {
    assert_valid(&invite(&engine(), "alice", "member", Some("nobody-yet@example.com"), None));
}

#[test]
fn mem2_invitation_names_exactly_one_of_email_or_account() {
    let engine = engine();
    assert_violates(&invite(&engine, "alice", "member", None, None), "MEM-2");
    assert_violates(&invite(&engine, "alice", "member", Some("grace@example.com"), Some("grace")), "MEM-2");
    let unknown = invite(&engine, "alice", "member", None, Some("no-such-account"));
    assert!(unknown
        .violations
        .iter()
        .any(|v| v.code == "UNKNOWN_ACCOUNT" && v.rule.as_deref() == Some("MEM-2")));
}

// ---- MEM-3 ------------------------------------------------------------------------------

#[test]
fn mem3_admins_and_owners_list_and_cancel_pending_invitations() {
    let engine = engine();
    for by in ["alice", "carol"] {
        assert_allowed(&check(&engine, &user(by), "listInvitations", &org("acme")));
        assert_allowed(&check(&engine, &user(by), "cancelInvitation", &invitation("inv-newcomer")));
    }
}

#[test]
fn mem3_member_cannot_list_or_cancel_invitations() {
    let engine = engine();
    let list = check(&engine, &user("dave"), "listInvitations", &org("acme"));
    assert_not_permitted_because(&list, "Only admins and owners can see pending invitations");
    let cancel = check(&engine, &user("dave"), "cancelInvitation", &invitation("inv-newcomer"));
    assert_not_permitted_because(&cancel, "Only admins and owners can cancel invitations");
}

#[test]
fn mem3_only_a_pending_invitation_is_cancelled() {
    let decision = check(&engine(), &user("alice"), "cancelInvitation", &invitation("inv-cancelled"));
    assert_forbidden_by(&decision, "MEM-3");
}

#[test]
fn mem3_admin_of_another_org_cannot_cancel() {
    assert!(!allowed(&engine(), &user("heidi"), "cancelInvitation", &invitation("inv-newcomer")));
}

// ---- MEM-4 ------------------------------------------------------------------------------

#[test]
fn mem4_invitee_accepts_the_current_terms_and_acceptance_is_recorded() {
    let validation = accept(&engine(), "grace", "inv-grace", ACME_TERMS);
    assert_valid(&validation);
    let notice = validation.notices.iter().find(|n| n.code == "TERMS_ACCEPTANCE_RECORDED").unwrap();
    assert_eq!(notice.rule, "MEM-4");
    assert!(notice.message.contains("recorded"), "{}", notice.message);
    assert!(notice.message.contains(ACME_TERMS), "{}", notice.message);
}

#[test]
fn mem4_email_invitee_accepts_with_the_matching_account_email() {
    assert_valid(&accept(&engine(), "rita", "inv-rita", ACME_TERMS));
}

#[test]
fn mem4_wrong_terms_version_is_rejected() {
    let validation = accept(&engine(), "grace", "inv-grace", "2023-01");
    assert_violates(&validation, "MEM-4");
    assert!(validation.notices.is_empty());
    let decision = check_ctx(
        &engine(),
        &user("grace"),
        "acceptInvitation",
        &invitation("inv-grace"),
        json!({"acceptedTermsVersion": "2023-01"}),
    );
    assert_forbidden_by(&decision, "MEM-4");
    assert_eq!(
        decision.reason(),
        Some("Accepting an invitation needs the organization's current Terms of Use version")
    );
}

#[test]
fn mem4_terms_version_is_required() {
    let validation = validate(
        &engine(),
        &user("grace"),
        "acceptInvitation",
        &invitation("inv-grace"),
        ActionInput::default(),
    );
    assert!(!validation.valid);
    assert!(validation.violations.iter().any(|v| v.code == "MISSING_INPUT"));
}

#[test]
fn mem4_only_the_invitee_accepts() {
    let engine = engine();
    for someone_else in ["dave", "rita", "alice"] {
        let decision = check(&engine, &user(someone_else), "acceptInvitation", &invitation("inv-grace"));
        assert_not_permitted_because(&decision, "Only the invitee can accept an invitation");
    }
    assert!(!allowed(&engine, &user("grace"), "acceptInvitation", &invitation("inv-rita")));
    assert_violates(&accept(&engine, "dave", "inv-grace", ACME_TERMS), "MEM-4");
}

#[test]
fn mem4_only_a_pending_invitation_is_accepted() {
    let decision = check(&engine(), &user("grace"), "acceptInvitation", &invitation("inv-cancelled"));
    assert_forbidden_by(&decision, "MEM-4");
    assert_eq!(decision.reason(), Some("This invitation is no longer pending"));
}

// ---- MEM-5 ------------------------------------------------------------------------------

#[test]
fn mem5_owner_changes_any_role() {
    let engine = engine();
    assert_valid(&change_role(&engine, "alice", "acme", "carol", "member"));
    assert_valid(&change_role(&engine, "alice", "acme", "dave", "admin"));
    assert_valid(&change_role(&engine, "alice", "acme", "bob", "admin"));
}

#[test]
fn mem5_admin_promotes_member_to_admin() {
    assert_valid(&change_role(&engine(), "carol", "acme", "dave", "admin"));
}

#[test]
fn mem5_admin_cannot_demote_an_admin_or_touch_an_owner() {
    let engine = engine();
    assert_violates(&change_role(&engine, "carol", "acme", "hank", "member"), "MEM-5");
    assert_violates(&change_role(&engine, "carol", "acme", "alice", "admin"), "MEM-5");
    assert_violates(&change_role(&engine, "carol", "acme", "alice", "member"), "MEM-5");
}

#[test]
fn mem5_member_cannot_change_roles() {
    assert_violates(&change_role(&engine(), "dave", "acme", "kate", "admin"), "MEM-5");
}

#[test]
fn mem5_nobody_changes_their_own_role() {
    let engine = engine();
    let promote_self = check_ctx(
        &engine,
        &user("dave"),
        "changeRole",
        &membership("acme", "dave"),
        json!({"newRole": "admin"}),
    );
    assert_forbidden_by(&promote_self, "MEM-5");
    assert_eq!(
        promote_self.reason(),
        Some("Nobody changes their own role, except an owner stepping down while another owner remains")
    );
    assert_violates(&change_role(&engine, "carol", "acme", "carol", "owner"), "MEM-5");
    assert_violates(&change_role(&engine, "carol", "acme", "carol", "member"), "MEM-5");
}

#[test]
fn mem5_owner_steps_down_while_another_owner_remains() {
    let engine = engine();
    assert_valid(&change_role(&engine, "alice", "acme", "alice", "admin"));
    assert_valid(&change_role(&engine, "bob", "acme", "bob", "member"));
}

#[test]
fn mem5_new_role_is_owner_admin_or_member() {
    assert_violates(&change_role(&engine(), "alice", "acme", "dave", "boss"), "MEM-5");
}

// ---- MEM-6 ------------------------------------------------------------------------------

#[test]
fn mem6_admin_removes_a_member() {
    assert_valid(&remove(&engine(), "carol", "acme", "dave", "dave@example.com"));
}

#[test]
fn mem6_removing_an_admin_or_owner_takes_an_owner() {
    let engine = engine();
    assert_violates(&remove(&engine, "carol", "acme", "hank", "hank@example.com"), "MEM-6");
    assert_violates(&remove(&engine, "carol", "acme", "alice", "alice@example.com"), "MEM-6");
    assert_valid(&remove(&engine, "alice", "acme", "carol", "carol@example.com"));
    assert_valid(&remove(&engine, "alice", "acme", "bob", "bob@example.com"));
}

#[test]
fn mem6_member_cannot_remove_members() {
    let decision = check(&engine(), &user("dave"), "removeMember", &membership("acme", "kate"));
    assert_not_permitted_because(
        &decision,
        "Only admins and owners can remove members, and only owners can remove an admin or an owner",
    );
}

// ---- MEM-7 ------------------------------------------------------------------------------

#[test]
fn mem7_last_owner_cannot_be_removed() {
    let one_owner = acme_with_one_owner();
    let by_admin = check(&one_owner, &user("bob"), "removeMember", &membership("acme", "alice"));
    assert_forbidden_by(&by_admin, "MEM-7");
    let by_self = check(&engine(), &user("heidi"), "removeMember", &membership("globex", "heidi"));
    assert_forbidden_by(&by_self, "MEM-7");
}

#[test]
fn mem7_last_owner_cannot_be_demoted() {
    let engine = engine();
    let validation = change_role(&engine, "heidi", "globex", "heidi", "admin");
    assert_violates(&validation, "MEM-7");
    let decision = check(&engine, &user("heidi"), "changeRole", &membership("globex", "heidi"));
    assert_forbidden_by(&decision, "MEM-7");
    assert_violates(&change_role(&acme_with_one_owner(), "alice", "acme", "alice", "member"), "MEM-7");
}

#[test]
fn mem7_last_owner_cannot_leave() {
    let validation = leave(&engine(), "heidi", "globex", "globex");
    assert_violates(&validation, "MEM-7");
    let decision = check(&acme_with_one_owner(), &user("alice"), "leaveOrganization", &org("acme"));
    assert_forbidden_by(&decision, "MEM-7");
    assert_eq!(
        decision.reason(),
        Some("The organization must keep at least one owner: the last owner cannot leave")
    );
}

#[test]
fn mem7_with_two_owners_one_may_step_down_leave_or_be_removed() {
    let engine = engine();
    assert_valid(&change_role(&engine, "bob", "acme", "alice", "member"));
    assert_valid(&change_role(&engine, "alice", "acme", "alice", "admin"));
    assert_valid(&leave(&engine, "alice", "acme", "acme"));
    assert_valid(&remove(&engine, "bob", "acme", "alice", "alice@example.com"));
}

#[test]
fn mem7_snapshot_without_owner_is_refused() {
    let broken = snapshot_with(|s| {
        for m in &mut org_mut(s, "globex").members {
            m.role = OrgRole::Member;
        }
    });
    let error = Engine::with_defaults().unwrap().load_snapshot(&broken).unwrap_err();
    assert!(error.to_string().contains("MEM-7"), "{error}");
}

// ---- MEM-8 ------------------------------------------------------------------------------

#[test]
fn mem8_removal_is_confirmed_by_the_members_email() {
    let engine = engine();
    assert_valid(&remove(&engine, "carol", "acme", "dave", "dave@example.com"));
    let wrong = remove(&engine, "carol", "acme", "dave", "dave");
    assert_violates(&wrong, "MEM-8");
    assert!(wrong.violations.iter().any(|v| v.message == "Type the member's email to confirm the removal"));
    assert_violates(&remove(&engine, "carol", "acme", "dave", "kate@example.com"), "MEM-8");
}

#[test]
fn mem8_leaving_is_confirmed_by_the_org_name() {
    let engine = engine();
    assert_valid(&leave(&engine, "dave", "acme", "acme"));
    assert_violates(&leave(&engine, "dave", "acme", "Acme Corp"), "MEM-8");
    assert_violates(&leave(&engine, "dave", "acme", "globex"), "MEM-8");
}

#[test]
fn mem8_confirmation_is_required() {
    let engine = engine();
    let missing = validate(
        &engine,
        &user("carol"),
        "removeMember",
        &membership("acme", "dave"),
        ActionInput::default(),
    );
    assert!(!missing.valid);
    assert!(missing.violations.iter().any(|v| v.code == "MISSING_INPUT"));
    let missing = validate(&engine, &user("dave"), "leaveOrganization", &org("acme"), ActionInput::default());
    assert!(!missing.valid);
}

// ---- MEM-9 ------------------------------------------------------------------------------

#[test]
fn mem9_org_cannot_change_a_members_email() {
    let engine = engine();
    for by in ["alice", "carol", "dave"] {
        let decision = check(&engine, &user(by), "changeMemberEmail", &membership("acme", "dave"));
        assert_forbidden_by(&decision, "MEM-9");
        assert_eq!(
            decision.reason(),
            Some("The organization cannot change a member's email: remove and invite again")
        );
    }
}

#[test]
fn mem9_remove_and_invite_again_instead() {
    let engine = engine();
    assert_valid(&remove(&engine, "alice", "acme", "dave", "dave@example.com"));
    assert_valid(&invite(&engine, "alice", "member", Some("dave.new@example.com"), None));
}

// ---- MEM-10 -----------------------------------------------------------------------------

#[test]
fn mem10_any_member_may_leave() {
    let engine = engine();
    for who in ["dave", "carol", "erin", "bob"] {
        assert_valid(&leave(&engine, who, "acme", "acme"));
    }
}

#[test]
fn mem10_non_members_cannot_leave() {
    let engine = engine();
    assert_forbidden_by(&check(&engine, &user("frank"), "leaveOrganization", &org("acme")), "WS-3");
    assert!(!allowed(&engine, &user("grace"), "leaveOrganization", &org("acme")));
}

#[test]
fn mem10_members_see_the_member_list() {
    let engine = engine();
    for who in ["dave", "carol", "alice"] {
        assert_allowed(&check(&engine, &user(who), "viewMembers", &org("acme")));
    }
}

#[test]
fn mem10_collaborators_do_not_see_the_member_list() {
    let engine = engine();
    assert_forbidden_by(&check(&engine, &user("frank"), "viewMembers", &org("acme")), "WS-3");
    let outsider = check(&engine, &user("grace"), "viewMembers", &org("acme"));
    assert!(!outsider.allowed());
}

#[test]
fn mem10_members_leave_rather_than_remove_themselves() {
    let engine = engine();
    assert_forbidden_by(
        &check(&engine, &user("carol"), "removeMember", &membership("acme", "carol")),
        "MEM-10",
    );
    assert_forbidden_by(
        &check(&engine, &user("alice"), "removeMember", &membership("acme", "alice")),
        "MEM-10",
    );
}

#[test]
fn mem8_removal_confirmation_is_the_email_as_the_member_wrote_it() {
    // Emails compare without case everywhere else (MEM-2, MEM-4): typing the member's email as
    // shown must confirm the removal.
    let engine = engine_variant(|s| {
        s.users.iter_mut().find(|u| u.id == "dave").unwrap().email = "Dave@Example.com".into()
    });
    assert_valid(&remove(&engine, "carol", "acme", "dave", "Dave@Example.com"));
    assert_valid(&remove(&engine, "carol", "acme", "dave", "dave@example.com"));
    assert_violates(&remove(&engine, "carol", "acme", "dave", "Dave@Example.org"), "MEM-8");
}

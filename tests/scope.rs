//! Viewer-scoped snapshots (src/snapshot/scope.rs): the snapshot cut for one user decides
//! every check of that user on what it keeps as the full snapshot does, and holds nothing the
//! user may not view.
//!
//! The property runs over the random organizations of tests/support/generator.rs, for every
//! user of each; set `PROPTEST_CASES` for long rounds:
//!
//! ```sh
//! PROPTEST_CASES=2000 cargo test --release --test scope
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeSet, HashSet};

use orgwarden::snapshot::scope::{scope_snapshot, REDACTED_EMAIL_DOMAIN};
use orgwarden::snapshot::{
    InvitationRecord, InvitationStatus, OrgRole, OrganizationRecord, SecurityRecord, UserRecord,
};
use orgwarden::{ffi, Engine, EngineOptions, EntityRef, ErrorCode, PolicySource, Snapshot};
use proptest::prelude::*;
use serde_json::{json, Value};

#[path = "support/engines.rs"]
mod engines;
#[path = "support/generator.rs"]
mod generator;
use engines::{config, defaults, loaded};
use generator::snapshot_strategy;

fn user(id: &str) -> EntityRef {
    EntityRef::new("User", id)
}

fn scoped(snapshot: &Snapshot, principal: &str) -> Snapshot {
    scope_snapshot(defaults(), snapshot, principal)
        .unwrap_or_else(|e| panic!("scoping for {principal} failed: {e}"))
}

// ---- what the tests hold a scoped snapshot to -----------------------------------------------

/// (a) Every entity of the scoped snapshot, every action that applies to it: the principal's
/// decision (allowed, cause, reason, deciding policies, requirements) is the full snapshot's.
/// Returns how many decisions were compared.
fn same_decisions(full: &Engine, reduced: &Engine, principal: &EntityRef) -> Result<usize, String> {
    let mut compared = 0;
    for entity in reduced.entities().iter() {
        let uid = entity.uid();
        if uid.type_name().basename() == "Action" {
            continue;
        }
        let resource = EntityRef::new(uid.type_name().to_string(), uid.id().unescaped());
        let applicable =
            full.allowed_actions(principal, &resource).map_err(|e| format!("{resource}: {e}"))?;
        for outcome in applicable {
            let expected =
                serde_json::to_value(full.check(principal, &outcome.action, &resource, None)).unwrap();
            let actual =
                serde_json::to_value(reduced.check(principal, &outcome.action, &resource, None)).unwrap();
            if expected != actual {
                return Err(format!(
                    "{principal} {} {resource}:\n full:   {expected}\n scoped: {actual}",
                    outcome.action
                ));
            }
            compared += 1;
        }
    }
    Ok(compared)
}

fn may(engine: &Engine, principal: &EntityRef, action: &str, entity_type: &str, id: &str) -> bool {
    engine.check(principal, action, &EntityRef::new(entity_type, id), None).allowed()
}

fn is_placeholder(email: &str) -> bool {
    email.ends_with(&format!("@{REDACTED_EMAIL_DOMAIN}"))
}

fn addressed_to(invitation: &InvitationRecord, me: &UserRecord) -> bool {
    match &invitation.account {
        Some(account) => *account == me.id,
        None => invitation.email.to_lowercase() == me.email.to_lowercase(),
    }
}

/// (b) Nothing the principal may not view, as the engine loaded with the full snapshot
/// answers the principal's view and list actions.
fn nothing_hidden(
    full_snapshot: &Snapshot,
    full: &Engine,
    scoped: &Snapshot,
    me: &str,
) -> Result<(), String> {
    let principal = user(me);
    let me_record = full_snapshot.users.iter().find(|u| u.id == me).unwrap();
    // Users whose email and name may be shown: the people of orgs where `viewMembers` holds.
    let mut visible: HashSet<&str> = HashSet::from([me]);
    for org in &scoped.organizations {
        let full_org = full_snapshot.organizations.iter().find(|o| o.id == org.id).unwrap();
        let inside =
            full_org.members.iter().any(|m| m.user == me) || full_org.collaborators.iter().any(|c| c == me);
        let invited = full_org
            .invitations
            .iter()
            .any(|i| i.status == InvitationStatus::Pending && addressed_to(i, me_record));
        if !inside && !invited {
            return Err(format!("org {} is kept, but {me} is neither in it nor invited to it", org.id));
        }
        if !inside && org.security != SecurityRecord::default() {
            return Err(format!("{me} is only invited to {}, yet its security settings are kept", org.id));
        }
        let org_may = |action: &str| may(full, &principal, action, "Organization", &org.id);
        if org_may("viewMembers") {
            visible.extend(org.members.iter().map(|m| m.user.as_str()));
            visible.extend(org.collaborators.iter().map(String::as_str));
        } else {
            for member in &org.members {
                if member.role != OrgRole::Owner && member.user != me {
                    return Err(format!(
                        "{me} may not view the members of {}, yet {} is kept",
                        org.id, member.user
                    ));
                }
            }
            if org.collaborators.iter().any(|c| c != me) {
                return Err(format!(
                    "{me} may not view the people of {}, yet collaborators are kept",
                    org.id
                ));
            }
        }
        if !org_may("listInvitations") && org.invitations.iter().any(|i| !addressed_to(i, me_record)) {
            return Err(format!("{me} may not list the invitations of {}", org.id));
        }
        if !org_may("listApiKeys") && !org.api_keys.is_empty() {
            return Err(format!("{me} may not list the API keys of {}", org.id));
        }
        if !org_may("viewBilling") && !(0..=1).contains(&org.billing.credit_balance) {
            return Err(format!("{me} may not view the billing of {}: {:?}", org.id, org.billing));
        }
        if !org_may("viewUsage")
            && (org.billing.active_runs != 0 || !(0..=1).contains(&org.billing.concurrent_run_limit))
        {
            return Err(format!("{me} may not view the usage of {}: {:?}", org.id, org.billing));
        }
        let kept_algorithms: HashSet<&str> = org.algorithms.iter().map(|a| a.workspace.as_str()).collect();
        for workspace in &org.workspaces {
            let full_workspace = full_org.workspaces.iter().find(|w| w.id == workspace.id).unwrap();
            let holds_role = full_workspace.participants.iter().any(|p| {
                p.user.as_deref() == Some(me)
                    || p.team.as_ref().is_some_and(|t| {
                        full_org
                            .teams
                            .iter()
                            .any(|team| &team.id == t && team.members.iter().any(|m| m == me))
                    })
            });
            if !may(full, &principal, "viewWorkspace", "Workspace", &workspace.id)
                && (!workspace.name.is_empty()
                    || !(holds_role || kept_algorithms.contains(workspace.id.as_str())))
            {
                return Err(format!("{me} may not view workspace {}", workspace.id));
            }
        }
        for algorithm in &org.algorithms {
            if !may(full, &principal, "viewAlgorithm", "Algorithm", &algorithm.id) {
                return Err(format!("{me} may not view algorithm {}", algorithm.id));
            }
        }
        for team in &org.teams {
            let full_team = full_org.teams.iter().find(|t| t.id == team.id).unwrap();
            if !may(full, &principal, "viewTeam", "Team", &team.id)
                && (!team.name.is_empty() || !full_team.members.iter().any(|m| m == me))
            {
                return Err(format!("{me} may not view team {}", team.id));
            }
        }
    }
    for kept in &scoped.users {
        let original = full_snapshot.users.iter().find(|u| u.id == kept.id).unwrap();
        if kept.id == me {
            if kept != original {
                return Err(format!("{me}'s own record changed"));
            }
            continue;
        }
        if kept.mfa_enabled || kept.password_compliant {
            return Err(format!("{me} sees the MFA or password state of {}", kept.id));
        }
        let shown = visible.contains(kept.id.as_str());
        if !shown && (!is_placeholder(&kept.email) || !kept.name.is_empty()) {
            return Err(format!("{me} sees the email or name of {}, whom they may not see", kept.id));
        }
    }
    // No user dropped from the full snapshot's emails leaks through another record: the only
    // emails of the scoped snapshot are its users' and its invitations'.
    let text = serde_json::to_string(scoped).unwrap();
    for other in &full_snapshot.users {
        let kept_email = scoped.users.iter().any(|u| u.id == other.id && u.email == other.email);
        let invited =
            scoped.organizations.iter().flat_map(|o| &o.invitations).any(|i| i.email == other.email);
        if !kept_email && !invited && text.contains(&format!("\"{}\"", other.email)) {
            return Err(format!("{}'s email is in {me}'s scoped snapshot", other.id));
        }
    }
    Ok(())
}

// ---- the property ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(48))]

    /// For every user of random organizations: the scoped snapshot loads, decides every check
    /// of that user on everything it keeps as the full snapshot does, holds nothing the user
    /// may not view, and scoping it again changes nothing.
    #[test]
    fn a_scoped_snapshot_decides_as_the_full_one_and_hides_what_the_user_may_not_view(
        snapshot in snapshot_strategy(1..=3)
    ) {
        let full = loaded(&snapshot);
        let mut compared = 0;
        for me in &snapshot.users {
            let scope = scoped(&snapshot, &me.id);
            let mut reduced = defaults().clone();
            prop_assert!(reduced.load_snapshot(&scope).is_ok(), "the scoped snapshot loads");
            compared += same_decisions(&full, &reduced, &user(&me.id)).map_err(TestCaseError::fail)?;
            nothing_hidden(&snapshot, &full, &scope, &me.id).map_err(TestCaseError::fail)?;
            prop_assert_eq!(&scoped(&scope, &me.id), &scope, "scoping is idempotent for {}", me.id);
        }
        prop_assert!(compared > 0);
    }
}

/// The property is not vacuous: over the generator's snapshots, users get scoped snapshots of
/// every kind (with and without member lists, keys, invitations; reduced workspaces; orgs kept
/// only for an invitation; placeholders).
#[test]
fn the_property_meets_every_kind_of_viewer() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = snapshot_strategy(1..=3);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for _ in 0..40 {
        let snapshot = strategy.new_tree(&mut runner).unwrap().current();
        for me in &snapshot.users {
            let scope = scoped(&snapshot, &me.id);
            for org in &scope.organizations {
                let full_org = snapshot.organizations.iter().find(|o| o.id == org.id).unwrap();
                let inside =
                    org.members.iter().any(|m| m.user == me.id) || org.collaborators.contains(&me.id);
                if !inside {
                    seen.insert("org kept for an invitation");
                }
                if org.collaborators.contains(&me.id) {
                    seen.insert("collaborator");
                }
                if org.members.len() < full_org.members.len() {
                    seen.insert("member list reduced");
                }
                if org == full_org {
                    seen.insert("org kept whole");
                }
                if org.api_keys.len() < full_org.api_keys.len() {
                    seen.insert("keys hidden");
                }
                if org.invitations.len() < full_org.invitations.len() {
                    seen.insert("invitations hidden");
                }
                if org.billing != full_org.billing {
                    seen.insert("billing reduced");
                }
                if org.workspaces.iter().any(|w| w.name.is_empty()) {
                    seen.insert("workspace reduced");
                }
                if org.workspaces.len() < full_org.workspaces.len() {
                    seen.insert("workspace hidden");
                }
                if org.algorithms.len() < full_org.algorithms.len() {
                    seen.insert("algorithm hidden");
                }
                if org.teams.iter().any(|t| t.name.is_empty()) {
                    seen.insert("team reduced");
                }
            }
            if scope.organizations.len() < snapshot.organizations.len() {
                seen.insert("org dropped");
            }
            if scope.users.iter().any(|u| is_placeholder(&u.email)) {
                seen.insert("placeholder email");
            }
        }
    }
    let expected = [
        "algorithm hidden",
        "billing reduced",
        "collaborator",
        "invitations hidden",
        "keys hidden",
        "member list reduced",
        "org dropped",
        "org kept for an invitation",
        "org kept whole",
        "placeholder email",
        "team reduced",
        "workspace hidden",
        "workspace reduced",
    ];
    let missing: Vec<&&str> = expected.iter().filter(|e| !seen.contains(**e)).collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}

// ---- focused cases --------------------------------------------------------------------------

/// acme: olivia owns it, adam administers, mia is a member (in team ml, maintain on research),
/// carol collaborates (launch on research); secret is adam's workspace and holds a public
/// algorithm; dave is invited by account, someone else by email. globex: oscar owns it and
/// invited mia by email.
fn fixture() -> Snapshot {
    serde_json::from_value(json!({
        "users": [
            { "id": "olivia", "email": "olivia@acme.test", "name": "Olivia", "mfaEnabled": true, "passwordCompliant": true },
            { "id": "adam", "email": "adam@acme.test", "name": "Adam", "mfaEnabled": true, "passwordCompliant": true },
            { "id": "mia", "email": "mia@acme.test", "name": "Mia", "mfaEnabled": true, "passwordCompliant": true },
            { "id": "carol", "email": "carol@partner.test", "name": "Carol", "mfaEnabled": true, "passwordCompliant": true },
            { "id": "dave", "email": "dave@example.test", "name": "Dave", "mfaEnabled": true, "passwordCompliant": true },
            { "id": "oscar", "email": "oscar@globex.test", "name": "Oscar", "mfaEnabled": true, "passwordCompliant": true }
        ],
        "organizations": [
            {
                "id": "acme", "name": "acme", "displayName": "Acme AI", "termsVersion": "2026-01",
                "members": [
                    { "user": "olivia", "role": "owner" },
                    { "user": "adam", "role": "admin" },
                    { "user": "mia", "role": "member" }
                ],
                "collaborators": ["carol"],
                "teams": [{ "id": "ml", "name": "ML", "members": ["mia", "adam"] }],
                "workspaces": [
                    { "id": "research", "name": "Research",
                      "participants": [{ "user": "carol", "role": "launch" }, { "team": "ml", "role": "maintain" }] },
                    { "id": "secret", "name": "Secret", "participants": [{ "user": "adam", "role": "admin" }] }
                ],
                "algorithms": [
                    { "id": "sentiment", "name": "Sentiment", "workspace": "research", "contributors": ["mia", "carol"],
                      "versions": [
                        { "id": "sentiment@1", "version": "1", "status": "published", "submitter": "mia" },
                        { "id": "sentiment@2", "version": "2", "status": "pending", "submitter": "adam" }
                      ] },
                    { "id": "forecast", "name": "Forecast", "workspace": "secret", "public": true, "contributors": ["adam"],
                      "versions": [{ "id": "forecast@1", "version": "1", "status": "published", "submitter": "adam" }] }
                ],
                "invitations": [
                    { "id": "inv-dave", "email": "dave@example.test", "account": "dave", "role": "member", "status": "pending" },
                    { "id": "inv-new", "email": "new@elsewhere.test", "role": "admin", "status": "pending" }
                ],
                "apiKeys": [{ "id": "key-ci", "name": "CI", "scopes": ["algorithms:call"] }],
                "billing": { "creditBalance": 1200, "concurrentRunLimit": 5, "activeRuns": 1 }
            },
            {
                "id": "globex", "name": "globex", "termsVersion": "g-7",
                "members": [{ "user": "oscar", "role": "owner" }],
                "workspaces": [{ "id": "lab", "name": "Lab", "participants": [{ "user": "oscar", "role": "owner" }] }],
                "invitations": [{ "id": "inv-mia", "email": "MIA@acme.test", "role": "member", "status": "pending" }],
                "apiKeys": [{ "id": "key-g", "name": "G", "scopes": [] }],
                "billing": { "creditBalance": 50, "concurrentRunLimit": 2, "activeRuns": 2 }
            }
        ]
    }))
    .unwrap()
}

fn org<'s>(snapshot: &'s Snapshot, id: &str) -> &'s OrganizationRecord {
    snapshot.organizations.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no org {id}"))
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<&str> {
    items.iter().map(id).collect()
}

fn assert_same_decisions(full: &Snapshot, scope: &Snapshot, me: &str) -> usize {
    let reduced = loaded(scope);
    same_decisions(&loaded(full), &reduced, &user(me)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_collaborators_snapshot_holds_no_member_emails_no_keys_no_billing() {
    let full = fixture();
    let scope = scoped(&full, "carol");
    let text = serde_json::to_string(&scope).unwrap();
    for email in
        ["olivia@acme.test", "adam@acme.test", "mia@acme.test", "dave@example.test", "new@elsewhere.test"]
    {
        assert!(!text.contains(email), "{email} is in carol's snapshot: {text}");
    }
    assert_eq!(ids(&scope.organizations, |o| &o.id), ["acme"], "globex is not carol's");
    let acme = org(&scope, "acme");
    // The owner stays (an org keeps one, and ownerCount is read), by id; carol is no member.
    assert_eq!(
        acme.members.iter().map(|m| (m.user.as_str(), m.role)).collect::<Vec<_>>(),
        [("olivia", OrgRole::Owner)]
    );
    assert_eq!(acme.collaborators, ["carol"]);
    assert!(acme.api_keys.is_empty());
    assert!(acme.invitations.is_empty());
    assert_eq!(acme.terms_version, "");
    // Credit positive, room for a run: the two facts launchCompute reads.
    assert_eq!(
        (acme.billing.credit_balance, acme.billing.concurrent_run_limit, acme.billing.active_runs),
        (1, 1, 0)
    );
    // research is hers; secret only holds the public algorithm she may view: id and labels.
    let research = acme.workspaces.iter().find(|w| w.id == "research").unwrap();
    assert_eq!(research.name, "Research");
    assert_eq!(research.participants.len(), 1, "only her own role: {:?}", research.participants);
    let secret = acme.workspaces.iter().find(|w| w.id == "secret").unwrap();
    assert_eq!((secret.name.as_str(), secret.participants.len()), ("", 0));
    assert!(acme.teams.is_empty(), "carol is in no team and views none");
    let sentiment = acme.algorithms.iter().find(|a| a.id == "sentiment").unwrap();
    assert_eq!(sentiment.contributors, ["carol"], "other contributors are people she may not see");
    assert_eq!(ids(&sentiment.versions, |v| &v.id), ["sentiment@1"], "the pending version is for admins");
    // Users: carol whole; the owner and the submitters by id, with placeholders.
    let carol = scope.users.iter().find(|u| u.id == "carol").unwrap();
    assert_eq!(carol, full.users.iter().find(|u| u.id == "carol").unwrap());
    let mut others: Vec<(&str, &str, &str)> = scope
        .users
        .iter()
        .filter(|u| u.id != "carol")
        .map(|u| (u.id.as_str(), u.email.as_str(), u.name.as_str()))
        .collect();
    others.sort();
    assert_eq!(
        others,
        [
            ("adam", "adam@redacted.invalid", ""),
            ("mia", "mia@redacted.invalid", ""),
            ("olivia", "olivia@redacted.invalid", "")
        ]
    );
    assert!(assert_same_decisions(&full, &scope, "carol") > 20);
}

#[test]
fn an_owners_snapshot_holds_all_of_their_org() {
    let full = fixture();
    let scope = scoped(&full, "olivia");
    assert_eq!(org(&scope, "acme"), org(&full, "acme"));
    assert_eq!(ids(&scope.organizations, |o| &o.id), ["acme"]);
    for id in ["olivia", "adam", "mia", "carol"] {
        let kept = scope.users.iter().find(|u| u.id == id).unwrap();
        let original = full.users.iter().find(|u| u.id == id).unwrap();
        assert_eq!((&kept.email, &kept.name), (&original.email, &original.name), "{id}");
    }
    // dave is only the account of an invitation: the invitation carries the address olivia
    // may list; his account keeps its id.
    let dave = scope.users.iter().find(|u| u.id == "dave").unwrap();
    assert_eq!(dave.email, "dave@redacted.invalid");
    assert!(assert_same_decisions(&full, &scope, "olivia") > 50);
    // The same for globex's owner.
    let oscar = scoped(&full, "oscar");
    assert_eq!(org(&oscar, "globex"), org(&full, "globex"));
    assert_same_decisions(&full, &oscar, "oscar");
}

#[test]
fn a_members_snapshot_has_the_member_list_and_keys_but_not_invitations_billing_or_pending_versions() {
    let full = fixture();
    let scope = scoped(&full, "mia");
    let acme = org(&scope, "acme");
    assert_eq!(acme.members, org(&full, "acme").members);
    assert_eq!(acme.api_keys.len(), 1, "members list API keys (KEY-1)");
    assert!(acme.invitations.is_empty(), "only admins list invitations (MEM-3)");
    assert_eq!((acme.billing.credit_balance, acme.billing.concurrent_run_limit), (1, 1));
    let sentiment = acme.algorithms.iter().find(|a| a.id == "sentiment").unwrap();
    assert_eq!(ids(&sentiment.versions, |v| &v.id), ["sentiment@1"]);
    // She views every algorithm (ORG-4); secret, which she may not view, is kept as its id.
    assert_eq!(ids(&acme.algorithms, |a| &a.id), ["sentiment", "forecast"]);
    assert_eq!(acme.workspaces.iter().find(|w| w.id == "secret").unwrap().name, "");
    // The team she is in, shown with the people she may see; carol collaborates on research,
    // which she views whole, so carol is named there, with her email.
    assert_eq!(acme.teams[0].members, ["mia", "adam"]);
    assert_eq!(acme.collaborators, ["carol"]);
    assert_eq!(scope.users.iter().find(|u| u.id == "carol").unwrap().email, "carol@partner.test");
    // globex is kept for her invitation only: its profile, its owner by id, the invitation.
    let globex = org(&scope, "globex");
    assert_eq!(ids(&globex.invitations, |i| &i.id), ["inv-mia"]);
    assert_eq!(globex.terms_version, "g-7", "an acceptance reads the terms version");
    assert!(globex.workspaces.is_empty() && globex.api_keys.is_empty());
    assert_eq!(globex.billing, Default::default());
    assert_eq!(scope.users.iter().find(|u| u.id == "oscar").unwrap().email, "oscar@redacted.invalid");
    assert_same_decisions(&full, &scope, "mia");
    let reduced = loaded(&scope);
    let invitation = EntityRef::new("Invitation", "inv-mia");
    assert!(reduced.check(&user("mia"), "acceptInvitation", &invitation, None).allowed());
}

#[test]
fn an_invitees_snapshot_holds_the_invitation_the_org_profile_and_its_owner_by_id() {
    let full = fixture();
    let scope = scoped(&full, "dave");
    assert_eq!(ids(&scope.organizations, |o| &o.id), ["acme"]);
    let acme = org(&scope, "acme");
    assert_eq!(ids(&acme.invitations, |i| &i.id), ["inv-dave"]);
    assert_eq!(
        (acme.name.as_str(), acme.display_name.as_str(), acme.terms_version.as_str()),
        ("acme", "Acme AI", "2026-01")
    );
    assert_eq!(ids(&acme.members, |m| &m.user), ["olivia"]);
    assert!(acme.collaborators.is_empty() && acme.teams.is_empty() && acme.workspaces.is_empty());
    assert!(acme.algorithms.is_empty(), "public algorithms of an org one is not in are not kept");
    assert_eq!(ids(&scope.users, |u| &u.id), ["olivia", "dave"]);
    assert_same_decisions(&full, &scope, "dave");
    let mut lonely = full.clone();
    lonely.users.push(UserRecord {
        id: "zoe".into(),
        email: "zoe@x.test".into(),
        name: String::new(),
        mfa_enabled: false,
        password_compliant: false,
    });
    let zoe = scoped(&lonely, "zoe");
    assert!(zoe.organizations.is_empty());
    assert_eq!(ids(&zoe.users, |u| &u.id), ["zoe"]);
}

#[test]
fn an_invitee_sees_nothing_of_the_orgs_security_settings() {
    let mut full = fixture();
    let acme = full.organizations.iter_mut().find(|o| o.id == "acme").unwrap();
    acme.security =
        SecurityRecord { enforce_password_policy: true, require_mfa: true, ..SecurityRecord::default() };
    let scope = scoped(&full, "dave");
    assert_eq!(org(&scope, "acme").security, SecurityRecord::default());
    assert_eq!(org(&scoped(&full, "mia"), "acme").security, org(&full, "acme").security, "members keep them");
    assert_same_decisions(&full, &scope, "dave");
}

#[test]
fn only_a_pending_invitation_keeps_an_org_one_is_not_in() {
    for status in [InvitationStatus::Accepted, InvitationStatus::Cancelled, InvitationStatus::Expired] {
        let mut full = fixture();
        let acme = full.organizations.iter_mut().find(|o| o.id == "acme").unwrap();
        acme.invitations.iter_mut().find(|i| i.id == "inv-dave").unwrap().status = status;
        let scope = scoped(&full, "dave");
        assert!(scope.organizations.is_empty(), "{status:?}: {:?}", ids(&scope.organizations, |o| &o.id));
        assert_eq!(ids(&scope.users, |u| &u.id), ["dave"], "{status:?}");
        assert_same_decisions(&full, &scope, "dave");
    }
}

#[test]
fn a_member_held_back_by_mfa_gets_no_member_list_yet_the_same_decisions() {
    let mut full = fixture();
    full.organizations[0].security.require_mfa = true;
    full.users.iter_mut().find(|u| u.id == "mia").unwrap().mfa_enabled = false;
    let scope = scoped(&full, "mia");
    let acme = org(&scope, "acme");
    assert_eq!(ids(&acme.members, |m| &m.user), ["olivia", "mia"]);
    assert!(acme.api_keys.is_empty() && acme.algorithms.is_empty());
    // research is kept for her role through ml (its id and labels), nothing else of it.
    assert_eq!(ids(&acme.workspaces, |w| &w.id), ["research"]);
    assert_eq!(acme.workspaces[0].name, "");
    assert_eq!(acme.teams[0].members, ["mia"]);
    assert_same_decisions(&full, &scope, "mia");
}

#[test]
fn placeholder_emails_never_collide_with_kept_ones() {
    let mut full = fixture();
    // carol's real address is what olivia's placeholder would be.
    full.users.iter_mut().find(|u| u.id == "carol").unwrap().email = "Olivia@Redacted.Invalid".into();
    let scope = scoped(&full, "carol");
    let olivia = scope.users.iter().find(|u| u.id == "olivia").unwrap();
    assert_eq!(olivia.email, "olivia+2@redacted.invalid");
    assert!(loaded(&scope).entities().len() > 1);
}

#[test]
fn a_custom_policy_that_reads_hidden_data_makes_scoping_refuse() {
    let reads_balance = r#"@id("rich-orgs-only")
forbid (principal, action == Action::"launchCompute", resource is Workspace)
when { resource.org.creditBalance < 100 };"#;
    let engine = Engine::new(EngineOptions {
        policies: vec![PolicySource { name: "custom.cedar".into(), text: reads_balance.into() }],
        ..Default::default()
    })
    .unwrap();
    let full = fixture();
    // carol's snapshot would say 1 where the full one says 1,200.
    let refused = scope_snapshot(&engine, &full, "carol").unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
    assert!(refused.to_string().contains("launchCompute"), "{refused}");
    assert!(refused.to_string().contains("Workspace::\"research\""), "{refused}");
    // Admins see billing: nothing of what they read is left out.
    assert!(scope_snapshot(&engine, &full, "adam").is_ok());
    // A custom policy deciding visibility is obeyed: members see billing here.
    let members_see_billing = r#"@id("members-see-billing")
permit (principal is User, action in [Action::"viewBilling", Action::"viewUsage"], resource is Organization)
when { principal in resource.members };"#;
    let engine = Engine::new(EngineOptions {
        policies: vec![PolicySource { name: "custom.cedar".into(), text: members_see_billing.into() }],
        ..Default::default()
    })
    .unwrap();
    let mia = scope_snapshot(&engine, &full, "mia").unwrap();
    assert_eq!(org(&mia, "acme").billing, org(&full, "acme").billing);
}

#[test]
fn the_boundary_call_answers_a_tagged_snapshot_and_leaves_the_store_alone() {
    let full = fixture();
    let mut engine = ffi::new_engine_json("{}").unwrap();
    let small = include_str!("fixtures/small-org.json");
    let load: Value = serde_json::from_str(&ffi::load_snapshot_json(&mut engine, small)).unwrap();
    assert_eq!(load["type"], "success");
    let count = engine.entities().len();
    let text = serde_json::to_string(&full).unwrap();
    let answer: Value =
        serde_json::from_str(&ffi::scope_snapshot_json(&engine, &text, &user("carol"))).unwrap();
    assert_eq!(answer["type"], "success", "{answer}");
    assert_eq!(answer["snapshot"], serde_json::to_value(scoped(&full, "carol")).unwrap());
    // The store still holds small-org, where carol does not exist.
    assert_eq!(engine.entities().len(), count);
    assert!(engine
        .check(&user("olivia"), "deleteOrganization", &EntityRef::new("Organization", "acme"), None)
        .allowed());

    let failure = |snapshot: &str, principal: EntityRef| -> Value {
        serde_json::from_str(&ffi::scope_snapshot_json(&engine, snapshot, &principal)).unwrap()
    };
    let code = |answer: Value| answer["errors"][0]["code"].as_str().unwrap().to_owned();
    assert_eq!(code(failure(&text, user("nobody"))), "UNKNOWN_PRINCIPAL");
    assert_eq!(code(failure(&text, EntityRef::new("ApiKey", "key-ci"))), "INVALID_REQUEST");
    assert_eq!(code(failure("{ nope", user("carol"))), "INVALID_JSON");
    assert_eq!(code(failure("[]", user("carol"))), "INVALID_JSON");
    assert_eq!(
        code(failure(r#"{"organizations":[{"id":"x","name":"x","members":[]}]}"#, user("carol"))),
        "INVALID_SNAPSHOT"
    );
    assert_eq!(code(failure(&text, user(&"x".repeat(100_000)))), "LIMIT_EXCEEDED");
}

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
    let options = EngineOptions { include_default_policies: Some(false), ..Default::default() };
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

/// acme with one security demand switched on, which the outsiders grace (invited to acme by
/// account name) and rita (invited by email), heidi (globex's owner), the member dave and the
/// collaborator frank all fail.
fn acme_demanding(mfa: bool) -> Engine {
    engine_variant(|s| {
        let acme = org_mut(s, "acme");
        if mfa {
            acme.security.require_mfa = true;
        } else {
            acme.security.enforce_password_policy = true;
        }
        for user in s
            .users
            .iter_mut()
            .filter(|u| ["grace", "rita", "heidi", "dave", "frank"].contains(&u.id.as_str()))
        {
            if mfa {
                user.mfa_enabled = false;
            } else {
                user.password_compliant = false;
            }
        }
    })
}

#[test]
fn sec3_does_not_bind_outsiders_on_public_algorithms() {
    for mfa in [true, false] {
        let engine = acme_demanding(mfa);
        // acme-vision is public and published: ALG-5 and ORG-4 are for everyone.
        for who in ["grace", "rita", "heidi"] {
            let call = check(&engine, &user(who), "callAlgorithm", &algorithm("acme-vision"));
            assert_allowed(&call);
            assert_eq!(rules_of(&call), ["ALG-5"], "{who}");
            let view = check(&engine, &user(who), "viewAlgorithm", &algorithm("acme-vision"));
            assert_allowed(&view);
            assert_eq!(rules_of(&view), ["ORG-4"], "{who}");
            assert_allowed(&check(&engine, &user(who), "viewPublicProfile", &org("acme")));
        }
    }
}

#[test]
fn sec3_outsiders_are_refused_the_rest_by_the_rules_that_refuse_everyone() {
    for mfa in [true, false] {
        let engine = acme_demanding(mfa);
        // A private algorithm: nothing grants it to an outsider (ORG-4, ALG-5), SEC-3 aside.
        let view = check(&engine, &user("grace"), "viewAlgorithm", &algorithm("acme-internal"));
        assert_not_permitted(&view);
        assert!(!allowed(&engine, &user("grace"), "callAlgorithm", &algorithm("acme-internal")));
        // An unpublished public algorithm: ALG-5 alone refuses it.
        let unreleased = check(&engine, &user("grace"), "callAlgorithm", &algorithm("acme-unreleased"));
        assert_forbidden_by(&unreleased, "ALG-5");
        assert_eq!(rules_of(&unreleased), ["ALG-5"]);
        // The org's own records: ORG-4 alone.
        let records = check(&engine, &user("grace"), "viewOrganization", &org("acme"));
        assert_eq!(rules_of(&records), ["ORG-4"]);
    }
}

#[test]
fn sec3_binds_noncompliant_members_and_collaborators_on_public_algorithms() {
    for mfa in [true, false] {
        let engine = acme_demanding(mfa);
        for who in ["dave", "frank"] {
            for action in ["callAlgorithm", "viewAlgorithm"] {
                let decision = check(&engine, &user(who), action, &algorithm("acme-vision"));
                assert_forbidden_by(&decision, "SEC-3");
            }
            assert_allowed(&check(&engine, &user(who), "viewPublicProfile", &org("acme")));
        }
        // A compliant member is not bound.
        assert_allowed(&check(&engine, &user("kate"), "callAlgorithm", &algorithm("acme-vision")));
    }
}

#[test]
fn sec3_does_not_bind_an_invitee_accepting() {
    for mfa in [true, false] {
        let engine = acme_demanding(mfa);
        // By account name (grace) and by email (rita).
        assert_allowed(&check(&engine, &user("grace"), "acceptInvitation", &invitation("inv-grace")));
        assert_allowed(&check(&engine, &user("rita"), "acceptInvitation", &invitation("inv-rita")));
        let accepted = check_ctx(
            &engine,
            &user("grace"),
            "acceptInvitation",
            &invitation("inv-grace"),
            json!({"acceptedTermsVersion": ACME_TERMS}),
        );
        assert_allowed(&accepted);
    }
}

#[test]
fn sec3_collaborator_invitee_accepts_but_does_not_accept_for_others() {
    let engine = engine_variant(|s| {
        let acme = org_mut(s, "acme");
        acme.security.require_mfa = true;
        acme.invitations.push(
            serde_json::from_value(json!({
                "id": "inv-frank", "email": "frank@example.com", "account": "frank",
                "role": "member", "status": "pending"
            }))
            .unwrap(),
        );
        for user in s.users.iter_mut().filter(|u| ["frank", "dave"].contains(&u.id.as_str())) {
            user.mfa_enabled = false;
        }
    });
    // frank, a non-compliant collaborator, accepts the invitation addressed to him...
    assert_allowed(&check(&engine, &user("frank"), "acceptInvitation", &invitation("inv-frank")));
    // ...but SEC-3 still binds him, and the member dave, on an invitation to someone else.
    for who in ["frank", "dave"] {
        let decision = check(&engine, &user(who), "acceptInvitation", &invitation("inv-grace"));
        assert_forbidden_by(&decision, "SEC-3");
    }
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

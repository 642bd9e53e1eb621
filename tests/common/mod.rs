//! The shared fixture of the rule tests: two organizations ("acme" and "globex") and a personal
//! account, covering every role of docs/rules.md, plus helpers to load it, mutate it
//! for variant cases, and ask the engine.
//!
//! Who is who:
//!
//! | user    | where                                                                          |
//! | ------- | ------------------------------------------------------------------------------ |
//! | alice   | acme owner                                                                     |
//! | bob     | acme owner (the second one, so an owner can step down)                        |
//! | carol   | acme admin                                                                     |
//! | hank    | acme admin, in the restricted team `compliance` (labels ["hipaa"])            |
//! | dave    | acme member, `view` on ws-research                                             |
//! | kate    | acme member, `connect` on ws-research                                          |
//! | leo     | acme member, `maintain` on ws-research, contributor of acme-vision            |
//! | nina    | acme member, in team `data` which holds `admin` on ws-research (TEAM-3)       |
//! | olivia  | acme member, `owner` on ws-research                                            |
//! | erin    | acme member, in the restricted team `compliance` (`launch` on ws-hipaa)       |
//! | frank   | acme collaborator, `launch` on ws-research, contributor of acme-vision        |
//! | heidi   | globex's single owner                                                          |
//! | ivan    | globex member, compliant                                                       |
//! | peggy   | globex member whose password does not comply with globex's policy            |
//! | quinn   | globex member without MFA, which globex requires                               |
//! | sam     | owner of the personal account `sam`                                            |
//! | grace   | outsider: an account in no organization (invited to acme by account name)     |
//! | rita    | outsider with an account, invited to acme by email before she signed up       |
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use orgwarden::snapshot::{OrganizationRecord, VersionStatus};
use orgwarden::{ActionInput, ActionRequest, ActionValidation, Cause, Decision, Engine, EntityRef, Snapshot};
use serde_json::{json, Value};

pub const ACME_TERMS: &str = "2024-05";

/// The snapshot as JSON, in the camelCase wire format.
pub fn snapshot_json() -> Value {
    let user = |id: &str| {
        json!({
            "id": id,
            "email": format!("{id}@example.com"),
            "name": id,
            "mfaEnabled": true,
            "passwordCompliant": true,
        })
    };
    let mut peggy = user("peggy");
    peggy["passwordCompliant"] = json!(false);
    let mut quinn = user("quinn");
    quinn["mfaEnabled"] = json!(false);
    json!({
        "users": [
            user("alice"), user("bob"), user("carol"), user("hank"), user("dave"), user("kate"),
            user("leo"), user("nina"), user("olivia"), user("erin"), user("frank"),
            user("heidi"), user("ivan"), peggy, quinn, user("sam"), user("grace"), user("rita"),
        ],
        "organizations": [
            {
                "id": "acme",
                "name": "acme",
                "displayName": "Acme Corp",
                "termsVersion": ACME_TERMS,
                "members": [
                    { "user": "alice", "role": "owner" },
                    { "user": "bob", "role": "owner" },
                    { "user": "carol", "role": "admin" },
                    { "user": "hank", "role": "admin" },
                    { "user": "dave", "role": "member" },
                    { "user": "kate", "role": "member" },
                    { "user": "leo", "role": "member" },
                    { "user": "nina", "role": "member" },
                    { "user": "olivia", "role": "member" },
                    { "user": "erin", "role": "member" },
                ],
                "collaborators": ["frank"],
                "teams": [
                    { "id": "data", "name": "Data", "members": ["nina"] },
                    { "id": "compliance", "name": "Compliance", "members": ["erin", "hank"],
                      "complianceLabels": ["hipaa"] },
                ],
                "workspaces": [
                    {
                        "id": "ws-research",
                        "name": "Research",
                        "participants": [
                            { "user": "dave", "role": "view" },
                            { "user": "kate", "role": "connect" },
                            { "user": "frank", "role": "launch" },
                            { "user": "leo", "role": "maintain" },
                            { "team": "data", "role": "admin" },
                            { "user": "olivia", "role": "owner" },
                        ],
                    },
                    {
                        "id": "ws-hipaa",
                        "name": "Clinical",
                        "labels": ["hipaa"],
                        "participants": [ { "team": "compliance", "role": "launch" } ],
                    },
                    { "id": "ws-ops", "name": "Ops" },
                ],
                "algorithms": [
                    {
                        "id": "acme-vision",
                        "name": "Vision",
                        "workspace": "ws-research",
                        "public": true,
                        "contributors": ["leo", "frank"],
                        "versions": [
                            { "id": "vision-1", "version": "1.0", "status": "published", "submitter": "leo" },
                            { "id": "vision-2", "version": "2.0", "status": "approved", "submitter": "leo" },
                            { "id": "vision-3", "version": "3.0", "status": "pending", "submitter": "leo" },
                            { "id": "vision-4", "version": "4.0", "status": "pending", "submitter": "carol" },
                            { "id": "vision-5", "version": "5.0", "status": "rejected", "submitter": "frank" },
                            { "id": "vision-6", "version": "6.0", "status": "draft", "submitter": "leo" },
                        ],
                    },
                    {
                        "id": "acme-internal",
                        "name": "Internal",
                        "workspace": "ws-research",
                        "contributors": ["leo"],
                        "versions": [
                            { "id": "internal-1", "version": "1.0", "status": "published", "submitter": "leo" },
                        ],
                    },
                    {
                        "id": "acme-unreleased",
                        "name": "Unreleased",
                        "workspace": "ws-research",
                        "public": true,
                        "contributors": ["leo"],
                        "versions": [
                            { "id": "unreleased-1", "version": "0.1", "status": "draft", "submitter": "leo" },
                        ],
                    },
                    {
                        "id": "acme-phi",
                        "name": "PHI model",
                        "workspace": "ws-hipaa",
                        "labels": ["hipaa"],
                        "contributors": ["erin"],
                        "versions": [
                            { "id": "phi-1", "version": "1.0", "status": "published", "submitter": "erin" },
                        ],
                    },
                ],
                "invitations": [
                    { "id": "inv-newcomer", "email": "newcomer@example.com", "role": "member", "status": "pending" },
                    { "id": "inv-grace", "email": "grace@example.com", "account": "grace", "role": "member", "status": "pending" },
                    { "id": "inv-rita", "email": "rita@example.com", "role": "admin", "status": "pending" },
                    { "id": "inv-cancelled", "email": "grace@example.com", "account": "grace", "role": "member", "status": "cancelled" },
                ],
                "apiKeys": [
                    { "id": "key-models", "name": "models",
                      "scopes": ["algorithms:read", "algorithms:call", "workspaces:read"] },
                    { "id": "key-ops", "name": "ops",
                      "scopes": ["compute:launch", "usage:read", "members:read", "profile:read"] },
                    { "id": "key-revoked", "name": "old",
                      "scopes": ["algorithms:read", "algorithms:call", "profile:read"], "revoked": true },
                ],
                "billing": { "creditBalance": 100, "concurrentRunLimit": 3, "activeRuns": 2 },
            },
            {
                "id": "globex",
                "name": "globex",
                "displayName": "Globex",
                "termsVersion": "7",
                "members": [
                    { "user": "heidi", "role": "owner" },
                    { "user": "ivan", "role": "member" },
                    { "user": "peggy", "role": "member" },
                    { "user": "quinn", "role": "member" },
                ],
                "teams": [ { "id": "gx-team", "name": "Globex team", "members": ["ivan"] } ],
                "workspaces": [
                    {
                        "id": "gx-main",
                        "name": "Main",
                        "participants": [
                            { "user": "ivan", "role": "launch" },
                            { "user": "peggy", "role": "launch" },
                            { "user": "quinn", "role": "launch" },
                        ],
                    },
                ],
                "algorithms": [
                    {
                        "id": "gx-public",
                        "workspace": "gx-main",
                        "public": true,
                        "contributors": ["ivan"],
                        "versions": [
                            { "id": "gx-public-1", "version": "1", "status": "published", "submitter": "ivan" },
                            { "id": "gx-public-2", "version": "2", "status": "pending", "submitter": "ivan" },
                        ],
                    },
                    {
                        "id": "gx-private",
                        "workspace": "gx-main",
                        "contributors": ["ivan"],
                        "versions": [
                            { "id": "gx-private-1", "version": "1", "status": "published", "submitter": "ivan" },
                        ],
                    },
                ],
                "invitations": [
                    { "id": "gx-inv", "email": "someone@example.com", "role": "member", "status": "pending" },
                ],
                "apiKeys": [
                    { "id": "gx-key", "scopes": ["algorithms:read", "algorithms:call", "compute:launch",
                      "usage:read", "members:read", "profile:read", "workspaces:read"] },
                ],
                "billing": { "creditBalance": 0, "concurrentRunLimit": 10, "activeRuns": 0 },
                "security": { "enforcePasswordPolicy": true, "requireMfa": true },
            },
            {
                "id": "sam",
                "name": "sam",
                "personal": true,
                "members": [ { "user": "sam", "role": "owner" } ],
                "workspaces": [ { "id": "sam-ws", "participants": [] } ],
            },
        ],
    })
}

/// The base fixture.
pub fn snapshot() -> Snapshot {
    serde_json::from_value(snapshot_json()).expect("the fixture is a valid snapshot")
}

/// The base fixture after `change`: the way to build variant cases.
pub fn snapshot_with(change: impl FnOnce(&mut Snapshot)) -> Snapshot {
    let mut snapshot = snapshot();
    change(&mut snapshot);
    snapshot
}

/// An engine with the default policies and `snapshot` loaded.
pub fn engine_with(snapshot: &Snapshot) -> Engine {
    let mut engine = Engine::with_defaults().expect("the default policies are valid");
    engine.load_snapshot(snapshot).expect("the snapshot loads");
    engine
}

/// An engine with the base fixture loaded.
pub fn engine() -> Engine {
    engine_with(&snapshot())
}

/// An engine with a variant of the base fixture loaded.
pub fn engine_variant(change: impl FnOnce(&mut Snapshot)) -> Engine {
    engine_with(&snapshot_with(change))
}

/// The organization record `id` of a snapshot, to mutate.
pub fn org_mut<'a>(snapshot: &'a mut Snapshot, id: &str) -> &'a mut OrganizationRecord {
    snapshot.organizations.iter_mut().find(|o| o.id == id).expect("org in fixture")
}

/// Sets the status of one algorithm version of any org.
pub fn set_version_status(snapshot: &mut Snapshot, version: &str, status: VersionStatus) {
    let record = snapshot
        .organizations
        .iter_mut()
        .flat_map(|o| o.algorithms.iter_mut())
        .flat_map(|a| a.versions.iter_mut())
        .find(|v| v.id == version)
        .expect("version in fixture");
    record.status = status;
}

// ---- entity references ------------------------------------------------------------------

pub fn user(id: &str) -> EntityRef {
    EntityRef::new("User", id)
}
pub fn org(id: &str) -> EntityRef {
    EntityRef::new("Organization", id)
}
pub fn platform() -> EntityRef {
    EntityRef::new("Platform", "platform")
}
pub fn membership(org: &str, user: &str) -> EntityRef {
    EntityRef::new("Membership", orgwarden::snapshot::membership_id(org, user))
}
pub fn team(id: &str) -> EntityRef {
    EntityRef::new("Team", id)
}
pub fn workspace(id: &str) -> EntityRef {
    EntityRef::new("Workspace", id)
}
pub fn algorithm(id: &str) -> EntityRef {
    EntityRef::new("Algorithm", id)
}
pub fn version(id: &str) -> EntityRef {
    EntityRef::new("AlgorithmVersion", id)
}
pub fn invitation(id: &str) -> EntityRef {
    EntityRef::new("Invitation", id)
}
pub fn api_key(id: &str) -> EntityRef {
    EntityRef::new("ApiKey", id)
}

// ---- asking the engine ------------------------------------------------------------------

/// The UI-gating check: no context.
pub fn check(engine: &Engine, principal: &EntityRef, action: &str, resource: &EntityRef) -> Decision {
    engine.check(principal, action, resource, None)
}

pub fn check_ctx(
    engine: &Engine,
    principal: &EntityRef,
    action: &str,
    resource: &EntityRef,
    context: Value,
) -> Decision {
    engine.check(principal, action, resource, Some(context))
}

pub fn allowed(engine: &Engine, principal: &EntityRef, action: &str, resource: &EntityRef) -> bool {
    check(engine, principal, action, resource).allowed()
}

/// The rule ids of the deciding policies.
pub fn rules_of(decision: &Decision) -> Vec<String> {
    decision.policies().iter().filter_map(|p| p.rule.clone()).collect()
}

/// Asserts the check was allowed.
#[track_caller]
pub fn assert_allowed(decision: &Decision) {
    assert!(decision.allowed(), "expected allow, got {decision:?}");
    assert_eq!(decision.cause(), Some(Cause::Permitted));
}

/// Asserts a forbid policy of `rule` decided the deny.
#[track_caller]
pub fn assert_forbidden_by(decision: &Decision, rule: &str) {
    assert!(!decision.allowed(), "expected a deny by {rule}, got {decision:?}");
    assert_eq!(decision.cause(), Some(Cause::Forbidden), "expected a forbid, got {decision:?}");
    assert!(
        rules_of(decision).iter().any(|r| r == rule),
        "expected a forbid of {rule}, got {:?}",
        rules_of(decision)
    );
}

/// Asserts no permit applied; the reason is the first would-be permit's.
#[track_caller]
pub fn assert_not_permitted(decision: &Decision) {
    assert!(!decision.allowed(), "expected a deny, got {decision:?}");
    assert_eq!(decision.cause(), Some(Cause::NotPermitted), "expected notPermitted, got {decision:?}");
    assert!(decision.policies().is_empty());
}

/// Asserts no permit applied, that `reason` is the @reason of one of the permits that would
/// have granted it, and that the decision's reason says it.
#[track_caller]
pub fn assert_not_permitted_because(decision: &Decision, reason: &str) {
    assert_not_permitted(decision);
    let Decision::Success(verdict) = decision else { panic!("{decision:?}") };
    assert!(
        verdict.requirements.iter().any(|p| p.reason.as_deref() == Some(reason)),
        "no would-be permit says {reason:?}: {decision:?}"
    );
    assert!(decision.reason().is_some_and(|r| r.contains(reason)), "{reason:?} not in {decision:?}");
}

/// Validates a concrete action.
pub fn validate(
    engine: &Engine,
    principal: &EntityRef,
    action: &str,
    resource: &EntityRef,
    input: ActionInput,
) -> ActionValidation {
    engine.validate_action(&ActionRequest {
        principal: principal.clone(),
        action: action.to_owned(),
        resource: resource.clone(),
        input,
    })
}

/// The rule ids of a validation's violations.
pub fn violation_rules(validation: &ActionValidation) -> Vec<String> {
    validation.violations.iter().filter_map(|v| v.rule.clone()).collect()
}

#[track_caller]
pub fn assert_valid(validation: &ActionValidation) {
    assert!(validation.valid, "expected a valid action, got {validation:?}");
    assert!(validation.violations.is_empty());
}

#[track_caller]
pub fn assert_violates(validation: &ActionValidation, rule: &str) {
    assert!(!validation.valid, "expected a violation of {rule}, got {validation:?}");
    assert!(
        violation_rules(validation).iter().any(|r| r == rule),
        "expected a violation of {rule}, got {:?}",
        validation.violations
    );
}

/// The names of the actions a principal may take on a resource (UI gating).
pub fn allowed_action_names(engine: &Engine, principal: &EntityRef, resource: &EntityRef) -> Vec<String> {
    engine
        .allowed_actions(principal, resource)
        .expect("known principal and resource")
        .into_iter()
        .filter(|o| o.decision.allowed())
        .map(|o| o.action)
        .collect()
}

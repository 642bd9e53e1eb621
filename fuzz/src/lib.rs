//! Shared by the fuzz targets: a fixed engine with a seed snapshot loaded, a probe of its
//! decisions, and the fail-closed oracles (SEC-2, WS-3, SEC-4) that hold for *any* snapshot
//! the engine accepts.
//!
//! Every target panics (and so reports a crash) only when an invariant breaks; malformed input
//! that is refused with an error is the expected, uninteresting case.

use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

use orgwarden::{Cause, Decision, Engine, EntityRef, PolicyEffect, Snapshot};
use serde_json::Value;

/// The seed snapshot every target starts from (also `seeds/snapshot/two-orgs.json`).
pub const SEED_SNAPSHOT: &str = include_str!("../seeds/snapshot/two-orgs.json");

/// Most users and resources per org an oracle looks at, so that one input stays fast.
const ORACLE_USERS: usize = 8;
const ORACLE_RESOURCES: usize = 24;


#[path = "../../tests/support/model.rs"]
mod model;
pub use model::{holds_workspace_role, org_resources, public_actions, workspace_of};

fn defaults() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::with_defaults().expect("the default policies build"))
}

/// The default engine with an empty store.
pub fn empty_engine() -> Engine {
    defaults().clone()
}

/// The default engine with the seed snapshot loaded.
pub fn base_engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut engine = empty_engine();
            engine.load_snapshot_json(SEED_SNAPSHOT).expect("the seed snapshot loads");
            engine
        })
        .clone()
}

/// The probe of the base engine (see [`probe`]).
pub fn base_probe() -> &'static [(bool, String)] {
    static PROBE: OnceLock<Vec<(bool, String)>> = OnceLock::new();
    PROBE.get_or_init(|| probe(&base_engine()))
}

thread_local! {
    static SHARED: std::cell::RefCell<Engine> = std::cell::RefCell::new(base_engine());
}

/// Runs `f` on an engine holding the seed snapshot that is kept across inputs while they are
/// refused (which must leave it as it was: the probe says so before each use); `f` returns
/// whether it changed the store, and then the engine is reset.
pub fn with_shared_engine(f: impl FnOnce(&mut Engine) -> bool) {
    SHARED.with(|cell| {
        let mut engine = cell.borrow_mut();
        assert_eq!(probe(&engine), base_probe(), "SEC-4: a refused update changed the store");
        if f(&mut engine) {
            *engine = base_engine();
        }
    });
}

/// The seed snapshot, parsed.
pub fn seed_snapshot() -> Snapshot {
    serde_json::from_str(SEED_SNAPSHOT).expect("the seed snapshot parses")
}

/// A short, comparable form of a decision: allowed, and the cause (or an error code).
pub fn outcome(decision: &Decision) -> (bool, String) {
    match decision.cause() {
        Some(cause) => (decision.allowed(), format!("{cause:?}")),
        None => (decision.allowed(), decision.errors().iter().map(|e| e.code.as_str()).collect::<Vec<_>>().join(",")),
    }
}

/// Fixed checks over the seed's entities: equal before and after a refused update means the
/// store was kept (SEC-4).
pub fn probe(engine: &Engine) -> Vec<(bool, String)> {
    let user = |id: &str| EntityRef::new("User", id);
    let cases = [
        (user("olga"), "deleteOrganization", EntityRef::new("Organization", "acme")),
        (user("adil"), "inviteMember", EntityRef::new("Organization", "acme")),
        (user("mo"), "launchCompute", EntityRef::new("Workspace", "w-lab")),
        (user("cleo"), "viewWorkspace", EntityRef::new("Workspace", "w-lab")),
        (user("cleo"), "viewMembers", EntityRef::new("Organization", "acme")),
        (user("gus"), "callAlgorithm", EntityRef::new("Algorithm", "a-pub")),
        (user("olga"), "changeRole", EntityRef::new("Membership", "acme/adil")),
        (EntityRef::new("ApiKey", "k-acme"), "viewUsage", EntityRef::new("Organization", "acme")),
        (EntityRef::new("ApiKey", "k-gx"), "callAlgorithm", EntityRef::new("Algorithm", "a-pub")),
        (user("nell"), "acceptInvitation", EntityRef::new("Invitation", "i-nell")),
    ];
    let mut out: Vec<(bool, String)> = cases.iter().map(|(p, a, r)| outcome(&engine.check(p, a, r, None))).collect();
    out.push((false, engine.entities().iter().count().to_string()));
    out
}

/// Asserts the answer JSON of `check_json` is fail-closed: a failure is never allowed, and an
/// allow is a success whose deciding policies are permits.
pub fn assert_decision_json(answer: &str) {
    let value: Value = serde_json::from_str(answer).expect("every answer is JSON");
    let allowed = value.get("allowed").and_then(Value::as_bool);
    match value.get("type").and_then(Value::as_str) {
        Some("failure") => assert_eq!(allowed, Some(false), "a failure must say allowed: false: {answer}"),
        Some("success") => {
            if allowed == Some(true) {
                assert_eq!(value["cause"], "permitted", "{answer}");
                let policies = value["policies"].as_array().expect("policies");
                assert!(!policies.is_empty(), "an allow names its permits: {answer}");
                assert!(policies.iter().all(|p| p["effect"] == "permit"), "{answer}");
            }
        }
        other => panic!("untagged answer {other:?}: {answer}"),
    }
}

/// Asserts a typed decision is fail-closed.
pub fn assert_decision(decision: &Decision) {
    if decision.allowed() {
        assert_eq!(decision.cause(), Some(Cause::Permitted), "{decision:?}");
        assert!(!decision.policies().is_empty(), "{decision:?}");
        assert!(decision.policies().iter().all(|p| p.effect == PolicyEffect::Permit), "{decision:?}");
    }
}

/// Asserts the answer JSON of `validate_action_json`: valid only with no violation and an
/// allowing decision.
pub fn assert_validation_json(answer: &str) {
    let value: Value = serde_json::from_str(answer).expect("every answer is JSON");
    if value["valid"] == true {
        assert_eq!(value["violations"].as_array().map(Vec::len), Some(0), "{answer}");
        assert_eq!(value["decision"]["allowed"], true, "{answer}");
    }
    assert_decision_json(&value["decision"].to_string());
}

/// The actions `principal` may take on `resource`, as the engine lists them (none when the
/// listing itself is refused).
pub fn allowed_names(engine: &Engine, principal: &EntityRef, resource: &EntityRef) -> BTreeSet<String> {
    match engine.allowed_actions(principal, resource) {
        Ok(outcomes) => outcomes
            .into_iter()
            .inspect(|o| assert_decision(&o.decision))
            .filter(|o| o.decision.allowed())
            .map(|o| o.action)
            .collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// The actions of the schema's `memberOnly` group.
pub fn member_only_actions(engine: &Engine) -> HashSet<String> {
    let group: cedar_policy::EntityUid = r#"Action::"memberOnly""#.parse().expect("a valid uid");
    let actions = engine.schema().action_entities().expect("the schema's actions");
    engine
        .catalog()
        .actions()
        .iter()
        .filter(|a| actions.is_ancestor_of(&group, &a.uid))
        .map(|a| a.name.clone())
        .collect()
}

/// The oracles that hold for every snapshot the engine accepted:
/// - SEC-2: a user with no role in an org gets only the public actions on its resources, and
///   an API key gets nothing outside its org;
/// - WS-3: a collaborator never gets a `memberOnly` action, and on a workspace where they hold
///   no role (directly or through a team) gets only what anyone gets.
pub fn assert_snapshot_oracles(engine: &Engine, snapshot: &Snapshot) {
    let member_only = member_only_actions(engine);
    for org in &snapshot.organizations {
        let resources: Vec<EntityRef> = org_resources(org).into_iter().take(ORACLE_RESOURCES).collect();
        let in_org: HashSet<&str> =
            org.members.iter().map(|m| m.user.as_str()).chain(org.collaborators.iter().map(String::as_str)).collect();
        // SEC-2: outsiders.
        for user in snapshot.users.iter().filter(|u| !in_org.contains(u.id.as_str())).take(ORACLE_USERS) {
            let principal = EntityRef::new("User", &user.id);
            for resource in &resources {
                let allowed = allowed_names(engine, &principal, resource);
                let public = public_actions(snapshot, org, &user.id, resource);
                assert!(
                    allowed.is_subset(&public),
                    "SEC-2: outsider {} got {:?} on {resource} of {} (public: {public:?})",
                    user.id,
                    allowed.difference(&public).collect::<Vec<_>>(),
                    org.id
                );
            }
        }
        // SEC-2 / KEY-2: keys of other orgs.
        for other in snapshot.organizations.iter().filter(|o| o.id != org.id) {
            for key in other.api_keys.iter().take(ORACLE_USERS) {
                let principal = EntityRef::new("ApiKey", &key.id);
                for resource in &resources {
                    let allowed = allowed_names(engine, &principal, resource);
                    assert!(allowed.is_empty(), "KEY-2: key {} of {} got {allowed:?} on {resource}", key.id, other.id);
                }
            }
        }
        // WS-3: collaborators.
        for collaborator in org.collaborators.iter().take(ORACLE_USERS) {
            let principal = EntityRef::new("User", collaborator);
            for resource in &resources {
                let allowed = allowed_names(engine, &principal, resource);
                let forbidden: Vec<_> = allowed.iter().filter(|a| member_only.contains(*a)).collect();
                assert!(forbidden.is_empty(), "WS-3: collaborator {collaborator} got {forbidden:?} on {resource}");
                let workspace = workspace_of(org, resource);
                if let Some(workspace) = workspace {
                    if !holds_workspace_role(org, &workspace, collaborator) {
                        let public = public_actions(snapshot, org, collaborator, resource);
                        assert!(
                            allowed.is_subset(&public),
                            "WS-3: collaborator {collaborator} without a role in {workspace} got {:?} on {resource}",
                            allowed.difference(&public).collect::<Vec<_>>()
                        );
                    }
                }
            }
        }
    }
}

/// Lossy UTF-8, so that every input reaches the engine.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

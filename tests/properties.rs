//! Property tests: random but valid organizations (1-3 orgs; owners, admins, members,
//! collaborators; teams; workspaces with user and team participants; algorithms and versions;
//! invitations; API keys with random scopes) against the rules of docs/rules.md.
//! Each property names the rule it protects.
//!
//! The default case counts keep the whole file well under a minute in a debug build; set
//! `PROPTEST_CASES` for long rounds (docs/HARDENING.md):
//!
//! ```sh
//! PROPTEST_CASES=10000 cargo test --release --test properties
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use engines::config;
use orgwarden::snapshot::{membership_id, OrgRole, OrganizationRecord, VersionStatus};
use orgwarden::{ActionInput, ActionRequest, Decision, Engine, EntityRef, ErrorCode, Snapshot};
use proptest::prelude::*;
use serde_json::{json, Value};

// ---- configuration ----------------------------------------------------------------------

// `engines::config`: `default` cases, or `PROPTEST_CASES` when set (long rounds); no
// regression files in the source tree: a failure prints its minimal input instead.

// ---- engines ----------------------------------------------------------------------------

fn defaults() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| match std::env::var("ORGWARDEN_DROP_POLICY") {
        Ok(ids) => engine_without(&ids),
        Err(_) => Engine::with_defaults().expect("the default policies build"),
    })
}

/// Mutation check (docs/HARDENING.md): the default policies without the comma-separated
/// policy ids in `ORGWARDEN_DROP_POLICY`; the property protecting each must then fail.
fn engine_without(ids: &str) -> Engine {
    let mut sources = orgwarden::policies::default_policy_sources();
    for id in ids.split(',') {
        mutation::remove_policy(&mut sources, id);
    }
    mutation::engine_from(sources)
}

/// A default engine with `snapshot` loaded; every generated snapshot must load.
fn engine_for(snapshot: &Snapshot) -> Engine {
    engines::loaded_into(defaults(), snapshot)
}

/// For each action, the action groups it belongs to (`memberOnly`, the API key scopes).
fn action_groups() -> &'static HashMap<String, HashSet<String>> {
    static GROUPS: OnceLock<HashMap<String, HashSet<String>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let engine = defaults();
        let actions = engine.schema().action_entities().unwrap();
        engine
            .catalog()
            .actions()
            .iter()
            .map(|entry| {
                let groups = actions
                    .ancestors(&entry.uid)
                    .into_iter()
                    .flatten()
                    .map(|group| group.id().unescaped().to_owned())
                    .collect();
                (entry.name.clone(), groups)
            })
            .collect()
    })
}

fn member_only(action: &str) -> bool {
    action_groups().get(action).is_some_and(|groups| groups.contains("memberOnly"))
}

fn action_names() -> Vec<String> {
    let mut names: Vec<String> = action_groups().keys().cloned().collect();
    names.sort();
    names
}

// ---- the generator (tests/support/generator.rs) ------------------------------------------

#[path = "support/engines.rs"]
mod engines;
#[path = "support/generator.rs"]
mod generator;
#[path = "support/mutation.rs"]
mod mutation;
use generator::{email, org_role, snapshot_strategy};

/// The generator reaches the shapes the properties need: without these, a property could
/// pass vacuously. Counts features over a few hundred generated snapshots.
#[test]
fn generator_covers_the_model() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = snapshot_strategy(1..=3);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for _ in 0..300 {
        let snapshot = strategy.new_tree(&mut runner).unwrap().current();
        let mut count =
            |feature: &'static str, present: bool| *seen.entry(feature).or_default() += usize::from(present);
        let orgs = &snapshot.organizations;
        count("several orgs", orgs.len() > 1);
        count(
            "user in two orgs",
            snapshot.users.iter().any(|u| orgs.iter().filter(|o| holds_role_in_org(o, &u.id)).count() > 1),
        );
        count("outsider", snapshot.users.iter().any(|u| orgs.iter().any(|o| !holds_role_in_org(o, &u.id))));
        count("several owners", orgs.iter().any(|o| owner_count(o) > 1));
        count("single owner", orgs.iter().any(|o| owner_count(o) == 1 && o.members.len() > 1));
        count("admin", orgs.iter().any(|o| o.members.iter().any(|m| m.role == OrgRole::Admin)));
        count("collaborator", orgs.iter().any(|o| !o.collaborators.is_empty()));
        count(
            "collaborator in a team",
            orgs.iter()
                .any(|o| o.teams.iter().any(|t| t.members.iter().any(|m| o.collaborators.contains(m)))),
        );
        count(
            "team participant",
            orgs.iter().flat_map(|o| &o.workspaces).flat_map(|w| &w.participants).any(|p| p.team.is_some()),
        );
        count(
            "collaborator contributor without a role there",
            orgs.iter().any(|o| {
                o.algorithms.iter().any(|a| {
                    a.contributors
                        .iter()
                        .any(|c| o.collaborators.contains(c) && !holds_workspace_role(o, &a.workspace, c))
                })
            }),
        );
        count("restricted team", orgs.iter().flat_map(|o| &o.teams).any(|t| !t.compliance_labels.is_empty()));
        count(
            "public published algorithm",
            orgs.iter()
                .flat_map(|o| &o.algorithms)
                .any(|a| a.public && a.versions.iter().any(|v| v.status == VersionStatus::Published)),
        );
        count(
            "pending version",
            orgs.iter()
                .flat_map(|o| &o.algorithms)
                .flat_map(|a| &a.versions)
                .any(|v| v.status == VersionStatus::Pending),
        );
        count("invitation by account", orgs.iter().flat_map(|o| &o.invitations).any(|i| i.account.is_some()));
        count("invitation by email", orgs.iter().flat_map(|o| &o.invitations).any(|i| i.account.is_none()));
        count("api key", orgs.iter().any(|o| o.api_keys.iter().any(|k| !k.revoked && !k.scopes.is_empty())));
        count("revoked key", orgs.iter().flat_map(|o| &o.api_keys).any(|k| k.revoked));
        count("personal", orgs.iter().any(|o| o.personal));
        count("password policy", orgs.iter().any(|o| o.security.enforce_password_policy));
        count("non-compliant user", snapshot.users.iter().any(|u| !u.mfa_enabled || !u.password_compliant));
    }
    let missing: Vec<_> = seen.iter().filter(|(_, n)| **n < 5).collect();
    assert!(missing.is_empty(), "rarely or never generated: {missing:?} (all: {seen:?})");
}

// ---- the model: who holds what ------------------------------------------------------------

#[path = "support/model.rs"]
mod model;
use model::{holds_workspace_role, org_resources, public_actions, workspace_of};

fn holds_role_in_org(org: &OrganizationRecord, user: &str) -> bool {
    org.members.iter().any(|m| m.user == user) || org.collaborators.iter().any(|c| c == user)
}

fn role_of(org: &OrganizationRecord, user: &str) -> Option<OrgRole> {
    org.members.iter().find(|m| m.user == user).map(|m| m.role)
}

fn owner_count(org: &OrganizationRecord) -> usize {
    org.members.iter().filter(|m| m.role == OrgRole::Owner).count()
}

/// The actions `principal` may take on `resource`, as the engine lists them.
fn allowed(engine: &Engine, principal: &EntityRef, resource: &EntityRef) -> BTreeSet<String> {
    engine
        .allowed_actions(principal, resource)
        .unwrap_or_else(|e| panic!("{principal} on {resource}: {e}"))
        .into_iter()
        .filter(|o| o.decision.allowed())
        .map(|o| o.action)
        .collect()
}

// ---- SEC-2 --------------------------------------------------------------------------------

/// SEC-2 (with ORG-4, ALG-5, MEM-4): in every org, a user who is neither a member nor a
/// collaborator is allowed only the public actions; and whatever a user holds in other orgs
/// changes nothing in this one: their decisions on its resources equal those in a snapshot of
/// this org alone.
fn check_sec2_users(snapshot: &Snapshot, engine: &Engine) -> Result<(), TestCaseError> {
    for org in &snapshot.organizations {
        let alone = Snapshot { users: snapshot.users.clone(), organizations: vec![org.clone()] };
        let alone = engine_for(&alone);
        let resources = org_resources(org);
        for user in &snapshot.users {
            let principal = EntityRef::new("User", &user.id);
            let outsider = !holds_role_in_org(org, &user.id);
            let in_other_orgs =
                snapshot.organizations.iter().any(|o| o.id != org.id && holds_role_in_org(o, &user.id));
            for resource in &resources {
                let got = allowed(engine, &principal, resource);
                if outsider {
                    let public = public_actions(snapshot, org, &user.id, resource);
                    prop_assert!(
                        got.is_subset(&public),
                        "SEC-2: outsider {} got {:?} on {resource} of {}",
                        user.id,
                        got.difference(&public).collect::<Vec<_>>(),
                        org.id
                    );
                }
                if in_other_orgs {
                    let here_only = allowed(&alone, &principal, resource);
                    prop_assert_eq!(
                        &got,
                        &here_only,
                        "SEC-2: roles of {} elsewhere changed {} in {}",
                        user.id,
                        resource,
                        org.id
                    );
                }
            }
        }
    }
    Ok(())
}

/// SEC-2 / KEY-2: an API key is allowed nothing outside its org, and inside it only actions
/// of a scope it holds, and nothing once revoked.
fn check_sec2_keys(snapshot: &Snapshot, engine: &Engine) -> Result<(), TestCaseError> {
    let platform = EntityRef::new("Platform", "platform");
    for home in &snapshot.organizations {
        for key in &home.api_keys {
            let principal = EntityRef::new("ApiKey", &key.id);
            prop_assert!(allowed(engine, &principal, &platform).is_empty());
            for org in &snapshot.organizations {
                for resource in org_resources(org) {
                    let got = allowed(engine, &principal, &resource);
                    if org.id != home.id || key.revoked {
                        prop_assert!(
                            got.is_empty(),
                            "SEC-2: key {} of {} got {got:?} on {resource}",
                            key.id,
                            home.id
                        );
                    }
                    // Only within its scopes; what anyone may see (the public profile) aside.
                    for action in got.iter().filter(|a| *a != "viewPublicProfile") {
                        let groups = &action_groups()[action];
                        prop_assert!(
                            key.scopes.iter().any(|s| groups.contains(s)),
                            "KEY-2: key {} with {:?} got {action} on {resource}",
                            key.id,
                            key.scopes
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(32))]

    /// SEC-2: a role in one org gives nothing in another; outsiders get only public actions.
    #[test]
    fn sec2_no_user_acts_in_another_org(snapshot in snapshot_strategy(2..=3)) {
        let engine = engine_for(&snapshot);
        check_sec2_users(&snapshot, &engine)?;
    }

    /// SEC-2 / KEY-2: no API key is allowed anything outside its org (or beyond its scopes).
    #[test]
    fn sec2_no_api_key_acts_outside_its_org(snapshot in snapshot_strategy(1..=3)) {
        let engine = engine_for(&snapshot);
        check_sec2_keys(&snapshot, &engine)?;
    }
}

// ---- WS-3 ---------------------------------------------------------------------------------

/// WS-3: a collaborator is never allowed a `memberOnly` action (org profile, members, teams,
/// billing, keys), gets on the org's records only what anyone gets, and on a workspace (or
/// its algorithms and versions) where they hold no role, directly or through a team, only
/// what anyone gets.
fn check_ws3(snapshot: &Snapshot, engine: &Engine) -> Result<(), TestCaseError> {
    for org in &snapshot.organizations {
        for collaborator in &org.collaborators {
            let principal = EntityRef::new("User", collaborator);
            for resource in org_resources(org) {
                let got = allowed(engine, &principal, &resource);
                let member_only_got: Vec<&String> = got.iter().filter(|a| member_only(a)).collect();
                prop_assert!(
                    member_only_got.is_empty(),
                    "WS-3: collaborator {collaborator} got memberOnly {member_only_got:?} on {resource}"
                );
                let confined = match workspace_of(org, &resource) {
                    Some(workspace) => !holds_workspace_role(org, &workspace, collaborator),
                    None => true,
                };
                if confined {
                    let public = public_actions(snapshot, org, collaborator, &resource);
                    prop_assert!(
                        got.is_subset(&public),
                        "WS-3: collaborator {collaborator} got {:?} on {resource}, outside their workspaces",
                        got.difference(&public).collect::<Vec<_>>()
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// WS-3: collaborators never get memberOnly actions nor act outside their workspaces.
    #[test]
    fn ws3_collaborators_stay_in_their_workspaces(snapshot in snapshot_strategy(1..=2)) {
        let engine = engine_for(&snapshot);
        check_ws3(&snapshot, &engine)?;
    }
}

// ---- MEM-5 / MEM-7: role changes -----------------------------------------------------------

#[derive(Debug, Clone)]
enum NewRole {
    Known(OrgRole),
    Unknown(&'static str),
}

impl NewRole {
    fn text(&self) -> String {
        match self {
            Self::Known(role) => role.as_str().to_owned(),
            Self::Unknown(text) => (*text).to_owned(),
        }
    }
}

fn new_role() -> impl Strategy<Value = NewRole> {
    prop_oneof![
        6 => org_role().prop_map(NewRole::Known),
        1 => proptest::sample::select(vec!["Owner", "superadmin", "", "owner ", "collaborator"]).prop_map(NewRole::Unknown),
    ]
}

fn validate(engine: &Engine, principal: &str, action: &str, resource: EntityRef, input: ActionInput) -> bool {
    engine
        .validate_action(&ActionRequest {
            principal: EntityRef::new("User", principal),
            action: action.to_owned(),
            resource,
            input,
        })
        .valid
}

/// Reloads after a change; the changed snapshot must still be valid (MEM-7 among others).
fn reload(snapshot: &Snapshot) -> Result<Engine, TestCaseError> {
    let mut engine = defaults().clone();
    match engine.load_snapshot(snapshot) {
        Ok(_) => Ok(engine),
        Err(error) => Err(TestCaseError::fail(format!("an allowed change broke the snapshot: {error}"))),
    }
}

/// The actor is usually a member (0..len), sometimes anyone (len..).
fn actor_of(snapshot: &Snapshot, org: &OrganizationRecord, pick: usize) -> String {
    let members = org.members.len();
    if pick % 5 == 4 {
        snapshot.users[pick % snapshot.users.len()].id.clone()
    } else {
        org.members[pick % members].user.clone()
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// MEM-5 / MEM-1 / MEM-7: over random sequences of role changes, each applied only when
    /// `validate_action` says it is valid, nobody raises their own role, only owners grant the
    /// owner role (so an admin becomes owner only through an owner), admins only promote
    /// members to admin, and every org keeps an owner.
    #[test]
    fn mem5_mem7_no_self_escalation_over_role_changes(
        mut snapshot in snapshot_strategy(1..=2),
        steps in prop::collection::vec((any::<usize>(), any::<usize>(), any::<usize>(), new_role()), 1..=10),
    ) {
        let mut engine = engine_for(&snapshot);
        let started_as_admin: Vec<(String, String)> = snapshot
            .organizations
            .iter()
            .flat_map(|o| o.members.iter().filter(|m| m.role == OrgRole::Admin).map(|m| (o.id.clone(), m.user.clone())))
            .collect();
        // (org, target) promoted to owner, and by whom (with the actor's role then).
        let mut made_owner: Vec<(String, String, String, Option<OrgRole>)> = Vec::new();
        for (org_pick, actor_pick, target_pick, role) in steps {
            let o = org_pick % snapshot.organizations.len();
            let org = &snapshot.organizations[o];
            let actor = actor_of(&snapshot, org, actor_pick);
            let target = org.members[target_pick % org.members.len()].user.clone();
            let input = ActionInput { new_role: Some(role.text()), ..Default::default() };
            let membership = EntityRef::new("Membership", membership_id(&org.id, &target));
            if !validate(&engine, &actor, "changeRole", membership, input) {
                continue;
            }
            let NewRole::Known(new) = role else {
                return Err(TestCaseError::fail(format!("MEM-5: `{}` accepted as a role", role.text())));
            };
            let actor_role = role_of(org, &actor);
            let old = role_of(org, &target).unwrap();
            prop_assert!(matches!(actor_role, Some(OrgRole::Owner | OrgRole::Admin)), "MEM-5: {actor} ({actor_role:?}) changed a role");
            if new == OrgRole::Owner {
                prop_assert_eq!(actor_role, Some(OrgRole::Owner), "MEM-1: {} ({:?}) granted owner", actor, actor_role);
            }
            if actor_role == Some(OrgRole::Admin) {
                prop_assert!(old == OrgRole::Member && new == OrgRole::Admin, "MEM-5: admin {actor} changed {target} from {old:?} to {new:?}");
            }
            if actor == target {
                prop_assert!(
                    old == OrgRole::Owner && new != OrgRole::Owner && owner_count(org) > 1,
                    "MEM-5: {actor} changed their own role from {old:?} to {new:?}"
                );
            }
            if new == OrgRole::Owner && old != OrgRole::Owner {
                made_owner.push((org.id.clone(), target.clone(), actor.clone(), actor_role));
            }
            let org = &mut snapshot.organizations[o];
            org.members.iter_mut().find(|m| m.user == target).unwrap().role = new;
            prop_assert!(owner_count(org) >= 1, "MEM-7: {} lost its last owner", org.id);
            engine = reload(&snapshot)?;
        }
        for (org_id, admin) in started_as_admin {
            let org = snapshot.organizations.iter().find(|o| o.id == org_id).unwrap();
            if role_of(org, &admin) == Some(OrgRole::Owner) {
                prop_assert!(
                    made_owner.iter().any(|(o, t, by, by_role)| *o == org_id && *t == admin && *by != admin && *by_role == Some(OrgRole::Owner)),
                    "MEM-5: admin {admin} of {org_id} became owner without an owner making them one: {made_owner:?}"
                );
            }
        }
    }
}

// ---- MEM-7: removals, leaving, demotions ----------------------------------------------------

#[derive(Debug, Clone)]
enum Step {
    ChangeRole { actor: usize, target: usize, role: OrgRole },
    Remove { actor: usize, target: usize, confirmed: bool },
    Leave { actor: usize, confirmed: bool },
}

fn step() -> impl Strategy<Value = Step> {
    let confirmed = || prop::bool::weighted(0.8);
    prop_oneof![
        (any::<usize>(), any::<usize>(), org_role()).prop_map(|(actor, target, role)| Step::ChangeRole {
            actor,
            target,
            role
        }),
        (any::<usize>(), any::<usize>(), confirmed()).prop_map(|(actor, target, confirmed)| Step::Remove {
            actor,
            target,
            confirmed
        }),
        (any::<usize>(), confirmed()).prop_map(|(actor, confirmed)| Step::Leave { actor, confirmed }),
    ]
}

/// Takes `user` out of `org` everywhere membership is required (teams, participants,
/// contributors), as an application would after a removal.
fn remove_member(org: &mut OrganizationRecord, user: &str) {
    org.members.retain(|m| m.user != user);
    for team in &mut org.teams {
        team.members.retain(|m| m != user);
    }
    for workspace in &mut org.workspaces {
        workspace.participants.retain(|p| p.user.as_deref() != Some(user));
    }
    for algorithm in &mut org.algorithms {
        algorithm.contributors.retain(|c| c != user);
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// MEM-7 (with MEM-6, MEM-8, MEM-10): after any sequence of allowed removeMember,
    /// leaveOrganization and changeRole steps, each validated with its typed confirmation,
    /// every org still has at least one owner; a wrong confirmation is never valid; nobody
    /// removes themselves; removing an admin or owner takes an owner.
    #[test]
    fn mem7_every_org_keeps_an_owner(
        mut snapshot in snapshot_strategy(1..=2),
        steps in prop::collection::vec((any::<usize>(), step()), 1..=10),
    ) {
        let mut engine = engine_for(&snapshot);
        for (org_pick, step) in steps {
            let o = org_pick % snapshot.organizations.len();
            let org = &snapshot.organizations[o];
            if org.members.is_empty() {
                continue;
            }
            let owners = owner_count(org);
            match step {
                Step::ChangeRole { actor, target, role } => {
                    let actor = actor_of(&snapshot, org, actor);
                    let target = org.members[target % org.members.len()].user.clone();
                    let input = ActionInput { new_role: Some(role.as_str().to_owned()), ..Default::default() };
                    let membership = EntityRef::new("Membership", membership_id(&org.id, &target));
                    if validate(&engine, &actor, "changeRole", membership, input) {
                        let old = role_of(org, &target).unwrap();
                        prop_assert!(!(old == OrgRole::Owner && role != OrgRole::Owner && owners <= 1), "MEM-7: the last owner {target} was demoted by {actor}");
                        let org = &mut snapshot.organizations[o];
                        org.members.iter_mut().find(|m| m.user == target).unwrap().role = role;
                    } else {
                        continue;
                    }
                }
                Step::Remove { actor, target, confirmed } => {
                    let actor = actor_of(&snapshot, org, actor);
                    let target = org.members[target % org.members.len()].user.clone();
                    let target_index: usize = target[1..].parse().unwrap();
                    let confirmation = if confirmed { email(target_index).to_uppercase() } else { format!("not-{}", email(target_index)) };
                    let input = ActionInput { confirmation: Some(confirmation), ..Default::default() };
                    let membership = EntityRef::new("Membership", membership_id(&org.id, &target));
                    if validate(&engine, &actor, "removeMember", membership, input) {
                        prop_assert!(confirmed, "MEM-8: {actor} removed {target} without the right confirmation");
                        prop_assert_ne!(&actor, &target, "MEM-10: {} removed themselves", actor);
                        let old = role_of(org, &target).unwrap();
                        if old != OrgRole::Member {
                            prop_assert_eq!(role_of(org, &actor), Some(OrgRole::Owner), "MEM-6: {} removed {} ({:?})", actor, target, old);
                        }
                        prop_assert!(!(old == OrgRole::Owner && owners <= 1), "MEM-7: the last owner {target} was removed");
                        remove_member(&mut snapshot.organizations[o], &target);
                    } else {
                        continue;
                    }
                }
                Step::Leave { actor, confirmed } => {
                    let actor = actor_of(&snapshot, org, actor);
                    let confirmation = if confirmed { org.name.clone() } else { org.id.clone() };
                    let input = ActionInput { confirmation: Some(confirmation), ..Default::default() };
                    if validate(&engine, &actor, "leaveOrganization", EntityRef::new("Organization", &org.id), input) {
                        prop_assert!(confirmed, "MEM-8: {actor} left without typing the org's name");
                        let role = role_of(org, &actor);
                        prop_assert!(role.is_some(), "MEM-10: non-member {actor} left {}", org.id);
                        prop_assert!(!(role == Some(OrgRole::Owner) && owners <= 1), "MEM-7: the last owner {actor} left");
                        remove_member(&mut snapshot.organizations[o], &actor);
                    } else {
                        continue;
                    }
                }
            }
            for org in &snapshot.organizations {
                prop_assert!(owner_count(org) >= 1, "MEM-7: {} has no owner left", org.id);
            }
            engine = reload(&snapshot)?;
        }
    }
}

// ---- SEC-4: malformed snapshots ------------------------------------------------------------

#[derive(Debug, Clone)]
enum Mutation {
    /// Drop a key of the n-th object.
    DropField(usize, usize),
    /// Replace the n-th value with one of another type.
    WrongType(usize, usize),
    /// Replace the n-th value with a string.
    RandomString(usize, String),
    /// Cut the text at this fraction of its length (per mille).
    Truncate(usize),
    /// Insert a character at this fraction of the text (per mille).
    Insert(usize, char),
}

fn interesting_string() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "",
            "owner",
            "admin",
            "u0",
            "u1",
            "o0",
            "o1",
            "o0-w0",
            "o0-t0",
            "u0@x.test",
            "hipaa",
            "published",
            "algorithms:call",
            "o0/u0",
            "o0#owner",
            " ",
            "\u{0}",
            "🦀",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,12}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), any::<usize>()).prop_map(|(n, k)| Mutation::DropField(n, k)),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(n, k)| Mutation::WrongType(n, k)),
        3 => (any::<usize>(), interesting_string()).prop_map(|(n, s)| Mutation::RandomString(n, s)),
        1 => (0usize..1000).prop_map(Mutation::Truncate),
        1 => (0usize..1000, proptest::sample::select(vec!['{', '}', '[', ']', '"', ',', ':', '\\', 'x', '0']))
            .prop_map(|(at, c)| Mutation::Insert(at, c)),
    ]
}

/// Pointers to every value of a JSON tree, in document order.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(child, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn mutate(json: &Value, mutations: &[Mutation]) -> String {
    let mut value = json.clone();
    let mut text_edits = Vec::new();
    for mutation in mutations {
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        match mutation {
            Mutation::DropField(n, k) => {
                let objects: Vec<&String> =
                    all.iter().filter(|p| value.pointer(p).is_some_and(Value::is_object)).collect();
                if let Some(pointer) = objects.get(n % objects.len().max(1)).map(|p| (*p).clone()) {
                    if let Some(Value::Object(map)) = value.pointer_mut(&pointer) {
                        if let Some(key) = map.keys().nth(k % map.len().max(1)).cloned() {
                            map.remove(&key);
                        }
                    }
                }
            }
            Mutation::WrongType(n, k) => {
                let pointer = all[n % all.len()].clone();
                let target = value.pointer_mut(&pointer).unwrap();
                let replacement = match (target.clone(), k % 6) {
                    (Value::String(_), 0) | (Value::Bool(_), 0) => json!(7),
                    (_, 0) => json!("seven"),
                    (_, 1) => json!(null),
                    (Value::Array(_), 2) => json!({}),
                    (_, 2) => json!([]),
                    (Value::Bool(b), 3) => json!(if b { "true" } else { "false" }),
                    (_, 3) => json!(true),
                    (_, 4) => json!(-1),
                    _ => json!({ "unexpected": 1 }),
                };
                *target = replacement;
            }
            Mutation::RandomString(n, s) => {
                let pointer = all[n % all.len()].clone();
                *value.pointer_mut(&pointer).unwrap() = json!(s);
            }
            Mutation::Truncate(_) | Mutation::Insert(..) => text_edits.push(mutation.clone()),
        }
    }
    let mut text = value.to_string();
    for edit in text_edits {
        let at = |per_mille: usize, text: &str| {
            let mut at = text.len() * per_mille / 1000;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match edit {
            Mutation::Truncate(p) => text.truncate(at(p, &text)),
            Mutation::Insert(p, c) => {
                let at = at(p, &text);
                text.insert(at, c);
            }
            _ => {}
        }
    }
    text
}

/// A fixed sample of checks over the users and resources of the given snapshots.
/// (principal, resource, every applicable action with its answer).
type ProbeRow = (String, String, Vec<(String, bool)>);

fn probe(engine: &Engine, snapshots: &[&Snapshot]) -> Vec<ProbeRow> {
    let mut out = Vec::new();
    for snapshot in snapshots {
        for user in snapshot.users.iter().take(4) {
            let principal = EntityRef::new("User", &user.id);
            for org in &snapshot.organizations {
                for resource in org_resources(org).into_iter().take(8) {
                    let answer = match engine.allowed_actions(&principal, &resource) {
                        Ok(outcomes) => {
                            outcomes.into_iter().map(|o| (o.action, o.decision.allowed())).collect()
                        }
                        Err(error) => vec![(error.code().to_string(), false)],
                    };
                    out.push((user.id.clone(), resource.to_string(), answer));
                }
            }
        }
    }
    out.push(("entities".to_owned(), engine.entities().iter().count().to_string(), Vec::new()));
    out
}

proptest! {
    #![proptest_config(config(48))]

    /// SEC-4: a mutated snapshot (dropped fields, wrong types, random strings, truncated or
    /// garbled text) either loads whole and consistently (the same store a fresh engine builds
    /// from it, and SEC-2 holds for it), or is refused with an error and the previous store
    /// kept: every decision as before.
    #[test]
    fn sec4_malformed_snapshots_load_whole_or_not_at_all(
        before in snapshot_strategy(1..=2),
        next in snapshot_strategy(1..=2),
        mutations in prop::collection::vec(mutation(), 1..=3),
    ) {
        let mut engine = engine_for(&before);
        // Baseline: the JSON form loads the same store as the typed one.
        let mut via_json = defaults().clone();
        via_json.load_snapshot_json(&serde_json::to_string(&before).unwrap()).unwrap();
        prop_assert_eq!(probe(&via_json, &[&before]), probe(&engine, &[&before]));

        let text = mutate(&serde_json::to_value(&next).unwrap(), &mutations);
        let kept = probe(&engine, &[&before, &next]);
        match engine.load_snapshot_json(&text) {
            Err(error) => {
                prop_assert!(
                    matches!(error.code(), ErrorCode::InvalidJson | ErrorCode::InvalidSnapshot | ErrorCode::InvalidEntities | ErrorCode::LimitExceeded),
                    "unexpected error {error}"
                );
                prop_assert_eq!(probe(&engine, &[&before, &next]), kept, "a refused snapshot changed the store");
            }
            Ok(count) => {
                let loaded: Snapshot = serde_json::from_str(&text)
                    .map_err(|e| TestCaseError::fail(format!("loaded text that is not a snapshot: {e}")))?;
                let fresh = engine_for(&loaded);
                prop_assert_eq!(fresh.entities().iter().count(), count);
                prop_assert_eq!(probe(&engine, &[&before, &next, &loaded]), probe(&fresh, &[&before, &next, &loaded]));
                check_sec2_users(&loaded, &engine)?;
                check_ws3(&loaded, &engine)?;
            }
        }
    }
}

// ---- SEC-4: malformed requests -------------------------------------------------------------

/// A reference that is either an existing entity (by index) or a random one.
#[derive(Debug, Clone)]
enum RefChoice {
    Existing(usize),
    Garbled(usize, usize),
    Random(String, String),
}

fn ref_choice() -> impl Strategy<Value = RefChoice> {
    let types = proptest::sample::select(vec![
        "User",
        "ApiKey",
        "Organization",
        "Workspace",
        "Algorithm",
        "AlgorithmVersion",
        "Membership",
        "Team",
        "Invitation",
        "Platform",
        "OrgRole",
        "WorkspaceRole",
        "Action",
        "user",
        "User ",
        "::User",
        "",
        "Ghost",
    ]);
    prop_oneof![
        4 => any::<usize>().prop_map(RefChoice::Existing),
        2 => (any::<usize>(), 0usize..6).prop_map(|(n, how)| RefChoice::Garbled(n, how)),
        2 => (types, interesting_string()).prop_map(|(t, id)| RefChoice::Random(t.to_owned(), id)),
    ]
}

#[derive(Debug, Clone)]
enum ActionChoice {
    Known(usize),
    Odd(String),
}

fn action_choice() -> impl Strategy<Value = ActionChoice> {
    prop_oneof![
        4 => any::<usize>().prop_map(ActionChoice::Known),
        2 => proptest::sample::select(vec![
            "memberOnly", "algorithms:read", "algorithms:call", "profile:read", "ViewOrganization", "viewOrganization ",
            " deleteOrganization", "Action::\"viewOrganization\"", "", "*", "viewAlgorithm\u{0}",
        ]).prop_map(|s| ActionChoice::Odd(s.to_owned())),
        1 => "\\PC{0,16}".prop_map(ActionChoice::Odd),
    ]
}

/// Every principal and resource of a snapshot, plus the platform.
fn all_refs(snapshot: &Snapshot) -> Vec<EntityRef> {
    let mut out: Vec<EntityRef> = snapshot.users.iter().map(|u| EntityRef::new("User", &u.id)).collect();
    out.push(EntityRef::new("Platform", "platform"));
    for org in &snapshot.organizations {
        out.extend(org_resources(org));
    }
    out
}

fn resolve(choice: &RefChoice, refs: &[EntityRef]) -> EntityRef {
    match choice {
        RefChoice::Existing(n) => refs[n % refs.len()].clone(),
        RefChoice::Garbled(n, how) => {
            let base = &refs[n % refs.len()];
            match how {
                0 => EntityRef::new(base.entity_type.to_lowercase(), &base.id),
                1 => EntityRef::new(&base.entity_type, base.id.to_uppercase()),
                2 => EntityRef::new(&base.entity_type, format!("{} ", base.id)),
                3 => EntityRef::new(&base.entity_type, format!("{}\"", base.id)),
                4 => EntityRef::new(format!("orgwarden::{}", base.entity_type), &base.id),
                _ => EntityRef::new(&base.entity_type, format!("{}/x", base.id)),
            }
        }
        RefChoice::Random(entity_type, id) => EntityRef::new(entity_type, id),
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// SEC-4: random entity references and action names never allow unless they name an
    /// existing principal and resource and a real action, in which case the decision is the
    /// one of the well-formed request; the JSON twin answers the same, and refuses unknown
    /// fields.
    #[test]
    fn sec4_random_references_never_allow(
        snapshot in snapshot_strategy(1..=2),
        requests in prop::collection::vec((ref_choice(), action_choice(), ref_choice(), any::<bool>()), 16),
    ) {
        let engine = engine_for(&snapshot);
        let refs = all_refs(&snapshot);
        let known: HashSet<&EntityRef> = refs.iter().collect();
        let actions = action_names();
        for (p, a, r, extra_field) in requests {
            let principal = resolve(&p, &refs);
            let resource = resolve(&r, &refs);
            let action = match a {
                ActionChoice::Known(n) => actions[n % actions.len()].clone(),
                ActionChoice::Odd(s) => s,
            };
            let decision = engine.check(&principal, &action, &resource, None);
            let well_formed = known.contains(&principal)
                && matches!(principal.entity_type.as_str(), "User" | "ApiKey")
                && known.contains(&resource)
                && actions.contains(&action);
            if !well_formed {
                prop_assert!(!decision.allowed(), "SEC-4: {principal} {action} {resource} allowed");
                prop_assert!(matches!(decision, Decision::Failure(_)), "{principal} {action} {resource}: {decision:?}");
            } else if decision.allowed() {
                // The same request, built from the snapshot's own records.
                let canonical_p = refs.iter().find(|x| **x == principal).unwrap();
                let canonical_r = refs.iter().find(|x| **x == resource).unwrap();
                prop_assert!(engine.check(canonical_p, &action, canonical_r, None).allowed());
            }
            let mut call = json!({ "principal": principal, "action": action, "resource": resource });
            if extra_field {
                call["note"] = json!("x");
            }
            let answer: Value = serde_json::from_str(&orgwarden::ffi::check_json(&engine, &call.to_string())).unwrap();
            if extra_field {
                prop_assert_eq!(&answer["type"], "failure");
                prop_assert_eq!(&answer["allowed"], false);
            } else {
                prop_assert_eq!(answer, serde_json::to_value(&decision).unwrap());
            }
        }
    }
}

// ---- SEC-4: random context ------------------------------------------------------------------

fn context_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        interesting_string().prop_map(Value::from),
        proptest::sample::select(vec![
            "owner",
            "admin",
            "member",
            "org-0",
            "org-1",
            "t0",
            "t1",
            "u0@x.test",
            "U1@X.TEST"
        ])
        .prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn context() -> impl Strategy<Value = Value> {
    let keys = proptest::sample::select(vec![
        "role",
        "newRole",
        "confirmation",
        "acceptedTermsVersion",
        "invitedByEmail",
        "inviteeHasAccount",
        "candidateInOrg",
        "principal",
        "x",
    ]);
    prop::collection::btree_map(keys, context_value(), 0..4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

proptest! {
    #![proptest_config(config(64))]

    /// SEC-4: a random context never turns a deny into an allow: whatever the context, an
    /// action denied under an empty context stays denied.
    #[test]
    fn sec4_random_context_never_turns_deny_into_allow(
        snapshot in snapshot_strategy(1..=2),
        requests in prop::collection::vec((any::<usize>(), any::<usize>(), any::<usize>(), context()), 24),
    ) {
        let engine = engine_for(&snapshot);
        let refs = all_refs(&snapshot);
        let principals: Vec<&EntityRef> =
            refs.iter().filter(|r| matches!(r.entity_type.as_str(), "User" | "ApiKey")).collect();
        for (p, r, a, context) in requests {
            let principal = principals[p % principals.len()];
            let resource = &refs[r % refs.len()];
            // An action that applies to this pair, so that the empty-context check evaluates.
            let outcomes = engine.allowed_actions(principal, resource).unwrap();
            if outcomes.is_empty() {
                continue;
            }
            let outcome = &outcomes[a % outcomes.len()];
            if outcome.decision.allowed() {
                continue;
            }
            let with_context = engine.check(principal, &outcome.action, resource, Some(context.clone()));
            prop_assert!(
                !with_context.allowed(),
                "SEC-4: context {context} turned {principal} {} {resource} into an allow",
                outcome.action
            );
        }
    }
}

// ---- SEC-4: the same request, the same answer ------------------------------------------------

proptest! {
    #![proptest_config(config(32))]

    /// SEC-4 (a clear answer): a decision, with its deciding policies, its reason and its
    /// rule, depends only on the request and the store. Cedar reports deciding policies as a
    /// set; asked twice, a check that several policies decide must not change its reason,
    /// its rule or its violations.
    #[test]
    fn sec4_same_request_same_answer(snapshot in snapshot_strategy(1..=2)) {
        let engine = engine_for(&snapshot);
        let refs = all_refs(&snapshot);
        for principal in refs.iter().filter(|r| matches!(r.entity_type.as_str(), "User" | "ApiKey")).take(6) {
            for resource in &refs {
                let first = serde_json::to_value(engine.allowed_actions(principal, resource).unwrap()).unwrap();
                let again = serde_json::to_value(engine.allowed_actions(principal, resource).unwrap()).unwrap();
                prop_assert_eq!(first, again, "{} on {}", principal, resource);
            }
        }
    }
}

// ---- rows: many actions at once decide as one check each --------------------------------------

proptest! {
    #![proptest_config(config(24))]

    /// `allowedActions` and `matrix` evaluate each policy once per resource instead of once
    /// per action: every answer they give, reason and deciding policies included, must be the
    /// one `check` gives for that action alone. Non-compliant users (SEC-3, whose forbids
    /// read the action), revoked keys and outsiders are all in the generated orgs.
    #[test]
    fn rows_decide_every_action_as_a_single_check_would(snapshot in snapshot_strategy(1..=2)) {
        let engine = engine_for(&snapshot);
        let refs = all_refs(&snapshot);
        let actions: Vec<String> = engine.catalog().actions().iter().map(|a| a.name.clone()).collect();
        for principal in refs.iter().filter(|r| matches!(r.entity_type.as_str(), "User" | "ApiKey")) {
            for resource in &refs {
                for outcome in engine.allowed_actions(principal, resource).unwrap() {
                    let single = engine.check(principal, &outcome.action, resource, None);
                    prop_assert_eq!(
                        serde_json::to_value(&outcome.decision).unwrap(),
                        serde_json::to_value(&single).unwrap(),
                        "{} {} {}", principal, outcome.action, resource
                    );
                }
            }
            let matrix = engine.matrix(principal, &refs, &actions).unwrap();
            for (row, resource) in matrix.rows.iter().zip(&refs) {
                for (cell, action) in row.cells.iter().zip(&actions) {
                    let single = orgwarden::MatrixCell::from(engine.check(principal, action, resource, None));
                    prop_assert_eq!(
                        serde_json::to_value(cell).unwrap(),
                        serde_json::to_value(&single).unwrap(),
                        "matrix cell {} {} {}", principal, action, resource
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// Under the embedded schema a snapshot load skips Cedar's conformance check, a third of a
    /// cold load. That is sound only because the snapshot's entities always conform, and the
    /// store then holds exactly what a checked load would: the same attributes, tags and
    /// ancestors (Cedar's `==` on entities compares only their uids).
    #[test]
    fn snapshot_entities_conform_to_the_embedded_schema(snapshot in snapshot_strategy(1..=3)) {
        let schema = orgwarden::policies::default_schema().unwrap();
        let entities = orgwarden::snapshot::snapshot_entities(&snapshot).unwrap().into_entities();
        let checked = cedar_policy::Entities::from_entities(entities, Some(&schema));
        prop_assert!(checked.is_ok(), "{:?}", checked.err());
        let checked = checked.unwrap();
        let engine = engine_for(&snapshot);
        prop_assert_eq!(engine.entities().len(), checked.len());
        for entity in checked.iter() {
            let loaded = engine.entities().get(&entity.uid());
            prop_assert!(loaded.is_some_and(|loaded| loaded.deep_eq(entity)), "{} differs", entity.uid());
        }
    }

    /// A snapshot load gives Cedar each entity's ancestors already closed, and Cedar only
    /// verifies that closure. The ancestors must be exactly those Cedar computes from the
    /// entities' parents: one too many would grant a role, one missing would skip a forbid.
    #[test]
    fn snapshot_ancestors_are_the_closure_cedar_computes(snapshot in snapshot_strategy(1..=3)) {
        let given = orgwarden::snapshot::snapshot_entities(&snapshot).unwrap().into_entities();
        let parents_only = given.iter().map(|entity| {
            let entity: &cedar_policy_core::ast::Entity = entity.as_ref();
            cedar_policy::Entity::from(cedar_policy_core::ast::Entity::new_with_attr_partial_value(
                entity.uid().clone(),
                [],
                HashSet::new(),
                entity.parents().cloned().collect(),
                [],
            ))
        });
        let closed = cedar_policy::Entities::from_entities(parents_only, None).unwrap();
        let engine = engine_for(&snapshot);
        for entity in &given {
            let uid = entity.uid();
            let computed: HashSet<_> = closed.ancestors(&uid).into_iter().flatten().collect();
            let loaded: HashSet<_> = engine.entities().ancestors(&uid).into_iter().flatten().collect();
            prop_assert_eq!(&loaded, &computed, "ancestors of {}", uid);
            prop_assert!(!computed.contains(&uid));
        }
    }
}

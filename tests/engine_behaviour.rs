//! The engine around the rules: fail-closed input (SEC-4), raw entities, incremental updates,
//! UI-gating listings, custom policies, and the annotations of the default policy set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::Path;
use std::str::FromStr;

use common::*;
use orgwarden::actions::{RuleViolation, ViolationCode};
use orgwarden::snapshot::OrgRole;
use orgwarden::{
    ActionInput, ActionRequest, Decision, Engine, EngineOptions, EntityRef, Error, ErrorCode, MatrixCell,
    PolicyEffect, PolicyInfo, PolicySource, Snapshot, SnapshotRequirements,
};
use serde_json::json;

/// Every rule id of the catalogue `docs/rules.md`, in its order. The catalogue is checked
/// against this list, so a rule cannot drop out of it unnoticed.
const RULE_IDS: &[&str] = &[
    "ORG-1", "ORG-2", "ORG-3", "ORG-4", "MEM-1", "MEM-2", "MEM-3", "MEM-4", "MEM-5", "MEM-6", "MEM-7",
    "MEM-8", "MEM-9", "MEM-10", "TEAM-1", "TEAM-2", "TEAM-3", "TEAM-4", "WS-1", "WS-2", "WS-3", "WS-4",
    "ALG-1", "ALG-2", "ALG-3", "ALG-4", "ALG-5", "KEY-1", "KEY-2", "BILL-1", "BILL-2", "BILL-3", "SEC-1",
    "SEC-2", "SEC-3", "SEC-4",
];

fn rule_ids() -> Vec<&'static str> {
    RULE_IDS.to_vec()
}

/// The repository's rule catalogue, `docs/rules.md`.
fn rules_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `XXX-N`: capitals, a hyphen, digits.
fn is_rule_id(word: &str) -> bool {
    word.split_once('-').is_some_and(|(family, n)| {
        !family.is_empty()
            && family.chars().all(|c| c.is_ascii_uppercase())
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
    })
}

/// One rule of the catalogue: a `### <ID> <title>` heading, the `## ...` group heading it sits
/// under, and its `- **<label>:** <text>` bullets (a bullet runs on over its continuation
/// lines, up to the next bullet, heading or blank line).
#[derive(Debug)]
struct CatalogueRule {
    id: String,
    group: String,
    bullets: Vec<(String, String)>,
}

impl CatalogueRule {
    /// The text of the rule's one bullet labelled `label`.
    #[track_caller]
    fn field(&self, label: &str) -> &str {
        let found: Vec<&str> =
            self.bullets.iter().filter(|(l, _)| l == label).map(|(_, text)| text.as_str()).collect();
        assert_eq!(
            found.len(),
            1,
            "{}: needs exactly one `- **{label}:**` bullet: {:?}",
            self.id,
            self.bullets
        );
        assert!(!found[0].trim().is_empty(), "{}: the {label} bullet is empty", self.id);
        found[0]
    }
}

fn catalogue(text: &str) -> Vec<CatalogueRule> {
    let mut rules: Vec<CatalogueRule> = Vec::new();
    let mut group = String::new();
    // Whether the lines being read belong to the last rule of `rules`.
    let mut in_rule = false;
    let mut bullet: Option<(String, String)> = None;
    for line in text.lines().chain(std::iter::once("")) {
        let trimmed = line.trim();
        let ends_bullet = trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("- ");
        if !ends_bullet {
            if let Some((_, body)) = bullet.as_mut() {
                body.push(' ');
                body.push_str(trimmed);
            }
            continue;
        }
        if let Some(done) = bullet.take() {
            rules.last_mut().unwrap().bullets.push(done);
        }
        if trimmed.starts_with('#') {
            in_rule = false;
        }
        if let Some(heading) = line.strip_prefix("## ") {
            group = heading.trim().to_owned();
        } else if let Some(heading) = line.strip_prefix("### ") {
            if let Some(id) = heading.split_whitespace().next().filter(|w| is_rule_id(w)) {
                rules.push(CatalogueRule { id: id.to_owned(), group: group.clone(), bullets: Vec::new() });
                in_rule = true;
            }
        } else if let Some(rest) = trimmed.strip_prefix("- **").filter(|_| in_rule) {
            if let Some((label, body)) = rest.split_once(":**") {
                bullet = Some((label.to_owned(), body.trim().to_owned()));
            }
        }
    }
    rules
}

/// The text between backquotes: `a` and `b` in "x `a` y `b`".
fn backquoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Looks like a default policy id: a rule family in lower case with its number, then a hyphen
/// (`mem7-last-owner-stays`).
fn looks_like_policy_id(word: &str) -> bool {
    let letters = word.chars().take_while(char::is_ascii_lowercase).count();
    let rest = &word[letters..];
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    letters > 0 && digits > 0 && rest[digits..].starts_with('-')
}

/// Whether `text` names rule `id` (`MEM-1`, but not as the start of `MEM-10`) or has a test
/// named by it (`fn mem1_`).
fn mentions_rule(text: &str, id: &str) -> bool {
    let named = text
        .match_indices(id)
        .any(|(at, _)| !text[at + id.len()..].starts_with(|c: char| c.is_ascii_digit()));
    named || text.contains(&format!("fn {}_", id.to_lowercase().replace('-', "")))
}

fn store_size(engine: &Engine) -> usize {
    engine.entities().len()
}

#[track_caller]
fn assert_refused_and_unchanged(engine: &mut Engine, snapshot: &Snapshot, code: ErrorCode) {
    let before = store_size(engine);
    let error = engine.load_snapshot(snapshot).unwrap_err();
    assert_eq!(error.code(), code, "{error}");
    assert_eq!(store_size(engine), before);
    // The fixture is still the one answering.
    assert_allowed(&check(engine, &user("alice"), "deleteOrganization", &org("acme")));
    assert_allowed(&check(engine, &user("frank"), "launchCompute", &workspace("ws-research")));
}

// ---- fail-closed input (SEC-4) ----------------------------------------------------------

#[test]
fn sec4_snapshot_json_loads_and_counts_entities() {
    let mut engine = Engine::with_defaults().unwrap();
    let count = engine.load_snapshot_json(&snapshot_json().to_string()).unwrap();
    assert_eq!(count, store_size(&engine));
    assert!(count > 50);
    assert_allowed(&check(&engine, &user("alice"), "deleteOrganization", &org("acme")));
}

#[test]
fn sec4_a_snapshot_loaded_for_one_organization_must_describe_it_alone() {
    let fixture = snapshot();
    let acme = orgwarden::snapshot::organization_snapshot(&fixture, "acme").unwrap();
    let globex = orgwarden::snapshot::organization_snapshot(&fixture, "globex").unwrap();
    let for_acme =
        SnapshotRequirements { organization: Some("acme".to_owned()), ..SnapshotRequirements::default() };
    let mut engine = Engine::with_defaults().unwrap();
    let count = engine.load_snapshot_within(&acme, &for_acme).unwrap();
    assert_eq!(count, store_size(&engine));
    assert_allowed(&check(&engine, &user("alice"), "deleteOrganization", &org("acme")));

    // Another org, several with it among them, none: refused, and acme's store still answers.
    let mut none = acme.clone();
    none.organizations.clear();
    let held_all = r#"holds the organizations ["acme","globex","sam"]"#;
    let held_other = r#"holds the organizations ["globex"]"#;
    for (snapshot, held) in [(&globex, held_other), (&fixture, held_all), (&none, "holds no organization")] {
        let error = engine.load_snapshot_within(snapshot, &for_acme).unwrap_err();
        assert_eq!(error.code(), ErrorCode::OrgMismatch, "{error}");
        assert!(
            error.to_string().starts_with("the snapshot was loaded for organization `acme` alone"),
            "{error}"
        );
        assert!(error.to_string().ends_with(held), "{error}");
        assert_eq!(store_size(&engine), count);
        assert_allowed(&check(&engine, &user("alice"), "deleteOrganization", &org("acme")));
    }
    // A file of many tenants names how many, and the first three only; it is refused before
    // the rest of it is checked (these orgs have no owner).
    let many: Vec<serde_json::Value> =
        (1..=500).map(|i| json!({ "id": format!("o{i}"), "name": format!("o{i}"), "members": [] })).collect();
    let many = json!({ "organizations": many }).to_string();
    let error = engine.load_snapshot_json_within(&many, &for_acme).unwrap_err();
    assert_eq!(error.code(), ErrorCode::OrgMismatch, "{error}");
    assert!(
        error.to_string().ends_with(r#"holds 500 organizations, the first 3 ["o1","o2","o3"]"#),
        "{error}"
    );
    // The JSON path holds it too, and the requirement is checked before the entity budget.
    let both = serde_json::to_string(&fixture).unwrap();
    let tight = SnapshotRequirements { max_entities: Some(1), ..for_acme.clone() };
    let error = engine.load_snapshot_json_within(&both, &tight).unwrap_err();
    assert_eq!(error.code(), ErrorCode::OrgMismatch, "{error}");
    // Without the requirement, any snapshot loads as before.
    assert!(engine.load_snapshot_within(&fixture, &SnapshotRequirements::default()).is_ok());
    assert_allowed(&check(&engine, &user("ivan"), "viewOrganization", &org("globex")));
}

#[test]
fn sec4_an_upsert_into_a_store_that_serves_one_organization_holds_that_org_alone() {
    let fixture = snapshot();
    let acme = orgwarden::snapshot::organization_snapshot(&fixture, "acme").unwrap();
    let for_acme =
        SnapshotRequirements { organization: Some("acme".to_owned()), ..SnapshotRequirements::default() };
    let mut engine = Engine::with_defaults().unwrap();
    let count = engine.load_snapshot_within(&acme, &for_acme).unwrap();
    // Every entity of the whole fixture (three orgs), upserted one at a time: an org's entity
    // is one that is that `Organization`, whose `org` names it, or whose id does (memberships,
    // org roles); users and workspace roles belong to none.
    let everything = engine_with(&fixture).entities().to_json_value().unwrap();
    let (mut accepted, mut refused) = (0, 0);
    for entity in everything.as_array().unwrap() {
        let kind = entity["uid"]["type"].as_str().unwrap();
        if kind == "Action" {
            continue;
        }
        let org_of = if kind == "Organization" { Some(&entity["uid"]) } else { entity["attrs"].get("org") };
        // An entity reference in `attrs` is written `{ "__entity": { type, id } }`.
        let id = entity["uid"]["id"].as_str().unwrap();
        // Memberships and org roles name their org in their ids: `acme/…`, `acme#…`.
        let named_by_id = match kind {
            "Membership" => id.split_once('/').map(|(org, _)| org),
            "OrgRole" => id.split_once('#').map(|(org, _)| org),
            _ => None,
        };
        let belongs = org_of.is_none_or(|org| org.get("__entity").unwrap_or(org)["id"] == "acme")
            && named_by_id.is_none_or(|org| org == "acme");
        let answer = engine.upsert_entities_json_within(&json!([entity]).to_string(), Some("acme"));
        if belongs {
            assert!(answer.is_ok(), "{entity}: {answer:?}");
            accepted += 1;
        } else {
            let error = answer.expect_err(&entity.to_string());
            assert_eq!(error.code(), ErrorCode::OrgMismatch, "{error}");
            assert!(error.to_string().starts_with("this store serves organization `acme` alone"), "{error}");
            refused += 1;
        }
        // Refused or not, no other org's entity is in the store.
        assert_eq!(
            check(&engine, &user("alice"), "viewOrganization", &org("globex")).errors()[0].code,
            ErrorCode::UnknownResource
        );
    }
    assert!(accepted > 50 && refused > 10, "{accepted} accepted, {refused} refused");
    // Users of other orgs were accepted; acme's decisions are unchanged.
    assert!(store_size(&engine) > count);
    assert_allowed(&check(&engine, &user("alice"), "deleteOrganization", &org("acme")));
    // acme itself, made to belong to globex, is refused too.
    let mut acme_of_globex = everything
        .as_array()
        .unwrap()
        .iter()
        .find(|entity| entity["uid"] == json!({ "type": "Organization", "id": "acme" }))
        .unwrap()
        .clone();
    acme_of_globex["attrs"]["org"] = json!({ "__entity": { "type": "Organization", "id": "globex" } });
    let error =
        engine.upsert_entities_json_within(&json!([acme_of_globex]).to_string(), Some("acme")).unwrap_err();
    assert_eq!(error.code(), ErrorCode::OrgMismatch, "{error}");
    assert!(
        error.to_string().ends_with(r#"holds Organization::"acme" of organization Organization::"globex""#),
        "{error}"
    );
    // A membership or org role whose id names globex (`membership_id`, `{org}#{role}`) is
    // refused though its `org` says acme: an app that asks about globex's membership under
    // acme's routing must not find one there.
    let membership = |id: &str| {
        json!({
            "uid": { "type": "Membership", "id": id },
            "attrs": {
                "org": { "__entity": { "type": "Organization", "id": "acme" } },
                "member": { "__entity": { "type": "User", "id": "dave" } },
                "role": "member",
                "email": "dave@example.com",
            },
            "parents": [],
        })
    };
    let role = |id: &str| json!({ "uid": { "type": "OrgRole", "id": id }, "attrs": {}, "parents": [] });
    let globex_membership = orgwarden::snapshot::membership_id("globex", "oscar");
    for (entity, found) in [
        (
            membership(&globex_membership),
            r#"Membership::"globex/oscar", whose id names organization `globex`"#,
        ),
        (role("globex#owner"), r#"OrgRole::"globex#owner", whose id names organization `globex`"#),
    ] {
        let error =
            engine.upsert_entities_json_within(&json!([entity]).to_string(), Some("acme")).unwrap_err();
        assert_eq!(error.code(), ErrorCode::OrgMismatch, "{error}");
        assert!(error.to_string().ends_with(&format!("holds {found}")), "{error}");
    }
    for entity in [membership("acme/dave"), membership("no-org-named"), role("acme#owner")] {
        assert!(
            engine.upsert_entities_json_within(&json!([entity]).to_string(), Some("acme")).is_ok(),
            "{entity}"
        );
    }
    // The message names the entity and the org it belongs to; a batch is refused whole.
    let globex_team = json!({
        "uid": { "type": "Team", "id": "gx-team" },
        "attrs": { "org": { "type": "Organization", "id": "globex" }, "name": "gx", "complianceLabels": [] },
        "parents": [],
    });
    let acme_team = json!({
        "uid": { "type": "Team", "id": "new-acme-team" },
        "attrs": { "org": { "type": "Organization", "id": "acme" }, "name": "new", "complianceLabels": [] },
        "parents": [],
    });
    let before = store_size(&engine);
    let error = engine
        .upsert_entities_json_within(&json!([acme_team, globex_team]).to_string(), Some("acme"))
        .unwrap_err();
    assert!(
        error.to_string().ends_with(r#"holds Team::"gx-team" of organization Organization::"globex""#),
        "{error}"
    );
    assert_eq!(store_size(&engine), before);
    // Without an organization, an upsert takes any org's entities, as before.
    assert!(engine.upsert_entities_json(&json!([globex_team]).to_string()).is_ok());
}

#[test]
fn sec4_malformed_snapshot_json_is_refused() {
    let mut engine = engine();
    let before = store_size(&engine);
    // `[]` included: an array is not a snapshot, even an empty one.
    for text in ["{", "[]", "[[], []]", "not json at all", ""] {
        let error = engine.load_snapshot_json(text).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidJson, "{text}: {error}");
    }
    // A field in the wrong case is unknown, not silently dropped: an invalid snapshot (see
    // `sec4_a_snapshot_field_that_does_not_exist_is_invalid_snapshot_at_its_path`).
    let mut json = snapshot_json();
    json["organizations"][0]["api_keys"] = json!([]);
    assert_eq!(engine.load_snapshot_json(&json.to_string()).unwrap_err().code(), ErrorCode::InvalidSnapshot);
    assert_eq!(store_size(&engine), before);
    assert_allowed(&check(&engine, &user("alice"), "deleteOrganization", &org("acme")));
}

#[test]
fn sec4_snapshot_that_breaks_a_rule_is_refused_whole() {
    let mut engine = engine();
    let breaks: Vec<(&str, Snapshot)> = vec![
        (
            "org without owner",
            snapshot_with(|s| {
                for m in &mut org_mut(s, "globex").members {
                    m.role = OrgRole::Member;
                }
            }),
        ),
        (
            "team member from another org",
            snapshot_with(|s| org_mut(s, "acme").teams[0].members.push("heidi".into())),
        ),
        (
            "collaborator without workspace role",
            snapshot_with(|s| org_mut(s, "globex").collaborators.push("grace".into())),
        ),
        (
            "unknown api key scope",
            snapshot_with(|s| org_mut(s, "acme").api_keys[0].scopes.push("billing:write".into())),
        ),
        (
            "duplicate workspace id",
            snapshot_with(|s| {
                let copy = org_mut(s, "acme").workspaces[2].clone();
                org_mut(s, "globex").workspaces.push(copy);
            }),
        ),
        (
            "duplicate user id",
            snapshot_with(|s| {
                let mut copy = s.users[0].clone();
                copy.email = "other@example.com".into();
                s.users.push(copy);
            }),
        ),
        ("duplicate email", snapshot_with(|s| s.users[1].email = s.users[0].email.to_uppercase())),
        (
            "member twice",
            snapshot_with(|s| {
                let again = org_mut(s, "acme").members[4].clone();
                org_mut(s, "acme").members.push(again);
            }),
        ),
        ("unknown member", snapshot_with(|s| org_mut(s, "acme").members[4].user = "ghost".into())),
        (
            "algorithm in another org's workspace",
            snapshot_with(|s| org_mut(s, "acme").algorithms[0].workspace = "gx-main".into()),
        ),
        ("negative run count", snapshot_with(|s| org_mut(s, "acme").billing.active_runs = -1)),
        ("empty id", snapshot_with(|s| org_mut(s, "acme").teams[0].id = String::new())),
    ];
    for (what, broken) in breaks {
        let before = store_size(&engine);
        let error = engine.load_snapshot(&broken).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidSnapshot, "{what}: {error}");
        assert_eq!(store_size(&engine), before, "{what}");
    }
    assert_refused_and_unchanged(
        &mut engine,
        &snapshot_with(|s| s.users.clear()),
        ErrorCode::InvalidSnapshot,
    );
}

/// A refused snapshot names where the fault is: the path of the offending item.
#[test]
fn snapshot_errors_name_the_path_of_the_faulty_item() {
    let acme = snapshot().organizations.iter().position(|o| o.id == "acme").unwrap();
    let at = |rest: &str| format!("organizations[{acme}].{rest}");
    let long_id = "x".repeat(orgwarden::limits::MAX_ID_LENGTH + 1);
    let cases = [
        (snapshot_with(|s| org_mut(s, "acme").members[4].user = "ghost".into()), at("members[4]")),
        (
            snapshot_with(|s| org_mut(s, "acme").teams[1].members[0] = "ghost".into()),
            at("teams[1].members[0]"),
        ),
        (
            snapshot_with(|s| org_mut(s, "acme").algorithms[0].versions[1].id = "vision-1".into()),
            at("algorithms[0].versions[1]"),
        ),
        (
            snapshot_with(|s| org_mut(s, "acme").algorithms[0].versions[2].submitter = "ghost".into()),
            at("algorithms[0].versions[2].submitter"),
        ),
        (snapshot_with(|s| org_mut(s, "acme").billing.active_runs = -1), at("billing")),
        (snapshot_with(|s| s.users[1].email = s.users[0].email.to_uppercase()), "users[1]".to_owned()),
        (snapshot_with(|s| org_mut(s, "acme").teams[0].id = long_id.clone()), at("teams[0]")),
    ];
    for (broken, path) in cases {
        let error = Engine::with_defaults().unwrap().load_snapshot(&broken).unwrap_err();
        assert!(error.to_string().contains(&format!("`{path}`")), "expected `{path}` in: {error}");
    }
}

#[test]
fn sec4_unknown_principal_resource_or_action_is_a_failure() {
    let engine = engine();
    let cases = [
        (check(&engine, &user("ghost"), "viewOrganization", &org("acme")), ErrorCode::UnknownPrincipal),
        (check(&engine, &api_key("no-key"), "viewOrganization", &org("acme")), ErrorCode::UnknownPrincipal),
        (check(&engine, &user("alice"), "viewOrganization", &org("initech")), ErrorCode::UnknownResource),
        (check(&engine, &user("alice"), "viewWorkspace", &workspace("nowhere")), ErrorCode::UnknownResource),
        (check(&engine, &user("alice"), "sudo", &org("acme")), ErrorCode::UnknownAction),
        // An action group is not an action a request may name.
        (check(&engine, &user("alice"), "memberOnly", &org("acme")), ErrorCode::UnknownAction),
        (check(&engine, &api_key("key-ops"), "deleteOrganization", &org("acme")), ErrorCode::InvalidRequest),
    ];
    for (decision, code) in cases {
        assert!(!decision.allowed());
        assert_eq!(decision.cause(), None, "{decision:?}");
        assert_eq!(decision.errors()[0].code, code, "{decision:?}");
        assert!(decision.reason().is_some_and(|r| !r.is_empty()));
        let wire = serde_json::to_value(&decision).unwrap();
        assert_eq!(wire["type"], "failure");
        assert_eq!(wire["allowed"], false);
    }
}

#[test]
fn sec4_context_of_the_wrong_type_is_invalid_context() {
    let engine = engine();
    let decision = check_ctx(
        &engine,
        &user("carol"),
        "removeMember",
        &membership("acme", "dave"),
        json!({"confirmation": 7}),
    );
    assert!(!decision.allowed());
    assert_eq!(decision.errors()[0].code, ErrorCode::InvalidContext, "{decision:?}");
    let decision =
        check_ctx(&engine, &user("alice"), "inviteMember", &org("acme"), json!({"role": ["owner"]}));
    assert_eq!(decision.errors()[0].code, ErrorCode::InvalidContext, "{decision:?}");
}

#[test]
fn sec4_unknown_action_in_validation_is_a_violation() {
    let validation = validate(&engine(), &user("alice"), "sudo", &org("acme"), Default::default());
    assert!(!validation.valid);
    assert_eq!(validation.violations[0].code, "UNKNOWN_ACTION");
}

// ---- raw Cedar entities -----------------------------------------------------------------

#[test]
fn entities_json_gives_the_same_decisions_as_the_snapshot() {
    let from_snapshot = engine();
    let json = from_snapshot.entities().to_json_value().unwrap();
    let mut from_entities = Engine::with_defaults().unwrap();
    from_entities.load_entities_json(&json.to_string()).unwrap();
    assert_eq!(store_size(&from_entities), store_size(&from_snapshot));
    let requests = [
        (user("alice"), "deleteOrganization", org("acme")),
        (user("carol"), "renameOrganization", org("acme")),
        (user("nina"), "manageParticipants", workspace("ws-research")),
        (user("hank"), "viewWorkspace", workspace("ws-research")),
        (user("peggy"), "viewWorkspace", workspace("gx-main")),
        (api_key("key-models"), "callAlgorithm", algorithm("gx-public")),
        (user("grace"), "acceptInvitation", invitation("inv-grace")),
    ];
    for (principal, action, resource) in requests {
        let a = check(&from_snapshot, &principal, action, &resource);
        let b = check(&from_entities, &principal, action, &resource);
        assert_eq!((a.allowed(), a.cause()), (b.allowed(), b.cause()), "{principal} {action} {resource}");
        assert_eq!(a.reason(), b.reason());
    }
    // MEM-2's account lookup works from raw entities too.
    let input = orgwarden::ActionInput {
        role: Some("member".into()),
        email: Some("grace@example.com".into()),
        ..Default::default()
    };
    assert_violates(&validate(&from_entities, &user("alice"), "inviteMember", &org("acme"), input), "MEM-2");
}

#[test]
fn entities_json_that_breaks_the_schema_is_refused() {
    let mut engine = engine();
    let before = store_size(&engine);
    let bad = json!([{ "uid": {"type": "User", "id": "x"}, "attrs": {"email": 5}, "parents": [] }]);
    let error = engine.load_entities_json(&bad.to_string()).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidEntities);
    assert_eq!(engine.load_entities_json("{oops").unwrap_err().code(), ErrorCode::InvalidJson);
    assert_eq!(store_size(&engine), before);
}

fn dave_entity(parents: serde_json::Value) -> serde_json::Value {
    json!({
        "uid": { "type": "User", "id": "dave" },
        "attrs": { "email": "dave@example.com", "name": "dave", "mfaEnabled": true, "passwordCompliant": true },
        "parents": parents,
        "tags": {},
    })
}

#[test]
fn upsert_changes_a_decision() {
    let mut engine = engine();
    assert_not_permitted(&check(&engine, &user("dave"), "createTeam", &org("acme")));
    let promoted = dave_entity(json!([{ "type": "OrgRole", "id": "acme#admin" }]));
    let before = store_size(&engine);
    assert_eq!(engine.upsert_entities_json(&json!([promoted]).to_string()).unwrap(), before);
    assert_allowed(&check(&engine, &user("dave"), "createTeam", &org("acme")));
    // WS-4 follows from the new group: an admin owns every workspace.
    assert_allowed(&check(&engine, &user("dave"), "deleteWorkspace", &workspace("ws-ops")));
}

#[test]
fn upsert_of_a_membership_changes_who_may_remove_it() {
    let mut engine = engine();
    let target = membership("acme", "dave");
    assert_allowed(&check(&engine, &user("carol"), "removeMember", &target));
    let as_admin = json!([{
        "uid": { "type": "Membership", "id": "acme/dave" },
        "attrs": {
            "org": { "type": "Organization", "id": "acme" },
            "member": { "type": "User", "id": "dave" },
            "role": "admin",
            "email": "dave@example.com",
        },
        "parents": [],
    }]);
    engine.upsert_entities_json(&as_admin.to_string()).unwrap();
    // MEM-6: removing an admin takes an owner.
    assert_not_permitted(&check(&engine, &user("carol"), "removeMember", &target));
    assert_allowed(&check(&engine, &user("alice"), "removeMember", &target));
}

#[test]
fn upsert_adds_a_new_entity() {
    let mut engine = engine();
    let before = store_size(&engine);
    let newcomer = json!([{
        "uid": { "type": "User", "id": "zoe" },
        "attrs": { "email": "zoe@example.com", "name": "zoe", "mfaEnabled": true, "passwordCompliant": true },
        "parents": [{ "type": "OrgRole", "id": "acme#member" }],
    }]);
    assert_eq!(engine.upsert_entities_json(&newcomer.to_string()).unwrap(), before + 1);
    assert_allowed(&check(&engine, &user("zoe"), "viewMembers", &org("acme")));
}

#[test]
fn refused_upsert_leaves_the_store_as_it_was() {
    let mut engine = engine();
    let before = store_size(&engine);
    let bad_type = json!([
        dave_entity(json!([{ "type": "OrgRole", "id": "acme#owner" }])),
        { "uid": { "type": "User", "id": "erin" }, "attrs": { "email": 5 }, "parents": [] },
    ]);
    assert_eq!(
        engine.upsert_entities_json(&bad_type.to_string()).unwrap_err().code(),
        ErrorCode::InvalidEntities
    );
    let unknown_type = json!([{ "uid": { "type": "Robot", "id": "r2" }, "attrs": {}, "parents": [] }]);
    assert!(engine.upsert_entities_json(&unknown_type.to_string()).is_err());
    assert_eq!(engine.upsert_entities_json("[{").unwrap_err().code(), ErrorCode::InvalidJson);
    assert_eq!(store_size(&engine), before);
    // dave is still a plain member.
    assert_not_permitted(&check(&engine, &user("dave"), "deleteOrganization", &org("acme")));
    assert_allowed(&check(&engine, &user("dave"), "viewWorkspace", &workspace("ws-research")));
}

#[test]
fn remove_entities_makes_checks_fail_closed() {
    let mut engine = engine();
    let before = store_size(&engine);
    assert_eq!(engine.remove_entities(&[user("dave")]).unwrap(), before - 1);
    let decision = check(&engine, &user("dave"), "viewOrganization", &org("acme"));
    assert!(!decision.allowed());
    assert_eq!(decision.errors()[0].code, ErrorCode::UnknownPrincipal);
    engine.remove_entities(&[workspace("ws-ops")]).unwrap();
    let decision = check(&engine, &user("alice"), "viewWorkspace", &workspace("ws-ops"));
    assert_eq!(decision.errors()[0].code, ErrorCode::UnknownResource);
}

#[test]
fn removing_an_unknown_entity_removes_none() {
    let mut engine = engine();
    let before = store_size(&engine);
    let error = engine.remove_entities(&[user("kate"), user("ghost")]).unwrap_err();
    assert_eq!(error.code(), ErrorCode::UnknownEntity);
    assert_eq!(store_size(&engine), before);
    assert_allowed(&check(&engine, &user("kate"), "viewMembers", &org("acme")));
}

// ---- allowed_actions and matrix ---------------------------------------------------------

const ORG_ACTIONS_OF_ADMINS: [&str; 17] = [
    "createApiKey",
    "createTeam",
    "createWorkspace",
    "editOrganizationProfile",
    "inviteMember",
    "leaveOrganization",
    "listApiKeys",
    "listInvitations",
    "listPendingVersions",
    "viewBilling",
    "viewEarnings",
    "viewInvoices",
    "viewMemberActivity",
    "viewMembers",
    "viewOrganization",
    "viewPublicProfile",
    "viewUsage",
];

#[test]
fn allowed_actions_of_a_member_and_an_admin_on_the_org() {
    let engine = engine();
    assert_eq!(
        allowed_action_names(&engine, &user("dave"), &org("acme")),
        ["leaveOrganization", "listApiKeys", "viewMembers", "viewOrganization", "viewPublicProfile"]
    );
    assert_eq!(allowed_action_names(&engine, &user("carol"), &org("acme")), ORG_ACTIONS_OF_ADMINS);
    let owner = allowed_action_names(&engine, &user("alice"), &org("acme"));
    let mut expected: Vec<&str> = ORG_ACTIONS_OF_ADMINS.to_vec();
    expected.extend(["changeBillingSettings", "deleteOrganization", "renameOrganization"]);
    expected.sort_unstable();
    assert_eq!(owner, expected);
}

#[test]
fn allowed_actions_agree_with_check_and_matrix() {
    let engine = engine();
    for who in ["dave", "carol", "frank", "grace"] {
        let outcomes = engine.allowed_actions(&user(who), &org("acme")).unwrap();
        let names: Vec<String> = outcomes.iter().map(|o| o.action.clone()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "listed in name order");
        assert!(names.iter().all(|n| n != "createOrganization" && n != "viewWorkspace"), "only org actions");
        let matrix = engine.matrix(&user(who), &[org("acme")], &names).unwrap();
        for (outcome, cell) in outcomes.iter().zip(&matrix.rows[0].cells) {
            let single = check(&engine, &user(who), &outcome.action, &org("acme"));
            assert_eq!(outcome.decision.allowed(), single.allowed(), "{who} {}", outcome.action);
            assert_eq!(cell.allowed, single.allowed(), "{who} {}", outcome.action);
        }
    }
}

/// Custom policies that `allowedActions` and `matrix` must read as carefully as the defaults:
/// one without `@id`, one whose condition reads the action, comments and strings holding
/// `;` and brackets.
const ROW_EDGE_CASES: &str = r#"// a comment; with a semicolon (and a bracket
permit (principal is User, action == Action::"viewMemberActivity", resource is Organization)
when { principal in resource.members };

@id("custom-frank-only-views")
@reason("Reason with; a semicolon and (parens) { braces")
forbid (principal == User::"frank", action, resource)
unless { action == Action::"viewOrganization" || action == Action::"viewWorkspace" };
"#;

/// Holds `who`'s row on `resource`, `allowed_actions` and `matrix` alike, to what `check` answers
/// for each action alone (compared as JSON), and gives those single answers.
fn rows_as_single_checks(engine: &Engine, who: &str, resource: &EntityRef) -> Vec<Decision> {
    let outcomes = engine.allowed_actions(&user(who), resource).unwrap();
    let actions: Vec<String> = outcomes.iter().map(|o| o.action.clone()).collect();
    let matrix = engine.matrix(&user(who), std::slice::from_ref(resource), &actions).unwrap();
    let mut singles = Vec::new();
    for (outcome, cell) in outcomes.iter().zip(&matrix.rows[0].cells) {
        let single = check(engine, &user(who), &outcome.action, resource);
        let context = format!("{who} {} {resource}", outcome.action);
        assert_eq!(
            serde_json::to_value(&outcome.decision).unwrap(),
            serde_json::to_value(&single).unwrap(),
            "{context}"
        );
        assert_eq!(
            serde_json::to_value(cell).unwrap(),
            serde_json::to_value(orgwarden::MatrixCell::from(single.clone())).unwrap(),
            "{context}"
        );
        singles.push(single);
    }
    singles
}

#[test]
fn rows_answer_as_single_checks_with_custom_policies() {
    let engine = engine_with_policies(custom("rows.cedar", ROW_EDGE_CASES)).unwrap();
    let resources = [org("acme"), org("globex"), team("data"), workspace("ws-research"), version("vision-3")];
    let mut decided_by_custom = 0;
    for who in ["carol", "dave", "frank", "grace", "quinn"] {
        for resource in &resources {
            for single in rows_as_single_checks(&engine, who, resource) {
                if single.policies().iter().any(|p| p.source == "rows.cedar") {
                    decided_by_custom += 1;
                }
            }
        }
    }
    // Both custom policies took part: the unnamed permit and frank's forbid.
    assert!(decided_by_custom > 2, "custom policies decided {decided_by_custom} cells");
    assert_allowed(&check(&engine, &user("frank"), "viewWorkspace", &workspace("ws-research")));
    let launch = check(&engine, &user("frank"), "launchCompute", &workspace("ws-research"));
    assert_eq!(launch.cause(), Some(orgwarden::Cause::Forbidden), "{launch:?}");
    assert_eq!(launch.policies()[0].id, "custom-frank-only-views");
}

/// A hundred custom policies on one action, each with its open form (`src/engine/open_forms.rs`):
/// every row answer is still the single check's, a grant and a forbid among them deciding.
#[test]
fn rows_answer_as_single_checks_with_a_large_slice_of_one_action() {
    let mut text: String = (0..100)
        .map(|i| format!("@id(\"grant-{i}\") permit (principal == User::\"u{i}\", action == Action::\"viewMemberActivity\", resource);\n"))
        .collect();
    text.push_str(r#"@id("grant-dave") permit (principal == User::"dave", action == Action::"viewMemberActivity", resource == Organization::"acme");
@id("no-activity-for-carol") forbid (principal == User::"carol", action == Action::"viewMemberActivity", resource);
"#);
    let engine = engine_with_policies(custom("grants.cedar", &text)).unwrap();
    for who in ["carol", "dave", "frank", "grace"] {
        for resource in [org("acme"), org("globex")] {
            let actions: Vec<String> = engine
                .allowed_actions(&user(who), &resource)
                .unwrap()
                .into_iter()
                .map(|o| o.action)
                .collect();
            assert!(actions.iter().any(|a| a == "viewMemberActivity"), "{who} {resource}");
            rows_as_single_checks(&engine, who, &resource);
        }
    }
    let granted = check(&engine, &user("dave"), "viewMemberActivity", &org("acme"));
    assert_allowed(&granted);
    assert_eq!(granted.policies()[0].id, "grant-dave");
    let forbidden = check(&engine, &user("carol"), "viewMemberActivity", &org("acme"));
    assert_eq!(forbidden.cause(), Some(orgwarden::Cause::Forbidden), "{forbidden:?}");
    let page = engine.allowed_actions(&user("dave"), &org("acme")).unwrap();
    let cell = page.iter().find(|o| o.action == "viewMemberActivity").unwrap();
    assert!(cell.decision.allowed());
}

#[test]
fn allowed_actions_of_unknown_principal_is_an_error() {
    let engine = engine();
    assert_eq!(
        engine.allowed_actions(&user("ghost"), &org("acme")).unwrap_err().code(),
        ErrorCode::UnknownPrincipal
    );
    assert_eq!(
        engine.allowed_actions(&user("alice"), &org("ghost")).unwrap_err().code(),
        ErrorCode::UnknownResource
    );
}

#[test]
fn matrix_has_one_row_per_resource_and_cells_in_action_order() {
    let engine = engine();
    let resources = [workspace("ws-research"), workspace("ws-ops"), workspace("nowhere"), org("acme")];
    let actions: Vec<String> =
        ["viewWorkspace", "launchCompute", "deleteWorkspace", "viewOrganization"].map(String::from).to_vec();
    let matrix = engine.matrix(&user("leo"), &resources, &actions).unwrap();
    assert_eq!(matrix.actions, actions);
    assert_eq!(matrix.rows.len(), resources.len());
    for (row, resource) in matrix.rows.iter().zip(&resources) {
        assert_eq!(&row.resource, resource);
        assert_eq!(row.cells.len(), actions.len());
    }
    let allowed: Vec<Vec<bool>> =
        matrix.rows.iter().map(|r| r.cells.iter().map(|c| c.allowed).collect()).collect();
    assert_eq!(
        allowed,
        [
            [true, true, false, false],   // leo holds maintain on ws-research
            [false, false, false, false], // no role on ws-ops
            [false, false, false, false], // no such workspace
            [false, false, false, true],  // workspace actions do not apply to an org
        ]
    );
    let research = &matrix.rows[0].cells;
    assert_eq!(research[0].cause, "permitted");
    assert_eq!(research[2].cause, "notPermitted");
    assert_eq!(research[2].rule.as_deref(), Some("WS-1"));
    // viewOrganization does not apply to a workspace, and a missing resource is an error.
    assert_eq!(research[3].cause, "error");
    assert!(matrix.rows[2].cells.iter().all(|c| c.cause == "error" && !c.allowed));
    assert!(matrix.rows[2].cells[0].reason.contains("nowhere"));
    let on_org = &matrix.rows[3].cells;
    assert!(on_org[..3].iter().all(|c| c.cause == "error"));
    assert_eq!(on_org[3].cause, "permitted");
}

#[test]
fn matrix_reports_forbids_with_their_rule() {
    let engine = engine();
    let matrix = engine
        .matrix(
            &user("hank"),
            &[workspace("ws-research"), workspace("ws-hipaa")],
            &["viewWorkspace".to_owned()],
        )
        .unwrap();
    let cell = &matrix.rows[0].cells[0];
    assert!(!cell.allowed);
    assert_eq!(cell.cause, "forbidden");
    assert_eq!(cell.rule.as_deref(), Some("TEAM-4"));
    assert!(matrix.rows[1].cells[0].allowed);
}

#[test]
fn matrix_refuses_an_unknown_action_or_principal() {
    let engine = engine();
    let error = engine.matrix(&user("alice"), &[org("acme")], &["sudo".to_owned()]).unwrap_err();
    assert_eq!(error.code(), ErrorCode::UnknownAction);
    let error = engine.matrix(&user("ghost"), &[org("acme")], &["viewOrganization".to_owned()]).unwrap_err();
    assert_eq!(error.code(), ErrorCode::UnknownPrincipal);
}

// ---- custom policies --------------------------------------------------------------------

const MEMBERS_SEE_ACTIVITY: &str = r#"@id("custom-members-see-activity")
@rule("BILL-2")
@reason("Here every member sees member activity")
permit (
  principal is User,
  action == Action::"viewMemberActivity",
  resource is Organization
)
when { principal in resource.members };
"#;

fn engine_with_policies(options: EngineOptions) -> orgwarden::Result<Engine> {
    let mut engine = Engine::new(options)?;
    engine.load_snapshot(&snapshot()).unwrap();
    Ok(engine)
}

fn custom(name: &str, text: &str) -> EngineOptions {
    EngineOptions { policies: vec![PolicySource::new(name, text)], ..Default::default() }
}

#[test]
fn custom_permit_extends_the_defaults() {
    let engine = engine_with_policies(custom("custom.cedar", MEMBERS_SEE_ACTIVITY)).unwrap();
    let decision = check(&engine, &user("dave"), "viewMemberActivity", &org("acme"));
    assert_allowed(&decision);
    let policy = &decision.policies()[0];
    assert_eq!(policy.id, "custom-members-see-activity");
    assert_eq!(policy.source, "custom.cedar");
    // The defaults still hold, forbids included.
    assert_not_permitted(&check(&engine, &user("dave"), "createTeam", &org("acme")));
    assert_forbidden_by(&check(&engine, &user("frank"), "viewMemberActivity", &org("acme")), "WS-3");
    assert_forbidden_by(&check(&engine, &user("quinn"), "viewMemberActivity", &org("globex")), "SEC-3");
    assert_eq!(engine.policies().len(), Engine::with_defaults().unwrap().policies().len() + 1);
}

#[test]
fn custom_policies_alone_without_the_defaults() {
    let options = EngineOptions {
        policies: vec![PolicySource::new("custom.cedar", MEMBERS_SEE_ACTIVITY)],
        include_default_policies: Some(false),
        ..Default::default()
    };
    let engine = engine_with_policies(options).unwrap();
    assert_eq!(engine.policies().len(), 1);
    assert_allowed(&check(&engine, &user("dave"), "viewMemberActivity", &org("acme")));
    // Nothing else is granted, and no default forbid applies.
    assert_not_permitted(&check(&engine, &user("alice"), "createTeam", &org("acme")));
    assert_allowed(&check(&engine, &user("quinn"), "viewMemberActivity", &org("globex")));
}

#[test]
fn custom_policy_with_a_syntax_error_is_located() {
    let text = "@id(\"broken\")\npermit (principal, action, resource)\nwhen { principal == };\n";
    let error = Engine::new(custom("custom.cedar", text)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPolicy);
    assert!(matches!(error, Error::InvalidPolicy(_)));
    let diagnostic = &error.diagnostics()[0];
    assert!(!diagnostic.message.is_empty());
    let location = diagnostic.location.as_ref().unwrap();
    assert_eq!(location.source, "custom.cedar");
    assert_eq!(location.line, 3, "{diagnostic:?}");
}

#[test]
fn custom_policy_failing_strict_validation_is_located() {
    let text = "// a typo in an attribute name\n@id(\"typo\")\npermit (\n  principal is User,\n  action == Action::\"viewBilling\",\n  resource is Organization\n)\nwhen { resource.creditBalence > 0 };\n";
    let options = EngineOptions {
        policies: vec![
            PolicySource::new("first.cedar", MEMBERS_SEE_ACTIVITY),
            PolicySource::new("custom.cedar", text),
        ],
        ..Default::default()
    };
    let error = Engine::new(options).unwrap_err();
    let Error::InvalidPolicy(diagnostics) = &error else { panic!("{error:?}") };
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic.policy_id.as_deref(), Some("typo"));
    assert!(diagnostic.message.contains("creditBalence"), "{diagnostic:?}");
    let location = diagnostic.location.as_ref().unwrap();
    assert_eq!(location.source, "custom.cedar");
    assert_eq!(location.line, 8, "{diagnostic:?}");
}

#[test]
fn custom_policy_with_a_type_error_is_rejected() {
    let text = "@id(\"bad-type\")\npermit (principal is User, action == Action::\"viewBilling\", resource is Organization)\nwhen { resource.name > 3 };\n";
    let error = Engine::new(custom("custom.cedar", text)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPolicy);
    assert_eq!(error.diagnostics()[0].location.as_ref().unwrap().line, 3);
}

#[test]
fn duplicate_policy_id_is_rejected() {
    let clash_with_default =
        MEMBERS_SEE_ACTIVITY.replace("custom-members-see-activity", "org2-owners-rename");
    let error = Engine::new(custom("custom.cedar", &clash_with_default)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPolicy);
    let diagnostic = &error.diagnostics()[0];
    assert_eq!(diagnostic.policy_id.as_deref(), Some("org2-owners-rename"));
    let location = diagnostic.location.as_ref().unwrap();
    assert_eq!((location.source.as_str(), location.line), ("custom.cedar", 1));

    let twice = format!("{MEMBERS_SEE_ACTIVITY}\n{MEMBERS_SEE_ACTIVITY}");
    let error = Engine::new(custom("twice.cedar", &twice)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPolicy);
    assert_eq!(error.diagnostics()[0].policy_id.as_deref(), Some("custom-members-see-activity"));
}

#[test]
fn a_policy_template_is_refused_not_silently_dropped() {
    // Nothing links templates: kept unlinked, this forbid would never forbid.
    let text = "@id(\"lock-out\")\nforbid (principal == ?principal, action == Action::\"viewOrganization\", resource);\n";
    let error = Engine::new(custom("tmpl.cedar", text)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPolicy);
    let diagnostic = &error.diagnostics()[0];
    assert!(diagnostic.message.contains("policy template"), "{}", diagnostic.message);
    assert_eq!(diagnostic.policy_id.as_deref(), Some("lock-out"));
    let location = diagnostic.location.as_ref().unwrap();
    assert_eq!((location.source.as_str(), location.line, location.column), ("tmpl.cedar", 2, 22));
    // Beside an ordinary policy in the same file, it is still refused.
    let both = format!("{MEMBERS_SEE_ACTIVITY}\n{text}");
    assert_eq!(Engine::new(custom("both.cedar", &both)).unwrap_err().code(), ErrorCode::InvalidPolicy);
}

/// The README's advice for an org-wide custom forbid: org-scoped resources name their org in
/// `org`, they are not inside it in the hierarchy.
#[test]
fn an_org_wide_forbid_reads_org_not_the_hierarchy() {
    let defaults = engine_with_policies(EngineOptions::default()).unwrap();
    let research = workspace("ws-research");
    let who = ["carol", "dave", "frank", "grace", "quinn"]
        .into_iter()
        .find(|who| check(&defaults, &user(who), "viewWorkspace", &research).allowed())
        .unwrap();
    let by_hierarchy = format!(
        "@id(\"lock-in\")\nforbid (principal == User::\"{who}\", action, resource in Organization::\"acme\");"
    );
    let engine = engine_with_policies(custom("lock.cedar", &by_hierarchy)).unwrap();
    assert!(!check(&engine, &user(who), "viewOrganization", &org("acme")).allowed());
    assert!(check(&engine, &user(who), "viewWorkspace", &research).allowed(), "`in` is the org alone");
    let by_attribute = format!(
        "@id(\"lock-org\")\nforbid (principal == User::\"{who}\", action, resource)\nwhen {{ resource has org && resource.org == Organization::\"acme\" }};"
    );
    let engine = engine_with_policies(custom("lock.cedar", &by_attribute)).unwrap();
    for (action, resource) in [("viewOrganization", org("acme")), ("viewWorkspace", research)] {
        let decision = check(&engine, &user(who), action, &resource);
        assert!(!decision.allowed(), "{action} {resource}");
        assert_eq!(decision.policies()[0].id, "lock-org");
    }
}

#[test]
fn an_empty_policy_id_is_refused() {
    let text = MEMBERS_SEE_ACTIVITY.replace("custom-members-see-activity", "");
    let error = Engine::new(custom("empty.cedar", &text)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPolicy);
    assert!(error.diagnostics()[0].message.contains("empty @id"), "{}", error.diagnostics()[0].message);
    assert_eq!(error.diagnostics()[0].location.as_ref().unwrap().source, "empty.cedar");
}

/// Every entity of the store as a reference, actions aside: the resources of the fixture.
fn store_refs(engine: &Engine) -> Vec<orgwarden::EntityRef> {
    let mut refs: Vec<orgwarden::EntityRef> = engine
        .entities()
        .iter()
        .map(|e| e.uid())
        .filter(|uid| uid.type_name().to_string() != "Action")
        .map(|uid| orgwarden::EntityRef::new(uid.type_name().to_string(), uid.id().unescaped()))
        .collect();
    refs.sort_by_key(|r| r.to_string());
    refs
}

/// An engine that extends the defaults starts from the shared, already-built default set;
/// it must hold and decide exactly as the same sources built from scratch.
#[test]
fn extending_the_defaults_decides_as_building_every_source() {
    let extended = engine_with_policies(custom("custom.cedar", MEMBERS_SEE_ACTIVITY)).unwrap();
    let mut sources = orgwarden::policies::default_policy_sources();
    sources.push(PolicySource::new("custom.cedar", MEMBERS_SEE_ACTIVITY));
    let rebuilt = engine_with_policies(EngineOptions {
        policies: sources,
        include_default_policies: Some(false),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        serde_json::to_value(extended.policies()).unwrap(),
        serde_json::to_value(rebuilt.policies()).unwrap()
    );
    assert_eq!(extended.policy_sources(), rebuilt.policy_sources());
    let refs = store_refs(&extended);
    assert!(refs.len() > 20);
    let mut compared = 0;
    for principal in refs.iter().filter(|r| r.entity_type == "User") {
        for resource in &refs {
            let theirs = serde_json::to_value(rebuilt.allowed_actions(principal, resource).unwrap()).unwrap();
            let ours = serde_json::to_value(extended.allowed_actions(principal, resource).unwrap()).unwrap();
            assert_eq!(ours, theirs, "{principal} on {resource}");
            compared += 1;
        }
    }
    assert!(compared > 100);
    // The custom permit is among the decisions compared: dave, a member, gains the action.
    assert!(check(&extended, &user("dave"), "viewMemberActivity", &org("acme")).allowed());
    assert!(!check(&engine(), &user("dave"), "viewMemberActivity", &org("acme")).allowed());
}

#[test]
fn a_custom_policy_cannot_take_the_id_of_a_default_one() {
    let default_id = orgwarden::Engine::with_defaults().unwrap().policies()[0].id.clone();
    let text = MEMBERS_SEE_ACTIVITY.replace("custom-members-see-activity", &default_id);
    let error = engine_with_policies(custom("custom.cedar", &text)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPolicy);
    assert!(error.to_string().contains(&default_id), "{error}");
    // The shared default set is left as it was.
    assert_eq!(Engine::with_defaults().unwrap().policies()[0].id, default_id);
    assert!(!check(&engine(), &user("dave"), "viewMemberActivity", &org("acme")).allowed());
}

#[test]
fn action_policies_are_the_slice_that_decides_an_action() {
    let engine = Engine::with_defaults().unwrap();
    let slice = engine.action_policies("deleteOrganization").unwrap();
    let ids: Vec<String> = slice.policies().map(|p| p.id().to_string()).collect();
    assert!(ids.contains(&"org2-owners-delete".to_owned()), "{ids:?}");
    assert!(ids.len() < engine.policies().len() / 4, "{ids:?}");
    let rules: Vec<&str> =
        engine.policies().iter().filter(|p| ids.contains(&p.id)).filter_map(|p| p.rule.as_deref()).collect();
    assert!(!rules.iter().any(|r| r.starts_with("BILL-")), "{rules:?}");
    let unknown = engine.action_policies("noSuchAction").unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::UnknownAction);
}

/// Engines with the default policies share them, and nothing else: each has its own store.
#[test]
fn default_engines_share_policies_but_not_entities() {
    let loaded = engine();
    let empty = Engine::with_defaults().unwrap();
    assert!(check(&loaded, &user("alice"), "deleteOrganization", &org("acme")).allowed());
    let refused = check(&empty, &user("alice"), "deleteOrganization", &org("acme"));
    assert_eq!(refused.errors()[0].code, ErrorCode::UnknownPrincipal);
    assert!(empty.entities().len() < loaded.entities().len());
    assert_eq!(empty.entities().iter().filter(|e| e.uid().type_name().to_string() != "Action").count(), 0);
}

// ---- the default policy set and the rule catalogue (docs/rules.md) ---------------------

#[test]
fn every_default_policy_has_id_rule_and_reason() {
    let engine = Engine::with_defaults().unwrap();
    assert!(engine.policies().len() >= 40);
    for source in engine.policy_sources() {
        let set = cedar_policy::PolicySet::from_str(&source.text).unwrap();
        for policy in set.policies() {
            for key in ["id", "rule", "reason"] {
                let value = policy.annotation(key);
                assert!(
                    value.is_some_and(|v| !v.trim().is_empty()),
                    "{}: a policy lacks @{key}:\n{policy}",
                    source.name
                );
            }
        }
    }
    for info in engine.policies() {
        assert!(!info.id.contains('#'), "{} has no @id", info.id);
        let rule = info.rule.as_deref().unwrap();
        assert!(rule_ids().contains(&rule), "{}: @rule(\"{rule}\") is not a rule id", info.id);
        assert!(info.reason.as_deref().is_some_and(|r| r.len() > 10), "{}", info.id);
    }
    // Forbids and permits both carry reasons a person can read.
    assert!(engine.policies().iter().any(|p| p.effect == PolicyEffect::Forbid));
}

#[test]
fn rule_catalogue_lists_every_rule_once_under_its_group() {
    let rules = catalogue(&rules_md());
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, rule_ids(), "docs/rules.md lists every rule id once, in order");
    for rule in &rules {
        let family = rule.id.split_once('-').unwrap().0;
        assert!(
            rule.group.ends_with(&format!("({family})")),
            "{} sits under `## {}`, not under its group ({family})",
            rule.id,
            rule.group
        );
        for label in ["Binds", "Enforced by", "Tests"] {
            rule.field(label);
        }
    }
}

#[test]
fn every_policy_rule_is_in_the_rule_catalogue() {
    let rules = catalogue(&rules_md());
    for info in Engine::with_defaults().unwrap().policies() {
        let rule = info.rule.as_deref().unwrap();
        assert!(rules.iter().any(|r| r.id == rule), "{}: {rule} is not in docs/rules.md", info.id);
    }
}

/// Each rule's **Enforced by:** names, before any `structural:`, exactly the default policies
/// whose `@rule` is that rule; a rule no policy cites must say `structural:` and how it is
/// held. A policy id named after `structural:` must exist too.
#[test]
fn every_catalogue_rule_is_enforced_by_its_policies_or_marked_structural() {
    let engine = Engine::with_defaults().unwrap();
    let all_ids: Vec<&str> = engine.policies().iter().map(|p| p.id.as_str()).collect();
    for rule in catalogue(&rules_md()) {
        let enforced_by = rule.field("Enforced by");
        let (policies_part, structural) = match enforced_by.split_once("structural:") {
            Some((before, after)) => (before, Some(after)),
            None => (enforced_by, None),
        };
        let mut listed: Vec<&str> = backquoted(policies_part);
        listed.sort_unstable();
        let mut citing: Vec<&str> = engine
            .policies()
            .iter()
            .filter(|p| p.rule.as_deref() == Some(rule.id.as_str()))
            .map(|p| p.id.as_str())
            .collect();
        citing.sort_unstable();
        assert_eq!(
            listed, citing,
            "{}: the policies of Enforced by are those whose @rule is {}",
            rule.id, rule.id
        );
        if citing.is_empty() {
            assert!(
                structural.is_some_and(|how| how.trim().len() > 10),
                "{}: no policy cites it, so Enforced by must say `structural:` and how",
                rule.id
            );
        }
        for word in structural.map(backquoted).unwrap_or_default() {
            if looks_like_policy_id(word) {
                assert!(all_ids.contains(&word), "{}: `{word}` is not a default policy", rule.id);
            }
        }
    }
}

/// Each rule's **Tests:** names test files that exist, at least one of them a
/// `tests/rules_*.rs`, and each cites the rule (by id or by a test named after it).
#[test]
fn every_catalogue_rule_names_test_files_that_cite_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for rule in catalogue(&rules_md()) {
        let files = backquoted(rule.field("Tests"));
        assert!(
            files.iter().any(|f| f.starts_with("tests/rules_")),
            "{}: no tests/rules_*.rs named",
            rule.id
        );
        for file in files {
            assert!(
                file.starts_with("tests/") && file.ends_with(".rs"),
                "{}: `{file}` is not a test file",
                rule.id
            );
            let text = std::fs::read_to_string(root.join(file))
                .unwrap_or_else(|e| panic!("{}: {file}: {e}", rule.id));
            assert!(mentions_rule(&text, &rule.id), "{}: {file} does not cite it", rule.id);
        }
    }
}

#[test]
fn every_rule_id_is_cited_by_a_test() {
    let ids: Vec<String> = catalogue(&rules_md()).into_iter().map(|r| r.id).collect();
    assert_eq!(ids, rule_ids());
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    // This file lists every id; only the other test files count as citing one.
    let sources: Vec<String> = std::fs::read_dir(&tests_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter(|path| !path.ends_with("engine_behaviour.rs"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    for id in ids {
        // A test named by the rule: MEM-7 -> `fn mem7_...`. Structural rules (TEAM-3, SEC-1,
        // SEC-2, SEC-4) have no policy, so the test names are what cites every rule.
        let test_name = format!("fn {}_", id.to_lowercase().replace('-', ""));
        assert!(sources.iter().any(|s| s.contains(&test_name)), "no test is named `{test_name}...` for {id}");
    }
}

#[test]
fn decision_serializes_for_the_wire() {
    let engine = engine();
    let wire = serde_json::to_value(check(&engine, &user("dave"), "createTeam", &org("acme"))).unwrap();
    assert_eq!(wire["type"], "success");
    assert_eq!(wire["allowed"], false);
    assert_eq!(wire["cause"], "notPermitted");
    assert_eq!(wire["reason"], "Only admins and owners can create teams");
    let wire = serde_json::to_value(check(
        &engine,
        &user("alice"),
        "changeMemberEmail",
        &membership("acme", "dave"),
    ))
    .unwrap();
    assert_eq!(wire["cause"], "forbidden");
    assert_eq!(wire["policies"][0]["rule"], "MEM-9");
}

// ---- what an answer says: grants, the closest requirement, the right kind of principal -------

/// The policy an answer's sentence comes from: the first deciding policy, or for
/// `notPermitted` the closest requirement (the first listed).
fn presented(decision: &Decision) -> Option<&PolicyInfo> {
    match decision {
        Decision::Success(verdict) => verdict.policies.first().or(verdict.requirements.first()).map(|p| &**p),
        Decision::Failure(_) => None,
    }
}

#[test]
fn an_allowed_answer_reads_as_a_grant() {
    let engine = engine();
    let rename = check(&engine, &user("alice"), "renameOrganization", &org("acme"));
    assert_allowed(&rename);
    assert_eq!(rename.reason(), Some("Owners can rename the organization"));
    let view = check(&engine, &user("dave"), "viewWorkspace", &workspace("ws-research"));
    assert_eq!(view.reason(), Some("The view role or a stronger one in the workspace lets you view it"));
    let call = check(&engine, &user("grace"), "callAlgorithm", &algorithm("acme-vision"));
    assert_eq!(call.reason(), Some("Anyone can call a public algorithm"));
    let key = check(&engine, &api_key("key-ops"), "viewMembers", &org("acme"));
    assert_eq!(key.reason(), Some("This API key holds the members:read scope"));
    // The matrix cell says the same, with the permit's rule.
    let matrix = engine.matrix(&user("alice"), &[org("acme")], &["renameOrganization".to_owned()]).unwrap();
    assert_eq!(matrix.rows[0].cells[0].reason, "Owners can rename the organization");
    assert_eq!(matrix.rows[0].cells[0].rule.as_deref(), Some("ORG-2"));
}

#[test]
fn every_default_permit_has_a_grant_sentence_that_is_not_its_deny_sentence() {
    let engine = Engine::with_defaults().unwrap();
    for info in engine.policies() {
        match info.effect {
            PolicyEffect::Permit => {
                let grant = info.grant.as_deref().unwrap_or_else(|| panic!("{} has no @grant", info.id));
                assert!(grant.len() > 10, "{}", info.id);
                assert!(!grant.starts_with("Only "), "{}: @grant reads as a refusal: {grant}", info.id);
                assert_ne!(info.reason.as_deref(), Some(grant), "{}", info.id);
            }
            PolicyEffect::Forbid => assert_eq!(info.grant, None, "{}: a forbid grants nothing", info.id),
        }
    }
}

#[test]
fn a_custom_permit_without_a_grant_is_read_by_its_reason() {
    let options = EngineOptions {
        policies: vec![PolicySource::new(
            "custom.cedar",
            r#"@id("members-see-activity") @rule("CUSTOM-1") @reason("Here every member sees member activity")
               permit (principal is User, action == Action::"viewMemberActivity", resource is Organization)
               when { principal in resource.members };"#,
        )],
        ..EngineOptions::default()
    };
    let mut engine = Engine::new(options).unwrap();
    engine.load_snapshot(&snapshot()).unwrap();
    let decision = check(&engine, &user("dave"), "viewMemberActivity", &org("acme"));
    assert_allowed(&decision);
    assert_eq!(decision.reason(), Some("Here every member sees member activity"));
}

/// A `notPermitted` answer says what this principal lacks: one sentence, the closest
/// requirement's, never every permit's sentences joined.
#[test]
fn not_permitted_presents_the_requirement_closest_to_the_principal() {
    let engine = engine();
    let cases = [
        // who, action, resource, the sentence, its rule, the requirement it is
        (
            user("alice"), // an owner who is no contributor
            "editAlgorithm",
            algorithm("acme-internal"),
            "Only the algorithm's contributors can edit it and add versions",
            "ALG-1",
            "alg1-contributors-edit",
        ),
        (
            user("carol"), // an admin
            "renameOrganization",
            org("acme"),
            "Only owners can rename the organization",
            "ORG-2",
            "org2-owners-rename",
        ),
        (
            user("carol"), // an admin removing another admin
            "removeMember",
            membership("acme", "hank"),
            "Only admins and owners can remove members, and only owners can remove an admin or an owner",
            "MEM-6",
            "mem6-admins-remove-members",
        ),
        (
            user("dave"), // a plain member, no role in ws-ops: the workspace role, not WS-4
            "viewWorkspace",
            workspace("ws-ops"),
            "Viewing a workspace needs the view role or stronger in it",
            "WS-2",
            "ws2-view-role-views",
        ),
        (
            user("dave"), // a plain member with `view` only
            "connectSession",
            workspace("ws-research"),
            "Connecting to a session needs the connect role or stronger in the workspace",
            "WS-2",
            "ws2-connect-role-connects",
        ),
        (
            user("dave"),
            "changeRole",
            membership("acme", "kate"),
            "Only owners and admins can change roles, and an admin can only promote a member to admin",
            "MEM-5",
            "mem5-owners-change-roles",
        ),
        (
            user("frank"), // a collaborator with `launch`: membership and `maintain`, not WS-4
            "createAlgorithm",
            workspace("ws-research"),
            "Creating an algorithm needs org membership and the maintain role or stronger in the workspace",
            "ALG-1",
            "alg1-maintainers-create-algorithms",
        ),
        (
            user("frank"),
            "deleteWorkspace",
            workspace("ws-research"),
            "Only workspace owners can delete the workspace",
            "WS-1",
            "ws1-workspace-owners-delete",
        ),
        (
            user("grace"), // an outsider
            "callAlgorithm",
            algorithm("acme-internal"),
            "Only members of the organization can call its private algorithms",
            "ALG-5",
            "alg5-members-call-org-algorithms",
        ),
        (
            user("grace"),
            "viewAlgorithm",
            algorithm("acme-internal"),
            "Only members of the organization, and people with a role in its workspace, see a private algorithm",
            "ORG-4",
            "org4-members-see-all-algorithms",
        ),
        (
            user("heidi"), // globex's owner, an outsider in acme
            "launchCompute",
            workspace("ws-research"),
            "Launching compute needs the launch role or stronger in the workspace",
            "WS-2",
            "ws2-launch-role-launches",
        ),
        (
            api_key("key-models"),
            "viewMembers",
            org("acme"),
            "This API key lacks the members:read scope",
            "KEY-2",
            "key2-scope-members-read",
        ),
    ];
    for (who, action, resource, sentence, rule, requirement) in cases {
        let decision = check(&engine, &who, action, &resource);
        assert_not_permitted(&decision);
        assert_eq!(decision.reason(), Some(sentence), "{who} {action} {resource}");
        let Decision::Success(verdict) = &decision else { unreachable!() };
        assert_eq!(verdict.requirements[0].id, requirement, "{who} {action} {resource}");
        let cell = MatrixCell::from(decision.clone());
        assert_eq!(cell.rule.as_deref(), Some(rule), "{who} {action} {resource}");
        assert_eq!(cell.reason, sentence);
    }
    // Every requirement is still listed, the closest first.
    let decision = check(&engine, &user("dave"), "viewWorkspace", &workspace("ws-ops"));
    let Decision::Success(verdict) = &decision else { unreachable!() };
    let ids: Vec<&str> = verdict.requirements.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["ws2-view-role-views", "ws4-org-admins-own-every-workspace"]);
}

/// Who a principal is to the organization a resource belongs to (docs/rules.md, "Who is who").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Member,
    Collaborator,
    Outsider,
    Key,
}

/// Every resource of the fixture that belongs to an organization, with its organization.
fn resources_by_org(snapshot: &Snapshot) -> Vec<(EntityRef, String)> {
    let mut out = Vec::new();
    for o in &snapshot.organizations {
        let id = o.id.clone();
        out.push((org(&o.id), id.clone()));
        out.extend(o.members.iter().map(|m| (membership(&o.id, &m.user), id.clone())));
        out.extend(o.teams.iter().map(|t| (team(&t.id), id.clone())));
        out.extend(o.workspaces.iter().map(|w| (workspace(&w.id), id.clone())));
        for a in &o.algorithms {
            out.push((algorithm(&a.id), id.clone()));
            out.extend(a.versions.iter().map(|v| (version(&v.id), id.clone())));
        }
        out.extend(o.invitations.iter().map(|i| (invitation(&i.id), id.clone())));
        out.extend(o.api_keys.iter().map(|k| (api_key(&k.id), id.clone())));
    }
    out
}

fn kind_in(snapshot: &Snapshot, principal: &EntityRef, org_id: &str) -> Kind {
    if principal.entity_type == "ApiKey" {
        return Kind::Key;
    }
    let record = snapshot.organizations.iter().find(|o| o.id == org_id).unwrap();
    if record.members.iter().any(|m| m.user == principal.id) {
        Kind::Member
    } else if record.collaborators.contains(&principal.id) {
        Kind::Collaborator
    } else {
        Kind::Outsider
    }
}

/// Property over the whole fixture (every user and API key × every resource × every action
/// that applies): an answer's sentence is the presented policy's own (`@grant` when allowed,
/// `@reason` when denied), and a refusal never speaks of another kind of principal than the
/// one refused: an outsider (globex's owner on acme included) is never told about
/// collaborators, a member is never told that only members may act, a collaborator is never
/// called an outsider, and an API key is never told about roles.
#[test]
fn a_refusal_never_speaks_of_another_kind_of_principal() {
    let snapshot = snapshot();
    let engine = engine_with(&snapshot);
    let principals: Vec<EntityRef> = snapshot
        .users
        .iter()
        .map(|u| user(&u.id))
        .chain(resources_by_org(&snapshot).into_iter().map(|(r, _)| r).filter(|r| r.entity_type == "ApiKey"))
        .collect();
    let not_for = |kind: Kind| -> &'static [&'static str] {
        match kind {
            Kind::Outsider => &["ollaborator"],
            Kind::Member => &["Only members of the organization", "utsider", "outside"],
            Kind::Collaborator => &["utsider"],
            Kind::Key => {
                &["ollaborator", "utsider", "members of the organization", "admins and owners", " role"]
            }
        }
    };
    let mut denies_seen = std::collections::HashMap::new();
    for principal in &principals {
        for (resource, org_id) in resources_by_org(&snapshot) {
            let kind = kind_in(&snapshot, principal, &org_id);
            for outcome in engine.allowed_actions(principal, &resource).unwrap() {
                let decision = &outcome.decision;
                let at = format!("{kind:?} {principal} {} {resource}", outcome.action);
                let Some(policy) = presented(decision) else { continue };
                let reason = decision.reason().unwrap_or_else(|| panic!("{at}: no reason"));
                if decision.allowed() {
                    assert_eq!(Some(reason), policy.grant.as_deref(), "{at}");
                    continue;
                }
                assert_eq!(Some(reason), policy.reason.as_deref(), "{at}");
                *denies_seen.entry(format!("{kind:?}")).or_insert(0usize) += 1;
                for words in not_for(kind) {
                    assert!(!reason.contains(words), "{at}: {reason:?} speaks of another kind ({words})");
                }
                let wrong_policy = match kind {
                    Kind::Outsider | Kind::Key => Some("ws3-collaborators-stay-in-their-workspaces"),
                    Kind::Member => Some("ws3-org-records-are-for-members"),
                    Kind::Collaborator => None,
                };
                assert_ne!(Some(policy.id.as_str()), wrong_policy, "{at}");
            }
        }
    }
    for kind in ["Member", "Collaborator", "Outsider", "Key"] {
        assert!(
            denies_seen.get(kind).is_some_and(|n| *n > 10),
            "too few refusals of a {kind}: {denies_seen:?}"
        );
    }
}

#[test]
fn org_records_are_refused_in_words_for_whoever_is_refused() {
    let engine = engine();
    let for_outsiders =
        "Only members of the organization can do this: everyone else sees only its public profile";
    let for_collaborators = "Collaborators act only inside the workspaces where they hold a role: the organization's own records are for its members";
    for (who, action, resource, rule, policy, reason) in [
        ("heidi", "viewBilling", org("acme"), "ORG-4", "org4-org-records-are-for-members", for_outsiders), // globex's owner
        (
            "grace",
            "viewOrganization",
            org("acme"),
            "ORG-4",
            "org4-org-records-are-for-members",
            for_outsiders,
        ),
        ("grace", "viewTeam", team("data"), "ORG-4", "org4-org-records-are-for-members", for_outsiders),
        ("frank", "viewBilling", org("acme"), "WS-3", "ws3-org-records-are-for-members", for_collaborators),
    ] {
        let decision = check(&engine, &user(who), action, &resource);
        assert_forbidden_by(&decision, rule);
        assert_eq!(decision.policies()[0].id, policy);
        assert_eq!(decision.reason(), Some(reason), "{who} {action}");
    }
}

// ---- validateAction: never allowed beside a violation --------------------------------------

#[test]
fn validate_action_with_a_violation_never_reports_an_allowed_decision() {
    let engine = engine();
    // `role` is inviteMember's field: changeRole needs `newRole`, and owners may change roles.
    let request: ActionRequest = serde_json::from_value(json!({
        "principal": {"type": "User", "id": "alice"},
        "action": "changeRole",
        "resource": {"type": "Membership", "id": orgwarden::snapshot::membership_id("acme", "dave")},
        "input": {"role": "admin"},
    }))
    .unwrap();
    let validation = engine.validate_action(&request);
    assert!(!validation.valid);
    assert_eq!(validation.violations.len(), 1, "{validation:?}");
    assert_eq!(validation.violations[0].code, ViolationCode::Error(ErrorCode::MissingInput));
    assert!(!validation.decision.allowed(), "{validation:?}");
    assert_eq!(validation.decision.errors()[0].code, ErrorCode::MissingInput);
    assert_eq!(validation.decision.reason(), Some("`changeRole` needs the input `newRole`"));
    let wire = serde_json::to_value(&validation).unwrap();
    assert_eq!(wire["decision"]["type"], "failure");
    assert_eq!(wire["decision"]["allowed"], false);
    assert_eq!(wire["decision"]["errors"][0]["code"], "MISSING_INPUT");
    assert_eq!(wire["violations"][0]["code"], "MISSING_INPUT");

    // The other violations of the input: an unknown account, and one already a member.
    let invite = |account: &str| {
        validate(
            &engine,
            &user("alice"),
            "inviteMember",
            &org("acme"),
            ActionInput { role: Some("member".into()), account: Some(account.into()), ..Default::default() },
        )
    };
    for (account, code, error) in [
        ("nobody", RuleViolation::UnknownAccount, ErrorCode::UnknownEntity),
        ("dave", RuleViolation::AlreadyMember, ErrorCode::InvalidRequest),
    ] {
        let validation = invite(account);
        assert_eq!(validation.violations[0].code, ViolationCode::Rule(code), "{validation:?}");
        assert!(!validation.decision.allowed(), "{validation:?}");
        assert_eq!(validation.decision.errors()[0].code, error);
        assert_eq!(validation.decision.reason(), Some(validation.violations[0].message.as_str()));
    }
}

/// Property over the fixture: for every user, every action with the inputs it needs left out
/// or misspelt, on every resource, a validation is valid exactly when it has no violation and
/// its decision allows; and a decision never allows beside a violation.
#[test]
fn validate_action_is_never_allowed_beside_a_violation_anywhere_in_the_fixture() {
    let snapshot = snapshot();
    let engine = engine_with(&snapshot);
    let inputs = [
        ActionInput::default(),
        ActionInput { role: Some("admin".into()), ..Default::default() },
        ActionInput { new_role: Some("member".into()), confirmation: Some("x".into()), ..Default::default() },
    ];
    let mut refused_beside_allow = 0;
    for u in &snapshot.users {
        for (resource, _) in resources_by_org(&snapshot) {
            for outcome in engine.allowed_actions(&user(&u.id), &resource).unwrap() {
                let action = &outcome.action;
                for input in &inputs {
                    let validation = validate(&engine, &user(&u.id), action, &resource, input.clone());
                    let at = format!("{} {action} {resource} {input:?}", u.id);
                    assert_eq!(
                        validation.valid,
                        validation.violations.is_empty() && validation.decision.allowed(),
                        "{at}"
                    );
                    assert!(
                        !(validation.decision.allowed() && !validation.violations.is_empty()),
                        "{at}: allowed beside {:?}",
                        validation.violations
                    );
                    if outcome.decision.allowed() && !validation.violations.is_empty() {
                        refused_beside_allow += 1;
                    }
                }
            }
        }
    }
    assert!(refused_beside_allow > 0, "no case had a violation the policies alone would allow");
}

#[test]
fn violation_codes_are_the_same_strings_on_the_wire() {
    let codes = [
        (ViolationCode::Rule(RuleViolation::Forbidden), "FORBIDDEN"),
        (ViolationCode::Rule(RuleViolation::NotPermitted), "NOT_PERMITTED"),
        (ViolationCode::Rule(RuleViolation::AlreadyMember), "ALREADY_MEMBER"),
        (ViolationCode::Rule(RuleViolation::UnknownAccount), "UNKNOWN_ACCOUNT"),
        (ViolationCode::Error(ErrorCode::MissingInput), "MISSING_INPUT"),
        (ViolationCode::Error(ErrorCode::UnknownAction), "UNKNOWN_ACTION"),
        (ViolationCode::Error(ErrorCode::LimitExceeded), "LIMIT_EXCEEDED"),
    ];
    for (code, text) in codes {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(text));
        assert_eq!(serde_json::from_value::<ViolationCode>(json!(text)).unwrap(), code);
        assert_eq!(code.as_str(), text);
        assert_eq!(code, text);
    }
    assert!(serde_json::from_value::<ViolationCode>(json!("NOPE")).is_err());
}

// ---- a snapshot with an unknown field is an invalid snapshot, at its path ------------------

#[test]
fn sec4_a_snapshot_field_that_does_not_exist_is_invalid_snapshot_at_its_path() {
    let mut engine = engine();
    let before = store_size(&engine);
    let cases = [
        (json!({"organisations": []}), "organisations", "unknown field `organisations`"),
        (
            {
                let mut json = snapshot_json();
                json["organizations"][0]["api_keys"] = json!([]);
                json
            },
            "organizations[0].api_keys",
            "unknown field `api_keys`",
        ),
        (
            {
                let mut json = snapshot_json();
                json["organizations"][1]["members"][2]["rank"] = json!("x");
                json
            },
            "organizations[1].members[2].rank",
            "unknown field `rank`",
        ),
        (json!({"users": 5}), "users", "invalid type"),
        // A record given by position, which serde alone would read field by field, and an
        // array where a string belongs: each at the array's own path.
        (
            {
                let mut json = snapshot_json();
                json["organizations"][0]["members"][1] = json!(["bob", "admin"]);
                json
            },
            "organizations[0].members[1]",
            "invalid type: sequence, expected struct MemberRecord",
        ),
        (
            {
                let mut json = snapshot_json();
                json["organizations"][0]["name"] = json!(["acme"]);
                json
            },
            "organizations[0].name",
            "invalid type: sequence, expected a string",
        ),
        (json!({"users": [["olivia", "olivia@x.test"]]}), "users[0]", "expected struct UserRecord"),
        // An empty one is reported at its `]`; the path is still its own.
        (json!({"users": [[]]}), "users[0]", "expected struct UserRecord"),
        (
            {
                let mut json = snapshot_json();
                json["organizations"][0]["security"] = json!([]);
                json
            },
            "organizations[0].security",
            "expected struct SecurityRecord",
        ),
    ];
    for (json, path, message) in cases {
        let text = json.to_string();
        for error in [engine.load_snapshot_json(&text).unwrap_err(), Snapshot::from_json(&text).unwrap_err()]
        {
            assert_eq!(error.code(), ErrorCode::InvalidSnapshot, "{error}");
            let Error::InvalidSnapshot { path: at, message: said } = &error else { unreachable!() };
            assert_eq!(at, path);
            assert!(said.contains(message), "{said}");
        }
    }
    // Text that is not JSON at all stays INVALID_JSON, even where a field is unknown before
    // the text stops being JSON.
    for text in ["{", "[]", "not json at all", "", "{\"a\":1}}", "{\"users\": [1,]}"] {
        assert_eq!(engine.load_snapshot_json(text).unwrap_err().code(), ErrorCode::InvalidJson, "{text}");
    }
    assert_eq!(store_size(&engine), before);
}

#[test]
fn the_schema_listing_is_sorted_so_it_reads_the_same_on_every_run() {
    let listing = engine().schema_names();
    let sorted = |names: &[String]| names.windows(2).all(|pair| pair[0] < pair[1]);
    assert!(sorted(&listing.entity_types), "{:?}", listing.entity_types);
    let actions: Vec<String> = listing.actions.iter().map(|a| a.name.clone()).collect();
    assert!(sorted(&actions), "{actions:?}");
    for action in &listing.actions {
        assert!(sorted(&action.principal_types), "{}: {:?}", action.name, action.principal_types);
        assert!(sorted(&action.resource_types), "{}: {:?}", action.name, action.resource_types);
    }
    let call = listing.actions.iter().find(|a| a.name == "callAlgorithm").unwrap();
    assert_eq!(call.principal_types, ["ApiKey", "User"]);
    // The snapshot's words, for role and scope pickers: each scope is an action group.
    let words = &listing.snapshot_vocabulary;
    assert_eq!(words.org_roles, ["owner", "admin", "member"]);
    assert_eq!(words.workspace_roles, ["view", "connect", "launch", "maintain", "admin", "owner"]);
    assert_eq!(words.api_key_scopes.len(), 8);
    for scope in &words.api_key_scopes {
        assert!(engine().schema_text().contains(&format!("action \"{scope}\";")), "{scope}");
    }
}

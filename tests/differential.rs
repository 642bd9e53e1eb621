//! Differential tests: the engine's decisions against the reference model of the rules
//! (tests/support/reference.rs, plain Rust written from docs/rules.md). For random
//! organizations (the generator of tests/support/generator.rs, with more security settings
//! switched on, more non-compliant users and outsiders invited by email) and random requests
//! over every kind of principal, every action and every resource type, with and without the
//! context `validateAction` fills in, the engine and the model must agree on:
//!
//! - whether the request is allowed, and the cause (permitted, forbidden, not permitted, or
//!   invalid for the schema);
//! - permitted: the set of rules whose permits applied;
//! - forbidden: the rules of the forbids that applied, in order: the first one decides;
//! - not permitted: the rule the model names is among the permits the engine lists as the
//!   ones that would have granted it.
//!
//! The default case counts keep the file under a minute in a debug build on 2 cores; set
//! `PROPTEST_CASES` for long rounds (docs/HARDENING.md, "Differential tests against a
//! reference model"):
//!
//! ```sh
//! cargo test --test differential
//! PROPTEST_CASES=2000 cargo test --release --test differential
//! # a mutation check: widen a policy's condition in memory (the files stay as they are)
//! ORGWARDEN_EDIT_POLICY='resource.roles.owner };=>resource.roles.admin };' cargo test --test differential
//! cargo test --test differential -- --ignored --nocapture   # survey: every disagreement, grouped
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
#[path = "support/engines.rs"]
mod engines;
#[path = "support/generator.rs"]
mod generator;
#[path = "support/model.rs"]
#[allow(dead_code)]
mod model;
#[path = "support/mutation.rs"]
mod mutation;
#[path = "support/reference.rs"]
mod reference;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use engines::config;
use orgwarden::snapshot::{OrgRole, UserRecord, API_KEY_SCOPES};
use orgwarden::{Cause, Decision, Engine, EntityRef, ErrorCode, Snapshot};
use proptest::prelude::*;
use reference::{Answer, Context, Target, ACTIONS};
use serde_json::{Map, Value};

// ---- configuration and the engine -----------------------------------------------------------

/// The default engine, or for a mutation check the default policies changed by
/// `ORGWARDEN_EDIT_POLICY=<text>=><replacement>` (the text must occur in a default policy
/// file; every occurrence is replaced) and without the comma-separated policy ids of
/// `ORGWARDEN_DROP_POLICY`. The differential tests must then fail.
fn defaults() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let edit = std::env::var("ORGWARDEN_EDIT_POLICY").ok();
        let drop = std::env::var("ORGWARDEN_DROP_POLICY").ok();
        if edit.is_none() && drop.is_none() {
            return Engine::with_defaults().expect("the default policies build");
        }
        let mut sources = orgwarden::policies::default_policy_sources();
        if let Some(edit) = edit {
            let (from, to) = edit.split_once("=>").expect("ORGWARDEN_EDIT_POLICY is <text>=><replacement>");
            let mut found = false;
            for source in &mut sources {
                if source.text.contains(from) {
                    source.text = source.text.replace(from, to);
                    found = true;
                }
            }
            assert!(found, "no default policy contains {from:?}");
        }
        for id in drop.iter().flat_map(|ids| ids.split(',')) {
            mutation::remove_policy(&mut sources, id);
        }
        mutation::engine_from(sources)
    })
}

fn engine_for(snapshot: &Snapshot) -> Engine {
    engines::loaded_into(defaults(), snapshot)
}

// ---- the organizations ------------------------------------------------------------------------

/// Extra choices on top of a generated snapshot (the shared generator keeps compliance and
/// security settings rare, which the properties want and this test does not).
#[derive(Debug, Clone)]
struct Tweaks {
    /// Per org: switch on the password policy, require MFA.
    security: Vec<(bool, bool)>,
    /// Per user: keep MFA, keep a compliant password.
    compliance: Vec<(bool, bool)>,
    /// Per email invitation: write its address in capitals.
    capitals: Vec<bool>,
    /// Users in no organization whose email matches the generator's fresh invitation
    /// addresses (`new<i>@elsewhere.test`, in capitals): outsiders invited by email.
    outsiders: Vec<(bool, bool)>,
}

fn tweaks() -> impl Strategy<Value = Tweaks> {
    let flag = |p: f64| prop::bool::weighted(p);
    (
        prop::collection::vec((flag(0.4), flag(0.4)), 3),
        prop::collection::vec((flag(0.75), flag(0.75)), 9),
        prop::collection::vec(flag(0.3), 4),
        prop::collection::vec((flag(0.5), flag(0.5)), 0..=2),
    )
        .prop_map(|(security, compliance, capitals, outsiders)| Tweaks {
            security,
            compliance,
            capitals,
            outsiders,
        })
}

fn apply(snapshot: &mut Snapshot, tweaks: &Tweaks) {
    for (org, (password, mfa)) in snapshot.organizations.iter_mut().zip(&tweaks.security) {
        org.security.enforce_password_policy |= password;
        org.security.require_mfa |= mfa;
    }
    for (user, (mfa, password)) in snapshot.users.iter_mut().zip(&tweaks.compliance) {
        user.mfa_enabled &= mfa;
        user.password_compliant &= password;
    }
    let mut n = 0;
    for org in &mut snapshot.organizations {
        for invitation in org.invitations.iter_mut().filter(|i| i.account.is_none()) {
            if tweaks.capitals.get(n % tweaks.capitals.len()).copied().unwrap_or(false) {
                invitation.email = invitation.email.to_uppercase();
            }
            n += 1;
        }
    }
    for (k, (mfa, password)) in tweaks.outsiders.iter().enumerate() {
        snapshot.users.push(UserRecord {
            id: format!("x{k}"),
            email: format!("NEW{k}@ELSEWHERE.TEST"),
            name: format!("Outsider {k}"),
            mfa_enabled: *mfa,
            password_compliant: *password,
        });
    }
}

fn organizations() -> impl Strategy<Value = Snapshot> {
    (generator::snapshot_plan(1..=3), tweaks()).prop_map(|(plan, tweaks)| {
        let mut snapshot = generator::build(&plan);
        apply(&mut snapshot, &tweaks);
        snapshot
    })
}

// ---- the requests -----------------------------------------------------------------------------

/// A request as choices, resolved against the snapshot by [`resolve`]; indices are taken
/// modulo what they point into.
#[derive(Debug, Clone)]
struct RequestPlan {
    action: usize,
    principal: usize,
    resource: usize,
    /// An API key as principal (where the action takes one; sometimes where it does not).
    key: u8,
    /// Pick the principal the resource is about (the invitee, the member, the submitter, a
    /// contributor) rather than any user.
    related: bool,
    /// A resource of any type, usually not one the action applies to.
    any_resource: bool,
    /// The context, if any: each field from a short list of meaningful values, absence
    /// included.
    context: Option<(u8, u8, u8)>,
}

fn request_plan() -> impl Strategy<Value = RequestPlan> {
    (
        any::<usize>(),
        any::<usize>(),
        any::<usize>(),
        0u8..20,
        prop::bool::weighted(0.35),
        prop::bool::weighted(0.05),
        prop::option::weighted(0.5, (0u8..5, 0u8..3, 0u8..3)),
    )
        .prop_map(|(action, principal, resource, key, related, any_resource, context)| RequestPlan {
            action,
            principal,
            resource,
            key,
            related,
            any_resource,
            context,
        })
}

/// Every resource of the snapshot: the platform and every org-scoped entity.
fn resources(snapshot: &Snapshot) -> Vec<EntityRef> {
    let mut out = vec![EntityRef::new("Platform", "platform")];
    for org in &snapshot.organizations {
        out.extend(model::org_resources(org));
    }
    out
}

fn keys(snapshot: &Snapshot) -> Vec<EntityRef> {
    snapshot.organizations.iter().flat_map(|o| &o.api_keys).map(|k| EntityRef::new("ApiKey", &k.id)).collect()
}

fn pick<T: Clone>(items: &[T], index: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[index % items.len()].clone())
}

/// One resolved request: principal, action, resource, and the context as the model reads it
/// and as the engine gets it.
#[derive(Debug, Clone)]
struct Resolved {
    principal: EntityRef,
    action: &'static str,
    resource: EntityRef,
    context: Context,
    json: Option<Value>,
}

fn resolve(snapshot: &Snapshot, plan: &RequestPlan) -> Resolved {
    let (action, principal_types, resource_types) = ACTIONS[plan.action % ACTIONS.len()];
    let all = resources(snapshot);
    let fitting: Vec<EntityRef> =
        all.iter().filter(|r| resource_types.contains(&r.entity_type.as_str())).cloned().collect();
    let resource = if plan.any_resource || fitting.is_empty() {
        pick(&all, plan.resource).unwrap()
    } else {
        pick(&fitting, plan.resource).unwrap()
    };
    let target = reference::find_target(snapshot, &resource).unwrap();
    let takes_keys = principal_types.contains(&"ApiKey");
    let keys = keys(snapshot);
    let use_key = !keys.is_empty() && if takes_keys { plan.key < 8 } else { plan.key == 0 };
    let principal = if use_key {
        pick(&keys, plan.principal).unwrap()
    } else {
        let related = if plan.related { related_users(snapshot, &target) } else { Vec::new() };
        let users: Vec<String> = snapshot.users.iter().map(|u| u.id.clone()).collect();
        EntityRef::new(
            "User",
            pick(&related, plan.principal).or_else(|| pick(&users, plan.principal)).unwrap(),
        )
    };
    let context =
        plan.context.map(|choice| context_for(snapshot, action, &target, choice)).unwrap_or_default();
    let json = plan.context.map(|_| context_json(&context));
    Resolved { principal, action, resource, context, json }
}

/// The users a resource is about: an organization's members (so that its own records are
/// asked of members as often as of outsiders, who are most of the users), an invitation's
/// invitees, a membership's member, a version's submitter, an algorithm's contributors.
fn related_users(snapshot: &Snapshot, target: &Target<'_>) -> Vec<String> {
    match *target {
        Target::Organization(org) => org.members.iter().map(|m| m.user.clone()).collect(),
        Target::Invitation(_, invitation) => snapshot
            .users
            .iter()
            .filter(|u| reference::is_invitee(invitation, u))
            .map(|u| u.id.clone())
            .collect(),
        Target::Membership(_, user, _) => vec![user.to_owned()],
        Target::Version(_, _, version) => vec![version.submitter.clone()],
        Target::Algorithm(_, algorithm) => algorithm.contributors.clone(),
        _ => Vec::new(),
    }
}

/// A context for `action` with values chosen from short lists of meaningful ones, as
/// `validateAction` would fill it in (a removal's confirmation lower-cased).
fn context_for(snapshot: &Snapshot, action: &str, target: &Target<'_>, (a, b, c): (u8, u8, u8)) -> Context {
    let role = |n: u8| ["", "owner", "admin", "member", "superadmin"][usize::from(n) % 5];
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let flag = |n: u8| [None, Some(true), Some(false)][usize::from(n) % 3];
    let org = target.org();
    match action {
        "inviteMember" => Context {
            role: text(role(a)),
            invited_by_email: flag(b),
            invitee_has_account: flag(c),
            ..Context::default()
        },
        "changeRole" => Context { new_role: text(role(a)), ..Context::default() },
        "removeMember" => {
            let member = match *target {
                Target::Membership(_, user, _) => snapshot.users.iter().find(|u| u.id == user),
                _ => None,
            };
            let other = snapshot.users.get(usize::from(b)).map(|u| u.email.to_lowercase());
            let typed = match a % 4 {
                0 => None,
                1 | 2 => member.map(|u| u.email.to_lowercase()),
                _ => other.or_else(|| Some("someone@else.test".to_owned())),
            };
            Context { confirmation: typed, ..Context::default() }
        }
        "leaveOrganization" => {
            let typed = match (a % 4, org) {
                (1 | 2, Some(org)) => Some(org.name.clone()),
                (3, Some(org)) => Some(if b == 0 { org.id.clone() } else { org.display_name.clone() }),
                _ => None,
            };
            Context { confirmation: typed, ..Context::default() }
        }
        "acceptInvitation" => {
            let typed = match (a % 3, org) {
                (1, Some(org)) => Some(org.terms_version.clone()),
                (2, _) => Some("an-old-version".to_owned()),
                _ => None,
            };
            Context { accepted_terms_version: typed, ..Context::default() }
        }
        "addTeamMember" => Context { candidate_in_org: flag(a), ..Context::default() },
        _ => Context::default(),
    }
}

fn context_json(context: &Context) -> Value {
    let mut map = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            map.insert(key.to_owned(), value);
        }
    };
    put("role", context.role.clone().map(Value::from));
    put("invitedByEmail", context.invited_by_email.map(Value::from));
    put("inviteeHasAccount", context.invitee_has_account.map(Value::from));
    put("newRole", context.new_role.clone().map(Value::from));
    put("confirmation", context.confirmation.clone().map(Value::from));
    put("acceptedTermsVersion", context.accepted_terms_version.clone().map(Value::from));
    put("candidateInOrg", context.candidate_in_org.map(Value::from));
    Value::Object(map)
}

// ---- comparing ----------------------------------------------------------------------------------

/// The engine's answer in the model's terms, for messages.
fn summary(decision: &Decision) -> String {
    match decision {
        Decision::Success(verdict) => {
            let rules = |ps: &[std::sync::Arc<orgwarden::PolicyInfo>]| {
                ps.iter()
                    .map(|p| format!("{} ({})", p.rule.as_deref().unwrap_or("?"), p.id))
                    .collect::<Vec<_>>()
            };
            match verdict.cause {
                Cause::Permitted => format!("permitted by {:?}", rules(&verdict.policies)),
                Cause::Forbidden => format!("forbidden by {:?}", rules(&verdict.policies)),
                Cause::NotPermitted => {
                    format!("not permitted; would be granted by {:?}", rules(&verdict.requirements))
                }
            }
        }
        Decision::Failure(failure) => {
            format!("failure {:?}", failure.errors.iter().map(|e| e.code).collect::<Vec<_>>())
        }
    }
}

/// The rule ids of policies, in order, each once.
fn rule_list(policies: &[std::sync::Arc<orgwarden::PolicyInfo>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rule in policies.iter().map(|p| p.rule.clone().unwrap_or_else(|| format!("<{}>", p.id))) {
        if !out.contains(&rule) {
            out.push(rule);
        }
    }
    out
}

/// Does the engine's decision say what the model says?
fn agrees(answer: &Answer, decision: &Decision) -> bool {
    match (answer, decision) {
        (Answer::Invalid, Decision::Failure(failure)) => {
            failure.errors.first().is_some_and(|e| e.code == ErrorCode::InvalidRequest)
        }
        (_, Decision::Failure(_)) | (Answer::Invalid, _) => false,
        (Answer::Permitted(rules), Decision::Success(verdict)) => {
            let got: BTreeSet<String> = rule_list(&verdict.policies).into_iter().collect();
            let want: BTreeSet<String> = rules.iter().map(|r| (*r).to_owned()).collect();
            verdict.allowed && verdict.cause == Cause::Permitted && got == want
        }
        (Answer::Forbidden(rules), Decision::Success(verdict)) => {
            !verdict.allowed && verdict.cause == Cause::Forbidden && rule_list(&verdict.policies) == *rules
        }
        (Answer::NotPermitted(rule), Decision::Success(verdict)) => {
            let named = rule_list(&verdict.requirements);
            !verdict.allowed
                && verdict.cause == Cause::NotPermitted
                && (named.iter().any(|r| r == rule) || (named.is_empty() && *rule == "SEC-1"))
        }
    }
}

/// Who the principal is to the resource's organization, in the words of docs/rules.md.
fn kind(snapshot: &Snapshot, request: &Resolved) -> String {
    let target = reference::find_target(snapshot, &request.resource).unwrap();
    let Some(org) = target.org() else { return request.principal.entity_type.to_lowercase() };
    match reference::find_principal(snapshot, &request.principal).unwrap() {
        reference::Who::Key(key, home) => {
            let mut kind = if home.id == org.id { "key".to_owned() } else { "key of another org".to_owned() };
            if key.revoked {
                kind.push_str(", revoked");
            }
            kind
        }
        reference::Who::User(user) => {
            let mut kind = match reference::org_role(org, &user.id) {
                Some(OrgRole::Owner) if org.personal => "personal-account user".to_owned(),
                Some(role) => role.as_str().to_owned(),
                None if reference::is_collaborator(org, &user.id) => {
                    let direct = org
                        .workspaces
                        .iter()
                        .flat_map(|w| &w.participants)
                        .any(|p| p.user.as_deref() == Some(user.id.as_str()));
                    if direct {
                        "collaborator".to_owned()
                    } else {
                        "collaborator through a team".to_owned()
                    }
                }
                None if snapshot.organizations.iter().any(|o| reference::is_member(o, &user.id)) => {
                    "member of another org".to_owned()
                }
                None => "outsider".to_owned(),
            };
            if let Target::Invitation(_, invitation) = target {
                if reference::is_invitee(invitation, user) {
                    kind.push_str(if invitation.account.is_some() {
                        ", invitee by name"
                    } else {
                        ", invitee by email"
                    });
                }
            }
            if reference::is_non_compliant(org, user) {
                kind.push_str(", non-compliant");
            }
            if !reference::demanded_labels(org, &user.id).is_empty() {
                kind.push_str(", restricted team");
            }
            kind
        }
    }
}

fn describe(snapshot: &Snapshot, request: &Resolved, answer: &Option<Answer>, decision: &Decision) -> String {
    format!(
        "{} {} {} {} ({}): model {:?}, engine {}",
        request.principal,
        request.action,
        request.resource,
        request.json.as_ref().map(Value::to_string).unwrap_or_default(),
        kind(snapshot, request),
        answer,
        summary(decision)
    )
}

/// Checks every request against the model; the first disagreement fails the case.
fn check_all(snapshot: &Snapshot, plans: &[RequestPlan]) -> Result<(), TestCaseError> {
    let engine = engine_for(snapshot);
    for plan in plans {
        let request = resolve(snapshot, plan);
        let answer = reference::decide(
            snapshot,
            &request.principal,
            request.action,
            &request.resource,
            &request.context,
        );
        let decision =
            engine.check(&request.principal, request.action, &request.resource, request.json.clone());
        let agreed = answer.as_ref().is_some_and(|answer| agrees(answer, &decision));
        prop_assert!(agreed, "disagreement: {}", describe(snapshot, &request, &answer, &decision));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    /// Random organizations (128 by default) and 150 random requests each: the engine answers every one as the
    /// reference model of docs/rules.md does.
    #[test]
    fn engine_agrees_with_the_reference_model(
        snapshot in organizations(),
        plans in prop::collection::vec(request_plan(), 150),
    ) {
        check_all(&snapshot, &plans)?;
    }
}

// ---- the model covers the schema, and the requests cover the model ----------------------------

/// The model's action table is the schema's: every action, with its principal and resource
/// types.
#[test]
fn the_reference_knows_every_action_of_the_schema() {
    let engine = Engine::with_defaults().unwrap();
    let schema: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = engine
        .catalog()
        .actions()
        .iter()
        .map(|a| {
            let names =
                |types: &[cedar_policy::EntityTypeName]| types.iter().map(ToString::to_string).collect();
            (a.name.clone(), (names(&a.principals), names(&a.resources)))
        })
        .collect();
    let model: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = ACTIONS
        .iter()
        .map(|(name, principals, resources)| {
            let names = |types: &[&str]| types.iter().map(|t| (*t).to_owned()).collect();
            ((*name).to_owned(), (names(principals), names(resources)))
        })
        .collect();
    assert_eq!(model, schema);
    for scope in API_KEY_SCOPES {
        assert!(ACTIONS.iter().any(|(a, ..)| reference::scope_of(a) == Some(scope)), "{scope}");
    }
}

/// The generated requests reach every kind of principal of docs/rules.md, every action and
/// every kind of answer, so that agreement is not vacuous. Counts over 120 generated cases.
#[test]
fn requests_cover_every_kind_of_principal() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (organizations(), prop::collection::vec(request_plan(), 150));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..120 {
        let (snapshot, plans) = strategy.new_tree(&mut runner).unwrap().current();
        for plan in &plans {
            let request = resolve(&snapshot, plan);
            let answer = reference::decide(
                &snapshot,
                &request.principal,
                request.action,
                &request.resource,
                &request.context,
            )
            .unwrap();
            let kind = kind(&snapshot, &request);
            let mut count = |feature: String| *seen.entry(feature).or_default() += 1;
            for part in kind.split(", ") {
                count(format!("kind: {part}"));
            }
            if kind.contains("invitee") && kind.contains("non-compliant") {
                count("non-compliant invitee".to_owned());
            }
            if let Some((base, _)) = kind.split_once(", non-compliant") {
                count(format!("non-compliant {}", base.split(", ").next().unwrap_or(base)));
            }
            count(format!("action: {}", request.action));
            count(format!("resource: {}", request.resource.entity_type));
            count(
                match &answer {
                    Answer::Permitted(_) => "answer: permitted",
                    Answer::Forbidden(_) => "answer: forbidden",
                    Answer::NotPermitted(_) => "answer: not permitted",
                    Answer::Invalid => "answer: invalid",
                }
                .to_owned(),
            );
            if let Some(rule) = answer.deciding_rule() {
                count(format!("rule: {rule}"));
            }
            if request.principal.entity_type == "ApiKey" {
                if let Some(reference::Who::Key(key, _)) =
                    reference::find_principal(&snapshot, &request.principal)
                {
                    for scope in &key.scopes {
                        count(format!("key scope: {scope}"));
                    }
                }
            }
        }
    }
    let mut wanted: Vec<String> = [
        "kind: owner",
        "kind: admin",
        "kind: member",
        "kind: collaborator",
        "kind: collaborator through a team",
        "kind: outsider",
        "kind: member of another org",
        "kind: personal-account user",
        "kind: invitee by name",
        "kind: invitee by email",
        "kind: key",
        "kind: key of another org",
        "kind: revoked",
        "kind: restricted team",
        "non-compliant owner",
        "non-compliant admin",
        "non-compliant member",
        "non-compliant collaborator",
        "non-compliant outsider",
        "non-compliant invitee",
        "answer: permitted",
        "answer: forbidden",
        "answer: not permitted",
        "answer: invalid",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    wanted.extend(ACTIONS.iter().map(|(a, ..)| format!("action: {a}")));
    wanted.extend(API_KEY_SCOPES.iter().map(|s| format!("key scope: {s}")));
    for rule in [
        "ORG-1", "ORG-2", "ORG-3", "ORG-4", "MEM-1", "MEM-2", "MEM-3", "MEM-4", "MEM-5", "MEM-6", "MEM-7",
        "MEM-8", "MEM-9", "MEM-10", "TEAM-1", "TEAM-2", "TEAM-4", "WS-1", "WS-2", "WS-3", "WS-4", "ALG-1",
        "ALG-2", "ALG-3", "ALG-4", "ALG-5", "KEY-1", "KEY-2", "BILL-1", "BILL-2", "BILL-3", "SEC-3",
    ] {
        wanted.push(format!("rule: {rule}"));
    }
    println!("{seen:#?}");
    let missing: Vec<(&String, usize)> =
        wanted.iter().map(|w| (w, seen.get(w).copied().unwrap_or(0))).filter(|(_, n)| *n < 5).collect();
    assert!(missing.is_empty(), "rarely or never generated: {missing:?}\n(all: {seen:?})");
}

// ---- the fixture, exhaustively ------------------------------------------------------------------

/// Every principal of the rule tests' fixture (tests/common) × every action × every resource,
/// with no context, in the fixture as it is and with acme switching on both security demands
/// for some of its people (so that non-compliant owners, admins, members, collaborators and
/// outsiders all meet public and private resources).
#[test]
fn fixture_agrees_with_the_reference_everywhere() {
    let strict = common::snapshot_with(|s| {
        let acme = common::org_mut(s, "acme");
        acme.security.require_mfa = true;
        acme.security.enforce_password_policy = true;
        for user in &mut s.users {
            if ["bob", "hank", "kate", "frank", "grace", "rita", "heidi"].contains(&user.id.as_str()) {
                user.mfa_enabled = user.id.len() % 2 == 0;
                user.password_compliant = user.id.len() % 2 == 1;
            }
        }
    });
    let mut failures = Vec::new();
    let mut checked = 0;
    for snapshot in [common::snapshot(), strict] {
        let engine = engine_for(&snapshot);
        let mut principals: Vec<EntityRef> =
            snapshot.users.iter().map(|u| EntityRef::new("User", &u.id)).collect();
        principals.extend(keys(&snapshot));
        for principal in &principals {
            for (action, ..) in ACTIONS {
                for resource in resources(&snapshot) {
                    let request = Resolved {
                        principal: principal.clone(),
                        action,
                        resource,
                        context: Context::default(),
                        json: None,
                    };
                    let answer = reference::decide(
                        &snapshot,
                        principal,
                        action,
                        &request.resource,
                        &Context::default(),
                    );
                    let decision = engine.check(principal, action, &request.resource, None);
                    checked += 1;
                    if !answer.as_ref().is_some_and(|a| agrees(a, &decision)) {
                        failures.push(describe(&snapshot, &request, &answer, &decision));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} disagree:\n{}", failures.len(), failures.join("\n"));
}

// ---- the survey ---------------------------------------------------------------------------------

/// Not a test: runs many cases without stopping at the first disagreement and prints each kind
/// of disagreement once (action, kind of principal, model, engine) with how often it occurred.
/// `cargo test --test differential -- --ignored --nocapture`.
#[test]
#[ignore]
fn survey_disagreements() {
    use proptest::strategy::ValueTree;
    let cases: usize = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (organizations(), prop::collection::vec(request_plan(), 150));
    let mut found: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut total = 0;
    for _ in 0..cases {
        let (snapshot, plans) = strategy.new_tree(&mut runner).unwrap().current();
        let engine = engine_for(&snapshot);
        for plan in &plans {
            let request = resolve(&snapshot, plan);
            let answer = reference::decide(
                &snapshot,
                &request.principal,
                request.action,
                &request.resource,
                &request.context,
            );
            let decision =
                engine.check(&request.principal, request.action, &request.resource, request.json.clone());
            total += 1;
            if !answer.as_ref().is_some_and(|a| agrees(a, &decision)) {
                let engine_rules = match &decision {
                    Decision::Success(v) if v.cause != Cause::NotPermitted => {
                        rule_list(&v.policies).join("+")
                    }
                    _ => String::new(),
                };
                let key = format!(
                    "{} | {} | model {:?} | engine {:?} {}",
                    request.action,
                    kind(&snapshot, &request),
                    answer.as_ref().and_then(Answer::deciding_rule),
                    decision.cause(),
                    engine_rules
                );
                let entry =
                    found.entry(key).or_insert((0, describe(&snapshot, &request, &answer, &decision)));
                entry.0 += 1;
            }
        }
    }
    println!("{} kinds of disagreement in {total} requests", found.len());
    for (key, (n, example)) in &found {
        println!("{n:6}  {key}\n        e.g. {example}");
    }
}

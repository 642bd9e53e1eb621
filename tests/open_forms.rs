//! A check is decided by its action's slice of the policy set, each member with its action
//! scope opened (`src/engine/open_forms.rs`). These tests hold that to Cedar deciding the same
//! request with the whole policy set as written: for random organizations and random
//! requests of every action, the engine and Cedar agree on the decision, on the policies that
//! decided it and on every evaluation error. The engine under test has, beside the defaults,
//! custom policies that read the action in their conditions, that a ruleset's first check
//! gives open forms to (the defaults' are made when the ruleset is), and one that errs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/engines.rs"]
mod engines;
#[path = "support/generator.rs"]
mod generator;

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::OnceLock;

use cedar_policy::{Authorizer, Context, EntityUid, PolicyId, PolicySet, Request};
use engines::{config, loaded_into, store_refs};
use orgwarden::{Engine, EngineOptions, EntityRef, ErrorCode, PolicySource};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Custom policies whose scopes list several actions and whose conditions read the action,
/// and one that errs (an overflow) for an organization with a positive credit balance; then
/// the same two kinds with one action in the scope.
const CUSTOM: &str = r#"
@id("custom-usage-but-not-activity")
@rule("BILL-2")
@reason("Members see usage here, but not member activity")
permit (
  principal is User,
  action in [Action::"viewUsage", Action::"viewMemberActivity"],
  resource is Organization
)
when { principal in resource.members && action != Action::"viewMemberActivity" };

@id("custom-no-invoices-for-collaborators")
@rule("BILL-1")
@reason("Collaborators never see invoices")
forbid (
  principal,
  action in [Action::"viewInvoices", Action::"viewEarnings"],
  resource is Organization
)
when { principal in resource.collaborators }
unless { action == Action::"viewEarnings" && principal in resource.owners };

@id("custom-overflowing-balance")
@rule("BILL-3")
@reason("A balance check that overflows")
forbid (
  principal is User,
  action in [Action::"viewBilling", Action::"viewUsage"],
  resource is Organization
)
when { resource.creditBalance + 9223372036854775807 < 0 };

@id("custom-admins-see-activity")
@rule("BILL-2")
@reason("Admins see member activity")
permit (
  principal is User,
  action == Action::"viewMemberActivity",
  resource is Organization
)
when { principal in resource.admins && action == Action::"viewMemberActivity" };

@id("custom-overflowing-invoices")
@rule("BILL-3")
@reason("An invoice check that overflows")
forbid (
  principal is User,
  action == Action::"viewInvoices",
  resource is Organization
)
when { resource.creditBalance * 9223372036854775807 > 1 };
"#;

/// The default policies with [`CUSTOM`].
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let options =
            EngineOptions { policies: vec![PolicySource::new("custom.cedar", CUSTOM)], ..Default::default() };
        Engine::new(options).expect("the custom policies build")
    })
}

/// The same policies as Cedar reads them, source by source, each named by its `@id`.
fn whole_set(engine: &Engine) -> PolicySet {
    let mut whole = PolicySet::new();
    for source in engine.policy_sources() {
        for policy in PolicySet::from_str(&source.text).unwrap().policies() {
            let id = policy.annotation("id").expect("every policy has an @id");
            whole.add(policy.new_id(PolicyId::new(id))).unwrap();
        }
    }
    whole
}

fn uid(entity: &EntityRef) -> EntityUid {
    let type_name = cedar_policy::EntityTypeName::from_str(&entity.entity_type).unwrap();
    EntityUid::from_type_name_and_id(type_name, cedar_policy::EntityId::new(&entity.id))
}

/// Checks `plans` (action, principal, resource: indices taken modulo what they pick from) on
/// `snapshot` with the engine and with Cedar on the whole set; the first disagreement fails.
fn agree_on(snapshot: &orgwarden::Snapshot, plans: &[(usize, usize, usize)]) -> Result<usize, TestCaseError> {
    let engine = loaded_into(engine(), snapshot);
    let whole = whole_set(&engine);
    let refs = store_refs(&engine);
    let actions = engine.catalog().actions();
    let mut decided = 0;
    for &(action, principal, resource) in plans {
        let entry = &actions[action % actions.len()];
        let of = |types: &[cedar_policy::EntityTypeName]| -> Vec<&EntityRef> {
            refs.iter().filter(|r| types.iter().any(|t| t.to_string() == r.entity_type)).collect()
        };
        let (principals, resources) = (of(&entry.principals), of(&entry.resources));
        if principals.is_empty() || resources.is_empty() {
            continue;
        }
        let principal = principals[principal % principals.len()];
        let resource = resources[resource % resources.len()];
        let decision = engine.check(principal, &entry.name, resource, None);
        let request =
            Request::new(uid(principal), entry.uid.clone(), uid(resource), Context::empty(), None).unwrap();
        let response = Authorizer::new().is_authorized(&request, &whole, engine.entities());
        let said = format!("{} {} {}: {decision:?} against {response:?}", principal, entry.name, resource);

        let cedar_errors: Vec<String> = response.diagnostics().errors().map(ToString::to_string).collect();
        let errors = decision.errors();
        prop_assert_eq!(errors.len(), cedar_errors.len(), "errors: {}", said);
        for message in &cedar_errors {
            let found =
                errors.iter().any(|e| e.code == ErrorCode::PolicyEvaluation && e.message.contains(message));
            prop_assert!(found, "the error `{}` is not in the answer: {}", message, said);
        }
        if cedar_errors.is_empty() {
            let allowed = response.decision() == cedar_policy::Decision::Allow;
            prop_assert_eq!(decision.allowed(), allowed, "decision: {}", said);
            let deciding: BTreeSet<String> = decision.policies().iter().map(|p| p.id.clone()).collect();
            let reasons: BTreeSet<String> =
                response.diagnostics().reason().map(ToString::to_string).collect();
            prop_assert_eq!(deciding, reasons, "deciding policies: {}", said);
        } else {
            // SEC-4: any error denies, whatever Cedar's decision.
            prop_assert!(!decision.allowed(), "an erring request is allowed: {}", said);
        }
        decided += 1;
    }
    Ok(decided)
}

proptest! {
    #![proptest_config(config(32))]

    /// Random organizations (32 by default) and 300 random requests each, over every action.
    #[test]
    fn checks_decide_as_cedar_does_with_the_whole_policy_set(
        snapshot in generator::snapshot_strategy(1..=2),
        plans in prop::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 300),
    ) {
        agree_on(&snapshot, &plans)?;
    }
}

/// The agreement above is not vacuous: over a few organizations, the requests reach allows,
/// denies by a forbid, denies for want of a permit and evaluation errors, and the custom
/// policies decide some of them.
#[test]
fn the_requests_reach_every_kind_of_answer() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = generator::snapshot_strategy(1..=2);
    let (mut allowed, mut forbidden, mut not_permitted, mut erred, mut custom) = (0, 0, 0, 0, 0);
    let (mut one_action_permits, mut one_action_errors) = (0, 0);
    for _ in 0..8 {
        let snapshot = strategy.new_tree(&mut runner).unwrap().current();
        let engine = loaded_into(engine(), &snapshot);
        let actions = engine.catalog().actions();
        let refs = store_refs(&engine);
        for entry in actions {
            for principal in
                refs.iter().filter(|r| entry.principals.iter().any(|t| t.to_string() == r.entity_type))
            {
                for resource in refs
                    .iter()
                    .filter(|r| entry.resources.iter().any(|t| t.to_string() == r.entity_type))
                    .take(3)
                {
                    let decision = engine.check(principal, &entry.name, resource, None);
                    match decision.cause() {
                        None => erred += 1,
                        Some(orgwarden::Cause::Permitted) => allowed += 1,
                        Some(orgwarden::Cause::Forbidden) => forbidden += 1,
                        Some(orgwarden::Cause::NotPermitted) => not_permitted += 1,
                    }
                    custom += usize::from(decision.policies().iter().any(|p| p.id.starts_with("custom-")));
                    one_action_permits +=
                        usize::from(decision.policies().iter().any(|p| p.id == "custom-admins-see-activity"));
                    one_action_errors += usize::from(
                        decision.errors().iter().any(|e| e.message.contains("custom-overflowing-invoices")),
                    );
                }
            }
        }
        agree_on(&snapshot, &(0..300).map(|i| (i, i * 7, i * 13)).collect::<Vec<_>>()).unwrap();
    }
    for (what, count) in [
        ("allowed", allowed),
        ("forbidden", forbidden),
        ("not permitted", not_permitted),
        ("erred", erred),
        ("custom", custom),
        ("allowed by a custom policy of one action", one_action_permits),
        ("erred in a custom policy of one action", one_action_errors),
    ] {
        assert!(count > 0, "no request was {what}");
    }
}

//! Incremental updates of the entity store (`upsert_entities_json`, `remove_entities`): the
//! ancestors they leave are the transitive closure Cedar computes from scratch, they agree with
//! Cedar's own `upsert_entities` / `remove_entities`, a refused update changes nothing, and an
//! update recomputes the ancestors of what it changed only: the upserted entities whose parents
//! changed and the entities below them or below a removed one, never the rest of the store.
//!
//! The default case count keeps the property to about a minute in a debug build; set
//! `PROPTEST_CASES` for longer rounds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use cedar_policy::{Entities, Entity, EntityId, EntityUid};
use cedar_policy_core::ast;
use cedar_policy_core::entities::{Dereference, Entities as CoreEntities, NoEntitiesSchema, TCComputation};
use cedar_policy_core::extensions::Extensions;
use orgwarden::{Engine, EntityRef, ErrorCode};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value};

/// The schema's group type that may sit in itself (`entity WorkspaceRole in [WorkspaceRole]`).
const GROUP: &str = "WorkspaceRole";

fn uid(id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(GROUP.parse().unwrap(), EntityId::new(id))
}

fn core_uid(id: &str) -> ast::EntityUID {
    uid(id).as_ref().clone()
}

fn entity_json(id: &str, parents: &[String]) -> Value {
    json!({
        "uid": { "type": GROUP, "id": id },
        "attrs": {},
        "parents": parents.iter().map(|p| json!({ "type": GROUP, "id": p })).collect::<Vec<_>>(),
    })
}

fn batch_json(batch: &[(String, Vec<String>)]) -> Vec<Value> {
    batch.iter().map(|(id, parents)| entity_json(id, parents)).collect()
}

fn ancestors_of(engine: &Engine, id: &str) -> BTreeSet<String> {
    let entity = engine.entities().get(&uid(id)).unwrap_or_else(|| panic!("{id} is in the store"));
    entity.as_ref().ancestors().map(|a| a.eid().escaped().to_string()).collect()
}

// ---- the model: each entity's parents, and what an update does to them --------------------

/// The group entities an update sequence put in the store, by id, with their parents (which
/// need not be in the store).
#[derive(Debug, Clone, Default)]
struct Model {
    parents: BTreeMap<String, BTreeSet<String>>,
}

impl Model {
    fn upserted(&self, batch: &[(String, Vec<String>)]) -> Model {
        let mut next = self.clone();
        for (id, parents) in batch {
            next.parents.insert(id.clone(), parents.iter().cloned().collect());
        }
        next
    }

    /// Cedar's `remove_entities`: the removed entities go, and every entity loses them as parents.
    fn removed(&self, ids: &BTreeSet<String>) -> Model {
        let mut next = self.clone();
        next.parents.retain(|id, _| !ids.contains(id));
        for parents in next.parents.values_mut() {
            parents.retain(|p| !ids.contains(p));
        }
        next
    }

    /// What `check_hierarchy` refuses before any closure: a cycle among the batch's own
    /// entities, each with the parents of all its versions.
    fn batch_has_cycle(batch: &[(String, Vec<String>)]) -> bool {
        let ids: BTreeSet<&String> = batch.iter().map(|(id, _)| id).collect();
        let mut merged = Model::default();
        for (id, parents) in batch {
            merged
                .parents
                .entry(id.clone())
                .or_default()
                .extend(parents.iter().filter(|p| ids.contains(p)).cloned());
        }
        merged.has_cycle()
    }

    fn has_cycle(&self) -> bool {
        // Iterative depth-first search: 0 unvisited, 1 on the path, 2 done.
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        for start in self.parents.keys() {
            if state.contains_key(start.as_str()) {
                continue;
            }
            let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, self.parents_of(start))];
            state.insert(start, 1);
            while let Some((_, pending)) = stack.last_mut() {
                match pending.pop() {
                    Some(next) => match state.get(next) {
                        Some(1) => return true,
                        Some(_) => {}
                        None => {
                            state.insert(next, 1);
                            let above = self.parents_of(next);
                            stack.push((next, above));
                        }
                    },
                    None => {
                        let (done, _) = stack.pop().unwrap();
                        state.insert(done, 2);
                    }
                }
            }
        }
        false
    }

    fn parents_of(&self, id: &str) -> Vec<&str> {
        self.parents.get(id).map(|ps| ps.iter().map(String::as_str).collect()).unwrap_or_default()
    }

    /// `roots` and every entity of the model below one of them.
    fn with_descendants(&self, roots: &BTreeSet<String>) -> BTreeSet<String> {
        let mut found = roots.clone();
        let mut queue: Vec<String> = roots.iter().cloned().collect();
        while let Some(id) = queue.pop() {
            for (child, parents) in &self.parents {
                if parents.contains(&id) && found.insert(child.clone()) {
                    queue.push(child.clone());
                }
            }
        }
        found
    }

    /// How many entities an upsert must recompute: those whose parents change, and all below.
    fn recomputed_by_upsert(&self, batch: &[(String, Vec<String>)]) -> usize {
        let last: BTreeMap<&String, BTreeSet<String>> =
            batch.iter().map(|(id, parents)| (id, parents.iter().cloned().collect())).collect();
        let roots = last
            .iter()
            .filter(|(id, parents)| self.parents.get(**id).cloned().unwrap_or_default() != **parents)
            .map(|(id, _)| (*id).clone())
            .collect();
        self.with_descendants(&roots).len()
    }

    fn recomputed_by_removal(&self, ids: &BTreeSet<String>) -> usize {
        self.with_descendants(ids).difference(ids).count()
    }

    /// Each entity's ancestors as Cedar computes them from scratch.
    fn cedar_closure(&self) -> CoreEntities {
        let entities = self.parents.iter().map(|(id, parents)| {
            ast::Entity::new_with_attr_partial_value(
                core_uid(id),
                [],
                HashSet::new(),
                parents.iter().map(|p| core_uid(p)).collect(),
                [],
            )
        });
        CoreEntities::from_entities(
            entities,
            None::<&NoEntitiesSchema>,
            TCComputation::ComputeNow,
            Extensions::all_available(),
        )
        .unwrap()
    }
}

/// A case under way: the engine, the model of what its updates did, and where the case is
/// shallow enough, `mirror`: the store after the same updates made with Cedar's own
/// `upsert_entities` / `remove_entities`, which cost the square of a chain's depth each (in a
/// debug build, seconds per update on a chain of a few hundred).
struct State {
    engine: Engine,
    model: Model,
    mirror: Option<Entities>,
    /// The size of the store before the case.
    base: usize,
}

/// The store holds the model's entities, each with the parents the model gives it and the
/// ancestors Cedar computes from scratch, and otherwise what it held before; where there is a
/// mirror, it holds the same as the mirror.
fn check_store(state: &State) -> Result<(), TestCaseError> {
    let State { engine, model, mirror, base } = state;
    let closure = model.cedar_closure();
    for (id, parents) in &model.parents {
        let entity = engine.entities().get(&uid(id));
        prop_assert!(entity.is_some(), "{} is missing", id);
        let entity = entity.unwrap().as_ref();
        let expected: BTreeSet<String> = match closure.entity(&core_uid(id)) {
            Dereference::Data(e) => e.ancestors().map(ToString::to_string).collect(),
            _ => BTreeSet::new(),
        };
        let actual: BTreeSet<String> = entity.ancestors().map(ToString::to_string).collect();
        prop_assert_eq!(actual, expected, "the ancestors of {}", id);
        let actual: BTreeSet<String> = entity.parents().map(|p| p.eid().escaped().to_string()).collect();
        prop_assert_eq!(&actual, parents, "the parents of {}", id);
    }
    prop_assert_eq!(engine.entities().len(), base + model.parents.len());
    if let Some(mirror) = mirror {
        prop_assert!(engine.entities().deep_eq(mirror), "the store differs from Cedar's own updates");
    }
    Ok(())
}

// ---- the property -----------------------------------------------------------------------

/// An entity of a case: one of a few free ones, one of a chain (given as a position, the chain's
/// length varies), or a "ghost", mostly named only as a parent.
#[derive(Debug, Clone)]
enum Node {
    Free(usize),
    Chain(Index),
    Ghost(usize),
}

#[derive(Debug, Clone)]
enum Op {
    Upsert(Vec<(Node, Vec<Node>)>),
    /// Upserts entities of the model (positions among them) with the parents they have, and
    /// new children of the first, in this order or the other.
    Touch {
        existing: Vec<Index>,
        children: Vec<Node>,
        children_first: bool,
    },
    /// Positions among the model's entities.
    Remove(Vec<Index>),
}

#[derive(Debug, Clone)]
struct Plan {
    depth: usize,
    /// Whether the chain is loaded from its bottom up (each batch then re-closes every entity
    /// below it, and a batch's top names a parent that comes only with the next batch).
    bottom_up: bool,
    ops: Vec<Op>,
}

fn chain_id(i: usize) -> String {
    format!("c{i}")
}

impl Plan {
    fn id(&self, node: &Node) -> String {
        match node {
            Node::Free(i) => format!("n{i}"),
            Node::Chain(index) if self.depth > 0 => chain_id(index.index(self.depth)),
            Node::Chain(index) => format!("n{}", index.index(6)),
            Node::Ghost(i) => format!("ghost{i}"),
        }
    }

    /// The chain `c0 <- c1 <- ... <- c(depth-1)` (each in the previous), in batches of the
    /// deepest hierarchy a batch may have.
    fn chain_batches(&self) -> Vec<Vec<(String, Vec<String>)>> {
        let link = |i: usize| (chain_id(i), if i == 0 { vec![] } else { vec![chain_id(i - 1)] });
        let starts: Vec<usize> = (0..self.depth).step_by(64).collect();
        let mut batches: Vec<_> =
            starts.iter().map(|&start| (start..(start + 64).min(self.depth)).map(link).collect()).collect();
        if self.bottom_up {
            batches.reverse();
        }
        batches
    }
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        3 => (0..6usize).prop_map(Node::Free),
        4 => any::<Index>().prop_map(Node::Chain),
        1 => (0..3usize).prop_map(Node::Ghost),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let upsert =
        prop::collection::vec((node(), prop::collection::vec(node(), 0..=3)), 1..=4).prop_map(Op::Upsert);
    let touch =
        (prop::collection::vec(any::<Index>(), 1..=3), prop::collection::vec(node(), 0..=2), any::<bool>())
            .prop_map(|(existing, children, children_first)| Op::Touch {
                existing,
                children,
                children_first,
            });
    let remove = prop::collection::vec(any::<Index>(), 1..=3).prop_map(Op::Remove);
    prop_oneof![3 => upsert, 1 => touch, 1 => remove]
}

fn plan() -> impl Strategy<Value = Plan> {
    // Deep chains stay within the store's ancestor limit (65,536 at this size) with every
    // entity the operations may add under them: 300 deep holds 44,850.
    let depth = prop_oneof![1 => Just(0usize), 2 => 1..=90usize, 2 => 250..=300usize];
    (depth, any::<bool>(), prop::collection::vec(op(), 1..=14)).prop_map(|(depth, bottom_up, ops)| Plan {
        depth,
        bottom_up,
        ops,
    })
}

fn run_upsert(state: &mut State, batch: &[(String, Vec<String>)]) -> Result<(), TestCaseError> {
    let State { engine, model, mirror, .. } = state;
    let values = batch_json(batch);
    let next = model.upserted(batch);
    let expected_recomputed = model.recomputed_by_upsert(batch);
    let answer = engine.upsert_entities_counted(&Value::Array(values.clone()).to_string());
    let parsed: Vec<Entity> =
        values.into_iter().map(|v| Entity::from_json_value(v, Some(engine.schema())).unwrap()).collect();
    let cedar = mirror.as_ref().map(|m| m.clone().upsert_entities(parsed, Some(engine.schema())));
    let refused_upfront = Model::batch_has_cycle(batch);
    if refused_upfront || next.has_cycle() {
        let error = answer.err();
        prop_assert!(error.is_some(), "a cycle was accepted: {:?}", batch);
        let error = error.unwrap();
        prop_assert_eq!(error.code(), ErrorCode::InvalidEntities, "{}", error);
        prop_assert!(error.to_string().contains("cycle"), "{}", error);
        // Cedar itself takes the last version of an entity given twice, and sees a cycle only
        // in what that leaves.
        let cedar_refused = cedar.is_none_or(|answer| answer.is_err());
        prop_assert!(refused_upfront || cedar_refused, "Cedar accepted the cycle {:?}", batch);
    } else {
        let update = answer.map_err(|e| TestCaseError::fail(format!("{batch:?} refused: {e}")))?;
        prop_assert_eq!(update.recomputed, expected_recomputed, "recomputed by {:?}", batch);
        prop_assert_eq!(update.entities, engine.entities().len());
        if let Some(answer) = cedar {
            *mirror = Some(answer.map_err(|e| TestCaseError::fail(format!("Cedar refused {batch:?}: {e}")))?);
        }
        *model = next;
    }
    Ok(())
}

fn run_removal(state: &mut State, ids: &BTreeSet<String>) -> Result<(), TestCaseError> {
    let State { engine, model, mirror, .. } = state;
    let refs: Vec<EntityRef> = ids.iter().map(|id| EntityRef::new(GROUP, id)).collect();
    let expected_recomputed = model.recomputed_by_removal(ids);
    let update = engine.remove_entities_counted(&refs).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(update.recomputed, expected_recomputed, "recomputed by removing {:?}", ids);
    if let Some(mirror) = mirror {
        *mirror = mirror.clone().remove_entities(ids.iter().map(|id| uid(id))).unwrap();
    }
    *model = model.removed(ids);
    Ok(())
}

fn run_plan(base: &Engine, plan: &Plan) -> Result<(), TestCaseError> {
    let mirror = (plan.depth <= 90).then(|| base.entities().clone());
    let mut state =
        State { engine: base.clone(), model: Model::default(), mirror, base: base.entities().len() };
    for batch in plan.chain_batches() {
        run_upsert(&mut state, &batch)?;
    }
    check_store(&state)?;
    for op in &plan.ops {
        match op {
            Op::Upsert(entries) => {
                let batch: Vec<(String, Vec<String>)> = entries
                    .iter()
                    .map(|(node, parents)| (plan.id(node), parents.iter().map(|p| plan.id(p)).collect()))
                    .collect();
                run_upsert(&mut state, &batch)?;
            }
            Op::Touch { existing, children, children_first } => {
                let model = &state.model;
                let ids: Vec<&String> = model.parents.keys().collect();
                if ids.is_empty() {
                    continue;
                }
                let touched: Vec<String> = existing.iter().map(|pick| pick.get(&ids).to_string()).collect();
                let mut batch: Vec<(String, Vec<String>)> = touched
                    .iter()
                    .map(|id| (id.clone(), model.parents[id].iter().cloned().collect()))
                    .collect();
                let new_children = children.iter().map(|child| (plan.id(child), vec![touched[0].clone()]));
                if *children_first {
                    batch.splice(0..0, new_children);
                } else {
                    batch.extend(new_children);
                }
                run_upsert(&mut state, &batch)?;
            }
            Op::Remove(picks) => {
                let existing: Vec<&String> = state.model.parents.keys().collect();
                if existing.is_empty() {
                    continue;
                }
                let ids = picks.iter().map(|pick| pick.get(&existing).to_string()).collect();
                run_removal(&mut state, &ids)?;
            }
        }
        check_store(&state)?;
    }
    Ok(())
}

/// Runs `f` on a thread with a large stack: Cedar's own closure (the reference here) recurses
/// once per level of a chain.
fn on_large_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new().stack_size(256 << 20).spawn_scoped(scope, f).unwrap().join().unwrap()
    })
}

#[test]
fn incremental_updates_keep_the_closure_cedar_computes() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let base = common::engine();
    on_large_stack(|| {
        let mut runner = TestRunner::new(config);
        if let Err(error) = runner.run(&plan(), |plan| run_plan(&base, &plan)) {
            panic!("{error}");
        }
    });
}

// ---- the cost of an update ----------------------------------------------------------------

fn upsert(engine: &mut Engine, batch: &[(String, Vec<String>)]) -> usize {
    engine.upsert_entities_counted(&Value::Array(batch_json(batch)).to_string()).unwrap().recomputed
}

fn entry(id: &str, parents: &[&str]) -> (String, Vec<String>) {
    (id.to_owned(), parents.iter().map(|p| (*p).to_owned()).collect())
}

#[test]
fn an_update_recomputes_what_it_changed_not_the_chain_next_to_it() {
    const DEPTH: usize = 350;
    let mut engine = common::engine();
    let plan = Plan { depth: DEPTH, bottom_up: false, ops: Vec::new() };
    let mut recomputed = 0;
    for batch in plan.chain_batches() {
        recomputed += upsert(&mut engine, &batch);
    }
    // Each new entity once (c0, new and without parents, has nothing to compute).
    assert_eq!(recomputed, DEPTH - 1);
    assert_eq!(ancestors_of(&engine, &chain_id(DEPTH - 1)).len(), DEPTH - 1);

    // Unrelated upserts: one, and a batch of 64, new and then again.
    assert_eq!(upsert(&mut engine, &[entry("x", &["group"])]), 1);
    assert_eq!(upsert(&mut engine, &[entry("lone", &[])]), 0);
    let batch: Vec<_> = (0..64).map(|i| (format!("u{i}"), vec!["group".to_owned()])).collect();
    assert_eq!(upsert(&mut engine, &batch), 64);
    assert_eq!(upsert(&mut engine, &batch), 0, "the same parents: nothing to recompute");
    let moved: Vec<_> = (0..64).map(|i| (format!("u{i}"), vec!["other".to_owned()])).collect();
    assert_eq!(upsert(&mut engine, &moved), 64);
    assert_eq!(ancestors_of(&engine, "u7"), BTreeSet::from(["other".to_owned()]));

    // A chain entity upserted with the parents it has: its 350 - 176 descendants keep theirs.
    assert_eq!(upsert(&mut engine, &[entry("c175", &["c174"])]), 0);
    // A new leaf under the chain: itself, with all 350 ancestors.
    assert_eq!(upsert(&mut engine, &[entry("leaf", &["c349"])]), 1);
    assert_eq!(ancestors_of(&engine, "leaf").len(), DEPTH);

    // Re-parenting c300: itself, c301..c349 and the leaf.
    assert_eq!(upsert(&mut engine, &[entry("c300", &["root"])]), 1 + 49 + 1);
    let expected: BTreeSet<String> =
        (300..DEPTH).map(chain_id).chain(["root".to_owned()]).collect::<BTreeSet<_>>();
    assert_eq!(ancestors_of(&engine, "leaf"), expected);
    assert_eq!(ancestors_of(&engine, "c299").len(), 299, "above c300, nothing changed");

    // Removals: an unrelated entity, then c325 (its 24 descendants and the leaf lose it).
    assert_eq!(engine.remove_entities_counted(&[EntityRef::new(GROUP, "x")]).unwrap().recomputed, 0);
    let removed = engine.remove_entities_counted(&[EntityRef::new(GROUP, "c325")]).unwrap();
    assert_eq!(removed.recomputed, 24 + 1);
    assert_eq!(ancestors_of(&engine, "c326"), BTreeSet::new(), "c325 was its only parent");
    assert_eq!(ancestors_of(&engine, "leaf").len(), DEPTH - 326);

    // A cycle through the store (c0 under c299, which is under c0) is refused, and changes
    // nothing.
    let before = engine.entities().clone();
    let error = engine.upsert_entities_json(&json!([entity_json("c0", &["c299".to_owned()])]).to_string());
    let error = error.unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidEntities, "{error}");
    assert!(error.to_string().contains("cycle"), "{error}");
    assert!(engine.entities().deep_eq(&before));
    // And the store still takes updates after it.
    assert_eq!(upsert(&mut engine, &[entry("c0", &["top"])]), 300);
    assert_eq!(ancestors_of(&engine, "c299").len(), 300);
}

// ---- the store's ancestors, held to the limit a load is held to ---------------------------

/// How many ancestors the store's entities hold in all.
fn links_held(engine: &Engine) -> usize {
    engine.entities().iter().map(|entity| entity.as_ref().ancestors().count()).sum()
}

#[test]
fn a_chain_grown_one_upsert_at_a_time_is_held_to_the_ancestor_limit() {
    // Each upsert is one entity under the last: the chain holds the square of its length
    // (half of it), so about 400 single upserts reach what a store of their size may hold.
    let mut engine = common::engine();
    let fixture = links_held(&engine);
    // Entities without ancestors, removed at the end: each lets the store hold 16 more.
    let lone: Vec<_> = (0..40).map(|i| (format!("lone{i}"), Vec::new())).collect();
    assert_eq!(upsert(&mut engine, &lone), 0);
    let mut refused = None;
    for i in 0..600 {
        let link = (chain_id(i), if i == 0 { vec![] } else { vec![chain_id(i - 1)] });
        let before = engine.entities().clone();
        match engine.upsert_entities_json(&Value::Array(batch_json(&[link])).to_string()) {
            Ok(_) => {}
            Err(error) => {
                assert_eq!(error.code(), ErrorCode::LimitExceeded, "{error}");
                assert!(error.to_string().contains("ancestors held by the entities"), "{error}");
                assert!(engine.entities().deep_eq(&before), "a refused upsert changes nothing");
                refused = Some(i);
                break;
            }
        }
    }
    let depth = refused.expect("a chain of 600 single upserts is refused before its end");
    assert!((380..420).contains(&depth), "refused at {depth} deep");
    // Refused at the first upsert that would take the store over its limit, not before.
    let limit = |entities: usize| orgwarden::limits::ancestor_limit(entities);
    let held = links_held(&engine);
    assert_eq!(held - fixture, (0..depth).sum::<usize>(), "the chain as far as it went");
    assert!(held <= limit(engine.entities().len()));
    assert!(held + depth > limit(engine.entities().len() + 1));
    assert_eq!(ancestors_of(&engine, &chain_id(depth - 1)).len(), depth - 1);

    // Raising the whole chain under a new top gives each of its entities one more ancestor:
    // refused as a whole, and nothing changes.
    let before = engine.entities().clone();
    let raised = engine.upsert_entities_json(
        &Value::Array(batch_json(&[entry("top", &[]), entry("c0", &["top"])])).to_string(),
    );
    let error = raised.expect_err("one more ancestor for each of the chain's entities goes over the limit");
    assert_eq!(error.code(), ErrorCode::LimitExceeded, "{error}");
    assert!(engine.entities().deep_eq(&before));

    // The store still takes updates that stay within it: an entity beside the chain, and the
    // chain's bottom removed (which frees what it held), then one more under the rest.
    assert_eq!(upsert(&mut engine, &[entry("beside", &["c0"])]), 1);
    let removed = engine.remove_entities_counted(&[EntityRef::new(GROUP, &chain_id(depth - 1))]).unwrap();
    assert_eq!(removed.recomputed, 0);
    assert_eq!(upsert(&mut engine, &[entry("under", &[&chain_id(depth - 2)])]), 1);
    assert_eq!(links_held(&engine) - fixture, (0..depth - 1).sum::<usize>() + 1 + (depth - 1));

    // Past what the store's size allows once the lone entities go (640 fewer): an update that
    // adds no ancestor still goes through (a key revoked, a member removed must never be
    // refused for the hierarchy's size), and one that adds any does not.
    let lone_refs: Vec<EntityRef> = (0..40).map(|i| EntityRef::new(GROUP, format!("lone{i}"))).collect();
    engine.remove_entities(&lone_refs).unwrap();
    let held = links_held(&engine);
    assert!(
        held > orgwarden::limits::ancestor_limit(engine.entities().len()),
        "the store is over its limit now"
    );
    assert_eq!(upsert(&mut engine, &[entry("c5", &["c4"])]), 0, "the same parents: nothing added");
    engine.remove_entities(&[EntityRef::new(GROUP, "beside")]).unwrap();
    assert_eq!(links_held(&engine), held - 1);
    let more = engine.upsert_entities_json(&Value::Array(batch_json(&[entry("new", &["c0"])])).to_string());
    assert_eq!(more.unwrap_err().code(), ErrorCode::LimitExceeded);
}

#[test]
fn an_entity_named_only_as_a_parent_passes_its_ancestors_on_when_it_comes() {
    let mut engine = common::engine();
    // `mid` is in no store yet: `low` has it as an ancestor with none of its own.
    assert_eq!(upsert(&mut engine, &[entry("low", &["mid"])]), 1);
    assert_eq!(ancestors_of(&engine, "low"), BTreeSet::from(["mid".to_owned()]));
    assert_eq!(upsert(&mut engine, &[entry("mid", &["high"])]), 2);
    assert_eq!(ancestors_of(&engine, "low"), BTreeSet::from(["mid".to_owned(), "high".to_owned()]));
    // Removing `mid` drops it from `low`'s parents and ancestors, as Cedar does.
    engine.remove_entities(&[EntityRef::new(GROUP, "mid")]).unwrap();
    assert_eq!(ancestors_of(&engine, "low"), BTreeSet::new());
}

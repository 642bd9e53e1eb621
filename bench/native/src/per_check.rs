//! What-if: entities kept outside Cedar's `Entities` and built for each check.
//!
//! The store's memory per entity is bound by Cedar's `Entity` (an attribute B-tree leaf of
//! 1,240 bytes on wasm32 for every entity with attributes, BENCHMARKS.md "Memory per entity").
//! A store of its own, in a compact form, would have to give Cedar an `Entities` for each
//! check holding every entity evaluation can read. Evaluation reaches an entity only as a
//! value: the request's principal, action and resource, an entity literal in a policy, an
//! entity in the context, or an entity inside an attribute or tag of an entity already
//! reached. So the set is the closure of those roots through attribute and tag values; an
//! entity only named on the right of `in` is never looked up (its ancestors are not read, the
//! left side's are).
//!
//! This measures what that costs per check, with the entities built from their parts as a
//! compact store would build them (attributes and tags collected into Cedar's maps, ancestors
//! into new sets), and `run.mjs` fails if its decisions differ from the store's.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

#[allow(deprecated)]
use cedar_policy::compute_entity_manifest;
use cedar_policy::{Entities, EntityManifest, EntityUid, Policy, PolicySet, Request, Schema, Validator};
use cedar_policy_core::ast::{Entity, EntityUID, Literal, PartialValue, Value, ValueKind};
use cedar_policy_core::entities::{Entities as CoreEntities, NoEntitiesSchema, TCComputation};
use cedar_policy_core::extensions::Extensions;
use serde_json::Value as Json;

/// The entity literals of a policy set's policies, read off their JSON form (`__entity`
/// wherever an expression holds one). Scope constraints are not expressions and are left out:
/// their entities are only ever on the right of `in` or `==`.
pub fn entity_literals(set: &PolicySet) -> Vec<EntityUID> {
    fn walk(json: &Json, found: &mut Vec<EntityUID>) {
        match json {
            Json::Object(map) => {
                if let Some(uid) =
                    map.get("__entity").and_then(|entity| EntityUid::from_json(entity.clone()).ok())
                {
                    found.push(uid.as_ref().clone());
                }
                map.values().for_each(|value| walk(value, found));
            }
            Json::Array(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for policy in set.policies() {
        if let Ok(json) = policy.to_json() {
            if let Some(conditions) = json.get("conditions") {
                walk(conditions, &mut found);
            }
        }
    }
    found.sort_by_key(ToString::to_string);
    found.dedup();
    found
}

/// The entities reachable from `roots` through attribute and tag values, each built anew from
/// its parts. Roots missing from the store are left out, as Cedar finds them missing.
pub fn reachable(store: &Entities, roots: impl IntoIterator<Item = EntityUID>) -> Vec<Entity> {
    let mut seen: HashSet<EntityUID> = HashSet::new();
    let mut queue: VecDeque<EntityUID> = roots.into_iter().collect();
    let mut built = Vec::new();
    while let Some(uid) = queue.pop_front() {
        if !seen.insert(uid.clone()) {
            continue;
        }
        let Some(entity) = store.get(&EntityUid::from(uid.clone())) else { continue };
        let entity: &Entity = entity.as_ref();
        for (_, value) in entity.attrs().chain(entity.tags()) {
            if let PartialValue::Value(value) = value {
                entities_in(value, &mut queue);
            }
        }
        built.push(rebuilt(entity));
    }
    built
}

/// `entity` built anew from its parts, as a store keeping them in a form of its own would build
/// it for a check: its attributes and tags collected into Cedar's maps, its ancestors into new
/// sets.
fn rebuilt(entity: &Entity) -> Entity {
    rebuilt_with_tags_of(entity, entity)
}

/// `entity` built anew from its parts, with the tags of `tagged` (the same entity, as a store
/// keeps it whole, when `entity` is its slice).
fn rebuilt_with_tags_of(entity: &Entity, tagged: &Entity) -> Entity {
    Entity::new_with_attr_partial_value(
        entity.uid().clone(),
        entity.attrs().map(|(name, value)| (name.clone(), value.clone())),
        entity.indirect_ancestors().cloned().collect(),
        entity.parents().cloned().collect(),
        tagged.tags().map(|(name, value)| (name.clone(), value.clone())),
    )
}

fn entities_in(value: &Value, queue: &mut VecDeque<EntityUID>) {
    match &value.value {
        ValueKind::Lit(Literal::EntityUID(uid)) => queue.push_back(uid.as_ref().clone()),
        ValueKind::Lit(_) | ValueKind::ExtensionValue(_) => {}
        ValueKind::Set(set) => set.authoritative.iter().for_each(|item| entities_in(item, queue)),
        ValueKind::Record(record) => record.values().for_each(|item| entities_in(item, queue)),
    }
}

/// Cedar's store of the entities one check can read.
pub fn store_for(entities: Vec<Entity>) -> Option<Entities> {
    let extensions = Extensions::all_available();
    CoreEntities::new()
        .add_entities(
            entities.into_iter().map(Arc::new),
            None::<&NoEntitiesSchema>,
            TCComputation::AssumeAlreadyComputed,
            extensions,
        )
        .ok()
        .map(Entities::from)
}

/// The policy text of TEAM-4's tag test, and what stands in for it when the paths are computed.
/// Cedar's entity manifest refuses entity tags (`hasTag` / `getTag`), which only TEAM-4 reads:
/// the stand-in reads the same attributes (`resource.labels`, `resource.org.id`), and
/// [`sliced`] gives the check the principal's tags, as a store of its own would.
/// Both as the policy's text reads with its whitespace collapsed.
const TAG_TEST: &str =
    "principal.hasTag(resource.org.id) && !resource.labels.containsAll(principal.getTag(resource.org.id))";
const TAG_STAND_IN: &str = "!resource.labels.contains(resource.org.id)";

/// What-if: only what the policies read. Cedar's entity manifest (experimental, deprecated in
/// favour of `is_authorized_batched`) computes, per request type, the attribute paths and the
/// ancestors the policies can read; slicing a store with it gives each check the entities on
/// those paths, each with only the attributes read and only the ancestors tested.
#[allow(deprecated)]
pub fn manifest(schema: &Schema, set: &PolicySet) -> Result<EntityManifest, String> {
    let mut readable = PolicySet::new();
    for policy in set.policies() {
        // Only the paths matter here, so whitespace (string literals' included) may collapse.
        let text = policy.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
        let text = text.replace(TAG_TEST, TAG_STAND_IN);
        if text.contains("Tag(") {
            return Err(format!("a tag test the stand-in does not cover: {text}"));
        }
        let stand_in = Policy::parse(Some(policy.id().clone()), &text).map_err(|e| e.to_string())?;
        readable.add(stand_in).map_err(|e| e.to_string())?;
    }
    let validator = Validator::new(schema.clone());
    compute_entity_manifest(&validator, &readable).map_err(|e| e.to_string())
}

/// The entities `request` can read by `manifest`, sliced from `store`, with the principal's tags
/// put back (the manifest has no tags). `None` if slicing fails.
pub fn sliced(manifest: &EntityManifest, store: &Entities, request: &Request) -> Option<(Entities, usize)> {
    let slice = manifest.slice_entities(store.as_ref(), request.as_ref()).ok()?;
    let count = slice.iter().count();
    let principal = request.principal().and_then(|uid| store.get(uid)).map(|entity| entity.as_ref());
    match principal {
        Some(principal) if principal.tags().next().is_some() => {
            let entities = slice
                .iter()
                .map(|entity| {
                    if entity.uid() == principal.uid() {
                        rebuilt_with_tags_of(entity, principal)
                    } else {
                        entity.clone()
                    }
                })
                .collect();
            store_for(entities).map(|store| (store, count))
        }
        _ => Some((Entities::from(slice), count)),
    }
}

/// Cedar's own on-demand loading (`PolicySet::is_authorized_batched`, experimental): Cedar asks
/// for the entities it needs, level by level, and this answers from `store`, each entity built
/// anew from its parts as in [`reachable`]. Counts the entities asked for.
pub struct StoreLoader<'a> {
    pub store: &'a Entities,
    pub asked: usize,
}

impl cedar_policy::EntityLoader for StoreLoader<'_> {
    fn load_entities(
        &mut self,
        uids: &std::collections::HashSet<EntityUid>,
    ) -> std::collections::HashMap<EntityUid, Option<cedar_policy::Entity>> {
        self.asked += uids.len();
        uids.iter()
            .map(|uid| {
                let built =
                    self.store.get(uid).map(|entity| cedar_policy::Entity::from(rebuilt(entity.as_ref())));
                (uid.clone(), built)
            })
            .collect()
    }
}

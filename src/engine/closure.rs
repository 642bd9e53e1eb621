//! Incremental upkeep of the store's transitive closure.
//!
//! Cedar keeps every entity with all its ancestors (its parents, and the ancestors of those).
//! Its own `upsert_entities` / `remove_entities` recompute that closure by looking at every
//! entity of the store and every ancestor of each, which on a parent chain of depth `d` is
//! `d²/2` ancestors per update, whatever the update. Here an update recomputes the ancestors
//! of what it changed and nothing else:
//!
//! - the *roots* of an update are the upserted entities whose parents differ from the ones the
//!   store holds (an entity new to the store had none), and the removed entities;
//! - the entities whose ancestors can change are the roots and their descendants, found from
//!   an index of each entity's children ([`Children`]) rather than from a scan of the store;
//! - those are closed in order, parents first: an entity's ancestors are its parents and their
//!   ancestors, which are either just computed or, for any entity outside the set, already
//!   closed in the store;
//! - an upserted entity whose parents did not change keeps its ancestors as they are.
//!
//! The result is what Cedar computes (a property test compares it with Cedar's closure of the
//! same entities built from scratch): a parent that is not in the store stays an ancestor with
//! no ancestors of its own, and a removed entity is dropped from the parents and ancestors of
//! every entity below it, as Cedar's `remove_entities` does. A cycle is refused before the store
//! is touched. Debug builds have Cedar verify the closure of every entity written, as they do
//! for a snapshot (see `SnapshotEntities::into_store`); release builds tell Cedar it is computed.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cedar_policy::Entities;
use cedar_policy_core::ast::{Entity, EntityUID};
use cedar_policy_core::entities::{Dereference, Entities as CoreEntities, NoEntitiesSchema, TCComputation};
use cedar_policy_core::extensions::Extensions;

use crate::error::{Error, Result};
use crate::limits::ancestor_limit;
use crate::snapshot::FastMap;

/// Each entity's children (the entities that name it as a parent), by parent uid. A parent
/// need not be in the store. Built from the store once, on its first incremental update, and
/// kept in step with each update after that.
#[derive(Debug, Clone, Default)]
pub(crate) struct Children(HashMap<EntityUID, HashSet<EntityUID>>);

impl Children {
    pub(crate) fn of(store: &Entities) -> Self {
        let mut children: HashMap<EntityUID, HashSet<EntityUID>> = HashMap::new();
        for entity in store.as_ref().iter() {
            for parent in entity.parents() {
                children.entry(parent.clone()).or_default().insert(entity.uid().clone());
            }
        }
        Self(children)
    }

    fn of_entity(&self, uid: &EntityUID) -> impl Iterator<Item = &EntityUID> {
        self.0.get(uid).into_iter().flatten()
    }

    /// `roots` and every entity below one of them.
    fn with_descendants(&self, roots: impl IntoIterator<Item = EntityUID>) -> HashSet<EntityUID> {
        let mut found: HashSet<EntityUID> = HashSet::new();
        let mut queue: Vec<EntityUID> = Vec::new();
        for root in roots {
            if found.insert(root.clone()) {
                queue.push(root);
            }
        }
        while let Some(uid) = queue.pop() {
            for child in self.of_entity(&uid) {
                if found.insert(child.clone()) {
                    queue.push(child.clone());
                }
            }
        }
        found
    }

    fn link(&mut self, child: &EntityUID, parents: &HashSet<EntityUID>) {
        for parent in parents {
            self.0.entry(parent.clone()).or_default().insert(child.clone());
        }
    }

    fn unlink(&mut self, child: &EntityUID, parents: &HashSet<EntityUID>) {
        for parent in parents {
            if let Some(children) = self.0.get_mut(parent) {
                children.remove(child);
                if children.is_empty() {
                    self.0.remove(parent);
                }
            }
        }
    }
}

/// An update of the store, computed and checked but not yet applied.
#[derive(Debug)]
pub(crate) struct Update {
    /// The entities to write, each with its ancestors closed: first the upserted entities whose
    /// parents did not change, then the others, parents before children.
    written: Vec<Entity>,
    /// The entities of the store that go: the removed ones and those `written` replaces.
    replaced: HashSet<EntityUID>,
    /// The removed entities, with their parents (for [`Children`]).
    removed: Vec<(EntityUID, HashSet<EntityUID>)>,
    /// The entities whose parents change, with their old and new parents (for [`Children`]).
    relinked: Vec<(EntityUID, HashSet<EntityUID>, HashSet<EntityUID>)>,
    /// How many entities had their ancestors computed anew.
    recomputed: usize,
}

impl Update {
    pub(crate) fn recomputed(&self) -> usize {
        self.recomputed
    }

    /// How many entities `store` holds once the update is applied.
    pub(crate) fn entities_after(&self, store: &Entities) -> usize {
        (store.len() + self.written.len()).saturating_sub(self.replaced.len())
    }

    /// How many ancestors `store`'s entities hold in all once the update is applied, given how
    /// many they hold now.
    pub(crate) fn links_after(&self, store: &Entities, links_now: usize) -> usize {
        let store = store.as_ref();
        let dropped: usize = self.replaced.iter().filter_map(|uid| get(store, uid)).map(links_of).sum();
        let written: usize = self.written.iter().map(links_of).sum();
        links_now.saturating_sub(dropped).saturating_add(written)
    }
}

/// The ancestors an entity holds: its parents and the others above it.
pub(crate) fn links_of(entity: &Entity) -> usize {
    entity.ancestors().count()
}

/// How many ancestors the entities of `store` hold in all.
pub(crate) fn links_in(store: &Entities) -> usize {
    store.as_ref().iter().map(links_of).sum()
}

/// The refusal of a hierarchy whose ancestors, summed over its entities, exceed `limit`: found
/// once `gathered` of them were, before the rest were counted.
fn too_many_links(gathered: usize, limit: usize) -> Error {
    Error::LimitExceeded { what: format!("ancestors held by the entities (at least {gathered})"), limit }
}

fn get<'a>(store: &'a CoreEntities, uid: &EntityUID) -> Option<&'a Entity> {
    match store.entity(uid) {
        Dereference::Data(entity) => Some(entity),
        Dereference::NoSuchEntity | Dereference::Residual(_) => None,
    }
}

fn invalid(error: impl std::error::Error) -> Error {
    Error::InvalidEntities(crate::error::message_with_causes(&error))
}

/// The update that writes `upserts` (the last version of an entity given twice counts) and
/// removes `removals` (uids not in the store are ignored). Refuses a cycle, and an update whose
/// recomputed entities gather more ancestors than `max_links` before it is planned whole.
pub(crate) fn plan(
    store: &Entities,
    children: &Children,
    upserts: Vec<Entity>,
    removals: impl IntoIterator<Item = EntityUID>,
    max_links: usize,
) -> Result<Update> {
    let store = store.as_ref();
    let removed: HashSet<EntityUID> = removals.into_iter().filter(|uid| get(store, uid).is_some()).collect();
    let mut upserted: HashMap<EntityUID, Entity> = HashMap::with_capacity(upserts.len());
    for entity in upserts {
        upserted.insert(entity.uid().clone(), entity);
    }
    let old_parents = |uid: &EntityUID| -> HashSet<EntityUID> {
        get(store, uid).into_iter().flat_map(Entity::parents).cloned().collect()
    };
    // The parents each entity has after the update: the given ones for an upserted entity; for
    // any other, the ones it had, less the removed entities.
    let new_parents = |uid: &EntityUID| -> HashSet<EntityUID> {
        match upserted.get(uid) {
            Some(entity) => entity.parents().cloned().collect(),
            None => get(store, uid)
                .into_iter()
                .flat_map(Entity::parents)
                .filter(|parent| !removed.contains(*parent))
                .cloned()
                .collect(),
        }
    };

    let roots = upserted
        .keys()
        .filter(|uid| {
            let given = upserted.get(*uid).into_iter().flat_map(Entity::parents);
            let before = get(store, uid).into_iter().flat_map(Entity::parents);
            given.collect::<HashSet<_>>() != before.collect::<HashSet<_>>()
        })
        .chain(&removed)
        .cloned()
        .collect::<Vec<_>>();
    let mut affected = children.with_descendants(roots);
    affected.retain(|uid| !removed.contains(uid));

    // Parents first (Kahn's algorithm over the affected entities and their new parents).
    let parents: HashMap<EntityUID, HashSet<EntityUID>> =
        affected.iter().map(|uid| (uid.clone(), new_parents(uid))).collect();
    let mut waiting: HashMap<&EntityUID, usize> = HashMap::with_capacity(affected.len());
    let mut below: HashMap<&EntityUID, Vec<&EntityUID>> = HashMap::new();
    for (uid, own) in &parents {
        let inside = own.iter().filter(|parent| affected.contains(*parent));
        let mut count = 0;
        for parent in inside {
            below.entry(parent).or_default().push(uid);
            count += 1;
        }
        waiting.insert(uid, count);
    }
    let mut ready: Vec<&EntityUID> = waiting.iter().filter(|(_, n)| **n == 0).map(|(uid, _)| *uid).collect();
    let mut order: Vec<&EntityUID> = Vec::with_capacity(affected.len());
    while let Some(uid) = ready.pop() {
        order.push(uid);
        for child in below.get(uid).into_iter().flatten() {
            if let Some(count) = waiting.get_mut(child) {
                *count -= 1;
                if *count == 0 {
                    ready.push(child);
                }
            }
        }
    }
    if order.len() < affected.len() {
        let stuck = waiting.iter().filter(|(_, n)| **n > 0).map(|(uid, _)| *uid).min();
        return Err(Error::InvalidEntities(format!(
            "the entity hierarchy has a cycle (among the ancestors of {})",
            stuck.map(ToString::to_string).unwrap_or_default()
        )));
    }

    // Each affected entity's ancestors: its parents and theirs. Counted as they are gathered:
    // an update that changes the parents of a deep or wide hierarchy's top recomputes every
    // entity below, and the store holds all of them after the update.
    let mut ancestors: HashMap<&EntityUID, HashSet<EntityUID>> = HashMap::with_capacity(order.len());
    let mut gathered: usize = 0;
    for uid in &order {
        let mut closed: HashSet<EntityUID> = HashSet::new();
        for parent in parents.get(*uid).into_iter().flatten() {
            closed.insert(parent.clone());
            match ancestors.get(parent) {
                Some(above) => closed.extend(above.iter().cloned()),
                None => closed.extend(get(store, parent).into_iter().flat_map(Entity::ancestors).cloned()),
            }
        }
        gathered = gathered.saturating_add(closed.len());
        if gathered > max_links {
            return Err(too_many_links(gathered, max_links));
        }
        ancestors.insert(uid, closed);
    }

    // Upserted entities whose parents did not change keep the ancestors they had. They come
    // first: none is below an affected entity (see `apply`).
    let mut written: Vec<Entity> = Vec::with_capacity(order.len() + upserted.len());
    for (uid, entity) in &upserted {
        if affected.contains(uid) {
            continue;
        }
        let indirect = get(store, uid).into_iter().flat_map(Entity::indirect_ancestors).cloned().collect();
        written.push(rebuilt(entity, indirect, entity.parents().cloned().collect()));
    }
    let mut relinked = Vec::new();
    for uid in &order {
        let own = parents.get(*uid).cloned().unwrap_or_default();
        let mut indirect = ancestors.remove(*uid).unwrap_or_default();
        indirect.retain(|ancestor| !own.contains(ancestor));
        let before = old_parents(uid);
        let Some(base) = upserted.get(*uid).or_else(|| get(store, uid)) else { continue };
        written.push(rebuilt(base, indirect, own.clone()));
        if before != own {
            relinked.push(((*uid).clone(), before, own));
        }
    }
    let replaced: HashSet<EntityUID> = written
        .iter()
        .map(Entity::uid)
        .filter(|uid| get(store, uid).is_some())
        .chain(&removed)
        .cloned()
        .collect();
    let removed = removed.into_iter().map(|uid| (uid.clone(), old_parents(&uid))).collect();
    let update = Update { written, replaced, removed, relinked, recomputed: order.len() };
    if cfg!(debug_assertions) {
        verify(store, &update)?;
    }
    Ok(update)
}

/// `base`'s attributes and tags with these parents and other ancestors.
fn rebuilt(base: &Entity, indirect: HashSet<EntityUID>, parents: HashSet<EntityUID>) -> Entity {
    Entity::new_with_attr_partial_value(
        base.uid().clone(),
        base.attrs().map(|(name, value)| (name.clone(), value.clone())),
        indirect,
        parents,
        base.tags().map(|(name, value)| (name.clone(), value.clone())),
    )
}

/// Has Cedar check, for each written entity, that its ancestors contain those of each of its
/// parents and not itself (`TCComputation::EnforceAlreadyComputed` on the entity and its
/// parents as they are after the update): the closure of what changed, in time proportional to
/// it, where checking the whole store after each update would take the cube of a chain's depth.
fn verify(store: &CoreEntities, update: &Update) -> Result<()> {
    let written: HashMap<&EntityUID, &Entity> = update.written.iter().map(|e| (e.uid(), e)).collect();
    for entity in &update.written {
        let parents = entity.parents().filter_map(|parent| match written.get(parent) {
            Some(new) => Some(*new),
            None if update.replaced.contains(parent) => None,
            None => get(store, parent),
        });
        let group = std::iter::once(entity).chain(parents).cloned();
        CoreEntities::from_entities(
            group,
            None::<&NoEntitiesSchema>,
            TCComputation::EnforceAlreadyComputed,
            Extensions::all_available(),
        )
        .map_err(invalid)?;
    }
    Ok(())
}

/// The most entities an update replaces through Cedar's `upsert_entities` (see [`apply`]); past
/// that, building the store's map anew costs less.
const REPLACED_BY_UPSERT: usize = 2;

/// Writes `update` to `store` and `children`. Cedar is told the ancestors are closed (they are
/// by construction, and debug builds have had Cedar verify them in [`plan`]).
///
/// Cedar's API works on a store it owns, and `cedar-policy`'s store gives up its own only as a
/// copy: of its map, the entities being shared behind `Arc`s (what the engine did before, and
/// what Cedar's own updates pay as well). On that copy, adding new entities costs only them;
/// replacing or removing one goes through `upsert_entities` / `remove_entities`, which scan
/// the whole store for the entities below each, and strip their ancestors for Cedar to
/// recompute. So:
/// - an update that only adds entities adds them;
/// - one that replaces a few entities with nothing below them (a user's roles or attributes)
///   upserts them, with nothing to strip: one scan of the store each;
/// - any other builds the map anew, moving every entity it keeps.
///
/// On an error the store is left as it was, but for Cedar failing to rebuild the whole store
/// (last branch below), which leaves it empty: it fails closed, and the caller then makes its
/// indices agree (`EntityStore::update`).
pub(crate) fn apply(store: &mut Entities, children: &mut Children, update: Update) -> Result<()> {
    let Update { written, replaced, removed, relinked, .. } = update;
    let extensions = Extensions::all_available();
    let closure = TCComputation::AssumeAlreadyComputed;
    let leaves = removed.is_empty()
        && replaced.len() <= REPLACED_BY_UPSERT
        && replaced.iter().all(|uid| children.of_entity(uid).next().is_none());
    let updated = if replaced.is_empty() {
        store.as_ref().clone().add_entities(
            written.into_iter().map(Arc::new),
            None::<&NoEntitiesSchema>,
            closure,
            extensions,
        )
    } else if leaves {
        // Nothing below a replaced entity before the update, and `written` puts every entity
        // before those below it after the update: Cedar finds nothing to strip from an entity
        // it does not then overwrite.
        store.as_ref().clone().upsert_entities(
            written.into_iter().map(Arc::new),
            None::<&NoEntitiesSchema>,
            closure,
            extensions,
        )
    } else {
        // Dropping the store leaves the copy the only owner of its entities, which `into_iter`
        // then moves instead of cloning. This cannot fail: the entities are keyed by uid, and
        // none written is kept.
        let entities = std::mem::take(store).as_ref().clone();
        let kept = entities.into_iter().filter(|entity| !replaced.contains(entity.uid()));
        CoreEntities::from_entities(kept.chain(written), None::<&NoEntitiesSchema>, closure, extensions)
    };
    *store = Entities::from(updated.map_err(invalid)?);
    for (uid, parents) in &removed {
        children.unlink(uid, parents);
        children.0.remove(uid);
    }
    for (uid, before, after) in &relinked {
        children.unlink(uid, before);
        children.link(uid, after);
    }
    Ok(())
}

/// A batch's hierarchy over numbers, made once for the depth check
/// (`limits::check_hierarchy`) and the closure ([`close_batch`]): each distinct uid of the
/// batch is numbered in the order it first appears, then each parent the batch does not hold.
/// Every uid is hashed once here (foldhash), and the parents are kept in flat lists, not a list
/// per entity: a raw load of 50,000 entities made the memory grow by 17 MiB between its reading
/// and its store with lists per entity, a second numbering, and a second vector of entities.
pub(crate) struct BatchGraph {
    /// The number of each entity's uid (the first entity given for a uid has the next one).
    numbers: Vec<usize>,
    /// `parents[parent_starts[i]..parent_starts[i + 1]]`: the numbers of entity `i`'s parents.
    parent_starts: Vec<usize>,
    parents: Vec<usize>,
    /// How many distinct uids the batch holds: the numbers below are the batch's own.
    held: usize,
    /// The parents outside the batch, numbered from `held` on.
    outside: Vec<EntityUID>,
}

impl BatchGraph {
    pub(crate) fn of(entities: &[Entity]) -> Self {
        let mut numbered: FastMap<&EntityUID, usize> = FastMap::default();
        numbered.reserve(entities.len());
        let numbers: Vec<usize> = entities
            .iter()
            .map(|entity| {
                let next = numbered.len();
                *numbered.entry(entity.uid()).or_insert(next)
            })
            .collect();
        let held = numbered.len();
        let mut outside: Vec<&EntityUID> = Vec::new();
        let mut parent_starts = Vec::with_capacity(entities.len().saturating_add(1));
        let mut parents = Vec::new();
        parent_starts.push(0);
        for entity in entities {
            for parent in entity.parents() {
                parents.push(*numbered.entry(parent).or_insert_with(|| {
                    outside.push(parent);
                    held + outside.len() - 1
                }));
            }
            parent_starts.push(parents.len());
        }
        let outside = outside.into_iter().cloned().collect();
        Self { numbers, parent_starts, parents, held, outside }
    }

    /// How many distinct uids the batch holds.
    pub(crate) fn held(&self) -> usize {
        self.held
    }

    /// Whether no uid is given twice: then entity `i` is number `i`.
    pub(crate) fn is_unique(&self) -> bool {
        self.held == self.numbers.len()
    }

    /// The number of entity `i`'s uid.
    pub(crate) fn number(&self, entity: usize) -> Option<usize> {
        self.numbers.get(entity).copied()
    }

    /// The numbers of entity `i`'s parents.
    pub(crate) fn parents(&self, entity: usize) -> &[usize] {
        let range = self.parent_starts.get(entity).copied().zip(self.parent_starts.get(entity + 1).copied());
        range.and_then(|(from, to)| self.parents.get(from..to)).unwrap_or_default()
    }

    /// How many entities the batch holds.
    pub(crate) fn len(&self) -> usize {
        self.numbers.len()
    }
}

/// Closes the hierarchy of a batch that makes a new store: each entity gains, as indirect
/// ancestors, its parents' ancestors. `graph` is the batch's, with no uid given twice, and
/// `parents_first` lists the batch's indices with every entity after its parents in the batch
/// (`limits::check_hierarchy` gives it); a parent outside the batch has no ancestors, as in
/// Cedar's closure of the same entities.
///
/// The closure is computed over the graph's numbers, not uids: an entity's ancestors are the
/// sorted union of its parents' and their ancestors' numbers. Hashing uids into sets per
/// ancestor (SipHash, the hasher of Cedar's sets) was a sixth of a raw load; now each ancestor
/// is hashed once, into the entity's own set. The entities are rebuilt in place, in their own
/// vector.
///
/// Refuses (`LIMIT_EXCEEDED`) a batch whose entities would hold more ancestors in all than
/// [`ancestor_limit`] allows for its size, counted as they are gathered, before any set is
/// built: layers of entities each the child of every entity of the layer above make a closure
/// of the product of the layers' sizes from a few KiB of JSON.
pub(crate) fn close_batch(
    entities: &mut Vec<Entity>,
    graph: &BatchGraph,
    parents_first: &[usize],
) -> Result<()> {
    let limit = ancestor_limit(entities.len());
    let mut gathered: usize = 0;
    let mut ancestors: Vec<Vec<usize>> = vec![Vec::new(); entities.len()];
    for &i in parents_first {
        let mut closed = Vec::new();
        for &parent in graph.parents(i) {
            closed.push(parent);
            closed.extend_from_slice(ancestors.get(parent).map(Vec::as_slice).unwrap_or_default());
        }
        closed.sort_unstable();
        closed.dedup();
        gathered = gathered.saturating_add(closed.len());
        if gathered > limit {
            return Err(too_many_links(gathered, limit));
        }
        if let Some(slot) = ancestors.get_mut(i) {
            *slot = closed;
        }
    }
    let uid_of = |number: usize| match number.checked_sub(graph.held) {
        None => entities.get(number).map(Entity::uid),
        Some(outside) => graph.outside.get(outside),
    };
    // Parents are kept apart: an ancestor that is a parent stays a parent.
    let mut indirect: Vec<HashSet<EntityUID>> = ancestors
        .into_iter()
        .enumerate()
        .map(|(i, closed)| {
            let parents = graph.parents(i);
            closed
                .into_iter()
                .filter(|number| !parents.contains(number))
                .filter_map(|number| uid_of(number).cloned())
                .collect()
        })
        .collect();
    let closed = std::mem::take(entities).into_iter().enumerate().map(|(i, entity)| {
        match indirect.get_mut(i).map(std::mem::take) {
            Some(indirect) if !indirect.is_empty() => {
                let (uid, attrs, _, parents, tags) = entity.into_inner();
                Entity::new_with_attr_partial_value(uid, attrs, indirect, parents, tags)
            }
            _ => entity,
        }
    });
    // Collected from the vector's own iterator, the entities stay in its buffer.
    *entities = closed.collect();
    Ok(())
}

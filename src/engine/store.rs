//! The entity store and the ways to fill it: a whole snapshot, raw Cedar entities JSON, or
//! incremental upserts and removals.

use std::collections::{HashMap, HashSet};

use cedar_policy::{Entities, Entity, EntityUid, EvalResult};
use cedar_policy_core::ast::{
    Entity as CoreEntity, EntityUID as CoreEntityUid, Literal, PartialValue, ValueKind,
};
use cedar_policy_core::entities::conformance::EntitySchemaConformanceChecker;
use cedar_policy_core::entities::{Entities as CoreEntities, TCComputation};
use cedar_policy_core::extensions::Extensions;

use super::closure::{self, BatchGraph, Children};
use super::described_schema::DescribedSchema;
use super::raw_entities::read_entities;
use super::{Engine, EntityRef};
use crate::error::{Error, Result};
use crate::limits::{ancestor_limit, check_hierarchy, check_size, MAX_ENTITIES};
use crate::snapshot::{
    ancestor_links, check_snapshot, entity_count, lowercase, snapshot_entities, store_sharing_actions,
    Snapshot,
};

/// The entities, the index of known accounts by email (MEM-2), and the index of each entity's
/// children that incremental updates keep (built on the first one after a load).
#[derive(Debug, Clone, Default)]
pub(crate) struct EntityStore {
    entities: Entities,
    accounts_by_email: HashMap<String, EntityUid>,
    children: Option<Children>,
    /// How many ancestors the entities hold in all, which updates keep within
    /// [`ancestor_limit`]: counted on the first update after a load (a load was checked as it
    /// was built), then kept in step.
    ancestor_links: Option<usize>,
}

/// Raw entities as parsed, with their hierarchy over numbers and the order `check_hierarchy`
/// found them in, parents first.
struct ParsedEntities {
    entities: Vec<CoreEntity>,
    graph: BatchGraph,
    parents_first: Option<Vec<usize>>,
}

/// What a caller requires of a snapshot, checked before anything is built from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotRequirements {
    /// The most entities the store may hold after the load, counted as the answer counts them
    /// (the schema's action entities included): a caller's budget, such as an org registry's.
    pub max_entities: Option<usize>,
    /// The one organization the snapshot must describe. A registry that asked its source for
    /// `acme` must not serve `globex`, nor `acme` beside `globex`, from what came back: a
    /// request routed to `acme` would be decided on the other org's entities too.
    pub organization: Option<String>,
}

/// How many organization ids a refusal names: a file of every tenant, served under one
/// tenant's key, must not put them all in every denial's message.
const NAMED_ORGANIZATIONS: usize = 3;

/// Refuses a snapshot that does not describe `organization` alone.
fn check_organization(snapshot: &Snapshot, organization: &str) -> Result<()> {
    match snapshot.organizations.as_slice() {
        [only] if only.id == organization => Ok(()),
        held => {
            let ids: Vec<&str> = held.iter().take(NAMED_ORGANIZATIONS).map(|org| org.id.as_str()).collect();
            let ids = serde_json::to_string(&ids).unwrap_or_default();
            let found = match held.len() {
                0 => "no organization".to_owned(),
                n if n <= NAMED_ORGANIZATIONS => format!("the organizations {ids}"),
                n => format!("{n} organizations, the first {NAMED_ORGANIZATIONS} {ids}"),
            };
            Err(Error::OrganizationMismatch { expected: organization.to_owned(), found })
        }
    }
}

/// The name of `uid`'s type if it has no namespace, as the schema's types have none.
fn unqualified_type(uid: &CoreEntityUid) -> Option<&str> {
    let name = uid.entity_type().name();
    name.is_unqualified().then(|| AsRef::<str>::as_ref(name.basename_as_ref()))
}

/// Whether `uid` is an organization.
fn is_organization(uid: &CoreEntityUid) -> bool {
    unqualified_type(uid) == Some("Organization")
}

/// The organization an entity's id names by the snapshot's convention: a `Membership`'s
/// `{org}/{user}` (`membership_id`) and an `OrgRole`'s `{org}#{role}`. Org ids hold neither
/// `/` nor `#`, so the part before the first one is the org.
fn org_named_by_id(uid: &CoreEntityUid) -> Option<&str> {
    let separator = match unqualified_type(uid)? {
        "Membership" => '/',
        "OrgRole" => '#',
        _ => return None,
    };
    uid.eid().as_ref().split_once(separator).map(|(org, _)| org)
}

/// Refuses upserts into a store that serves `organization` alone if one of them belongs to
/// another: an `Organization` of another id, an entity whose `org` is not `organization` (the
/// organization's own `org` included), or a membership or org role whose id names another
/// (an app that builds `membershipId("globex", …)` must not find one in acme's store). Users
/// and workspace roles pass: what they name of another org is never in this store, and a
/// missing entity denies.
fn check_upserts_organization(upserts: &[CoreEntity], organization: &str) -> Result<()> {
    let is_this = |uid: &CoreEntityUid| is_organization(uid) && uid.eid().as_ref() == organization;
    for entity in upserts {
        let uid = entity.uid();
        let org = entity.get("org");
        let org_is_this = match org {
            None => true,
            Some(PartialValue::Value(value)) => {
                matches!(value.value_kind(), ValueKind::Lit(Literal::EntityUID(org)) if is_this(org))
            }
            Some(PartialValue::Residual(_)) => false,
        };
        let why = if is_organization(uid) && !is_this(uid) {
            // Another organization is named by its uid alone.
            String::new()
        } else if let (Some(org), false) = (org, org_is_this) {
            format!(" of organization {org}")
        } else if let Some(named) = org_named_by_id(uid).filter(|named| *named != organization) {
            format!(", whose id names organization `{named}`")
        } else {
            continue;
        };
        return Err(Error::UpsertOrganizationMismatch {
            expected: organization.to_owned(),
            found: format!("{uid}{why}"),
        });
    }
    Ok(())
}

/// What an incremental update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreUpdate {
    /// How many entities the store holds after it.
    pub entities: usize,
    /// How many entities had their ancestors computed anew: the upserted ones whose parents
    /// changed, and the entities below those or below a removed one. An upserted entity whose
    /// parents are the ones it had keeps its ancestors.
    pub recomputed: usize,
}

impl EntityStore {
    pub(crate) fn entities(&self) -> &Entities {
        &self.entities
    }

    pub(crate) fn account_by_email(&self, email: &str) -> Option<&EntityUid> {
        self.accounts_by_email.get(&lowercase(email.trim()))
    }

    /// Rebuilds the index from the whole store: after a full load.
    fn index_accounts(&mut self) {
        self.accounts_by_email = self.entities.iter().filter_map(account).collect();
    }

    /// Replaces the entities: after a full load.
    fn replace(&mut self, entities: Entities) {
        self.entities = entities;
        self.children = None;
        self.ancestor_links = None;
    }

    /// Computes `upserts` and `removals` into the store; a refused update changes nothing. An
    /// update Cedar fails to apply (it cannot: see `closure::apply`) may leave the store empty,
    /// which denies every request, with its indices made to agree.
    fn update(
        &mut self,
        upserts: Vec<cedar_policy_core::ast::Entity>,
        removals: impl IntoIterator<Item = cedar_policy_core::ast::EntityUID>,
    ) -> Result<usize> {
        // A store grown one upsert at a time is held to the limit a load of it would be: a
        // chain of single upserts, each the child of the last, holds the square of its length.
        // Only an update that adds ancestors can be refused for them: a removal, or a change of
        // attributes (a key revoked), must go through even in a store at or over its limit
        // (the limit shrinks with the entities, and a snapshot's count leaves out the
        // ancestors of the schema's actions).
        let links_now = *self.ancestor_links.get_or_insert_with(|| closure::links_in(&self.entities));
        let most = ancestor_limit(self.entities.len().saturating_add(upserts.len())).max(links_now);
        let children = self.children.get_or_insert_with(|| Children::of(&self.entities));
        let update = closure::plan(&self.entities, children, upserts, removals, most)?;
        let links = update.links_after(&self.entities, links_now);
        if links > links_now {
            let limit = ancestor_limit(update.entities_after(&self.entities));
            check_size("ancestors held by the entities", links, limit)?;
        }
        let recomputed = update.recomputed();
        if let Err(error) = closure::apply(&mut self.entities, children, update) {
            self.children = None;
            self.ancestor_links = None;
            self.index_accounts();
            return Err(error);
        }
        self.ancestor_links = Some(links);
        Ok(recomputed)
    }

    /// Updates the index for the entities an upsert or removal touched, instead of rescanning
    /// the store: `changed` lose their old entries, and those still in the store after the
    /// update bring their emails.
    fn reindex_accounts(&mut self, changed: &HashSet<EntityUid>) {
        self.accounts_by_email.retain(|_, uid| !changed.contains(uid));
        self.accounts_by_email
            .extend(changed.iter().filter_map(|uid| self.entities.get(uid)).filter_map(account));
    }
}

/// The lower-cased email of a `User` entity, the key of the account index.
fn account(entity: &Entity) -> Option<(String, EntityUid)> {
    let uid = entity.uid();
    let type_name = uid.type_name();
    if type_name.basename() != "User" || type_name.namespace_components().next().is_some() {
        return None;
    }
    match entity.attr("email") {
        Some(Ok(EvalResult::String(email))) => Some((lowercase(&email), uid)),
        _ => None,
    }
}

fn entities_error(error: impl std::error::Error) -> Error {
    Error::InvalidEntities(crate::error::message_with_causes(&error))
}

impl Engine {
    /// Replaces the store with the entities of `snapshot`. Returns how many entities it holds.
    pub fn load_snapshot(&mut self, snapshot: &Snapshot) -> Result<usize> {
        self.load_snapshot_within(snapshot, &SnapshotRequirements::default())
    }

    /// [`Engine::load_snapshot`], refused before anything is built if the snapshot does not
    /// meet the caller's `requirements`: an organization other than the one asked for
    /// (`ORG_MISMATCH`), more entities than the caller's budget (`LIMIT_EXCEEDED`).
    pub fn load_snapshot_within(
        &mut self,
        snapshot: &Snapshot,
        requirements: &SnapshotRequirements,
    ) -> Result<usize> {
        // First: a file of every tenant served under one tenant's key is refused for what it
        // is, before the whole of it is checked.
        if let Some(organization) = &requirements.organization {
            check_organization(snapshot, organization)?;
        }
        check_snapshot(snapshot)?;
        let count = entity_count(snapshot);
        check_size("entity count", count, MAX_ENTITIES)?;
        let actions = self.ruleset.shared_action_entities().map_or(0, <[_]>::len);
        let max_entities = requirements.max_entities.unwrap_or(usize::MAX);
        check_size("entities with the schema's actions", count.saturating_add(actions), max_entities)?;
        check_size("ancestors held by the entities", ancestor_links(snapshot), ancestor_limit(count))?;
        crate::memory::reserve_for_snapshot_entities(count);
        let mut entities = snapshot_entities(snapshot)?;
        // Every property test over random organizations loads through here.
        debug_assert_eq!(entities.len(), count, "entity_count disagrees with the conversion");
        // The conversion lower-cases each email once, for the user and for this index.
        let accounts = entities.take_accounts();
        // The snapshot's entities are built to the embedded schema's shapes (a property test
        // holds Cedar's conformance check to that over random organizations), and that check
        // is a third of a cold load; it runs against any other schema.
        let loaded = match self.ruleset.unchecked_snapshot_actions() {
            Some(actions) => entities.into_store_sharing(actions)?,
            None => entities.into_checked_store(&self.ruleset.schema)?,
        };
        self.store.replace(loaded);
        self.store.accounts_by_email = accounts;
        Ok(self.store.entities.len())
    }

    pub fn load_snapshot_json(&mut self, json: &str) -> Result<usize> {
        self.load_snapshot_json_within(json, &SnapshotRequirements::default())
    }

    /// [`Engine::load_snapshot_json`] with a caller's requirements (see
    /// [`Engine::load_snapshot_within`]).
    pub fn load_snapshot_json_within(
        &mut self,
        json: &str,
        requirements: &SnapshotRequirements,
    ) -> Result<usize> {
        // `Snapshot::from_json` refuses text that is not an object too; refused here first, it
        // reserves no module memory for its length (SEC-4).
        if !json.trim_start().starts_with('{') {
            return Err(Error::InvalidJson("snapshot: expected a JSON object".to_owned()));
        }
        crate::memory::reserve_for_snapshot_text(json.len());
        let snapshot = Snapshot::from_json(json)?;
        self.load_snapshot_within(&snapshot, requirements)
    }

    /// Replaces the store with raw Cedar entities JSON (an array of `{uid, attrs, parents}`).
    pub fn load_entities_json(&mut self, json: &str) -> Result<usize> {
        // The ruleset held apart from `self`, which the load replaces the store of.
        let ruleset = std::sync::Arc::clone(&self.ruleset);
        let schema = DescribedSchema::new(&ruleset.schema);
        let entities = self.parse_entities(json, &schema)?;
        self.replace_entities(entities, &schema)
    }

    /// Adds or replaces the given raw Cedar entities, keeping every other entity.
    pub fn upsert_entities_json(&mut self, json: &str) -> Result<usize> {
        self.upsert_entities_counted(json).map(|update| update.entities)
    }

    /// [`Engine::upsert_entities_json`] into a store that serves `organization` alone (an org
    /// registry's): refused (`ORG_MISMATCH`), the store unchanged, if an upserted entity is
    /// another organization or belongs to one. A request routed to `organization` is decided
    /// on this store, so another org's entities in it would be decided through that routing.
    pub fn upsert_entities_json_within(&mut self, json: &str, organization: Option<&str>) -> Result<usize> {
        self.upsert_checked(json, organization).map(|update| update.entities)
    }

    /// [`Engine::upsert_entities_json`], telling how much of the store's hierarchy it
    /// recomputed: the upserted entities whose parents changed and their descendants, never
    /// the rest of the store (see `closure.rs`).
    pub fn upsert_entities_counted(&mut self, json: &str) -> Result<StoreUpdate> {
        self.upsert_checked(json, None)
    }

    fn upsert_checked(&mut self, json: &str, organization: Option<&str>) -> Result<StoreUpdate> {
        let schema = DescribedSchema::new(&self.ruleset.schema);
        // An upsert closes the hierarchy of what it changed with the store's (`closure.rs`).
        // Each version given was checked against the schema as given, with its parents, as
        // Cedar's `upsert_entities` checks it.
        let entities = self.parse_entities(json, &schema)?.entities;
        if let Some(organization) = organization {
            check_upserts_organization(&entities, organization)?;
        }
        check_size("entity count", self.store.entities.len() + entities.len(), MAX_ENTITIES)?;
        let changed: HashSet<EntityUid> =
            entities.iter().map(|entity| EntityUid::from(entity.uid().clone())).collect();
        let recomputed = self.store.update(entities, std::iter::empty())?;
        self.store.reindex_accounts(&changed);
        Ok(StoreUpdate { entities: self.store.entities.len(), recomputed })
    }

    /// Removes the given entities. Naming one that does not exist is an error and removes none.
    /// Like Cedar's `remove_entities`, each entity below a removed one loses it from its parents
    /// and ancestors.
    pub fn remove_entities(&mut self, refs: &[EntityRef]) -> Result<usize> {
        self.remove_entities_counted(refs).map(|update| update.entities)
    }

    /// [`Engine::remove_entities`], telling how many entities had their ancestors recomputed:
    /// those below the removed ones.
    pub fn remove_entities_counted(&mut self, refs: &[EntityRef]) -> Result<StoreUpdate> {
        let uids = refs.iter().map(|r| self.existing(r, Error::UnknownEntity)).collect::<Result<Vec<_>>>()?;
        let recomputed = self.store.update(Vec::new(), uids.iter().map(|uid| uid.as_ref().clone()))?;
        self.store.reindex_accounts(&uids.into_iter().collect());
        Ok(StoreUpdate { entities: self.store.entities.len(), recomputed })
    }

    /// Cedar entities JSON as Cedar's core entities (`raw_entities::read_entities`), with the
    /// order of their hierarchy.
    fn parse_entities(&self, json: &str, schema: &DescribedSchema) -> Result<ParsedEntities> {
        let entities = read_entities(json, schema, &self.ruleset.schema)?;
        let graph = BatchGraph::of(&entities);
        let parents_first = check_hierarchy(&entities, &graph)?;
        Ok(ParsedEntities { entities, graph, parents_first })
    }

    /// The store of a raw load: what Cedar's `Entities::from_entities` with the schema makes
    /// (each entity checked against it, duplicates refused, the schema's actions added), built
    /// with less of its work. The closure is computed here (cycles were refused by
    /// `check_hierarchy`). Each entity was checked against the schema as parsed, as that call
    /// would check it again: before the closure, with its parents. Action entities given in the
    /// batch are checked here as that call checks them, against the schema's own, which then
    /// replace them. When the batch holds a uid twice, or an action the schema does not have,
    /// Cedar's call builds the store (or refuses it) itself.
    fn replace_entities(&mut self, parsed: ParsedEntities, schema: &DescribedSchema) -> Result<usize> {
        let ParsedEntities { mut entities, graph, parents_first } = parsed;
        let has_order = parents_first.is_some();
        // The closure in one pass, parents first, where Cedar's would search from every entity;
        // Cedar still verifies it in debug builds, and computes it when no order was found
        // (a uid given twice).
        let closure = match parents_first {
            Some(order) => {
                closure::close_batch(&mut entities, &graph, &order)?;
                drop(graph);
                if cfg!(debug_assertions) {
                    TCComputation::EnforceAlreadyComputed
                } else {
                    TCComputation::AssumeAlreadyComputed
                }
            }
            None => TCComputation::ComputeNow,
        };
        let extensions = Extensions::all_available();
        let checker = EntitySchemaConformanceChecker::new(schema, extensions);
        let checked = has_order
            && entities
                .iter()
                .filter(|entity| entity.uid().is_action())
                .all(|action| checker.validate_action(action).is_ok());
        let ruleset = std::sync::Arc::clone(&self.ruleset);
        let loaded = match ruleset.shared_action_entities().filter(|_| checked) {
            Some(actions) => {
                // The batch's actions are the schema's, which replace them.
                entities.retain(|entity| !entity.uid().is_action());
                store_sharing_actions(entities, actions, closure)?
            }
            None => CoreEntities::from_entities(entities, Some(schema), closure, extensions)
                .map(Entities::from)
                .map_err(entities_error)?,
        };
        self.store.replace(loaded);
        self.store.index_accounts();
        Ok(self.store.entities.len())
    }

    pub(crate) fn account_by_email(&self, email: &str) -> Option<&EntityUid> {
        self.store.account_by_email(email)
    }
}

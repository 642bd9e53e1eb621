//! The entity store and the ways to fill it: a whole snapshot, raw Cedar entities JSON, or
//! incremental upserts and removals.

use std::collections::{HashMap, HashSet};

use cedar_policy::{Entities, Entity, EntityUid, EvalResult};

use super::{Engine, EntityRef};
use crate::error::{Error, Result};
use crate::limits::{check_hierarchy, check_size, parse_json, MAX_ENTITIES};
use crate::snapshot::{check_snapshot, lowercase, snapshot_entities, Snapshot};

/// The entities, and the index of known accounts by email (MEM-2).
#[derive(Debug, Clone, Default)]
pub(crate) struct EntityStore {
    entities: Entities,
    accounts_by_email: HashMap<String, EntityUid>,
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

    /// Updates the index for the entities an upsert or removal touched, instead of rescanning
    /// the store: `changed` lose their old entries, `added` bring their emails.
    fn reindex_accounts<'a>(
        &mut self,
        changed: &HashSet<EntityUid>,
        added: impl Iterator<Item = &'a Entity>,
    ) {
        self.accounts_by_email.retain(|_, uid| !changed.contains(uid));
        self.accounts_by_email.extend(added.filter_map(account));
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

fn entities_error(error: impl std::fmt::Display) -> Error {
    Error::InvalidEntities(error.to_string())
}

impl Engine {
    /// Replaces the store with the entities of `snapshot`. Returns how many entities it holds.
    pub fn load_snapshot(&mut self, snapshot: &Snapshot) -> Result<usize> {
        check_snapshot(snapshot)?;
        let mut entities = snapshot_entities(snapshot)?;
        check_size("entity count", entities.len(), MAX_ENTITIES)?;
        // The conversion lower-cases each email once, for the user and for this index.
        let accounts = entities.take_accounts();
        // The snapshot's entities are built to the embedded schema's shapes (a property test
        // holds Cedar's conformance check to that over random organizations), and that check
        // is a third of a cold load; it runs against any other schema.
        let loaded = match self.ruleset.unchecked_snapshot_actions() {
            Some(actions) => entities.into_store(actions)?,
            None => entities.into_checked_store(&self.ruleset.schema)?,
        };
        self.store.entities = loaded;
        self.store.accounts_by_email = accounts;
        Ok(self.store.entities.len())
    }

    pub fn load_snapshot_json(&mut self, json: &str) -> Result<usize> {
        // serde reads a struct from a JSON array as well: `[]` would load as an empty snapshot
        // and silently wipe the store. A snapshot is an object (SEC-4).
        if !json.trim_start().starts_with('{') {
            return Err(Error::InvalidJson("snapshot: expected a JSON object".to_owned()));
        }
        let snapshot = Snapshot::from_json(json)?;
        self.load_snapshot(&snapshot)
    }

    /// Replaces the store with raw Cedar entities JSON (an array of `{uid, attrs, parents}`).
    pub fn load_entities_json(&mut self, json: &str) -> Result<usize> {
        let entities = self.parse_entities(json)?;
        self.replace_entities(entities)
    }

    /// Adds or replaces the given raw Cedar entities, keeping every other entity.
    pub fn upsert_entities_json(&mut self, json: &str) -> Result<usize> {
        let entities = self.parse_entities(json)?;
        check_size("entity count", self.store.entities.len() + entities.len(), MAX_ENTITIES)?;
        // Entities shares its entities behind `Arc`s: this copy costs pointers, not data, and
        // keeps the store as it was if the update is refused.
        let updated = self
            .store
            .entities
            .clone()
            .upsert_entities(entities.iter().cloned(), Some(&self.ruleset.schema))
            .map_err(entities_error)?;
        self.store.entities = updated;
        let changed = entities.iter().map(Entity::uid).collect();
        self.store.reindex_accounts(&changed, entities.iter());
        Ok(self.store.entities.len())
    }

    /// Removes the given entities. Naming one that does not exist is an error and removes none.
    pub fn remove_entities(&mut self, refs: &[EntityRef]) -> Result<usize> {
        let uids = refs.iter().map(|r| self.existing(r, Error::UnknownEntity)).collect::<Result<Vec<_>>>()?;
        let updated =
            self.store.entities.clone().remove_entities(uids.iter().cloned()).map_err(entities_error)?;
        self.store.entities = updated;
        self.store.reindex_accounts(&uids.into_iter().collect(), std::iter::empty());
        Ok(self.store.entities.len())
    }

    fn parse_entities(&self, json: &str) -> Result<Vec<Entity>> {
        let values: Vec<serde_json::Value> = parse_json("entities", json)?;
        check_size("entity count", values.len(), MAX_ENTITIES)?;
        let entities = values
            .into_iter()
            .map(|value| Entity::from_json_value(value, Some(&self.ruleset.schema)).map_err(entities_error))
            .collect::<Result<Vec<_>>>()?;
        check_hierarchy(&entities)?;
        Ok(entities)
    }

    fn replace_entities(&mut self, entities: Vec<Entity>) -> Result<usize> {
        let loaded = Entities::from_entities(entities, Some(&self.ruleset.schema)).map_err(entities_error)?;
        self.store.entities = loaded;
        self.store.index_accounts();
        Ok(self.store.entities.len())
    }

    pub(crate) fn account_by_email(&self, email: &str) -> Option<&EntityUid> {
        self.store.account_by_email(email)
    }
}

//! Cedar's schema as its entity checks ask it, each entity type described once per load.
//!
//! Cedar's `CoreSchema::entity_type` builds a new description on every call: a copy of the
//! type's attributes and a scan of every type of the schema for the type's allowed parents.
//! The conformance check asks for one per entity and one per entity reference in each entity's
//! attributes and ancestors, which made it a fifth of a raw entity load (a CPU profile of the
//! release module loading 10,000 entities). [`DescribedSchema`] answers the same descriptions,
//! made by Cedar, from a cache.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cedar_policy_core::ast::{Eid, Entity, EntityType, EntityUID, UnreservedId};
use cedar_policy_core::entities::json::{EntityTypeDescription, Schema, SchemaType};
use cedar_policy_core::validator::{self, CoreSchema};
use nonempty::NonEmpty;
use smol_str::SmolStr;

pub(crate) struct DescribedSchema<'s> {
    core: CoreSchema<'s>,
    described: RefCell<HashMap<EntityType, Option<SharedDescription>>>,
}

impl<'s> DescribedSchema<'s> {
    pub(crate) fn new(schema: &'s cedar_policy::Schema) -> Self {
        Self { core: CoreSchema::new(schema.as_ref()), described: RefCell::default() }
    }
}

/// Cedar's own description of an entity type, shared by every lookup of the type.
#[derive(Debug, Clone)]
pub(crate) struct SharedDescription(Arc<validator::EntityTypeDescription>);

impl EntityTypeDescription for SharedDescription {
    fn entity_type(&self) -> EntityType {
        self.0.entity_type()
    }

    fn attr_type(&self, attr: &str) -> Option<SchemaType> {
        self.0.attr_type(attr)
    }

    fn tag_type(&self) -> Option<SchemaType> {
        self.0.tag_type()
    }

    fn required_attrs<'a>(&'a self) -> Box<dyn Iterator<Item = SmolStr> + 'a> {
        self.0.required_attrs()
    }

    fn allowed_parent_types(&self) -> Arc<HashSet<EntityType>> {
        self.0.allowed_parent_types()
    }

    fn open_attributes(&self) -> bool {
        self.0.open_attributes()
    }

    fn enum_entity_eids(&self) -> Option<&NonEmpty<Eid>> {
        self.0.enum_entity_eids()
    }

    fn is_external(&self) -> bool {
        self.0.is_external()
    }
}

impl<'s> Schema for DescribedSchema<'s> {
    type EntityTypeDescription = SharedDescription;
    type ActionEntityIterator = <CoreSchema<'s> as Schema>::ActionEntityIterator;

    fn entity_type(&self, entity_type: &EntityType) -> Option<SharedDescription> {
        if let Some(described) = self.described.borrow().get(entity_type) {
            return described.clone();
        }
        let described = self.core.entity_type(entity_type).map(|d| SharedDescription(Arc::new(d)));
        self.described.borrow_mut().insert(entity_type.clone(), described.clone());
        described
    }

    fn action(&self, action: &EntityUID) -> Option<Arc<Entity>> {
        self.core.action(action)
    }

    fn entity_types_with_basename<'a>(
        &'a self,
        basename: &'a UnreservedId,
    ) -> Box<dyn Iterator<Item = EntityType> + 'a> {
        self.core.entity_types_with_basename(basename)
    }

    fn action_entities(&self) -> Self::ActionEntityIterator {
        self.core.action_entities()
    }
}

//! Cedar entities JSON (`loadEntities`, `upsertEntities`) read as Cedar's own parser reads it,
//! without most of its cost.
//!
//! Cedar's `Entity::from_json_value` reads every uid, parent and attribute through serde's
//! untagged enums (each value is buffered, then tried against every form it could take), parses
//! every type name anew, copies each attribute value to try it as an `__extn` escape first, and
//! builds each value as an expression it then evaluates. That made a raw load 4.5–14.5 times a
//! snapshot load per entity (BENCHMARKS.md, "Edge at scale"). [`RawEntityReader`] reads the
//! common shapes of a [`Json`] tree directly: uids and parents in either of their forms, with
//! each distinct type name parsed once per load by Cedar's own `EntityType::from_normalized_str`,
//! and attributes (and tags) whose schema type is an entity, a primitive, or a set or record of
//! those, when the JSON value has that shape, each built as the value Cedar's evaluation of it
//! gives.
//!
//! An entity it cannot read whole in those terms — an unexpected shape, an error anywhere, an
//! action, a type, attribute or tag the schema does not declare, an extension value — is left
//! to Cedar's parser, which reads it or words the error exactly as before. So the fast path
//! only ever builds what Cedar would have built (`tests/raw_entities.rs` holds the two equal
//! over random and malformed entities).
//!
//! It also tells which entities it read pass Cedar's schema conformance check by
//! construction ([`ReadEntity::conforms`]), so that Cedar's check runs on the others only (in
//! [`read_entities`], where Cedar's parser runs it: on each entity as given, with its parents),
//! and the store is built without checking any again (`Engine::replace_entities`). An entity
//! conforms when its type is declared and not external, every required attribute is there,
//! every value has its declared type (values are built by their schema type, and an entity
//! reference must name the type declared for it), and each parent's type is declared as one
//! it may be in. Its other ancestors need no check: Cedar's allowed parent types are
//! transitively closed (the validator closes the schema's `in` relation), so an ancestor
//! reached through parents that passed has an allowed type too. Uids of enumerated types and
//! actions are never proven: Cedar checks their ids.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use cedar_policy_core::ast::{Eid, Entity, EntityType, EntityUID, PartialValue, Value};
use cedar_policy_core::entities::conformance::EntitySchemaConformanceChecker;
use cedar_policy_core::entities::json::{EntityTypeDescription, Schema as _, SchemaType};
use cedar_policy_core::extensions::Extensions;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};
use smol_str::SmolStr;

use super::described_schema::{DescribedSchema, SharedDescription};
use super::raw_json::Json;
use crate::error::{message_with_causes, Error, Result};
use crate::limits::{check_json_shape, check_size, DATA_JSON, MAX_ENTITIES, MAX_JSON_BYTES};
use crate::snapshot::FastMap;

/// The entities of Cedar entities JSON (an array of `{uid, attrs, parents, tags}`), each read
/// as Cedar's parser reads it (see the module's comment) and checked against the schema as
/// given, with its parents, as that parser checks it: the first entity Cedar would refuse is
/// refused, in Cedar's words.
///
/// The array is read one entity at a time, each entity's JSON dropped once it is read, so a
/// load never holds the whole document as a tree (for the largest loads, tens of MiB the
/// module's memory would keep: it never shrinks). Refusals keep their order: the text's syntax
/// first (the rest of the array is still parsed after a refused entity), then the number of
/// entities, then the first refused entity.
pub(crate) fn read_entities(
    json: &str,
    schema: &DescribedSchema,
    cedar_schema: &cedar_policy::Schema,
) -> Result<Vec<Entity>> {
    check_size("entities", json.len(), MAX_JSON_BYTES)?;
    let items = check_json_shape("entities", json, DATA_JSON)?;
    let checker = EntitySchemaConformanceChecker::new(schema, Extensions::all_available());
    let mut batch = Batch {
        reader: RawEntityReader::new(schema),
        checker,
        cedar_schema,
        entities: Vec::new(),
        items,
        allocated_before: crate::memory::allocated_bytes(),
        next_reservation: FIRST_RESERVATION,
        count: 0,
        refused: None,
    };
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let parsed = (&mut batch).deserialize(&mut deserializer).and_then(|()| deserializer.end());
    parsed.map_err(|e| Error::InvalidJson(format!("entities: {e}")))?;
    check_size("entity count", batch.count, MAX_ENTITIES)?;
    match batch.refused {
        Some(refusal) => Err(refusal),
        None => Ok(batch.entities),
    }
}

/// The entities read before the memory is first grown for the ones still to come.
const FIRST_RESERVATION: usize = 1_024;
/// How many entities a growth makes room for, per entity already read.
const RESERVATION_STEP: usize = 4;

/// What reading the array has made so far.
struct Batch<'r, 's> {
    reader: RawEntityReader<'s>,
    checker: EntitySchemaConformanceChecker<'s, DescribedSchema<'s>>,
    cedar_schema: &'r cedar_policy::Schema,
    entities: Vec<Entity>,
    /// The array's items, counted in the text before it is read.
    items: usize,
    /// The module's allocated bytes before the first entity was read.
    allocated_before: usize,
    /// How many entities read make the memory grow next.
    next_reservation: usize,
    /// The array's items, read or not.
    count: usize,
    refused: Option<Error>,
}

impl Batch<'_, '_> {
    fn read(&mut self, value: &Json) -> Result<Entity> {
        match self.reader.read(value) {
            Some(read) if read.conforms || self.checker.validate_entity(&read.entity).is_ok() => {
                Ok(read.entity)
            }
            // What the reader leaves, or read but refused by the check, Cedar reads (or
            // refuses, in its own words).
            _ => cedar_policy::Entity::from_json_value(value.to_value(), Some(self.cedar_schema))
                .map(|entity| entity.as_ref().clone())
                .map_err(|e| Error::InvalidEntities(message_with_causes(&e))),
        }
    }
}

impl<'de> DeserializeSeed<'de> for &mut Batch<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for &mut Batch<'_, '_> {
    type Value = ();

    // As `Vec`'s, whose refusal of a document that is not an array this keeps word for word.
    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> std::result::Result<(), A::Error> {
        loop {
            // Past a refusal or the limit, items are parsed for their syntax only.
            if self.refused.is_some() || self.count >= MAX_ENTITIES {
                if items.next_element::<IgnoredAny>()?.is_none() {
                    return Ok(());
                }
                self.count += 1;
                continue;
            }
            let Some(value) = items.next_element::<Json>()? else { return Ok(()) };
            self.count += 1;
            match self.read(&value) {
                Ok(entity) => self.entities.push(entity),
                Err(refusal) => self.refused = Some(refusal),
            }
            // The memory grows in one step for up to four times as many entities as were read,
            // at most the items left, each at what the ones read took, and with the last step
            // room for the closure and the store (`memory.rs`: V8 collects its garbage at each
            // growth, and the allocator's own steps are small: the closure's sets of
            // ancestors, grown into as they came, made a load of 50,000 entities collect 30
            // times). Only entities already read justify a growth: an array of anything else
            // never makes the memory grow ahead of it.
            if self.entities.len() == self.next_reservation {
                let built = self.entities.len();
                let ahead = self.items.saturating_sub(built).min(built.saturating_mul(RESERVATION_STEP));
                let read = crate::memory::allocated_bytes().saturating_sub(self.allocated_before);
                let last = built.saturating_add(ahead) >= self.items;
                let then_store_of = if last { self.items } else { 0 };
                crate::memory::reserve_for_raw_entities(ahead, read / built, then_store_of);
                self.next_reservation = built.saturating_add(ahead).max(built.saturating_add(1));
            }
        }
    }
}

/// An entity the reader built, and whether it passes Cedar's conformance check by
/// construction (see the module's comment).
pub(crate) struct ReadEntity {
    pub(crate) entity: Entity,
    pub(crate) conforms: bool,
}

pub(crate) struct RawEntityReader<'s> {
    schema: &'s DescribedSchema<'s>,
    /// Each distinct type name of the load, parsed once (`None`: Cedar refuses it).
    types: FastMap<String, Option<Rc<ReadType>>>,
}

/// A type name of the load, parsed, with what the schema says of it.
struct ReadType {
    /// Its place among the load's types, which indexes [`Declared::parent_allowed`].
    number: usize,
    entity_type: EntityType,
    /// A uid of this type passes Cedar's `validate_euid`: it is neither an action nor of an
    /// enumerated type, whose ids Cedar checks.
    plain: bool,
    declared: Option<Declared>,
}

/// A declared type's description, and the parts the reader asks of it per entity.
struct Declared {
    description: SharedDescription,
    required: Vec<SmolStr>,
    allowed_parents: Arc<HashSet<EntityType>>,
    tag_type: Option<Rc<SchemaType>>,
    /// Each attribute's type, converted by Cedar from the validator's on its first use.
    attr_types: RefCell<FastMap<String, Option<Rc<SchemaType>>>>,
    /// Per type of the load (by its number), whether the schema allows it as a parent of this
    /// one: asked once per pair instead of hashing the type name per parent.
    parent_allowed: RefCell<Vec<Option<bool>>>,
}

impl Declared {
    fn allows_parent(&self, parent: &ReadType) -> bool {
        let known = self.parent_allowed.borrow().get(parent.number).copied().flatten();
        if let Some(allowed) = known {
            return allowed;
        }
        let allowed = self.allowed_parents.contains(&parent.entity_type);
        let mut answers = self.parent_allowed.borrow_mut();
        if answers.len() <= parent.number {
            answers.resize(parent.number + 1, None);
        }
        if let Some(slot) = answers.get_mut(parent.number) {
            *slot = Some(allowed);
        }
        allowed
    }

    fn attr_type(&self, name: &str) -> Option<Rc<SchemaType>> {
        if let Some(known) = self.attr_types.borrow().get(name) {
            return known.clone();
        }
        let attr_type = self.description.attr_type(name).map(Rc::new);
        self.attr_types.borrow_mut().insert(name.to_owned(), attr_type.clone());
        attr_type
    }
}

impl<'s> RawEntityReader<'s> {
    pub(crate) fn new(schema: &'s DescribedSchema<'s>) -> Self {
        Self { schema, types: FastMap::default() }
    }

    /// The entity `value` describes, or `None` where Cedar's parser must read it (see the
    /// module's comment).
    pub(crate) fn read(&mut self, value: &Json) -> Option<ReadEntity> {
        let (uid, own_type) = self.uid(value.get("uid")?)?;
        if uid.is_action() {
            return None;
        }
        let declared = own_type.declared.as_ref()?;
        let mut conforms = own_type.plain && !declared.description.is_external();
        let Json::Array(named_parents) = value.get("parents")? else { return None };
        let mut parents = HashSet::with_capacity(named_parents.len());
        for parent in named_parents {
            let (parent, parent_type) = self.uid(parent)?;
            conforms &= parent_type.plain && declared.allows_parent(&parent_type);
            parents.insert(parent);
        }
        let Json::Object(attr_pairs) = value.get("attrs")? else { return None };
        let attrs = self.values(attr_pairs, |name| declared.attr_type(name), &mut conforms)?;
        conforms &= declared.required.iter().all(|name| attrs.iter().any(|(given, _)| given == name));
        let tags = match value.get("tags") {
            None => Vec::new(),
            Some(Json::Object(tag_pairs)) => {
                self.values(tag_pairs, |_| declared.tag_type.clone(), &mut conforms)?
            }
            Some(_) => return None,
        };
        let entity = Entity::new_with_attr_partial_value(uid, attrs, HashSet::new(), parents, tags);
        Some(ReadEntity { entity, conforms })
    }

    /// An entity's attributes or tags, each value read for the type `expected_type` gives it
    /// (`None`, a name the schema does not declare, leaves the entity to Cedar). In the order
    /// given: the entity's map keeps the last of duplicate names, as the `serde_json::Value`
    /// Cedar reads does (a stable sort, then the last of equal keys).
    fn values(
        &mut self,
        pairs: &[(std::borrow::Cow<str>, Json)],
        expected_type: impl Fn(&str) -> Option<Rc<SchemaType>>,
        conforms: &mut bool,
    ) -> Option<Vec<(SmolStr, PartialValue)>> {
        let mut values = Vec::with_capacity(pairs.len());
        for (name, value) in pairs {
            let expected = expected_type(name)?;
            let value = self.direct_value(value, &expected, conforms)?;
            values.push((SmolStr::from(name.as_ref()), PartialValue::Value(value)));
        }
        Some(values)
    }

    /// `value` as Cedar's `ValueParser` reads it for the schema type `expected` and its
    /// evaluator then makes it, for the shapes read here; `None` for any other (Cedar's parser
    /// then reads the entity). An entity reference of another type than `expected` is read,
    /// but unproven: Cedar's check refuses it.
    fn direct_value(&mut self, value: &Json, expected: &SchemaType, conforms: &mut bool) -> Option<Value> {
        match (expected, value) {
            // `{"__extn": {"fn": "unknown", ...}}` is an unknown whatever the type: Cedar's.
            (_, Json::Object(_)) if value.get("__extn").is_some() => None,
            (SchemaType::Entity { ty }, Json::Object(_)) => {
                let (uid, read_type) = self.uid(value)?;
                *conforms &= read_type.plain && uid.entity_type() == ty;
                Some(Value::from(uid))
            }
            (SchemaType::String, Json::String(text)) => Some(Value::from(text.as_ref())),
            (SchemaType::Bool, Json::Bool(flag)) => Some(Value::from(*flag)),
            (SchemaType::Long, Json::Number(number)) => number.as_i64().map(Value::from),
            (SchemaType::Set { element_ty }, Json::Array(elements)) => {
                let mut values = Vec::with_capacity(elements.len());
                for element in elements {
                    values.push(self.direct_value(element, element_ty, conforms)?);
                }
                Some(Value::set(values, None))
            }
            (SchemaType::Record { attrs, .. }, Json::Object(fields)) => {
                // A key the type does not declare is Cedar's to refuse (a closed record) or to
                // drop (an open one); so is a required attribute that is missing.
                if fields.iter().any(|(key, _)| !attrs.contains_key(key.as_ref())) {
                    return None;
                }
                let mut record = Vec::with_capacity(fields.len());
                for (name, attr_type) in attrs {
                    match value.get(name) {
                        Some(field) => record.push((
                            name.clone(),
                            self.direct_value(field, attr_type.schema_type(), conforms)?,
                        )),
                        None if attr_type.is_required() => return None,
                        None => {}
                    }
                }
                Some(Value::record(record, None))
            }
            _ => None,
        }
    }

    /// An entity reference in either of its JSON forms, as Cedar's `EntityUidJson` reads it:
    /// `{"__entity": {"type", "id"}}`, else `{"type", "id"}` (other keys ignored in both).
    fn uid(&mut self, value: &Json) -> Option<(EntityUID, Rc<ReadType>)> {
        // Cedar tries the retired `__expr` escape first, to refuse it with its own words.
        if matches!(value.get("__expr"), Some(Json::String(_))) {
            return None;
        }
        let (type_name, id) = value.get("__entity").and_then(type_and_id).or_else(|| type_and_id(value))?;
        let read_type = self.read_type(type_name)?;
        let uid = EntityUID::from_components(read_type.entity_type.clone(), Eid::new(id), None);
        Some((uid, read_type))
    }

    fn read_type(&mut self, name: &str) -> Option<Rc<ReadType>> {
        if let Some(read) = self.types.get(name) {
            return read.clone();
        }
        let read =
            EntityType::from_normalized_str(name).ok().map(|entity_type| Rc::new(self.describe(entity_type)));
        self.types.insert(name.to_owned(), read.clone());
        read
    }

    fn describe(&self, entity_type: EntityType) -> ReadType {
        let number = self.types.len();
        let description = self.schema.entity_type(&entity_type);
        let enumerated = description.as_ref().is_some_and(|d| d.enum_entity_eids().is_some());
        ReadType {
            number,
            plain: !entity_type.is_action() && !enumerated,
            declared: description.map(|description| Declared {
                required: description.required_attrs().collect(),
                allowed_parents: description.allowed_parent_types(),
                tag_type: description.tag_type().map(Rc::new),
                attr_types: RefCell::default(),
                parent_allowed: RefCell::default(),
                description,
            }),
            entity_type,
        }
    }
}

/// The `type` and `id` strings of a `TypeAndId` object.
fn type_and_id<'v>(object: &'v Json) -> Option<(&'v str, &'v str)> {
    Some((object.get("type")?.as_str()?, object.get("id")?.as_str()?))
}

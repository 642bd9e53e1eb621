//! Cedar entities JSON (`loadEntities`, `upsertEntities`) read as Cedar's own parser reads it,
//! without most of its cost.
//!
//! Cedar's `Entity::from_json_value` reads every uid, parent and attribute through serde's
//! untagged enums (each value is buffered, then tried against every form it could take), parses
//! every type name anew, and copies each attribute value to try it as an `__extn` escape first.
//! That made a raw load 4.5–14.5 times a snapshot load per entity (BENCHMARKS.md, "Edge at
//! scale"). [`RawEntityReader`] reads the common shapes directly: uids and parents in either of
//! their forms, with each distinct type name parsed once per load by Cedar's own
//! `EntityType::from_normalized_str`, and attributes (and tags) whose schema type is an
//! entity, a primitive, or a set or record of those, when the JSON value has that shape. Every
//! other value goes through Cedar's `ValueParser`, as Cedar itself would send it.
//!
//! An entity it cannot read whole in those terms — an unexpected shape, an error anywhere, an
//! action, a type, attribute or tag the schema does not declare — is left to Cedar's
//! parser, which reads it or words the error exactly as before. So the fast path only ever
//! builds what Cedar would have built; every entity is then checked against the schema as
//! before (`tests/raw_entities.rs` holds the two equal over random and malformed entities).
//! One order changed: an entity read here is checked against the schema after the batch's
//! hierarchy is (`limits::check_hierarchy`), so a document with both kinds of fault now
//! reports its cycle or depth first. Either way it is refused.

use std::collections::{BTreeMap, HashMap, HashSet};

use cedar_policy_core::ast::{Eid, Entity, EntityType, EntityUID, RestrictedExpr};
use cedar_policy_core::entities::json::err::JsonDeserializationErrorContext;
use cedar_policy_core::entities::json::{EntityTypeDescription, Schema as _, SchemaType, ValueParser};
use cedar_policy_core::extensions::Extensions;
use serde_json::{Map, Value};
use smol_str::SmolStr;

use super::described_schema::DescribedSchema;

pub(crate) struct RawEntityReader<'s> {
    schema: &'s DescribedSchema<'s>,
    extensions: &'static Extensions<'static>,
    /// Each distinct type name of the load, parsed once (`None`: Cedar refuses it).
    types: HashMap<String, Option<EntityType>>,
}

impl<'s> RawEntityReader<'s> {
    pub(crate) fn new(schema: &'s DescribedSchema<'s>) -> Self {
        Self { schema, extensions: Extensions::all_available(), types: HashMap::new() }
    }

    /// The entity `value` describes, or `None` where Cedar's parser must read it (see the
    /// module's comment). Not yet checked against the schema: the callers check every entity,
    /// however it was read, as Cedar's store does.
    pub(crate) fn read(&mut self, value: &Value) -> Option<Entity> {
        let object = value.as_object()?;
        let uid = self.uid(object.get("uid")?)?;
        if uid.is_action() {
            return None;
        }
        let parents = match object.get("parents")? {
            Value::Array(parents) => parents.iter().map(|p| self.uid(p)).collect::<Option<HashSet<_>>>()?,
            _ => return None,
        };
        let description = self.schema.entity_type(uid.entity_type())?;
        let attrs = match object.get("attrs")? {
            Value::Object(attrs) => {
                self.values(&uid, attrs, |name| description.attr_type(name), Kind::Attribute)?
            }
            _ => return None,
        };
        let tags = match object.get("tags") {
            None => BTreeMap::new(),
            Some(Value::Object(tags)) => self.values(&uid, tags, |_| description.tag_type(), Kind::Tag)?,
            Some(_) => return None,
        };
        Entity::new(uid, attrs, HashSet::new(), parents, tags, self.extensions).ok()
    }

    /// An entity's attributes or tags, each value read for the type `expected_type` gives it
    /// (`None`, a name the schema does not declare, leaves the entity to Cedar).
    fn values(
        &mut self,
        uid: &EntityUID,
        values: &Map<String, Value>,
        expected_type: impl Fn(&str) -> Option<SchemaType>,
        kind: Kind,
    ) -> Option<BTreeMap<SmolStr, RestrictedExpr>> {
        let parser = ValueParser::new(self.extensions);
        values
            .iter()
            .map(|(name, value)| {
                let expected = expected_type(name)?;
                let expr = match self.direct_value(value, &expected) {
                    Some(expr) => expr,
                    None => {
                        let context = || kind.context(uid, name);
                        parser.val_into_restricted_expr(value.clone(), Some(&expected), &context).ok()?
                    }
                };
                Some((SmolStr::from(name.as_str()), expr))
            })
            .collect()
    }

    /// `value` as Cedar's `ValueParser` reads it for the schema type `expected`, for the shapes
    /// read here; `None` for any other (Cedar's parser then reads it).
    fn direct_value(&mut self, value: &Value, expected: &SchemaType) -> Option<RestrictedExpr> {
        match (expected, value) {
            // `{"__extn": {"fn": "unknown", ...}}` is an unknown whatever the type: Cedar's.
            (_, Value::Object(object)) if object.contains_key("__extn") => None,
            (SchemaType::Entity { .. }, Value::Object(_)) => self.uid(value).map(RestrictedExpr::val),
            (SchemaType::String, Value::String(text)) => Some(RestrictedExpr::val(text.as_str())),
            (SchemaType::Bool, Value::Bool(flag)) => Some(RestrictedExpr::val(*flag)),
            (SchemaType::Long, Value::Number(number)) => number.as_i64().map(RestrictedExpr::val),
            (SchemaType::Set { element_ty }, Value::Array(elements)) => elements
                .iter()
                .map(|element| self.direct_value(element, element_ty))
                .collect::<Option<Vec<_>>>()
                .map(RestrictedExpr::set),
            (SchemaType::Record { attrs, .. }, Value::Object(object)) => {
                // A key the type does not declare is Cedar's to refuse (a closed record) or to
                // drop (an open one); so is a required attribute that is missing.
                if object.keys().any(|key| !attrs.contains_key(key.as_str())) {
                    return None;
                }
                let mut fields = Vec::with_capacity(object.len());
                for (name, attr_type) in attrs {
                    match object.get(name.as_str()) {
                        Some(field) => {
                            fields.push((name.clone(), self.direct_value(field, attr_type.schema_type())?))
                        }
                        None if attr_type.is_required() => return None,
                        None => {}
                    }
                }
                RestrictedExpr::record(fields).ok()
            }
            _ => None,
        }
    }

    /// An entity reference in either of its JSON forms, as Cedar's `EntityUidJson` reads it:
    /// `{"__entity": {"type", "id"}}`, else `{"type", "id"}` (other keys ignored in both).
    fn uid(&mut self, value: &Value) -> Option<EntityUID> {
        let object = value.as_object()?;
        // Cedar tries the retired `__expr` escape first, to refuse it with its own words.
        if object.get("__expr").is_some_and(Value::is_string) {
            return None;
        }
        let (type_name, id) = object
            .get("__entity")
            .and_then(Value::as_object)
            .and_then(type_and_id)
            .or_else(|| type_and_id(object))?;
        let entity_type = self.entity_type(type_name)?;
        Some(EntityUID::from_components(entity_type, Eid::new(id), None))
    }

    fn entity_type(&mut self, name: &str) -> Option<EntityType> {
        if let Some(parsed) = self.types.get(name) {
            return parsed.clone();
        }
        let parsed = EntityType::from_normalized_str(name).ok();
        self.types.insert(name.to_owned(), parsed.clone());
        parsed
    }
}

/// Which of an entity's maps a value is in, for the context of Cedar's errors.
#[derive(Clone, Copy)]
enum Kind {
    Attribute,
    Tag,
}

impl Kind {
    fn context(self, uid: &EntityUID, name: &str) -> JsonDeserializationErrorContext {
        let (uid, name) = (uid.clone(), SmolStr::from(name));
        match self {
            Self::Attribute => JsonDeserializationErrorContext::EntityAttribute { uid, attr: name },
            Self::Tag => JsonDeserializationErrorContext::EntityTag { uid, tag: name },
        }
    }
}

/// The `type` and `id` strings of a `TypeAndId` object.
fn type_and_id(object: &Map<String, Value>) -> Option<(&str, &str)> {
    Some((object.get("type")?.as_str()?, object.get("id")?.as_str()?))
}

//! Cedar entities JSON as a tree that borrows its strings from the text.
//!
//! `serde_json::Value` copies every string and keeps every object in an `IndexMap` (Cedar turns
//! on serde_json's `preserve_order`), whose keys it hashes with SipHash: reading a document
//! into it was a fifth of a raw entity load (a CPU profile of the release module loading
//! 10,000 entities). [`Json`] keeps strings without escapes as slices of the text and objects
//! as lists of pairs, which is all the reader (`raw_entities.rs`) needs: it looks up a few
//! keys per object. Where Cedar's own parser must read an entity, [`Json::to_value`] gives it
//! the `serde_json::Value` it would have had, duplicate keys included (the last one's value,
//! at the first one's place).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One JSON value of the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The value of `key` in an object, as `serde_json` keeps it: the last of duplicates.
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(pairs) => pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The `serde_json::Value` the same text parses to.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(flag) => Value::Bool(*flag),
            Json::Number(number) => Value::Number(number.clone()),
            Json::String(text) => Value::String(text.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(pairs) => {
                let mut object = Map::new();
                // An insert of a key already there replaces its value and keeps its place.
                for (key, value) in pairs {
                    object.insert(key.to_string(), value.to_value());
                }
                Value::Object(object)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

// The same conversions as `serde_json::Value`'s own visitor, strings aside.
impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json<'de>, E> {
        Ok(Number::from_f64(value).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E>(self, value: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(value)))
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        Deserialize::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut pairs = Vec::new();
        // A key is read as a string value is, borrowed where it has no escapes: serde_json
        // gives every key as a string.
        while let Some(key) = map.next_key::<Json<'de>>()? {
            let Json::String(key) = key else { return Err(A::Error::custom("expected a string key")) };
            pairs.push((key, map.next_value()?));
        }
        Ok(Json::Object(pairs))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every kind of value, escapes, duplicate keys and large numbers: the same `Value` as
    /// serde_json's own parse of the text.
    #[test]
    fn a_tree_converts_to_the_value_serde_json_parses() {
        let texts = [
            r#"[{"uid":{"type":"User","id":"a\"b"},"attrs":{"n":1,"n":-2,"f":1.5,"big":18446744073709551616,"t":true,"z":null},"parents":[]}]"#,
            r#"{"b":[1,2,{"c":"\u00e9"}],"a":{},"b":"last","\u0061":"escaped key"}"#,
            r#"[[], {}, "", 0, -0, 1e300, -9223372036854775808]"#,
        ];
        for text in texts {
            let tree: Json = serde_json::from_str(text).unwrap();
            let expected: Value = serde_json::from_str(text).unwrap();
            assert_eq!(tree.to_value(), expected, "{text}");
        }
    }

    #[test]
    fn a_lookup_finds_the_last_of_duplicate_keys() {
        let tree: Json = serde_json::from_str(r#"{"k":1,"other":2,"k":3}"#).unwrap();
        assert_eq!(tree.get("k"), Some(&Json::Number(3.into())));
        assert_eq!(tree.get("missing"), None);
    }
}

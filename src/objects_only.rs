//! Structs read from JSON objects only.
//!
//! serde's derived `Deserialize` reads a struct from a JSON array as well as from an object,
//! taking the items as the fields in their declared order: `["User", "olivia"]` reads as
//! `{ "type": "User", "id": "olivia" }`, and `[]` as an empty snapshot. Nothing a caller
//! writes means that, and a reader of the input would not read it so. [`ObjectsOnly`] wraps a
//! deserializer, and every deserializer serde makes from it for the values inside, so that a
//! struct (or a struct variant) given as an array is refused as the wrong type, at any depth.
//! Sequences themselves (`Vec`, tuples) are read as before.

use std::fmt;

use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, Error as _, MapAccess, SeqAccess, Unexpected, VariantAccess,
    Visitor,
};

/// A deserializer whose structs, at every depth, are read from objects only.
pub(crate) struct ObjectsOnly<D>(pub(crate) D);

/// A visitor passed on by [`ObjectsOnly`]: it wraps what the data gives it in turn. When it
/// reads a struct, a sequence is refused.
struct Wrap<V> {
    visitor: V,
    is_struct: bool,
}

impl<V> Wrap<V> {
    fn any(visitor: V) -> Self {
        Self { visitor, is_struct: false }
    }

    fn structure(visitor: V) -> Self {
        Self { visitor, is_struct: true }
    }
}

/// A seed whose value is read through [`ObjectsOnly`].
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(ObjectsOnly(deserializer))
    }
}

macro_rules! forward_deserialize {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.0.$method(Wrap::any(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectsOnly<D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Wrap::any(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Wrap::any(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap::any(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap::any(visitor))
    }

    // Out of line, so that each struct of an input is read by a function of its own (see
    // `from_json_str`).
    #[inline(never)]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, Wrap::structure(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Wrap::any(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident: $value:ty),* $(,)?) => {
        $(
            fn $method<E: serde::de::Error>(self, value: $value) -> Result<Self::Value, E> {
                self.visitor.$method(value)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        self.visitor.expecting(formatter)
    }

    forward_visit!(
        visit_bool: bool,
        visit_i8: i8,
        visit_i16: i16,
        visit_i32: i32,
        visit_i64: i64,
        visit_i128: i128,
        visit_u8: u8,
        visit_u16: u16,
        visit_u32: u32,
        visit_u64: u64,
        visit_u128: u128,
        visit_f32: f32,
        visit_f64: f64,
        visit_char: char,
        visit_str: &str,
        visit_borrowed_str: &'de str,
        visit_string: String,
        visit_bytes: &[u8],
        visit_borrowed_bytes: &'de [u8],
        visit_byte_buf: Vec<u8>,
    );

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.visitor.visit_some(ObjectsOnly(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.visitor.visit_newtype_struct(ObjectsOnly(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, items: A) -> Result<Self::Value, A::Error> {
        if self.is_struct {
            return Err(A::Error::invalid_type(Unexpected::Seq, &self));
        }
        self.visitor.visit_seq(Items(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, entries: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_map(Entries(entries))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_enum(Variants(data))
    }
}

/// The items of a sequence, each read through [`ObjectsOnly`].
struct Items<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Items<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// The entries of a map or struct, each key and value read through [`ObjectsOnly`].
struct Entries<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Entries<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// An enum's variant, its content read through [`ObjectsOnly`].
struct Variants<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Variants<A> {
    type Error = A::Error;
    type Variant = Content<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self::Variant), A::Error> {
        self.0.variant_seed(Seed(seed)).map(|(value, variant)| (value, Content(variant)))
    }
}

/// A variant's content: a struct variant, too, is read from an object only.
struct Content<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Content<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap::any(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Wrap::structure(visitor))
    }
}

/// `T` from JSON text, its structs read from objects only; trailing text is refused as
/// `serde_json::from_str` refuses it.
///
/// Each struct is read by its own function (`deserialize_struct` is kept out of line). Inlined
/// into one another, the structs of a snapshot made one function of 23 KB that ran hot in the
/// first load and that V8 then recompiled with its optimizing tier in the background (38 ms
/// of compile, on a 2-core machine taking the core the load itself ran on), only for the load
/// to be over before the recompiled code could be used.
pub(crate) fn from_json_str<'a, T: serde::Deserialize<'a>>(text: &'a str) -> serde_json::Result<T> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(ObjectsOnly(&mut deserializer))?;
    deserializer.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde::Deserialize;

    use super::{from_json_str, ObjectsOnly};

    #[derive(Debug, Deserialize, PartialEq)]
    struct Pair {
        kind: String,
        id: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    enum Shape {
        Named { name: String },
        Tuple(u8, u8),
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        pairs: Vec<Pair>,
        maybe: Option<Pair>,
        nested: Vec<Vec<Pair>>,
        shape: Option<Shape>,
        #[serde(default)]
        list: Vec<u8>,
    }

    #[test]
    fn objects_read_as_before() {
        let text = r#"{"pairs":[{"kind":"a","id":"1"}],"maybe":{"kind":"b","id":"2"},"nested":[[{"kind":"c","id":"3"}]],
            "shape":{"named":{"name":"n"}},"list":[1,2]}"#;
        let read: Outer = from_json_str(text).unwrap();
        assert_eq!(read, serde_json::from_str::<Outer>(text).unwrap());
        let tuple: Shape = from_json_str(r#"{"tuple":[1,2]}"#).unwrap();
        assert_eq!(tuple, Shape::Tuple(1, 2));
    }

    #[test]
    fn a_struct_given_as_an_array_is_refused_at_any_depth() {
        for text in [
            r#"["a","1"]"#,
            r#"{"pairs":[["a","1"]],"maybe":null,"nested":[]}"#,
            r#"{"pairs":[],"maybe":["b","2"],"nested":[]}"#,
            r#"{"pairs":[],"maybe":null,"nested":[[["c","3"]]]}"#,
            r#"{"pairs":[],"maybe":null,"nested":[],"shape":{"named":["n"]}}"#,
        ] {
            // serde alone reads each of them by position.
            let lenient =
                serde_json::from_str::<Outer>(text).is_ok() || serde_json::from_str::<Pair>(text).is_ok();
            assert!(lenient, "{text}");
            let outer = from_json_str::<Outer>(text).map(|_| ());
            let pair = from_json_str::<Pair>(text).map(|_| ());
            let error = outer.and(pair).unwrap_err().to_string();
            assert!(error.starts_with("invalid type: sequence, expected struct"), "{text}: {error}");
        }
    }

    #[test]
    fn a_parsed_value_is_held_to_it_too() {
        let value = serde_json::json!({ "pairs": [["a", "1"]], "maybe": null, "nested": [] });
        let error = Outer::deserialize(ObjectsOnly(value)).unwrap_err().to_string();
        assert!(error.starts_with("invalid type: sequence, expected struct Pair"), "{error}");
        let trailing = from_json_str::<Pair>(r#"{"kind":"a","id":"1"} x"#).unwrap_err();
        assert!(trailing.to_string().starts_with("trailing characters"), "{trailing}");
    }
}

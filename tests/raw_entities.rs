//! Raw Cedar entities JSON (`load_entities_json`, `upsert_entities_json`) is read directly
//! where src/engine/raw_entities.rs knows the shape, and by Cedar's parser elsewhere. Over
//! random organizations exported as Cedar JSON, with every uid and reference written in either
//! of its forms and with malformed entities mixed in, the store (or the refusal, word for word)
//! must be what Cedar's own parser gives.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cedar_policy::{Entities, Entity};
use orgwarden::error::message_with_causes;
use orgwarden::Engine;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};

#[path = "support/engines.rs"]
mod engines;
#[path = "support/generator.rs"]
mod generator;
use engines::{config, defaults, loaded};
use generator::snapshot_strategy;

/// What Cedar's own parser makes of the entities: each read with the schema, then the store
/// built with it (the way the engine loaded raw entities before it read any itself).
fn cedar_reads(entities: &[Value]) -> Result<Entities, String> {
    let schema = defaults().schema();
    let parsed = entities
        .iter()
        .map(|value| {
            Entity::from_json_value(value.clone(), Some(schema)).map_err(|e| message_with_causes(&e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Entities::from_entities(parsed, Some(schema)).map_err(|e| message_with_causes(&e))
}

/// The store a fresh default engine holds after `load_entities_json`.
fn engine_reads(entities: &[Value]) -> Result<Engine, String> {
    let mut engine = defaults().clone();
    engine.load_entities_json(&Value::Array(entities.to_vec()).to_string()).map_err(|e| e.to_string())?;
    Ok(engine)
}

/// The refusal's Cedar words, its causes' included, as the engine wraps them ("invalid Cedar
/// entities: ...").
fn cedar_words(error: &str) -> String {
    format!("invalid Cedar entities: {error}")
}

fn assert_same(entities: &[Value]) -> Result<(), TestCaseError> {
    match (cedar_reads(entities), engine_reads(entities)) {
        (Ok(expected), Ok(engine)) => {
            let store = engine.entities();
            prop_assert_eq!(store.len(), expected.len());
            for entity in expected.iter() {
                let held = store.get(&entity.uid());
                prop_assert!(held.is_some(), "{} is missing", entity.uid());
                let (held, expected) = (held.unwrap().as_ref(), entity.as_ref());
                // Cedar's `==` on entities compares uids only: attributes, tags and ancestors
                // are compared by `deep_eq`, parents apart.
                prop_assert!(held.deep_eq(expected), "{} differs:\n{:?}\n{:?}", entity.uid(), held, expected);
                let parents = |e: &cedar_policy_core::ast::Entity| {
                    e.parents().cloned().collect::<std::collections::HashSet<_>>()
                };
                prop_assert_eq!(parents(held), parents(expected));
            }
        }
        (Err(expected), Err(refused)) => prop_assert_eq!(refused, cedar_words(&expected)),
        (expected, engine) => prop_assert!(
            false,
            "Cedar: {:?}\nengine: {:?}",
            expected.map(|e| e.len()),
            engine.map(|e| e.entities().len())
        ),
    }
    Ok(())
}

/// An entity reference in one of the forms Cedar reads: explicit, implicit, or both keys.
fn reference_form(reference: &Value, form: usize) -> Value {
    let inner = reference.get("__entity").cloned().unwrap_or_else(|| reference.clone());
    match form % 3 {
        0 => json!({ "__entity": inner }),
        1 => inner,
        // Extra keys beside the reference are ignored by Cedar's reader.
        _ => {
            let mut object = inner.as_object().cloned().unwrap();
            object.insert("note".into(), json!("ignored"));
            Value::Object(object)
        }
    }
}

/// Every reference in `value` (an attribute value) rewritten in form `form`.
fn rewrite_references(value: &Value, form: usize) -> Value {
    match value {
        Value::Object(object) if object.contains_key("__entity") => reference_form(value, form),
        Value::Object(object) => {
            Value::Object(object.iter().map(|(k, v)| (k.clone(), rewrite_references(v, form))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| rewrite_references(v, form)).collect()),
        other => other.clone(),
    }
}

/// The engine's store of `snapshot` as Cedar entities JSON, the schema's actions left out,
/// every uid, parent and reference in form `form`.
fn exported(engine: &Engine, form: usize) -> Vec<Value> {
    exported_with_actions(engine, form).into_iter().filter(|e| !is_action(e)).collect()
}

fn is_action(entity: &Value) -> bool {
    entity["uid"]["__entity"]["type"] == "Action" || entity["uid"]["type"] == "Action"
}

/// [`exported`] with the schema's actions, as Cedar writes a whole store.
fn exported_with_actions(engine: &Engine, form: usize) -> Vec<Value> {
    let Value::Array(all) = engine.entities().to_json_value().unwrap() else { panic!("an array") };
    all.into_iter()
        .map(|mut e| {
            e["uid"] = reference_form(&e["uid"], form);
            e["parents"] = Value::Array(
                e["parents"].as_array().unwrap().iter().map(|p| reference_form(p, form + 1)).collect(),
            );
            e["attrs"] = rewrite_references(&e["attrs"], form + 2);
            e
        })
        .collect()
}

/// Ways an entity goes wrong, or takes a shape only Cedar's parser reads.
fn malformed(entity: &Value, how: usize) -> Value {
    let mut e = entity.clone();
    let first_attr = e["attrs"].as_object().and_then(|a| a.keys().next().cloned());
    match how {
        0 => e["uid"] = json!({ "type": "User::", "id": "x" }),
        1 => e["uid"] = json!({ "type": "__cedar::User", "id": "x" }),
        2 => e["uid"] = json!({ "type": "User", "id": 7 }),
        3 => e["uid"] = json!({ "__expr": "User::\"x\"" }),
        4 => e["uid"] = json!(["User", "positional"]),
        5 => e["uid"] = json!({ "type": "Nope", "id": "x" }),
        6 => e["parents"] = json!([{ "type": "Organization", "id": "no-such-parent-type" }]),
        7 => e["parents"] = json!("not a list"),
        8 => {
            e.as_object_mut().unwrap().remove("attrs");
        }
        9 => e["attrs"]["unexpected"] = json!(true),
        10 => {
            if let Some(name) = first_attr {
                e["attrs"].as_object_mut().unwrap().remove(&name);
            }
        }
        11 => {
            if let Some(name) = first_attr {
                e["attrs"][&name] = json!(3.5);
            }
        }
        12 => {
            if let Some(name) = first_attr {
                e["attrs"][&name] = json!({ "__extn": { "fn": "unknown", "arg": "later" } });
            }
        }
        13 => e["tags"] = json!({ "t": "v" }),
        14 => {
            if let Some(name) = first_attr {
                e["attrs"][&name] = json!({ "__entity": { "type": "User", "id": 1 } });
            }
        }
        15 => {
            if let Some(name) = first_attr {
                e["attrs"][&name] = json!([1, "two"]);
            }
        }
        // A record attribute (a workspace's roles) with a key too many, one too few, a field
        // of the wrong type.
        16 => e["attrs"]["roles"]["auditor"] = json!({ "type": "WorkspaceRole", "id": "x" }),
        17 => {
            e["attrs"]["roles"].as_object_mut().unwrap().remove("view");
        }
        18 => e["attrs"]["roles"]["view"] = json!("view"),
        // Read, but not conforming: Cedar's check must still see these (the reader proves
        // conformance only of what conforms).
        19 => {
            if let Some(name) = first_attr {
                // An entity reference of a type the attribute does not declare: the first
                // attribute names the `Platform`, a type no attribute declares.
                e["attrs"][&name] = json!({ "__entity": { "type": "Platform", "id": "platform" } });
            }
        }
        20 => e["parents"] = json!([{ "type": "Membership", "id": "not-a-group" }]),
        _ => e["tags"] = json!({ "t": ["a", "b"] }),
    }
    e
}

proptest! {
    #![proptest_config(config(48))]

    /// Well-formed exports in every form load as Cedar reads them.
    #[test]
    fn raw_entities_load_as_cedar_reads_them(snapshot in snapshot_strategy(1..=3), form in 0usize..3) {
        let entities = exported(&loaded(&snapshot), form);
        prop_assert!(engine_reads(&entities).is_ok(), "a well-formed export loads");
        assert_same(&entities)?;
    }

    /// A whole store written by Cedar, the schema's actions included, loads as Cedar reads it;
    /// so does one whose action is not the schema's (refused in Cedar's words).
    #[test]
    fn the_schema_actions_given_with_the_entities_load_as_cedar_reads_them(
        snapshot in snapshot_strategy(1..=2),
        form in 0usize..3,
        which in any::<Index>(),
        fault in 0usize..4,
    ) {
        let mut entities = exported_with_actions(&loaded(&snapshot), form);
        let actions: Vec<usize> = (0..entities.len()).filter(|&i| is_action(&entities[i])).collect();
        prop_assert!(!actions.is_empty());
        let at = actions[which.index(actions.len())];
        match fault {
            // An action the schema does not have.
            1 => entities[at]["uid"] = json!({ "type": "Action", "id": "notInTheSchema" }),
            // A schema action with other parents than the schema gives it: none, or another
            // action of the schema besides its own.
            2 => entities[at]["parents"] = json!([]),
            3 => entities[at]["parents"].as_array_mut().unwrap().push(json!({ "type": "Action", "id": "memberOnly" })),
            _ => {}
        }
        if fault == 0 {
            prop_assert!(engine_reads(&entities).is_ok(), "a whole store loads");
        }
        assert_same(&entities)?;
    }

    /// A random hierarchy given by direct parents only, in any order, with parents outside the
    /// batch: the closure the load computes is Cedar's.
    #[test]
    fn a_hierarchy_of_direct_parents_is_closed_as_cedar_closes_it(
        parents in proptest::collection::vec(proptest::collection::vec(any::<Index>(), 0..4), 1..40),
        outside in proptest::collection::vec(any::<bool>(), 1..40),
        order in any::<u64>(),
    ) {
        // The schema's group type that may sit in itself.
        let group = |id: String| json!({ "type": "WorkspaceRole", "id": id });
        let mut entities: Vec<Value> = parents
            .iter()
            .enumerate()
            .map(|(i, picks)| {
                // Parents among the earlier entities only: a hierarchy without cycles.
                let mut named: Vec<Value> = if i == 0 { Vec::new() } else { picks.iter().map(|p| group(format!("g{}", p.index(i)))).collect() };
                if outside.get(i).copied().unwrap_or(false) {
                    named.push(group(format!("outside{i}")));
                }
                json!({ "uid": group(format!("g{i}")), "attrs": {}, "parents": named })
            })
            .collect();
        // Any order: a parent may come after its children.
        let len = entities.len();
        for i in 0..len {
            entities.swap(i, (order.rotate_left(i as u32) as usize) % len);
        }
        assert_same(&entities)?;
    }

    /// One entity malformed (or in a shape only Cedar reads), sometimes a second one too: the
    /// same store, or the same words for the refusal Cedar gives first.
    #[test]
    fn malformed_raw_entities_are_refused_as_cedar_refuses_them(
        snapshot in snapshot_strategy(1..=2),
        form in 0usize..3,
        which in any::<Index>(),
        how in 0usize..22,
        second in proptest::option::of((any::<Index>(), 0usize..22)),
    ) {
        let mut entities = exported(&loaded(&snapshot), form);
        // The record cases go to a workspace (every generated org has one).
        let workspace = entities.iter().position(|e| e["attrs"].get("roles").is_some());
        let count = entities.len();
        let place = |which: &Index, how: usize| if (16..=18).contains(&how) { workspace.unwrap() } else { which.index(count) };
        let at = place(&which, how);
        entities[at] = malformed(&entities[at], how);
        // A second fault elsewhere: the refusal Cedar gives for several is the engine's too.
        if let Some((which, how)) = second {
            let at = place(&which, how);
            entities[at] = malformed(&entities[at], how);
        }
        assert_same(&entities)?;
    }
}

/// The store of a schema with an enumerated type, from raw entities given as text.
fn enum_engine_reads(text: &str) -> Result<Engine, String> {
    let schema = r#"
        entity Color enum ["red", "blue"];
        entity Group;
        entity Thing in [Group] { color: Color, shade?: Color };
        action look appliesTo { principal: [Thing], resource: [Thing] };
    "#;
    let options = orgwarden::EngineOptions {
        schema: Some(schema.into()),
        include_default_policies: Some(false),
        ..orgwarden::EngineOptions::default()
    };
    let mut engine = Engine::new(options).map_err(|e| e.to_string())?;
    engine.load_entities_json(text).map_err(|e| e.to_string())?;
    Ok(engine)
}

/// What Cedar makes of `text` under the engine's schema (see [`cedar_reads`]).
fn cedar_reads_with(engine_schema: &cedar_policy::Schema, text: &str) -> Result<Entities, String> {
    Entities::from_json_str(text, Some(engine_schema)).map_err(|e| message_with_causes(&e))
}

#[test]
fn ids_of_an_enumerated_type_are_checked_as_cedar_checks_them() {
    let schema = enum_engine_reads("[]").unwrap().schema().clone();
    let thing = |color: &str, group: &str| {
        format!(
            r#"{{"uid":{{"type":"Thing","id":"t"}},"attrs":{{"color":{{"type":"Color","id":"{color}"}}}},"parents":[{{"type":"Group","id":"{group}"}}]}}"#
        )
    };
    let cases = [
        format!("[{}]", thing("red", "g")),
        // Not one of the enumeration's ids: refused in Cedar's words.
        format!("[{}]", thing("green", "g")),
        // An enumerated entity given as an entity is refused too.
        format!(
            r#"[{}, {{"uid":{{"type":"Color","id":"green"}},"attrs":{{}},"parents":[]}}]"#,
            thing("blue", "g")
        ),
        format!(
            r#"[{}, {{"uid":{{"type":"Group","id":"g"}},"attrs":{{}},"parents":[]}}]"#,
            thing("blue", "g")
        ),
    ];
    for text in &cases {
        match (cedar_reads_with(&schema, text), enum_engine_reads(text)) {
            (Ok(expected), Ok(engine)) => {
                assert_eq!(engine.entities().len(), expected.len(), "{text}");
                for entity in expected.iter() {
                    let held = engine.entities().get(&entity.uid()).unwrap();
                    assert!(held.as_ref().deep_eq(entity.as_ref()), "{text}");
                }
            }
            (Err(expected), Err(refused)) => assert_eq!(refused, cedar_words(&expected), "{text}"),
            (expected, engine) => panic!(
                "{text}\nCedar: {:?}\nengine: {:?}",
                expected.map(|e| e.len()),
                engine.map(|e| e.entities().len())
            ),
        }
    }
    // The refusal names the entity and the id, not only the kind of fault.
    let refusal = enum_engine_reads(&cases[1]).unwrap_err();
    assert!(
        refusal.contains(r#"`Color::"green"`"#) && refusal.contains("not declared as a valid eid"),
        "{refusal}"
    );
}

/// Duplicate keys, which the engine's JSON reading has always resolved to the last (the
/// `serde_json::Value` Cedar's parser was given): the reader reads the same.
#[test]
fn duplicate_keys_read_as_the_last_one() {
    let text = r#"[{"uid":{"type":"User","id":"u"},"uid":{"type":"User","id":"v"},"parents":[],
        "attrs":{"email":"x@example.com","name":"U","mfaEnabled":true,"passwordCompliant":false,
        "email":"v@example.com","name":"V"}}]"#;
    let mut engine = defaults().clone();
    engine.load_entities_json(text).unwrap();
    let expected = cedar_reads(&serde_json::from_str::<Vec<Value>>(text).unwrap()).unwrap();
    assert_eq!(engine.entities().len(), expected.len());
    let user = expected.iter().find(|e| e.uid().id().unescaped() == "v").unwrap();
    assert!(engine.entities().get(&user.uid()).unwrap().as_ref().deep_eq(user.as_ref()));
}

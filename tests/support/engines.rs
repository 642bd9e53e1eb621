//! What the property tests over random organizations share: the proptest configuration, the
//! default engine, loading a snapshot into a copy of an engine, and the store's entities as
//! requests name them.
#![allow(dead_code)]

use std::sync::OnceLock;

use orgwarden::{Engine, EntityRef, Snapshot};
use proptest::test_runner::Config;

/// `default` cases, or `PROPTEST_CASES` for long rounds; failures are not persisted.
pub fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// The embedded schema and default policies, built once per test binary.
pub fn defaults() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::with_defaults().unwrap())
}

/// A copy of `engine` (its ruleset shared) with `snapshot` loaded; every generated snapshot
/// must load, so a refusal panics with the snapshot.
pub fn loaded_into(engine: &Engine, snapshot: &Snapshot) -> Engine {
    let mut engine = engine.clone();
    if let Err(error) = engine.load_snapshot(snapshot) {
        panic!(
            "a generated snapshot is refused: {error}\n{}",
            serde_json::to_string_pretty(snapshot).unwrap()
        );
    }
    engine
}

/// [`loaded_into`] the default engine.
pub fn loaded(snapshot: &Snapshot) -> Engine {
    loaded_into(defaults(), snapshot)
}

/// Every entity of the store as a reference, the schema's actions left out.
pub fn store_refs(engine: &Engine) -> Vec<EntityRef> {
    engine
        .entities()
        .iter()
        .map(|entity| entity.uid())
        .filter(|uid| uid.type_name().basename() != "Action")
        .map(|uid| EntityRef::new(uid.type_name().to_string(), uid.id().unescaped()))
        .collect()
}

//! Arbitrary bytes as snapshot JSON. A refused snapshot keeps the store (same decisions); an
//! accepted one is the snapshot serde reads from the same text, and the SEC-2 / WS-3 oracles
//! hold for it. Never panics otherwise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orgwarden::Snapshot;
use orgwarden_fuzz::{assert_decision, assert_snapshot_oracles, probe, text, with_shared_engine};

fuzz_target!(|data: &[u8]| {
    let json = text(data);
    with_shared_engine(|engine| {
        let Ok(count) = engine.load_snapshot_json(&json) else {
            // Refused: the store must be as it was (checked before the next input).
            return false;
        };
        let snapshot: Snapshot = serde_json::from_str(&json).expect("an accepted snapshot is a snapshot");
        assert_eq!(engine.entities().iter().count(), count);
        // The typed load of the same snapshot builds the same store.
        let mut typed = orgwarden_fuzz::empty_engine();
        assert_eq!(typed.load_snapshot(&snapshot).expect("the typed load accepts it too"), count);
        assert_eq!(probe(&typed), probe(engine));
        for outcome in probe_all(engine, &snapshot) {
            assert_decision(&outcome);
        }
        assert_snapshot_oracles(engine, &snapshot);
        true
    });
});

/// A few checks on the loaded snapshot's own entities, with and without context.
fn probe_all(engine: &orgwarden::Engine, snapshot: &Snapshot) -> Vec<orgwarden::Decision> {
    let mut out = Vec::new();
    let users = snapshot.users.iter().take(4).map(|u| orgwarden::EntityRef::new("User", &u.id));
    let resources: Vec<_> =
        snapshot.organizations.iter().take(2).flat_map(orgwarden_fuzz::org_resources).take(12).collect();
    for principal in users {
        for resource in &resources {
            for action in ["changeRole", "removeMember", "viewOrganization", "launchCompute", "approveVersion"] {
                out.push(engine.check(&principal, action, resource, None));
                out.push(engine.check(&principal, action, resource, Some(serde_json::json!({ "newRole": "owner" }))));
            }
        }
    }
    out
}

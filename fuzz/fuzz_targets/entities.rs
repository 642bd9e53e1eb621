//! Arbitrary bytes as raw Cedar entities JSON, loaded (replacing the store) or upserted (on
//! top of the seed snapshot) as the first byte says. A refused update keeps the store; an
//! accepted one answers checks without panicking, and every allow is a permitted success.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orgwarden::EntityRef;
use orgwarden_fuzz::{assert_decision, assert_decision_json, text, with_shared_engine};

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else { return };
    let json = text(rest);
    with_shared_engine(|engine| {
        let result = if mode % 2 == 0 { engine.load_entities_json(&json) } else { engine.upsert_entities_json(&json) };
        // Refused: the store must be as it was (checked before the next input).
        let Ok(count) = result else { return false };
        assert_eq!(engine.entities().iter().count(), count);
        // Checks over whatever users, keys and resources the store now holds.
        let uids: Vec<EntityRef> = engine
            .entities()
            .iter()
            .take(64)
            .map(|e| {
                let uid = e.uid();
                EntityRef::new(uid.type_name().to_string(), uid.id().unescaped())
            })
            .collect();
        let principals = uids.iter().filter(|r| r.entity_type == "User" || r.entity_type == "ApiKey").take(6);
        for principal in principals {
            for resource in uids.iter().take(24) {
                if let Ok(outcomes) = engine.allowed_actions(principal, resource) {
                    outcomes.iter().for_each(|o| assert_decision(&o.decision));
                }
            }
        }
        assert_decision_json(&orgwarden::ffi::check_json(
            engine,
            r#"{"principal":{"type":"User","id":"olga"},"action":"viewOrganization","resource":{"type":"Organization","id":"acme"}}"#,
        ));
        true
    });
});

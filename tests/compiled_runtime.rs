//! The compiled runtime's core (feature `compiled-runtime`; scripts/test.sh runs this file with
//! it): one ruleset, built once by the compile step, and every other ruleset refused without
//! parsing anything. The shipped module is tested through the package by the JS suites.
#![cfg(feature = "compiled-runtime")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use orgwarden::engine::preinitialize_with;
use orgwarden::{Engine, EngineOptions, ErrorCode, PolicySource};

const MEMBERS_SEE_BILLING: &str = r#"@id("members-see-billing")
@rule("CUSTOM-1")
@reason("Members see billing here")
permit (principal is User, action == Action::"viewBilling", resource is Organization)
when { principal in resource.members };"#;

fn custom_options() -> EngineOptions {
    EngineOptions {
        policies: vec![PolicySource::new("custom.cedar", MEMBERS_SEE_BILLING)],
        ..EngineOptions::default()
    }
}

// One test: the compiled ruleset is process-wide, as it is module-wide in the wasm build, so
// the steps must run in this order.
#[test]
fn the_compiled_ruleset_is_the_only_one_and_refuses_text() {
    // Before the compile step there is nothing to decide with.
    let error = Engine::with_defaults().err().expect("no ruleset before the compile step");
    assert_eq!(error.code(), ErrorCode::CompiledRuntime);

    // An invalid ruleset is not compiled, and leaves the module uncompiled.
    let invalid = EngineOptions {
        policies: vec![PolicySource::new(
            "bad.cedar",
            "permit (principal, action, resource) when { principal.nope };",
        )],
        ..EngineOptions::default()
    };
    assert_eq!(preinitialize_with(invalid).err().map(|e| e.code()), Some(ErrorCode::InvalidPolicy));

    preinitialize_with(custom_options()).expect("the custom ruleset compiles");

    // The defaults plus the custom policy decide.
    let engine = engine_with(&snapshot());
    let decision = check(&engine, &user("dave"), "viewBilling", &org("acme"));
    assert!(decision.allowed(), "{decision:?}");
    assert!(check(&engine, &user("alice"), "deleteOrganization", &org("acme")).allowed());
    assert!(!check(&engine, &user("dave"), "deleteOrganization", &org("acme")).allowed());
    assert!(engine.policies().iter().any(|p| p.id == "members-see-billing"));

    // Any other options would need the parser: refused, with the command that compiles.
    for options in [
        custom_options(),
        EngineOptions { schema: Some("entity User;".into()), ..EngineOptions::default() },
        EngineOptions { include_default_policies: Some(false), ..EngineOptions::default() },
    ] {
        let error = Engine::new(options).err().expect("text is refused");
        assert_eq!(error.code(), ErrorCode::CompiledRuntime);
        assert!(error.to_string().contains("npx orgwarden compile"), "{error}");
    }

    // Saying what the module was compiled with is no other option.
    let explicit = EngineOptions { include_default_policies: Some(true), ..EngineOptions::default() };
    assert!(Engine::new(explicit).is_ok(), "this module was compiled with the defaults");

    // A module is compiled once.
    let again = preinitialize_with(EngineOptions::default()).err().expect("compiled once");
    assert_eq!(again.code(), ErrorCode::CompiledRuntime);
}

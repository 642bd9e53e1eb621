//! Engines built with equal options share one parsed ruleset while any of them lives, so an
//! authorizer made per request with custom policies costs its store, not a policy set.

use std::sync::Arc;

use orgwarden::{Engine, EngineOptions, PolicySource};

fn with_policy(text: &str) -> EngineOptions {
    EngineOptions {
        policies: vec![PolicySource { name: "custom.cedar".into(), text: text.into() }],
        ..Default::default()
    }
}

const CUSTOM: &str = r#"@id("members-see-usage")
permit (principal is User, action == Action::"viewUsage", resource is Organization)
when { principal in resource.members };"#;

fn same_policies(a: &Engine, b: &Engine) -> bool {
    a.policies().len() == b.policies().len()
        && a.policies().iter().zip(b.policies()).all(|(x, y)| Arc::ptr_eq(x, y))
}

#[test]
fn equal_custom_options_share_one_ruleset() {
    let first = Engine::new(with_policy(CUSTOM)).unwrap();
    let second = Engine::new(with_policy(CUSTOM)).unwrap();
    assert!(same_policies(&first, &second));
}

#[test]
fn different_options_never_share_a_ruleset() {
    let custom = Engine::new(with_policy(CUSTOM)).unwrap();
    let other =
        Engine::new(with_policy(&CUSTOM.replace("members-see-usage", "members-see-usage-2"))).unwrap();
    assert!(!same_policies(&custom, &other));
    assert_eq!(custom.policies().len(), other.policies().len());
    let alone =
        Engine::new(EngineOptions { include_default_policies: Some(false), ..with_policy(CUSTOM) }).unwrap();
    assert_eq!(alone.policies().len(), 1);
    assert!(custom.policies().iter().any(|p| p.id == "members-see-usage"));
    assert!(other.policies().iter().all(|p| p.id != "members-see-usage"));
}

#[test]
fn a_refused_option_set_is_refused_every_time() {
    let broken = with_policy("permit (principal, action resource);");
    assert!(Engine::new(broken.clone()).is_err());
    assert!(Engine::new(broken).is_err());
}

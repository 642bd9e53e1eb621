//! Mutation checks (docs/HARDENING.md): default policy sources with one policy taken out, so
//! that the tests protecting it can be seen to fail. Shared by tests/properties.rs and
//! tests/differential.rs.

use orgwarden::{Engine, EngineOptions, PolicySource};

/// An engine with `sources` as its whole policy set (the defaults as changed by a mutation).
pub fn engine_from(sources: Vec<PolicySource>) -> Engine {
    Engine::new(EngineOptions {
        policies: sources,
        include_default_policies: Some(false),
        ..Default::default()
    })
    .expect("the changed policies build")
}

/// Removes the policy `@id("<id>")` from whichever source holds it; panics on an unknown id.
pub fn remove_policy(sources: &mut [PolicySource], id: &str) {
    let marker = format!("@id(\"{id}\")");
    let source =
        sources.iter_mut().find(|s| s.text.contains(&marker)).unwrap_or_else(|| panic!("no policy {id}"));
    let start = source.text.find(&marker).unwrap();
    // The policy ends at the first `;` outside a string (reasons may contain one).
    let mut in_string = false;
    let mut previous = ' ';
    let end = source.text[start..]
        .char_indices()
        .find(|&(_, c)| {
            if c == '"' && previous != '\\' {
                in_string = !in_string;
            }
            previous = c;
            c == ';' && !in_string
        })
        .map(|(i, _)| start + i + 1)
        .unwrap();
    source.text.replace_range(start..end, "");
}

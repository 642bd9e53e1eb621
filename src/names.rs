//! The names a schema declares, for typed bindings: the package's TypeScript declarations are
//! generated from them (`npx orgwarden types`), so a misspelled action or entity type fails to
//! compile instead of failing a check at run time.

use serde::Serialize;

use crate::engine::Engine;

/// Every entity type and action of an engine's schema.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SchemaListing {
    /// Entity type names, sorted.
    pub entity_types: Vec<String>,
    /// The actions requests may name, sorted by name.
    pub actions: Vec<ActionListing>,
}

/// What one action applies to, and the input `validateAction` needs for it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ActionListing {
    pub name: String,
    /// Sorted: the schema's own sets have no order, and a listing (and the declarations
    /// generated from it) must read the same on every run.
    pub principal_types: Vec<String>,
    /// Sorted, as `principal_types`.
    pub resource_types: Vec<String>,
    /// Fields of `ActionInput` that `validateAction` requires for this action.
    pub required_inputs: Vec<String>,
}

impl Engine {
    pub fn schema_names(&self) -> SchemaListing {
        let mut entity_types: Vec<String> = self.schema().entity_types().map(ToString::to_string).collect();
        entity_types.sort();
        let names = |types: &[cedar_policy::EntityTypeName]| {
            let mut names: Vec<String> = types.iter().map(ToString::to_string).collect();
            names.sort();
            names
        };
        let actions = self
            .catalog()
            .actions()
            .iter()
            .map(|entry| ActionListing {
                name: entry.name.clone(),
                principal_types: names(&entry.principals),
                resource_types: names(&entry.resources),
                required_inputs: crate::actions::required_inputs(&entry.name)
                    .iter()
                    .map(|field| (*field).to_owned())
                    .collect(),
            })
            .collect();
        SchemaListing { entity_types, actions }
    }
}

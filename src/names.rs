//! The names a schema declares, for typed bindings: the package's TypeScript declarations are
//! generated from them (`npx orgwarden types`), so a misspelled action or entity type fails to
//! compile instead of failing a check at run time.

use serde::Serialize;

use crate::engine::Engine;
use crate::snapshot::{OrgRole, WorkspaceRole, API_KEY_SCOPES};

/// Every entity type and action of an engine's schema.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SchemaListing {
    /// Entity type names, sorted.
    pub entity_types: Vec<String>,
    /// The actions requests may name, sorted by name.
    pub actions: Vec<ActionListing>,
    /// The words a snapshot may use, which loading checks it against: what a UI offers in
    /// its role and scope pickers instead of a copy of its own.
    pub snapshot_vocabulary: SnapshotVocabulary,
}

/// The roles and API key scopes a snapshot may name.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SnapshotVocabulary {
    /// Organization roles, strongest first.
    pub org_roles: Vec<String>,
    /// Workspace roles, weakest first; each includes every weaker one (WS-2).
    pub workspace_roles: Vec<String>,
    /// The scopes an API key may hold (KEY-2), each an action group of the embedded schema.
    pub api_key_scopes: Vec<String>,
}

impl SnapshotVocabulary {
    fn of_the_snapshot_format() -> Self {
        Self {
            org_roles: OrgRole::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
            workspace_roles: WorkspaceRole::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
            api_key_scopes: API_KEY_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
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
        SchemaListing {
            entity_types,
            actions,
            snapshot_vocabulary: SnapshotVocabulary::of_the_snapshot_format(),
        }
    }
}

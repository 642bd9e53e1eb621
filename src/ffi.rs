//! The boundary calls, typed and as JSON twins. Every answer is tagged (`{"type":"success",..}`
//! or `{"type":"failure","errors":[..]}`) and none of these functions fails: the wasm layer
//! only converts values, and native tests drive the same calls through the JSON twins.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::actions::{ActionRequest, ActionValidation};
use crate::engine::{ActionOutcome, Decision, Engine, EngineOptions, EntityRef, Matrix};
use crate::error::{Error, ErrorInfo, Result};
use crate::limits::parse_json;
use crate::policies::PolicyInfo;
use crate::snapshot::OrganizationRecord;

/// A tagged answer: the value of a success, or why it failed.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub enum Answer<T> {
    Success(T),
    Failure { errors: Vec<ErrorInfo> },
}

impl<T> From<Result<T>> for Answer<T> {
    fn from(result: Result<T>) -> Self {
        match result {
            Ok(value) => Self::Success(value),
            Err(error) => Self::Failure { errors: vec![ErrorInfo::from(error)] },
        }
    }
}

/// The store after a load, upsert or removal.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Loaded {
    /// Entities in the store, the schema's action entities included.
    pub entity_count: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct AllowedActions {
    /// The names of the allowed actions.
    pub allowed: Vec<String>,
    /// Every applicable action with its decision, allowed or not.
    pub outcomes: Vec<ActionOutcome>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct PolicyList {
    pub policies: Vec<PolicyInfo>,
}

pub type LoadAnswer = Answer<Loaded>;
pub type AllowedActionsAnswer = Answer<AllowedActions>;
pub type MatrixAnswer = Answer<Matrix>;
pub type PolicyListAnswer = Answer<PolicyList>;

pub fn loaded(result: Result<usize>) -> LoadAnswer {
    result.map(|entity_count| Loaded { entity_count }).into()
}

pub fn allowed_actions(engine: &Engine, principal: &EntityRef, resource: &EntityRef) -> AllowedActionsAnswer {
    engine
        .allowed_actions(principal, resource)
        .map(|outcomes| AllowedActions {
            allowed: outcomes.iter().filter(|o| o.decision.allowed()).map(|o| o.action.clone()).collect(),
            outcomes,
        })
        .into()
}

pub fn matrix(
    engine: &Engine,
    principal: &EntityRef,
    resources: &[EntityRef],
    actions: &[String],
) -> MatrixAnswer {
    engine.matrix(principal, resources, actions).into()
}

/// Builds a policy set (defaults, custom sources, schema) without keeping it: the policies
/// with their annotations, or Cedar's diagnostics with source locations.
pub fn validate_policies(options: EngineOptions) -> PolicyListAnswer {
    match Engine::new(options) {
        Ok(engine) => Answer::Success(PolicyList {
            policies: engine.policies().iter().map(|p| PolicyInfo::clone(p)).collect(),
        }),
        Err(error) => Answer::Failure { errors: vec![ErrorInfo::from(error)] },
    }
}

/// A new organization whose creator is its first owner (ORG-1).
pub fn new_organization(id: &str, name: &str, creator: &str) -> OrganizationRecord {
    OrganizationRecord::new_with_creator(id, name, creator)
}

// ---- JSON twins -----------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckCall {
    principal: EntityRef,
    action: String,
    resource: EntityRef,
    #[serde(default)]
    context: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PairCall {
    principal: EntityRef,
    resource: EntityRef,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixCall {
    principal: EntityRef,
    resources: Vec<EntityRef>,
    actions: Vec<String>,
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        format!(
            r#"{{"type":"failure","allowed":false,"errors":[{{"code":"INVALID_JSON","message":{}}}]}}"#,
            Value::String(format!("the answer could not be serialized: {e}"))
        )
    })
}

fn failure_json(error: Error) -> String {
    to_json(&Answer::<()>::Failure { errors: vec![ErrorInfo::from(error)] })
}

/// `{"principal":{..},"action":"..","resource":{..},"context":{..}?}` -> a tagged `Decision`.
pub fn check_json(engine: &Engine, call: &str) -> String {
    let decision = match parse_json::<CheckCall>("check call", call) {
        Ok(call) => engine.check(&call.principal, &call.action, &call.resource, call.context),
        Err(error) => Decision::from(error),
    };
    to_json(&decision)
}

pub fn load_snapshot_json(engine: &mut Engine, snapshot: &str) -> String {
    to_json(&loaded(engine.load_snapshot_json(snapshot)))
}

pub fn load_entities_json(engine: &mut Engine, entities: &str) -> String {
    to_json(&loaded(engine.load_entities_json(entities)))
}

pub fn upsert_entities_json(engine: &mut Engine, entities: &str) -> String {
    to_json(&loaded(engine.upsert_entities_json(entities)))
}

/// `[{"type":..,"id":..}, ..]` -> a tagged load answer.
pub fn remove_entities_json(engine: &mut Engine, refs: &str) -> String {
    let result = parse_json::<Vec<EntityRef>>("entity references", refs)
        .and_then(|refs| engine.remove_entities(&refs));
    to_json(&loaded(result))
}

/// `{"principal":{..},"resource":{..}}` -> a tagged list of actions.
pub fn allowed_actions_json(engine: &Engine, call: &str) -> String {
    match parse_json::<PairCall>("allowed-actions call", call) {
        Ok(call) => to_json(&allowed_actions(engine, &call.principal, &call.resource)),
        Err(error) => failure_json(error),
    }
}

/// `{"principal":{..},"resources":[..],"actions":[..]}` -> a tagged matrix.
pub fn matrix_json(engine: &Engine, call: &str) -> String {
    match parse_json::<MatrixCall>("matrix call", call) {
        Ok(call) => to_json(&matrix(engine, &call.principal, &call.resources, &call.actions)),
        Err(error) => failure_json(error),
    }
}

/// An `ActionRequest` -> an `ActionValidation` (malformed input is a violation).
pub fn validate_action_json(engine: &Engine, request: &str) -> String {
    match parse_json::<ActionRequest>("action request", request) {
        Ok(request) => to_json(&engine.validate_action(&request)),
        Err(error) => to_json(&ActionValidation::refused(error)),
    }
}

/// `EngineOptions` JSON -> a tagged policy list or diagnostics.
pub fn validate_policies_json(options: &str) -> String {
    match parse_json::<EngineOptions>("engine options", options) {
        Ok(options) => to_json(&validate_policies(options)),
        Err(error) => failure_json(error),
    }
}

/// `EngineOptions` JSON -> an engine, or the reason it cannot be built.
pub fn new_engine_json(options: &str) -> std::result::Result<Engine, ErrorInfo> {
    parse_json::<EngineOptions>("engine options", options).and_then(Engine::new).map_err(ErrorInfo::from)
}

pub fn default_policy_sources_json() -> String {
    to_json(&crate::policies::default_policy_sources())
}

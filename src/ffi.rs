//! The boundary calls: the one adapter between callers that speak JSON text (the wasm layer,
//! native callers of the JSON twins) and the engine. Each call reads its input under the size
//! and depth limits and gives one typed, tagged answer (`{"type":"success",..}` or
//! `{"type":"failure","errors":[..]}`); none of them fails or panics. `src/wasm.rs` only turns
//! JS values into the arguments here and the answers into JS values; the `*_json` twins give
//! the same answers as JSON text, for native callers and tests.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::actions::{ActionRequest, ActionValidation};
use crate::engine::{
    ActionOutcome, Decision, Engine, EngineOptions, EntityRef, Matrix, SnapshotRequirements,
};
use crate::error::{Diagnostic, Error, ErrorInfo, Result};
use crate::limits::{
    check_size, parse_json, JsonShape, Limits, DATA_JSON, MAX_NAME_BYTES, OPTIONS_JSON, REQUEST_JSON,
};
use crate::objects_only::ObjectsOnly;
use crate::policies::{PolicyInfo, PolicySource};
use crate::snapshot::{
    check_snapshot, scope, split_organizations as split_organizations_of, OrganizationRecord, Snapshot,
};

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

/// The resources of one type on which a principal may do one action.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct AllowedResources {
    /// The ids of the allowed resources, sorted.
    pub resources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct PolicyList {
    pub policies: Vec<PolicyInfo>,
    /// Cedar's validator warnings on the caller's policies, located like errors: a policy that
    /// can never apply, an identifier that looks like another. They do not refuse the set.
    pub warnings: Vec<Diagnostic>,
}

/// A snapshot cut down for one user (see [`crate::snapshot::scope`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ScopedSnapshot {
    pub snapshot: Snapshot,
}

/// A snapshot split per organization (see [`crate::snapshot::split_organizations`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SplitOrganizations {
    /// One per organization, in the snapshot's order.
    pub organizations: Vec<OrganizationSnapshot>,
}

/// One organization with the users it references: what one key of a multi-tenant store holds.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct OrganizationSnapshot {
    pub org_id: String,
    pub snapshot: Snapshot,
}

pub type LoadAnswer = Answer<Loaded>;
pub type AllowedActionsAnswer = Answer<AllowedActions>;
pub type AllowedResourcesAnswer = Answer<AllowedResources>;
pub type MatrixAnswer = Answer<Matrix>;
pub type PolicyListAnswer = Answer<PolicyList>;
pub type ScopeAnswer = Answer<ScopedSnapshot>;
pub type SplitAnswer = Answer<SplitOrganizations>;

pub fn loaded(result: Result<usize>) -> LoadAnswer {
    result.map(|entity_count| Loaded { entity_count }).into()
}

/// `EngineOptions` JSON (or none, for the embedded defaults) -> an engine, or why not.
pub fn new_engine(options: Option<&str>) -> std::result::Result<Engine, ErrorInfo> {
    options
        .map_or(Ok(EngineOptions::default()), engine_options)
        .and_then(Engine::new)
        .map_err(ErrorInfo::from)
}

/// Engine options from their JSON text (see [`parse_object`]).
pub(crate) fn engine_options(text: &str) -> Result<EngineOptions> {
    parse_object("engine options", text, OPTIONS_JSON)
}

/// A request's object from JSON text. Text that is not JSON is `INVALID_JSON`; JSON of the
/// wrong shape is a request error. Only objects are read, at every depth (`ObjectsOnly`):
/// serde would read a struct from an array by position, so options `[null, [...], false]`
/// would silently build an engine without the default policies.
fn parse_object<T: serde::de::DeserializeOwned>(what: &str, text: &str, shape: JsonShape) -> Result<T> {
    let value = parse_json::<Value>(what, text, shape)?;
    if !value.is_object() {
        return Err(Error::InvalidRequest(format!("{what} must be an object")));
    }
    T::deserialize(ObjectsOnly(value)).map_err(|e| Error::InvalidRequest(format!("{what}: {e}")))
}

pub fn load_snapshot(engine: &mut Engine, snapshot: &str) -> LoadAnswer {
    loaded(engine.load_snapshot_json(snapshot))
}

/// [`load_snapshot`] with a caller's requirements (an entity budget, the one organization it
/// must describe), refused before anything is built.
pub fn load_snapshot_within(
    engine: &mut Engine,
    snapshot: &str,
    requirements: &SnapshotRequirements,
) -> LoadAnswer {
    loaded(engine.load_snapshot_json_within(snapshot, requirements))
}

pub fn load_entities(engine: &mut Engine, entities: &str) -> LoadAnswer {
    loaded(engine.load_entities_json(entities))
}

pub fn upsert_entities(engine: &mut Engine, entities: &str) -> LoadAnswer {
    loaded(engine.upsert_entities_json(entities))
}

/// [`upsert_entities`] into a store that serves `organization` alone (see
/// [`Engine::upsert_entities_json_within`]).
pub fn upsert_entities_within(engine: &mut Engine, entities: &str, organization: Option<&str>) -> LoadAnswer {
    loaded(engine.upsert_entities_json_within(entities, organization))
}

/// `[{"type":..,"id":..}, ..]` -> the store after removing them (none, if one is unknown).
pub fn remove_entities(engine: &mut Engine, refs: &str) -> LoadAnswer {
    loaded(
        parse_json::<Vec<EntityRef>>("entity references", refs, DATA_JSON)
            .and_then(|refs| engine.remove_entities(&refs)),
    )
}

/// A check whose context, if any, is JSON text. Never fails: a problem is a denying failure.
pub fn check(
    engine: &Engine,
    principal: &EntityRef,
    action: &str,
    resource: &EntityRef,
    context: Option<&str>,
) -> Decision {
    let context =
        check_names(&[&principal.entity_type, &principal.id, action, &resource.entity_type, &resource.id])
            .and_then(|()| {
                context.map(|text| parse_json::<Value>("context", text, REQUEST_JSON)).transpose()
            });
    match context {
        Ok(context) => engine.check(principal, action, resource, context),
        Err(error) => Decision::from(error),
    }
}

/// Names handed over as strings on their own (types, ids, actions) are bounded like JSON text.
fn check_names(names: &[&str]) -> Result<()> {
    names.iter().try_for_each(|name| check_size("a name in bytes", name.len(), MAX_NAME_BYTES))
}

pub fn allowed_actions(engine: &Engine, principal: &EntityRef, resource: &EntityRef) -> AllowedActionsAnswer {
    check_names(&[&principal.entity_type, &principal.id, &resource.entity_type, &resource.id])
        .and_then(|()| engine.allowed_actions(principal, resource))
        .map(|outcomes| AllowedActions {
            allowed: outcomes.iter().filter(|o| o.decision.allowed()).map(|o| o.action.clone()).collect(),
            outcomes,
        })
        .into()
}

/// The ids of the resources of `resource_type` in the store on which `principal` may do
/// `action`, sorted; refused with the codes `check` gives for the same names.
pub fn allowed_resources(
    engine: &Engine,
    principal: &EntityRef,
    action: &str,
    resource_type: &str,
) -> AllowedResourcesAnswer {
    check_names(&[&principal.entity_type, &principal.id, action, resource_type])
        .and_then(|()| engine.allowed_resources(principal, action, resource_type))
        .map(|resources| AllowedResources { resources })
        .into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixCall {
    principal: EntityRef,
    resources: Vec<EntityRef>,
    actions: Vec<String>,
}

/// `{"principal":{..},"resources":[..],"actions":[..]}` -> a tagged matrix.
pub fn matrix(engine: &Engine, call: &str) -> MatrixAnswer {
    parse_json::<MatrixCall>("matrix call", call, DATA_JSON)
        .and_then(|call| engine.matrix(&call.principal, &call.resources, &call.actions))
        .into()
}

/// An `ActionRequest` as JSON -> an `ActionValidation` (malformed input is a violation).
pub fn validate_action(engine: &Engine, request: &str) -> ActionValidation {
    match parse_object::<ActionRequest>("action request", request, REQUEST_JSON) {
        Ok(request) => engine.validate_action(&request),
        Err(error) => ActionValidation::refused(error),
    }
}

/// `EngineOptions` JSON -> the policies of the set they build (without keeping it), or
/// Cedar's diagnostics with source locations.
pub fn validate_policies(options: &str) -> PolicyListAnswer {
    new_engine(Some(options))
        .map(|engine| PolicyList {
            policies: engine.policies().iter().map(|p| PolicyInfo::clone(p)).collect(),
            warnings: engine.policy_warnings().to_vec(),
        })
        .map_or_else(|error| Answer::Failure { errors: vec![error] }, Answer::Success)
}

/// Snapshot JSON -> the snapshot for `principal` (a `User`): what that user's decisions read
/// and they may view, decided and checked with `engine`'s schema and policies. The engine's
/// store is neither read nor changed.
pub fn scope_snapshot(engine: &Engine, snapshot: &str, principal: &EntityRef) -> ScopeAnswer {
    check_names(&[&principal.entity_type, &principal.id])
        .and_then(|()| match principal.entity_type.as_str() {
            "User" => Snapshot::from_json(snapshot),
            other => Err(Error::InvalidRequest(format!("a snapshot is scoped for a User, not a {other}"))),
        })
        .and_then(|full| scope::scope_snapshot(engine, &full, &principal.id))
        .map(|snapshot| ScopedSnapshot { snapshot })
        .into()
}

/// A checked snapshot split per organization, each with the users it references (see
/// [`crate::snapshot::split_organizations`]).
pub fn split_organizations(snapshot: &str) -> SplitAnswer {
    Snapshot::from_json(snapshot)
        .and_then(|full| check_snapshot(&full).map(|()| full))
        .map(|full| SplitOrganizations {
            organizations: split_organizations_of(&full)
                .into_iter()
                .map(|snapshot| OrganizationSnapshot {
                    org_id: snapshot.organizations.first().map(|o| o.id.clone()).unwrap_or_default(),
                    snapshot,
                })
                .collect(),
        })
        .into()
}

/// A new organization whose creator is its first owner (ORG-1).
pub fn new_organization(id: &str, name: &str, creator: &str) -> OrganizationRecord {
    OrganizationRecord::new_with_creator(id, name, creator)
}

pub fn default_policy_sources() -> Vec<PolicySource> {
    crate::policies::default_policy_sources()
}

/// The input limits a caller checks before handing anything over (see [`Limits`]).
pub fn limits() -> Limits {
    Limits::current()
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
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AllowedResourcesCall {
    principal: EntityRef,
    action: String,
    resource_type: String,
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
    let decision = match parse_json::<CheckCall>("check call", call, REQUEST_JSON) {
        Ok(call) => engine.check(&call.principal, &call.action, &call.resource, call.context),
        Err(error) => Decision::from(error),
    };
    to_json(&decision)
}

pub fn load_snapshot_json(engine: &mut Engine, snapshot: &str) -> String {
    to_json(&load_snapshot(engine, snapshot))
}

pub fn load_entities_json(engine: &mut Engine, entities: &str) -> String {
    to_json(&load_entities(engine, entities))
}

pub fn upsert_entities_json(engine: &mut Engine, entities: &str) -> String {
    to_json(&upsert_entities(engine, entities))
}

pub fn remove_entities_json(engine: &mut Engine, refs: &str) -> String {
    to_json(&remove_entities(engine, refs))
}

/// `{"principal":{..},"resource":{..}}` -> a tagged list of actions.
pub fn allowed_actions_json(engine: &Engine, call: &str) -> String {
    match parse_json::<PairCall>("allowed-actions call", call, REQUEST_JSON) {
        Ok(call) => to_json(&allowed_actions(engine, &call.principal, &call.resource)),
        Err(error) => failure_json(error),
    }
}

/// `{"principal":{..},"action":"..","resourceType":".."}` -> a tagged list of resource ids.
pub fn allowed_resources_json(engine: &Engine, call: &str) -> String {
    match parse_json::<AllowedResourcesCall>("allowed-resources call", call, REQUEST_JSON) {
        Ok(call) => to_json(&allowed_resources(engine, &call.principal, &call.action, &call.resource_type)),
        Err(error) => failure_json(error),
    }
}

pub fn matrix_json(engine: &Engine, call: &str) -> String {
    to_json(&matrix(engine, call))
}

pub fn validate_action_json(engine: &Engine, request: &str) -> String {
    to_json(&validate_action(engine, request))
}

pub fn scope_snapshot_json(engine: &Engine, snapshot: &str, principal: &EntityRef) -> String {
    to_json(&scope_snapshot(engine, snapshot, principal))
}

pub fn split_organizations_json(snapshot: &str) -> String {
    to_json(&split_organizations(snapshot))
}

pub fn validate_policies_json(options: &str) -> String {
    to_json(&validate_policies(options))
}

/// `EngineOptions` JSON -> an engine, or the reason it cannot be built.
pub fn new_engine_json(options: &str) -> std::result::Result<Engine, ErrorInfo> {
    new_engine(Some(options))
}

pub fn default_policy_sources_json() -> String {
    to_json(&default_policy_sources())
}

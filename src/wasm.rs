//! The JavaScript face of the engine: a thin `wasm-bindgen` layer over [`crate::ffi`] that only
//! converts values. Nothing here throws except the constructor on invalid options, and nothing
//! here can panic into JavaScript.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::actions::{ActionRequest, ActionValidation};
use crate::engine::{Decision, Engine, EngineOptions, EntityRef};
use crate::error::{Error, ErrorInfo};
use crate::ffi;
use crate::limits::parse_json;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of the Authorizer constructor and of validatePolicies. */
export type AuthorizerOptions = EngineOptions;
/** The answer of loadSnapshot, loadEntities, upsertEntities and removeEntities. */
export type LoadAnswer = Answer<Loaded>;
/** The answer of allowedActions. */
export type AllowedActionsAnswer = Answer<AllowedActions>;
/** The answer of matrix. */
export type MatrixAnswer = Answer<Matrix>;
/** The answer of validatePolicies. */
export type PolicyListAnswer = Answer<PolicyList>;
/** One Cedar entity in Cedar's entities JSON format. */
export interface CedarEntity {
  uid: { type: string; id: string } | { __entity: { type: string; id: string } };
  attrs?: Record<string, unknown>;
  parents?: Array<{ type: string; id: string } | { __entity: { type: string; id: string } }>;
  tags?: Record<string, unknown>;
}
/** What the Authorizer constructor throws on invalid options. */
export interface OrgwardenError extends Error {
  name: "OrgwardenError";
  code: ErrorCode;
  diagnostics: Diagnostic[];
}
"#;

#[wasm_bindgen]
extern "C" {
    /// A request context: optional arguments typed as such in the declarations.
    #[wasm_bindgen(typescript_type = "Record<string, unknown>")]
    pub type ContextObject;

    #[wasm_bindgen(typescript_type = "AuthorizerOptions")]
    pub type OptionsObject;
}

/// Plain JS objects (not `Map`s) with `null` for `None`: what `JSON.parse` would give.
fn to_js<T: Serialize>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or_else(|e| {
        let failure = ffi::Answer::<()>::Failure {
            errors: vec![ErrorInfo::from(Error::InvalidJson(format!(
                "the answer could not be converted: {e}"
            )))],
        };
        failure.serialize(&serializer).unwrap_or(JsValue::NULL)
    })
}

#[wasm_bindgen]
extern "C" {
    /// The host's `TextEncoder` (every browser, Node, Deno and workerd has one).
    type TextEncoder;

    #[wasm_bindgen(catch, constructor)]
    fn new() -> Result<TextEncoder, JsValue>;

    #[wasm_bindgen(catch, method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> Result<js_sys::Uint8Array, JsValue>;
}

/// JS value -> JSON text, so that large inputs are parsed by serde_json under the size and
/// depth limits, and strings are taken as JSON text as they are.
fn json_text(value: &JsValue, what: &str) -> Result<String, Error> {
    let text =
        if value.is_string() { Ok(value.clone()) } else { js_sys::JSON::stringify(value).map(JsValue::from) };
    text.ok()
        .filter(JsValue::is_string)
        .and_then(|text| rust_string(&text))
        .ok_or_else(|| Error::InvalidJson(format!("{what} is not JSON-serializable")))
}

/// A JS string as UTF-8, encoded by the host's `TextEncoder`, which is native code. The string
/// glue of wasm-bindgen copies a string in a JS loop: 2 to 3 ms of a cold start for a 70 KB
/// snapshot, against 0.1 ms. Both replace a lone surrogate with U+FFFD.
fn rust_string(text: &JsValue) -> Option<String> {
    match TextEncoder::new().and_then(|encoder| encoder.encode(text)) {
        Ok(bytes) => String::from_utf8(bytes.to_vec()).ok(),
        Err(_) => text.as_string(),
    }
}

fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, Error> {
    parse_json(what, &json_text(value, what)?)
}

/// `{type, id}` read straight off the object: the hot path of every check.
fn entity_ref(value: &JsValue, what: &str) -> Result<EntityRef, Error> {
    let field =
        |name: &str| js_sys::Reflect::get(value, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
    match (value.is_object(), field("type"), field("id")) {
        (true, Some(entity_type), Some(id)) => Ok(EntityRef { entity_type, id }),
        _ => Err(Error::InvalidRequest(format!("{what} must be an object {{ type: string, id: string }}"))),
    }
}

fn optional_context(value: &JsValue) -> Result<Option<serde_json::Value>, Error> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        from_js(value, "context").map(Some)
    }
}

fn constructor_error(info: ErrorInfo) -> JsValue {
    let error = js_sys::Error::new(&info.message);
    error.set_name("OrgwardenError");
    let object: &JsValue = error.as_ref();
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(object, &"code".into(), &JsValue::from_str(info.code.as_str()));
    let _ = js_sys::Reflect::set(object, &"diagnostics".into(), &to_js(&info.diagnostics));
    error.into()
}

/// An authorizer: a policy set, a schema and an entity store, held inside WebAssembly.
#[wasm_bindgen]
pub struct Authorizer {
    engine: Engine,
}

#[wasm_bindgen]
impl Authorizer {
    /// The embedded default policies and schema unless `options` says otherwise. Throws an
    /// `OrgwardenError` (with `code` and Cedar's `diagnostics`) on invalid options or policies.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<OptionsObject>) -> Result<Authorizer, JsValue> {
        let options = match options.map(JsValue::from).filter(|o| !o.is_undefined() && !o.is_null()) {
            None => Ok(EngineOptions::default()),
            Some(value) => from_js::<EngineOptions>(&value, "options"),
        };
        options
            .and_then(Engine::new)
            .map(|engine| Authorizer { engine })
            .map_err(|e| constructor_error(ErrorInfo::from(e)))
    }

    /// Replaces the entity store with the entities of an organization snapshot (an object or
    /// its JSON text).
    #[wasm_bindgen(js_name = loadSnapshot, unchecked_return_type = "LoadAnswer")]
    pub fn load_snapshot(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Snapshot | string")] snapshot: JsValue,
    ) -> JsValue {
        self.update_store(&snapshot, "snapshot", Engine::load_snapshot_json)
    }

    /// Replaces the entity store with raw Cedar entities (an array or its JSON text).
    #[wasm_bindgen(js_name = loadEntities, unchecked_return_type = "LoadAnswer")]
    pub fn load_entities(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "CedarEntity[] | string")] entities: JsValue,
    ) -> JsValue {
        self.update_store(&entities, "entities", Engine::load_entities_json)
    }

    /// Adds or replaces the given Cedar entities, keeping the rest of the store.
    #[wasm_bindgen(js_name = upsertEntities, unchecked_return_type = "LoadAnswer")]
    pub fn upsert_entities(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "CedarEntity[] | string")] entities: JsValue,
    ) -> JsValue {
        self.update_store(&entities, "entities", Engine::upsert_entities_json)
    }

    /// Removes the given entities; if one does not exist, removes none.
    #[wasm_bindgen(js_name = removeEntities, unchecked_return_type = "LoadAnswer")]
    pub fn remove_entities(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "EntityRef[]")] refs: JsValue,
    ) -> JsValue {
        let result = from_js::<Vec<EntityRef>>(&refs, "entity references")
            .and_then(|refs| self.engine.remove_entities(&refs));
        to_js(&ffi::loaded(result))
    }

    /// May `principal` do `action` on `resource`? Never throws: a failure is a deny.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EntityRef")] principal: JsValue,
        action: &str,
        #[wasm_bindgen(unchecked_param_type = "EntityRef")] resource: JsValue,
        context: Option<ContextObject>,
    ) -> JsValue {
        to_js(&self.decide(&principal, action, &resource, context.map(JsValue::from).as_ref()))
    }

    /// `check(...).allowed` without building the decision object, for hot paths.
    #[wasm_bindgen(js_name = isAllowed)]
    pub fn is_allowed(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EntityRef")] principal: JsValue,
        action: &str,
        #[wasm_bindgen(unchecked_param_type = "EntityRef")] resource: JsValue,
        context: Option<ContextObject>,
    ) -> bool {
        self.decide(&principal, action, &resource, context.map(JsValue::from).as_ref()).allowed()
    }

    /// Every action that applies to this principal and resource, with its decision.
    #[wasm_bindgen(js_name = allowedActions, unchecked_return_type = "AllowedActionsAnswer")]
    pub fn allowed_actions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EntityRef")] principal: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EntityRef")] resource: JsValue,
    ) -> JsValue {
        let answer = match (entity_ref(&principal, "principal"), entity_ref(&resource, "resource")) {
            (Ok(p), Ok(r)) => ffi::allowed_actions(&self.engine, &p, &r),
            (Err(e), _) | (_, Err(e)) => ffi::Answer::from(Err(e)),
        };
        to_js(&answer)
    }

    /// A decision for each resource x action, in one call.
    #[wasm_bindgen(unchecked_return_type = "MatrixAnswer")]
    pub fn matrix(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EntityRef")] principal: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EntityRef[]")] resources: JsValue,
        actions: Vec<String>,
    ) -> JsValue {
        let answer = entity_ref(&principal, "principal")
            .and_then(|p| Ok((p, from_js::<Vec<EntityRef>>(&resources, "resources")?)))
            .and_then(|(p, resources)| self.engine.matrix(&p, &resources, &actions));
        to_js(&ffi::Answer::from(answer))
    }

    /// Is this concrete organization action valid now? Builds the request context from the
    /// input and the store; violations carry codes and rule ids.
    #[wasm_bindgen(js_name = validateAction, unchecked_return_type = "ActionValidation")]
    pub fn validate_action(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ActionRequest")] request: JsValue,
    ) -> JsValue {
        let validation = match from_js::<ActionRequest>(&request, "action request") {
            Ok(request) => self.engine.validate_action(&request),
            Err(error) => ActionValidation::refused(error),
        };
        to_js(&validation)
    }

    /// Every policy in the set with its id, rule, reason and effect, in source order.
    #[wasm_bindgen(unchecked_return_type = "PolicyInfo[]")]
    pub fn policies(&self) -> JsValue {
        to_js(&self.engine.policies())
    }

    /// The Cedar texts the policy set was built from.
    #[wasm_bindgen(js_name = policySources, unchecked_return_type = "PolicySource[]")]
    pub fn policy_sources(&self) -> JsValue {
        to_js(&self.engine.policy_sources())
    }

    /// The schema in Cedar schema syntax.
    #[wasm_bindgen(js_name = schemaText)]
    pub fn schema_text(&self) -> String {
        self.engine.schema_text().to_owned()
    }

    /// Entities in the store, the schema's action entities included.
    #[wasm_bindgen(js_name = entityCount)]
    pub fn entity_count(&self) -> usize {
        self.engine.entities().len()
    }

    /// Feeds a JSON input (object or text) to one of the engine's store updates.
    fn update_store(
        &mut self,
        input: &JsValue,
        what: &str,
        update: fn(&mut Engine, &str) -> Result<usize, Error>,
    ) -> JsValue {
        let result = json_text(input, what).and_then(|text| update(&mut self.engine, &text));
        to_js(&ffi::loaded(result))
    }

    fn decide(
        &self,
        principal: &JsValue,
        action: &str,
        resource: &JsValue,
        context: Option<&JsValue>,
    ) -> Decision {
        let parts = entity_ref(principal, "principal").and_then(|p| {
            let r = entity_ref(resource, "resource")?;
            Ok((p, r, context.map_or(Ok(None), optional_context)?))
        });
        match parts {
            Ok((p, r, context)) => self.engine.check(&p, action, &r, context),
            Err(error) => Decision::from(error),
        }
    }
}

/// Builds a policy set without keeping it: its policies, or Cedar's diagnostics with source
/// locations. Never throws.
#[wasm_bindgen(js_name = validatePolicies, unchecked_return_type = "PolicyListAnswer")]
pub fn validate_policies(
    #[wasm_bindgen(unchecked_param_type = "AuthorizerOptions")] options: JsValue,
) -> JsValue {
    match from_js::<EngineOptions>(&options, "options") {
        Ok(options) => to_js(&ffi::validate_policies(options)),
        Err(error) => to_js(&ffi::Answer::<()>::from(Err(error))),
    }
}

/// The embedded default policy files.
#[wasm_bindgen(js_name = defaultPolicySources, unchecked_return_type = "PolicySource[]")]
pub fn default_policy_sources() -> JsValue {
    to_js(&crate::policies::default_policy_sources())
}

/// The embedded schema, in Cedar schema syntax.
#[wasm_bindgen(js_name = defaultSchema)]
pub fn default_schema() -> String {
    crate::policies::DEFAULT_SCHEMA.to_owned()
}

/// A new organization record whose creator is its first owner (ORG-1).
#[wasm_bindgen(js_name = newOrganization, unchecked_return_type = "OrganizationRecord")]
pub fn new_organization(id: &str, name: &str, creator: &str) -> JsValue {
    to_js(&ffi::new_organization(id, name, creator))
}

/// The id of the `Membership` entity of `user` in `org`, the resource of changeRole and
/// removeMember.
#[wasm_bindgen(js_name = membershipId)]
pub fn membership_id(org: &str, user: &str) -> String {
    crate::snapshot::membership_id(org, user)
}

/// Builds the default ruleset and everything lazily built with it (see
/// [`crate::engine::preinitialize`]). Not part of the JS API: the package's build calls it on
/// a throwaway instance, stores the memory it leaves as the module's initial memory and
/// removes this export (scripts/preinitialize.mjs). Returns 1 when everything was built.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn orgwarden_preinitialize() -> u32 {
    u32::from(crate::engine::preinitialize().is_ok())
}

//! The raw WebAssembly face of the engine, for the package's JS layer (`pkg/lib/`) only: that
//! layer checks every argument's JS type and size before anything crosses, then calls these
//! exports with strings and UTF-8 bytes alone. This file only converts values: bytes to text,
//! [`crate::ffi`]'s typed answers to JSON text, which the JS layer parses once the call has
//! returned.
//!
//! Nothing here throws into JavaScript and nothing calls back into a caller's code: a throw
//! that unwinds past Rust frames leaves the module's stack pointer where it was (every later
//! call then runs on a shrinking stack), and a getter, setter or Proxy trap running while Rust
//! holds an engine borrowed could re-enter it. That is also why answers cross as text: an
//! object built from inside the call runs, for each field it sets, any setter a page has put
//! on `Object.prototype`, while `JSON.parse` in the JS layer defines the fields without them
//! and after the call. The constructor's `Err` is returned, not thrown from Rust: the
//! generated glue throws it in JS after the call has returned.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::engine::{Engine, EntityRef, SnapshotRequirements};
use crate::error::{Error, ErrorInfo};
use crate::ffi;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of the Authorizer constructor and of validatePolicies. */
export type AuthorizerOptions = EngineOptions;
/** The answer of loadSnapshot, loadEntities, upsertEntities and removeEntities. */
export type LoadAnswer = Answer<Loaded>;
/** The answer of allowedActions. */
export type AllowedActionsAnswer = Answer<AllowedActions>;
/** The answer of allowedResources. */
export type AllowedResourcesAnswer = Answer<AllowedResources>;
/** The answer of matrix. */
export type MatrixAnswer = Answer<Matrix>;
/** The answer of validatePolicies. */
export type PolicyListAnswer = Answer<PolicyList>;
/** The answer of scopeSnapshot. */
export type ScopeAnswer = Answer<ScopedSnapshot>;
/** The answer of splitOrganizations. */
export type SplitAnswer = Answer<SplitOrganizations>;
/** One Cedar entity in Cedar's entities JSON format. */
export interface CedarEntity {
  uid: { type: string; id: string } | { __entity: { type: string; id: string } };
  attrs?: Record<string, unknown>;
  parents?: Array<{ type: string; id: string } | { __entity: { type: string; id: string } }>;
  tags?: Record<string, unknown>;
}
"#;

/// Room for a check's answer (about 400 bytes) without the buffer growing on the way.
const ANSWER_CAPACITY: usize = 1024;

/// An answer as JSON text, for the JS layer to parse after the call.
fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = Vec::with_capacity(ANSWER_CAPACITY);
    let written = serde_json::to_writer(&mut text, value).map_err(|e| e.to_string());
    written.and_then(|()| String::from_utf8(text).map_err(|e| e.to_string())).unwrap_or_else(|e| {
        let failure = ffi::Answer::<()>::Failure {
            errors: vec![ErrorInfo::from(Error::InvalidJson(format!(
                "the answer could not be converted: {e}"
            )))],
        };
        serde_json::to_string(&failure).unwrap_or_else(|_| "null".to_owned())
    })
}

/// JSON text handed over as UTF-8 bytes (the JS layer encodes it with its own `TextEncoder`
/// and has checked its size), or why it is not text.
fn text<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, Error> {
    std::str::from_utf8(bytes).map_err(|e| Error::InvalidJson(format!("{what} is not UTF-8: {e}")))
}

/// A failure answer for input that is not even text.
fn refused(error: Error) -> String {
    to_json(&ffi::Answer::<()>::from(Err(error)))
}

/// A call on JSON text handed over as UTF-8 bytes: `call`'s tagged answer, or the refusal of
/// bytes that are not text.
fn on_text<T: Serialize>(bytes: &[u8], what: &str, call: impl FnOnce(&str) -> T) -> String {
    match text(bytes, what) {
        Ok(text) => to_json(&call(text)),
        Err(error) => refused(error),
    }
}

/// An engine: a policy set, a schema and an entity store, held inside WebAssembly.
#[wasm_bindgen]
pub struct RawEngine {
    engine: Engine,
}

#[wasm_bindgen]
impl RawEngine {
    /// The embedded defaults without `options`, or the engine `EngineOptions` JSON describes.
    /// `Err` carries an `ErrorInfo` (`code`, `message`, `diagnostics`) as JSON text, which the
    /// glue throws and the JS layer parses.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<Vec<u8>>) -> Result<RawEngine, JsValue> {
        let options = options.as_deref().map(|bytes| text(bytes, "options")).transpose();
        options
            .map_err(ErrorInfo::from)
            .and_then(ffi::new_engine)
            .map(|engine| RawEngine { engine })
            .map_err(|info| JsValue::from_str(&to_json(&info)))
    }

    /// `max_entities`: a caller's budget (none: the module's own limit); `organization`: the
    /// one organization the snapshot must describe. Both are checked before anything is built.
    #[wasm_bindgen(js_name = loadSnapshot)]
    pub fn load_snapshot(
        &mut self,
        json: &[u8],
        max_entities: Option<u32>,
        organization: Option<String>,
    ) -> String {
        let requirements =
            SnapshotRequirements { max_entities: max_entities.map(|max| max as usize), organization };
        on_text(json, "snapshot", |json| ffi::load_snapshot_within(&mut self.engine, json, &requirements))
    }

    #[wasm_bindgen(js_name = loadEntities)]
    pub fn load_entities(&mut self, json: &[u8]) -> String {
        on_text(json, "entities", |json| ffi::load_entities(&mut self.engine, json))
    }

    /// `organization`: the one organization the store serves; an upsert of another's
    /// entities is refused.
    #[wasm_bindgen(js_name = upsertEntities)]
    pub fn upsert_entities(&mut self, json: &[u8], organization: Option<String>) -> String {
        on_text(json, "entities", |json| {
            ffi::upsert_entities_within(&mut self.engine, json, organization.as_deref())
        })
    }

    #[wasm_bindgen(js_name = removeEntities)]
    pub fn remove_entities(&mut self, json: &[u8]) -> String {
        on_text(json, "entity references", |json| ffi::remove_entities(&mut self.engine, json))
    }

    /// A `Decision` for principal type and id, action, resource type and id, and the context
    /// as JSON bytes (or none).
    pub fn check(
        &self,
        principal_type: String,
        principal_id: String,
        action: &str,
        resource_type: String,
        resource_id: String,
        context: Option<Vec<u8>>,
    ) -> String {
        to_json(&self.decide(principal_type, principal_id, action, resource_type, resource_id, context))
    }

    #[wasm_bindgen(js_name = isAllowed)]
    pub fn is_allowed(
        &self,
        principal_type: String,
        principal_id: String,
        action: &str,
        resource_type: String,
        resource_id: String,
        context: Option<Vec<u8>>,
    ) -> bool {
        self.decide(principal_type, principal_id, action, resource_type, resource_id, context).allowed()
    }

    #[wasm_bindgen(js_name = allowedActions)]
    pub fn allowed_actions(
        &self,
        principal_type: String,
        principal_id: String,
        resource_type: String,
        resource_id: String,
    ) -> String {
        let principal = EntityRef { entity_type: principal_type, id: principal_id };
        let resource = EntityRef { entity_type: resource_type, id: resource_id };
        to_json(&ffi::allowed_actions(&self.engine, &principal, &resource))
    }

    /// The ids of the resources of one type on which the principal may do `action`.
    #[wasm_bindgen(js_name = allowedResources)]
    pub fn allowed_resources(
        &self,
        principal_type: String,
        principal_id: String,
        action: &str,
        resource_type: &str,
    ) -> String {
        let principal = EntityRef { entity_type: principal_type, id: principal_id };
        to_json(&ffi::allowed_resources(&self.engine, &principal, action, resource_type))
    }

    /// `{principal, resources, actions}` as JSON bytes.
    pub fn matrix(&self, call: &[u8]) -> String {
        on_text(call, "matrix call", |call| ffi::matrix(&self.engine, call))
    }

    /// A snapshot as JSON bytes, scoped for the user `principal_id` (`principal_type` must be
    /// `User`) with this engine's schema and policies; the store is neither read nor changed.
    #[wasm_bindgen(js_name = scopeSnapshot)]
    pub fn scope_snapshot(&self, snapshot: &[u8], principal_type: String, principal_id: String) -> String {
        let principal = EntityRef { entity_type: principal_type, id: principal_id };
        on_text(snapshot, "snapshot", |json| ffi::scope_snapshot(&self.engine, json, &principal))
    }

    /// An `ActionRequest` as JSON bytes.
    #[wasm_bindgen(js_name = validateAction)]
    pub fn validate_action(&self, request: &[u8]) -> String {
        let validation = match text(request, "action request") {
            Ok(request) => ffi::validate_action(&self.engine, request),
            Err(error) => crate::actions::ActionValidation::refused(error),
        };
        to_json(&validation)
    }

    pub fn policies(&self) -> String {
        to_json(&self.engine.policies())
    }

    #[wasm_bindgen(js_name = policySources)]
    pub fn policy_sources(&self) -> String {
        to_json(&self.engine.policy_sources())
    }

    #[wasm_bindgen(js_name = schemaText)]
    pub fn schema_text(&self) -> String {
        self.engine.schema_text().to_owned()
    }

    /// Every entity type and action of the schema, for generated types.
    #[wasm_bindgen(js_name = schemaNames)]
    pub fn schema_names(&self) -> String {
        to_json(&self.engine.schema_names())
    }

    #[wasm_bindgen(js_name = entityCount)]
    pub fn entity_count(&self) -> usize {
        self.engine.entities().len()
    }

    fn decide(
        &self,
        principal_type: String,
        principal_id: String,
        action: &str,
        resource_type: String,
        resource_id: String,
        context: Option<Vec<u8>>,
    ) -> crate::engine::Decision {
        let principal = EntityRef { entity_type: principal_type, id: principal_id };
        let resource = EntityRef { entity_type: resource_type, id: resource_id };
        match context.as_deref().map(|bytes| text(bytes, "context")).transpose() {
            Ok(context) => ffi::check(&self.engine, &principal, action, &resource, context),
            Err(error) => crate::engine::Decision::from(error),
        }
    }
}

/// A snapshot as JSON bytes -> one snapshot per organization, with the users it references.
#[wasm_bindgen(js_name = splitOrganizations)]
pub fn split_organizations(snapshot: &[u8]) -> String {
    on_text(snapshot, "snapshot", ffi::split_organizations)
}

/// `EngineOptions` as JSON bytes -> a tagged policy list or Cedar's diagnostics.
// This and the next two are not in the compiled runtime: they take or give policy text.
#[cfg(not(feature = "compiled-runtime"))]
#[wasm_bindgen(js_name = validatePolicies)]
pub fn validate_policies(options: &[u8]) -> String {
    on_text(options, "options", ffi::validate_policies)
}

#[cfg(not(feature = "compiled-runtime"))]
#[wasm_bindgen(js_name = defaultPolicySources)]
pub fn default_policy_sources() -> String {
    to_json(&ffi::default_policy_sources())
}

#[cfg(not(feature = "compiled-runtime"))]
#[wasm_bindgen(js_name = defaultSchema)]
pub fn default_schema() -> String {
    crate::policies::DEFAULT_SCHEMA.to_owned()
}

#[wasm_bindgen(js_name = newOrganization)]
pub fn new_organization(id: &str, name: &str, creator: &str) -> String {
    to_json(&ffi::new_organization(id, name, creator))
}

#[wasm_bindgen(js_name = membershipId)]
pub fn membership_id(org: &str, user: &str) -> String {
    crate::snapshot::membership_id(org, user)
}

/// The input limits the JS layer checks before copying anything in.
#[wasm_bindgen]
pub fn limits() -> String {
    to_json(&ffi::limits())
}

/// The size of the module's memory in bytes (it grows, never shrinks): for long-lived callers
/// that watch it, and the boundary tests that bound it.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    // Pages of 64 KiB; at most 65,536 of them, so the product is exact in an f64.
    (core::arch::wasm32::memory_size(0) as f64) * 65536.0
}

/// The bytes the module's allocator holds allocated now (src/image_allocator.rs): memory in use,
/// where `memoryBytes` is memory reserved. The JS layer measures a store's bytes as what a
/// change of it leaves allocated, and a caller can budget resident stores by it.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(js_name = heldBytes)]
pub fn held_bytes() -> f64 {
    // Below 4 GiB on wasm32, so exact in an f64.
    crate::memory::allocated_bytes() as f64
}

/// Traps on purpose: the package's tests call it through the JS layer's guard to prove that a
/// trapped module is replaced and later calls answer. Not part of the API.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(js_name = __trapForTests)]
pub fn trap_for_tests() {
    core::arch::wasm32::unreachable()
}

/// Builds the default ruleset and everything lazily built with it (see
/// [`crate::engine::preinitialize`]). Not part of the JS API: the package's build calls it on
/// a throwaway instance, stores the memory it leaves as the module's initial memory and
/// removes this export (pkg/bin/preinitialize.mjs). Returns 1 when everything was built.
#[cfg(not(feature = "compiled-runtime"))]
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn orgwarden_preinitialize() -> u32 {
    u32::from(crate::engine::preinitialize().is_ok())
}

/// The compile step's input: `EngineOptions` JSON, written by the compile command into the
/// buffer [`orgwarden_compile_input`] returns before it calls [`orgwarden_preinitialize`].
#[cfg(feature = "compiled-runtime")]
static COMPILE_INPUT: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

/// A zeroed buffer of `length` bytes in the module's memory for the compile command to write
/// the options into (null if the buffer is unavailable). Removed from the compiled module.
#[cfg(feature = "compiled-runtime")]
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn orgwarden_compile_input(length: u32) -> *mut u8 {
    match COMPILE_INPUT.lock() {
        Ok(mut buffer) => {
            *buffer = vec![0; length as usize];
            buffer.as_mut_ptr()
        }
        Err(_) => std::ptr::null_mut(),
    }
}

/// `orgwarden compile`'s step: builds the ruleset of the options in the input buffer as the
/// module's only one (see [`crate::engine::preinitialize_with`]), then drops the input. The
/// command stores the memory this leaves and removes this export. Returns 1 on success.
#[cfg(feature = "compiled-runtime")]
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn orgwarden_preinitialize() -> u32 {
    let input = COMPILE_INPUT.lock().map(|mut buffer| std::mem::take(&mut *buffer)).unwrap_or_default();
    let built =
        text(&input, "options").and_then(ffi::engine_options).and_then(crate::engine::preinitialize_with);
    u32::from(built.is_ok())
}

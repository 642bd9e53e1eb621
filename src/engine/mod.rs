//! The engine: schema and policies parsed once, the entity store held in place, and checks
//! answered against them without re-parsing or copying either.

mod batch;
mod catalog;
mod closure;
pub(crate) use closure::BatchGraph;
mod decision;
mod described_schema;
mod open_forms;
mod raw_entities;
mod raw_json;
mod resources;
mod rows;
mod ruleset;
mod store;

pub use batch::{ActionOutcome, Matrix, MatrixCell, MatrixRow};
pub use catalog::{ActionEntry, Catalog};
pub use decision::{AlwaysFalse, Cause, Decision, Failure, Verdict};
#[cfg(not(feature = "compiled-runtime"))]
pub use ruleset::preinitialize;
#[cfg(feature = "compiled-runtime")]
pub use ruleset::preinitialize_with;
pub use store::SnapshotRequirements;

use std::sync::Arc;

use cedar_policy::{
    Authorizer, Context, Entities, EntityId, EntityUid, Request, RequestValidationError, Response, Schema,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::policies::{PolicyEffect, PolicyInfo, PolicySource};
use ruleset::Ruleset;

/// A principal or resource, named by entity type and id: `{ "type": "User", "id": "alice" }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct EntityRef {
    #[serde(rename = "type")]
    pub entity_type: String,
    pub id: String,
}

impl EntityRef {
    pub fn new(entity_type: impl Into<String>, id: impl Into<String>) -> Self {
        Self { entity_type: entity_type.into(), id: id.into() }
    }
}

impl std::fmt::Display for EntityRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}::{:?}", self.entity_type, self.id)
    }
}

/// How to build an engine. The default is the embedded schema and default policies.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct EngineOptions {
    /// A schema in Cedar schema syntax replacing the embedded one.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub schema: Option<String>,
    /// Policies added to (or, without the defaults, used instead of) the default policies.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub policies: Vec<PolicySource>,
    /// Whether the embedded default policies are part of the set (unset: yes). Kept apart from
    /// `true`: the compiled runtime takes only the setting it was compiled with, and a caller
    /// who does not set it takes whichever that was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub include_default_policies: Option<bool>,
}

impl EngineOptions {
    /// Whether the default policies are part of the set.
    pub fn includes_default_policies(&self) -> bool {
        self.include_default_policies.unwrap_or(true)
    }
}

#[derive(Debug, Clone)]
pub struct Engine {
    ruleset: Arc<Ruleset>,
    authorizer: Authorizer,
    store: store::EntityStore,
}

impl Engine {
    /// The embedded schema and default policies, with an empty entity store.
    pub fn with_defaults() -> Result<Self> {
        Self::new(EngineOptions::default())
    }

    pub fn new(options: EngineOptions) -> Result<Self> {
        let ruleset = Ruleset::for_options(options)?;
        Ok(Self { ruleset, authorizer: Authorizer::new(), store: store::EntityStore::default() })
    }

    pub fn schema(&self) -> &Schema {
        &self.ruleset.schema
    }

    pub fn schema_text(&self) -> &str {
        &self.ruleset.schema_text
    }

    /// Every policy with its annotations, in source order.
    pub fn policies(&self) -> &[Arc<PolicyInfo>] {
        &self.ruleset.policies.ordered
    }

    /// Cedar's validator warnings on the policies this engine's options added.
    pub fn policy_warnings(&self) -> &[crate::error::Diagnostic] {
        &self.ruleset.policies.warnings
    }

    /// The Cedar sources the policy set was built from.
    pub fn policy_sources(&self) -> &[PolicySource] {
        &self.ruleset.policies.sources
    }

    pub fn catalog(&self) -> &Catalog {
        &self.ruleset.catalog
    }

    pub fn entities(&self) -> &Entities {
        self.store.entities()
    }

    /// The slice of the policy set that decides `action`: the policies whose action scope can
    /// include it, which are all a check of that action evaluates. Each has its action scope
    /// opened to any action (`src/engine/open_forms.rs`), so the slice decides requests for `action`
    /// alone.
    pub fn action_policies(&self, action: &str) -> Result<&cedar_policy::PolicySet> {
        let entry = self.ruleset.catalog.action(action)?;
        self.slice(entry)
    }

    fn slice<'a>(&'a self, entry: &'a ActionEntry) -> Result<&'a cedar_policy::PolicySet> {
        let ruleset = &self.ruleset;
        entry.policies(|| ruleset.open_forms().slice(&entry.members, &ruleset.policies)).ok_or_else(|| {
            Error::InvalidPolicy(vec![crate::error::Diagnostic::message(format!(
                "the policies of `{}` could not be gathered",
                entry.name
            ))])
        })
    }

    /// Resolves a reference to the uid of an entity that exists in the store.
    pub(crate) fn existing(&self, entity: &EntityRef, missing: fn(String) -> Error) -> Result<EntityUid> {
        let type_name = self.ruleset.catalog.entity_type(&entity.entity_type)?;
        let uid = EntityUid::from_type_name_and_id(type_name.clone(), EntityId::new(&entity.id));
        if self.store.entities().get(&uid).is_none() {
            return Err(missing(entity.to_string()));
        }
        Ok(uid)
    }

    /// May `principal` do `action` on `resource`? A missing context is an empty one, which
    /// answers "could this ever be allowed?" for UI gating; `validate_action` fills in the
    /// context a concrete action needs. Never fails: any problem is a `Failure`, a deny.
    pub fn check(
        &self,
        principal: &EntityRef,
        action: &str,
        resource: &EntityRef,
        context: Option<serde_json::Value>,
    ) -> Decision {
        self.try_check(principal, action, resource, context).unwrap_or_else(Decision::from)
    }

    fn try_check(
        &self,
        principal: &EntityRef,
        action: &str,
        resource: &EntityRef,
        context: Option<serde_json::Value>,
    ) -> Result<Decision> {
        let entry = self.ruleset.catalog.action(action)?;
        let principal_uid = self.existing(principal, Error::UnknownPrincipal)?;
        let resource_uid = self.existing(resource, Error::UnknownResource)?;
        let context = context
            .map(|value| {
                Context::from_json_value(value, Some((&self.ruleset.schema, &entry.uid)))
                    .map_err(|e| Error::InvalidContext(e.to_string()))
            })
            .transpose()?;
        self.decide(entry, principal_uid, resource_uid, context)
    }

    /// Evaluates a request whose parts are already resolved, against the action's slice of
    /// the policy set.
    fn decide(
        &self,
        entry: &ActionEntry,
        principal: EntityUid,
        resource: EntityUid,
        context: Option<Context>,
    ) -> Result<Decision> {
        let principal_type = principal.type_name().clone();
        entry.check_applies_to(&principal_type, resource.type_name())?;
        // Types are checked just above; only a caller's context still needs the schema.
        let request = match context {
            None => Request::new(principal, entry.uid.clone(), resource, Context::empty(), None),
            Some(context) => {
                Request::new(principal, entry.uid.clone(), resource, context, Some(&self.ruleset.schema))
            }
        }
        .map_err(|e| match e {
            RequestValidationError::InvalidContext(_) => Error::InvalidContext(e.to_string()),
            _ => Error::InvalidRequest(e.to_string()),
        })?;
        let slice = self.slice(entry)?;
        let response = self.authorizer.is_authorized(&request, slice, self.store.entities());
        Ok(self.verdict(entry, &principal_type, &response))
    }

    /// Where a policy is in source order.
    fn source_position(&self, id: &str) -> usize {
        self.ruleset.policies.ordered.iter().position(|p| p.id == id).unwrap_or(usize::MAX)
    }

    fn verdict(
        &self,
        entry: &ActionEntry,
        principal_type: &cedar_policy::EntityTypeName,
        response: &Response,
    ) -> Decision {
        let errors = response
            .diagnostics()
            .errors()
            .map(|e| {
                let cedar_policy::AuthorizationError::PolicyEvaluationError(inner) = e;
                Error::PolicyEvaluation { policy_id: inner.policy_id().to_string(), message: e.to_string() }
            })
            .collect();
        let deciding =
            response.diagnostics().reason().filter_map(|id| self.ruleset.policies.info.get(id).cloned());
        let allowed = response.decision() == cedar_policy::Decision::Allow;
        self.conclude(entry, principal_type, errors, allowed, deciding.collect())
    }

    /// Decisions for `entries` on one resource, in order, with an empty context: read off one
    /// evaluation of the whole row where they can be (see [`rows`]), evaluated one by one
    /// where they cannot.
    fn decide_row(
        &self,
        principal: &EntityUid,
        resource: &EntityUid,
        entries: &[&ActionEntry],
    ) -> Vec<Decision> {
        let (principal_type, resource_type) = (principal.type_name(), resource.type_name());
        let plan = self.ruleset.row_plan();
        let applicable = |entry: &&&ActionEntry| entry.applies_to(principal_type, resource_type);
        let outcome = entries.iter().find(applicable).and_then(|entry| {
            plan.evaluate(&self.authorizer, self.store.entities(), principal, &entry.uid, resource)
        });
        entries
            .iter()
            .map(|entry| {
                let reading = match &outcome {
                    Some(outcome) if applicable(&entry) => plan.read_cell(entry, outcome),
                    _ => None,
                };
                match reading {
                    Some(reading) => {
                        let (allowed, deciding) = if reading.forbids.is_empty() {
                            (!reading.permits.is_empty(), reading.permits)
                        } else {
                            (false, reading.forbids)
                        };
                        self.conclude(entry, principal_type, reading.errors, allowed, deciding)
                    }
                    None => self
                        .decide(entry, principal.clone(), resource.clone(), None)
                        .unwrap_or_else(Decision::from),
                }
            })
            .collect()
    }

    /// The decision from what evaluation gave: its errors, whether Cedar allowed, and the
    /// deciding policies (the permits that hold when allowed, else the forbids that hold).
    fn conclude(
        &self,
        entry: &ActionEntry,
        principal_type: &cedar_policy::EntityTypeName,
        mut errors: Vec<Error>,
        allowed: bool,
        mut deciding: Vec<Arc<PolicyInfo>>,
    ) -> Decision {
        // Cedar reports errors and deciding policies as sets, in no stable order: in source
        // order, the same request always gets the same answer (the same reason, rule and
        // violations), whichever of several policies comes first.
        if errors.len() > 1 {
            errors.sort_by_cached_key(|e| match e {
                Error::PolicyEvaluation { policy_id, .. } => self.source_position(policy_id),
                _ => usize::MAX,
            });
        }
        // Fail closed: an erroring forbid must not let a permit through (SEC-4).
        if !errors.is_empty() {
            return Decision::failure(errors);
        }
        if deciding.len() > 1 {
            deciding.sort_by_cached_key(|p| self.source_position(&p.id));
        }
        let (cause, requirements, reason) = if allowed {
            (Cause::Permitted, Vec::new(), None)
        } else if deciding.iter().any(|p| p.effect == PolicyEffect::Forbid) {
            (Cause::Forbidden, Vec::new(), None)
        } else {
            let answer = entry.not_permitted_for(principal_type);
            (Cause::NotPermitted, answer.requirements, Some(answer.reason))
        };
        // The first deciding policy speaks, in source order like its rule: a permit with its
        // grant sentence (its `@reason` when it has none), a forbid with its `@reason`.
        // Cedar allows only through a permit and this forbids only through a forbid, so a
        // deciding policy is always there; the last sentence is for the impossible case.
        let reason = reason
            .or_else(|| {
                deciding.first().map(|p| {
                    let sentence =
                        if allowed { p.grant.as_ref().or(p.reason.as_ref()) } else { p.reason.as_ref() };
                    sentence.cloned().unwrap_or_else(|| format!("policy {}", p.id))
                })
            })
            .unwrap_or_else(|| "No policy decided this request".to_owned());
        Decision::Success(Verdict { allowed, cause, reason, policies: deciding, requirements })
    }
}

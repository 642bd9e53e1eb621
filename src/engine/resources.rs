//! Listing query: the resources of one type on which a principal may do one action (the
//! algorithms a key may call, the workspaces a collaborator may view).

use cedar_policy::{Context, Request};

use super::{Engine, EntityRef};
use crate::error::{Error, Result};

impl Engine {
    /// The ids of the entities of `resource_type` in the store on which `principal` may do
    /// `action` with an empty context, sorted: for each candidate, what
    /// `check(principal, action, candidate).allowed` says.
    ///
    /// Refuses what `check` refuses, with the same codes: an unknown action, principal or
    /// entity type, or an action that does not apply to these types. The principal and action
    /// are resolved once, and each candidate is evaluated against the action's slice of the
    /// policy set alone, with no answer built for it. A candidate whose evaluation errs is left
    /// out, as `check` denies it (SEC-4).
    pub fn allowed_resources(
        &self,
        principal: &EntityRef,
        action: &str,
        resource_type: &str,
    ) -> Result<Vec<String>> {
        let entry = self.ruleset.catalog.action(action)?;
        let principal_uid = self.existing(principal, Error::UnknownPrincipal)?;
        let resource_type = self.ruleset.catalog.entity_type(resource_type)?;
        entry.check_applies_to(principal_uid.type_name(), resource_type)?;
        let slice = self.slice(entry)?;
        let entities = self.store.entities();
        let mut allowed = Vec::new();
        for candidate in entities.iter().map(cedar_policy::Entity::uid) {
            if candidate.type_name() != resource_type {
                continue;
            }
            let id = candidate.id().unescaped().to_owned();
            // No schema: the types were checked above and the context is empty, so Cedar has
            // nothing left to validate.
            let request =
                Request::new(principal_uid.clone(), entry.uid.clone(), candidate, Context::empty(), None)
                    .map_err(|e| Error::InvalidRequest(e.to_string()))?;
            let response = self.authorizer.is_authorized(&request, slice, entities);
            let erred = response.diagnostics().errors().next().is_some();
            if response.decision() == cedar_policy::Decision::Allow && !erred {
                allowed.push(id);
            }
        }
        allowed.sort_unstable();
        Ok(allowed)
    }
}

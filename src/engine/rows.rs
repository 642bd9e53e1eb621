//! Many actions on one resource at once: a matrix row, or `allowed_actions`.
//!
//! In a row, every cell has the same principal, resource and (empty) context; only the action
//! differs. A policy sees the action through its action scope, which the catalog resolves
//! statically per action, and through conditions that mention `action`. So each policy is
//! evaluated once per row in a *row form* (its open form, [`super::open_forms`], cut before
//! the first condition that mentions `action`) and each cell reads off the results of the
//! policies in its action's slice, instead of evaluating the slice again.
//!
//! Why this gives the same answer as evaluating the cell: Cedar evaluates a policy as
//! `principal scope && action scope && resource scope && condition 1 && condition 2 …`, left
//! to right. For an action inside the action scope, that scope is `true`, so the policy and
//! its row form evaluate the same prefix the same way: a row form that is `false` or fails
//! means the same for the policy. Only a row form that holds after conditions were cut says
//! nothing for sure; such a cell is evaluated on its own. So are the cells of an action whose
//! slice has a policy without a row form (see [`ROW_FORMS_SLICE_LIMIT`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cedar_policy::{
    Authorizer, Context, Entities, EntityTypeName, EntityUid, Policy, PolicyId, PolicySet,
    PrincipalConstraint, Request, ResourceConstraint,
};

use super::open_forms::OpenForms;
use super::ActionEntry;
use crate::error::Error;
use crate::policies::{AnnotatedPolicies, PolicyEffect, PolicyInfo};

/// The row forms of a policy set, grouped by the principal and resource types they can
/// apply to. Policies are numbered, so that reading a cell is indexing, not hashing.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowPlan {
    /// The number of each policy that has a row form.
    numbers: HashMap<PolicyId, usize>,
    /// By number: the policy, and whether its row form is its whole condition.
    policies: Vec<(Arc<PolicyInfo>, bool)>,
    /// By action position: the numbers of the policies in its slice, in source order; `None`
    /// when one of them has no row form (such cells are evaluated one by one).
    slices: Vec<Option<Vec<usize>>>,
    sets: HashMap<(EntityTypeName, EntityTypeName), RowSets>,
}

/// Permits and forbids apart: Cedar reports only the deciding side of a request (the
/// forbids when one holds), and a row needs to know which permits hold as well.
#[derive(Debug, Clone, Default)]
struct RowSets {
    permits: PolicySet,
    forbids: PolicySet,
}

/// What the row forms gave for one principal and resource, by policy number.
#[derive(Debug, Default)]
pub(crate) struct RowOutcome {
    holds: Vec<bool>,
    failed: HashMap<usize, String>,
}

/// What one cell's slice gives, read off a row: the errors, and the permits and forbids that
/// hold, in source order.
#[derive(Debug, Default)]
pub(crate) struct CellReading {
    pub errors: Vec<Error>,
    pub permits: Vec<Arc<PolicyInfo>>,
    pub forbids: Vec<Arc<PolicyInfo>>,
}

impl RowPlan {
    /// Builds the row forms for every pair of principal and resource types some action
    /// applies to.
    pub(crate) fn new(policies: &AnnotatedPolicies, open_forms: &OpenForms, actions: &[ActionEntry]) -> Self {
        let mut plan = Self::default();
        let mut forms = Vec::new();
        let largest_slice = largest_slice_of_each_policy(actions);
        for info in &policies.ordered {
            let id = PolicyId::new(&info.id);
            let Some(policy) = policies.set.policy(&id) else { continue };
            let in_large_slice = largest_slice.get(&id).is_some_and(|&size| size > ROW_FORMS_SLICE_LIMIT);
            let open = if in_large_slice {
                open_forms.get_unless_one_action(&id, policies)
            } else {
                open_forms.get(&id, policies)
            };
            let Some(open) = open else { continue };
            let (form, complete) = match &open.cut {
                Some(cut) => (Policy::clone(cut), false),
                None => (open.whole.clone(), true),
            };
            plan.numbers.insert(id, plan.policies.len());
            plan.policies.push((Arc::clone(info), complete));
            forms.push((form, scope_types(policy)));
        }
        for entry in actions {
            let mut slice: Option<Vec<usize>> =
                entry.members.iter().map(|id| plan.numbers.get(id).copied()).collect();
            if let Some(numbers) = slice.as_mut() {
                // Numbers follow source order: cells list deciding policies in that order.
                numbers.sort_unstable();
            }
            plan.slices.push(slice);
            for principal_type in &entry.principals {
                for resource_type in &entry.resources {
                    let key = (principal_type.clone(), resource_type.clone());
                    if plan.sets.contains_key(&key) {
                        continue;
                    }
                    // A pair without sets has its cells evaluated one by one.
                    if let Some(sets) = row_sets(&forms, actions, principal_type, resource_type) {
                        plan.sets.insert(key, sets);
                    }
                }
            }
        }
        plan
    }

    /// Evaluates every row form that can apply to this principal and resource, with an
    /// empty context. `action` is any action the row's cells apply to: the forms ignore it,
    /// and it only has to make a well-formed request.
    pub(crate) fn evaluate(
        &self,
        authorizer: &Authorizer,
        entities: &Entities,
        principal: &EntityUid,
        action: &EntityUid,
        resource: &EntityUid,
    ) -> Option<RowOutcome> {
        let sets = self.sets.get(&(principal.type_name().clone(), resource.type_name().clone()))?;
        let request =
            Request::new(principal.clone(), action.clone(), resource.clone(), Context::empty(), None).ok()?;
        let mut outcome = RowOutcome { holds: vec![false; self.policies.len()], failed: HashMap::new() };
        for set in [&sets.permits, &sets.forbids] {
            if set.is_empty() {
                continue;
            }
            let response = authorizer.is_authorized(&request, set, entities);
            for id in response.diagnostics().reason() {
                if let Some(holds) = self.numbers.get(id).and_then(|&n| outcome.holds.get_mut(n)) {
                    *holds = true;
                }
            }
            for error in response.diagnostics().errors() {
                let cedar_policy::AuthorizationError::PolicyEvaluationError(inner) = error;
                if let Some(&number) = self.numbers.get(inner.policy_id()) {
                    outcome.failed.insert(number, error.to_string());
                }
            }
        }
        Some(outcome)
    }

    /// Reads a cell off its row, or `None` when the cell has to be evaluated on its own.
    pub(crate) fn read_cell(&self, entry: &ActionEntry, outcome: &RowOutcome) -> Option<CellReading> {
        let mut reading = CellReading::default();
        for &number in self.slices.get(entry.position)?.as_ref()? {
            let (info, complete) = self.policies.get(number)?;
            if let Some(message) = outcome.failed.get(&number) {
                let policy_id = info.id.clone();
                reading.errors.push(Error::PolicyEvaluation { policy_id, message: message.clone() });
            } else if *outcome.holds.get(number)? {
                if !complete {
                    return None;
                }
                match info.effect {
                    PolicyEffect::Permit => reading.permits.push(Arc::clone(info)),
                    PolicyEffect::Forbid => reading.forbids.push(Arc::clone(info)),
                }
            }
        }
        Some(reading)
    }
}

/// A slice of more policies than this has no row forms made for its policies scoped to its
/// action alone (unless made already): its cells are evaluated on their own. A row evaluates
/// each row form once, and a cell evaluated on its own evaluates each policy of its slice
/// once, so for a large slice the two cost about the same per row, and the forms' parse
/// (about 0.09 ms a policy in the release module) is saved. For a small slice the row forms
/// save a Cedar call per cell, worth their parse.
const ROW_FORMS_SLICE_LIMIT: usize = 64;

/// For each policy, the number of policies in the largest slice it is in.
fn largest_slice_of_each_policy(actions: &[ActionEntry]) -> HashMap<&PolicyId, usize> {
    let mut largest: HashMap<&PolicyId, usize> = HashMap::new();
    for entry in actions {
        for id in &entry.members {
            let size = largest.entry(id).or_default();
            *size = (*size).max(entry.members.len());
        }
    }
    largest
}

/// The row forms one pair of principal and resource types can need: those whose scope fits
/// the types and that are in the slice of some action of the pair (an open-scoped forbid of
/// another resource type's actions need not run for every row).
fn row_sets(
    forms: &[(Policy, ScopeTypes)],
    actions: &[ActionEntry],
    principal_type: &EntityTypeName,
    resource_type: &EntityTypeName,
) -> Option<RowSets> {
    let in_some_slice: HashSet<&PolicyId> = actions
        .iter()
        .filter(|entry| entry.applies_to(principal_type, resource_type))
        .flat_map(|entry| &entry.members)
        .collect();
    let fits =
        |needs: &Option<EntityTypeName>, actual: &EntityTypeName| needs.as_ref().is_none_or(|t| t == actual);
    let mut sets = RowSets::default();
    for (form, (needs_principal, needs_resource)) in forms {
        if !in_some_slice.contains(form.id())
            || !fits(needs_principal, principal_type)
            || !fits(needs_resource, resource_type)
        {
            continue;
        }
        let side = match form.effect() {
            cedar_policy::Effect::Permit => &mut sets.permits,
            cedar_policy::Effect::Forbid => &mut sets.forbids,
        };
        // Ids are unique in the policy set, so this cannot fail; if it did, the form would
        // read as not holding, so no sets at all rather than incomplete ones.
        side.add(form.clone()).ok()?;
    }
    Some(sets)
}

/// The principal and resource types a policy's scope requires, where it names one.
type ScopeTypes = (Option<EntityTypeName>, Option<EntityTypeName>);

fn scope_types(policy: &Policy) -> ScopeTypes {
    let principal = match policy.principal_constraint() {
        PrincipalConstraint::Is(t) | PrincipalConstraint::IsIn(t, _) => Some(t),
        PrincipalConstraint::Eq(uid) => Some(uid.type_name().clone()),
        PrincipalConstraint::Any | PrincipalConstraint::In(_) => None,
    };
    let resource = match policy.resource_constraint() {
        ResourceConstraint::Is(t) | ResourceConstraint::IsIn(t, _) => Some(t),
        ResourceConstraint::Eq(uid) => Some(uid.type_name().clone()),
        ResourceConstraint::Any | ResourceConstraint::In(_) => None,
    };
    (principal, resource)
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::engine::catalog::Catalog;
    use crate::policies::{
        build_policy_set, default_policy_sources, default_schema, extend_policy_set, PolicySource,
    };

    /// Plans rows for the defaults and `count` custom policies on `viewBilling` alone, and
    /// tells whether `viewBilling` and `viewUsage` cells are read off rows and whether the first
    /// custom policy has a row form.
    fn plan_with_grants(count: usize) -> (bool, bool, bool) {
        let schema = default_schema().expect("default schema");
        let defaults = build_policy_set(default_policy_sources(), 0, &schema).expect("default policies");
        let grants: String = (0..count)
            .map(|i| {
                format!(
                    "@id(\"grant-{i}\") permit (principal == User::\"u{i}\", action == Action::\"viewBilling\", resource);\n"
                )
            })
            .collect();
        let set = extend_policy_set(defaults, vec![PolicySource::new("grants.cedar", grants)], 0, &schema)
            .expect("the grants extend the defaults");
        let catalog = Catalog::new(&schema, &set).expect("catalog");
        let forms = OpenForms::new(&set);
        let plan = RowPlan::new(&set, &forms, catalog.actions());
        let row_formed = |action: &str| {
            let position =
                catalog.actions().iter().position(|entry| entry.name == action).expect("an action");
            plan.slices.get(position).expect("a slice per action").is_some()
        };
        let grant_has_row_form = plan.numbers.contains_key(&PolicyId::new("grant-0"));
        (row_formed("viewBilling"), row_formed("viewUsage"), grant_has_row_form)
    }

    /// Up to the limit, one-action policies get row forms; past it, their action's cells are
    /// evaluated on their own and no form is parsed for them. Other actions keep their forms.
    #[test]
    fn a_large_slice_of_one_action_policies_is_evaluated_cell_by_cell() {
        let defaults_in_the_slice = {
            let schema = default_schema().expect("default schema");
            let set = build_policy_set(default_policy_sources(), 0, &schema).expect("default policies");
            let catalog = Catalog::new(&schema, &set).expect("catalog");
            catalog
                .actions()
                .iter()
                .find(|entry| entry.name == "viewBilling")
                .expect("viewBilling")
                .members
                .len()
        };
        let at_limit = ROW_FORMS_SLICE_LIMIT - defaults_in_the_slice;
        assert_eq!(plan_with_grants(at_limit), (true, true, true));
        assert_eq!(plan_with_grants(at_limit + 1), (false, true, false));
    }
}

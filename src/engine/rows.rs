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
//! nothing for sure; such a cell is evaluated on its own.

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
        for info in &policies.ordered {
            let id = PolicyId::new(&info.id);
            let (Some(policy), Some(open)) = (policies.set.policy(&id), open_forms.get(&id, policies)) else {
                continue;
            };
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

//! Many actions on one resource at once: a matrix row, or `allowed_actions`.
//!
//! In a row, every cell has the same principal, resource and (empty) context; only the action
//! differs. A policy sees the action through its action scope, which the catalog resolves
//! statically per action, and through conditions that mention `action`. So each policy is
//! evaluated once per row in a *row form* (its action scope opened to any action, its
//! conditions cut before the first one that mentions `action`) and each cell reads off the
//! results of the policies in its action's slice, instead of evaluating the slice again.
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
    ActionConstraint, Authorizer, Context, Entities, EntityTypeName, EntityUid, Policy, PolicyId, PolicySet,
    PrincipalConstraint, Request, ResourceConstraint,
};

use super::ActionEntry;
use crate::cedar_text::{tokens, Token};
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
    pub(crate) fn new(policies: &AnnotatedPolicies, actions: &[ActionEntry]) -> Self {
        let mut plan = Self::default();
        let mut forms = Vec::new();
        for (info, statement) in policy_statements(policies) {
            let Some(policy) = policies.set.policy(&PolicyId::new(&info.id)) else { continue };
            let Some((form, complete)) = row_form(policy, statement) else { continue };
            plan.numbers.insert(policy.id().clone(), plan.policies.len());
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

/// Each policy with its own text: the sources split at every `;` outside brackets and
/// strings, in the order the policy set was built (source by source, policy by policy).
/// A source whose split does not give its policies back, one for one, gives none.
fn policy_statements(policies: &AnnotatedPolicies) -> Vec<(&Arc<PolicyInfo>, &str)> {
    let mut out = Vec::new();
    let mut ordered = policies.ordered.iter().peekable();
    for source in &policies.sources {
        let mut statements = Vec::new();
        let mut start = None;
        for spanned in tokens(&source.text) {
            if spanned.token == Token::Punct(b';') && spanned.depth == 0 {
                if let Some(text) = start.and_then(|s| source.text.get(s..spanned.end)) {
                    statements.push(text);
                }
                start = None;
            } else {
                start = start.or(Some(spanned.start));
            }
        }
        let mut mine = Vec::new();
        while let Some(info) = ordered.next_if(|info| info.source == source.name) {
            mine.push(info);
        }
        if mine.len() == statements.len() {
            out.extend(mine.into_iter().zip(statements));
        }
    }
    out
}

/// The row form of a policy, made from its text, and whether it is the whole condition; or
/// `None` when the text does not have the expected shape (such cells are evaluated one by
/// one).
///
/// The form is made on the text and parsed by Cedar's policy-set parser, which the engine
/// needs anyway: rebuilding it through Cedar's JSON or syntax-tree formats, or printing a
/// policy, would bring their code into the wasm module.
fn row_form(policy: &Policy, statement: &str) -> Option<(Policy, bool)> {
    let (text, complete) = row_form_text(statement)?;
    let parsed = text.parse::<PolicySet>().ok()?;
    let mut forms = parsed.policies();
    let form = forms.next()?.new_id(policy.id().clone());
    if forms.next().is_some() {
        return None;
    }
    // The statement must be this very policy, less its action scope and cut conditions.
    let same_policy = form.effect() == policy.effect()
        && form.principal_constraint() == policy.principal_constraint()
        && form.resource_constraint() == policy.resource_constraint()
        && form.action_constraint() == ActionConstraint::Any
        && form.annotations().eq(policy.annotations());
    same_policy.then_some((form, complete))
}

/// `effect (principal, <action scope>, resource) clause … ;` becomes
/// `effect (principal, action, resource) <clauses before the first that reads action>;`.
fn row_form_text(text: &str) -> Option<(String, bool)> {
    let tokens = tokens(text);
    // Annotations come first, with their parentheses: the effect is the first outside them.
    let effect =
        tokens.iter().position(|t| t.depth == 0 && matches!(t.token, Token::Word("permit" | "forbid")))?;
    let rest = tokens.get(effect + 1..)?;
    if rest.first()?.token != Token::Punct(b'(') {
        return None;
    }
    // The scope: its two top-level commas and its closing parenthesis.
    let close = rest.iter().position(|t| t.depth == 0 && t.token == Token::Punct(b')'))?;
    let commas: Vec<_> =
        rest.get(..close)?.iter().filter(|t| t.depth == 1 && t.token == Token::Punct(b',')).collect();
    let [first_comma, second_comma] = commas.as_slice() else { return None };
    // The clauses: each a `when` or `unless` word outside brackets, and its braces.
    let mut cut = None;
    let mut end = text.len();
    let mut clause_start = None;
    for spanned in rest.get(close + 1..)? {
        match spanned.token {
            Token::Word("when" | "unless") if spanned.depth == 0 => clause_start = Some(spanned.start),
            // Any `action` word counts, `context.action` too: cutting more than needed only
            // sends more cells down the exact path.
            Token::Word("action") if spanned.depth > 0 && cut.is_none() => cut = Some(clause_start?),
            Token::Punct(b';') if spanned.depth == 0 => {
                end = spanned.start;
                break;
            }
            _ => {}
        }
    }
    let form = format!(
        "{} action {};",
        text.get(..first_comma.end)?,
        text.get(second_comma.start..cut.unwrap_or(end))?
    );
    Some((form, cut.is_none()))
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
    use crate::policies::{build_policy_set, default_policy_sources, default_schema};

    fn form_of(text: &str) -> (Policy, bool) {
        let policy: Policy = text.parse().expect("test policy parses");
        row_form(&policy, text).expect("test policy has a row form")
    }

    #[test]
    fn a_condition_on_the_action_is_cut_with_everything_after_it() {
        let (form, complete) = form_of(
            r#"@reason("a (reason); with \"action\", in it")
               forbid (principal, action == Action::"a", resource)
               when { principal.flag } unless { action in [Action::"b"] } when { resource.flag };"#,
        );
        assert!(!complete);
        let text = form.to_string();
        assert!(text.contains("principal.flag"), "{text}");
        assert!(!text.contains("Action::"), "{text}");
        assert!(!text.contains("resource.flag"), "{text}");
        assert_eq!(form.annotation("reason"), Some(r#"a (reason); with "action", in it"#));
    }

    #[test]
    fn a_policy_that_never_reads_the_action_keeps_its_whole_condition() {
        let (form, complete) = form_of(
            r#"permit (principal is User, action in [Action::"a", Action::"b"], resource in Org::"o")
               when { principal.note == "action" && resource.flag };"#,
        );
        assert!(complete);
        let text = form.to_string();
        assert!(text.contains("principal.note") && text.contains("resource.flag"), "{text}");
        assert!(!text.contains("Action::"), "{text}");
    }

    #[test]
    fn a_word_action_anywhere_in_a_clause_cuts_it() {
        let (form, complete) =
            form_of(r#"permit (principal, action, resource) when { context.action == "x" };"#);
        assert!(!complete);
        assert!(!form.to_string().contains("context"));
    }

    /// Only the SEC-3 forbids read the action; every other default policy is decided once per
    /// row. If this changes, rows get slower, not wrong.
    #[test]
    fn every_default_policy_has_a_row_form_and_only_sec3_is_cut() {
        let schema = default_schema().expect("default schema");
        let policies = build_policy_set(default_policy_sources(), 0, &schema).expect("default policies");
        let statements = policy_statements(&policies);
        assert_eq!(statements.len(), policies.ordered.len());
        let mut cut: Vec<String> = Vec::new();
        for (info, statement) in statements {
            let policy = policies.set.policy(&PolicyId::new(&info.id)).expect("listed policy");
            let (_, complete) = row_form(policy, statement).expect("every default policy has a row form");
            if !complete {
                cut.push(info.id.clone());
            }
        }
        cut.sort();
        assert_eq!(cut, ["sec3-mfa-compliance", "sec3-password-policy-compliance"]);
    }
}

//! Each policy with its action scope opened to any action, made once per ruleset from the
//! policy's syntax tree.
//!
//! A request for one action is decided by that action's slice of the policy set: the policies
//! whose action scope the catalog found to include the action (see
//! [`super::ActionEntry::policies`]). For such a request, Cedar would evaluate each slice
//! member's action scope only to find it `true`. That test is not free: `action in [A, B, C]`
//! builds a set value and looks the action's ancestors up once per element, on every check,
//! and even `action == A` is rebuilt as an expression each time Cedar evaluates the policy.
//! So a slice holds each member's *open form*, the same policy whose action scope is `action`:
//!
//! - Cedar evaluates a policy as `principal scope && action scope && resource scope &&
//!   condition …`, left to right. With the action scope `true`, the open form evaluates the
//!   same expressions in the same order, so it holds, fails or errs exactly when the policy
//!   does, with the same error.
//! - It is the policy's own template with another action scope: the same id, effect,
//!   principal and resource scopes, conditions and annotations, so answers name the same
//!   policies.
//!
//! Matrix rows use the same forms, cut before the first condition that reads the action
//! (see [`super::rows`]). A policy with template slots has no open form; a slice then holds
//! the policy itself, which decides the same, only slower, and the cells of its actions are
//! evaluated one by one.
//!
//! The forms are built from Cedar's syntax tree (`cedar_policy_core::ast`), not from the
//! policy's text: 1,000 forms take about 1 ms natively that way, against about 57 ms printed
//! and parsed again, which made the first check of an action with many custom policies slow.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cedar_policy::{Policy, PolicyId, PolicySet};
use cedar_policy_core::ast;

use crate::policies::AnnotatedPolicies;

/// One policy's open forms.
#[derive(Debug, Clone)]
pub(crate) struct OpenForm {
    /// Every condition kept: what a check of an action in the policy's scope evaluates.
    pub whole: Policy,
    /// Cut before the first condition that reads `action`, when one does: what a matrix row
    /// can evaluate once for every action (`None`: `whole` is the row form too). Boxed, as few
    /// policies have one.
    pub cut: Option<Box<Policy>>,
}

/// The open forms of a policy set, each made the first time a slice or the row plan needs
/// it. The default ruleset's are all made when the package is built, and a ruleset that
/// extends the defaults starts from them.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenForms {
    /// `None` inside: the policy has no open form. Behind an `Arc`: a policy is several hundred
    /// bytes, which the map's free slots would each hold, and a ruleset that extends this one
    /// shares the forms instead of copying them.
    forms: HashMap<PolicyId, OnceLock<Option<Arc<OpenForm>>>>,
}

impl OpenForms {
    /// An entry for every policy; makes no form yet.
    pub(crate) fn new(policies: &AnnotatedPolicies) -> Self {
        let forms = policies.ordered.iter().map(|info| (PolicyId::new(&info.id), OnceLock::new())).collect();
        Self { forms }
    }

    /// The forms of `policies`, a set that extends the one these were made for: the forms
    /// already made are shared, so a ruleset that adds policies to the defaults makes forms
    /// for its own policies only.
    pub(crate) fn extended(&self, policies: &AnnotatedPolicies) -> Self {
        let mut forms = self.forms.clone();
        for info in &policies.ordered {
            forms.entry(PolicyId::new(&info.id)).or_default();
        }
        Self { forms }
    }

    /// The open forms of the policy `id` of `policies` (the set these were made for).
    pub(crate) fn get(&self, id: &PolicyId, policies: &AnnotatedPolicies) -> Option<&OpenForm> {
        let entry = self.forms.get(id)?;
        // The compiled runtime has them all made by its compile step (`make_all`), and keeps
        // none of the code that makes them.
        #[cfg(feature = "compiled-runtime")]
        let form = {
            let _ = policies;
            entry.get()?
        };
        #[cfg(not(feature = "compiled-runtime"))]
        let form = made(entry, id, policies);
        form.as_deref()
    }

    /// Makes every policy's forms now, for a ruleset whose memory is shipped as it is.
    pub(crate) fn make_all(&self, policies: &AnnotatedPolicies) {
        for (id, entry) in &self.forms {
            made(entry, id, policies);
        }
    }

    /// The slice of `policies` made of `members`, each in its open form where it has one. Only
    /// a request for an action in every member's scope may be decided by it. `None` if a
    /// member is missing from the set or Cedar refused the slice.
    pub(crate) fn slice(&self, members: &[PolicyId], policies: &AnnotatedPolicies) -> Option<PolicySet> {
        let chosen: Option<Vec<Policy>> = members
            .iter()
            .map(|id| {
                self.get(id, policies).map(|form| &form.whole).or_else(|| policies.set.policy(id)).cloned()
            })
            .collect();
        PolicySet::from_policies(chosen?).ok()
    }
}

/// The forms of the policy `id` of `policies`, made on the first call.
fn made<'a>(
    entry: &'a OnceLock<Option<Arc<OpenForm>>>,
    id: &PolicyId,
    policies: &AnnotatedPolicies,
) -> &'a Option<Arc<OpenForm>> {
    entry.get_or_init(|| open_form(policies.set.policy(id)?).map(Arc::new))
}

/// The open forms of a policy: its template with the action scope opened; `None` for a
/// template with slots.
fn open_form(policy: &Policy) -> Option<OpenForm> {
    let template = AsRef::<ast::Policy>::as_ref(policy).template();
    let conditions = template.non_scope_constraints();
    let whole = opened(template, conditions.cloned())?;
    let cut = match conditions {
        Some(conditions) if reads_action(conditions) => {
            Some(Box::new(opened(template, conditions_before_the_action(conditions))?))
        }
        _ => None,
    };
    Some(OpenForm { whole, cut })
}

/// `template` with the action scope `action` and `conditions` as its conditions.
fn opened(template: &ast::Template, conditions: Option<ast::Expr>) -> Option<Policy> {
    let form = ast::StaticPolicy::new(
        template.id().clone(),
        template.loc().cloned(),
        ast::Annotations::clone(template.annotations_arc()),
        template.effect(),
        template.principal_constraint().clone(),
        ast::ActionConstraint::any(),
        template.resource_constraint().clone(),
        conditions,
    )
    .ok()?;
    Some(Policy::from(ast::Policy::from(form)))
}

/// Whether `expr` reads the `action` variable anywhere (an attribute named `action` is not it).
fn reads_action(expr: &ast::Expr) -> bool {
    expr.subexpressions().any(|e| matches!(e.expr_kind(), ast::ExprKind::Var(ast::Var::Action)))
}

/// The conjuncts of `conditions` (its `&&`s, every `when` and `unless` clause among them)
/// before the first that reads `action`, joined again; `None` if the first one does. Cedar
/// evaluates `&&` left to right and stops at the first `false` or error, so when these hold
/// nothing is known, and when they do not the whole does not hold either, the same way.
fn conditions_before_the_action(conditions: &ast::Expr) -> Option<ast::Expr> {
    let mut conjuncts = Vec::new();
    collect_conjuncts(conditions, &mut conjuncts);
    let before: Vec<&ast::Expr> = conjuncts.into_iter().take_while(|c| !reads_action(c)).collect();
    before.into_iter().rev().cloned().reduce(|later, earlier| ast::Expr::and(earlier, later))
}

/// The operands of `expr`'s `&&`s, nested either way, in evaluation order. Recursive: a
/// policy's `&&`s, its clauses' included, count against its operators, which its limits bound
/// (`src/limits.rs`).
fn collect_conjuncts<'a>(expr: &'a ast::Expr, out: &mut Vec<&'a ast::Expr>) {
    match expr.expr_kind() {
        ast::ExprKind::And { left, right } => {
            collect_conjuncts(left, out);
            collect_conjuncts(right, out);
        }
        _ => out.push(expr),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::policies::{build_policy_set, default_policy_sources, default_schema};
    use cedar_policy::ActionConstraint;

    fn form_of(text: &str) -> OpenForm {
        let policy: Policy = text.parse().expect("test policy parses");
        open_form(&policy).expect("test policy has open forms")
    }

    #[test]
    fn a_condition_on_the_action_is_cut_with_everything_after_it() {
        let form = form_of(
            r#"@reason("a (reason); with \"action\", in it")
               forbid (principal, action == Action::"a", resource)
               when { principal.flag && context.ok } unless { action in [Action::"b"] } when { resource.flag };"#,
        );
        let cut = form.cut.expect("a clause reads the action").to_string();
        assert!(cut.contains("principal.flag") && cut.contains("context.ok"), "{cut}");
        assert!(!cut.contains("Action::"), "{cut}");
        assert!(!cut.contains("resource.flag"), "{cut}");
        assert_eq!(form.whole.annotation("reason"), Some(r#"a (reason); with "action", in it"#));
        // The whole form keeps every clause, the one on the action included: only the scope
        // is opened.
        let whole = form.whole.to_string();
        assert!(whole.contains("principal.flag") && whole.contains("resource.flag"), "{whole}");
        assert!(whole.contains(r#"Action::"b""#), "{whole}");
        assert!(!whole.contains(r#"Action::"a""#), "{whole}");
        assert_eq!(form.whole.action_constraint(), ActionConstraint::Any);
        assert_eq!(form.whole.effect(), cedar_policy::Effect::Forbid);
    }

    /// The forms are the policy's own template: same conditions, same scopes, same id.
    #[test]
    fn a_form_is_the_policy_with_its_action_scope_opened() {
        let policy: Policy = r#"permit (principal == User::"u", action in [Action::"a"], resource is Org) when { resource.n + 1 > 2 };"#
            .parse()
            .expect("parses");
        let form = open_form(&policy).expect("a form").whole;
        assert_eq!(form.id(), policy.id());
        assert_eq!(form.principal_constraint(), policy.principal_constraint());
        assert_eq!(form.resource_constraint(), policy.resource_constraint());
        assert_eq!(form.action_constraint(), ActionConstraint::Any);
        let conditions = |p: &Policy| {
            AsRef::<ast::Policy>::as_ref(p).template().non_scope_constraints().map(ToString::to_string)
        };
        assert_eq!(conditions(&form), conditions(&policy));
    }

    /// A condition that reads the action first leaves a cut form of the scopes alone.
    #[test]
    fn a_first_condition_on_the_action_leaves_the_scopes_alone() {
        let form = form_of(
            r#"permit (principal, action, resource) when { action == Action::"x" && principal.flag };"#,
        );
        let cut = form.cut.expect("the condition reads the action");
        assert!(AsRef::<ast::Policy>::as_ref(cut.as_ref()).template().non_scope_constraints().is_none());
    }

    #[test]
    fn a_policy_that_never_reads_the_action_has_one_form() {
        let form = form_of(
            r#"permit (principal is User, action in [Action::"a", Action::"b"], resource in Org::"o")
               when { principal.note == "action" && resource.flag };"#,
        );
        assert!(form.cut.is_none());
        let text = form.whole.to_string();
        assert!(text.contains("principal.note") && text.contains("resource.flag"), "{text}");
        assert!(!text.contains("Action::"), "{text}");
    }

    /// Only the action variable counts: an attribute named `action` is not the action.
    #[test]
    fn an_attribute_named_action_is_not_the_action() {
        let form = form_of(r#"permit (principal, action, resource) when { context.action == "x" };"#);
        assert!(form.cut.is_none());
        assert!(form.whole.to_string().contains("context.action"));
    }

    /// A set that extends the defaults keeps their forms as made, and makes its own on first
    /// need, from its own source.
    #[test]
    fn an_extended_set_keeps_the_forms_already_made() {
        let schema = default_schema().expect("default schema");
        let defaults = build_policy_set(default_policy_sources(), 0, &schema).expect("default policies");
        let forms = OpenForms::new(&defaults);
        forms.make_all(&defaults);
        let custom = crate::policies::PolicySource::new(
            "custom.cedar",
            r#"@id("custom-view") permit (principal is User, action in [Action::"viewBilling"], resource is Organization) when { principal in resource.members };"#,
        );
        let extended_set =
            crate::policies::extend_policy_set(defaults.clone(), vec![custom], 0, &schema).expect("extends");
        let extended = forms.extended(&extended_set);
        let made = |id: &str| extended.forms.get(&PolicyId::new(id)).and_then(OnceLock::get).is_some();
        assert!(made("bill1-admins-view-billing"));
        assert!(!made("custom-view"));
        // Shared with the set it extends, not copied.
        let id = PolicyId::new("bill1-admins-view-billing");
        let (theirs, ours) = (forms.get(&id, &defaults), extended.get(&id, &extended_set));
        assert!(theirs.zip(ours).is_some_and(|(a, b)| std::ptr::eq(a, b)));
        let form =
            extended.get(&PolicyId::new("custom-view"), &extended_set).expect("the custom policy's form");
        assert_eq!(form.whole.action_constraint(), ActionConstraint::Any);
        assert_eq!(form.whole.annotation("id"), Some("custom-view"));
    }

    /// Every default policy has open forms, and only the SEC-3 forbids read the action (every
    /// other one is decided once per matrix row). If this changes, checks or rows get slower,
    /// not wrong.
    #[test]
    fn every_default_policy_has_open_forms_and_only_sec3_is_cut() {
        let schema = default_schema().expect("default schema");
        let policies = build_policy_set(default_policy_sources(), 0, &schema).expect("default policies");
        let forms = OpenForms::new(&policies);
        let mut cut: Vec<String> = Vec::new();
        for info in &policies.ordered {
            let form =
                forms.get(&PolicyId::new(&info.id), &policies).expect("every default policy has open forms");
            assert_eq!(form.whole.id().to_string(), info.id);
            if form.cut.is_some() {
                cut.push(info.id.clone());
            }
        }
        cut.sort();
        assert_eq!(cut, ["sec3-mfa-compliance", "sec3-password-policy-compliance"]);
    }
}

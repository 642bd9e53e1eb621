//! Each policy with its action scope opened to any action, made once per ruleset from the
//! policy's own text and parsed by Cedar.
//!
//! A request for one action is decided by that action's slice of the policy set: the policies
//! whose action scope the catalog found to include the action (see
//! [`super::ActionEntry::policies`]). For such a request, Cedar would evaluate each slice
//! member's action scope only to find it `true`. That test is not free: `action in [A, B, C]`
//! builds a set value and looks the action's ancestors up once per element, on every check.
//! So a slice holds each member's *open form*, the same policy whose action scope is `action`:
//!
//! - Cedar evaluates a policy as `principal scope && action scope && resource scope &&
//!   condition …`, left to right. With the action scope `true`, the open form evaluates the
//!   same expressions in the same order, so it holds, fails or errs exactly when the policy
//!   does, with the same error.
//! - It keeps the policy's id, effect, principal and resource scopes and annotations (checked
//!   after parsing): answers name the same policies.
//!
//! Matrix rows use the same forms, cut before the first condition that reads the action
//! (see [`super::rows`]). A policy whose text does not have the expected shape has no open
//! form; a slice then holds the policy itself, which decides the same, only slower, and the
//! cells of its actions are evaluated one by one. A custom policy scoped to one action goes
//! into its slice as written too, unless its form was made already
//! ([`OpenForms::get_unless_one_action`]).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use cedar_policy::{ActionConstraint, Policy, PolicyId, PolicySet};

use crate::cedar_text::{tokens, Token};
use crate::policies::{AnnotatedPolicies, PolicyInfo};

/// One policy's open forms.
#[derive(Debug, Clone)]
pub(crate) struct OpenForm {
    /// Every condition kept: what a check of an action in the policy's scope evaluates.
    pub whole: Policy,
    /// Cut before the first condition that mentions `action`, when one does: what a matrix
    /// row can evaluate once for every action (`None`: `whole` is the row form too). Boxed,
    /// as few policies have one.
    pub cut: Option<Box<Policy>>,
}

/// The open forms of a policy set, each made the first time a slice or the row plan needs
/// it: parsing every policy's forms at once would cost a ruleset of custom policies about
/// twice its own parse on its first check. The default ruleset's are all made when the
/// package is built, and a ruleset that extends the defaults starts from them.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenForms {
    forms: HashMap<PolicyId, FormEntry>,
}

/// Where a policy's text is, and its forms once made.
#[derive(Debug, Clone)]
struct FormEntry {
    /// The index of its source in the policy set's sources.
    source: usize,
    /// Its bytes in that source.
    range: Range<usize>,
    /// `None` inside: the text has no open form. Behind an `Arc`: a policy is several hundred
    /// bytes, which the map's free slots would each hold, and a ruleset that extends this one
    /// shares the forms instead of copying them.
    form: OnceLock<Option<Arc<OpenForm>>>,
}

impl FormEntry {
    /// The forms of the policy `id` of `policies`, made on the first call.
    fn made(&self, id: &PolicyId, policies: &AnnotatedPolicies) -> &Option<Arc<OpenForm>> {
        self.form.get_or_init(|| {
            let policy = policies.set.policy(id)?;
            let statement = policies.sources.get(self.source)?.text.get(self.range.clone())?;
            open_form(policy, statement).map(Arc::new)
        })
    }
}

impl OpenForms {
    /// Finds every policy's text; makes no form yet.
    pub(crate) fn new(policies: &AnnotatedPolicies) -> Self {
        let forms = policy_statements(policies)
            .into_iter()
            .map(|(info, source, range)| {
                (PolicyId::new(&info.id), FormEntry { source, range, form: OnceLock::new() })
            })
            .collect();
        Self { forms }
    }

    /// The forms of `policies`, a set that extends the one these were found in: the forms
    /// already made are shared, so a ruleset that adds policies to the defaults parses forms
    /// for its own policies only.
    pub(crate) fn extended(&self, policies: &AnnotatedPolicies) -> Self {
        let mut forms = self.forms.clone();
        for (info, source, range) in policy_statements(policies) {
            forms.entry(PolicyId::new(&info.id)).or_insert_with(|| FormEntry {
                source,
                range,
                form: OnceLock::new(),
            });
        }
        Self { forms }
    }

    /// The open forms of the policy `id` of `policies` (the set these were found in).
    pub(crate) fn get(&self, id: &PolicyId, policies: &AnnotatedPolicies) -> Option<&OpenForm> {
        let entry = self.forms.get(id)?;
        // The compiled runtime has them all made by its compile step (`make_all`): making one
        // here would keep the parser in the runtime.
        #[cfg(feature = "compiled-runtime")]
        let form = {
            let _ = policies;
            entry.form.get()?
        };
        #[cfg(not(feature = "compiled-runtime"))]
        let form = entry.made(id, policies);
        form.as_deref()
    }

    /// Makes every policy's forms now, for a ruleset whose memory is shipped as it is.
    pub(crate) fn make_all(&self, policies: &AnnotatedPolicies) {
        for (id, entry) in &self.forms {
            entry.made(id, policies);
        }
    }

    /// The forms of the policy `id`, made if need be, except for a policy scoped to one action
    /// (`action == A`): its forms only if they are made already. Making them parses the policy
    /// again, which with 1,000 custom policies on one action took about 90 ms in the release
    /// module. A slice takes such a policy as written, where its action test is one
    /// comparison; a matrix row does without its form when its action's slice is large
    /// ([`super::rows`]). The default policies' forms are made with their ruleset, and the
    /// compiled runtime's by its compile step, so both use them as before.
    pub(crate) fn get_unless_one_action(
        &self,
        id: &PolicyId,
        policies: &AnnotatedPolicies,
    ) -> Option<&OpenForm> {
        if matches!(policies.set.policy(id)?.action_constraint(), ActionConstraint::Eq(_)) {
            self.forms.get(id)?.form.get()?.as_deref()
        } else {
            self.get(id, policies)
        }
    }

    /// The slice of `policies` made of `members`, each in its open form where
    /// [`OpenForms::get_unless_one_action`] gives one. Only a request for an action in every
    /// member's scope may be decided by it. `None` if a member is missing from the set or Cedar
    /// refused the slice.
    pub(crate) fn slice(&self, members: &[PolicyId], policies: &AnnotatedPolicies) -> Option<PolicySet> {
        let chosen: Option<Vec<Policy>> = members
            .iter()
            .map(|id| {
                self.get_unless_one_action(id, policies)
                    .map(|form| &form.whole)
                    .or_else(|| policies.set.policy(id))
                    .cloned()
            })
            .collect();
        PolicySet::from_policies(chosen?).ok()
    }
}

/// Each policy with where its own text is: the sources split at every `;` outside brackets
/// and strings, in the order the policy set was built (source by source, policy by policy).
/// A source whose split does not give its policies back, one for one, gives none.
fn policy_statements(policies: &AnnotatedPolicies) -> Vec<(&Arc<PolicyInfo>, usize, Range<usize>)> {
    let mut out = Vec::new();
    let mut ordered = policies.ordered.iter().peekable();
    for (index, source) in policies.sources.iter().enumerate() {
        let mut statements = Vec::new();
        let mut start = None;
        for spanned in tokens(&source.text) {
            if spanned.token == Token::Punct(b';') && spanned.depth == 0 {
                if let Some(start) = start {
                    statements.push(start..spanned.end);
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
            out.extend(mine.into_iter().zip(statements).map(|(info, range)| (info, index, range)));
        }
    }
    out
}

/// The open forms of a policy, made from its text; `None` when the text does not have the
/// expected shape.
///
/// The forms are made on the text and parsed by Cedar's policy-set parser, which the engine
/// needs anyway: rebuilding them through Cedar's JSON or syntax-tree formats, or printing a
/// policy, would bring their code into the wasm module.
fn open_form(policy: &Policy, statement: &str) -> Option<OpenForm> {
    let texts = open_form_texts(statement)?;
    let whole = parse_form(policy, &texts.whole)?;
    let cut = match texts.cut {
        Some(text) => Some(Box::new(parse_form(policy, &text)?)),
        None => None,
    };
    Some(OpenForm { whole, cut })
}

/// `text` parsed as the one policy it must be: `policy` with its action scope opened.
fn parse_form(policy: &Policy, text: &str) -> Option<Policy> {
    let parsed = text.parse::<PolicySet>().ok()?;
    let mut forms = parsed.policies();
    let form = forms.next()?.new_id(policy.id().clone());
    if forms.next().is_some() {
        return None;
    }
    // The statement must be this very policy, less its action scope (and cut conditions).
    let same_policy = form.effect() == policy.effect()
        && form.principal_constraint() == policy.principal_constraint()
        && form.resource_constraint() == policy.resource_constraint()
        && form.action_constraint() == ActionConstraint::Any
        && form.annotations().eq(policy.annotations());
    same_policy.then_some(form)
}

/// The texts of a policy's open forms.
struct OpenFormTexts {
    whole: String,
    cut: Option<String>,
}

/// `effect (principal, <action scope>, resource) clause … ;` becomes
/// `effect (principal, action, resource) clause … ;`, and, if a clause mentions `action`,
/// also `effect (principal, action, resource) <clauses before the first that does>;`.
fn open_form_texts(text: &str) -> Option<OpenFormTexts> {
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
    let head = text.get(..first_comma.end)?;
    let opened = |until: usize| Some(format!("{head} action {};", text.get(second_comma.start..until)?));
    Some(OpenFormTexts {
        whole: opened(end)?,
        cut: match cut {
            Some(until) => Some(opened(until)?),
            None => None,
        },
    })
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::policies::{build_policy_set, default_policy_sources, default_schema};

    fn form_of(text: &str) -> OpenForm {
        let policy: Policy = text.parse().expect("test policy parses");
        open_form(&policy, text).expect("test policy has open forms")
    }

    #[test]
    fn a_condition_on_the_action_is_cut_with_everything_after_it() {
        let form = form_of(
            r#"@reason("a (reason); with \"action\", in it")
               forbid (principal, action == Action::"a", resource)
               when { principal.flag } unless { action in [Action::"b"] } when { resource.flag };"#,
        );
        let cut = form.cut.expect("a clause reads the action").to_string();
        assert!(cut.contains("principal.flag"), "{cut}");
        assert!(!cut.contains("Action::"), "{cut}");
        assert!(!cut.contains("resource.flag"), "{cut}");
        assert_eq!(form.whole.annotation("reason"), Some(r#"a (reason); with "action", in it"#));
        // The whole form keeps every clause, the one on the action included: only the scope
        // is opened.
        let whole = form.whole.to_string();
        assert!(whole.contains("principal.flag") && whole.contains("resource.flag"), "{whole}");
        assert!(whole.contains(r#"unless { action in [Action::"b"] }"#), "{whole}");
        assert!(!whole.contains(r#"Action::"a""#), "{whole}");
        assert_eq!(form.whole.action_constraint(), ActionConstraint::Any);
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

    #[test]
    fn a_word_action_anywhere_in_a_clause_cuts_it() {
        let form = form_of(r#"permit (principal, action, resource) when { context.action == "x" };"#);
        let cut = form.cut.expect("the clause mentions action").to_string();
        assert!(!cut.contains("context"), "{cut}");
        assert!(form.whole.to_string().contains("context.action"));
    }

    #[test]
    fn a_text_of_another_shape_has_no_open_form() {
        let policy: Policy = r#"permit (principal, action, resource);"#.parse().expect("parses");
        // Three scope commas: not a scope this rewrite understands.
        assert!(open_form_texts("permit (principal, action, resource, x);").is_none());
        // A text that is another policy than the one it is offered for.
        assert!(open_form(&policy, r#"forbid (principal, action, resource);"#).is_none());
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
        let made =
            |id: &str| extended.forms.get(&PolicyId::new(id)).and_then(|entry| entry.form.get()).is_some();
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

    /// A slice takes a policy scoped to one action as it is, and makes no form for it; a
    /// policy scoped to several actions goes in opened, its form made.
    #[test]
    fn a_slice_takes_a_one_action_policy_as_written() {
        let schema = default_schema().expect("default schema");
        let defaults = build_policy_set(default_policy_sources(), 0, &schema).expect("default policies");
        let custom = crate::policies::PolicySource::new(
            "custom.cedar",
            r#"@id("one") permit (principal is User, action == Action::"viewBilling", resource is Organization) when { principal in resource.members };
               @id("two") permit (principal is User, action in [Action::"viewBilling", Action::"viewUsage"], resource is Organization) when { principal in resource.members };"#,
        );
        let set = crate::policies::extend_policy_set(defaults, vec![custom], 0, &schema).expect("extends");
        let forms = OpenForms::new(&set);
        let (one, two) = (PolicyId::new("one"), PolicyId::new("two"));
        let slice = forms.slice(&[one.clone(), two.clone()], &set).expect("the slice");
        let made = |id: &PolicyId| forms.forms.get(id).and_then(|entry| entry.form.get()).is_some();
        assert!(!made(&one));
        assert!(made(&two));
        let in_slice = |id: &PolicyId| slice.policy(id).expect("in the slice").action_constraint();
        assert!(matches!(in_slice(&one), ActionConstraint::Eq(_)));
        assert_eq!(in_slice(&two), ActionConstraint::Any);
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

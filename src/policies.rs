//! The embedded default policy set and schema, and the parsing of policy sources into one
//! annotated, strictly validated `PolicySet`.

use std::collections::HashMap;
use std::sync::Arc;

use cedar_policy::{Effect, Policy, PolicyId, PolicySet, Schema, Template, ValidationMode, Validator};
use serde::{Deserialize, Serialize};

use crate::diagnostics::{diagnostics_of, locate};
use crate::error::{Diagnostic, Error, Result};

/// One named Cedar source: a file of policies or a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct PolicySource {
    pub name: String,
    pub text: String,
}

impl PolicySource {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self { name: name.into(), text: text.into() }
    }
}

/// The default schema, `policies/schema.cedarschema`.
pub const DEFAULT_SCHEMA: &str = include_str!("../policies/schema.cedarschema");

/// The same schema in Cedar's JSON schema format, generated from `DEFAULT_SCHEMA` (a test
/// checks they are the same schema, and regenerates this file with `ORGWARDEN_BLESS=1`).
/// It loads several times faster than the Cedar syntax, which matters at start-up.
pub const DEFAULT_SCHEMA_JSON: &str = include_str!("../policies/schema.cedarschema.json");

/// The embedded schema.
pub fn default_schema() -> Result<Schema> {
    Schema::from_json_str(DEFAULT_SCHEMA_JSON).map_err(|error| {
        Error::InvalidSchema(diagnostics_of(&error, None, "schema.cedarschema.json", DEFAULT_SCHEMA_JSON))
    })
}

const DEFAULT_POLICY_FILES: [(&str, &str); 8] = [
    ("organization.cedar", include_str!("../policies/organization.cedar")),
    ("membership.cedar", include_str!("../policies/membership.cedar")),
    ("teams.cedar", include_str!("../policies/teams.cedar")),
    ("workspaces.cedar", include_str!("../policies/workspaces.cedar")),
    ("algorithms.cedar", include_str!("../policies/algorithms.cedar")),
    ("api_keys.cedar", include_str!("../policies/api_keys.cedar")),
    ("billing.cedar", include_str!("../policies/billing.cedar")),
    ("security.cedar", include_str!("../policies/security.cedar")),
];

/// How many files `default_policy_sources` returns.
pub const DEFAULT_POLICY_FILE_COUNT: usize = DEFAULT_POLICY_FILES.len();

/// The default policy files, as embedded in the binary.
pub fn default_policy_sources() -> Vec<PolicySource> {
    DEFAULT_POLICY_FILES.iter().map(|(name, text)| PolicySource::new(*name, *text)).collect()
}

/// What a policy's annotations say about it: the domain rule it enforces and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct PolicyInfo {
    /// The policy id: its `@id` annotation, or `<source>#<n>` when it has none.
    pub id: String,
    /// The `@rule` annotation (a domain rule id such as `MEM-7`), if any.
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The `@reason` annotation: the sentence a person is told when this policy is why they
    /// are refused: a forbid that applied, or the permit they lack (see `Verdict::reason`).
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The `@grant` annotation of a permit: the sentence a person is told when this permit is
    /// why they are allowed. Without one, an allow reads the `@reason`.
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
    pub effect: PolicyEffect,
    /// The source the policy came from.
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub enum PolicyEffect {
    Permit,
    Forbid,
}

/// The parsed policy set with each policy's annotations at hand.
#[derive(Debug, Clone, Default)]
pub struct AnnotatedPolicies {
    pub set: PolicySet,
    pub info: HashMap<PolicyId, Arc<PolicyInfo>>,
    /// In source order, for listings.
    pub ordered: Vec<Arc<PolicyInfo>>,
    pub sources: Vec<PolicySource>,
    /// What Cedar's validator warns of in the policies it validated (an impossible policy, a
    /// confusable identifier): they are valid, and likely not what their author meant.
    pub warnings: Vec<Diagnostic>,
}

/// Parses every source, names each policy after its `@id` and validates it in strict mode
/// against `schema`, except the first `prevalidated` sources: those are known to validate
/// (the embedded defaults against the embedded schema, which a test checks), and validating
/// them again would be most of the start-up time. Every problem found is reported.
pub fn build_policy_set(
    sources: Vec<PolicySource>,
    prevalidated: usize,
    schema: &Schema,
) -> Result<AnnotatedPolicies> {
    extend_policy_set(AnnotatedPolicies::default(), sources, prevalidated, schema)
}

/// [`build_policy_set`] on top of policies already built and validated against `schema`:
/// the sources are added after `base`'s, and only they are parsed and validated.
pub fn extend_policy_set(
    base: AnnotatedPolicies,
    new_sources: Vec<PolicySource>,
    prevalidated: usize,
    schema: &Schema,
) -> Result<AnnotatedPolicies> {
    let AnnotatedPolicies { mut set, mut info, mut ordered, mut sources, mut warnings } = base;
    let first_new = sources.len();
    sources.extend(new_sources);
    // Strict validation looks at one policy at a time, so validating a subset is the same as
    // validating the whole set and keeping that subset's errors.
    let mut to_validate = PolicySet::new();
    let mut problems = Vec::new();

    for (position, source) in sources.iter().skip(first_new).enumerate() {
        let parsed = match source.text.parse::<PolicySet>() {
            Ok(parsed) => parsed,
            Err(errors) => {
                problems.extend(diagnostics_of(&errors, None, &source.name, &source.text));
                continue;
            }
        };
        problems.extend(parsed.templates().map(|template| template_refused(template, source)));
        for (index, policy) in parsed.policies().enumerate() {
            let id = annotation(policy, "id")
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{}#{}", source.name, index));
            if id.is_empty() {
                // `@id` without a value is an empty one too.
                let offset = source.text.find("@id(\"\")").or_else(|| source.text.find("@id")).unwrap_or(0);
                problems.push(Diagnostic {
                    message: format!("a policy of `{}` has an empty @id", source.name),
                    help: Some("name the policy: answers and listings identify it by its @id".to_owned()),
                    policy_id: None,
                    location: Some(locate(&source.name, &source.text, offset, "@id".len())),
                });
                continue;
            }
            let renamed = policy.new_id(PolicyId::new(&id));
            if position >= prevalidated {
                // A duplicate id is reported by `set.add` just below.
                let _ = to_validate.add(renamed.clone());
            }
            if let Err(error) = set.add(renamed) {
                let location = source
                    .text
                    .find(&format!("@id(\"{id}\")"))
                    .map(|offset| locate(&source.name, &source.text, offset, id.len() + 7));
                problems.push(Diagnostic {
                    message: format!("{error}"),
                    help: Some("give every policy a distinct @id".to_owned()),
                    policy_id: Some(id),
                    location,
                });
                continue;
            }
            let entry = Arc::new(PolicyInfo {
                id: id.clone(),
                rule: annotation(policy, "rule").map(str::to_owned),
                reason: annotation(policy, "reason").map(str::to_owned),
                grant: annotation(policy, "grant").map(str::to_owned),
                effect: match policy.effect() {
                    Effect::Permit => PolicyEffect::Permit,
                    Effect::Forbid => PolicyEffect::Forbid,
                },
                source: source.name.clone(),
            });
            info.insert(PolicyId::new(&id), Arc::clone(&entry));
            ordered.push(entry);
        }
    }
    if !problems.is_empty() {
        return Err(Error::InvalidPolicy(problems));
    }

    if to_validate.is_empty() {
        return Ok(AnnotatedPolicies { set, info, ordered, sources, warnings });
    }
    let validation = Validator::new(schema.clone()).validate(&to_validate, ValidationMode::Strict);
    // The first labelled span of a validator report, located in its policy's source.
    let located = |report: &dyn miette::Diagnostic, policy_id: &PolicyId| {
        let policy_id = policy_id.to_string();
        let source = ordered
            .iter()
            .find(|p| p.id == policy_id)
            .and_then(|p| sources.iter().find(|s| s.name == p.source));
        let (name, text) = source.map_or(("", ""), |s| (s.name.as_str(), s.text.as_str()));
        let mut found = diagnostics_of(report, Some(policy_id), name, text);
        found.truncate(1);
        found
    };
    let invalid: Vec<Diagnostic> =
        validation.validation_errors().flat_map(|error| located(error, error.policy_id())).collect();
    if !invalid.is_empty() {
        return Err(Error::InvalidPolicy(invalid));
    }
    warnings
        .extend(validation.validation_warnings().flat_map(|warning| located(warning, warning.policy_id())));
    Ok(AnnotatedPolicies { set, info, ordered, sources, warnings })
}

/// The refusal of a policy template (a scope with `?principal` or `?resource`): nothing here
/// links templates, so one would be kept and never apply, and a forbid among them would
/// silently not forbid.
fn template_refused(template: &Template, source: &PolicySource) -> Diagnostic {
    let slot = ["?principal", "?resource"].iter().filter_map(|slot| source.text.find(slot)).min();
    let id = annotation_of(template.annotations(), "id").map(str::to_owned);
    Diagnostic {
        message: format!(
            "`{}` holds a policy template (a scope with ?principal or ?resource); templates are not supported",
            source.name
        ),
        help: Some("name the entity in the scope instead, e.g. principal == User::\"mia\"".to_owned()),
        policy_id: id,
        location: slot.map(|offset| locate(&source.name, &source.text, offset, "?principal".len())),
    }
}

/// A policy's annotation. `Policy::annotation` parses the key with Cedar's grammar on every
/// call; reading the list does not, and start-up reads three annotations of every policy.
fn annotation<'a>(policy: &'a Policy, key: &str) -> Option<&'a str> {
    annotation_of(policy.annotations(), key)
}

fn annotation_of<'a>(
    mut annotations: impl Iterator<Item = (&'a str, &'a str)>,
    key: &str,
) -> Option<&'a str> {
    annotations.find_map(|(k, value)| (k == key).then_some(value))
}

/// Parses a schema in Cedar schema syntax.
pub fn parse_schema(name: &str, text: &str) -> Result<Schema> {
    Schema::from_cedarschema_str(text)
        .map(|(schema, _warnings)| schema)
        .map_err(|error| Error::InvalidSchema(diagnostics_of(&error, None, name, text)))
}

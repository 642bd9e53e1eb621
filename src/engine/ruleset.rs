//! What an engine decides with and never changes: the schema, the policy set and the catalog.
//! Engines share it behind an `Arc`, so a new engine costs no parsing when its ruleset is
//! already built. The default ruleset is built once per process; the wasm package goes
//! further and builds it when the package itself is built (see [`preinitialize`]).

use std::sync::{Arc, OnceLock};

use cedar_policy::Schema;

use super::catalog::Catalog;
use super::open_forms::OpenForms;
use super::rows::RowPlan;
use super::EngineOptions;
use crate::error::Result;
use crate::limits::{check_policy_shape, check_schema_shape, check_size, MAX_POLICY_BYTES};
use crate::policies::{
    default_policy_sources, default_schema, extend_policy_set, parse_schema, AnnotatedPolicies,
    DEFAULT_POLICY_FILE_COUNT, DEFAULT_SCHEMA,
};

#[derive(Debug)]
pub(crate) struct Ruleset {
    pub(crate) schema: Schema,
    pub(crate) schema_text: String,
    pub(crate) policies: AnnotatedPolicies,
    pub(crate) catalog: Catalog,
    /// Whether `schema` is the embedded one, which the snapshot's entities are built to
    /// conform to.
    embedded_schema: bool,
    /// Whether the default policies are in the set: what the compiled runtime compares an
    /// explicit `includeDefaultPolicies` with.
    #[cfg_attr(not(feature = "compiled-runtime"), allow(dead_code))]
    with_default_policies: bool,
    /// Built on the first check (for the defaults in the wasm package, at its build).
    open_forms: OnceLock<OpenForms>,
    /// Built on the first row query (for the defaults in the wasm package, at its build).
    row_plan: OnceLock<RowPlan>,
    /// The schema's action entities, which a store loaded without the schema needs added:
    /// shared by every store of every engine on this ruleset, never copied into one.
    action_entities: OnceLock<Option<Vec<Arc<cedar_policy_core::ast::Entity>>>>,
}

/// The default ruleset: in the full build, the embedded schema and default policies, built on
/// first use (or by the package's build); in the compiled runtime, whatever `orgwarden
/// compile` built into the module's memory.
static DEFAULTS: OnceLock<Arc<Ruleset>> = OnceLock::new();

impl Ruleset {
    /// The ruleset `options` describe. One that extends the default ruleset starts from it,
    /// and parses and validates only the caller's policies.
    #[cfg(not(feature = "compiled-runtime"))]
    pub(crate) fn for_options(mut options: EngineOptions) -> Result<Arc<Self>> {
        // Unset and `true` are the same set here: one ruleset for both.
        options.include_default_policies = Some(options.includes_default_policies());
        if options.schema.is_some() || !options.includes_default_policies() {
            return shared(&options, || Self::build(options.clone(), None));
        }
        let defaults = Self::defaults()?;
        if options.policies.is_empty() {
            return Ok(defaults);
        }
        shared(&options, || Self::build(options.clone(), Some(&defaults)))
    }

    /// The compiled runtime has one ruleset, the compiled one: any other options would need
    /// the parser this runtime leaves out. `includeDefaultPolicies` is taken when it says what
    /// the module was compiled with.
    #[cfg(feature = "compiled-runtime")]
    pub(crate) fn for_options(options: EngineOptions) -> Result<Arc<Self>> {
        use crate::error::Error::CompiledRuntime;
        if options.schema.is_some() || !options.policies.is_empty() {
            return Err(CompiledRuntime("schema and policy options are not taken".into()));
        }
        let compiled = DEFAULTS
            .get()
            .cloned()
            .ok_or_else(|| CompiledRuntime("no compiled ruleset is in this module".into()))?;
        match options.include_default_policies {
            Some(asked) if asked != compiled.with_default_policies => Err(CompiledRuntime(format!(
                "this module was compiled {} the default policies",
                if compiled.with_default_policies { "with" } else { "without" }
            ))),
            _ => Ok(compiled),
        }
    }

    /// The embedded schema and default policies, built on first use and shared after.
    #[cfg(not(feature = "compiled-runtime"))]
    fn defaults() -> Result<Arc<Self>> {
        if let Some(built) = DEFAULTS.get() {
            return Ok(Arc::clone(built));
        }
        let built = Self::build(EngineOptions::default(), None)?;
        // Made now, as the package's preinitialization makes them: natively too, the
        // defaults' forms are shared by every ruleset that extends them.
        built.open_forms().make_all(&built.policies);
        Ok(Arc::clone(DEFAULTS.get_or_init(|| Arc::new(built))))
    }

    /// `base`, when given, is the default ruleset, and `options` extend it.
    fn build(options: EngineOptions, base: Option<&Ruleset>) -> Result<Self> {
        let embedded_schema = options.schema.is_none();
        let with_default_policies = base.is_some() || options.includes_default_policies();
        let (schema, schema_text) = match (options.schema, base) {
            (Some(text), _) => {
                check_schema_shape("schema", &text)?;
                (parse_schema("schema", &text)?, text)
            }
            (None, Some(base)) => (base.schema.clone(), base.schema_text.clone()),
            (None, None) => (default_schema()?, DEFAULT_SCHEMA.to_owned()),
        };
        let (start, mut sources, prevalidated) = match base {
            Some(base) => (base.policies.clone(), Vec::new(), 0),
            None if with_default_policies => {
                // The defaults are known to validate against the embedded schema only.
                let prevalidated = if embedded_schema { DEFAULT_POLICY_FILE_COUNT } else { 0 };
                (AnnotatedPolicies::default(), default_policy_sources(), prevalidated)
            }
            None => (AnnotatedPolicies::default(), Vec::new(), 0),
        };
        sources.extend(options.policies);
        let total: usize = start.sources.iter().chain(&sources).map(|s| s.text.len()).sum();
        check_size("policy sources in bytes", total, MAX_POLICY_BYTES)?;
        for source in &sources {
            check_policy_shape(&source.name, &source.text)?;
        }
        let policies = extend_policy_set(start, sources, prevalidated, &schema)?;
        let catalog = Catalog::new(&schema, &policies)?;
        let open_forms = OnceLock::new();
        if let Some(base) = base {
            // The defaults' forms are made (in the package, when it was built): only the
            // caller's policies still need theirs.
            let _ = open_forms.set(base.open_forms().extended(&policies));
        }
        Ok(Self {
            schema,
            schema_text,
            policies,
            catalog,
            embedded_schema,
            with_default_policies,
            open_forms,
            row_plan: OnceLock::new(),
            action_entities: OnceLock::new(),
        })
    }

    /// Each policy with its action scope opened, which the per-action slices hold (see
    /// [`super::open_forms`]).
    pub(crate) fn open_forms(&self) -> &OpenForms {
        #[cfg(not(feature = "compiled-runtime"))]
        return self.open_forms.get_or_init(|| OpenForms::new(&self.policies));
        // Built by the compile step; no forms (slices of the policies themselves) would only
        // be slower, and keeps the parser out of the runtime.
        #[cfg(feature = "compiled-runtime")]
        self.open_forms.get_or_init(OpenForms::default)
    }

    pub(crate) fn row_plan(&self) -> &RowPlan {
        #[cfg(not(feature = "compiled-runtime"))]
        return self.row_plan.get_or_init(|| self.new_row_plan());
        // Built by the compile step; an empty plan (every row from the per-action slices)
        // would only be slower, and keeps the planner out of the runtime.
        #[cfg(feature = "compiled-runtime")]
        self.row_plan.get_or_init(RowPlan::default)
    }

    fn new_row_plan(&self) -> RowPlan {
        RowPlan::new(&self.policies, self.open_forms(), self.catalog.actions())
    }

    /// The action entities to add to snapshot entities loaded without a conformance check,
    /// or `None` when that check must run: under a caller's schema, which the snapshot's
    /// entities are not built for, or if the schema's actions cannot be listed.
    pub(crate) fn unchecked_snapshot_actions(&self) -> Option<&[Arc<cedar_policy_core::ast::Entity>]> {
        if !self.embedded_schema {
            return None;
        }
        self.shared_action_entities()
    }

    /// The schema's action entities, made once and shared by every store built on this
    /// ruleset; `None` if the schema cannot list them.
    pub(crate) fn shared_action_entities(&self) -> Option<&[Arc<cedar_policy_core::ast::Entity>]> {
        self.action_entities
            .get_or_init(|| {
                let actions = self.schema.action_entities().ok()?;
                Some(actions.into_iter().map(|action| Arc::new(action.as_ref().clone())).collect())
            })
            .as_deref()
    }
}

/// The ruleset of these options if an engine still holds one, else a new one, kept for the
/// next engine with the same options. A frontend or an edge function that makes an authorizer
/// per request with the same custom policies would otherwise hold a copy of the whole policy
/// set per authorizer (about 250 KiB in the wasm module) and parse it every time. Entries are
/// weak: a ruleset no engine holds is freed, and its entry is dropped on the next insert.
#[cfg(not(feature = "compiled-runtime"))]
fn shared(options: &EngineOptions, build: impl FnOnce() -> Result<Ruleset>) -> Result<Arc<Ruleset>> {
    use std::collections::HashMap;
    use std::sync::{Mutex, Weak};

    static BUILT: OnceLock<Mutex<HashMap<String, Weak<Ruleset>>>> = OnceLock::new();
    // The whole options as the key: two option sets share a ruleset only if they are equal.
    let Ok(key) = serde_json::to_string(options) else {
        return build().map(Arc::new);
    };
    let cache = BUILT.get_or_init(Mutex::default);
    if let Some(ruleset) = cache.lock().ok().and_then(|built| built.get(&key).and_then(Weak::upgrade)) {
        return Ok(ruleset);
    }
    let ruleset = Arc::new(build()?);
    let Ok(mut built) = cache.lock() else { return Ok(ruleset) };
    // Built outside the lock, so another caller may have built the same options meanwhile:
    // the first one in stays the shared one, and this copy is dropped.
    if let Some(first) = built.get(&key).and_then(Weak::upgrade) {
        return Ok(first);
    }
    built.retain(|_, ruleset| ruleset.strong_count() > 0);
    built.insert(key, Arc::downgrade(&ruleset));
    Ok(ruleset)
}

/// Builds what a start of the default engine would otherwise build first: the default
/// ruleset with its action entities, open forms and row plan, the snapshot's type names, and the parsers
/// Cedar builds lazily. The wasm package's build runs this once and ships the memory it leaves
/// as the module's initial memory, so a cold start does none of it. The per-action slices
/// stay lazy: each is a few policies, quick to gather when its action is first asked about.
#[cfg(not(feature = "compiled-runtime"))]
pub fn preinitialize() -> Result<()> {
    // `defaults` makes the open forms as it builds the ruleset.
    let defaults = Ruleset::defaults()?;
    defaults.unchecked_snapshot_actions();
    defaults.row_plan();
    crate::snapshot::preinitialize();
    Ok(())
}

/// `orgwarden compile`'s step inside the module: builds the ruleset of `options` as the
/// module's only one, with everything the full build's preinitialization builds. The compile
/// command then ships the memory this leaves and removes the code only this reached: the
/// parser, the validator and the row planner.
#[cfg(feature = "compiled-runtime")]
pub fn preinitialize_with(options: EngineOptions) -> Result<()> {
    let built = Ruleset::build(options, None)?;
    let _ = built.open_forms.set(OpenForms::new(&built.policies));
    built.open_forms().make_all(&built.policies);
    let _ = built.row_plan.set(built.new_row_plan());
    built.unchecked_snapshot_actions();
    crate::snapshot::preinitialize();
    DEFAULTS
        .set(Arc::new(built))
        .map_err(|_| crate::error::Error::CompiledRuntime("a module is compiled once".into()))
}

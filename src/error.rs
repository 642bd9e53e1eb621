//! Errors of the core, each with a stable machine-readable code.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. They cross the JS boundary as SCREAMING_SNAKE_CASE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub enum ErrorCode {
    InvalidJson,
    InvalidSnapshot,
    InvalidEntities,
    InvalidSchema,
    InvalidPolicy,
    InvalidRequest,
    InvalidContext,
    UnknownAction,
    UnknownEntityType,
    UnknownPrincipal,
    UnknownResource,
    UnknownEntity,
    MissingInput,
    PolicyEvaluation,
    LimitExceeded,
    /// The JS layer's: a call on an authorizer after `free()` (or the end of its `using` block).
    AuthorizerFreed,
    /// The JS layer's: the module trapped during this call. It was replaced by a fresh
    /// instance; this authorizer's engine was lost with the old one.
    EngineTrapped,
    /// The JS layer's: this authorizer's engine was lost when the module was replaced after a
    /// trap in another call. Loading a snapshot or entities rebuilds it with its options.
    EngineReset,
    /// The JS layer's: a call before `init()` (or `initSync`) on the browser entry.
    ModuleNotInitialized,
    /// The compiled runtime was asked for something that needs policy or schema text.
    CompiledRuntime,
    /// A snapshot loaded for one organization describes another, or more than one; or an
    /// upsert into a store that serves one organization holds another's entities.
    OrgMismatch,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "INVALID_JSON",
            Self::InvalidSnapshot => "INVALID_SNAPSHOT",
            Self::InvalidEntities => "INVALID_ENTITIES",
            Self::InvalidSchema => "INVALID_SCHEMA",
            Self::InvalidPolicy => "INVALID_POLICY",
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::InvalidContext => "INVALID_CONTEXT",
            Self::UnknownAction => "UNKNOWN_ACTION",
            Self::UnknownEntityType => "UNKNOWN_ENTITY_TYPE",
            Self::UnknownPrincipal => "UNKNOWN_PRINCIPAL",
            Self::UnknownResource => "UNKNOWN_RESOURCE",
            Self::UnknownEntity => "UNKNOWN_ENTITY",
            Self::MissingInput => "MISSING_INPUT",
            Self::PolicyEvaluation => "POLICY_EVALUATION",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::AuthorizerFreed => "AUTHORIZER_FREED",
            Self::EngineTrapped => "ENGINE_TRAPPED",
            Self::EngineReset => "ENGINE_RESET",
            Self::ModuleNotInitialized => "MODULE_NOT_INITIALIZED",
            Self::CompiledRuntime => "COMPILED_RUNTIME",
            Self::OrgMismatch => "ORG_MISMATCH",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a source text a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SourceLocation {
    /// The name of the policy or schema source the problem is in.
    pub source: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 0-based byte offset into the source.
    pub offset: usize,
    /// Length of the offending span in bytes.
    pub length: usize,
}

/// One problem found in a policy, schema or input, as Cedar (or the engine) describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Diagnostic {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub help: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub policy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub location: Option<SourceLocation>,
}

impl Diagnostic {
    pub fn message(message: impl Into<String>) -> Self {
        Self { message: message.into(), help: None, policy_id: None, location: None }
    }
}

/// `error`'s message followed by each of its causes'. Cedar's top-level messages name only
/// the kind of fault ("entity does not conform to the schema"); their causes name the entity
/// and what is wrong with it.
pub fn message_with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    message
}

/// Every way the engine can refuse input or a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("invalid snapshot at `{path}`: {message}")]
    InvalidSnapshot { path: String, message: String },
    #[error("invalid Cedar entities: {0}")]
    InvalidEntities(String),
    #[error("invalid schema: {}", first_message(.0))]
    InvalidSchema(Vec<Diagnostic>),
    #[error("invalid policies: {}", first_message(.0))]
    InvalidPolicy(Vec<Diagnostic>),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("invalid context: {0}")]
    InvalidContext(String),
    #[error("unknown action `{0}`")]
    UnknownAction(String),
    #[error("unknown entity type `{0}`")]
    UnknownEntityType(String),
    #[error("principal {0} is not in the entity store")]
    UnknownPrincipal(String),
    #[error("resource {0} is not in the entity store")]
    UnknownResource(String),
    #[error("entity {0} is not in the entity store")]
    UnknownEntity(String),
    #[error("`{action}` needs the input `{field}`")]
    MissingInput { action: String, field: String },
    #[error("policy `{policy_id}` could not be evaluated: {message}")]
    PolicyEvaluation { policy_id: String, message: String },
    #[error("{what} exceeds the limit of {limit}")]
    LimitExceeded { what: String, limit: usize },
    /// The compiled runtime refused: `.0` says what was asked of it.
    #[error(
        "{0}: this module was compiled ahead of time with its policies, and runs no policy or \
         schema text; change them with `npx orgwarden compile`, or use the full package (`orgwarden`)"
    )]
    CompiledRuntime(String),
    /// `found`: what the snapshot holds instead (how many organizations, and the first ids).
    #[error("the snapshot was loaded for organization `{expected}` alone, but holds {found}")]
    OrganizationMismatch { expected: String, found: String },
    /// An upsert into a store that serves one organization named another: `found` is the
    /// first entity that does, and the organization it belongs to.
    #[error("this store serves organization `{expected}` alone, but the upsert holds {found}")]
    UpsertOrganizationMismatch { expected: String, found: String },
}

fn first_message(diagnostics: &[Diagnostic]) -> String {
    match diagnostics.first() {
        Some(first) if diagnostics.len() > 1 => {
            format!("{} (and {} more)", first.message, diagnostics.len() - 1)
        }
        Some(first) => first.message.clone(),
        None => "no details".to_owned(),
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidJson(_) => ErrorCode::InvalidJson,
            Self::InvalidSnapshot { .. } => ErrorCode::InvalidSnapshot,
            Self::InvalidEntities(_) => ErrorCode::InvalidEntities,
            Self::InvalidSchema(_) => ErrorCode::InvalidSchema,
            Self::InvalidPolicy(_) => ErrorCode::InvalidPolicy,
            Self::InvalidRequest(_) => ErrorCode::InvalidRequest,
            Self::InvalidContext(_) => ErrorCode::InvalidContext,
            Self::UnknownAction(_) => ErrorCode::UnknownAction,
            Self::UnknownEntityType(_) => ErrorCode::UnknownEntityType,
            Self::UnknownPrincipal(_) => ErrorCode::UnknownPrincipal,
            Self::UnknownResource(_) => ErrorCode::UnknownResource,
            Self::UnknownEntity(_) => ErrorCode::UnknownEntity,
            Self::MissingInput { .. } => ErrorCode::MissingInput,
            Self::PolicyEvaluation { .. } => ErrorCode::PolicyEvaluation,
            Self::LimitExceeded { .. } => ErrorCode::LimitExceeded,
            Self::CompiledRuntime(_) => ErrorCode::CompiledRuntime,
            Self::OrganizationMismatch { .. } | Self::UpsertOrganizationMismatch { .. } => {
                ErrorCode::OrgMismatch
            }
        }
    }

    /// Cedar's detailed diagnostics, for the errors that carry them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::InvalidSchema(d) | Self::InvalidPolicy(d) => d,
            _ => &[],
        }
    }

    pub(crate) fn snapshot(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidSnapshot { path: path.into(), message: message.into() }
    }
}

/// The serializable form of an [`Error`], as it crosses the JS boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ErrorInfo {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub diagnostics: Vec<Diagnostic>,
}

impl From<&Error> for ErrorInfo {
    fn from(error: &Error) -> Self {
        Self { code: error.code(), message: error.to_string(), diagnostics: error.diagnostics().to_vec() }
    }
}

impl From<Error> for ErrorInfo {
    fn from(error: Error) -> Self {
        Self::from(&error)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

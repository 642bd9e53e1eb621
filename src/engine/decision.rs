//! The answer to one authorization check.

use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::error::{Error, ErrorInfo};
use crate::policies::PolicyInfo;

/// Why an allowed check was allowed or a denied one denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub enum Cause {
    /// A permit policy applied and no forbid did.
    Permitted,
    /// A forbid policy applied: the deciding policies are the forbids.
    Forbidden,
    /// No policy grants this (SEC-1): `requirements` lists the permits that would have.
    NotPermitted,
}

/// A check that could be evaluated.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Verdict {
    pub allowed: bool,
    pub cause: Cause,
    /// A sentence for a person, from the policy the answer rests on (the first of `policies`,
    /// or for `notPermitted` the first of `requirements`): for `permitted` the permit's
    /// `@grant` ("Owners can rename the organization"), for `forbidden` the forbid's `@reason`,
    /// for `notPermitted` the `@reason` of the closest requirement, which says what this
    /// principal lacks ("Only owners can rename the organization").
    pub reason: String,
    /// The deciding policies: the permits that allowed, or the forbids that denied.
    pub policies: Vec<Arc<PolicyInfo>>,
    /// For `notPermitted`: the permit policies for this action and principal type, closest
    /// first (the narrowest, then in source order).
    pub requirements: Vec<Arc<PolicyInfo>>,
}

/// A check that could not be evaluated; it denies (SEC-4).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Failure {
    #[cfg_attr(feature = "wasm", tsify(type = "false"))]
    pub allowed: AlwaysFalse,
    pub reason: String,
    pub errors: Vec<ErrorInfo>,
}

/// `allowed` of a failure: a deny that cannot be anything else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlwaysFalse;

impl Serialize for AlwaysFalse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(false)
    }
}

/// The tagged answer to a check: it never throws, and a failure is a deny.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub enum Decision {
    Success(Verdict),
    Failure(Failure),
}

impl Decision {
    pub fn allowed(&self) -> bool {
        matches!(self, Self::Success(Verdict { allowed: true, .. }))
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Success(verdict) => Some(&verdict.reason),
            Self::Failure(failure) => Some(&failure.reason),
        }
    }

    /// The cause of a successful evaluation; `None` for a failure.
    pub fn cause(&self) -> Option<Cause> {
        match self {
            Self::Success(verdict) => Some(verdict.cause),
            Self::Failure(_) => None,
        }
    }

    /// The deciding policies of a successful evaluation.
    pub fn policies(&self) -> &[Arc<PolicyInfo>] {
        match self {
            Self::Success(verdict) => &verdict.policies,
            Self::Failure(_) => &[],
        }
    }

    pub fn errors(&self) -> &[ErrorInfo] {
        match self {
            Self::Success(_) => &[],
            Self::Failure(failure) => &failure.errors,
        }
    }

    pub(crate) fn failure(errors: Vec<Error>) -> Self {
        let reason =
            errors.first().map_or_else(|| "denied: the request failed".to_owned(), ToString::to_string);
        Self::Failure(Failure {
            allowed: AlwaysFalse,
            reason,
            errors: errors.iter().map(ErrorInfo::from).collect(),
        })
    }
}

impl From<Error> for Decision {
    fn from(error: Error) -> Self {
        Self::failure(vec![error])
    }
}

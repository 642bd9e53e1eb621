//! UI-gating queries: every action a principal may take on a resource, and a permissions
//! matrix over many resources and actions, each in one call.

use serde::Serialize;

use super::{ActionEntry, Cause, Decision, Engine, EntityRef};
use crate::error::{Error, Result};
use crate::limits::{check_size, MAX_MATRIX_CELLS};

/// One action's answer in a listing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ActionOutcome {
    pub action: String,
    pub decision: Decision,
}

/// One cell of a permissions matrix: the short form of a decision.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct MatrixCell {
    pub allowed: bool,
    /// `permitted`, `forbidden`, `notPermitted` (the causes of a check), or `error`: the cell
    /// could not be evaluated (an unknown resource, an action that does not apply to its type,
    /// an evaluation error), the matrix form of a failure; it is never allowed.
    #[cfg_attr(feature = "wasm", tsify(type = "Cause | \"error\""))]
    pub cause: String,
    /// The sentence of the cell's check: its answer's `reason`, or its failure's.
    pub reason: String,
    /// The domain rule of the deciding policy (or, when not permitted, of the closest
    /// requirement): the policy `reason` comes from.
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl From<Decision> for MatrixCell {
    fn from(decision: Decision) -> Self {
        match decision {
            Decision::Success(verdict) => Self {
                allowed: verdict.allowed,
                cause: match verdict.cause {
                    Cause::Permitted => "permitted",
                    Cause::Forbidden => "forbidden",
                    Cause::NotPermitted => "notPermitted",
                }
                .to_owned(),
                rule: verdict.policies.first().or(verdict.requirements.first()).and_then(|p| p.rule.clone()),
                reason: verdict.reason,
            },
            Decision::Failure(failure) => {
                Self { allowed: false, cause: "error".to_owned(), reason: failure.reason, rule: None }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct MatrixRow {
    pub resource: EntityRef,
    /// One cell per requested action, in the requested order.
    pub cells: Vec<MatrixCell>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Matrix {
    pub actions: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

impl Engine {
    /// Every action whose schema applies to this principal and resource type, with its
    /// decision, in name order.
    pub fn allowed_actions(&self, principal: &EntityRef, resource: &EntityRef) -> Result<Vec<ActionOutcome>> {
        let principal_uid = self.existing(principal, Error::UnknownPrincipal)?;
        let resource_uid = self.existing(resource, Error::UnknownResource)?;
        let (principal_type, resource_type) = (principal_uid.type_name(), resource_uid.type_name());
        let entries: Vec<&ActionEntry> = self
            .catalog()
            .actions()
            .iter()
            .filter(|entry| entry.applies_to(principal_type, resource_type))
            .collect();
        let decisions = self.decide_row(&principal_uid, &resource_uid, &entries);
        Ok(entries
            .iter()
            .zip(decisions)
            .map(|(entry, decision)| ActionOutcome { action: entry.name.clone(), decision })
            .collect())
    }

    /// One decision per resource and action, with an empty context. An action that does not
    /// apply to a resource's type, or a resource that does not exist, gives a denying cell.
    pub fn matrix(
        &self,
        principal: &EntityRef,
        resources: &[EntityRef],
        actions: &[String],
    ) -> Result<Matrix> {
        check_size("matrix cells", resources.len().saturating_mul(actions.len()), MAX_MATRIX_CELLS)?;
        let principal_uid = self.existing(principal, Error::UnknownPrincipal)?;
        let entries = actions.iter().map(|a| self.ruleset.catalog.action(a)).collect::<Result<Vec<_>>>()?;
        let rows = resources
            .iter()
            .map(|resource| {
                let cells = match self.existing(resource, Error::UnknownResource) {
                    Err(error) => {
                        entries.iter().map(|_| MatrixCell::from(Decision::from(error.clone()))).collect()
                    }
                    Ok(uid) => self
                        .decide_row(&principal_uid, &uid, &entries)
                        .into_iter()
                        .map(MatrixCell::from)
                        .collect(),
                };
                MatrixRow { resource: resource.clone(), cells }
            })
            .collect();
        Ok(Matrix { actions: actions.to_vec(), rows })
    }
}

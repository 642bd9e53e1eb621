//! What the schema and the policies say, indexed once at start so that a check looks names
//! up in hash maps instead of parsing them.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cedar_policy::{
    ActionConstraint, EntityTypeName, EntityUid, PolicyId, PolicySet, PrincipalConstraint, Schema,
};

use crate::error::{Error, Result};
use crate::policies::{AnnotatedPolicies, PolicyEffect, PolicyInfo};

/// One action that requests may name (action groups are not listed).
#[derive(Debug, Clone)]
pub struct ActionEntry {
    pub name: String,
    pub uid: EntityUid,
    pub principals: Vec<EntityTypeName>,
    pub resources: Vec<EntityTypeName>,
    /// Permit policies whose scope includes this action, with the principal type they need
    /// (if they name one): what would grant the action. Closest first (see
    /// [`ActionEntry::requirements_for`]).
    requirements: Vec<(Option<EntityTypeName>, Arc<PolicyInfo>)>,
    /// The policies whose action scope can include this action, in source order. A request
    /// for this action is decided by this slice alone: the others cannot apply, and skipping
    /// them makes a check several times faster than evaluating the whole set.
    pub(crate) members: Vec<PolicyId>,
    /// The slice as a policy set, made on the first request for this action: made for every
    /// action at start, the slices were most of the default ruleset's memory.
    slice: OnceLock<Option<PolicySet>>,
    /// Where this entry is in [`Catalog::actions`].
    pub(crate) position: usize,
    /// Per principal type: what a `notPermitted` answer says, made once (see
    /// [`NotPermitted`]).
    not_permitted: Vec<(EntityTypeName, NotPermitted)>,
}

/// What would have granted an action no permit granted: the permits for the action and
/// principal type, closest first, and what the closest one says a principal lacks.
#[derive(Debug, Clone)]
pub(crate) struct NotPermitted {
    pub requirements: Vec<Arc<PolicyInfo>>,
    pub reason: String,
}

impl NotPermitted {
    fn new(requirements: Vec<Arc<PolicyInfo>>) -> Self {
        // One sentence, the closest requirement's: each permit is a different way in (a
        // workspace role, or being an org admin), and a person is told the one nearest to
        // them, not every way at once.
        let reason = match requirements.first() {
            Some(closest) => {
                closest.reason.clone().unwrap_or_else(|| format!("policy {} would grant this", closest.id))
            }
            None => "No policy grants this action".to_owned(),
        };
        Self { requirements, reason }
    }
}

impl ActionEntry {
    pub fn applies_to(&self, principal: &EntityTypeName, resource: &EntityTypeName) -> bool {
        self.principals.contains(principal) && self.resources.contains(resource)
    }

    /// [`ActionEntry::applies_to`] as the refusal a request of other types gets.
    pub(crate) fn check_applies_to(
        &self,
        principal: &EntityTypeName,
        resource: &EntityTypeName,
    ) -> Result<()> {
        if self.applies_to(principal, resource) {
            return Ok(());
        }
        Err(Error::InvalidRequest(format!(
            "`{}` does not apply to a {principal} acting on a {resource}",
            self.name
        )))
    }

    /// The permits that could grant this action to a principal of this type, closest first:
    /// the narrowest first (a permit written for a few actions says more about this one than
    /// a blanket one such as WS-4's, which covers every workspace action), then in source
    /// order. The first is the requirement a `notPermitted` answer presents.
    pub fn requirements_for<'a>(
        &'a self,
        principal: &'a EntityTypeName,
    ) -> impl Iterator<Item = &'a Arc<PolicyInfo>> + 'a {
        self.requirements
            .iter()
            .filter(move |(needs, _)| needs.as_ref().is_none_or(|t| t == principal))
            .map(|(_, info)| info)
    }

    /// The slice that decides this action (see [`ActionEntry::members`]), made by `gather`
    /// on the first call. `None` if `gather` could not make it, which cannot happen for the
    /// set the catalog was made from: a slice short of a forbid would allow what the whole set
    /// denies, so there is no partial slice.
    pub(crate) fn policies(&self, gather: impl FnOnce() -> Option<PolicySet>) -> Option<&PolicySet> {
        self.slice.get_or_init(gather).as_ref()
    }

    /// The `notPermitted` answer for a principal of this type.
    pub(crate) fn not_permitted_for(&self, principal: &EntityTypeName) -> NotPermitted {
        self.not_permitted
            .iter()
            .find(|(t, _)| t == principal)
            .map(|(_, answer)| answer.clone())
            .unwrap_or_else(|| NotPermitted::new(self.requirements_for(principal).cloned().collect()))
    }
}

#[derive(Debug, Clone)]
pub struct Catalog {
    entity_types: HashMap<String, EntityTypeName>,
    actions: Vec<ActionEntry>,
    action_index: HashMap<String, usize>,
}

impl Catalog {
    pub fn new(schema: &Schema, policies: &AnnotatedPolicies) -> Result<Self> {
        let entity_types =
            schema.entity_types().map(|t| (t.to_string(), t.clone())).collect::<HashMap<_, _>>();
        let action_entities = schema
            .action_entities()
            .map_err(|e| Error::InvalidSchema(vec![crate::error::Diagnostic::message(e.to_string())]))?;

        let mut actions = Vec::new();
        // How many actions each permit's scope covers: the narrower, the closer (see
        // `ActionEntry::requirements_for`).
        let mut widths: HashMap<String, usize> = HashMap::new();
        for uid in schema.actions() {
            let principals: Vec<EntityTypeName> =
                schema.principals_for_action(uid).into_iter().flatten().cloned().collect();
            let resources: Vec<EntityTypeName> =
                schema.resources_for_action(uid).into_iter().flatten().cloned().collect();
            if principals.is_empty() || resources.is_empty() {
                continue;
            }
            let lineage: Vec<&EntityUid> =
                std::iter::once(uid).chain(action_entities.ancestors(uid).into_iter().flatten()).collect();
            let mut members = Vec::new();
            let mut requirements = Vec::new();
            for info in &policies.ordered {
                let Some(policy) = policies.set.policy(&PolicyId::new(&info.id)) else { continue };
                let in_scope = match policy.action_constraint() {
                    ActionConstraint::Any => true,
                    ActionConstraint::Eq(a) => lineage.contains(&&a),
                    ActionConstraint::In(list) => list.iter().any(|a| lineage.contains(&a)),
                };
                if !in_scope {
                    continue;
                }
                members.push(policy.id().clone());
                if info.effect == PolicyEffect::Permit {
                    let needs = match policy.principal_constraint() {
                        PrincipalConstraint::Is(t) | PrincipalConstraint::IsIn(t, _) => Some(t),
                        PrincipalConstraint::Eq(u) => Some(u.type_name().clone()),
                        PrincipalConstraint::Any | PrincipalConstraint::In(_) => None,
                    };
                    requirements.push((needs, Arc::clone(info)));
                    *widths.entry(info.id.clone()).or_default() += 1;
                }
            }
            actions.push(ActionEntry {
                name: uid.id().unescaped().to_owned(),
                uid: uid.clone(),
                principals,
                resources,
                requirements,
                members,
                slice: OnceLock::new(),
                position: 0,
                not_permitted: Vec::new(),
            });
        }
        // Schema order is a hash order; a stable order makes listings reproducible.
        actions.sort_by(|a, b| a.name.cmp(&b.name));
        for (position, entry) in actions.iter_mut().enumerate() {
            entry.position = position;
            // A stable sort: requirements of the same width stay in source order.
            entry.requirements.sort_by_key(|(_, info)| widths.get(&info.id).copied().unwrap_or(0));
            entry.not_permitted = entry
                .principals
                .iter()
                .map(|t| (t.clone(), NotPermitted::new(entry.requirements_for(t).cloned().collect())))
                .collect();
        }
        let action_index = actions.iter().enumerate().map(|(i, a)| (a.name.clone(), i)).collect();
        Ok(Self { entity_types, actions, action_index })
    }

    pub fn entity_type(&self, name: &str) -> Result<&EntityTypeName> {
        self.entity_types.get(name).ok_or_else(|| Error::UnknownEntityType(name.to_owned()))
    }

    pub fn action(&self, name: &str) -> Result<&ActionEntry> {
        self.action_index
            .get(name)
            .and_then(|&i| self.actions.get(i))
            .ok_or_else(|| Error::UnknownAction(name.to_owned()))
    }

    pub fn actions(&self) -> &[ActionEntry] {
        &self.actions
    }
}

//! Snapshot -> Cedar entities. Roles become group entities (see policies/schema.cedarschema),
//! so a role check is an `in` test against precomputed ancestors.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use cedar_policy::{Entity, EntityId, EntityTypeName, EntityUid, RestrictedExpression};

use super::{OrgRole, OrganizationRecord, Snapshot, VersionStatus, WorkspaceRole};
use crate::error::{Error, Result};

/// The singleton resource of `createOrganization`.
pub const PLATFORM_ID: &str = "platform";

/// The id of the `Membership` entity of `user` in `org`.
pub fn membership_id(org: &str, user: &str) -> String {
    format!("{org}/{user}")
}

/// The entity types a snapshot makes.
const SNAPSHOT_TYPES: [&str; 12] = [
    "Platform",
    "User",
    "Organization",
    "OrgRole",
    "Membership",
    "Team",
    "Workspace",
    "WorkspaceRole",
    "Algorithm",
    "AlgorithmVersion",
    "Invitation",
    "ApiKey",
];

/// Each snapshot type name parsed once: Cedar parses a type name with its full policy
/// grammar, which for every uid of a large snapshot was most of the load time.
fn type_name(entity_type: &str) -> Result<EntityTypeName> {
    static PARSED: OnceLock<Vec<EntityTypeName>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| SNAPSHOT_TYPES.iter().filter_map(|t| t.parse().ok()).collect());
    let known = SNAPSHOT_TYPES.iter().position(|t| *t == entity_type).and_then(|i| parsed.get(i));
    match known {
        Some(type_name) => Ok(type_name.clone()),
        None => entity_type
            .parse()
            .map_err(|e| Error::InvalidEntities(format!("entity type `{entity_type}`: {e}"))),
    }
}

fn uid(entity_type: &str, id: &str) -> Result<EntityUid> {
    Ok(EntityUid::from_type_name_and_id(type_name(entity_type)?, EntityId::new(id)))
}

fn org_role_uid(org: &str, role: &str) -> Result<EntityUid> {
    uid("OrgRole", &format!("{org}#{role}"))
}

fn workspace_role_uid(workspace: &str, role: WorkspaceRole) -> Result<EntityUid> {
    uid("WorkspaceRole", &format!("{workspace}#{}", role.as_str()))
}

fn string(value: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(value.to_owned())
}

fn strings<'a>(values: impl IntoIterator<Item = &'a String>) -> RestrictedExpression {
    RestrictedExpression::new_set(values.into_iter().map(|v| string(v)))
}

fn entity_ref(uid: &EntityUid) -> RestrictedExpression {
    RestrictedExpression::new_entity_uid(uid.clone())
}

fn build(
    uid: EntityUid,
    attrs: Vec<(&str, RestrictedExpression)>,
    parents: impl IntoIterator<Item = EntityUid>,
) -> Result<Entity> {
    Entity::new(
        uid,
        attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        parents.into_iter().collect(),
    )
    .map_err(|e| Error::InvalidEntities(e.to_string()))
}

/// What a user is given across all organizations: parent groups, and per org the compliance
/// labels its restricted teams demand (TEAM-4).
#[derive(Default)]
struct UserGrants {
    parents: HashSet<EntityUid>,
    restrictions: HashMap<String, BTreeSet<String>>,
}

/// All entities of a snapshot that `check_snapshot` accepted.
pub fn snapshot_entities(snapshot: &Snapshot) -> Result<Vec<Entity>> {
    let mut grants: HashMap<&str, UserGrants> = HashMap::new();
    let mut entities = vec![build(uid("Platform", PLATFORM_ID)?, Vec::new(), [])?];
    let emails: HashMap<&str, &str> =
        snapshot.users.iter().map(|u| (u.id.as_str(), u.email.as_str())).collect();
    for org in &snapshot.organizations {
        organization_entities(org, &emails, &mut grants, &mut entities)?;
    }
    for user in &snapshot.users {
        let grant = grants.remove(user.id.as_str()).unwrap_or_default();
        let attrs = [
            ("email", string(&user.email.to_lowercase())),
            ("name", string(&user.name)),
            ("mfaEnabled", RestrictedExpression::new_bool(user.mfa_enabled)),
            ("passwordCompliant", RestrictedExpression::new_bool(user.password_compliant)),
        ];
        let tags = grant.restrictions.into_iter().map(|(org, labels)| {
            (org, RestrictedExpression::new_set(labels.into_iter().map(RestrictedExpression::new_string)))
        });
        let entity = Entity::new_with_tags(
            uid("User", &user.id)?,
            attrs.into_iter().map(|(k, v)| (k.to_owned(), v)),
            grant.parents,
            tags,
        )
        .map_err(|e| Error::InvalidEntities(e.to_string()))?;
        entities.push(entity);
    }
    Ok(entities)
}

fn organization_entities<'s>(
    org: &'s OrganizationRecord,
    emails: &HashMap<&str, &str>,
    grants: &mut HashMap<&'s str, UserGrants>,
    out: &mut Vec<Entity>,
) -> Result<()> {
    let org_uid = uid("Organization", &org.id)?;
    let owners = org_role_uid(&org.id, "owner")?;
    let admins = org_role_uid(&org.id, "admin")?;
    let members = org_role_uid(&org.id, "member")?;
    let collaborators = org_role_uid(&org.id, "collaborator")?;

    out.push(build(owners.clone(), Vec::new(), [admins.clone()])?);
    out.push(build(admins.clone(), Vec::new(), [members.clone()])?);
    out.push(build(members.clone(), Vec::new(), [])?);
    out.push(build(collaborators.clone(), Vec::new(), [])?);

    let owner_count = org.members.iter().filter(|m| m.role == OrgRole::Owner).count();
    let org_ref = entity_ref(&org_uid);
    out.push(build(
        org_uid.clone(),
        vec![
            ("org", org_ref.clone()),
            ("id", string(&org.id)),
            ("name", string(&org.name)),
            ("displayName", string(&org.display_name)),
            ("personal", RestrictedExpression::new_bool(org.personal)),
            ("termsVersion", string(&org.terms_version)),
            ("ownerCount", RestrictedExpression::new_long(i64::try_from(owner_count).unwrap_or(i64::MAX))),
            ("owners", entity_ref(&owners)),
            ("admins", entity_ref(&admins)),
            ("members", entity_ref(&members)),
            ("collaborators", entity_ref(&collaborators)),
            (
                "requireIndependentApproval",
                RestrictedExpression::new_bool(org.security.require_independent_approval),
            ),
            ("enforcePasswordPolicy", RestrictedExpression::new_bool(org.security.enforce_password_policy)),
            ("requireMfa", RestrictedExpression::new_bool(org.security.require_mfa)),
            ("creditBalance", RestrictedExpression::new_long(org.billing.credit_balance)),
            ("concurrentRunLimit", RestrictedExpression::new_long(org.billing.concurrent_run_limit)),
            ("activeRuns", RestrictedExpression::new_long(org.billing.active_runs)),
        ],
        [],
    )?);

    for member in &org.members {
        let role_group = org_role_uid(&org.id, member.role.as_str())?;
        grants.entry(member.user.as_str()).or_default().parents.insert(role_group);
        out.push(build(
            uid("Membership", &membership_id(&org.id, &member.user))?,
            vec![
                ("org", org_ref.clone()),
                ("member", entity_ref(&uid("User", &member.user)?)),
                ("role", string(member.role.as_str())),
                (
                    "email",
                    string(&emails.get(member.user.as_str()).copied().unwrap_or_default().to_lowercase()),
                ),
            ],
            [],
        )?);
    }
    for collaborator in &org.collaborators {
        grants.entry(collaborator.as_str()).or_default().parents.insert(collaborators.clone());
    }

    // Team -> the workspace role groups it was granted (TEAM-3).
    let mut team_parents: HashMap<&str, Vec<EntityUid>> = HashMap::new();
    for workspace in &org.workspaces {
        let ws_uid = uid("Workspace", &workspace.id)?;
        let mut role_refs = Vec::new();
        let mut weaker: Option<EntityUid> = None;
        for role in WorkspaceRole::ALL {
            let group = workspace_role_uid(&workspace.id, role)?;
            out.push(build(group.clone(), Vec::new(), weaker.take())?);
            role_refs.push((role.as_str().to_owned(), entity_ref(&group)));
            weaker = Some(group);
        }
        for participant in &workspace.participants {
            let group = workspace_role_uid(&workspace.id, participant.role)?;
            if let Some(user) = &participant.user {
                grants.entry(user.as_str()).or_default().parents.insert(group);
            } else if let Some(team) = &participant.team {
                team_parents.entry(team.as_str()).or_default().push(group);
            }
        }
        let roles =
            RestrictedExpression::new_record(role_refs).map_err(|e| Error::InvalidEntities(e.to_string()))?;
        out.push(build(
            ws_uid,
            vec![
                ("org", org_ref.clone()),
                ("name", string(&workspace.name)),
                ("labels", strings(&workspace.labels)),
                ("roles", roles),
            ],
            [],
        )?);
    }

    for team in &org.teams {
        let team_uid = uid("Team", &team.id)?;
        for user in &team.members {
            let grant = grants.entry(user.as_str()).or_default();
            grant.parents.insert(team_uid.clone());
            if !team.compliance_labels.is_empty() {
                grant
                    .restrictions
                    .entry(org.id.clone())
                    .or_default()
                    .extend(team.compliance_labels.iter().cloned());
            }
        }
        out.push(build(
            team_uid,
            vec![
                ("org", org_ref.clone()),
                ("name", string(&team.name)),
                ("complianceLabels", strings(&team.compliance_labels)),
            ],
            team_parents.remove(team.id.as_str()).unwrap_or_default(),
        )?);
    }

    for algorithm in &org.algorithms {
        let algorithm_uid = uid("Algorithm", &algorithm.id)?;
        let workspace_ref = entity_ref(&uid("Workspace", &algorithm.workspace)?);
        let contributors = algorithm
            .contributors
            .iter()
            .map(|c| uid("User", c).map(|u| entity_ref(&u)))
            .collect::<Result<Vec<_>>>()?;
        let published = algorithm.versions.iter().any(|v| v.status == VersionStatus::Published);
        out.push(build(
            algorithm_uid.clone(),
            vec![
                ("org", org_ref.clone()),
                ("workspace", workspace_ref.clone()),
                ("name", string(&algorithm.name)),
                ("public", RestrictedExpression::new_bool(algorithm.public)),
                ("published", RestrictedExpression::new_bool(published)),
                ("contributors", RestrictedExpression::new_set(contributors)),
                ("labels", strings(&algorithm.labels)),
            ],
            [],
        )?);
        for version in &algorithm.versions {
            out.push(build(
                uid("AlgorithmVersion", &version.id)?,
                vec![
                    ("org", org_ref.clone()),
                    ("workspace", workspace_ref.clone()),
                    ("algorithm", entity_ref(&algorithm_uid)),
                    ("version", string(&version.version)),
                    ("status", string(version.status.as_str())),
                    ("submitter", entity_ref(&uid("User", &version.submitter)?)),
                    ("labels", strings(&algorithm.labels)),
                ],
                [algorithm_uid.clone()],
            )?);
        }
    }

    for invitation in &org.invitations {
        let mut attrs = vec![
            ("org", org_ref.clone()),
            ("email", string(&invitation.email.to_lowercase())),
            ("role", string(invitation.role.as_str())),
            ("status", string(invitation.status.as_str())),
        ];
        if let Some(account) = &invitation.account {
            attrs.push(("invitee", entity_ref(&uid("User", account)?)));
        }
        out.push(build(uid("Invitation", &invitation.id)?, attrs, [])?);
    }

    for key in &org.api_keys {
        out.push(build(
            uid("ApiKey", &key.id)?,
            vec![
                ("org", org_ref.clone()),
                ("name", string(&key.name)),
                ("scopes", strings(&key.scopes)),
                ("revoked", RestrictedExpression::new_bool(key.revoked)),
            ],
            [],
        )?);
    }
    Ok(())
}

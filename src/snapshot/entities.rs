//! Snapshot -> Cedar entities. Roles become group entities (see policies/schema.cedarschema),
//! so a role check is an `in` test against precomputed ancestors.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use cedar_policy::{Entity, EntityId, EntityTypeName, EntityUid, RestrictedExpression};

use super::{
    AlgorithmRecord, ApiKeyRecord, InvitationRecord, MemberRecord, OrgRole, OrganizationRecord, Snapshot,
    TeamRecord, UserRecord, VersionStatus, WorkspaceRecord, WorkspaceRole,
};
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
    let known = SNAPSHOT_TYPES.iter().position(|t| *t == entity_type).and_then(|i| parsed_types().get(i));
    match known {
        Some(type_name) => Ok(type_name.clone()),
        None => entity_type
            .parse()
            .map_err(|e| Error::InvalidEntities(format!("entity type `{entity_type}`: {e}"))),
    }
}

fn parsed_types() -> &'static [EntityTypeName] {
    static PARSED: OnceLock<Vec<EntityTypeName>> = OnceLock::new();
    PARSED.get_or_init(|| SNAPSHOT_TYPES.iter().filter_map(|t| t.parse().ok()).collect())
}

/// Parses the snapshot's type names ahead of their first use (see
/// [`crate::engine::preinitialize`]).
pub(crate) fn preinitialize() {
    parsed_types();
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

/// Each user's uid by lower-cased email, the store's index of known accounts (MEM-2).
pub fn snapshot_accounts(snapshot: &Snapshot) -> Result<HashMap<String, EntityUid>> {
    snapshot.users.iter().map(|user| Ok((user.email.to_lowercase(), uid("User", &user.id)?))).collect()
}

// The steps of a load (`check_snapshot`, this function, and one function per kind of entity
// below) stay out of line: `inline(never)` here, and a cap on single-caller inlining in
// scripts/build-wasm.sh. V8 recompiles a wasm function that runs hot with its optimizing tier,
// whole and in the background, and the larger the function the sooner it counts as hot: with
// every step inlined into one function, that recompile began early in a cold load and slowed
// it by tens of ms on a 2-core machine.

/// All entities of a snapshot that `check_snapshot` accepted.
#[inline(never)]
pub fn snapshot_entities(snapshot: &Snapshot) -> Result<Vec<Entity>> {
    let mut grants: HashMap<&str, UserGrants> = HashMap::new();
    let mut entities = vec![build(uid("Platform", PLATFORM_ID)?, Vec::new(), [])?];
    // Lower-cased once: the user and each of their memberships carry it.
    let emails: HashMap<&str, String> =
        snapshot.users.iter().map(|u| (u.id.as_str(), u.email.to_lowercase())).collect();
    for org in &snapshot.organizations {
        organization_entities(org, &emails, &mut grants, &mut entities)?;
    }
    for user in &snapshot.users {
        let email = emails.get(user.id.as_str()).map_or("", String::as_str);
        entities.push(user_entity(user, email, grants.remove(user.id.as_str()).unwrap_or_default())?);
    }
    Ok(entities)
}

#[inline(never)]
fn user_entity(user: &UserRecord, email: &str, grant: UserGrants) -> Result<Entity> {
    let attrs = [
        ("email", string(email)),
        ("name", string(&user.name)),
        ("mfaEnabled", RestrictedExpression::new_bool(user.mfa_enabled)),
        ("passwordCompliant", RestrictedExpression::new_bool(user.password_compliant)),
    ];
    let tags = grant.restrictions.into_iter().map(|(org, labels)| {
        (org, RestrictedExpression::new_set(labels.into_iter().map(RestrictedExpression::new_string)))
    });
    Entity::new_with_tags(
        uid("User", &user.id)?,
        attrs.into_iter().map(|(k, v)| (k.to_owned(), v)),
        grant.parents,
        tags,
    )
    .map_err(|e| Error::InvalidEntities(e.to_string()))
}

/// The role groups of one organization (see policies/schema.cedarschema).
struct OrgRoles {
    owners: EntityUid,
    admins: EntityUid,
    members: EntityUid,
    collaborators: EntityUid,
}

/// What the entities of one organization all refer to.
struct OrgScope<'s> {
    org: &'s OrganizationRecord,
    org_ref: RestrictedExpression,
}

#[inline(never)]
fn organization_entities<'s>(
    org: &'s OrganizationRecord,
    emails: &HashMap<&str, String>,
    grants: &mut HashMap<&'s str, UserGrants>,
    out: &mut Vec<Entity>,
) -> Result<()> {
    let org_uid = uid("Organization", &org.id)?;
    let roles = OrgRoles {
        owners: org_role_uid(&org.id, "owner")?,
        admins: org_role_uid(&org.id, "admin")?,
        members: org_role_uid(&org.id, "member")?,
        collaborators: org_role_uid(&org.id, "collaborator")?,
    };
    out.push(build(roles.owners.clone(), Vec::new(), [roles.admins.clone()])?);
    out.push(build(roles.admins.clone(), Vec::new(), [roles.members.clone()])?);
    out.push(build(roles.members.clone(), Vec::new(), [])?);
    out.push(build(roles.collaborators.clone(), Vec::new(), [])?);
    out.push(organization_entity(org, &org_uid, &roles)?);

    let scope = OrgScope { org, org_ref: entity_ref(&org_uid) };
    for member in &org.members {
        let role_group = org_role_uid(&org.id, member.role.as_str())?;
        grants.entry(member.user.as_str()).or_default().parents.insert(role_group);
        out.push(membership_entity(&scope, member, emails)?);
    }
    for collaborator in &org.collaborators {
        grants.entry(collaborator.as_str()).or_default().parents.insert(roles.collaborators.clone());
    }
    // Team -> the workspace role groups it was granted (TEAM-3).
    let mut team_parents: HashMap<&str, Vec<EntityUid>> = HashMap::new();
    for workspace in &org.workspaces {
        workspace_entities(&scope, workspace, grants, &mut team_parents, out)?;
    }
    for team in &org.teams {
        let parents = team_parents.remove(team.id.as_str()).unwrap_or_default();
        out.push(team_entity(&scope, team, parents, grants)?);
    }
    for algorithm in &org.algorithms {
        algorithm_entities(&scope, algorithm, out)?;
    }
    for invitation in &org.invitations {
        out.push(invitation_entity(&scope, invitation)?);
    }
    for key in &org.api_keys {
        out.push(api_key_entity(&scope, key)?);
    }
    Ok(())
}

#[inline(never)]
fn organization_entity(org: &OrganizationRecord, org_uid: &EntityUid, roles: &OrgRoles) -> Result<Entity> {
    let owner_count = org.members.iter().filter(|m| m.role == OrgRole::Owner).count();
    build(
        org_uid.clone(),
        vec![
            ("org", entity_ref(org_uid)),
            ("id", string(&org.id)),
            ("name", string(&org.name)),
            ("displayName", string(&org.display_name)),
            ("personal", RestrictedExpression::new_bool(org.personal)),
            ("termsVersion", string(&org.terms_version)),
            ("ownerCount", RestrictedExpression::new_long(i64::try_from(owner_count).unwrap_or(i64::MAX))),
            ("owners", entity_ref(&roles.owners)),
            ("admins", entity_ref(&roles.admins)),
            ("members", entity_ref(&roles.members)),
            ("collaborators", entity_ref(&roles.collaborators)),
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
    )
}

#[inline(never)]
fn membership_entity(
    scope: &OrgScope<'_>,
    member: &MemberRecord,
    emails: &HashMap<&str, String>,
) -> Result<Entity> {
    let email = emails.get(member.user.as_str()).map_or("", String::as_str);
    build(
        uid("Membership", &membership_id(&scope.org.id, &member.user))?,
        vec![
            ("org", scope.org_ref.clone()),
            ("member", entity_ref(&uid("User", &member.user)?)),
            ("role", string(member.role.as_str())),
            ("email", string(email)),
        ],
        [],
    )
}

/// A workspace and its chain of role groups, each in the next weaker one.
#[inline(never)]
fn workspace_entities<'s>(
    scope: &OrgScope<'_>,
    workspace: &'s WorkspaceRecord,
    grants: &mut HashMap<&'s str, UserGrants>,
    team_parents: &mut HashMap<&'s str, Vec<EntityUid>>,
    out: &mut Vec<Entity>,
) -> Result<()> {
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
        uid("Workspace", &workspace.id)?,
        vec![
            ("org", scope.org_ref.clone()),
            ("name", string(&workspace.name)),
            ("labels", strings(&workspace.labels)),
            ("roles", roles),
        ],
        [],
    )?);
    Ok(())
}

#[inline(never)]
fn team_entity<'s>(
    scope: &OrgScope<'_>,
    team: &'s TeamRecord,
    parents: Vec<EntityUid>,
    grants: &mut HashMap<&'s str, UserGrants>,
) -> Result<Entity> {
    let team_uid = uid("Team", &team.id)?;
    for user in &team.members {
        let grant = grants.entry(user.as_str()).or_default();
        grant.parents.insert(team_uid.clone());
        if !team.compliance_labels.is_empty() {
            grant
                .restrictions
                .entry(scope.org.id.clone())
                .or_default()
                .extend(team.compliance_labels.iter().cloned());
        }
    }
    build(
        team_uid,
        vec![
            ("org", scope.org_ref.clone()),
            ("name", string(&team.name)),
            ("complianceLabels", strings(&team.compliance_labels)),
        ],
        parents,
    )
}

#[inline(never)]
fn algorithm_entities(
    scope: &OrgScope<'_>,
    algorithm: &AlgorithmRecord,
    out: &mut Vec<Entity>,
) -> Result<()> {
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
            ("org", scope.org_ref.clone()),
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
                ("org", scope.org_ref.clone()),
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
    Ok(())
}

#[inline(never)]
fn invitation_entity(scope: &OrgScope<'_>, invitation: &InvitationRecord) -> Result<Entity> {
    let mut attrs = vec![
        ("org", scope.org_ref.clone()),
        ("email", string(&invitation.email.to_lowercase())),
        ("role", string(invitation.role.as_str())),
        ("status", string(invitation.status.as_str())),
    ];
    if let Some(account) = &invitation.account {
        attrs.push(("invitee", entity_ref(&uid("User", account)?)));
    }
    build(uid("Invitation", &invitation.id)?, attrs, [])
}

#[inline(never)]
fn api_key_entity(scope: &OrgScope<'_>, key: &ApiKeyRecord) -> Result<Entity> {
    build(
        uid("ApiKey", &key.id)?,
        vec![
            ("org", scope.org_ref.clone()),
            ("name", string(&key.name)),
            ("scopes", strings(&key.scopes)),
            ("revoked", RestrictedExpression::new_bool(key.revoked)),
        ],
        [],
    )
}

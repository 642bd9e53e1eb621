//! Snapshot -> Cedar entities. Roles become group entities (see policies/schema.cedarschema),
//! so a role check is an `in` test against precomputed ancestors.
//!
//! The entities are made with Cedar's core types (`cedar_policy_core::ast`), for two savings
//! a cold load of an org cannot get through `cedar_policy::Entity`: attribute values are
//! given as values, not as expressions Cedar then evaluates, and each entity arrives with all
//! its ancestors, because the model fixes the shape of the hierarchy (user -> org role, team or
//! workspace role; team -> workspace role; each role group -> the next weaker one; version ->
//! algorithm), so Cedar need not compute the closure (see `SnapshotEntities::into_store`).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use cedar_policy::{Entities, Entity, EntityId, EntityTypeName, EntityUid, Schema};
use cedar_policy_core::ast::{self, EntityUID, PartialValue, Value};
use cedar_policy_core::entities::{Entities as CoreEntities, NoEntitiesSchema, TCComputation};
use cedar_policy_core::extensions::Extensions;

use super::{
    lowercase, AlgorithmRecord, ApiKeyRecord, FastMap, InvitationRecord, MemberRecord, OrgRole,
    OrganizationRecord, Snapshot, TeamRecord, UserRecord, VersionStatus, WorkspaceRecord, WorkspaceRole,
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
        // The compiled runtime parses no names at run time; its snapshot types are parsed by
        // the compile step, and a snapshot only ever names those.
        #[cfg(feature = "compiled-runtime")]
        None => Err(Error::InvalidEntities(format!("entity type `{entity_type}` is not a snapshot type"))),
        #[cfg(not(feature = "compiled-runtime"))]
        None => entity_type
            .parse()
            .map_err(|e| Error::InvalidEntities(format!("entity type `{entity_type}`: {e}"))),
    }
}

static PARSED_TYPES: OnceLock<Vec<EntityTypeName>> = OnceLock::new();

fn parse_types() -> Vec<EntityTypeName> {
    SNAPSHOT_TYPES.iter().filter_map(|t| t.parse().ok()).collect()
}

fn parsed_types() -> &'static [EntityTypeName] {
    #[cfg(not(feature = "compiled-runtime"))]
    return PARSED_TYPES.get_or_init(parse_types);
    // Parsed by the compile step (below): the runtime has no parser to do it with.
    #[cfg(feature = "compiled-runtime")]
    PARSED_TYPES.get().map_or(&[], Vec::as_slice)
}

/// Parses the snapshot's type names ahead of their first use (see
/// [`crate::engine::preinitialize`]).
pub(crate) fn preinitialize() {
    PARSED_TYPES.get_or_init(parse_types);
}

fn public_uid(entity_type: &str, id: &str) -> Result<EntityUid> {
    Ok(EntityUid::from_type_name_and_id(type_name(entity_type)?, EntityId::new(id)))
}

fn uid(entity_type: &str, id: &str) -> Result<EntityUID> {
    public_uid(entity_type, id).map(EntityUID::from)
}

fn org_role_uid(org: &str, role: &str) -> Result<EntityUID> {
    uid("OrgRole", &format!("{org}#{role}"))
}

fn workspace_role_uid(workspace: &str, role: WorkspaceRole) -> Result<EntityUID> {
    uid("WorkspaceRole", &format!("{workspace}#{}", role.as_str()))
}

fn string(value: &str) -> Value {
    Value::from(value)
}

fn entity_ref(uid: &EntityUID) -> Value {
    Value::from(uid.clone())
}

/// Values a load makes once and gives to every entity holding an equal one: a Cedar value is
/// immutable and shares its heap on clone, so equal values need not be built apart. In the
/// wasm module a set of strings is about 600 bytes (its B-tree node and a hash table) and a
/// reference to an entity about 100 (its uid in its own `Arc`); label sets and API key scopes
/// repeat across an org, and a user is named by their membership, by the algorithms they
/// contribute to and by the versions they submit.
#[derive(Default)]
struct SharedValues<'s> {
    string_sets: FastMap<Vec<&'s str>, Value>,
    refs: FastMap<(&'static str, &'s str), Value>,
}

impl<'s> SharedValues<'s> {
    /// The set of `values`, as Cedar's `Set` value (its elements sorted and deduplicated).
    fn strings(&mut self, values: &'s [String]) -> Value {
        let mut key: Vec<&'s str> = values.iter().map(String::as_str).collect();
        key.sort_unstable();
        key.dedup();
        self.string_sets
            .entry(key)
            .or_insert_with_key(|key| Value::set(key.iter().map(|v| string(v)), None))
            .clone()
    }

    /// A reference to the entity `id` of `entity_type`.
    fn entity_ref(&mut self, entity_type: &'static str, id: &'s str) -> Result<Value> {
        if let Some(value) = self.refs.get(&(entity_type, id)) {
            return Ok(value.clone());
        }
        let value = entity_ref(&uid(entity_type, id)?);
        self.refs.insert((entity_type, id), value.clone());
        Ok(value)
    }
}

/// A group entity with all its ancestors: what an entity placed in the group inherits.
#[derive(Clone)]
struct Group {
    uid: EntityUID,
    ancestors: Vec<EntityUID>,
}

impl Group {
    fn new(uid: EntityUID, ancestry: &Ancestry) -> Self {
        Self { uid, ancestors: ancestry.parents.iter().chain(&ancestry.indirect).cloned().collect() }
    }
}

/// An entity's parents and its other ancestors, apart as Cedar keeps them.
#[derive(Default)]
struct Ancestry {
    parents: HashSet<EntityUID>,
    indirect: HashSet<EntityUID>,
}

impl Ancestry {
    fn of<'g>(groups: impl IntoIterator<Item = &'g Group>) -> Self {
        let mut ancestry = Self::default();
        for group in groups {
            ancestry.join(group);
        }
        ancestry
    }

    fn join(&mut self, group: &Group) {
        self.parents.insert(group.uid.clone());
        self.indirect.extend(group.ancestors.iter().cloned());
    }
}

fn build(
    uid: EntityUID,
    attrs: impl IntoIterator<Item = (&'static str, Value)>,
    ancestry: Ancestry,
) -> ast::Entity {
    build_with_tags(uid, attrs, ancestry, [])
}

fn build_with_tags(
    uid: EntityUID,
    attrs: impl IntoIterator<Item = (&'static str, Value)>,
    ancestry: Ancestry,
    tags: impl IntoIterator<Item = (String, Value)>,
) -> ast::Entity {
    let Ancestry { parents, mut indirect } = ancestry;
    // Cedar keeps a parent out of the indirect ancestors, even one also reached through
    // another parent. Done from the smaller set: each lookup hashes a whole uid with SipHash
    // (Cedar's sets use the standard hasher), and a user has about half as many parents as
    // other ancestors.
    if parents.len() < indirect.len() {
        for parent in &parents {
            indirect.remove(parent);
        }
    } else {
        indirect.retain(|ancestor| !parents.contains(ancestor));
    }
    ast::Entity::new_with_attr_partial_value(
        uid,
        attrs.into_iter().map(|(name, value)| (name.into(), PartialValue::Value(value))),
        indirect,
        parents,
        tags.into_iter().map(|(name, value)| (name.into(), PartialValue::Value(value))),
    )
}

/// A snapshot's entities, each with all its ancestors, and the index of its accounts.
#[derive(Debug, Clone)]
pub struct SnapshotEntities {
    entities: Vec<ast::Entity>,
    accounts: HashMap<String, EntityUid>,
}

impl SnapshotEntities {
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// Each user's uid by lower-cased email, the store's index of known accounts (MEM-2).
    /// Taken, not copied: a second call gives an empty index.
    pub fn take_accounts(&mut self) -> HashMap<String, EntityUid> {
        std::mem::take(&mut self.accounts)
    }

    /// The entities as Cedar's core type, as a store holds them (`native_bench memory`
    /// measures their memory part by part).
    pub fn into_core_entities(self) -> Vec<ast::Entity> {
        self.entities
    }

    pub fn into_entities(self) -> Vec<Entity> {
        self.entities.into_iter().map(Entity::from).collect()
    }

    /// The store of these entities and `actions`, the action entities of the schema they are
    /// built for (`Schema::action_entities`, whose hierarchy the schema closes). A property
    /// test holds the entities to that schema, so Cedar's conformance check is skipped.
    pub fn into_store(self, actions: &[Entity]) -> Result<Entities> {
        let actions: Vec<Arc<ast::Entity>> =
            actions.iter().map(|action| Arc::new(action.as_ref().clone())).collect();
        self.into_store_sharing(&actions)
    }

    /// [`SnapshotEntities::into_store`] with the action entities shared, not copied: every
    /// store holds the same schema actions, about fifty entities with their action groups,
    /// so the ruleset keeps them once for every load of every engine on it, and a store
    /// holds pointers to them.
    pub fn into_store_sharing(self, actions: &[Arc<ast::Entity>]) -> Result<Entities> {
        // The ancestors are closed by construction: each group's are complete before anything
        // joins it, and the types are layered, so there is no cycle. Cedar verifying that was
        // a third of a native load; debug builds (every native test) still have it verify
        // each load, and a property test compares the ancestors with the closure Cedar
        // computes itself.
        let closure = if cfg!(debug_assertions) {
            TCComputation::EnforceAlreadyComputed
        } else {
            TCComputation::AssumeAlreadyComputed
        };
        // No snapshot entity is an action.
        store_sharing_actions(self.entities, actions, closure)
    }

    /// The store of these entities, checked by Cedar against `schema` (a caller's schema,
    /// which they are not built for) and with its actions.
    pub fn into_checked_store(self, schema: &Schema) -> Result<Entities> {
        Entities::from_entities(self.into_entities(), Some(schema))
            .map_err(|e| Error::InvalidEntities(crate::error::message_with_causes(&e)))
    }
}

/// The store of `entities`, already checked against the schema and none of them an action,
/// with the schema's `actions` shared (their hierarchy closed by the schema); `closure` says
/// whether Cedar verifies the closure the entities carry (debug builds) or assumes it.
pub(crate) fn store_sharing_actions(
    entities: Vec<ast::Entity>,
    actions: &[Arc<ast::Entity>],
    closure: TCComputation,
) -> Result<Entities> {
    let extensions = Extensions::all_available();
    let invalid = |e: cedar_policy_core::entities::err::EntitiesError| {
        Error::InvalidEntities(crate::error::message_with_causes(&e))
    };
    let store = CoreEntities::from_entities(entities, None::<&NoEntitiesSchema>, closure, extensions)
        .map_err(invalid)?;
    store
        .add_entities(actions.iter().cloned(), None::<&NoEntitiesSchema>, closure, extensions)
        .map(Entities::from)
        .map_err(invalid)
}

/// What the conversion gathers for a user: their lower-cased email, which the user and each of
/// their memberships carry, the groups the organizations put them in, and per org the
/// compliance labels its restricted teams demand (TEAM-4).
#[derive(Default)]
struct Person {
    email: String,
    ancestry: Ancestry,
    restrictions: HashMap<String, BTreeSet<String>>,
}

/// The people by user id: one lookup per mention of a user.
type People<'s> = FastMap<&'s str, Person>;

// The steps of a load (`check_snapshot`, this function, and one function per kind of entity
// below) stay out of line: `inline(never)` here, and a cap on single-caller inlining in
// scripts/build-wasm.sh. V8 recompiles a wasm function that runs hot with its optimizing tier,
// whole and in the background, and the larger the function the sooner it counts as hot: with
// every step inlined into one function, that recompile began early in a cold load and slowed
// it by tens of ms on a 2-core machine.

/// How many entities [`snapshot_entities`] builds for `snapshot`, without building them: the
/// platform, each user, and per organization its four role groups, itself, each membership,
/// team, invitation and API key, each workspace with its role groups, each algorithm and each
/// version. A load checks the entity limit and reserves memory with it before building.
pub(crate) fn entity_count(snapshot: &Snapshot) -> usize {
    let of_org = |org: &OrganizationRecord| {
        let workspaces = org.workspaces.len().saturating_mul(1 + WorkspaceRole::ALL.len());
        let algorithms: usize = org.algorithms.iter().map(|a| 1 + a.versions.len()).sum();
        5 + org.members.len()
            + org.teams.len()
            + org.invitations.len()
            + org.api_keys.len()
            + workspaces
            + algorithms
    };
    1 + snapshot.users.len() + snapshot.organizations.iter().map(of_org).sum::<usize>()
}

/// How many ancestors the snapshot's entities hold in all, counted as the conversion gathers
/// them (an ancestor reached twice counts twice, so this bounds what the store keeps). A user
/// inherits every workspace role group granted to each of their teams: one team granted in
/// every workspace makes this members × workspaces, however small the snapshot's text.
pub(crate) fn ancestor_links(snapshot: &Snapshot) -> usize {
    // A workspace role group holds itself and the weaker roles: the View group 1, Owner 6.
    let rank = |role: WorkspaceRole| WorkspaceRole::ALL.iter().position(|r| *r == role).map_or(0, |i| i + 1);
    let of_org = |org: &OrganizationRecord| {
        // The role groups: owner in admin in member (2 + 1).
        let mut links: usize = 3;
        // A member joins their role's group and its ancestors: at most owner, admin, member.
        links = links.saturating_add(org.members.len().saturating_mul(3));
        links = links.saturating_add(org.collaborators.len());
        let mut granted: FastMap<&str, usize> = FastMap::default();
        for workspace in &org.workspaces {
            // Each role group in the next weaker one, with that one's ancestors: 0 + 1 + … + 5.
            links = links.saturating_add(15);
            for participant in &workspace.participants {
                let groups = rank(participant.role);
                if let Some(team) = &participant.team {
                    let team_links = granted.entry(team.as_str()).or_default();
                    *team_links = team_links.saturating_add(groups);
                } else {
                    links = links.saturating_add(groups);
                }
            }
        }
        for team in &org.teams {
            let team_links = granted.get(team.id.as_str()).copied().unwrap_or_default();
            // The team holds its groups; each member holds the team and its groups.
            let per_member = team_links.saturating_add(1);
            links = links
                .saturating_add(team_links)
                .saturating_add(team.members.len().saturating_mul(per_member));
        }
        // A version is in its algorithm.
        links.saturating_add(org.algorithms.iter().map(|a| a.versions.len()).sum::<usize>())
    };
    snapshot.organizations.iter().map(of_org).fold(0, usize::saturating_add)
}

/// All entities of a snapshot that `check_snapshot` accepted.
#[inline(never)]
pub fn snapshot_entities(snapshot: &Snapshot) -> Result<SnapshotEntities> {
    let mut people: People<'_> = snapshot
        .users
        .iter()
        .map(|user| (user.id.as_str(), Person { email: lowercase(&user.email), ..Person::default() }))
        .collect();
    let mut entities = vec![build(uid("Platform", PLATFORM_ID)?, [], Ancestry::default())];
    let mut shared = SharedValues::default();
    for org in &snapshot.organizations {
        organization_entities(org, &mut people, &mut shared, &mut entities)?;
    }
    let mut accounts = HashMap::with_capacity(snapshot.users.len());
    for user in &snapshot.users {
        let person = people.remove(user.id.as_str()).unwrap_or_default();
        let user_uid = public_uid("User", &user.id)?;
        accounts.insert(person.email.clone(), user_uid.clone());
        entities.push(user_entity(user, user_uid.into(), person));
    }
    Ok(SnapshotEntities { entities, accounts })
}

#[inline(never)]
fn user_entity(user: &UserRecord, user_uid: EntityUID, person: Person) -> ast::Entity {
    let attrs = [
        ("email", Value::from(person.email)),
        ("name", string(&user.name)),
        ("mfaEnabled", Value::from(user.mfa_enabled)),
        ("passwordCompliant", Value::from(user.password_compliant)),
    ];
    let tags = person
        .restrictions
        .into_iter()
        .map(|(org, labels)| (org, Value::set(labels.into_iter().map(Value::from), None)));
    build_with_tags(user_uid, attrs, person.ancestry, tags)
}

/// The role groups of one organization (see policies/schema.cedarschema).
struct OrgRoles {
    owners: Group,
    admins: Group,
    members: Group,
    collaborators: Group,
}

impl OrgRoles {
    fn of(org: &OrganizationRecord) -> Result<Self> {
        let members = Group { uid: org_role_uid(&org.id, "member")?, ancestors: Vec::new() };
        let admins = Group::new(org_role_uid(&org.id, "admin")?, &Ancestry::of([&members]));
        let owners = Group::new(org_role_uid(&org.id, "owner")?, &Ancestry::of([&admins]));
        let collaborators = Group { uid: org_role_uid(&org.id, "collaborator")?, ancestors: Vec::new() };
        Ok(Self { owners, admins, members, collaborators })
    }

    fn of_role(&self, role: OrgRole) -> &Group {
        match role {
            OrgRole::Owner => &self.owners,
            OrgRole::Admin => &self.admins,
            OrgRole::Member => &self.members,
        }
    }

    /// The groups as entities, each in the next weaker one.
    fn entities(&self) -> [ast::Entity; 4] {
        [
            build(self.owners.uid.clone(), [], Ancestry::of([&self.admins])),
            build(self.admins.uid.clone(), [], Ancestry::of([&self.members])),
            build(self.members.uid.clone(), [], Ancestry::default()),
            build(self.collaborators.uid.clone(), [], Ancestry::default()),
        ]
    }
}

/// What the entities of one organization all refer to.
struct OrgScope<'s> {
    org: &'s OrganizationRecord,
    org_ref: Value,
}

#[inline(never)]
fn organization_entities<'s>(
    org: &'s OrganizationRecord,
    people: &mut People<'s>,
    shared: &mut SharedValues<'s>,
    out: &mut Vec<ast::Entity>,
) -> Result<()> {
    let org_uid = uid("Organization", &org.id)?;
    let roles = OrgRoles::of(org)?;
    out.extend(roles.entities());
    out.push(organization_entity(org, &org_uid, &roles));

    let scope = OrgScope { org, org_ref: entity_ref(&org_uid) };
    for member in &org.members {
        let person = people.entry(member.user.as_str()).or_default();
        person.ancestry.join(roles.of_role(member.role));
        out.push(membership_entity(&scope, member, &person.email, shared)?);
    }
    for collaborator in &org.collaborators {
        people.entry(collaborator.as_str()).or_default().ancestry.join(&roles.collaborators);
    }
    // Team -> the workspace role groups it was granted (TEAM-3).
    let mut team_groups: FastMap<&str, Vec<Group>> = FastMap::default();
    for workspace in &org.workspaces {
        workspace_entities(&scope, workspace, people, &mut team_groups, shared, out)?;
    }
    for team in &org.teams {
        let groups = team_groups.remove(team.id.as_str()).unwrap_or_default();
        out.push(team_entity(&scope, team, &groups, people, shared)?);
    }
    for algorithm in &org.algorithms {
        algorithm_entities(&scope, algorithm, shared, out)?;
    }
    for invitation in &org.invitations {
        out.push(invitation_entity(&scope, invitation, shared)?);
    }
    for key in &org.api_keys {
        out.push(api_key_entity(&scope, key, shared)?);
    }
    Ok(())
}

#[inline(never)]
fn organization_entity(org: &OrganizationRecord, org_uid: &EntityUID, roles: &OrgRoles) -> ast::Entity {
    let owner_count = org.members.iter().filter(|m| m.role == OrgRole::Owner).count();
    build(
        org_uid.clone(),
        [
            ("org", entity_ref(org_uid)),
            ("id", string(&org.id)),
            ("name", string(&org.name)),
            ("displayName", string(&org.display_name)),
            ("personal", Value::from(org.personal)),
            ("termsVersion", string(&org.terms_version)),
            ("ownerCount", Value::from(i64::try_from(owner_count).unwrap_or(i64::MAX))),
            ("owners", entity_ref(&roles.owners.uid)),
            ("admins", entity_ref(&roles.admins.uid)),
            ("members", entity_ref(&roles.members.uid)),
            ("collaborators", entity_ref(&roles.collaborators.uid)),
            ("requireIndependentApproval", Value::from(org.security.require_independent_approval)),
            ("enforcePasswordPolicy", Value::from(org.security.enforce_password_policy)),
            ("requireMfa", Value::from(org.security.require_mfa)),
            ("creditBalance", Value::from(org.billing.credit_balance)),
            ("concurrentRunLimit", Value::from(org.billing.concurrent_run_limit)),
            ("activeRuns", Value::from(org.billing.active_runs)),
        ],
        Ancestry::default(),
    )
}

#[inline(never)]
fn membership_entity<'s>(
    scope: &OrgScope<'_>,
    member: &'s MemberRecord,
    email: &str,
    shared: &mut SharedValues<'s>,
) -> Result<ast::Entity> {
    Ok(build(
        uid("Membership", &membership_id(&scope.org.id, &member.user))?,
        [
            ("org", scope.org_ref.clone()),
            ("member", shared.entity_ref("User", &member.user)?),
            ("role", string(member.role.as_str())),
            ("email", string(email)),
        ],
        Ancestry::default(),
    ))
}

/// A workspace and its chain of role groups, each in the next weaker one.
#[inline(never)]
fn workspace_entities<'s>(
    scope: &OrgScope<'_>,
    workspace: &'s WorkspaceRecord,
    people: &mut People<'s>,
    team_groups: &mut FastMap<&'s str, Vec<Group>>,
    shared: &mut SharedValues<'s>,
    out: &mut Vec<ast::Entity>,
) -> Result<()> {
    // In the order of `WorkspaceRole::ALL`, weakest first.
    let mut groups: Vec<Group> = Vec::with_capacity(WorkspaceRole::ALL.len());
    let mut role_refs = Vec::with_capacity(WorkspaceRole::ALL.len());
    for role in WorkspaceRole::ALL {
        let group = workspace_role_uid(&workspace.id, role)?;
        let ancestry = Ancestry::of(groups.last());
        groups.push(Group::new(group.clone(), &ancestry));
        role_refs.push((role.as_str(), entity_ref(&group)));
        out.push(build(group, [], ancestry));
    }
    for participant in &workspace.participants {
        let group = WorkspaceRole::ALL
            .iter()
            .position(|role| *role == participant.role)
            .and_then(|index| groups.get(index))
            .ok_or_else(|| {
                Error::InvalidEntities(format!(
                    "no group for the workspace role {}",
                    participant.role.as_str()
                ))
            })?;
        if let Some(user) = &participant.user {
            people.entry(user.as_str()).or_default().ancestry.join(group);
        } else if let Some(team) = &participant.team {
            team_groups.entry(team.as_str()).or_default().push(group.clone());
        }
    }
    out.push(build(
        uid("Workspace", &workspace.id)?,
        [
            ("org", scope.org_ref.clone()),
            ("name", string(&workspace.name)),
            ("labels", shared.strings(&workspace.labels)),
            ("roles", Value::record(role_refs, None)),
        ],
        Ancestry::default(),
    ));
    Ok(())
}

#[inline(never)]
fn team_entity<'s>(
    scope: &OrgScope<'_>,
    team: &'s TeamRecord,
    groups: &[Group],
    people: &mut People<'s>,
    shared: &mut SharedValues<'s>,
) -> Result<ast::Entity> {
    let ancestry = Ancestry::of(groups);
    let team_group = Group::new(uid("Team", &team.id)?, &ancestry);
    for user in &team.members {
        let person = people.entry(user.as_str()).or_default();
        person.ancestry.join(&team_group);
        if !team.compliance_labels.is_empty() {
            person
                .restrictions
                .entry(scope.org.id.clone())
                .or_default()
                .extend(team.compliance_labels.iter().cloned());
        }
    }
    Ok(build(
        team_group.uid,
        [
            ("org", scope.org_ref.clone()),
            ("name", string(&team.name)),
            ("complianceLabels", shared.strings(&team.compliance_labels)),
        ],
        ancestry,
    ))
}

#[inline(never)]
fn algorithm_entities<'s>(
    scope: &OrgScope<'_>,
    algorithm: &'s AlgorithmRecord,
    shared: &mut SharedValues<'s>,
    out: &mut Vec<ast::Entity>,
) -> Result<()> {
    let algorithm_group = Group { uid: uid("Algorithm", &algorithm.id)?, ancestors: Vec::new() };
    let workspace_ref = shared.entity_ref("Workspace", &algorithm.workspace)?;
    let contributors =
        algorithm.contributors.iter().map(|c| shared.entity_ref("User", c)).collect::<Result<Vec<_>>>()?;
    let published = algorithm.versions.iter().any(|v| v.status == VersionStatus::Published);
    let labels = shared.strings(&algorithm.labels);
    out.push(build(
        algorithm_group.uid.clone(),
        [
            ("org", scope.org_ref.clone()),
            ("workspace", workspace_ref.clone()),
            ("name", string(&algorithm.name)),
            ("public", Value::from(algorithm.public)),
            ("published", Value::from(published)),
            ("contributors", Value::set(contributors, None)),
            ("labels", labels.clone()),
        ],
        Ancestry::default(),
    ));
    let algorithm_ref = entity_ref(&algorithm_group.uid);
    for version in &algorithm.versions {
        out.push(build(
            uid("AlgorithmVersion", &version.id)?,
            [
                ("org", scope.org_ref.clone()),
                ("workspace", workspace_ref.clone()),
                ("algorithm", algorithm_ref.clone()),
                ("version", string(&version.version)),
                ("status", string(version.status.as_str())),
                ("submitter", shared.entity_ref("User", &version.submitter)?),
                ("labels", labels.clone()),
            ],
            Ancestry::of([&algorithm_group]),
        ));
    }
    Ok(())
}

#[inline(never)]
fn invitation_entity<'s>(
    scope: &OrgScope<'_>,
    invitation: &'s InvitationRecord,
    shared: &mut SharedValues<'s>,
) -> Result<ast::Entity> {
    let mut attrs = vec![
        ("org", scope.org_ref.clone()),
        ("email", string(&lowercase(&invitation.email))),
        ("role", string(invitation.role.as_str())),
        ("status", string(invitation.status.as_str())),
    ];
    if let Some(account) = &invitation.account {
        attrs.push(("invitee", shared.entity_ref("User", account)?));
    }
    Ok(build(uid("Invitation", &invitation.id)?, attrs, Ancestry::default()))
}

#[inline(never)]
fn api_key_entity<'s>(
    scope: &OrgScope<'_>,
    key: &'s ApiKeyRecord,
    shared: &mut SharedValues<'s>,
) -> Result<ast::Entity> {
    Ok(build(
        uid("ApiKey", &key.id)?,
        [
            ("org", scope.org_ref.clone()),
            ("name", string(&key.name)),
            ("scopes", shared.strings(&key.scopes)),
            ("revoked", Value::from(key.revoked)),
        ],
        Ancestry::default(),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::{ancestor_links, entity_count, snapshot_entities};
    use crate::snapshot::{OrganizationRecord, Snapshot};

    /// What the conversion built: every entity's parents and other ancestors.
    fn built_links(snapshot: &Snapshot) -> usize {
        let entities = snapshot_entities(snapshot).unwrap().into_core_entities();
        entities.iter().map(|e| e.parents().count() + e.indirect_ancestors().count()).sum()
    }

    #[test]
    fn the_ancestor_count_bounds_what_the_conversion_builds() {
        let mut snapshot = Snapshot::from_json(include_str!("../../tests/fixtures/small-org.json")).unwrap();
        let built = built_links(&snapshot);
        assert!(built > 0);
        assert!(ancestor_links(&snapshot) >= built, "{} < {built}", ancestor_links(&snapshot));
        // A bound, not a guess: within the repeats the conversion merges.
        assert!(ancestor_links(&snapshot) <= built * 2, "{} vs {built}", ancestor_links(&snapshot));
        snapshot.organizations.push(OrganizationRecord::new_with_creator("newco", "newco", "olivia"));
        assert!(ancestor_links(&snapshot) >= built_links(&snapshot));
    }

    #[test]
    fn the_entity_count_is_what_the_conversion_builds() {
        let mut snapshot = Snapshot::from_json(include_str!("../../tests/fixtures/small-org.json")).unwrap();
        assert_eq!(entity_count(&snapshot), snapshot_entities(&snapshot).unwrap().len());
        snapshot.organizations.push(OrganizationRecord::new_with_creator("newco", "newco", "olivia"));
        assert_eq!(entity_count(&snapshot), snapshot_entities(&snapshot).unwrap().len());
        assert_eq!(entity_count(&Snapshot::default()), 1);
    }
}

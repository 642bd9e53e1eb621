//! Structural checks of a snapshot before it becomes entities: a snapshot that breaks a rule
//! the model guarantees (an org without owner, a team member from another org, ...) is refused
//! whole (SEC-4) rather than loaded half-right.

use std::fmt;

use super::{lowercase, FastMap, FastSet, OrgRole, OrganizationRecord, Snapshot, UserRecord, API_KEY_SCOPES};
use crate::error::{Error, Result};
use crate::limits::MAX_ID_LENGTH;

// Out of line, for the reason given above `snapshot_entities` (entities.rs). For the same
// reason each loop's body is its own function: V8 compiles a function with its optimizing tier
// once the function's loops have run long enough, which for a function called once per load
// is work for nothing; a small per-item function called a thousand times is worth optimizing.
#[inline(never)]
pub fn check_snapshot(snapshot: &Snapshot) -> Result<()> {
    let mut ids = IdRegistry::default();
    let mut emails = FastSet::default();
    for (index, user) in snapshot.users.iter().enumerate() {
        check_user(user, &At::root("users").item(index), &mut ids, &mut emails)?;
    }
    let users: FastSet<&str> = snapshot.users.iter().map(|u| u.id.as_str()).collect();
    for (index, org) in snapshot.organizations.iter().enumerate() {
        check_organization(org, &At::root("organizations").item(index), &users, &mut ids)?;
    }
    Ok(())
}

#[inline(never)]
fn check_user<'s>(
    user: &'s UserRecord,
    at: &At<'_>,
    ids: &mut IdRegistry<'s>,
    emails: &mut FastSet<String>,
) -> Result<()> {
    ids.claim("User", &user.id, at)?;
    if user.email.trim().is_empty() {
        return Err(at.error("a user needs an email"));
    }
    if !emails.insert(lowercase(&user.email)) {
        return Err(at.error(format!("email `{}` is used twice", user.email)));
    }
    Ok(())
}

/// Where in the snapshot a check looks, such as `organizations[0].members[2]`: written out only
/// for an error: formatting every path was a large share of a large snapshot's check.
#[derive(Clone, Copy)]
struct At<'a> {
    parent: Option<&'a At<'a>>,
    field: &'static str,
    index: Option<usize>,
}

impl<'a> At<'a> {
    fn root(field: &'static str) -> Self {
        Self { parent: None, field, index: None }
    }

    fn item(self, index: usize) -> Self {
        Self { index: Some(index), ..self }
    }

    fn field(&'a self, field: &'static str) -> At<'a> {
        At { parent: Some(self), field, index: None }
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::snapshot(self.to_string(), message)
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}.")?;
        }
        f.write_str(self.field)?;
        match self.index {
            Some(index) => write!(f, "[{index}]"),
            None => Ok(()),
        }
    }
}

/// Entity ids must be unique per entity type across the whole snapshot.
#[derive(Default)]
struct IdRegistry<'s>(FastMap<&'static str, FastSet<&'s str>>);

impl<'s> IdRegistry<'s> {
    fn claim(&mut self, entity_type: &'static str, id: &'s str, at: &At<'_>) -> Result<()> {
        check_id(id, at)?;
        if !self.0.entry(entity_type).or_default().insert(id) {
            return Err(at.error(format!("{entity_type} id `{id}` is used twice")));
        }
        Ok(())
    }
}

fn check_id(id: &str, at: &At<'_>) -> Result<()> {
    if id.len() > MAX_ID_LENGTH {
        return Err(Error::LimitExceeded {
            what: format!("length of the id at `{at}` ({} bytes)", id.len()),
            limit: MAX_ID_LENGTH,
        });
    }
    if id.is_empty() || id.chars().any(char::is_control) {
        return Err(at.error(format!("an id must be 1 to {MAX_ID_LENGTH} bytes without control characters")));
    }
    Ok(())
}

/// The users an organization's records may name: its members and its collaborators.
struct OrgPeople<'s> {
    members: FastSet<&'s str>,
    collaborators: FastSet<&'s str>,
}

impl OrgPeople<'_> {
    fn contains(&self, user: &str) -> bool {
        self.members.contains(user) || self.collaborators.contains(user)
    }
}

fn known_user(users: &FastSet<&str>, user: &str, at: &At<'_>) -> Result<()> {
    if users.contains(user) {
        Ok(())
    } else {
        Err(at.error(format!("user `{user}` is not in `users`")))
    }
}

fn in_org(people: &OrgPeople<'_>, user: &str, at: &At<'_>, detail: &str) -> Result<()> {
    if people.contains(user) {
        Ok(())
    } else {
        Err(at.error(format!("`{user}` is neither a member nor a collaborator of this organization{detail}")))
    }
}

#[inline(never)]
fn check_organization<'s>(
    org: &'s OrganizationRecord,
    path: &At<'_>,
    users: &FastSet<&str>,
    ids: &mut IdRegistry<'s>,
) -> Result<()> {
    ids.claim("Organization", &org.id, path)?;
    if org.id.contains(['/', '#']) {
        return Err(path.error("an organization id may not contain `/` or `#`"));
    }
    let members = check_members(org, path, users)?;
    if !org.members.iter().any(|m| m.role == OrgRole::Owner) {
        return Err(path.error("an organization keeps at least one owner (MEM-7)"));
    }
    if org.personal && (org.members.len() > 1 || !org.invitations.is_empty() || !org.collaborators.is_empty())
    {
        return Err(path.error(
            "a personal account holds no members, collaborators or invitations besides its owner (ORG-3)",
        ));
    }
    let collaborators = check_collaborators(org, path, users, &members)?;
    let people = OrgPeople { members, collaborators };
    check_teams(org, path, &people, ids)?;
    let workspaces = check_workspaces(org, path, &people, ids)?;
    check_algorithms(org, path, users, &people, &workspaces, ids)?;
    check_invitations(org, path, users, ids)?;
    check_api_keys(org, path, ids)?;
    if org.billing.concurrent_run_limit < 0 || org.billing.active_runs < 0 {
        return Err(path.field("billing").error("run counts cannot be negative"));
    }
    Ok(())
}

#[inline(never)]
fn check_members<'s>(
    org: &'s OrganizationRecord,
    path: &At<'_>,
    users: &FastSet<&str>,
) -> Result<FastSet<&'s str>> {
    let mut members = FastSet::with_capacity_and_hasher(org.members.len(), Default::default());
    for (index, member) in org.members.iter().enumerate() {
        let at = path.field("members").item(index);
        known_user(users, &member.user, &at)?;
        if !members.insert(member.user.as_str()) {
            return Err(at.error(format!("`{}` is a member twice", member.user)));
        }
    }
    Ok(members)
}

#[inline(never)]
fn check_collaborators<'s>(
    org: &'s OrganizationRecord,
    path: &At<'_>,
    users: &FastSet<&str>,
    members: &FastSet<&str>,
) -> Result<FastSet<&'s str>> {
    let mut collaborators = FastSet::with_capacity_and_hasher(org.collaborators.len(), Default::default());
    for (index, collaborator) in org.collaborators.iter().enumerate() {
        let at = path.field("collaborators").item(index);
        known_user(users, collaborator, &at)?;
        if members.contains(collaborator.as_str()) {
            return Err(at.error(format!("`{collaborator}` is a member, not a collaborator")));
        }
        collaborators.insert(collaborator.as_str());
    }
    Ok(collaborators)
}

#[inline(never)]
fn check_teams<'s>(
    org: &'s OrganizationRecord,
    path: &At<'_>,
    people: &OrgPeople<'_>,
    ids: &mut IdRegistry<'s>,
) -> Result<()> {
    for (index, team) in org.teams.iter().enumerate() {
        let at = path.field("teams").item(index);
        ids.claim("Team", &team.id, &at)?;
        for (m, user) in team.members.iter().enumerate() {
            in_org(people, user, &at.field("members").item(m), " (TEAM-2)")?;
        }
    }
    Ok(())
}

/// Checks the workspaces and that every collaborator holds a role in one (WS-3); returns the
/// workspace ids.
#[inline(never)]
fn check_workspaces<'s>(
    org: &'s OrganizationRecord,
    path: &At<'_>,
    people: &OrgPeople<'_>,
    ids: &mut IdRegistry<'s>,
) -> Result<FastSet<&'s str>> {
    let mut workspaces = FastSet::with_capacity_and_hasher(org.workspaces.len(), Default::default());
    let mut holds_workspace_role = FastSet::default();
    // Looked up by id, and each granted team's members added once: one team granted in every
    // workspace must not cost members × workspaces.
    let teams: FastMap<&str, &[String]> =
        org.teams.iter().map(|t| (t.id.as_str(), t.members.as_slice())).collect();
    let mut granted_teams: FastSet<&str> = FastSet::default();
    for (index, workspace) in org.workspaces.iter().enumerate() {
        let workspace_at = path.field("workspaces").item(index);
        ids.claim("Workspace", &workspace.id, &workspace_at)?;
        workspaces.insert(workspace.id.as_str());
        for (p, participant) in workspace.participants.iter().enumerate() {
            let at = workspace_at.field("participants").item(p);
            match (&participant.user, &participant.team) {
                (Some(user), None) => {
                    in_org(people, user, &at, "")?;
                    holds_workspace_role.insert(user.as_str());
                }
                (None, Some(team)) => {
                    if !teams.contains_key(team.as_str()) {
                        return Err(at.error(format!("team `{team}` is not a team of this organization")));
                    }
                    granted_teams.insert(team.as_str());
                }
                _ => return Err(at.error("a participant names exactly one of `user` or `team`")),
            }
        }
    }
    for team in granted_teams {
        holds_workspace_role.extend(teams.get(team).copied().unwrap_or_default().iter().map(String::as_str));
    }
    for (index, collaborator) in org.collaborators.iter().enumerate() {
        if !holds_workspace_role.contains(collaborator.as_str()) {
            return Err(path.field("collaborators").item(index).error(format!(
                "collaborator `{collaborator}` holds no workspace role: collaborators are added only through a workspace (WS-3)"
            )));
        }
    }
    Ok(workspaces)
}

#[inline(never)]
fn check_algorithms<'s>(
    org: &'s OrganizationRecord,
    path: &At<'_>,
    users: &FastSet<&str>,
    people: &OrgPeople<'_>,
    workspaces: &FastSet<&str>,
    ids: &mut IdRegistry<'s>,
) -> Result<()> {
    for (index, algorithm) in org.algorithms.iter().enumerate() {
        let at = path.field("algorithms").item(index);
        ids.claim("Algorithm", &algorithm.id, &at)?;
        if !workspaces.contains(algorithm.workspace.as_str()) {
            return Err(at.error(format!(
                "workspace `{}` is not a workspace of this organization",
                algorithm.workspace
            )));
        }
        for (c, contributor) in algorithm.contributors.iter().enumerate() {
            in_org(people, contributor, &at.field("contributors").item(c), "")?;
        }
        for (v, version) in algorithm.versions.iter().enumerate() {
            let version_at = at.field("versions").item(v);
            ids.claim("AlgorithmVersion", &version.id, &version_at)?;
            known_user(users, &version.submitter, &version_at.field("submitter"))?;
        }
    }
    Ok(())
}

#[inline(never)]
fn check_invitations<'s>(
    org: &'s OrganizationRecord,
    path: &At<'_>,
    users: &FastSet<&str>,
    ids: &mut IdRegistry<'s>,
) -> Result<()> {
    for (index, invitation) in org.invitations.iter().enumerate() {
        let at = path.field("invitations").item(index);
        ids.claim("Invitation", &invitation.id, &at)?;
        if let Some(account) = &invitation.account {
            known_user(users, account, &at.field("account"))?;
        }
    }
    Ok(())
}

#[inline(never)]
fn check_api_keys<'s>(org: &'s OrganizationRecord, path: &At<'_>, ids: &mut IdRegistry<'s>) -> Result<()> {
    for (index, key) in org.api_keys.iter().enumerate() {
        let at = path.field("apiKeys").item(index);
        ids.claim("ApiKey", &key.id, &at)?;
        if let Some(scope) = key.scopes.iter().find(|s| !API_KEY_SCOPES.contains(&s.as_str())) {
            return Err(
                at.error(format!("unknown scope `{scope}`; known scopes: {}", API_KEY_SCOPES.join(", ")))
            );
        }
    }
    Ok(())
}

//! Structural checks of a snapshot before it becomes entities: a snapshot that breaks a rule
//! the model guarantees (an org without owner, a team member from another org, ...) is refused
//! whole (SEC-4) rather than loaded half-right.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::{OrgRole, OrganizationRecord, Snapshot, API_KEY_SCOPES};
use crate::error::{Error, Result};
use crate::limits::MAX_ID_LENGTH;

// Out of line, for the reason given above `snapshot_entities` (entities.rs).
#[inline(never)]
pub fn check_snapshot(snapshot: &Snapshot) -> Result<()> {
    let mut ids = IdRegistry::default();
    let mut emails = HashSet::new();
    for (index, user) in snapshot.users.iter().enumerate() {
        let at = At::root("users").item(index);
        ids.claim("User", &user.id, &at)?;
        if user.email.trim().is_empty() {
            return Err(at.error("a user needs an email"));
        }
        if !emails.insert(user.email.to_lowercase()) {
            return Err(at.error(format!("email `{}` is used twice", user.email)));
        }
    }
    let users: HashSet<&str> = snapshot.users.iter().map(|u| u.id.as_str()).collect();
    for (index, org) in snapshot.organizations.iter().enumerate() {
        check_organization(org, &At::root("organizations").item(index), &users, &mut ids)?;
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
struct IdRegistry(HashMap<&'static str, HashSet<String>>);

impl IdRegistry {
    fn claim(&mut self, entity_type: &'static str, id: &str, at: &At<'_>) -> Result<()> {
        check_id(id, at)?;
        if !self.0.entry(entity_type).or_default().insert(id.to_owned()) {
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

fn check_organization(
    org: &OrganizationRecord,
    path: &At<'_>,
    users: &HashSet<&str>,
    ids: &mut IdRegistry,
) -> Result<()> {
    ids.claim("Organization", &org.id, path)?;
    if org.id.contains(['/', '#']) {
        return Err(path.error("an organization id may not contain `/` or `#`"));
    }
    let known_user = |user: &str, at: &At<'_>| -> Result<()> {
        if users.contains(user) {
            Ok(())
        } else {
            Err(at.error(format!("user `{user}` is not in `users`")))
        }
    };

    let mut members = HashSet::new();
    for (index, member) in org.members.iter().enumerate() {
        let at = path.field("members").item(index);
        known_user(&member.user, &at)?;
        if !members.insert(member.user.as_str()) {
            return Err(at.error(format!("`{}` is a member twice", member.user)));
        }
    }
    if !org.members.iter().any(|m| m.role == OrgRole::Owner) {
        return Err(path.error("an organization keeps at least one owner (MEM-7)"));
    }
    if org.personal && (org.members.len() > 1 || !org.invitations.is_empty() || !org.collaborators.is_empty())
    {
        return Err(path.error(
            "a personal account holds no members, collaborators or invitations besides its owner (ORG-3)",
        ));
    }

    let mut collaborators = HashSet::new();
    for (index, collaborator) in org.collaborators.iter().enumerate() {
        let at = path.field("collaborators").item(index);
        known_user(collaborator, &at)?;
        if members.contains(collaborator.as_str()) {
            return Err(at.error(format!("`{collaborator}` is a member, not a collaborator")));
        }
        collaborators.insert(collaborator.as_str());
    }
    let in_org = |user: &str| members.contains(user) || collaborators.contains(user);

    let mut teams = HashSet::new();
    for (index, team) in org.teams.iter().enumerate() {
        let at = path.field("teams").item(index);
        ids.claim("Team", &team.id, &at)?;
        teams.insert(team.id.as_str());
        for (m, user) in team.members.iter().enumerate() {
            if !in_org(user) {
                return Err(at.field("members").item(m).error(format!(
                    "`{user}` is neither a member nor a collaborator of this organization (TEAM-2)"
                )));
            }
        }
    }

    let mut workspaces = HashSet::new();
    let mut holds_workspace_role = HashSet::new();
    for (index, workspace) in org.workspaces.iter().enumerate() {
        let workspace_at = path.field("workspaces").item(index);
        ids.claim("Workspace", &workspace.id, &workspace_at)?;
        workspaces.insert(workspace.id.as_str());
        for (p, participant) in workspace.participants.iter().enumerate() {
            let at = workspace_at.field("participants").item(p);
            match (&participant.user, &participant.team) {
                (Some(user), None) => {
                    if !in_org(user) {
                        return Err(at.error(format!(
                            "`{user}` is neither a member nor a collaborator of this organization"
                        )));
                    }
                    holds_workspace_role.insert(user.as_str());
                }
                (None, Some(team)) => {
                    let Some(record) = org.teams.iter().find(|t| &t.id == team) else {
                        return Err(at.error(format!("team `{team}` is not a team of this organization")));
                    };
                    holds_workspace_role.extend(record.members.iter().map(String::as_str));
                }
                _ => return Err(at.error("a participant names exactly one of `user` or `team`")),
            }
        }
    }
    for (index, collaborator) in org.collaborators.iter().enumerate() {
        if !holds_workspace_role.contains(collaborator.as_str()) {
            return Err(path.field("collaborators").item(index).error(format!(
                "collaborator `{collaborator}` holds no workspace role: collaborators are added only through a workspace (WS-3)"
            )));
        }
    }

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
            if !in_org(contributor) {
                return Err(at.field("contributors").item(c).error(format!(
                    "`{contributor}` is neither a member nor a collaborator of this organization"
                )));
            }
        }
        for (v, version) in algorithm.versions.iter().enumerate() {
            let version_at = at.field("versions").item(v);
            ids.claim("AlgorithmVersion", &version.id, &version_at)?;
            known_user(&version.submitter, &version_at.field("submitter"))?;
        }
    }

    for (index, invitation) in org.invitations.iter().enumerate() {
        let at = path.field("invitations").item(index);
        ids.claim("Invitation", &invitation.id, &at)?;
        if let Some(account) = &invitation.account {
            known_user(account, &at.field("account"))?;
        }
    }

    for (index, key) in org.api_keys.iter().enumerate() {
        let at = path.field("apiKeys").item(index);
        ids.claim("ApiKey", &key.id, &at)?;
        if let Some(scope) = key.scopes.iter().find(|s| !API_KEY_SCOPES.contains(&s.as_str())) {
            return Err(
                at.error(format!("unknown scope `{scope}`; known scopes: {}", API_KEY_SCOPES.join(", ")))
            );
        }
    }

    if org.billing.concurrent_run_limit < 0 || org.billing.active_runs < 0 {
        return Err(path.field("billing").error("run counts cannot be negative"));
    }
    Ok(())
}

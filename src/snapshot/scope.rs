//! Viewer-scoped snapshots: the snapshot one user's browser needs, cut from the full one.
//!
//! A frontend gates its buttons with an engine loaded in the browser. Given the full
//! organization snapshot it would hold every member's email, every invitation, every API key
//! and the billing numbers of every org, whoever is signed in. [`scope_snapshot`] keeps, for
//! one principal `P` (a user), the entities and attributes P's own decisions read, and of those
//! only what P may see, so that:
//!
//! - every check P can make on a resource the scoped snapshot holds, with no context (what
//!   `check`, `allowedActions` and `matrix` gate buttons with), answers exactly as it does on
//!   the full snapshot: the same `allowed`, cause, reason and deciding policies;
//! - nothing P may not view is in it.
//!
//! What P may view is decided by the engine, loaded with the full snapshot and asked P's
//! `view*`/`list*` actions, never by a copy of the rules here:
//!
//! | kept | when the engine allows P | otherwise |
//! | --- | --- | --- |
//! | the org's members (with role) and their emails and names | `viewMembers` | P's own membership and the owners, by id only |
//! | invitations | `listInvitations` | the invitations addressed to P |
//! | API keys | `listApiKeys` | none |
//! | credit balance | `viewBilling` | `1` if positive, else `0` (the one fact BILL-3 reads) |
//! | concurrent run limit and active runs | `viewUsage` | `0`/`1` if a run may start, else `0`/`0` |
//! | a workspace, with its name | `viewWorkspace` | its id and labels, if P holds a role in it or it holds an algorithm P may view; else nothing |
//! | an algorithm, its contributors and versions | `viewAlgorithm` | nothing |
//! | pending versions of a kept algorithm | `listPendingVersions` | P's own submissions |
//! | a team, with its name | `viewTeam` | its id and compliance labels, if P is in it; else nothing |
//!
//! An organization is kept only if P is a member or a collaborator of it, or holds a pending
//! invitation to it (then only the org's profile, its owners by id and that invitation, with
//! the default security settings). Other people are named only where P may see the org's
//! people (`viewMembers`): then every member, and the collaborators who hold a role in a
//! workspace P sees whole, appear in member lists, team member lists, workspace participants
//! and algorithm contributors, with their emails and names. Elsewhere those lists keep P
//! alone. P's own record is kept whole (P's decisions read its email, MFA and password
//! flags); another user's MFA and password flags are never kept
//! (only the principal's are read), and a user P may not see keeps only the id the snapshot
//! requires (an owner, a version's submitter, an invitation's account), with a placeholder
//! email `<id>@redacted.invalid` (emails must be unique and not empty) and no name.
//!
//! What the snapshot's invariants force in: every org keeps all its owners (an org keeps an
//! owner; and `ownerCount`, which MEM-5 and MEM-7 read, must not change), so their ids (never
//! their emails) are visible to every viewer of the org; a workspace that holds an algorithm P
//! may view (a public one) is kept as its id and labels; a collaborator keeps the workspace
//! roles they hold.
//!
//! The guarantee is checked, not assumed: before answering, the call loads the scoped snapshot
//! into an engine with the same schema and policies and compares P's decision on every entity
//! of it, for every action that applies, with the full snapshot's. A difference is refused
//! (`INVALID_REQUEST`) rather than shipped: the default policies never give one (a property
//! test holds this over random organizations); a custom policy that reads what the scoped
//! snapshot leaves out can.
//!
//! Not covered: checks with a context that quotes hidden data (a removal confirmation typed as
//! a hidden member's email compares with the placeholder), and `validateAction`'s lookups of
//! people by email or account (MEM-2, TEAM-2), which know only the people the scoped snapshot
//! keeps. Both are for the server, which validates every action against the full snapshot.

use std::collections::{HashMap, HashSet};

use super::{
    lowercase, AlgorithmRecord, BillingRecord, InvitationRecord, InvitationStatus, OrgRole,
    OrganizationRecord, ParticipantRecord, SecurityRecord, Snapshot, TeamRecord, UserRecord, VersionRecord,
    VersionStatus, WorkspaceRecord,
};
use crate::engine::{ActionOutcome, Decision, Engine, EntityRef};
use crate::error::{Error, Result};
use crate::limits::{check_size, json_bytes, MAX_JSON_BYTES};

/// The domain of the placeholder emails of users the viewer may not see (`.invalid` is
/// reserved: no real address ends with it).
pub const REDACTED_EMAIL_DOMAIN: &str = "redacted.invalid";

/// The snapshot for `principal` (a user id): see the module documentation for what it keeps.
///
/// `engine` gives the schema and policies that decide what the principal may view and that
/// the result is checked against; its store is neither read nor changed. Fails if `snapshot`
/// does not load, if the principal is not one of its users, or if the scoped snapshot would
/// answer one of the principal's checks differently (possible only with custom policies).
pub fn scope_snapshot(engine: &Engine, snapshot: &Snapshot, principal: &str) -> Result<Snapshot> {
    let principal_ref = EntityRef::new("User", principal);
    let mut full = engine.clone();
    full.load_snapshot(snapshot)?;
    let me = snapshot
        .users
        .iter()
        .find(|user| user.id == principal)
        .ok_or_else(|| Error::UnknownPrincipal(principal_ref.to_string()))?;
    let viewer = Viewer { engine: &full, me, principal: &principal_ref };
    let mut people = People::default();
    let organizations =
        snapshot.organizations.iter().filter_map(|org| viewer.scope_organization(org, &mut people)).collect();
    let users = people.users(snapshot, me);
    let scoped = Snapshot { users, organizations };
    fits_as_input(&scoped, MAX_JSON_BYTES)?;
    verify(engine, &full, &scoped, &principal_ref)?;
    Ok(scoped)
}

/// The browser loads the scoped snapshot as JSON text, under the input limit of any JSON: the
/// placeholder emails and the fields written out can make it larger than the full snapshot
/// (an invitee's view of 58,000 owners with 256-byte ids: 32.9 MB in, 51.5 MB out).
fn fits_as_input(scoped: &Snapshot, limit: usize) -> Result<()> {
    check_size("the scoped snapshot's JSON in bytes", json_bytes(scoped), limit)
}

/// The principal, and the engine holding the full snapshot that answers what they may view.
struct Viewer<'a> {
    engine: &'a Engine,
    me: &'a UserRecord,
    principal: &'a EntityRef,
}

/// What the engine allows the principal on one organization as a whole.
struct OrgView {
    people: bool,
    invitations: bool,
    api_keys: bool,
    billing: bool,
    usage: bool,
    pending_versions: bool,
}

/// The users the scoped organizations mention, and those of them the viewer may see.
#[derive(Default)]
struct People {
    mentioned: HashSet<String>,
    visible: HashSet<String>,
}

impl People {
    fn mention<'s>(&mut self, users: impl IntoIterator<Item = &'s String>) {
        self.mentioned.extend(users.into_iter().cloned());
    }

    fn mention_organization(&mut self, org: &OrganizationRecord) {
        self.mention(org.members.iter().map(|m| &m.user));
        self.mention(&org.collaborators);
        self.mention(org.teams.iter().flat_map(|t| &t.members));
        self.mention(org.workspaces.iter().flat_map(|w| &w.participants).filter_map(|p| p.user.as_ref()));
        for algorithm in &org.algorithms {
            self.mention(&algorithm.contributors);
            self.mention(algorithm.versions.iter().map(|v| &v.submitter));
        }
        self.mention(org.invitations.iter().filter_map(|i| i.account.as_ref()));
    }

    /// The users to keep, in the order of the full snapshot: the principal as they are, the
    /// people the viewer may see with their email and name, the rest reduced to their id.
    fn users(&self, snapshot: &Snapshot, me: &UserRecord) -> Vec<UserRecord> {
        let kept: Vec<&UserRecord> =
            snapshot.users.iter().filter(|u| u.id == me.id || self.mentioned.contains(&u.id)).collect();
        let shown = |user: &UserRecord| user.id == me.id || self.visible.contains(&user.id);
        let mut taken: HashSet<String> =
            kept.iter().filter(|u| shown(u)).map(|u| lowercase(&u.email)).collect();
        kept.into_iter()
            .map(|user| {
                if user.id == me.id {
                    user.clone()
                } else if shown(user) {
                    UserRecord {
                        id: user.id.clone(),
                        email: user.email.clone(),
                        name: user.name.clone(),
                        mfa_enabled: false,
                        password_compliant: false,
                    }
                } else {
                    UserRecord {
                        id: user.id.clone(),
                        email: placeholder_email(&user.id, &mut taken),
                        name: String::new(),
                        mfa_enabled: false,
                        password_compliant: false,
                    }
                }
            })
            .collect()
    }
}

/// `<id>@redacted.invalid`, or `<id>+<n>@redacted.invalid` when a kept user already has that
/// address (emails are unique without regard to case).
fn placeholder_email(id: &str, taken: &mut HashSet<String>) -> String {
    let mut email = format!("{id}@{REDACTED_EMAIL_DOMAIN}");
    let mut n = 2u64;
    while !taken.insert(lowercase(&email)) {
        email = format!("{id}+{n}@{REDACTED_EMAIL_DOMAIN}");
        n = n.saturating_add(1);
    }
    email
}

impl Viewer<'_> {
    /// Does the engine, holding the full snapshot, allow the principal `action` on the
    /// resource? Anything but an allow (a failure included: an action a custom schema lacks)
    /// hides.
    fn may(&self, action: &str, entity_type: &str, id: &str) -> bool {
        self.engine.check(self.principal, action, &EntityRef::new(entity_type, id), None).allowed()
    }

    fn is_me(&self, user: &str) -> bool {
        user == self.me.id
    }

    /// The invitee of MEM-4: the account invited by name, or, without one, the account whose
    /// email was invited.
    fn addressed_to_me(&self, invitation: &InvitationRecord) -> bool {
        match &invitation.account {
            Some(account) => self.is_me(account),
            None => lowercase(&invitation.email) == lowercase(&self.me.email),
        }
    }

    /// An invitation the principal may still accept: addressed to them and pending.
    fn invites_me(&self, invitation: &InvitationRecord) -> bool {
        invitation.status == InvitationStatus::Pending && self.addressed_to_me(invitation)
    }

    fn scope_organization(
        &self,
        org: &OrganizationRecord,
        people: &mut People,
    ) -> Option<OrganizationRecord> {
        let member = org.members.iter().any(|m| self.is_me(&m.user));
        let collaborator = org.collaborators.iter().any(|c| self.is_me(c));
        let inside = member || collaborator;
        // Only a pending invitation makes an outsider invited: an accepted one whose invitee
        // has since left, or a cancelled or expired one, lets them see nothing of the org.
        if !inside && !org.invitations.iter().any(|i| self.invites_me(i)) {
            return None;
        }
        let allows = |action: &str| inside && self.may(action, "Organization", &org.id);
        let view = OrgView {
            people: allows("viewMembers"),
            invitations: allows("listInvitations"),
            api_keys: allows("listApiKeys"),
            billing: allows("viewBilling"),
            usage: allows("viewUsage"),
            pending_versions: allows("listPendingVersions"),
        };
        let parts = if inside { self.inside_parts(org, &view) } else { Parts::default() };
        let members = if view.people {
            org.members.clone()
        } else {
            org.members.iter().filter(|m| m.role == OrgRole::Owner || self.is_me(&m.user)).cloned().collect()
        };
        let mine = |i: &InvitationRecord| if inside { self.addressed_to_me(i) } else { self.invites_me(i) };
        let invitations: Vec<InvitationRecord> =
            org.invitations.iter().filter(|i| view.invitations || mine(i)).cloned().collect();
        let scoped = OrganizationRecord {
            id: org.id.clone(),
            name: org.name.clone(),
            display_name: org.display_name.clone(),
            personal: org.personal,
            // Read only by an acceptance (MEM-4), so only beside an invitation.
            terms_version: if invitations.is_empty() { String::new() } else { org.terms_version.clone() },
            members,
            collaborators: parts.collaborators,
            billing: billing(org, &view, !parts.workspaces.is_empty()),
            teams: parts.teams,
            workspaces: parts.workspaces,
            algorithms: parts.algorithms,
            invitations,
            api_keys: if view.api_keys { org.api_keys.clone() } else { Vec::new() },
            // The sign-in rules bind the org's members (SEC-3), which an invitee is not yet.
            security: if inside { org.security.clone() } else { SecurityRecord::default() },
        };
        people.mention_organization(&scoped);
        if view.people {
            people.visible.extend(scoped.members.iter().map(|m| m.user.clone()));
            people.visible.extend(scoped.collaborators.iter().cloned());
        }
        Some(scoped)
    }

    /// The collaborators, teams, workspaces and algorithms kept of an org the principal is a
    /// member or a collaborator of.
    fn inside_parts(&self, org: &OrganizationRecord, view: &OrgView) -> Parts {
        let my_teams: HashSet<&str> = org
            .teams
            .iter()
            .filter(|t| t.members.iter().any(|m| self.is_me(m)))
            .map(|t| t.id.as_str())
            .collect();
        let viewable_teams: HashSet<&str> =
            org.teams.iter().filter(|t| self.may("viewTeam", "Team", &t.id)).map(|t| t.id.as_str()).collect();
        // Teams whose member lists are shown: the viewer sees the team and the org's people.
        let whole_teams: HashSet<&str> = if view.people { viewable_teams.clone() } else { HashSet::new() };
        let kept_teams: HashSet<&str> = my_teams.union(&viewable_teams).copied().collect();

        let algorithms: Vec<&AlgorithmRecord> =
            org.algorithms.iter().filter(|a| self.may("viewAlgorithm", "Algorithm", &a.id)).collect();
        let hosts: HashSet<&str> = algorithms.iter().map(|a| a.workspace.as_str()).collect();
        let holds_my_role = |w: &WorkspaceRecord| {
            w.participants.iter().any(|p| {
                p.user.as_deref().is_some_and(|u| self.is_me(u))
                    || p.team.as_deref().is_some_and(|t| my_teams.contains(t))
            })
        };
        // (workspace, may view it)
        let workspaces: Vec<(&WorkspaceRecord, bool)> = org
            .workspaces
            .iter()
            .map(|w| (w, self.may("viewWorkspace", "Workspace", &w.id)))
            .filter(|(w, viewable)| *viewable || holds_my_role(w) || hosts.contains(w.id.as_str()))
            .collect();
        // Workspaces whose participant lists are shown, like teams.
        let whole_workspaces: HashSet<&str> = if view.people {
            workspaces.iter().filter(|(_, viewable)| *viewable).map(|(w, _)| w.id.as_str()).collect()
        } else {
            HashSet::new()
        };

        // The people named in lists: with `viewMembers`, every member and the collaborators
        // who hold a role in a workspace shown whole (directly or through a team shown whole);
        // without, the principal alone.
        let team_members: HashMap<&str, &[String]> =
            org.teams.iter().map(|t| (t.id.as_str(), t.members.as_slice())).collect();
        let mut shown_roles: HashSet<&str> = HashSet::new();
        for workspace in org.workspaces.iter().filter(|w| whole_workspaces.contains(w.id.as_str())) {
            for participant in &workspace.participants {
                if let Some(user) = &participant.user {
                    shown_roles.insert(user);
                }
                if let Some(team) = participant.team.as_deref().filter(|t| whole_teams.contains(t)) {
                    let members = team_members.get(team).copied().unwrap_or_default();
                    shown_roles.extend(members.iter().map(String::as_str));
                }
            }
        }
        let collaborators: Vec<String> = org
            .collaborators
            .iter()
            .filter(|c| shown_roles.contains(c.as_str()) || self.is_me(c))
            .cloned()
            .collect();
        let named: HashSet<&str> = if view.people {
            org.members
                .iter()
                .map(|m| m.user.as_str())
                .chain(collaborators.iter().map(String::as_str))
                .collect()
        } else {
            std::iter::once(self.me.id.as_str()).collect()
        };
        let named_only = |users: &[String]| -> Vec<String> {
            users.iter().filter(|u| named.contains(u.as_str())).cloned().collect()
        };

        let teams = org
            .teams
            .iter()
            .filter(|t| kept_teams.contains(t.id.as_str()))
            .map(|t| {
                let viewable = viewable_teams.contains(t.id.as_str());
                TeamRecord {
                    id: t.id.clone(),
                    name: if viewable { t.name.clone() } else { String::new() },
                    members: if whole_teams.contains(t.id.as_str()) {
                        named_only(&t.members)
                    } else {
                        t.members.iter().filter(|m| self.is_me(m)).cloned().collect()
                    },
                    compliance_labels: t.compliance_labels.clone(),
                }
            })
            .collect();
        let workspaces = workspaces
            .into_iter()
            .map(|(w, viewable)| {
                let whole = whole_workspaces.contains(w.id.as_str());
                let participants: Vec<ParticipantRecord> = w
                    .participants
                    .iter()
                    .filter(|p| match (&p.user, &p.team) {
                        (Some(user), _) if whole => named.contains(user.as_str()),
                        (Some(user), _) => self.is_me(user),
                        (None, Some(team)) if whole => kept_teams.contains(team.as_str()),
                        (None, Some(team)) => my_teams.contains(team.as_str()),
                        (None, None) => false,
                    })
                    .cloned()
                    .collect();
                WorkspaceRecord {
                    id: w.id.clone(),
                    name: if viewable { w.name.clone() } else { String::new() },
                    labels: w.labels.clone(),
                    participants,
                }
            })
            .collect();
        let algorithms = algorithms
            .into_iter()
            .map(|a| AlgorithmRecord {
                contributors: named_only(&a.contributors),
                versions: a
                    .versions
                    .iter()
                    .filter(|v| self.shows_version(v, view))
                    .cloned()
                    .collect::<Vec<VersionRecord>>(),
                ..a.clone()
            })
            .collect();
        Parts { collaborators, teams, workspaces, algorithms }
    }

    /// A version of an algorithm the principal may view, unless it waits for approval: those
    /// only admins see (ALG-4, `listPendingVersions`), and their submitter.
    fn shows_version(&self, version: &VersionRecord, view: &OrgView) -> bool {
        version.status != VersionStatus::Pending || view.pending_versions || self.is_me(&version.submitter)
    }
}

/// The parts of an organization that only its members and collaborators get.
#[derive(Default)]
struct Parts {
    collaborators: Vec<String>,
    teams: Vec<TeamRecord>,
    workspaces: Vec<WorkspaceRecord>,
    algorithms: Vec<AlgorithmRecord>,
}

/// The billing numbers the viewer may see; the others replaced by the one fact each gives
/// the decisions (BILL-3 on `launchCompute`, the only reader): is the balance positive, is
/// there room for another run. Without a workspace kept nothing reads them: zeros.
fn billing(org: &OrganizationRecord, view: &OrgView, workspaces_kept: bool) -> BillingRecord {
    let real = &org.billing;
    let credit_balance = match (view.billing, workspaces_kept) {
        (true, _) => real.credit_balance,
        (false, true) => i64::from(real.credit_balance > 0),
        (false, false) => 0,
    };
    let (concurrent_run_limit, active_runs) = match (view.usage, workspaces_kept) {
        (true, _) => (real.concurrent_run_limit, real.active_runs),
        (false, true) => (i64::from(real.active_runs < real.concurrent_run_limit), 0),
        (false, false) => (0, 0),
    };
    BillingRecord { credit_balance, concurrent_run_limit, active_runs }
}

/// Holds the guarantee: on every entity of the scoped snapshot, every action that applies
/// answers the principal as on the full snapshot.
fn verify(engine: &Engine, full: &Engine, scoped: &Snapshot, principal: &EntityRef) -> Result<()> {
    let mut reduced = engine.clone();
    reduced.load_snapshot(scoped).map_err(|error| {
        Error::InvalidRequest(format!("the snapshot scoped for {principal} does not load: {error}"))
    })?;
    let mut resources: Vec<EntityRef> = reduced
        .entities()
        .iter()
        .map(|entity| entity.uid())
        .filter(|uid| uid.type_name().basename() != "Action")
        .map(|uid| EntityRef::new(uid.type_name().to_string(), uid.id().unescaped()))
        .collect();
    resources.sort_by(|a, b| (&a.entity_type, &a.id).cmp(&(&b.entity_type, &b.id)));
    for resource in &resources {
        let expected = full.allowed_actions(principal, resource);
        let actual = reduced.allowed_actions(principal, resource);
        if let Some(action) = first_difference(&expected, &actual) {
            return Err(Error::InvalidRequest(format!(
                "the snapshot cannot be scoped for {principal} with these policies: `{action}` on {resource} \
                 would be answered differently than on the full snapshot, so a policy reads data the scoped \
                 snapshot leaves out"
            )));
        }
    }
    Ok(())
}

/// The first action answered differently, if one is.
fn first_difference(
    expected: &Result<Vec<ActionOutcome>>,
    actual: &Result<Vec<ActionOutcome>>,
) -> Option<String> {
    match (expected, actual) {
        (Ok(expected), Ok(actual)) => {
            let differs = |(a, b): &(&ActionOutcome, &ActionOutcome)| {
                a.action != b.action || !same_decision(&a.decision, &b.decision)
            };
            match expected.iter().zip(actual).find(differs) {
                Some((outcome, _)) => Some(outcome.action.clone()),
                None if expected.len() != actual.len() => Some("every action".to_owned()),
                None => None,
            }
        }
        (Err(expected), Err(actual)) if expected == actual => None,
        _ => Some("every action".to_owned()),
    }
}

/// Decisions compared whole: allowed, cause, reason, deciding policies, requirements, errors.
fn same_decision(a: &Decision, b: &Decision) -> bool {
    match (a, b) {
        (Decision::Success(a), Decision::Success(b)) => {
            a.allowed == b.allowed
                && a.cause == b.cause
                && a.reason == b.reason
                && a.policies == b.policies
                && a.requirements == b.requirements
        }
        (Decision::Failure(a), Decision::Failure(b)) => a.reason == b.reason && a.errors == b.errors,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::fits_as_input;
    use crate::error::ErrorCode;
    use crate::snapshot::Snapshot;

    #[test]
    fn a_scoped_snapshot_must_fit_the_input_limit_it_is_loaded_under() {
        let snapshot = Snapshot::from_json(include_str!("../../tests/fixtures/small-org.json")).unwrap();
        let bytes = serde_json::to_vec(&snapshot).unwrap().len();
        assert!(fits_as_input(&snapshot, bytes).is_ok(), "exactly at the limit");
        let refused = fits_as_input(&snapshot, bytes - 1).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::LimitExceeded);
        assert!(refused.to_string().contains(&format!("({bytes})")), "{refused}");
    }
}

//! One organization of a snapshot, with the users it references: what one key of a
//! multi-tenant store holds, so that each organization is built into its own store the first
//! time a request reaches it (`orgwarden/orgs`).
//!
//! Why a request on organization X is decided by X's store alone as by the whole snapshot:
//! every entity the default policies read for it (the resource and its organization, teams,
//! workspaces, roles, the principal and the roles it holds in X) is X's own or a user X
//! references, and a user's entity holds only roles, so another organization adds nothing to
//! X's decisions. tests/org_split.rs holds this over random organizations, for every
//! principal X references; a principal X does not reference is unknown to X's store (a deny,
//! `UNKNOWN_PRINCIPAL`). A policy that reads another organization's entity (an entity literal
//! of a custom policy, an entity in the context) finds it missing, which is an evaluation
//! error and so a deny: never a yes the whole snapshot would not give.

use std::collections::BTreeSet;

use super::{FastMap, OrganizationRecord, Snapshot, UserRecord};
use crate::snapshot::lowercase;

/// The organization `org_id` of `snapshot` with every user it references (see
/// [`split_organizations`]). `None` when the snapshot has no such organization.
pub fn organization_snapshot(snapshot: &Snapshot, org_id: &str) -> Option<Snapshot> {
    let org = snapshot.organizations.iter().find(|o| o.id == org_id)?;
    Some(Users::index(&snapshot.users).snapshot_of(org))
}

/// Every organization of `snapshot`, in order, each with the users it references: its members
/// and collaborators, team members, workspace participants, algorithm contributors, version
/// submitters, and the invitees of its invitations (by account, or by email when an account
/// has that email, compared as the engine compares them). Users keep the snapshot's order.
pub fn split_organizations(snapshot: &Snapshot) -> Vec<Snapshot> {
    let users = Users::index(&snapshot.users);
    snapshot.organizations.iter().map(|org| users.snapshot_of(org)).collect()
}

/// The snapshot's users by id and by lower-cased email, built once for every organization.
struct Users<'s> {
    all: &'s [UserRecord],
    by_id: FastMap<&'s str, usize>,
    by_email: FastMap<String, usize>,
}

impl<'s> Users<'s> {
    fn index(all: &'s [UserRecord]) -> Self {
        let by_id = all.iter().enumerate().map(|(at, u)| (u.id.as_str(), at)).collect();
        let by_email = all.iter().enumerate().map(|(at, u)| (lowercase(&u.email), at)).collect();
        Self { all, by_id, by_email }
    }

    fn snapshot_of(&self, org: &OrganizationRecord) -> Snapshot {
        let by_id = referenced_users(org).filter_map(|id| self.by_id.get(id));
        let by_email = org.invitations.iter().filter_map(|i| self.by_email.get(&lowercase(&i.email)));
        let held: BTreeSet<usize> = by_id.chain(by_email).copied().collect();
        let users = held.into_iter().filter_map(|at| self.all.get(at)).cloned().collect();
        Snapshot { users, organizations: vec![org.clone()] }
    }
}

/// The ids of the users `org` names anywhere.
fn referenced_users(org: &OrganizationRecord) -> impl Iterator<Item = &str> {
    let members = org.members.iter().map(|m| m.user.as_str());
    let collaborators = org.collaborators.iter().map(String::as_str);
    let in_teams = org.teams.iter().flat_map(|t| t.members.iter().map(String::as_str));
    let participants =
        org.workspaces.iter().flat_map(|w| w.participants.iter().filter_map(|p| p.user.as_deref()));
    let contributors = org.algorithms.iter().flat_map(|a| a.contributors.iter().map(String::as_str));
    let submitters = org.algorithms.iter().flat_map(|a| a.versions.iter().map(|v| v.submitter.as_str()));
    let invitees = org.invitations.iter().filter_map(|i| i.account.as_deref());
    members
        .chain(collaborators)
        .chain(in_teams)
        .chain(participants)
        .chain(contributors)
        .chain(submitters)
        .chain(invitees)
}

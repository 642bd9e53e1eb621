//! What the organization model grants, read straight off a snapshot: the oracles that the
//! property tests (tests/properties.rs) and the fuzz targets (fuzz/src/lib.rs) judge the
//! engine by. Both include this file, so the two judge by the same rules.

use std::collections::BTreeSet;

use orgwarden::snapshot::{membership_id, OrganizationRecord, VersionStatus};
use orgwarden::{EntityRef, Snapshot};

/// Every org-scoped resource of `org`.
pub fn org_resources(org: &OrganizationRecord) -> Vec<EntityRef> {
    let mut out = vec![EntityRef::new("Organization", &org.id)];
    out.extend(org.members.iter().map(|m| EntityRef::new("Membership", membership_id(&org.id, &m.user))));
    out.extend(org.teams.iter().map(|t| EntityRef::new("Team", &t.id)));
    out.extend(org.workspaces.iter().map(|w| EntityRef::new("Workspace", &w.id)));
    for algorithm in &org.algorithms {
        out.push(EntityRef::new("Algorithm", &algorithm.id));
        out.extend(algorithm.versions.iter().map(|v| EntityRef::new("AlgorithmVersion", &v.id)));
    }
    out.extend(org.invitations.iter().map(|i| EntityRef::new("Invitation", &i.id)));
    out.extend(org.api_keys.iter().map(|k| EntityRef::new("ApiKey", &k.id)));
    out
}

/// What anyone may do on a resource of an org they hold no role in: the public profile
/// (ORG-4), public algorithms (ORG-4; calling only a published one, ALG-5), and accepting an
/// invitation addressed to them (MEM-4).
pub fn public_actions(
    snapshot: &Snapshot,
    org: &OrganizationRecord,
    user: &str,
    resource: &EntityRef,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match resource.entity_type.as_str() {
        "Organization" => {
            out.insert("viewPublicProfile".to_owned());
        }
        "Algorithm" => {
            if let Some(algorithm) = org.algorithms.iter().find(|a| a.id == resource.id) {
                if algorithm.public {
                    out.insert("viewAlgorithm".to_owned());
                    if algorithm.versions.iter().any(|v| v.status == VersionStatus::Published) {
                        out.insert("callAlgorithm".to_owned());
                    }
                }
            }
        }
        "Invitation" => {
            let address = snapshot.users.iter().find(|u| u.id == user).map(|u| u.email.to_lowercase());
            if let Some(invitation) = org.invitations.iter().find(|i| i.id == resource.id) {
                let addressed = match &invitation.account {
                    Some(account) => account == user,
                    None => address.as_deref() == Some(invitation.email.to_lowercase().as_str()),
                };
                if addressed {
                    out.insert("acceptInvitation".to_owned());
                }
            }
        }
        _ => {}
    }
    out
}

/// The workspace a workspace-scoped resource lives in.
pub fn workspace_of(org: &OrganizationRecord, resource: &EntityRef) -> Option<String> {
    match resource.entity_type.as_str() {
        "Workspace" => Some(resource.id.clone()),
        "Algorithm" => org.algorithms.iter().find(|a| a.id == resource.id).map(|a| a.workspace.clone()),
        "AlgorithmVersion" => org
            .algorithms
            .iter()
            .find(|a| a.versions.iter().any(|v| v.id == resource.id))
            .map(|a| a.workspace.clone()),
        _ => None,
    }
}

/// Does `user` hold a role in `workspace`, directly or through a team (WS-2, TEAM-3)?
pub fn holds_workspace_role(org: &OrganizationRecord, workspace: &str, user: &str) -> bool {
    org.workspaces.iter().filter(|w| w.id == workspace).flat_map(|w| &w.participants).any(|p| {
        p.user.as_deref() == Some(user)
            || p.team.as_ref().is_some_and(|team| {
                org.teams.iter().any(|t| &t.id == team && t.members.iter().any(|m| m == user))
            })
    })
}

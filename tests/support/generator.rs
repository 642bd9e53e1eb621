//! The generator of random but valid organizations shared by the property tests
//! (tests/properties.rs) and the differential tests (tests/differential.rs): 1-3 orgs; owners,
//! admins, members, collaborators; teams with and without compliance labels; workspaces with
//! user and team participants at every level; algorithms and versions in every state;
//! invitations by account and by email; API keys with random scopes, revoked or not; billing
//! and security settings. Both include this file with `#[path]`.
#![allow(dead_code)]

use orgwarden::snapshot::{
    AlgorithmRecord, ApiKeyRecord, BillingRecord, InvitationRecord, InvitationStatus, MemberRecord, OrgRole,
    OrganizationRecord, ParticipantRecord, SecurityRecord, TeamRecord, UserRecord, VersionRecord,
    VersionStatus, WorkspaceRecord, WorkspaceRole, API_KEY_SCOPES,
};
use orgwarden::Snapshot;
use proptest::prelude::*;

/// One org as indices and choices; `build` turns plans into a valid snapshot. Indices are
/// taken modulo the size of what they point into, so that every plan is usable and shrinks.
/// (a team?, index of the user or team, role).
pub type ParticipantPlan = (bool, usize, WorkspaceRole);
/// (workspace, public, labelled, contributors, versions as (status, submitter)).
pub type AlgorithmPlan = (usize, bool, bool, Vec<usize>, Vec<(VersionStatus, usize)>);

#[derive(Debug, Clone)]
pub struct OrgPlan {
    pub personal: bool,
    pub members: Vec<(usize, OrgRole)>,
    pub collaborators: Vec<usize>,
    /// Members (as indices into the org's people), restricted to `hipaa`?
    pub teams: Vec<(Vec<usize>, bool)>,
    /// Labelled `hipaa`? Participants: (is a team?, index, role).
    pub workspaces: Vec<(bool, Vec<ParticipantPlan>)>,
    /// Workspace, public, labelled, contributors, versions (status, submitter).
    pub algorithms: Vec<AlgorithmPlan>,
    /// By account (user index) or by email (user index, or a fresh address), role, status.
    pub invitations: Vec<(Option<usize>, Option<usize>, OrgRole, InvitationStatus)>,
    /// Scopes (one flag per known scope), revoked.
    pub keys: Vec<(Vec<bool>, bool)>,
    pub billing: (i64, i64, i64),
    /// Enforce the password policy, require MFA, require independent approval.
    pub security: (bool, bool, bool),
}

#[derive(Debug, Clone)]
pub struct SnapshotPlan {
    /// (MFA enabled, password compliant) per user.
    pub users: Vec<(bool, bool)>,
    pub orgs: Vec<OrgPlan>,
}

pub fn org_role() -> impl Strategy<Value = OrgRole> {
    prop_oneof![Just(OrgRole::Owner), Just(OrgRole::Admin), Just(OrgRole::Member)]
}

pub fn workspace_role() -> impl Strategy<Value = WorkspaceRole> {
    proptest::sample::select(WorkspaceRole::ALL.to_vec())
}

pub fn version_status() -> impl Strategy<Value = VersionStatus> {
    proptest::sample::select(vec![
        VersionStatus::Draft,
        VersionStatus::Pending,
        VersionStatus::Approved,
        VersionStatus::Rejected,
        VersionStatus::Published,
    ])
}

pub fn invitation_status() -> impl Strategy<Value = InvitationStatus> {
    prop_oneof![
        3 => Just(InvitationStatus::Pending),
        1 => Just(InvitationStatus::Accepted),
        1 => Just(InvitationStatus::Cancelled),
        1 => Just(InvitationStatus::Expired),
    ]
}

pub fn org_plan() -> impl Strategy<Value = OrgPlan> {
    let idx = || 0usize..64;
    let people = (
        prop::bool::weighted(0.1),
        prop::collection::vec((idx(), org_role()), 1..=5),
        prop::collection::vec(idx(), 0..=2),
        prop::collection::vec((prop::collection::vec(idx(), 0..=3), prop::bool::weighted(0.2)), 0..=2),
    );
    let workspaces = prop::collection::vec(
        (prop::bool::weighted(0.25), prop::collection::vec((any::<bool>(), idx(), workspace_role()), 0..=4)),
        1..=3,
    );
    let algorithms = prop::collection::vec(
        (
            idx(),
            any::<bool>(),
            prop::bool::weighted(0.2),
            prop::collection::vec(idx(), 0..=2),
            prop::collection::vec((version_status(), idx()), 0..=3),
        ),
        0..=3,
    );
    let invitations = prop::collection::vec(
        (prop::option::of(idx()), prop::option::of(idx()), org_role(), invitation_status()),
        0..=2,
    );
    let keys = prop::collection::vec(
        (prop::collection::vec(any::<bool>(), API_KEY_SCOPES.len()), prop::bool::weighted(0.2)),
        0..=2,
    );
    let settings = (
        (-2i64..20, 0i64..4, 0i64..4),
        (prop::bool::weighted(0.15), prop::bool::weighted(0.15), prop::bool::weighted(0.8)),
    );
    (people, workspaces, algorithms, invitations, keys, settings).prop_map(
        |(
            (personal, members, collaborators, teams),
            workspaces,
            algorithms,
            invitations,
            keys,
            (billing, security),
        )| {
            OrgPlan {
                personal,
                members,
                collaborators,
                teams,
                workspaces,
                algorithms,
                invitations,
                keys,
                billing,
                security,
            }
        },
    )
}

pub fn snapshot_plan(orgs: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = SnapshotPlan> {
    (
        prop::collection::vec((prop::bool::weighted(0.9), prop::bool::weighted(0.9)), 2..=9),
        prop::collection::vec(org_plan(), orgs),
    )
        .prop_map(|(users, orgs)| SnapshotPlan { users, orgs })
}

pub fn user_id(i: usize) -> String {
    format!("u{i}")
}

pub fn email(i: usize) -> String {
    format!("u{i}@x.test")
}

pub fn pick<T: Clone>(items: &[T], index: usize) -> Option<T> {
    if items.is_empty() {
        None
    } else {
        items.get(index % items.len()).cloned()
    }
}

/// Builds a valid snapshot: ids unique across the snapshot, at least one owner per org,
/// collaborators outside the org and each with a workspace role, teams and contributors from
/// the org's people.
pub fn build(plan: &SnapshotPlan) -> Snapshot {
    let n = plan.users.len();
    let users = plan
        .users
        .iter()
        .enumerate()
        .map(|(i, (mfa, password))| UserRecord {
            id: user_id(i),
            email: email(i),
            name: format!("User {i}"),
            mfa_enabled: *mfa,
            password_compliant: *password,
        })
        .collect();
    let organizations = plan.orgs.iter().enumerate().map(|(o, p)| build_org(o, p, n)).collect();
    Snapshot { users, organizations }
}

pub fn build_org(o: usize, plan: &OrgPlan, n: usize) -> OrganizationRecord {
    let id = format!("o{o}");
    let mut members: Vec<MemberRecord> = Vec::new();
    for (user, role) in &plan.members {
        let user = user_id(user % n);
        if !members.iter().any(|m| m.user == user) {
            members.push(MemberRecord { user, role: *role });
        }
    }
    if plan.personal {
        members.truncate(1);
    }
    if !members.iter().any(|m| m.role == OrgRole::Owner) {
        members[0].role = OrgRole::Owner;
    }
    let mut collaborators: Vec<String> = Vec::new();
    if !plan.personal {
        for user in &plan.collaborators {
            let user = user_id(user % n);
            if !members.iter().any(|m| m.user == user) && !collaborators.contains(&user) {
                collaborators.push(user);
            }
        }
    }
    let people: Vec<String> =
        members.iter().map(|m| m.user.clone()).chain(collaborators.iter().cloned()).collect();

    let teams: Vec<TeamRecord> = plan
        .teams
        .iter()
        .enumerate()
        .map(|(t, (team_members, restricted))| {
            let mut list: Vec<String> = team_members.iter().filter_map(|i| pick(&people, *i)).collect();
            list.sort();
            list.dedup();
            TeamRecord {
                id: format!("{id}-t{t}"),
                name: format!("Team {t}"),
                members: list,
                compliance_labels: if *restricted { vec!["hipaa".to_owned()] } else { Vec::new() },
            }
        })
        .collect();

    let mut workspaces: Vec<WorkspaceRecord> = plan
        .workspaces
        .iter()
        .enumerate()
        .map(|(w, (labelled, participants))| WorkspaceRecord {
            id: format!("{id}-w{w}"),
            name: format!("Workspace {w}"),
            labels: if *labelled { vec!["hipaa".to_owned()] } else { Vec::new() },
            participants: participants
                .iter()
                .filter_map(|(is_team, i, role)| {
                    if *is_team {
                        pick(&teams, *i).map(|t| ParticipantRecord {
                            user: None,
                            team: Some(t.id),
                            role: *role,
                        })
                    } else {
                        pick(&people, *i).map(|u| ParticipantRecord {
                            user: Some(u),
                            team: None,
                            role: *role,
                        })
                    }
                })
                .collect(),
        })
        .collect();
    // WS-3: a collaborator is there through a workspace; give one to those without a role.
    for (c, collaborator) in collaborators.iter().enumerate() {
        let holds = workspaces.iter().flat_map(|w| &w.participants).any(|p| {
            p.user.as_deref() == Some(collaborator)
                || p.team.as_ref().is_some_and(|t| {
                    teams.iter().any(|team| &team.id == t && team.members.contains(collaborator))
                })
        });
        if !holds {
            let count = workspaces.len();
            workspaces[c % count].participants.push(ParticipantRecord {
                user: Some(collaborator.clone()),
                team: None,
                role: WorkspaceRole::ALL[c % WorkspaceRole::ALL.len()],
            });
        }
    }

    let mut version_count = 0;
    let algorithms = plan
        .algorithms
        .iter()
        .enumerate()
        .map(|(a, (workspace, public, labelled, contributors, versions))| {
            let algorithm_id = format!("{id}-a{a}");
            let mut contributors: Vec<String> =
                contributors.iter().filter_map(|i| pick(&people, *i)).collect();
            contributors.sort();
            contributors.dedup();
            AlgorithmRecord {
                id: algorithm_id.clone(),
                name: format!("Algorithm {a}"),
                workspace: workspaces[workspace % workspaces.len()].id.clone(),
                public: *public,
                contributors,
                labels: if *labelled { vec!["hipaa".to_owned()] } else { Vec::new() },
                versions: versions
                    .iter()
                    .map(|(status, submitter)| {
                        version_count += 1;
                        VersionRecord {
                            id: format!("{algorithm_id}@{version_count}"),
                            version: format!("{version_count}.0"),
                            status: *status,
                            submitter: user_id(submitter % n),
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    let invitations = if plan.personal {
        Vec::new()
    } else {
        plan.invitations
            .iter()
            .enumerate()
            .map(|(i, (account, by_email, role, status))| {
                let (account, address) = match (account, by_email) {
                    (Some(user), _) => (Some(user_id(user % n)), email(user % n)),
                    (None, Some(user)) => (None, email(user % n)),
                    (None, None) => (None, format!("new{i}@elsewhere.test")),
                };
                InvitationRecord {
                    id: format!("{id}-i{i}"),
                    email: address,
                    account,
                    role: *role,
                    status: *status,
                }
            })
            .collect()
    };

    let api_keys = plan
        .keys
        .iter()
        .enumerate()
        .map(|(k, (scopes, revoked))| ApiKeyRecord {
            id: format!("{id}-k{k}"),
            name: format!("key {k}"),
            scopes: API_KEY_SCOPES
                .iter()
                .zip(scopes)
                .filter(|(_, on)| **on)
                .map(|(scope, _)| (*scope).to_owned())
                .collect(),
            revoked: *revoked,
        })
        .collect();

    let (credit_balance, concurrent_run_limit, active_runs) = plan.billing;
    let (enforce_password_policy, require_mfa, require_independent_approval) = plan.security;
    OrganizationRecord {
        id: id.clone(),
        // Distinct from the id: leaving is confirmed by the name (MEM-8).
        name: format!("org-{o}"),
        display_name: format!("Org {o}"),
        personal: plan.personal,
        terms_version: format!("t{o}"),
        members,
        collaborators,
        teams,
        workspaces,
        algorithms,
        invitations,
        api_keys,
        billing: BillingRecord { credit_balance, concurrent_run_limit, active_runs },
        security: SecurityRecord { enforce_password_policy, require_mfa, require_independent_approval },
    }
}

pub fn snapshot_strategy(orgs: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Snapshot> {
    snapshot_plan(orgs).prop_map(|plan| build(&plan))
}

//! The organization snapshot: a JSON description of one or more organizations, which the
//! engine turns into Cedar entities itself (see `entities`). Field names are camelCase.

mod check;
mod entities;
mod json;
pub mod scope;
mod split;

pub use check::check_snapshot;
pub(crate) use entities::{ancestor_links, entity_count, preinitialize, store_sharing_actions};
pub use entities::{membership_id, snapshot_entities, SnapshotEntities};
pub use split::{organization_snapshot, split_organizations};

use serde::{Deserialize, Serialize};

#[cfg(feature = "wasm")]
use tsify::Tsify;

/// Maps keyed by the snapshot's strings: foldhash (randomly seeded) rather than std's SipHash,
/// which was about a tenth of a cold load in wasm. The keys are the snapshot's ids and emails,
/// within the input limits of `crate::limits`.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Lower-cases an email, the way every email is compared (MEM-2). The same as
/// `str::to_lowercase`; emails are nearly always ASCII, and the ASCII path is a small function
/// where `to_lowercase` is a large one that V8 recompiles during a cold load.
pub(crate) fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// Every user the snapshot mentions, and the organizations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct Snapshot {
    /// Every known account: members, collaborators, submitters, invitees by account name.
    /// An invitation by email to one of these emails is refused (MEM-2).
    #[serde(default)]
    pub users: Vec<UserRecord>,
    #[serde(default)]
    pub organizations: Vec<OrganizationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct UserRecord {
    /// The account name, which is also the entity id: `User::"<id>"`.
    pub id: String,
    pub email: String,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub name: String,
    /// Missing means no: an org that requires MFA denies this user (SEC-3, fail closed).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub mfa_enabled: bool,
    /// Missing means no (SEC-3, fail closed).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub password_compliant: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct OrganizationRecord {
    /// Entity id: `Organization::"<id>"`. May not contain `/` or `#`.
    pub id: String,
    /// The account name; leaving the org is confirmed by typing it (MEM-8).
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub display_name: String,
    /// A personal account: at most one member, its owner, and no invitations (ORG-3).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub personal: bool,
    /// The current Terms of Use version an invitee must accept (MEM-4).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub terms_version: String,
    pub members: Vec<MemberRecord>,
    /// Users outside the org who hold roles in its workspaces (WS-3).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub collaborators: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub teams: Vec<TeamRecord>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub workspaces: Vec<WorkspaceRecord>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub algorithms: Vec<AlgorithmRecord>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub invitations: Vec<InvitationRecord>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub api_keys: Vec<ApiKeyRecord>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub billing: BillingRecord,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub security: SecurityRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub enum OrgRole {
    Member,
    Admin,
    Owner,
}

impl OrgRole {
    pub const ALL: [OrgRole; 3] = [OrgRole::Owner, OrgRole::Admin, OrgRole::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct MemberRecord {
    pub user: String,
    pub role: OrgRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct TeamRecord {
    pub id: String,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub members: Vec<String>,
    /// When not empty, the team's members are denied any workspace or algorithm that lacks
    /// one of these labels (TEAM-4).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub compliance_labels: Vec<String>,
}

/// Workspace roles, weakest first; each includes every weaker one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub enum WorkspaceRole {
    View,
    Connect,
    Launch,
    Maintain,
    Admin,
    Owner,
}

impl WorkspaceRole {
    /// Weakest first.
    pub const ALL: [WorkspaceRole; 6] = [
        WorkspaceRole::View,
        WorkspaceRole::Connect,
        WorkspaceRole::Launch,
        WorkspaceRole::Maintain,
        WorkspaceRole::Admin,
        WorkspaceRole::Owner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Connect => "connect",
            Self::Launch => "launch",
            Self::Maintain => "maintain",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct WorkspaceRecord {
    pub id: String,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub name: String,
    /// Compliance labels the workspace carries (TEAM-4).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub labels: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub participants: Vec<ParticipantRecord>,
}

/// A workspace role held by a user or by a team (WS-2); exactly one of the two is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct ParticipantRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub team: Option<String>,
    pub role: WorkspaceRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub enum VersionStatus {
    Draft,
    Pending,
    Approved,
    Rejected,
    Published,
}

impl VersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Published => "published",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct AlgorithmRecord {
    pub id: String,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub name: String,
    /// The workspace (of the same org) it lives in.
    pub workspace: String,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub public: bool,
    /// Users who edit it and add versions (ALG-1).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub contributors: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub labels: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub versions: Vec<VersionRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct VersionRecord {
    /// Entity id: `AlgorithmVersion::"<id>"`, unique across the snapshot.
    pub id: String,
    pub version: String,
    pub status: VersionStatus,
    pub submitter: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Cancelled,
    Expired,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct InvitationRecord {
    pub id: String,
    pub email: String,
    /// Set when the invitee was invited by account name; only that user accepts (MEM-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub account: Option<String>,
    pub role: OrgRole,
    pub status: InvitationStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct ApiKeyRecord {
    pub id: String,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub name: String,
    /// Names from [`API_KEY_SCOPES`].
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub scopes: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub revoked: bool,
}

/// The scopes an API key may hold (KEY-2); each is an action group in the schema.
pub const API_KEY_SCOPES: [&str; 8] = [
    "algorithms:read",
    "algorithms:call",
    "algorithms:write",
    "workspaces:read",
    "compute:launch",
    "usage:read",
    "members:read",
    "profile:read",
];

/// Missing values are zero, which denies paid compute (BILL-3, fail closed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct BillingRecord {
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub credit_balance: i64,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub concurrent_run_limit: i64,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub active_runs: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(Tsify))]
pub struct SecurityRecord {
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub enforce_password_policy: bool,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub require_mfa: bool,
    /// On unless turned off (ALG-3).
    #[serde(default = "yes")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub require_independent_approval: bool,
}

impl Default for SecurityRecord {
    fn default() -> Self {
        Self { enforce_password_policy: false, require_mfa: false, require_independent_approval: true }
    }
}

fn yes() -> bool {
    true
}

impl OrganizationRecord {
    /// A new organization whose creator is its first and only owner (ORG-1).
    pub fn new_with_creator(id: &str, name: &str, creator: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            display_name: name.to_owned(),
            personal: false,
            terms_version: String::new(),
            members: vec![MemberRecord { user: creator.to_owned(), role: OrgRole::Owner }],
            collaborators: Vec::new(),
            teams: Vec::new(),
            workspaces: Vec::new(),
            algorithms: Vec::new(),
            invitations: Vec::new(),
            api_keys: Vec::new(),
            billing: BillingRecord::default(),
            security: SecurityRecord::default(),
        }
    }
}

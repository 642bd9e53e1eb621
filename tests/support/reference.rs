//! A reference model of the organization rules, written from the rule catalogue
//! (docs/rules.md) and not from the policies: plain Rust over the snapshot's records, with no
//! Cedar and no engine call. For any request of the schema it answers whether it is allowed and
//! which rule decides, so that tests/differential.rs can hold the engine's decisions against
//! it.
//!
//! How it reads the catalogue:
//!
//! - Every rule is two parts: the grants it makes and the refusals it imposes. A refusal
//!   always wins over a grant ("How the rules combine"). With no grant, the answer is SEC-1's
//!   default deny, and names the rule whose grant is missing (the one the catalogue puts the
//!   action under).
//! - A refusal binds every principal making the request unless the rule's **Binds** line leaves
//!   someone out in so many words ("it does not bind outsiders", "does not bind API keys",
//!   "binds collaborators", "the ban binds every org role"). Lines such as "whoever removes a
//!   member (an owner or admin)" describe who normally acts, and do not spare anyone else who
//!   tries.
//! - When several rules refuse one request, the answer names the first of them in the order
//!   of the catalogue (ORG, MEM, TEAM, WS, ALG, KEY, BILL, SEC; within a group, by number).
//!   The catalogue does not say which; this is the project's decision, recorded in
//!   docs/rules.md ("Decisions taken where the rules are silent").
//! - A check's context is the one `validateAction` fills in: the typed email of a removal
//!   arrives lower-cased, the MEM-2 flags and TEAM-2's `candidateInOrg` arrive computed.
//!
//! One function per rule group (`org_rules`, `mem_rules`, …, `sec_rules`) adds that group's
//! grants and refusals to a [`Tally`]; [`decide`] runs them all.
#![allow(dead_code)]

use std::collections::BTreeSet;

use orgwarden::snapshot::{
    AlgorithmRecord, ApiKeyRecord, InvitationRecord, InvitationStatus, OrgRole, OrganizationRecord,
    TeamRecord, UserRecord, VersionRecord, VersionStatus, WorkspaceRecord, WorkspaceRole,
};
use orgwarden::{EntityRef, Snapshot};

/// A rule id of the catalogue, such as `"SEC-3"`.
pub type Rule = &'static str;

/// The reference answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Allowed: every rule whose grant applies.
    Permitted(BTreeSet<Rule>),
    /// Refused by these rules, in catalogue order: the first one decides.
    Forbidden(Vec<Rule>),
    /// Nothing grants it (SEC-1); the rule whose grant is missing.
    NotPermitted(Rule),
    /// Not a request of the schema: this principal type or resource type does not go with
    /// this action (SEC-4: refused as invalid, KEY-2 for the actions meant for people).
    Invalid,
}

impl Answer {
    pub fn allowed(&self) -> bool {
        matches!(self, Self::Permitted(_))
    }

    /// The rule the answer names: the first refusal, the missing grant, or (allowed) the
    /// first of the granting rules in catalogue order.
    pub fn deciding_rule(&self) -> Option<Rule> {
        match self {
            Self::Permitted(rules) => rules.iter().copied().min_by_key(|r| precedence(r)),
            Self::Forbidden(rules) => rules.first().copied(),
            Self::NotPermitted(rule) => Some(rule),
            Self::Invalid => None,
        }
    }
}

/// What `validateAction` puts into a check's context (policies/schema.cedarschema): each
/// field only for the actions whose context declares it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// `inviteMember`: the role offered.
    pub role: Option<String>,
    /// `inviteMember`: the invitee was addressed by email / that email is an account's.
    pub invited_by_email: Option<bool>,
    pub invitee_has_account: Option<bool>,
    /// `changeRole`: the role to set.
    pub new_role: Option<String>,
    /// `removeMember` (the member's email) and `leaveOrganization` (the org's name).
    pub confirmation: Option<String>,
    /// `acceptInvitation`: the Terms of Use version accepted.
    pub accepted_terms_version: Option<String>,
    /// `addTeamMember`: the user added is a member or collaborator of the team's org.
    pub candidate_in_org: Option<bool>,
}

// ---- the actions of the schema -----------------------------------------------------------

const USER: &[&str] = &["User"];
const USER_OR_KEY: &[&str] = &["User", "ApiKey"];

/// Every action of policies/schema.cedarschema (action groups aside): its name, the principal
/// types and the resource types it applies to.
pub const ACTIONS: &[(&str, &[&str], &[&str])] = &[
    // ORG
    ("createOrganization", USER, &["Platform"]),
    ("viewPublicProfile", USER_OR_KEY, &["Organization"]),
    ("viewOrganization", USER_OR_KEY, &["Organization"]),
    ("editOrganizationProfile", USER, &["Organization"]),
    ("renameOrganization", USER, &["Organization"]),
    ("deleteOrganization", USER, &["Organization"]),
    // MEM
    ("inviteMember", USER, &["Organization"]),
    ("listInvitations", USER, &["Organization"]),
    ("cancelInvitation", USER, &["Invitation"]),
    ("acceptInvitation", USER, &["Invitation"]),
    ("viewMembers", USER_OR_KEY, &["Organization"]),
    ("changeRole", USER, &["Membership"]),
    ("removeMember", USER, &["Membership"]),
    ("changeMemberEmail", USER, &["Membership"]),
    ("leaveOrganization", USER, &["Organization"]),
    // TEAM
    ("createTeam", USER, &["Organization"]),
    ("viewTeam", USER, &["Team"]),
    ("editTeam", USER, &["Team"]),
    ("deleteTeam", USER, &["Team"]),
    ("addTeamMember", USER, &["Team"]),
    ("removeTeamMember", USER, &["Team"]),
    // WS
    ("createWorkspace", USER, &["Organization"]),
    ("viewWorkspace", USER_OR_KEY, &["Workspace"]),
    ("connectSession", USER, &["Workspace"]),
    ("launchCompute", USER_OR_KEY, &["Workspace"]),
    ("editWorkspace", USER, &["Workspace"]),
    ("manageParticipants", USER, &["Workspace"]),
    ("deleteWorkspace", USER, &["Workspace"]),
    // ALG
    ("createAlgorithm", USER, &["Workspace"]),
    ("viewAlgorithm", USER_OR_KEY, &["Algorithm"]),
    ("callAlgorithm", USER_OR_KEY, &["Algorithm"]),
    ("editAlgorithm", USER_OR_KEY, &["Algorithm"]),
    ("submitVersion", USER_OR_KEY, &["Algorithm"]),
    ("approveVersion", USER, &["AlgorithmVersion"]),
    ("rejectVersion", USER, &["AlgorithmVersion"]),
    ("publishVersion", USER, &["AlgorithmVersion"]),
    ("listPendingVersions", USER, &["Organization"]),
    // KEY
    ("createApiKey", USER, &["Organization"]),
    ("listApiKeys", USER, &["Organization"]),
    ("useApiKey", USER, &["ApiKey"]),
    ("revokeApiKey", USER, &["ApiKey"]),
    // BILL
    ("viewBilling", USER, &["Organization"]),
    ("viewInvoices", USER, &["Organization"]),
    ("viewEarnings", USER, &["Organization"]),
    ("viewUsage", USER_OR_KEY, &["Organization"]),
    ("changeBillingSettings", USER, &["Organization"]),
    ("viewMemberActivity", USER, &["Organization"]),
];

/// The API key scope that opens an action (the scope list of docs/rules.md, "Who is who").
pub fn scope_of(action: &str) -> Option<&'static str> {
    Some(match action {
        "viewAlgorithm" => "algorithms:read",
        "callAlgorithm" => "algorithms:call",
        "editAlgorithm" | "submitVersion" => "algorithms:write",
        "viewWorkspace" => "workspaces:read",
        "launchCompute" => "compute:launch",
        "viewUsage" => "usage:read",
        "viewMembers" => "members:read",
        "viewOrganization" => "profile:read",
        _ => return None,
    })
}

/// The rule under which the catalogue grants an action: what a refusal for want of a grant
/// names (SEC-1 answers "no policy grants this", listing the grants that would have).
pub fn granting_rule(action: &str, by_key: bool) -> Rule {
    if by_key {
        // Everything but the public profile goes by scope for a key (ORG-4, KEY-2).
        return if action == "viewPublicProfile" { "ORG-4" } else { "KEY-2" };
    }
    match action {
        "createOrganization" => "ORG-1",
        "editOrganizationProfile" | "renameOrganization" | "deleteOrganization" => "ORG-2",
        "viewPublicProfile" | "viewOrganization" | "viewTeam" | "viewAlgorithm" => "ORG-4",
        "inviteMember" => "MEM-1",
        "listInvitations" | "cancelInvitation" => "MEM-3",
        "acceptInvitation" => "MEM-4",
        "changeRole" => "MEM-5",
        "removeMember" => "MEM-6",
        "changeMemberEmail" => "MEM-9",
        "leaveOrganization" | "viewMembers" => "MEM-10",
        "createTeam" | "editTeam" | "deleteTeam" | "addTeamMember" | "removeTeamMember" => "TEAM-1",
        "createWorkspace" | "editWorkspace" | "manageParticipants" | "deleteWorkspace" => "WS-1",
        "viewWorkspace" | "connectSession" | "launchCompute" => "WS-2",
        "createAlgorithm" | "editAlgorithm" | "submitVersion" => "ALG-1",
        "approveVersion" | "rejectVersion" => "ALG-2",
        "publishVersion" => "ALG-3",
        "listPendingVersions" => "ALG-4",
        "callAlgorithm" => "ALG-5",
        "createApiKey" | "listApiKeys" | "useApiKey" | "revokeApiKey" => "KEY-1",
        "viewBilling" | "viewInvoices" | "viewEarnings" | "viewUsage" | "changeBillingSettings" => "BILL-1",
        "viewMemberActivity" => "BILL-2",
        _ => "SEC-1",
    }
}

/// Catalogue order: the group in the order of docs/rules.md, then the number.
pub fn precedence(rule: &str) -> (usize, u32) {
    const GROUPS: [&str; 8] = ["ORG", "MEM", "TEAM", "WS", "ALG", "KEY", "BILL", "SEC"];
    let (group, number) = rule.split_once('-').unwrap_or((rule, ""));
    let group = GROUPS.iter().position(|g| *g == group).unwrap_or(GROUPS.len());
    (group, number.parse().unwrap_or(u32::MAX))
}

// ---- who and what a request is about -------------------------------------------------------

/// The principal of a request.
#[derive(Debug, Clone, Copy)]
pub enum Who<'s> {
    User(&'s UserRecord),
    /// A key and the organization that owns it.
    Key(&'s ApiKeyRecord, &'s OrganizationRecord),
}

/// The resource of a request, with the organization it belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Target<'s> {
    Platform,
    Organization(&'s OrganizationRecord),
    Membership(&'s OrganizationRecord, &'s str, OrgRole),
    Team(&'s OrganizationRecord, &'s TeamRecord),
    Workspace(&'s OrganizationRecord, &'s WorkspaceRecord),
    Algorithm(&'s OrganizationRecord, &'s AlgorithmRecord),
    Version(&'s OrganizationRecord, &'s AlgorithmRecord, &'s VersionRecord),
    Invitation(&'s OrganizationRecord, &'s InvitationRecord),
    ApiKey(&'s OrganizationRecord, &'s ApiKeyRecord),
}

impl<'s> Target<'s> {
    pub fn org(&self) -> Option<&'s OrganizationRecord> {
        match *self {
            Self::Platform => None,
            Self::Organization(o)
            | Self::Membership(o, ..)
            | Self::Team(o, _)
            | Self::Workspace(o, _)
            | Self::Algorithm(o, _)
            | Self::Version(o, ..)
            | Self::Invitation(o, _)
            | Self::ApiKey(o, _) => Some(o),
        }
    }

    /// The workspace a workspace-scoped resource lives in.
    pub fn workspace(&self) -> Option<&'s str> {
        match *self {
            Self::Workspace(_, w) => Some(&w.id),
            Self::Algorithm(_, a) | Self::Version(_, a, _) => Some(&a.workspace),
            _ => None,
        }
    }

    /// The compliance labels of a labelled kind of resource (TEAM-4's decision: workspaces,
    /// algorithms and their versions); `None` for the organization's own records.
    pub fn labels(&self) -> Option<&'s [String]> {
        match *self {
            Self::Workspace(_, w) => Some(&w.labels),
            Self::Algorithm(_, a) | Self::Version(_, a, _) => Some(&a.labels),
            _ => None,
        }
    }

    /// The organization's own records (its profile, teams, memberships, invitations and
    /// keys: the list of TEAM-4's decision), which WS-3 keeps for org members.
    pub fn is_org_record(&self) -> bool {
        matches!(
            self,
            Self::Organization(_)
                | Self::Membership(..)
                | Self::Team(..)
                | Self::Invitation(..)
                | Self::ApiKey(..)
        )
    }

    fn type_name(&self) -> &'static str {
        match self {
            Self::Platform => "Platform",
            Self::Organization(_) => "Organization",
            Self::Membership(..) => "Membership",
            Self::Team(..) => "Team",
            Self::Workspace(..) => "Workspace",
            Self::Algorithm(..) => "Algorithm",
            Self::Version(..) => "AlgorithmVersion",
            Self::Invitation(..) => "Invitation",
            Self::ApiKey(..) => "ApiKey",
        }
    }
}

/// The principal of a request named by `principal`, if the snapshot has it.
pub fn find_principal<'s>(snapshot: &'s Snapshot, principal: &EntityRef) -> Option<Who<'s>> {
    match principal.entity_type.as_str() {
        "User" => snapshot.users.iter().find(|u| u.id == principal.id).map(Who::User),
        "ApiKey" => snapshot
            .organizations
            .iter()
            .find_map(|o| o.api_keys.iter().find(|k| k.id == principal.id).map(|k| Who::Key(k, o))),
        _ => None,
    }
}

/// The resource named by `resource`, if the snapshot has it.
pub fn find_target<'s>(snapshot: &'s Snapshot, resource: &EntityRef) -> Option<Target<'s>> {
    let id = resource.id.as_str();
    let orgs = snapshot.organizations.iter();
    match resource.entity_type.as_str() {
        "Platform" => (id == "platform").then_some(Target::Platform),
        "Organization" => snapshot.organizations.iter().find(|o| o.id == id).map(Target::Organization),
        "Membership" => {
            // `<org>/<user>`: an org id holds no `/`.
            let (org, user) = id.split_once('/')?;
            let o = snapshot.organizations.iter().find(|o| o.id == org)?;
            let m = o.members.iter().find(|m| m.user == user)?;
            Some(Target::Membership(o, &m.user, m.role))
        }
        "Team" => orgs
            .flat_map(|o| o.teams.iter().map(move |t| (o, t)))
            .find(|(_, t)| t.id == id)
            .map(|(o, t)| Target::Team(o, t)),
        "Workspace" => orgs
            .flat_map(|o| o.workspaces.iter().map(move |w| (o, w)))
            .find(|(_, w)| w.id == id)
            .map(|(o, w)| Target::Workspace(o, w)),
        "Algorithm" => orgs
            .flat_map(|o| o.algorithms.iter().map(move |a| (o, a)))
            .find(|(_, a)| a.id == id)
            .map(|(o, a)| Target::Algorithm(o, a)),
        "AlgorithmVersion" => orgs
            .flat_map(|o| o.algorithms.iter().map(move |a| (o, a)))
            .find_map(|(o, a)| a.versions.iter().find(|v| v.id == id).map(|v| Target::Version(o, a, v))),
        "Invitation" => orgs
            .flat_map(|o| o.invitations.iter().map(move |i| (o, i)))
            .find(|(_, i)| i.id == id)
            .map(|(o, i)| Target::Invitation(o, i)),
        "ApiKey" => orgs
            .flat_map(|o| o.api_keys.iter().map(move |k| (o, k)))
            .find(|(_, k)| k.id == id)
            .map(|(o, k)| Target::ApiKey(o, k)),
        _ => None,
    }
}

// ---- who is who (docs/rules.md) ------------------------------------------------------------

/// The user's org role in `org`, if they are an org member.
pub fn org_role(org: &OrganizationRecord, user: &str) -> Option<OrgRole> {
    org.members.iter().find(|m| m.user == user).map(|m| m.role)
}

/// An admin: the middle role or the strongest (each role has every power of the weaker ones).
pub fn is_admin(org: &OrganizationRecord, user: &str) -> bool {
    matches!(org_role(org, user), Some(OrgRole::Admin | OrgRole::Owner))
}

pub fn is_owner(org: &OrganizationRecord, user: &str) -> bool {
    org_role(org, user) == Some(OrgRole::Owner)
}

pub fn is_member(org: &OrganizationRecord, user: &str) -> bool {
    org_role(org, user).is_some()
}

pub fn is_collaborator(org: &OrganizationRecord, user: &str) -> bool {
    org.collaborators.iter().any(|c| c == user)
}

/// An outsider: neither an org member nor a collaborator of `org`.
pub fn is_outsider(org: &OrganizationRecord, user: &str) -> bool {
    !is_member(org, user) && !is_collaborator(org, user)
}

pub fn owner_count(org: &OrganizationRecord) -> usize {
    org.members.iter().filter(|m| m.role == OrgRole::Owner).count()
}

/// The strongest workspace role `user` holds in `workspace`, directly or through a team
/// (TEAM-3); a role includes every weaker one.
pub fn workspace_role(org: &OrganizationRecord, workspace: &str, user: &str) -> Option<WorkspaceRole> {
    org.workspaces
        .iter()
        .filter(|w| w.id == workspace)
        .flat_map(|w| &w.participants)
        .filter(|p| {
            p.user.as_deref() == Some(user)
                || p.team.as_ref().is_some_and(|team| {
                    org.teams.iter().any(|t| &t.id == team && t.members.iter().any(|m| m == user))
                })
        })
        .map(|p| p.role)
        .max()
}

/// Does `user` hold `needed` or a stronger role in `workspace`?
pub fn holds_at_least(org: &OrganizationRecord, workspace: &str, user: &str, needed: WorkspaceRole) -> bool {
    workspace_role(org, workspace, user).is_some_and(|held| held >= needed)
}

/// The labels the user's restricted teams in `org` demand, added up (TEAM-4).
pub fn demanded_labels<'s>(org: &'s OrganizationRecord, user: &str) -> BTreeSet<&'s str> {
    org.teams
        .iter()
        .filter(|t| t.members.iter().any(|m| m == user))
        .flat_map(|t| t.compliance_labels.iter().map(String::as_str))
        .collect()
}

/// The invitee of an invitation: for one by account name, that account; for one by email,
/// the account whose email is that address, letter case ignored.
pub fn is_invitee(invitation: &InvitationRecord, user: &UserRecord) -> bool {
    match &invitation.account {
        Some(account) => *account == user.id,
        None => invitation.email.to_lowercase() == user.email.to_lowercase(),
    }
}

/// A user who fails a security demand `org` switched on; unstated compliance counts as
/// failing (the snapshot's defaults are `false`).
pub fn is_non_compliant(org: &OrganizationRecord, user: &UserRecord) -> bool {
    (org.security.enforce_password_policy && !user.password_compliant)
        || (org.security.require_mfa && !user.mfa_enabled)
}

/// An algorithm is published once one of its versions is.
pub fn is_published(algorithm: &AlgorithmRecord) -> bool {
    algorithm.versions.iter().any(|v| v.status == VersionStatus::Published)
}

fn is_contributor(algorithm: &AlgorithmRecord, user: &str) -> bool {
    algorithm.contributors.iter().any(|c| c == user)
}

const ROLES: [&str; 3] = ["owner", "admin", "member"];

// ---- the decision ---------------------------------------------------------------------------

/// One request, resolved.
pub struct Request<'s, 'c> {
    pub snapshot: &'s Snapshot,
    pub who: Who<'s>,
    pub action: &'c str,
    pub target: Target<'s>,
    pub context: &'c Context,
}

impl<'s> Request<'s, '_> {
    fn user(&self) -> Option<&'s UserRecord> {
        match self.who {
            Who::User(user) => Some(user),
            Who::Key(..) => None,
        }
    }

    fn is(&self, action: &str) -> bool {
        self.action == action
    }

    fn is_any(&self, actions: &[&str]) -> bool {
        actions.contains(&self.action)
    }

    /// The user's org role in the resource's org.
    fn role(&self) -> Option<OrgRole> {
        Some(org_role(self.target.org()?, &self.user()?.id)).flatten()
    }

    fn member(&self) -> bool {
        self.role().is_some()
    }

    fn admin(&self) -> bool {
        matches!(self.role(), Some(OrgRole::Admin | OrgRole::Owner))
    }

    fn owner(&self) -> bool {
        self.role() == Some(OrgRole::Owner)
    }

    /// A user who is not an org member asking for one of the org's own records beyond what
    /// everyone gets (the public profile, ORG-4; the invitee's acceptance, MEM-4). ORG-4 and
    /// WS-3 split these users between them.
    fn refused_org_records(&self) -> bool {
        let open_to_all = self.is_any(&["viewPublicProfile", "acceptInvitation"]);
        self.user().is_some() && self.target.is_org_record() && !open_to_all && !self.member()
    }

    fn collaborator(&self) -> bool {
        match (self.target.org(), self.user()) {
            (Some(org), Some(user)) => is_collaborator(org, &user.id),
            _ => false,
        }
    }

    /// Holds `needed` or stronger in the resource's workspace.
    fn holds(&self, needed: WorkspaceRole) -> bool {
        match (self.target.org(), self.target.workspace(), self.user()) {
            (Some(org), Some(workspace), Some(user)) => holds_at_least(org, workspace, &user.id, needed),
            _ => false,
        }
    }
}

/// What the rule groups found: the grants that apply and the refusals.
#[derive(Debug, Default)]
pub struct Tally {
    grants: BTreeSet<Rule>,
    refusals: Vec<Rule>,
}

impl Tally {
    fn grant(&mut self, rule: Rule, when: bool) {
        if when {
            self.grants.insert(rule);
        }
    }

    fn refuse(&mut self, rule: Rule, when: bool) {
        if when && !self.refusals.contains(&rule) {
            self.refusals.push(rule);
        }
    }
}

/// The reference answer for `principal` doing `action` on `resource` with `context`.
/// `None` when the snapshot has no such principal or resource, or no such action exists
/// (SEC-4: the engine answers those with an error).
pub fn decide(
    snapshot: &Snapshot,
    principal: &EntityRef,
    action: &str,
    resource: &EntityRef,
    context: &Context,
) -> Option<Answer> {
    let (_, principals, resources) = ACTIONS.iter().find(|(name, ..)| *name == action)?;
    let who = find_principal(snapshot, principal)?;
    let target = find_target(snapshot, resource)?;
    if !principals.contains(&principal.entity_type.as_str()) || !resources.contains(&target.type_name()) {
        return Some(Answer::Invalid);
    }
    let request = Request { snapshot, who, action, target, context };
    let mut tally = Tally::default();
    org_rules(&request, &mut tally);
    mem_rules(&request, &mut tally);
    team_rules(&request, &mut tally);
    ws_rules(&request, &mut tally);
    alg_rules(&request, &mut tally);
    key_rules(&request, &mut tally);
    bill_rules(&request, &mut tally);
    sec_rules(&request, &mut tally);
    let Tally { grants, mut refusals } = tally;
    Some(if !refusals.is_empty() {
        refusals.sort_by_key(|rule| precedence(rule));
        Answer::Forbidden(refusals)
    } else if !grants.is_empty() {
        Answer::Permitted(grants)
    } else {
        Answer::NotPermitted(granting_rule(action, matches!(who, Who::Key(..))))
    })
}

// ---- ORG ------------------------------------------------------------------------------------

/// ORG-1 (anybody signed in creates an org; not keys, which the schema refuses), ORG-2
/// (profile: admins; renaming and deleting: owners), ORG-3 (nobody invites into or accepts an
/// invitation to a personal account), ORG-4 (members see everything, everyone the public
/// face: the public profile, keys of the org included, and public algorithms).
fn org_rules(r: &Request<'_, '_>, tally: &mut Tally) {
    let by_user = r.user().is_some();
    tally.grant("ORG-1", r.is("createOrganization") && by_user);
    tally.grant("ORG-2", r.is("editOrganizationProfile") && r.admin());
    tally.grant("ORG-2", r.is_any(&["renameOrganization", "deleteOrganization"]) && r.owner());
    let personal = r.target.org().is_some_and(|o| o.personal);
    tally.refuse("ORG-3", r.is_any(&["inviteMember", "acceptInvitation"]) && personal);
    // The public profile: everyone; a key of another org is held back by KEY-2.
    tally.grant("ORG-4", r.is("viewPublicProfile"));
    tally.grant("ORG-4", r.is_any(&["viewOrganization", "viewTeam", "viewAlgorithm"]) && r.member());
    // Public algorithms are for every user; a key sees algorithms by scope (KEY-2).
    let public = matches!(r.target, Target::Algorithm(_, a) if a.public);
    tally.grant("ORG-4", r.is("viewAlgorithm") && public && by_user);
    // Everything beyond the public face is for org members: whoever is neither a member nor
    // a collaborator (who is refused under WS-3) is refused the org's own records.
    tally.refuse("ORG-4", r.refused_org_records() && !r.collaborator());
}

// ---- MEM ------------------------------------------------------------------------------------

/// MEM-1 … MEM-10: invitations, acceptance, roles, removal, confirmations, email, leaving and
/// the member list.
fn mem_rules(r: &Request<'_, '_>, tally: &mut Tally) {
    let ctx = r.context;
    let known = |role: &Option<String>| role.as_deref().is_none_or(|role| ROLES.contains(&role));

    // MEM-1: admins and owners invite; offering or granting the owner role is something only
    // an owner can do (so it binds every non-owner); an invitation offers one of the roles.
    tally.grant("MEM-1", r.is("inviteMember") && r.admin());
    tally.refuse("MEM-1", r.is("inviteMember") && ctx.role.as_deref() == Some("owner") && !r.owner());
    tally.refuse("MEM-1", r.is("changeRole") && ctx.new_role.as_deref() == Some("owner") && !r.owner());
    tally.refuse("MEM-1", r.is("inviteMember") && !known(&ctx.role));

    // MEM-2: an existing account is invited by name, whoever sends the invitation.
    let by_email_to_account = ctx.invited_by_email == Some(true) && ctx.invitee_has_account == Some(true);
    tally.refuse("MEM-2", r.is("inviteMember") && by_email_to_account);

    // MEM-3: admins and owners of the inviting org list and cancel; only an open invitation
    // is cancelled (binds everyone).
    tally.grant("MEM-3", r.is("listInvitations") && r.admin());
    if let Target::Invitation(_, invitation) = r.target {
        let open = invitation.status == InvitationStatus::Pending;
        tally.grant("MEM-3", r.is("cancelInvitation") && r.admin());
        tally.refuse("MEM-3", r.is("cancelInvitation") && !open);

        // MEM-4: the invitee alone accepts, only while open (nobody accepts a closed one),
        // and only the current Terms of Use (every acceptance).
        let invitee = r.user().is_some_and(|user| is_invitee(invitation, user));
        let terms = r.target.org().map(|o| o.terms_version.as_str());
        tally.grant("MEM-4", r.is("acceptInvitation") && invitee);
        tally.refuse("MEM-4", r.is("acceptInvitation") && !open);
        let wrong_terms = ctx.accepted_terms_version.as_deref().is_some_and(|v| Some(v) != terms);
        tally.refuse("MEM-4", r.is("acceptInvitation") && wrong_terms);
    }

    if let (Target::Membership(org, target, target_role), Some(user)) = (r.target, r.user()) {
        let own = target == user.id;
        let sole_owner = target_role == OrgRole::Owner && owner_count(org) <= 1;
        let new_role = ctx.new_role.as_deref();

        // MEM-5: owners change any role; an admin only raises a plain member to admin; the
        // new role is owner, admin or member (binds everyone); nobody changes their own role,
        // except an owner giving up ownership while another owner stays (binds every role).
        tally.grant("MEM-5", r.is("changeRole") && r.owner());
        let promotion = target_role == OrgRole::Member && new_role.is_none_or(|n| n == "admin");
        tally.grant("MEM-5", r.is("changeRole") && r.admin() && promotion);
        tally.refuse("MEM-5", r.is("changeRole") && !known(&ctx.new_role));
        let steps_down =
            target_role == OrgRole::Owner && owner_count(org) > 1 && new_role.is_none_or(|n| n != "owner");
        tally.refuse("MEM-5", r.is("changeRole") && own && !steps_down);

        // MEM-6: admins remove plain members; owners remove anyone.
        tally.grant("MEM-6", r.is("removeMember") && r.admin() && target_role == OrgRole::Member);
        tally.grant("MEM-6", r.is("removeMember") && r.owner());

        // MEM-7: the sole owner is neither removed nor moved to a weaker role, by anyone.
        // Decision ("The sole owner's role, unstated"): a change whose new role is not given
        // could be a demotion, so it is refused too.
        tally.refuse("MEM-7", r.is("removeMember") && sole_owner);
        tally.refuse("MEM-7", r.is("changeRole") && sole_owner && new_role != Some("owner"));

        // MEM-8: a removal is confirmed by the member's email, letter case ignored.
        let email = r.snapshot.users.iter().find(|u| u.id == target).map(|u| u.email.to_lowercase());
        let typed = ctx.confirmation.as_ref().map(|c| c.to_lowercase());
        tally.refuse("MEM-8", r.is("removeMember") && typed.is_some() && typed != email);

        // MEM-9: the organization never changes a member's email.
        tally.refuse("MEM-9", r.is("changeMemberEmail"));

        // MEM-10: removing oneself is not a way out (binds every role; decision "Removing
        // oneself").
        tally.refuse("MEM-10", r.is("removeMember") && own);
    }

    if let Target::Organization(org) = r.target {
        // MEM-7: the sole owner does not leave. MEM-8: leaving is confirmed by the org's
        // account name, exactly. MEM-10: every member leaves and sees the member list.
        tally.refuse("MEM-7", r.is("leaveOrganization") && r.owner() && owner_count(org) <= 1);
        let typed = ctx.confirmation.as_deref();
        tally.refuse("MEM-8", r.is("leaveOrganization") && typed.is_some_and(|t| t != org.name));
        tally.grant("MEM-10", r.is_any(&["leaveOrganization", "viewMembers"]) && r.member());
    }
}

// ---- TEAM -----------------------------------------------------------------------------------

/// TEAM-1 (admins and owners manage teams), TEAM-2 (a team holds only the org's people),
/// TEAM-4 (a restricted team's people stay on resources carrying all its labels). TEAM-3 is
/// in `workspace_role`.
fn team_rules(r: &Request<'_, '_>, tally: &mut Tally) {
    let manage = ["createTeam", "editTeam", "deleteTeam", "addTeamMember", "removeTeamMember"];
    tally.grant("TEAM-1", r.is_any(&manage) && r.admin());
    // Whoever adds someone: the person added must be of the org.
    tally.refuse("TEAM-2", r.is("addTeamMember") && r.context.candidate_in_org == Some(false));
    // Everyone in a restricted team, owners and collaborators included, on the labelled kinds
    // of resource of that org (decision "Where TEAM-4 applies"); not API keys, not the org's
    // own records.
    if let (Some(org), Some(labels), Some(user)) = (r.target.org(), r.target.labels(), r.user()) {
        let demanded = demanded_labels(org, &user.id);
        let missing = demanded.iter().any(|label| !labels.iter().any(|l| l == label));
        tally.refuse("TEAM-4", missing);
    }
}

// ---- WS -------------------------------------------------------------------------------------

/// WS-1 (org admins create workspaces; workspace admins edit and manage participants;
/// workspace owners delete), WS-2 (what each role level opens), WS-3 (collaborators stay in
/// their workspaces; the org's own records are for org members), WS-4 (org admins and owners
/// hold the powers of a workspace owner in every workspace of their org).
fn ws_rules(r: &Request<'_, '_>, tally: &mut Tally) {
    use WorkspaceRole::{Admin, Connect, Launch, Owner, View};
    tally.grant("WS-1", r.is("createWorkspace") && r.admin());
    tally.grant("WS-1", r.is_any(&["editWorkspace", "manageParticipants"]) && r.holds(Admin));
    tally.grant("WS-1", r.is("deleteWorkspace") && r.holds(Owner));

    // WS-2: `view` looks at the workspace and its algorithms (collaborators included, private
    // algorithms too: decision "Collaborators and algorithms"), `connect` joins sessions,
    // `launch` starts compute (`maintain` is ALG-1, `admin` and `owner` WS-1).
    tally.grant("WS-2", r.is_any(&["viewWorkspace", "viewAlgorithm"]) && r.holds(View));
    tally.grant("WS-2", r.is("connectSession") && r.holds(Connect));
    tally.grant("WS-2", r.is("launchCompute") && r.holds(Launch));

    // WS-3, the org's own records: collaborators (everyone else who is not an org member is
    // refused them under ORG-4).
    if let Some(user) = r.user() {
        tally.refuse("WS-3", r.refused_org_records() && r.collaborator());
        // WS-3, the workspaces: a collaborator does not act on an algorithm (edit, submit,
        // publish) of a workspace where they hold no role, contributor or not.
        let acts_on_algorithm = r.is_any(&["editAlgorithm", "submitVersion", "publishVersion"]);
        let no_role = r
            .target
            .org()
            .zip(r.target.workspace())
            .is_some_and(|(org, ws)| workspace_role(org, ws, &user.id).is_none());
        tally.refuse("WS-3", acts_on_algorithm && r.collaborator() && no_role);
    }

    // WS-4: the workspace owner's powers on the workspace itself: view, connect, launch,
    // create algorithms (maintain), edit and manage participants (admin), delete (owner).
    // Decision ("WS-4 and algorithms"): the algorithms of a workspace are seen by org admins
    // as org members (ORG-4); WS-4 is about the workspace itself.
    let workspace_powers = [
        "viewWorkspace",
        "connectSession",
        "launchCompute",
        "createAlgorithm",
        "editWorkspace",
        "manageParticipants",
        "deleteWorkspace",
    ];
    let on_workspace = matches!(r.target, Target::Workspace(..));
    tally.grant("WS-4", r.is_any(&workspace_powers) && on_workspace && r.admin());
}

// ---- ALG ------------------------------------------------------------------------------------

/// ALG-1 (org members with `maintain` create; contributors edit and submit), ALG-2 (admins
/// review, only pending versions), ALG-3 (contributors and admins publish approved versions;
/// the submitter does not approve their own while independent approval is on), ALG-4 (admins
/// see the queue), ALG-5 (members call every published algorithm, everyone the public ones;
/// unpublished ones nobody).
fn alg_rules(r: &Request<'_, '_>, tally: &mut Tally) {
    tally.grant("ALG-1", r.is("createAlgorithm") && r.member() && r.holds(WorkspaceRole::Maintain));
    tally.grant("ALG-4", r.is("listPendingVersions") && r.admin());
    let user = r.user().map(|u| u.id.as_str());

    if let Target::Algorithm(_, algorithm) = r.target {
        let contributor = user.is_some_and(|u| is_contributor(algorithm, u));
        tally.grant("ALG-1", r.is_any(&["editAlgorithm", "submitVersion"]) && contributor);
        tally.grant("ALG-5", r.is("callAlgorithm") && r.member());
        tally.grant("ALG-5", r.is("callAlgorithm") && algorithm.public && user.is_some());
        tally.refuse("ALG-5", r.is("callAlgorithm") && !is_published(algorithm));
    }

    if let Target::Version(org, algorithm, version) = r.target {
        let review = ["approveVersion", "rejectVersion"];
        tally.grant("ALG-2", r.is_any(&review) && r.admin());
        tally.refuse("ALG-2", r.is_any(&review) && version.status != VersionStatus::Pending);
        let submitter = user == Some(version.submitter.as_str());
        let independent = org.security.require_independent_approval;
        tally.refuse("ALG-3", r.is("approveVersion") && submitter && independent);
        let contributor = user.is_some_and(|u| is_contributor(algorithm, u));
        // Decision "Who publishes": contributors, and the org's admins and owners.
        tally.grant("ALG-3", r.is("publishVersion") && (r.admin() || contributor));
        tally.refuse("ALG-3", r.is("publishVersion") && version.status != VersionStatus::Approved);
    }
}

// ---- KEY ------------------------------------------------------------------------------------

/// KEY-1 (admins create and revoke keys, members list and use them, a revoked key is neither
/// revoked again nor used) and KEY-2 (a key acts by its scopes, inside its own org, and not at
/// all once revoked; it binds no user).
fn key_rules(r: &Request<'_, '_>, tally: &mut Tally) {
    tally.grant("KEY-1", r.is_any(&["createApiKey", "revokeApiKey"]) && r.admin());
    tally.grant("KEY-1", r.is_any(&["listApiKeys", "useApiKey"]) && r.member());
    let revoked_target = matches!(r.target, Target::ApiKey(_, key) if key.revoked);
    tally.refuse("KEY-1", r.is_any(&["revokeApiKey", "useApiKey"]) && revoked_target);

    if let Who::Key(key, home) = r.who {
        let scope = scope_of(r.action);
        tally.grant("KEY-2", scope.is_some_and(|s| key.scopes.iter().any(|k| k == s)));
        let elsewhere = r.target.org().is_none_or(|o| o.id != home.id);
        tally.refuse("KEY-2", elsewhere);
        tally.refuse("KEY-2", key.revoked);
    }
}

// ---- BILL -----------------------------------------------------------------------------------

/// BILL-1 (admins see billing, invoices, earnings and usage; owners change billing
/// settings), BILL-2 (admins see member activity), BILL-3 (no launch without credit or
/// beyond the run limit, a missing limit being zero: binds everyone launching).
fn bill_rules(r: &Request<'_, '_>, tally: &mut Tally) {
    let views = ["viewBilling", "viewInvoices", "viewEarnings", "viewUsage"];
    tally.grant("BILL-1", r.is_any(&views) && r.admin());
    tally.grant("BILL-1", r.is("changeBillingSettings") && r.owner());
    tally.grant("BILL-2", r.is("viewMemberActivity") && r.admin());
    if let (Target::Workspace(org, _), true) = (r.target, r.is("launchCompute")) {
        tally.refuse("BILL-3", org.billing.credit_balance <= 0);
        tally.refuse("BILL-3", org.billing.active_runs >= org.billing.concurrent_run_limit);
    }
}

// ---- SEC ------------------------------------------------------------------------------------

/// SEC-3: a non-compliant user who is *in* the organization (an org member of any role, or,
/// by the project's decision "Who SEC-3 binds", a collaborator) does nothing there but leave
/// and look at its public profile. It does not bind outsiders (public access is for everyone),
/// an invitee accepting the invitation addressed to them (not yet acting as a member; by the
/// decision "An invitee who already takes part", not even one who is already a collaborator
/// or member), API keys, or anything outside an organization. SEC-1 is the `NotPermitted` answer, SEC-2 holds because every role above is
/// looked up in the resource's own org, SEC-4 is `Invalid` and `None`.
fn sec_rules(r: &Request<'_, '_>, tally: &mut Tally) {
    let (Some(org), Some(user)) = (r.target.org(), r.user()) else { return };
    let in_org = is_member(org, &user.id) || is_collaborator(org, &user.id);
    let spared = r.is_any(&["leaveOrganization", "viewPublicProfile"])
        || matches!(r.target, Target::Invitation(_, i) if r.is("acceptInvitation") && is_invitee(i, user));
    tally.refuse("SEC-3", in_org && !spared && is_non_compliant(org, user));
}

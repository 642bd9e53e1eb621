//! "Is this organization action valid right now?": the inputs a concrete action carries
//! (typed confirmations, the role offered, the invitee, the Terms of Use version accepted)
//! become the Cedar request context, so the state-dependent rules are policies over context;
//! what the context needs from the store (does the invitee already have an account?) is looked
//! up here.

use cedar_policy::{EntityUid, EvalResult};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::engine::{AlwaysFalse, Cause, Decision, Engine, EntityRef, Failure};
use crate::error::{Error, ErrorCode, ErrorInfo};

/// A concrete organization action to validate.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ActionRequest {
    pub principal: EntityRef,
    pub action: String,
    pub resource: EntityRef,
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub input: ActionInput,
}

/// What the person supplied with the action. Which fields an action needs is listed in the
/// README; a missing one is a `MISSING_INPUT` violation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ActionInput {
    /// inviteMember: the role offered. A string here, so that an unknown role reaches the
    /// policies, which deny it by rule; typed as the snapshot's roles for TypeScript callers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional, type = "OrgRole"))]
    pub role: Option<String>,
    /// inviteMember: invite by email (only for people without an account, MEM-2)...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub email: Option<String>,
    /// ...or by account name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub account: Option<String>,
    /// changeRole: the new role (a string, typed as `role` is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional, type = "OrgRole"))]
    pub new_role: Option<String>,
    /// removeMember: the member's email; leaveOrganization: the org's name (MEM-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub confirmation: Option<String>,
    /// acceptInvitation: the Terms of Use version the invitee accepted (MEM-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub accepted_terms_version: Option<String>,
    /// addTeamMember: the user to add (TEAM-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub user: Option<String>,
}

/// Why an action is not valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Violation {
    /// `FORBIDDEN` (a forbid policy applied), `NOT_PERMITTED` (no policy grants it),
    /// `ALREADY_MEMBER`, `UNKNOWN_ACCOUNT`, or an error code (`MISSING_INPUT` among them).
    pub code: ViolationCode,
    /// The domain rule id, such as `MEM-7`.
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
    pub message: String,
}

/// The code of a violation: a rule's outcome, or an error code. It crosses the JS boundary as a
/// plain string (`"FORBIDDEN"`, `"MISSING_INPUT"`), and its TypeScript type is the union of
/// both enums' strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub enum ViolationCode {
    Rule(RuleViolation),
    Error(ErrorCode),
}

/// The violations that are no error: what a rule said about the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub enum RuleViolation {
    /// A forbid policy applied.
    Forbidden,
    /// No policy grants the action (SEC-1).
    NotPermitted,
    /// The account invited is already a member of the organization (MEM-1).
    AlreadyMember,
    /// The account invited by name does not exist (MEM-2).
    UnknownAccount,
}

impl RuleViolation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forbidden => "FORBIDDEN",
            Self::NotPermitted => "NOT_PERMITTED",
            Self::AlreadyMember => "ALREADY_MEMBER",
            Self::UnknownAccount => "UNKNOWN_ACCOUNT",
        }
    }
}

impl ViolationCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule(code) => code.as_str(),
            Self::Error(code) => code.as_str(),
        }
    }

    /// The error code a denying decision carries for this violation (see
    /// [`Engine::validate_action`]): the rule outcomes that stand for an error have one.
    fn error_code(self) -> ErrorCode {
        match self {
            Self::Error(code) => code,
            Self::Rule(RuleViolation::UnknownAccount) => ErrorCode::UnknownEntity,
            Self::Rule(
                RuleViolation::Forbidden | RuleViolation::NotPermitted | RuleViolation::AlreadyMember,
            ) => ErrorCode::InvalidRequest,
        }
    }
}

impl From<RuleViolation> for ViolationCode {
    fn from(code: RuleViolation) -> Self {
        Self::Rule(code)
    }
}

impl From<ErrorCode> for ViolationCode {
    fn from(code: ErrorCode) -> Self {
        Self::Error(code)
    }
}

impl std::fmt::Display for ViolationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ViolationCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ViolationCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Something a valid action entails that the caller must know or do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Notice {
    pub code: String,
    pub rule: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ActionValidation {
    pub valid: bool,
    pub violations: Vec<Violation>,
    pub notices: Vec<Notice>,
    /// The authorization decision under the context built from the input.
    pub decision: Decision,
}

impl ActionValidation {
    /// The validation of a request that could not even be read.
    pub fn refused(error: Error) -> Self {
        let decision = Decision::from(error);
        Self { valid: false, violations: decision_violations(&decision), notices: Vec::new(), decision }
    }
}

/// Input fields each action needs, and the context attribute each becomes.
pub(crate) fn required_inputs(action: &str) -> &'static [&'static str] {
    match action {
        "inviteMember" => &["role"],
        "changeRole" => &["newRole"],
        "removeMember" | "leaveOrganization" => &["confirmation"],
        "acceptInvitation" => &["acceptedTermsVersion"],
        "addTeamMember" => &["user"],
        _ => &[],
    }
}

fn input_value<'a>(input: &'a ActionInput, field: &str) -> Option<&'a str> {
    match field {
        "role" => input.role.as_deref(),
        "newRole" => input.new_role.as_deref(),
        "confirmation" => input.confirmation.as_deref(),
        "acceptedTermsVersion" => input.accepted_terms_version.as_deref(),
        "user" => input.user.as_deref(),
        _ => None,
    }
}

fn violation(code: impl Into<ViolationCode>, rule: Option<&str>, message: impl Into<String>) -> Violation {
    Violation { code: code.into(), rule: rule.map(str::to_owned), policy_id: None, message: message.into() }
}

impl Engine {
    /// Validates a concrete action: its inputs, the state it depends on, and the policies.
    pub fn validate_action(&self, request: &ActionRequest) -> ActionValidation {
        let mut violations = Vec::new();
        let mut context = Map::new();
        let action = request.action.as_str();
        let input = &request.input;

        for field in required_inputs(action) {
            match input_value(input, field) {
                Some(value) if *field != "user" => {
                    // Entities hold emails in lower case; a removal is confirmed by the email
                    // as the member wrote it (MEM-8).
                    let value =
                        if action == "removeMember" { value.to_lowercase() } else { value.to_owned() };
                    context.insert((*field).to_owned(), Value::String(value));
                }
                Some(_) => {}
                None => violations.push(violation(
                    ErrorCode::MissingInput,
                    None,
                    Error::MissingInput { action: action.to_owned(), field: (*field).to_owned() }.to_string(),
                )),
            }
        }
        match action {
            "inviteMember" => self.invitee_context(request, &mut context, &mut violations),
            "addTeamMember" => {
                if let Some(user) = &input.user {
                    let in_org = self.candidate_in_org(&request.resource, user);
                    context.insert("candidateInOrg".to_owned(), Value::Bool(in_org));
                }
            }
            _ => {}
        }

        let mut decision =
            self.check(&request.principal, action, &request.resource, Some(Value::Object(context)));
        violations.extend(decision_violations(&decision));
        // The policies may allow what the input makes invalid (a missing input, an unknown
        // invitee): the decision then says no as well, never `allowed: true` beside a
        // violation.
        if decision.allowed() && !violations.is_empty() {
            decision = refusal(&violations);
        }
        let valid = violations.is_empty() && decision.allowed();
        let notices = if valid { notices_for(request) } else { Vec::new() };
        ActionValidation { valid, violations, notices, decision }
    }

    /// MEM-2: who is invited, and whether they already have an account.
    fn invitee_context(
        &self,
        request: &ActionRequest,
        context: &mut Map<String, Value>,
        violations: &mut Vec<Violation>,
    ) {
        let input = &request.input;
        match (&input.email, &input.account) {
            (Some(email), None) => {
                context.insert("invitedByEmail".to_owned(), json!(true));
                context.insert("inviteeHasAccount".to_owned(), json!(self.account_by_email(email).is_some()));
            }
            (None, Some(account)) => {
                context.insert("invitedByEmail".to_owned(), json!(false));
                let invitee = EntityRef::new("User", account.as_str());
                match self.existing(&invitee, Error::UnknownEntity) {
                    Err(_) => violations.push(violation(
                        RuleViolation::UnknownAccount,
                        Some("MEM-2"),
                        format!("There is no account named `{account}`"),
                    )),
                    Ok(uid) => {
                        context.insert("inviteeHasAccount".to_owned(), json!(true));
                        if self.org_group_contains(&request.resource, "member", &uid) {
                            violations.push(violation(
                                RuleViolation::AlreadyMember,
                                Some("MEM-1"),
                                format!("`{account}` is already a member of this organization"),
                            ));
                        }
                    }
                }
            }
            _ => violations.push(violation(
                ErrorCode::MissingInput,
                Some("MEM-2"),
                "Invite a person either by `email` or by `account` name, exactly one of the two",
            )),
        }
    }

    /// TEAM-2: is `user` a member or a collaborator of the team's org?
    fn candidate_in_org(&self, team: &EntityRef, user: &str) -> bool {
        let Ok(uid) = self.existing(&EntityRef::new("User", user), Error::UnknownEntity) else {
            return false;
        };
        self.org_group_contains(team, "member", &uid) || self.org_group_contains(team, "collaborator", &uid)
    }

    /// Whether `user` is in the `<org>#<group>` role group of the org `resource` belongs to.
    fn org_group_contains(&self, resource: &EntityRef, group: &str, user: &EntityUid) -> bool {
        let Ok(resource_uid) = self.existing(resource, Error::UnknownResource) else {
            return false;
        };
        let Some(Some(Ok(EvalResult::EntityUid(org)))) =
            self.entities().get(&resource_uid).map(|e| e.attr("org"))
        else {
            return false;
        };
        let Ok(role_type) = self.catalog().entity_type("OrgRole") else {
            return false;
        };
        let group_uid = EntityUid::from_type_name_and_id(
            role_type.clone(),
            cedar_policy::EntityId::new(format!("{}#{group}", org.id().unescaped())),
        );
        self.entities().is_ancestor_of(&group_uid, user)
    }
}

/// The decision of an action the policies allow but its input makes invalid: a failure (a
/// deny that is no policy's), whose errors are the violations, and whose reason is the first.
fn refusal(violations: &[Violation]) -> Decision {
    let errors: Vec<ErrorInfo> = violations
        .iter()
        .map(|v| ErrorInfo { code: v.code.error_code(), message: v.message.clone(), diagnostics: Vec::new() })
        .collect();
    let reason = violations
        .first()
        .map_or_else(|| "denied: the action is not valid".to_owned(), |v| v.message.clone());
    Decision::Failure(Failure { allowed: AlwaysFalse, reason, errors })
}

fn decision_violations(decision: &Decision) -> Vec<Violation> {
    match decision {
        Decision::Failure(failure) => failure
            .errors
            .iter()
            .map(|ErrorInfo { code, message, .. }| violation(*code, None, message.clone()))
            .collect(),
        Decision::Success(verdict) => match verdict.cause {
            Cause::Permitted => Vec::new(),
            Cause::Forbidden => verdict
                .policies
                .iter()
                .map(|p| Violation {
                    code: RuleViolation::Forbidden.into(),
                    rule: p.rule.clone(),
                    policy_id: Some(p.id.clone()),
                    message: p.reason.clone().unwrap_or_else(|| format!("forbidden by policy {}", p.id)),
                })
                .collect(),
            Cause::NotPermitted => {
                let first = verdict.requirements.first();
                vec![Violation {
                    code: RuleViolation::NotPermitted.into(),
                    rule: first.and_then(|p| p.rule.clone()),
                    policy_id: None,
                    message: verdict.reason.clone(),
                }]
            }
        },
    }
}

fn notices_for(request: &ActionRequest) -> Vec<Notice> {
    match request.action.as_str() {
        "acceptInvitation" => vec![Notice {
            code: "TERMS_ACCEPTANCE_RECORDED".to_owned(),
            rule: "MEM-4".to_owned(),
            message: format!(
                "Your acceptance of the Terms of Use version {} is recorded with the time of acceptance",
                request.input.accepted_terms_version.as_deref().unwrap_or_default()
            ),
        }],
        "createOrganization" => vec![Notice {
            code: "CREATOR_BECOMES_OWNER".to_owned(),
            rule: "ORG-1".to_owned(),
            message: "You become the first owner of the new organization".to_owned(),
        }],
        _ => Vec::new(),
    }
}

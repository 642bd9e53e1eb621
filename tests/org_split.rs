//! One store per organization (src/snapshot/split.rs, `orgwarden/orgs`): an organization is
//! built only when a request reaches it, and a request on organization X is decided by X's
//! store alone. These properties hold that over random multi-organization snapshots:
//!
//! - for every principal X's snapshot holds and every entity of X, every action that applies
//!   is decided by X's store exactly as by the whole snapshot (allowed, cause, reason, deciding
//!   policies, requirements);
//! - a principal X's snapshot does not hold is unknown there: a deny, never a yes;
//! - a policy that reads another organization (a custom policy's entity literal, an entity in
//!   the context under a custom schema) finds it missing in X's store, which denies with an
//!   evaluation error: X's store never allows what the whole snapshot denies.
//!
//! ```sh
//! PROPTEST_CASES=500 cargo test --release --test org_split
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use orgwarden::policies::DEFAULT_SCHEMA;
use orgwarden::snapshot::{
    organization_snapshot, InvitationRecord, InvitationStatus, OrgRole, Snapshot, TeamRecord,
};
use orgwarden::{Engine, EngineOptions, EntityRef, ErrorCode, PolicySource};
use proptest::prelude::*;
use serde_json::json;

#[path = "support/engines.rs"]
mod engines;
#[path = "support/generator.rs"]
mod generator;
use engines::{config, defaults, loaded_into, store_refs};
use generator::snapshot_strategy;

fn principals(snapshot: &Snapshot) -> Vec<EntityRef> {
    let users = snapshot.users.iter().map(|u| EntityRef::new("User", &u.id));
    let keys = snapshot
        .organizations
        .iter()
        .flat_map(|o| o.api_keys.iter().map(|k| EntityRef::new("ApiKey", &k.id)));
    users.chain(keys).collect()
}

/// Every principal of X's store × every entity of it × every action that applies: the same
/// answer from X's store as from the whole snapshot's. Returns how many were compared.
fn same_decisions(whole: &Engine, alone: &Engine, x: &Snapshot) -> Result<usize, String> {
    let mut compared = 0;
    let resources = store_refs(alone);
    for principal in principals(x) {
        for resource in &resources {
            let applicable = whole.allowed_actions(&principal, resource).map_err(|e| e.to_string())?;
            for outcome in applicable {
                let expected =
                    serde_json::to_value(whole.check(&principal, &outcome.action, resource, None)).unwrap();
                let actual =
                    serde_json::to_value(alone.check(&principal, &outcome.action, resource, None)).unwrap();
                if expected != actual {
                    return Err(format!(
                        "{principal} {} {resource}:\n whole snapshot: {expected}\n org alone: {actual}",
                        outcome.action
                    ));
                }
                compared += 1;
            }
        }
    }
    Ok(compared)
}

/// Users of the whole snapshot that X's snapshot does not hold are unknown to X's store.
fn others_unknown(whole: &Snapshot, alone: &Engine, x: &Snapshot) -> Result<(), String> {
    let org = EntityRef::new("Organization", &x.organizations[0].id);
    for user in whole.users.iter().filter(|u| !x.users.iter().any(|held| held.id == u.id)) {
        for action in ["viewPublicProfile", "viewOrganization", "viewMembers"] {
            let decision = alone.check(&EntityRef::new("User", &user.id), action, &org, None);
            let code = decision.errors().first().map(|e| e.code);
            if decision.allowed() || code != Some(ErrorCode::UnknownPrincipal) {
                return Err(format!("{} {action} {org}: {decision:?}", user.id));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    /// Decisions on an organization's entities need nothing but that organization's snapshot.
    #[test]
    fn an_organization_alone_decides_as_the_whole_snapshot(snapshot in snapshot_strategy(2..=3)) {
        let whole = loaded_into(defaults(), &snapshot);
        for org in &snapshot.organizations {
            let x = organization_snapshot(&snapshot, &org.id).unwrap();
            prop_assert_eq!(x.organizations.len(), 1);
            let alone = loaded_into(defaults(), &x);
            let compared = same_decisions(&whole, &alone, &x).map_err(TestCaseError::fail)?;
            prop_assert!(compared > 0);
            others_unknown(&snapshot, &alone, &x).map_err(TestCaseError::fail)?;
        }
    }

    /// A custom policy that reads another organization, by an entity literal or through an
    /// entity in the context, finds it missing in X's store: a deny with an evaluation error,
    /// never a yes that the whole snapshot would not give.
    #[test]
    fn reading_another_organization_denies(snapshot in snapshot_strategy(2..=3)) {
        let first = &snapshot.organizations[0].id;
        let other = &snapshot.organizations[1].id;
        let custom = reading_another_org(other);
        let whole = loaded_into(&custom, &snapshot);
        let x = organization_snapshot(&snapshot, first).unwrap();
        let alone = loaded_into(&custom, &x);
        for principal in principals(&x) {
            for resource in store_refs(&alone) {
                for (action, context) in requests_reading(other) {
                    let whole_says = whole.check(&principal, action, &resource, context.clone());
                    let alone_says = alone.check(&principal, action, &resource, context);
                    prop_assert!(
                        !alone_says.allowed() || whole_says.allowed(),
                        "{} {} {}: X alone allows what the whole snapshot denies", principal, action, resource
                    );
                    if whole_says.allowed() && !alone_says.allowed() {
                        let code = alone_says.errors().first().map(|e| e.code);
                        prop_assert_eq!(code, Some(ErrorCode::PolicyEvaluation));
                    }
                }
            }
        }
    }
}

/// The defaults and two permits that read the organization `other`: by an entity literal, and
/// through an entity-typed context field (which the default schema does not have).
fn reading_another_org(other: &str) -> Engine {
    Engine::new(EngineOptions {
        schema: Some(DEFAULT_SCHEMA.replace(
            "context: { candidateInOrg?: Bool }",
            "context: { candidateInOrg?: Bool, sponsor?: Organization }",
        )),
        policies: vec![PolicySource::new(
            "custom.cedar",
            format!(
                r#"@id("custom-reads-another-org-by-literal")
                permit (principal is User, action == Action::"viewOrganization", resource)
                when {{ Organization::"{other}".creditBalance >= 0 }};

                @id("custom-reads-another-org-in-context")
                permit (principal is User, action == Action::"addTeamMember", resource)
                when {{ context has sponsor && context.sponsor.creditBalance >= 0 }};"#
            ),
        )],
        include_default_policies: Some(true),
    })
    .unwrap()
}

/// The requests whose custom permits read `other`.
fn requests_reading(other: &str) -> [(&'static str, Option<serde_json::Value>); 2] {
    [
        ("viewOrganization", None),
        (
            "addTeamMember",
            Some(json!({ "candidateInOrg": true, "sponsor": { "type": "Organization", "id": other } })),
        ),
    ]
}

/// On the fixture, where the whole snapshot allows them, an org's own store denies both
/// requests, with the evaluation error of the permit that reads the other org.
#[test]
fn reading_another_organization_denies_what_the_whole_snapshot_allows() {
    let mut snapshot: Snapshot =
        serde_json::from_str(include_str!("fixtures/small-org.json")).expect("the fixture parses");
    snapshot.organizations[0].teams.push(TeamRecord {
        id: "data".to_owned(),
        name: "Data".to_owned(),
        members: Vec::new(),
        compliance_labels: Vec::new(),
    });
    let custom = reading_another_org("globex");
    let whole = loaded_into(&custom, &snapshot);
    let alone = loaded_into(&custom, &organization_snapshot(&snapshot, "acme").unwrap());
    let olivia = EntityRef::new("User", "olivia");
    let resources = [EntityRef::new("Organization", "acme"), EntityRef::new("Team", "data")];
    for ((action, context), resource) in requests_reading("globex").into_iter().zip(resources) {
        let whole_says = whole.check(&olivia, action, &resource, context.clone());
        assert!(whole_says.allowed(), "{action}: {whole_says:?}");
        let alone_says = alone.check(&olivia, action, &resource, context);
        assert!(!alone_says.allowed(), "{action}: {alone_says:?}");
        assert_eq!(alone_says.errors()[0].code, ErrorCode::PolicyEvaluation, "{action}: {alone_says:?}");
        assert!(alone_says.errors()[0].message.contains("custom-reads-another-org"), "{action}");
    }
}

/// The split of an unknown organization is none, and the split holds the user an invitation
/// by email reaches (so the invitee accepts in the org's own store as in the whole snapshot).
#[test]
fn the_split_names_invitees_by_email_and_no_unknown_org() {
    let mut snapshot: Snapshot =
        serde_json::from_str(include_str!("fixtures/small-org.json")).expect("the fixture parses");
    assert!(organization_snapshot(&snapshot, "no-such-org").is_none());
    let before = organization_snapshot(&snapshot, "acme").unwrap();
    let outsider = snapshot
        .users
        .iter()
        .find(|u| !before.users.iter().any(|held| held.id == u.id))
        .cloned()
        .expect("the fixture has a user acme does not reference");
    snapshot.organizations[0].invitations.push(InvitationRecord {
        id: "inv-by-email".to_owned(),
        email: outsider.email.to_uppercase(),
        account: None,
        role: OrgRole::Member,
        status: InvitationStatus::Pending,
    });
    let after = organization_snapshot(&snapshot, "acme").unwrap();
    assert!(after.users.iter().any(|u| u.id == outsider.id), "{} is invited by email", outsider.id);
    assert_eq!(after.users.len(), before.users.len() + 1);
}

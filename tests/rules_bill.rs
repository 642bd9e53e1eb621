//! BILL-1..3: billing, invoices, earnings, usage, member activity and paid compute.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;

const VIEWS: [&str; 4] = ["viewBilling", "viewInvoices", "viewEarnings", "viewUsage"];

fn with_billing(credit: i64, limit: i64, active: i64) -> orgwarden::Engine {
    engine_variant(|s| {
        let billing = &mut org_mut(s, "acme").billing;
        billing.credit_balance = credit;
        billing.concurrent_run_limit = limit;
        billing.active_runs = active;
    })
}

// ---- BILL-1 -----------------------------------------------------------------------------

#[test]
fn bill1_owners_and_admins_view_billing_invoices_earnings_and_usage() {
    let engine = engine();
    for who in ["alice", "carol"] {
        for action in VIEWS {
            assert_allowed(&check(&engine, &user(who), action, &org("acme")));
        }
    }
}

#[test]
fn bill1_members_do_not_view_billing() {
    let engine = engine();
    for action in VIEWS {
        let decision = check(&engine, &user("dave"), action, &org("acme"));
        assert_not_permitted_because(
            &decision,
            "Only admins and owners see billing, invoices, earnings and usage",
        );
    }
    assert!(!allowed(&engine, &user("heidi"), "viewBilling", &org("acme")));
}

#[test]
fn bill1_only_owners_change_billing_settings() {
    let engine = engine();
    assert_allowed(&check(&engine, &user("alice"), "changeBillingSettings", &org("acme")));
    for who in ["carol", "dave"] {
        let decision = check(&engine, &user(who), "changeBillingSettings", &org("acme"));
        assert_not_permitted_because(&decision, "Only owners can change billing settings");
    }
}

// ---- BILL-2 -----------------------------------------------------------------------------

#[test]
fn bill2_admins_and_owners_see_member_activity() {
    let engine = engine();
    for who in ["alice", "carol"] {
        assert_allowed(&check(&engine, &user(who), "viewMemberActivity", &org("acme")));
    }
}

#[test]
fn bill2_members_do_not_see_member_activity() {
    let decision = check(&engine(), &user("dave"), "viewMemberActivity", &org("acme"));
    assert_not_permitted_because(&decision, "Only admins and owners see member activity");
}

// ---- BILL-3 -----------------------------------------------------------------------------

#[test]
fn bill3_positive_credit_and_runs_below_the_limit_launch() {
    // acme: credit 100, 2 of 3 runs in use.
    let engine = engine();
    assert_allowed(&check(&engine, &user("frank"), "launchCompute", &workspace("ws-research")));
    assert_allowed(&check(&engine, &api_key("key-ops"), "launchCompute", &workspace("ws-research")));
    assert_allowed(&check(&with_billing(1, 1, 0), &user("alice"), "launchCompute", &workspace("ws-ops")));
}

#[test]
fn bill3_zero_credit_denies_launch() {
    // globex has no credit left.
    let decision = check(&engine(), &user("ivan"), "launchCompute", &workspace("gx-main"));
    assert_forbidden_by(&decision, "BILL-3");
    assert_eq!(decision.reason(), Some("Launching paid compute needs a positive credit balance"));
    for credit in [0, -5] {
        let engine = with_billing(credit, 3, 0);
        assert_forbidden_by(&check(&engine, &user("alice"), "launchCompute", &workspace("ws-ops")), "BILL-3");
        assert_forbidden_by(
            &check(&engine, &api_key("key-ops"), "launchCompute", &workspace("ws-research")),
            "BILL-3",
        );
    }
}

#[test]
fn bill3_runs_at_the_limit_deny_launch() {
    for active in [3, 4] {
        let engine = with_billing(100, 3, active);
        let decision = check(&engine, &user("frank"), "launchCompute", &workspace("ws-research"));
        assert_forbidden_by(&decision, "BILL-3");
        assert_eq!(decision.reason(), Some("The organization has reached its limit of concurrent runs"));
    }
    // A missing limit is zero: no paid compute (fail closed).
    assert_forbidden_by(
        &check(&with_billing(100, 0, 0), &user("alice"), "launchCompute", &workspace("ws-ops")),
        "BILL-3",
    );
}

#[test]
fn bill3_only_paid_compute_is_gated() {
    let engine = with_billing(0, 0, 0);
    assert_allowed(&check(&engine, &user("kate"), "connectSession", &workspace("ws-research")));
    assert_allowed(&check(&engine, &user("dave"), "viewWorkspace", &workspace("ws-research")));
}

//! SEC-4: every input limit of `src/limits.rs` is enforced with a clear `LIMIT_EXCEEDED` error
//! (never a crash, never a partial load), and input right at a limit is still accepted.
//!
//! The stack-sensitive cases (deep JSON, deep policies, long hierarchies) run on small threads:
//! passing there means the input is refused before anything recursive sees it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use orgwarden::error::ErrorInfo;
use orgwarden::limits::{
    ancestor_limit, ANCESTOR_LINKS_FLOOR, MAX_ANCESTORS_PER_ENTITY, MAX_ANCESTOR_LINKS, MAX_ENTITIES,
    MAX_HIERARCHY_DEPTH, MAX_ID_LENGTH, MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_JSON_VALUES,
    MAX_LIKE_LITERAL_CHARS, MAX_MATRIX_CELLS, MAX_POLICY_BYTES, MAX_POLICY_NESTING, MAX_POLICY_OPERATORS,
    MAX_REQUEST_VALUES, MAX_SCHEMA_BYTES, MAX_SCHEMA_PARENTS, MAX_STRING_BYTES,
};
use orgwarden::{ffi, Engine, EngineOptions, EntityRef, Error, ErrorCode, PolicySource, Snapshot};
use serde_json::{json, Value};

/// A small valid snapshot: one org, an owner and a member, a workspace.
fn snapshot_json() -> Value {
    json!({
        "users": [
            { "id": "olga", "email": "olga@a.test", "mfaEnabled": true, "passwordCompliant": true },
            { "id": "mo", "email": "mo@a.test", "mfaEnabled": true, "passwordCompliant": true },
        ],
        "organizations": [{
            "id": "acme", "name": "acme",
            "members": [ { "user": "olga", "role": "owner" }, { "user": "mo", "role": "member" } ],
            "workspaces": [ { "id": "lab", "participants": [ { "user": "mo", "role": "launch" } ] } ],
            "billing": { "creditBalance": 5, "concurrentRunLimit": 2 },
        }],
    })
}

fn engine() -> Engine {
    let mut engine = Engine::with_defaults().unwrap();
    engine.load_snapshot_json(&snapshot_json().to_string()).unwrap();
    engine
}

fn user(id: &str) -> EntityRef {
    EntityRef::new("User", id)
}

/// The decisions the fixture gives, to show a refused input kept the store.
fn fingerprint(engine: &Engine) -> Vec<bool> {
    let acme = EntityRef::new("Organization", "acme");
    let lab = EntityRef::new("Workspace", "lab");
    vec![
        engine.check(&user("olga"), "deleteOrganization", &acme, None).allowed(),
        engine.check(&user("mo"), "launchCompute", &lab, None).allowed(),
        engine.check(&user("mo"), "viewMembers", &acme, None).allowed(),
        engine.entities().iter().count() > 0,
    ]
}

#[track_caller]
fn assert_limit(error: &Error, limit: usize) {
    assert_eq!(error.code(), ErrorCode::LimitExceeded, "{error}");
    let message = error.to_string();
    assert!(message.contains(&format!("exceeds the limit of {limit}")), "unclear message: {message}");
}

/// The first error code of a tagged JSON answer.
fn answer_code(answer: &str) -> String {
    let value: Value = serde_json::from_str(answer).unwrap();
    assert_eq!(value["type"], "failure", "{answer}");
    assert_ne!(value["allowed"], true, "{answer}");
    value["errors"][0]["code"].as_str().unwrap().to_owned()
}

/// Runs `f` on a thread with a small stack.
fn on_small_stack<T: Send>(stack: usize, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new().stack_size(stack).spawn_scoped(scope, f).unwrap().join().unwrap()
    })
}

fn custom_policy(text: String) -> EngineOptions {
    EngineOptions { policies: vec![PolicySource::new("custom.cedar", text)], ..Default::default() }
}

fn new_engine(options: EngineOptions) -> Result<Engine, Error> {
    Engine::new(options)
}

// ---- MAX_JSON_BYTES ---------------------------------------------------------------------

#[test]
fn sec4_limit_json_bytes_every_json_entry_point() {
    let mut engine = engine();
    let before = fingerprint(&engine);
    // An object, so that the snapshot's "must be an object" check passes; padding in a string.
    let oversize = format!("{{\"users\":[],\"x\":\"{}\"}}", "a".repeat(MAX_JSON_BYTES));
    assert!(oversize.len() > MAX_JSON_BYTES);

    assert_limit(&engine.load_snapshot_json(&oversize).unwrap_err(), MAX_JSON_BYTES);
    assert_limit(&engine.load_entities_json(&oversize).unwrap_err(), MAX_JSON_BYTES);
    assert_limit(&engine.upsert_entities_json(&oversize).unwrap_err(), MAX_JSON_BYTES);
    assert_eq!(fingerprint(&engine), before, "a refused load keeps the store");

    for answer in [
        ffi::check_json(&engine, &oversize),
        ffi::allowed_actions_json(&engine, &oversize),
        ffi::matrix_json(&engine, &oversize),
        ffi::validate_policies_json(&oversize),
        ffi::remove_entities_json(&mut engine, &oversize),
    ] {
        assert_eq!(answer_code(&answer), "LIMIT_EXCEEDED");
    }
    let validation: Value = serde_json::from_str(&ffi::validate_action_json(&engine, &oversize)).unwrap();
    assert_eq!(validation["valid"], false);
    assert_eq!(validation["violations"][0]["code"], "LIMIT_EXCEEDED");
    let error: ErrorInfo = ffi::new_engine_json(&oversize).map(|_| ()).unwrap_err();
    assert_eq!(error.code, ErrorCode::LimitExceeded);
    assert_eq!(fingerprint(&engine), before);
}

// ---- MAX_JSON_VALUES --------------------------------------------------------------------

#[test]
fn sec4_limit_json_values_are_counted_before_parsing() {
    let mut engine = engine();
    let before = fingerprint(&engine);
    // Two bytes a value: 16 million of them at the byte limit would be over 500 MB parsed.
    let zeros = |n: usize| format!("[{}0]", "0,".repeat(n - 1));
    assert_limit(&engine.load_entities_json(&zeros(MAX_JSON_VALUES)).unwrap_err(), MAX_JSON_VALUES);
    assert_limit(&engine.upsert_entities_json(&zeros(MAX_JSON_VALUES)).unwrap_err(), MAX_JSON_VALUES);
    let snapshot = format!(r#"{{"users":{},"organizations":[]}}"#, zeros(MAX_JSON_VALUES));
    assert_limit(&engine.load_snapshot_json(&snapshot).unwrap_err(), MAX_JSON_VALUES);
    // Commas inside strings are text, not values.
    let commas =
        format!(r#"[{{"uid":{{"type":"Team","id":"{}"}},"attrs":{{}},"parents":[]}}]"#, ",".repeat(60_000));
    assert!(!matches!(engine.load_entities_json(&commas), Err(Error::LimitExceeded { .. })));
    // At the limit the count passes (the array is then refused for what it holds).
    let error = engine.load_entities_json(&zeros(MAX_JSON_VALUES - 1)).unwrap_err();
    assert!(!matches!(error, Error::LimitExceeded { limit, .. } if limit == MAX_JSON_VALUES), "{error}");
    assert_eq!(fingerprint(&engine), before);
}

// ---- MAX_STRING_BYTES, MAX_REQUEST_VALUES -------------------------------------------------

/// A check call of olga on acme for `inviteMember`, whose context has the role `role`.
fn invite_call(role: Value) -> String {
    json!({
        "principal": { "type": "User", "id": "olga" },
        "action": "inviteMember",
        "resource": { "type": "Organization", "id": "acme" },
        "context": { "role": role },
    })
    .to_string()
}

#[test]
fn sec4_limit_string_bytes_in_data_and_requests() {
    let mut engine = engine();
    let before = fingerprint(&engine);
    let named = |name: String| {
        let mut snapshot = snapshot_json();
        snapshot["users"][1]["name"] = json!(name);
        snapshot.to_string()
    };
    assert_limit(
        &engine.load_snapshot_json(&named("n".repeat(MAX_STRING_BYTES + 1))).unwrap_err(),
        MAX_STRING_BYTES,
    );
    // Escapes count as written: 2 bytes each in the JSON text.
    assert_limit(
        &engine.load_snapshot_json(&named("\n".repeat(MAX_STRING_BYTES / 2 + 1))).unwrap_err(),
        MAX_STRING_BYTES,
    );
    let team = |id: &str, label: String| {
        json!([{ "uid": { "type": "Team", "id": id }, "attrs": { "name": label, "org": { "__entity": { "type": "Organization", "id": "acme" } } }, "parents": [] }]).to_string()
    };
    assert_limit(
        &engine.upsert_entities_json(&team("t", "l".repeat(MAX_STRING_BYTES + 1))).unwrap_err(),
        MAX_STRING_BYTES,
    );
    assert_eq!(fingerprint(&engine), before, "a refused load keeps the store");

    // Requests: a check call, a context handed over alone, an action request.
    let long_role = "r".repeat(MAX_STRING_BYTES + 1);
    assert_eq!(answer_code(&ffi::check_json(&engine, &invite_call(json!(long_role)))), "LIMIT_EXCEEDED");
    let context = json!({ "role": long_role }).to_string();
    let acme = EntityRef::new("Organization", "acme");
    let decision = ffi::check(&engine, &user("olga"), "inviteMember", &acme, Some(&context));
    assert_eq!(decision.errors()[0].code, ErrorCode::LimitExceeded);
    let request = json!({
        "principal": { "type": "User", "id": "olga" }, "action": "inviteMember",
        "resource": { "type": "Organization", "id": "acme" },
        "input": { "email": format!("{}@a.test", "e".repeat(MAX_STRING_BYTES)), "role": "member" },
    });
    let validation: Value =
        serde_json::from_str(&ffi::validate_action_json(&engine, &request.to_string())).unwrap();
    assert_eq!(validation["violations"][0]["code"], "LIMIT_EXCEEDED", "{validation}");

    // At the limit, a string is read: the name loads, the role is decided on.
    let mut at_limit = self::engine();
    at_limit.load_snapshot_json(&named("n".repeat(MAX_STRING_BYTES - 2))).unwrap();
    let answer: Value =
        serde_json::from_str(&ffi::check_json(&at_limit, &invite_call(json!("r".repeat(MAX_STRING_BYTES)))))
            .unwrap();
    assert_eq!(answer["type"], "success", "{answer}");
    // Policy sources are strings of the engine options, bounded by their own limit.
    let long_policy = format!("// {}\n{}", "c".repeat(2 * MAX_STRING_BYTES), when("true"));
    new_engine(custom_policy(long_policy)).unwrap();
}

#[test]
fn sec4_limit_request_values() {
    let engine = engine();
    // One-field records: each one a record Cedar builds, about 2.4 KiB of module memory.
    let call = |records: usize| invite_call((0..records).map(|i| json!({ "a": i })).collect());
    // Two values each (the record and its field), plus the call's own 7 and the list.
    assert_eq!(answer_code(&ffi::check_json(&engine, &call(MAX_REQUEST_VALUES / 2))), "LIMIT_EXCEEDED");
    assert_eq!(answer_code(&ffi::check_json(&engine, &call(640_000))), "LIMIT_EXCEEDED");
    // Under the limit, the context is read, and refused for its type.
    assert_eq!(answer_code(&ffi::check_json(&engine, &call(MAX_REQUEST_VALUES / 2 - 10))), "INVALID_CONTEXT");
    let context = json!({ "role": vec![0; MAX_REQUEST_VALUES] }).to_string();
    let acme = EntityRef::new("Organization", "acme");
    let decision = ffi::check(&engine, &user("olga"), "inviteMember", &acme, Some(&context));
    assert_eq!(decision.errors()[0].code, ErrorCode::LimitExceeded);
    // A matrix call is data: its resources may be many.
    let resources: Vec<Value> =
        (0..20_000).map(|_| json!({ "type": "Organization", "id": "acme" })).collect();
    let matrix = json!({ "principal": { "type": "User", "id": "olga" }, "resources": resources, "actions": ["viewOrganization"] });
    let answer: Value = serde_json::from_str(&ffi::matrix_json(&engine, &matrix.to_string())).unwrap();
    assert_eq!(answer["type"], "success", "{}", &answer.to_string()[..200]);
}

// ---- MAX_JSON_DEPTH ---------------------------------------------------------------------

#[test]
fn sec4_limit_json_depth_10000_nested_arrays_are_refused_without_recursion() {
    let engine = engine();
    let before = fingerprint(&engine);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_snapshot = format!("{{\"users\":{deep}}}");
    let deep_check = format!(
        r#"{{"principal":{{"type":"User","id":"olga"}},"action":"viewOrganization","resource":{{"type":"Organization","id":"acme"}},"context":{{"a":{deep}}}}}"#
    );
    // 128 KiB of stack: far less than any recursive parser would need for 10,000 levels.
    let engine = on_small_stack(128 * 1024, move || {
        let mut engine = engine;
        assert_limit(&engine.load_entities_json(&deep).unwrap_err(), MAX_JSON_DEPTH);
        assert_limit(&engine.upsert_entities_json(&deep).unwrap_err(), MAX_JSON_DEPTH);
        assert_limit(&engine.load_snapshot_json(&deep_snapshot).unwrap_err(), MAX_JSON_DEPTH);
        assert_eq!(answer_code(&ffi::check_json(&engine, &deep_check)), "LIMIT_EXCEEDED");
        assert_eq!(answer_code(&ffi::validate_policies_json(&deep_snapshot)), "LIMIT_EXCEEDED");
        engine
    });
    assert_eq!(fingerprint(&engine), before);
}

#[test]
fn sec4_limit_json_depth_counts_only_structure() {
    let mut engine = engine();
    // Exactly the limit: parsed (and refused as entities, not as too deep).
    let at_limit = format!("{}{}", "[".repeat(MAX_JSON_DEPTH), "]".repeat(MAX_JSON_DEPTH));
    assert_eq!(engine.load_entities_json(&at_limit).unwrap_err().code(), ErrorCode::InvalidEntities);
    let over = format!("[{at_limit}]");
    assert_limit(&engine.load_entities_json(&over).unwrap_err(), MAX_JSON_DEPTH);
    // Brackets inside strings are text, not nesting.
    let mut snapshot = snapshot_json();
    snapshot["organizations"][0]["displayName"] = json!("[".repeat(10_000));
    engine.load_snapshot_json(&snapshot.to_string()).unwrap();
}

// ---- MAX_MATRIX_CELLS -------------------------------------------------------------------

#[test]
fn sec4_limit_matrix_cells() {
    let engine = engine();
    let actions: Vec<String> = vec!["viewWorkspace".to_owned(); 100];
    let missing = |n: usize| (0..n).map(|i| EntityRef::new("Workspace", format!("w{i}"))).collect::<Vec<_>>();
    let over = missing(MAX_MATRIX_CELLS / 100 + 1);
    assert_limit(&engine.matrix(&user("mo"), &over, &actions).unwrap_err(), MAX_MATRIX_CELLS);
    // The JSON twin answers the same.
    let call = json!({ "principal": { "type": "User", "id": "mo" }, "resources": over, "actions": actions });
    assert_eq!(answer_code(&ffi::matrix_json(&engine, &call.to_string())), "LIMIT_EXCEEDED");
    // At the limit: every cell answered (here: unknown resources deny).
    let at_limit = engine.matrix(&user("mo"), &missing(MAX_MATRIX_CELLS / 100), &actions).unwrap();
    assert_eq!(at_limit.rows.iter().map(|r| r.cells.len()).sum::<usize>(), MAX_MATRIX_CELLS);
    assert!(at_limit.rows.iter().flat_map(|r| &r.cells).all(|c| !c.allowed));
}

// ---- MAX_ID_LENGTH ----------------------------------------------------------------------

#[test]
fn sec4_limit_id_length() {
    let mut engine = engine();
    let before = fingerprint(&engine);
    for path in ["/users/1/id", "/organizations/0/workspaces/0/id", "/organizations/0/id"] {
        let mut snapshot = snapshot_json();
        let long = "x".repeat(MAX_ID_LENGTH + 1);
        *snapshot.pointer_mut(path).unwrap() = json!(long);
        // Keep references consistent, so that the length is the only problem.
        if path == "/users/1/id" {
            snapshot["organizations"][0]["members"][1]["user"] = json!(long);
            snapshot["organizations"][0]["workspaces"][0]["participants"][0]["user"] = json!(long);
        }
        let error = engine.load_snapshot_json(&snapshot.to_string()).unwrap_err();
        assert_limit(&error, MAX_ID_LENGTH);
        assert_eq!(fingerprint(&engine), before, "{path}");

        let exact = "y".repeat(MAX_ID_LENGTH);
        *snapshot.pointer_mut(path).unwrap() = json!(exact);
        if path == "/users/1/id" {
            snapshot["organizations"][0]["members"][1]["user"] = json!(exact);
            snapshot["organizations"][0]["workspaces"][0]["participants"][0]["user"] = json!(exact);
        }
        let mut fresh = Engine::with_defaults().unwrap();
        fresh.load_snapshot_json(&snapshot.to_string()).unwrap();
    }
}

// ---- MAX_ENTITIES -----------------------------------------------------------------------

#[test]
fn sec4_limit_entity_count() {
    let mut engine = engine();
    let before = fingerprint(&engine);
    let too_many = format!("[{}{{}}]", "{},".repeat(MAX_ENTITIES));
    assert_limit(&engine.load_entities_json(&too_many).unwrap_err(), MAX_ENTITIES);
    assert_limit(&engine.upsert_entities_json(&too_many).unwrap_err(), MAX_ENTITIES);
    assert_eq!(fingerprint(&engine), before);
}

#[test]
fn sec4_limit_entity_count_of_a_snapshot() {
    let mut engine = engine();
    let before = fingerprint(&engine);
    let mut snapshot: Snapshot = serde_json::from_value(snapshot_json()).unwrap();
    let template = snapshot.users[0].clone();
    snapshot.users.extend((0..MAX_ENTITIES).map(|i| {
        let mut user = template.clone();
        user.id = format!("u{i}");
        user.email = format!("u{i}@a.test");
        user
    }));
    assert_limit(&engine.load_snapshot(&snapshot).unwrap_err(), MAX_ENTITIES);
    assert_eq!(fingerprint(&engine), before);
}

// ---- MAX_ANCESTOR_LINKS -------------------------------------------------------------------

/// One org whose `members` users are all in one team, granted `owner` in each of `workspaces`
/// workspaces: every member inherits every workspace's six role groups.
fn everyone_team(members: usize, workspaces: usize) -> Snapshot {
    let users: Vec<String> = (0..members).map(|i| format!("u{i}")).collect();
    serde_json::from_value(json!({
        "users": users.iter().map(|u| json!({ "id": u, "email": format!("{u}@a.test") })).collect::<Vec<_>>(),
        "organizations": [{
            "id": "acme", "name": "acme",
            "members": users.iter().enumerate()
                .map(|(i, u)| json!({ "user": u, "role": if i == 0 { "owner" } else { "member" } }))
                .collect::<Vec<_>>(),
            "teams": [{ "id": "everyone", "name": "Everyone", "members": users }],
            "workspaces": (0..workspaces)
                .map(|w| json!({ "id": format!("w{w}"), "participants": [{ "team": "everyone", "role": "owner" }] }))
                .collect::<Vec<_>>(),
        }],
    }))
    .unwrap()
}

#[track_caller]
fn assert_ancestors_refused(error: &Error) {
    assert_eq!(error.code(), ErrorCode::LimitExceeded, "{error}");
    assert!(error.to_string().starts_with("ancestors held by the entities ("), "{error}");
}

#[test]
fn sec4_limit_ancestors_of_a_snapshot() {
    let mut engine = engine();
    let before = fingerprint(&engine);
    // 1,500 × 1,500: 13.5 million ancestors from 13,507 entities, refused before any is built.
    let wide = everyone_team(1_500, 1_500);
    assert_ancestors_refused(&engine.load_snapshot(&wide).unwrap_err());
    assert_eq!(fingerprint(&engine), before);
    let scoped = orgwarden::snapshot::scope::scope_snapshot(&engine, &wide, "u1");
    assert_ancestors_refused(&scoped.unwrap_err());
    // 1,000 × 330: about 1.99 million from about 4,300 entities, under the absolute cap; the
    // same shape grew the module to 344 MiB. Far over 16 an entity.
    assert_ancestors_refused(&engine.load_snapshot(&everyone_team(1_000, 330)).unwrap_err());
    // 100 × 100: about 60,000 from about 810 entities, within the floor: it loads and decides.
    let count = engine.load_snapshot(&everyone_team(100, 100)).unwrap();
    assert!(count > 800, "{count}");
    let lab = EntityRef::new("Workspace", "w99");
    let decision = engine.check(&user("u7"), "viewWorkspace", &lab, None);
    assert!(decision.allowed(), "the team's grant holds: {decision:?}");
}

/// `layers` layers of `width` workspace-role entities, each entity the child of every entity of
/// the layer above: each holds every entity of every layer above as an ancestor.
fn layered_roles(layers: usize, width: usize) -> String {
    let id = |layer: usize, i: usize| format!("l{layer}r{i}");
    let entities: Vec<Value> = (0..layers)
        .flat_map(|layer| (0..width).map(move |i| (layer, i)))
        .map(|(layer, i)| {
            let parents: Vec<Value> = match layer.checked_sub(1) {
                Some(above) => {
                    (0..width).map(|p| json!({ "type": "WorkspaceRole", "id": id(above, p) })).collect()
                }
                None => Vec::new(),
            };
            json!({ "uid": { "type": "WorkspaceRole", "id": id(layer, i) }, "attrs": {}, "parents": parents })
        })
        .collect();
    Value::Array(entities).to_string()
}

#[test]
fn sec4_limit_ancestors_of_raw_entities() {
    let mut engine = engine();
    let before = fingerprint(&engine);
    // 40 layers of 10: 400 entities, 3,900 parents in 190 KB of JSON, and a closure of
    // 10 × 10 × (0 + 1 + … + 39) = 78,000 ancestors, over the 71,936 that 400 entities may hold.
    let layered = layered_roles(40, 10);
    // A load is held to what its 400 entities may hold; an upsert to what the store may hold
    // after it, its snapshot's entities and the schema's actions counted.
    let held = engine.entities().len();
    assert!(ancestor_limit(400 + held) < 78_000);
    let refusals = [
        (engine.load_entities_json(&layered).unwrap_err(), ancestor_limit(400)),
        (engine.upsert_entities_json(&layered).unwrap_err(), ancestor_limit(400 + held)),
    ];
    for (error, limit) in refusals {
        assert_ancestors_refused(&error);
        assert!(error.to_string().ends_with(&format!("exceeds the limit of {limit}")), "{error}");
    }
    assert_eq!(fingerprint(&engine), before, "a refused load or upsert keeps the store");
    // 30 layers of 10: 43,500 ancestors, within the floor: it loads, with each ancestor Cedar
    // would give it.
    let within = layered_roles(30, 10);
    assert!(engine.load_entities_json(&within).unwrap() >= 300);
    let bottom = cedar_policy::EntityUid::from_type_name_and_id(
        "WorkspaceRole".parse().unwrap(),
        cedar_policy::EntityId::new("l29r0"),
    );
    assert_eq!(engine.entities().get(&bottom).unwrap().as_ref().ancestors().count(), 290);
}

#[test]
fn sec4_the_ancestor_limit_grows_with_the_entities_up_to_its_cap() {
    assert_eq!(ancestor_limit(0), ANCESTOR_LINKS_FLOOR);
    assert_eq!(ancestor_limit(10_000), 10_000 * MAX_ANCESTORS_PER_ENTITY + ANCESTOR_LINKS_FLOOR);
    assert_eq!(ancestor_limit(MAX_ENTITIES), MAX_ANCESTOR_LINKS);
    assert_eq!(ancestor_limit(usize::MAX), MAX_ANCESTOR_LINKS);
}

// ---- MAX_POLICY_BYTES, MAX_SCHEMA_BYTES -------------------------------------------------

#[test]
fn sec4_limit_policy_bytes() {
    let comment = format!("// {}\n", "x".repeat(MAX_POLICY_BYTES));
    assert_limit(&new_engine(custom_policy(comment.clone())).unwrap_err(), MAX_POLICY_BYTES);
    // The total counts: two halves over the limit together are refused.
    let half = format!("// {}\n", "x".repeat(MAX_POLICY_BYTES / 2));
    let options = EngineOptions {
        policies: vec![PolicySource::new("a.cedar", half.clone()), PolicySource::new("b.cedar", half)],
        ..Default::default()
    };
    assert_limit(&new_engine(options).unwrap_err(), MAX_POLICY_BYTES);
    let answer = ffi::validate_policies_json(
        &json!({ "policies": [ { "name": "big.cedar", "text": comment } ] }).to_string(),
    );
    assert_eq!(answer_code(&answer), "LIMIT_EXCEEDED");
}

#[test]
fn sec4_limit_schema_bytes() {
    let schema = format!("// {}\n{}", "x".repeat(MAX_SCHEMA_BYTES), orgwarden::policies::DEFAULT_SCHEMA);
    let options = EngineOptions { schema: Some(schema), ..Default::default() };
    assert_limit(&new_engine(options).unwrap_err(), MAX_SCHEMA_BYTES);
}

// ---- MAX_POLICY_NESTING, MAX_POLICY_OPERATORS -------------------------------------------

/// `when { <expr> }` around an expression: the braces are one level.
fn when(expr: &str) -> String {
    format!("permit (principal, action, resource) when {{ {expr} }};")
}

fn parens(n: usize) -> String {
    format!("{}true{}", "(".repeat(n), ")".repeat(n))
}

/// 2 MiB: the stack of a test thread, on which 48 nested parentheses used to overflow in a
/// debug build (Cedar turns them into a tree recursively).
const TEST_THREAD_STACK: usize = 2 * 1024 * 1024;

#[test]
fn sec4_limit_policy_nesting() {
    on_small_stack(TEST_THREAD_STACK, || {
        // `when {` is one level: MAX - 1 parentheses inside it are exactly the limit.
        new_engine(custom_policy(when(&parens(MAX_POLICY_NESTING - 1)))).unwrap();
        for n in [MAX_POLICY_NESTING, 100, 10_000, 400_000] {
            assert_limit(&new_engine(custom_policy(when(&parens(n)))).unwrap_err(), MAX_POLICY_NESTING);
        }
        // Sets and records nest too.
        let sets = format!("{}1{}.isEmpty()", "[".repeat(MAX_POLICY_NESTING), "]".repeat(MAX_POLICY_NESTING));
        assert_limit(&new_engine(custom_policy(when(&sets))).unwrap_err(), MAX_POLICY_NESTING);
        let records = format!("{}1{} == 1", "{a: ".repeat(50_000), "}".repeat(50_000));
        assert_limit(&new_engine(custom_policy(when(&records))).unwrap_err(), MAX_POLICY_NESTING);
        // Each `if` nests in the previous one of its level.
        let ifs = |n: usize| when(&format!("{}true", "if true then true else ".repeat(n)));
        new_engine(custom_policy(ifs(MAX_POLICY_NESTING - 1))).unwrap();
        assert_limit(&new_engine(custom_policy(ifs(MAX_POLICY_NESTING))).unwrap_err(), MAX_POLICY_NESTING);
        assert_limit(&new_engine(custom_policy(ifs(20_000))).unwrap_err(), MAX_POLICY_NESTING);
        // Brackets in strings and comments are text; closed levels do not add up.
        let text = format!(
            "// {}\n{}",
            "(".repeat(1000),
            when(&format!("\"x\" like \"{}\" && (true) && ((true))", "[".repeat(1000)))
        );
        new_engine(custom_policy(text)).unwrap();
        let many =
            (0..200).map(|_| when("(if true then (true) else false) && (if true then true else false)"));
        new_engine(custom_policy(many.collect::<Vec<_>>().join("\n"))).unwrap();
    });
}

#[test]
fn sec4_limit_policy_operators() {
    on_small_stack(TEST_THREAD_STACK, || {
        // `when` counts one; `1 == 1` one... `==` counts as two characters.
        let plus = |n: usize| when(&format!("1{} > 0", " + 1".repeat(n)));
        new_engine(custom_policy(plus(MAX_POLICY_OPERATORS - 8))).unwrap();
        for n in [MAX_POLICY_OPERATORS + 1, 200_000] {
            assert_limit(&new_engine(custom_policy(plus(n))).unwrap_err(), MAX_POLICY_OPERATORS);
        }
        let members = when(&format!("principal{} == 1", ".a".repeat(100_000)));
        assert_limit(&new_engine(custom_policy(members)).unwrap_err(), MAX_POLICY_OPERATORS);
        // Each clause is one more `&&` in the policy's tree: a thousand `when { true }` used
        // to trap the release module in Cedar's parser.
        let clauses =
            |n: usize| format!("permit (principal, action, resource){};", " when { true }".repeat(n));
        // The scope's `(` is one: MAX - 1 clauses are exactly the limit.
        new_engine(custom_policy(clauses(MAX_POLICY_OPERATORS - 1))).unwrap();
        for n in [MAX_POLICY_OPERATORS, 1_000, 50_000] {
            assert_limit(&new_engine(custom_policy(clauses(n))).unwrap_err(), MAX_POLICY_OPERATORS);
        }
        let unless = format!("permit (principal, action, resource){};", " unless { false }".repeat(1_000));
        assert_limit(&new_engine(custom_policy(unless)).unwrap_err(), MAX_POLICY_OPERATORS);
        // The count is per policy: many policies, each small, are fine.
        let many = (0..300).map(|_| when("principal is User && 1 + 1 + 1 > 2"));
        new_engine(custom_policy(many.collect::<Vec<_>>().join("\n"))).unwrap();
        // In a file of many, the refusal names the place of the policy over the limit.
        let file = format!("{}\n{}\n{}", when("true"), when("true"), plus(MAX_POLICY_OPERATORS + 1));
        let message = new_engine(custom_policy(file)).unwrap_err().to_string();
        assert!(message.contains("`custom.cedar` (line 3, column "), "{message}");
    });
}

#[test]
fn sec4_limit_like_literal_run() {
    let like = |pattern: &str| when(&format!("principal is User && principal.name like \"{pattern}\""));
    let run = "a".repeat(MAX_LIKE_LITERAL_CHARS);
    for accepted in [
        format!("*{run}"),
        format!("{}*", "a".repeat(10_000)),
        format!("*{run}*{run}"),
        "*a".repeat(5_000),
        format!("*{}", "\\*".repeat(MAX_LIKE_LITERAL_CHARS)),
    ] {
        new_engine(custom_policy(like(&accepted))).unwrap();
    }
    for refused in [
        format!("*{run}b"),
        format!("a*{run}*{run}b"),
        format!("*{}", "\\*".repeat(MAX_LIKE_LITERAL_CHARS + 1)),
    ] {
        let error = new_engine(custom_policy(like(&refused))).unwrap_err();
        assert_limit(&error, MAX_LIKE_LITERAL_CHARS);
        assert!(error.to_string().contains("`custom.cedar` (line 1, column "), "{error}");
    }
    // Checked in every policy of a source, and for validation alike.
    let file = format!("{}\n{}", like("*@a.test"), like(&format!("*{run}b")));
    assert!(new_engine(custom_policy(file.clone())).unwrap_err().to_string().contains("(line 2, column "));
    let options = json!({ "policies": [{ "name": "custom.cedar", "text": file }] }).to_string();
    assert_eq!(answer_code(&ffi::validate_policies_json(&options)), "LIMIT_EXCEEDED");
}

// ---- schema shape -----------------------------------------------------------------------

fn custom_schema(schema: String) -> EngineOptions {
    EngineOptions { schema: Some(schema), include_default_policies: Some(false), ..Default::default() }
}

#[test]
fn sec4_limit_schema_nesting_and_parents() {
    on_small_stack(TEST_THREAD_STACK, || {
        let records = |n: usize| format!("entity A {{ a: {} Long {} }};", "{ a: ".repeat(n), "}".repeat(n));
        new_engine(custom_schema(records(MAX_POLICY_NESTING - 1))).unwrap();
        for n in [MAX_POLICY_NESTING, 100_000] {
            assert_limit(&new_engine(custom_schema(records(n))).unwrap_err(), MAX_POLICY_NESTING);
        }
        let sets = format!("entity A {{ a: {}Long{} }};", "Set<".repeat(10_000), ">".repeat(10_000));
        assert_limit(&new_engine(custom_schema(sets)).unwrap_err(), MAX_POLICY_NESTING);

        // A chain of entity types, each in the previous one.
        let chain = |n: usize| {
            let mut text = String::from("entity E0;\n");
            for i in 1..=n {
                text.push_str(&format!("entity E{i} in [E{}];\n", i - 1));
            }
            text
        };
        new_engine(custom_schema(chain(MAX_SCHEMA_PARENTS))).unwrap();
        for n in [MAX_SCHEMA_PARENTS + 1, 20_000] {
            assert_limit(&new_engine(custom_schema(chain(n))).unwrap_err(), MAX_SCHEMA_PARENTS);
        }
        // Every name in a parent list counts.
        let names: Vec<String> = (0..3000).map(|i| format!("T{i}")).collect();
        let wide = format!("entity {} in [{}];", names.join(", "), names.join(", "));
        assert_limit(&new_engine(custom_schema(wide)).unwrap_err(), MAX_SCHEMA_PARENTS);
    });
}

// ---- MAX_HIERARCHY_DEPTH ----------------------------------------------------------------

/// `n` workspace-role entities, each the parent of the previous one.
fn role_chain(n: usize, prefix: &str) -> String {
    let entities: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "uid": { "type": "WorkspaceRole", "id": format!("{prefix}{i}") },
                "attrs": {},
                "parents": if i + 1 < n {
                    json!([{ "type": "WorkspaceRole", "id": format!("{prefix}{}", i + 1) }])
                } else {
                    json!([])
                },
            })
        })
        .collect();
    Value::Array(entities).to_string()
}

#[test]
fn sec4_limit_hierarchy_depth() {
    let engine = engine();
    let before = fingerprint(&engine);
    let engine = on_small_stack(TEST_THREAD_STACK, move || {
        let mut engine = engine;
        for n in [MAX_HIERARCHY_DEPTH + 1, 5_000] {
            let chain = role_chain(n, "r");
            assert_limit(&engine.load_entities_json(&chain).unwrap_err(), MAX_HIERARCHY_DEPTH);
            assert_limit(&engine.upsert_entities_json(&chain).unwrap_err(), MAX_HIERARCHY_DEPTH);
        }
        engine
    });
    assert_eq!(fingerprint(&engine), before, "a refused update keeps the store");
    let mut engine = engine;
    // Exactly the limit loads, and upserts on top of the snapshot.
    engine.upsert_entities_json(&role_chain(MAX_HIERARCHY_DEPTH, "u")).unwrap();
    assert_eq!(fingerprint(&engine), before);
    engine.load_entities_json(&role_chain(MAX_HIERARCHY_DEPTH, "l")).unwrap();
}

#[test]
fn sec4_entity_cycles_are_refused_before_the_closure() {
    let engine = engine();
    let before = fingerprint(&engine);
    let mut chain: Vec<Value> = serde_json::from_str(&role_chain(5_000, "c")).unwrap();
    chain.last_mut().unwrap()["parents"] = json!([{ "type": "WorkspaceRole", "id": "c0" }]);
    let cyclic = Value::Array(chain).to_string();
    let engine = on_small_stack(TEST_THREAD_STACK, move || {
        let mut engine = engine;
        for error in [
            engine.load_entities_json(&cyclic).unwrap_err(),
            engine.upsert_entities_json(&cyclic).unwrap_err(),
        ] {
            assert_eq!(error.code(), ErrorCode::InvalidEntities, "{error}");
            // Every entity waits on the cycle: the message names the first one given.
            let cycle = r#"the entity hierarchy has a cycle (among the ancestors of WorkspaceRole::"c0")"#;
            assert!(error.to_string().contains(cycle), "{error}");
        }
        // An entity given twice counts once, with the parents of both versions: `x0` is first
        // given without parents, then again under `x1`, which is in a cycle with `x2`.
        let role = |id: &str, parents: &[&str]| {
            let parents: Vec<Value> =
                parents.iter().map(|p| json!({ "type": "WorkspaceRole", "id": p })).collect();
            json!({ "uid": { "type": "WorkspaceRole", "id": id }, "attrs": {}, "parents": parents })
        };
        let twice = json!([role("x0", &[]), role("x1", &["x2"]), role("x2", &["x1"]), role("x0", &["x1"])]);
        for error in [
            engine.load_entities_json(&twice.to_string()).unwrap_err(),
            engine.upsert_entities_json(&twice.to_string()).unwrap_err(),
        ] {
            let cycle = r#"the entity hierarchy has a cycle (among the ancestors of WorkspaceRole::"x0")"#;
            assert!(error.to_string().contains(cycle), "{error}");
        }
        let self_parent =
            r#"[{"uid":{"type":"OrgRole","id":"x"},"attrs":{},"parents":[{"type":"OrgRole","id":"x"}]}]"#;
        assert_eq!(engine.load_entities_json(self_parent).unwrap_err().code(), ErrorCode::InvalidEntities);
        engine
    });
    assert_eq!(fingerprint(&engine), before);
}

//! Native side of the orgwarden benchmarks; `bench/run.mjs` drives it.
//!
//! `native_bench export <snapshot.json> <entities.json>`
//!     Loads an orgwarden snapshot into `orgwarden::Engine` and writes the Cedar entities the
//!     engine derives from it (the schema's `Action` entities included), as Cedar entities JSON.
//!
//! `native_bench bench <dir> <passes>`
//!     Reads `<dir>/policies.cedar` (every default policy, concatenated), `<dir>/entities.json`,
//!     `<dir>/snapshot.json` and `<dir>/requests.json` (`[{principal, action, resource}]`, each
//!     with an empty context) and times, per request, in this order:
//!       - `cedar`: plain `cedar_policy::Authorizer::is_authorized` on the whole policy set
//!         parsed from the text, entities parsed from the JSON: the reference;
//!       - `cedarSliced`: the same call on orgwarden's per-action slice of its policy set;
//!       - `cedarFiner`: the same call on that slice less the policies whose scope names another
//!         principal or resource type (a what-if: slices per action and type pair);
//!       - `cedarPerCheckStore`: the same call on the slice with a store built for the request
//!         from the entities it can reach (a what-if: entities kept outside Cedar, see
//!         `per_check.rs`);
//!       - `cedarManifestSlice`: the same call on the slice with a store sliced for the request
//!         by Cedar's entity manifest: only the entities, attributes and ancestors the policies
//!         read (a what-if, see `per_check.rs`);
//!       - `cedarBatched`: Cedar's experimental `is_authorized_batched` on the slice, loading
//!         entities from the engine's store on demand (a what-if, decisions only);
//!       - `engine`: `orgwarden::Engine::check` natively (name lookups, request building,
//!         evaluation of the slice and the decision with its reasons).
//!     Prints one JSON object: decisions and per-call timings of each. With
//!     `<dir>/matrices.json` (`[{principal, resources, actions}]`) it also times
//!     `Engine::matrix` on each, and it times the steps of building the engine and loading the
//!     snapshot (`breakdown`).
//!
//! `native_bench upserts [<snapshot.json>]`
//!     Times incremental updates next to a parent chain of depth 512 and 768 (workspace-role
//!     groups, each in the previous one, upserted one at a time) in a store holding the
//!     snapshot's entities (none without one): a single upsert of an entity unconnected to the
//!     chain, and a batch of 64 such entities, each new and then again (replacing themselves),
//!     plus one re-parenting of the whole chain and one removal. `engine` is
//!     `Engine::upsert_entities_json` / `remove_entities`; `cedar` is what the engine did before
//!     (and still the only way through `cedar-policy`'s API): `Entities::upsert_entities` /
//!     `remove_entities` on a copy of the store, after parsing the JSON with the schema. Prints
//!     one JSON object of median milliseconds.
//!
//! `native_bench memory <snapshot.json>...`
//!     Where the bytes of each snapshot's loaded store go (see `memory.rs`): the live heap an
//!     engine keeps after `load_snapshot_json`, then the store taken apart by entity type and
//!     part, counted by a global allocator. Prints a JSON array, one object per snapshot;
//!     `node bench/store-memory.mjs` prints it as a table, next to the same code on wasm32.

mod memory;
mod per_check;

#[global_allocator]
static ALLOCATOR: memory::CountingAllocator = memory::CountingAllocator;

use std::error::Error;
use std::hint::black_box;
use std::time::Instant;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, Policy, PolicySet,
    PrincipalConstraint, Request, ResourceConstraint, Schema, ValidationMode, Validator,
};
use orgwarden::policies::DEFAULT_SCHEMA;
use orgwarden::snapshot::{check_snapshot, snapshot_entities};
use orgwarden::{Engine, EngineOptions, EntityRef, Snapshot};
use serde_json::{json, Value};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["export", snapshot, out] => export(snapshot, out),
        ["bench", dir, passes] => bench(dir, passes.parse()?),
        ["upserts"] => upserts(None),
        ["upserts", snapshot] => upserts(Some(snapshot)),
        ["memory", snapshots @ ..] if !snapshots.is_empty() => memory_breakdowns(snapshots),
        _ => Err("usage: native_bench export <snapshot.json> <entities.json> | bench <dir> <passes> \
                  | upserts [<snapshot.json>] | memory <snapshot.json>..."
            .into()),
    }
}

fn memory_breakdowns(snapshots: &[&str]) -> Result<()> {
    let mut out = Vec::with_capacity(snapshots.len());
    for path in snapshots {
        out.push(memory::breakdown(&std::fs::read_to_string(path)?)?);
    }
    println!("{}", Value::Array(out));
    Ok(())
}

fn export(snapshot: &str, out: &str) -> Result<()> {
    let mut engine = Engine::with_defaults()?;
    engine.load_snapshot_json(&std::fs::read_to_string(snapshot)?)?;
    let file = std::io::BufWriter::new(std::fs::File::create(out)?);
    engine.entities().write_to_json(file)?;
    Ok(())
}

struct Parsed {
    principal: EntityRef,
    action: String,
    resource: EntityRef,
}

fn entity_ref(value: &Value) -> Result<EntityRef> {
    let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    match (field("type"), field("id")) {
        (Some(t), Some(id)) => Ok(EntityRef::new(t, id)),
        _ => Err(format!("not an entity reference: {value}").into()),
    }
}

fn uid(entity: &EntityRef) -> Result<EntityUid> {
    let type_name: EntityTypeName = entity.entity_type.parse()?;
    Ok(EntityUid::from_type_name_and_id(type_name, EntityId::new(&entity.id)))
}

/// Could `policy` apply to a request with these principal and resource types, judging by its
/// scope alone?
fn scope_admits(policy: &Policy, principal: &EntityTypeName, resource: &EntityTypeName) -> bool {
    let principal_ok = match policy.principal_constraint() {
        PrincipalConstraint::Any | PrincipalConstraint::In(_) => true,
        PrincipalConstraint::Eq(uid) => uid.type_name() == principal,
        PrincipalConstraint::Is(t) | PrincipalConstraint::IsIn(t, _) => &t == principal,
    };
    let resource_ok = match policy.resource_constraint() {
        ResourceConstraint::Any | ResourceConstraint::In(_) => true,
        ResourceConstraint::Eq(uid) => uid.type_name() == resource,
        ResourceConstraint::Is(t) | ResourceConstraint::IsIn(t, _) => &t == resource,
    };
    principal_ok && resource_ok
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// Median, p99 and mean of per-call nanoseconds, and calls per second over the whole run.
fn stats(mut ns: Vec<u64>, wall_ns: u128) -> Value {
    ns.sort_unstable();
    let at = |q: f64| {
        let index = ((ns.len() as f64 - 1.0) * q).round() as usize;
        ns.get(index).copied().unwrap_or(0)
    };
    let total: u128 = ns.iter().map(|&n| u128::from(n)).sum();
    json!({
        "samples": ns.len(),
        "medianNs": at(0.5),
        "p99Ns": at(0.99),
        "meanNs": if ns.is_empty() { 0.0 } else { total as f64 / ns.len() as f64 },
        "checksPerSec": if wall_ns == 0 { 0.0 } else { ns.len() as f64 * 1e9 / wall_ns as f64 },
    })
}

/// `{ mean, max }` of per-request counts.
fn mean_and_max(counts: &[usize]) -> Value {
    json!({
        "mean": counts.iter().sum::<usize>() as f64 / counts.len().max(1) as f64,
        "max": counts.iter().max(),
    })
}

/// Times Cedar on each request's slice against a store `build` makes for that request alone,
/// and gives, beside what [`time_calls`] gives, how many entities each store held (`build`
/// answers the store and that count). A store that cannot be made is a deny with an error.
/// The counts are noted on every pass of the timed calls themselves: the same number each
/// time, without a pass of their own.
fn time_on_stores_built_per_check(
    authorizer: &Authorizer,
    requests: &[Request],
    slices: &[&PolicySet],
    passes: usize,
    mut build: impl FnMut(usize, &Request) -> Option<(Entities, usize)>,
) -> (Vec<bool>, usize, Value, Vec<usize>) {
    let mut sizes = vec![0; requests.len()];
    let (decisions, errors, stats) = time_calls(requests.len(), passes, |i| match (requests.get(i), slices.get(i)) {
        (Some(request), Some(slice)) => {
            let Some((store, count)) = build(i, request) else {
                return (false, 1);
            };
            if let Some(size) = sizes.get_mut(i) {
                *size = count;
            }
            let response = authorizer.is_authorized(request, slice, &store);
            (response.decision() == Decision::Allow, response.diagnostics().errors().count())
        }
        _ => (false, 0),
    });
    (decisions, errors, stats, sizes)
}

/// Runs `eval` on every request `passes` times; the first pass warms up and gives the
/// decisions, the others are timed call by call.
fn time_calls<F: FnMut(usize) -> (bool, usize)>(count: usize, passes: usize, mut eval: F) -> (Vec<bool>, usize, Value) {
    let mut decisions = Vec::with_capacity(count);
    let mut errors = 0;
    for i in 0..count {
        let (allowed, errs) = eval(i);
        decisions.push(allowed);
        errors += errs;
    }
    let mut ns = Vec::with_capacity(count * passes.saturating_sub(1));
    let wall = Instant::now();
    for _ in 1..passes {
        for i in 0..count {
            let start = Instant::now();
            let outcome = eval(i);
            ns.push(start.elapsed().as_nanos() as u64);
            black_box(outcome);
        }
    }
    let wall_ns = wall.elapsed().as_nanos();
    (decisions, errors, stats(ns, wall_ns))
}

/// Where building the engine and loading a snapshot spend their time, step by step (best of
/// 3): Cedar's own steps on the embedded schema and policies (as public `cedar_policy` calls,
/// so that this does not depend on the engine's internals), and the snapshot's conversion.
fn breakdown(policy_text: &str, snapshot_text: &str) -> Result<Value> {
    let mut best: Vec<(&str, f64)> = Vec::new();
    for _ in 0..3 {
        let mut steps = Vec::new();
        let mut start = Instant::now();
        let mut lap = |name: &'static str, steps: &mut Vec<(&'static str, f64)>| {
            steps.push((name, ms_since(start)));
            start = Instant::now();
        };
        black_box(Engine::with_defaults()?);
        lap("engineWithDefaults", &mut steps);
        // The defaults as if they were a caller's own policies: parsed, validated and indexed
        // from scratch, which `with_defaults` (shared, and prebuilt in the wasm package) skips.
        black_box(Engine::new(EngineOptions {
            policies: orgwarden::policies::default_policy_sources(),
            include_default_policies: Some(false),
            ..EngineOptions::default()
        })?);
        lap("engineFromSources", &mut steps);
        let (schema, _) = Schema::from_cedarschema_str(DEFAULT_SCHEMA)?;
        lap("schemaFromCedarText", &mut steps);
        let policies: PolicySet = policy_text.parse()?;
        lap("parsePolicies", &mut steps);
        let validation = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        lap("strictValidation", &mut steps);
        if !validation.validation_passed() {
            return Err("the default policies do not validate".into());
        }
        let actions: Vec<Entity> = schema.action_entities()?.into_iter().collect();
        lap("schemaActionEntities", &mut steps);
        let snapshot: Snapshot = serde_json::from_str(snapshot_text)?;
        lap("snapshotJson", &mut steps);
        check_snapshot(&snapshot)?;
        lap("checkSnapshot", &mut steps);
        let entities = snapshot_entities(&snapshot)?;
        lap("snapshotToEntities", &mut steps);
        let copy = entities.clone();
        lap("cloneSnapshotEntities", &mut steps);
        black_box(copy.into_store(&actions)?);
        lap("storeClosedAncestors", &mut steps);
        let entities = entities.into_entities();
        let copy = entities.clone();
        lap("cloneEntities", &mut steps);
        black_box(Entities::from_entities(copy, None)?);
        lap("entitiesFromEntitiesNoSchema", &mut steps);
        black_box(Entities::from_entities(entities, Some(&schema))?);
        lap("entitiesFromEntitiesWithSchema", &mut steps);
        if best.is_empty() {
            best = steps;
        } else {
            for ((_, b), (_, s)) in best.iter_mut().zip(steps) {
                *b = b.min(s);
            }
        }
    }
    Ok(Value::Object(best.into_iter().map(|(k, v)| (k.to_owned(), json!(v))).collect()))
}

fn bench(dir: &str, passes: usize) -> Result<()> {
    let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}"));
    let policy_text = read("policies.cedar")?;
    let entities_text = read("entities.json")?;
    let snapshot_text = read("snapshot.json")?;
    let requests: Vec<Value> = serde_json::from_str(&read("requests.json")?)?;

    let start = Instant::now();
    let policies: PolicySet = policy_text.parse()?;
    let parse_policies_ms = ms_since(start);

    let start = Instant::now();
    let entities = Entities::from_json_value(serde_json::from_str(&entities_text)?, None)?;
    let parse_entities_ms = ms_since(start);

    let start = Instant::now();
    let mut engine = Engine::with_defaults()?;
    let engine_new_ms = ms_since(start);
    let start = Instant::now();
    engine.load_snapshot_json(&snapshot_text)?;
    let load_snapshot_ms = ms_since(start);

    let breakdown = breakdown(&policy_text, &snapshot_text)?;

    let action_type: EntityTypeName = "Action".parse()?;
    let mut parsed = Vec::with_capacity(requests.len());
    let mut cedar_requests = Vec::with_capacity(requests.len());
    let mut slices = Vec::with_capacity(requests.len());
    // Finer slices: orgwarden's per-action slice less the policies whose scope names another
    // principal or resource type; what a slice per (action, principal type, resource type)
    // would evaluate.
    let mut finer_cache: std::collections::HashMap<(String, String, String), PolicySet> = std::collections::HashMap::new();
    let mut finer_keys = Vec::with_capacity(requests.len());
    for request in &requests {
        let principal = entity_ref(request.get("principal").unwrap_or(&Value::Null))?;
        let resource = entity_ref(request.get("resource").unwrap_or(&Value::Null))?;
        let action = request.get("action").and_then(Value::as_str).ok_or("request without action")?.to_owned();
        let action_uid = EntityUid::from_type_name_and_id(action_type.clone(), EntityId::new(&action));
        cedar_requests.push(Request::new(uid(&principal)?, action_uid, uid(&resource)?, Context::empty(), None)?);
        let slice = engine.action_policies(&action)?;
        let key = (action.clone(), principal.entity_type.clone(), resource.entity_type.clone());
        if !finer_cache.contains_key(&key) {
            let (p, r): (EntityTypeName, EntityTypeName) = (principal.entity_type.parse()?, resource.entity_type.parse()?);
            let mut finer = PolicySet::new();
            for policy in slice.policies().filter(|policy| scope_admits(policy, &p, &r)) {
                finer.add(policy.clone())?;
            }
            finer_cache.insert(key.clone(), finer);
        }
        finer_keys.push(key);
        slices.push(slice);
        parsed.push(Parsed { principal, action, resource });
    }

    let finer: Vec<&PolicySet> = finer_keys.iter().filter_map(|k| finer_cache.get(k)).collect();
    let mean_policies = |sets: &[&PolicySet]| {
        sets.iter().map(|s| s.num_of_policies()).sum::<usize>() as f64 / sets.len().max(1) as f64
    };
    let policies_per_check = json!({
        "whole": policies.num_of_policies(),
        "slice": mean_policies(&slices),
        "finer": mean_policies(&finer),
    });

    let authorizer = Authorizer::new();
    let (cedar, cedar_errors, cedar_stats) = time_calls(requests.len(), passes, |i| {
        cedar_requests.get(i).map_or((false, 0), |request| {
            let response = authorizer.is_authorized(request, &policies, &entities);
            (response.decision() == Decision::Allow, response.diagnostics().errors().count())
        })
    });
    let (sliced, sliced_errors, sliced_stats) = time_calls(requests.len(), passes, |i| {
        match (cedar_requests.get(i), slices.get(i)) {
            (Some(request), Some(slice)) => {
                let response = authorizer.is_authorized(request, slice, engine.entities());
                (response.decision() == Decision::Allow, response.diagnostics().errors().count())
            }
            _ => (false, 0),
        }
    });
    let (finer_decisions, finer_errors, finer_stats) = time_calls(requests.len(), passes, |i| {
        match (cedar_requests.get(i), finer.get(i)) {
            (Some(request), Some(slice)) => {
                let response = authorizer.is_authorized(request, slice, engine.entities());
                (response.decision() == Decision::Allow, response.diagnostics().errors().count())
            }
            _ => (false, 0),
        }
    });
    // What-if: the entities one check can read, built for it from their parts (`per_check.rs`),
    // evaluated against the same slice as `cedarSliced`.
    let mut literals_cache: std::collections::HashMap<String, Vec<cedar_policy_core::ast::EntityUID>> =
        std::collections::HashMap::new();
    for (p, slice) in parsed.iter().zip(&slices) {
        literals_cache.entry(p.action.clone()).or_insert_with(|| per_check::entity_literals(slice));
    }
    let roots = |i: usize| -> Vec<cedar_policy_core::ast::EntityUID> {
        let Some(request) = cedar_requests.get(i) else { return Vec::new() };
        let mut roots: Vec<_> = [request.principal(), request.action(), request.resource()]
            .into_iter()
            .flatten()
            .map(|uid| uid.as_ref().clone())
            .collect();
        if let Some(literals) = parsed.get(i).and_then(|p| literals_cache.get(&p.action)) {
            roots.extend(literals.iter().cloned());
        }
        roots
    };
    let (per_check_decisions, per_check_errors, per_check_stats, slice_sizes) =
        time_on_stores_built_per_check(&authorizer, &cedar_requests, &slices, passes, |i, _| {
            let reachable = per_check::reachable(engine.entities(), roots(i));
            let count = reachable.len();
            per_check::store_for(reachable).map(|store| (store, count))
        });
    // What-if: only the entities, attributes and ancestors the policies read (Cedar's entity
    // manifest, `per_check::manifest`), sliced from the store for each check, on the same slice.
    let manifest = per_check::manifest(engine.schema(), &policies)?;
    let (manifest_decisions, manifest_errors, manifest_stats, manifest_sizes) =
        time_on_stores_built_per_check(&authorizer, &cedar_requests, &slices, passes, |_, request| {
            per_check::sliced(&manifest, engine.entities(), request)
        });
    // What-if: Cedar's own on-demand loading on the same slice, from the same store. How many
    // entities Cedar asked for is noted on every pass of the timed calls themselves.
    let mut asked = vec![0; requests.len()];
    let (batched_decisions, batched_errors, batched_stats) = time_calls(requests.len(), passes, |i| {
        match (cedar_requests.get(i), slices.get(i)) {
            (Some(request), Some(slice)) => {
                let mut loader = per_check::StoreLoader { store: engine.entities(), asked: 0 };
                let decision = slice.is_authorized_batched(request, engine.schema(), &mut loader, 16);
                if let Some(count) = asked.get_mut(i) {
                    *count = loader.asked;
                }
                match decision {
                    Ok(decision) => (decision == Decision::Allow, 0),
                    Err(_) => (false, 1),
                }
            }
            _ => (false, 0),
        }
    });
    let (checked, engine_failures, engine_stats) = time_calls(requests.len(), passes, |i| {
        parsed.get(i).map_or((false, 0), |p| {
            let decision = engine.check(&p.principal, &p.action, &p.resource, None);
            (decision.allowed(), usize::from(!decision.errors().is_empty()))
        })
    });

    // The same matrices as the wasm side, natively: evaluation without the JS conversion.
    let mut matrices = Vec::new();
    if let Ok(text) = read("matrices.json") {
        let specs: Vec<Value> = serde_json::from_str(&text)?;
        for spec in &specs {
            let principal = entity_ref(spec.get("principal").unwrap_or(&Value::Null))?;
            let resources = spec
                .get("resources")
                .and_then(Value::as_array)
                .ok_or("matrix without resources")?
                .iter()
                .map(entity_ref)
                .collect::<Result<Vec<_>>>()?;
            let actions: Vec<String> = serde_json::from_value(spec.get("actions").cloned().unwrap_or(Value::Null))?;
            let mut runs = Vec::new();
            for run in 0..14 {
                let start = Instant::now();
                black_box(engine.matrix(&principal, &resources, &actions)?);
                if run >= 3 {
                    runs.push(ms_since(start));
                }
            }
            runs.sort_by(f64::total_cmp);
            matrices.push(json!({ "medianMs": runs.get(runs.len() / 2) }));
        }
    }

    let out = json!({
        "cedarVersion": "4.14.1",
        "policies": policies.policies().count(),
        "entities": entities.len(),
        "parsePoliciesMs": parse_policies_ms,
        "parseEntitiesMs": parse_entities_ms,
        "engineNewMs": engine_new_ms,
        "engineLoadSnapshotMs": load_snapshot_ms,
        "breakdown": breakdown,
        "matrices": matrices,
        "cedar": { "decisions": cedar, "errors": cedar_errors, "timing": cedar_stats },
        "cedarSliced": { "decisions": sliced, "errors": sliced_errors, "timing": sliced_stats },
        "cedarFiner": { "decisions": finer_decisions, "errors": finer_errors, "timing": finer_stats },
        "cedarPerCheckStore": {
            "decisions": per_check_decisions,
            "errors": per_check_errors,
            "timing": per_check_stats,
            "entities": mean_and_max(&slice_sizes),
        },
        "cedarManifestSlice": {
            "decisions": manifest_decisions,
            "errors": manifest_errors,
            "timing": manifest_stats,
            "entities": mean_and_max(&manifest_sizes),
        },
        "cedarBatched": {
            "decisions": batched_decisions,
            "errors": batched_errors,
            "timing": batched_stats,
            "entities": mean_and_max(&asked),
        },
        "policiesPerCheck": policies_per_check,
        "engine": { "decisions": checked, "failures": engine_failures, "timing": engine_stats },
    });
    println!("{out}");
    Ok(())
}

// ---- incremental updates next to a deep chain ----------------------------------------------

fn group(id: &str, parents: &[String]) -> Value {
    json!({
        "uid": { "type": "WorkspaceRole", "id": id },
        "attrs": {},
        "parents": parents.iter().map(|p| json!({ "type": "WorkspaceRole", "id": p })).collect::<Vec<_>>(),
    })
}

fn median_ms(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs.get(runs.len() / 2).copied().unwrap_or(0.0)
}

/// Median time of `f` over `runs` runs, each on its own copy of `engine` (the copy is not
/// timed): the first run of an upsert adds its entities and the others replace them, so each
/// run starts from the same store.
fn time_on_copies(engine: &Engine, runs: usize, mut f: impl FnMut(&mut Engine) -> Result<()>) -> Result<f64> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut copy = engine.clone();
        // A copy shares its entities with `engine`; a removal (which builds the store's map
        // anew) makes them its own, so that the timed update does not pay for copying them (an
        // engine in use is not a copy).
        copy.upsert_entities_json(&json!([group("warm-up", &[])]).to_string())?;
        copy.remove_entities(&[EntityRef::new("WorkspaceRole", "warm-up")])?;
        let start = Instant::now();
        f(&mut copy)?;
        times.push(ms_since(start));
        black_box(copy);
    }
    Ok(median_ms(times))
}

/// Cedar's own update of a copy of the store, as the engine did it before: the JSON parsed
/// with the schema, then `Entities::upsert_entities` (which recomputes the closure).
fn cedar_upsert(engine: &Engine, json: &str) -> Result<Entities> {
    let values: Vec<Value> = serde_json::from_str(json)?;
    let entities =
        values.into_iter().map(|v| Entity::from_json_value(v, Some(engine.schema()))).collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(engine.entities().clone().upsert_entities(entities, Some(engine.schema()))?)
}

fn upserts(snapshot: Option<&str>) -> Result<()> {
    let mut rows = serde_json::Map::new();
    for depth in [512usize, 768] {
        let mut engine = Engine::with_defaults()?;
        if let Some(path) = snapshot {
            engine.load_snapshot_json(&std::fs::read_to_string(path)?)?;
        }
        let chain = |i: usize| format!("chain{i}");
        let start = Instant::now();
        for i in 0..depth {
            let parents: Vec<String> = if i == 0 { vec![] } else { vec![chain(i - 1)] };
            engine.upsert_entities_json(&json!([group(&chain(i), &parents)]).to_string())?;
        }
        let build_ms = ms_since(start);
        let single = json!([group("unrelated", &["elsewhere".to_owned()])]).to_string();
        let batch = Value::Array((0..64).map(|i| group(&format!("unrelated{i}"), &["elsewhere".to_owned()])).collect())
            .to_string();
        let reparent = json!([group(&chain(0), &["above".to_owned()])]).to_string();
        let runs = 15;

        let engine_with = |json: &str| -> Result<(f64, f64)> {
            let new = time_on_copies(&engine, runs, |e| e.upsert_entities_json(json).map(drop).map_err(Into::into))?;
            let mut again = engine.clone();
            again.upsert_entities_json(json)?;
            let replacing =
                time_on_copies(&again, runs, |e| e.upsert_entities_json(json).map(drop).map_err(Into::into))?;
            Ok((new, replacing))
        };
        let (single_new, single_again) = engine_with(&single)?;
        let (batch_new, batch_again) = engine_with(&batch)?;
        let reparent_ms =
            time_on_copies(&engine, 5, |e| e.upsert_entities_json(&reparent).map(drop).map_err(Into::into))?;
        let removal = [EntityRef::new("WorkspaceRole", chain(depth / 2))];
        let remove_ms = time_on_copies(&engine, 5, |e| e.remove_entities(&removal).map(drop).map_err(Into::into))?;

        let cedar_with = |json: &str| -> Result<(f64, f64)> {
            let new = time_on_copies(&engine, runs, |e| cedar_upsert(e, json).map(drop))?;
            let mut again = engine.clone();
            again.upsert_entities_json(json)?;
            let replacing = time_on_copies(&again, runs, |e| cedar_upsert(e, json).map(drop))?;
            Ok((new, replacing))
        };
        let (cedar_single_new, cedar_single_again) = cedar_with(&single)?;
        let (cedar_batch_new, cedar_batch_again) = cedar_with(&batch)?;
        let cedar_reparent = time_on_copies(&engine, 5, |e| cedar_upsert(e, &reparent).map(drop))?;
        let removal_uid = EntityUid::from_type_name_and_id("WorkspaceRole".parse()?, EntityId::new(chain(depth / 2)));
        let cedar_remove = time_on_copies(&engine, 5, |e| {
            black_box(e.entities().clone().remove_entities([removal_uid.clone()])?);
            Ok(())
        })?;

        rows.insert(
            format!("depth{depth}"),
            json!({
                "storeEntities": engine.entities().len(),
                "buildChainOneByOneMs": build_ms,
                "engine": {
                    "singleNewMs": single_new, "singleAgainMs": single_again,
                    "batch64NewMs": batch_new, "batch64AgainMs": batch_again,
                    "reparentChainMs": reparent_ms, "removeMidChainMs": remove_ms,
                },
                "cedar": {
                    "singleNewMs": cedar_single_new, "singleAgainMs": cedar_single_again,
                    "batch64NewMs": cedar_batch_new, "batch64AgainMs": cedar_batch_again,
                    "reparentChainMs": cedar_reparent, "removeMidChainMs": cedar_remove,
                },
            }),
        );
    }
    println!("{}", Value::Object(rows));
    Ok(())
}

//! Where the bytes of a loaded store go: a counting global allocator and a breakdown of one
//! snapshot's store by entity type and by part (Cedar's `Entity` struct, uid, attributes,
//! parents, indirect ancestors, tags), plus the `Entities` map and the engine's own indexes.
//!
//! Shared by `native_bench memory` and the wasm32 probe of `bench/store-memory.mjs`
//! (bench/store-memory-wasm), so that the same code measures on 64-bit and on wasm32, where
//! pointers, and therefore most of Cedar's structs, are half the size.
//!
//! Each part is measured by dropping it and reading how many bytes the allocator got back.
//! Parts are dropped phase by phase over all entities (every entity's tags, then attributes,
//! ...), so that a value several entities share (the organization reference all of an org's
//! entities hold, one `Arc`) counts once, for the part and type that held it last.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::{BTreeMap, HashSet};
use std::mem::size_of;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use cedar_policy_core::ast::{Entity, EntityUID, PartialValue, Value};
use orgwarden::snapshot::snapshot_entities;
use orgwarden::{Engine, Snapshot};
use serde_json::{json, Map, Value as Json};
use smol_str::SmolStr;

/// Counts live heap bytes while `COUNTING` is on; otherwise one relaxed load per call, so the
/// timing subcommands of the native bench are not slowed by it.
pub struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static REQUESTED: AtomicUsize = AtomicUsize::new(0);
static CHUNKS: AtomicUsize = AtomicUsize::new(0);
static BLOCKS: AtomicUsize = AtomicUsize::new(0);

/// What a dlmalloc-style allocator takes for a request: a header word, rounded up to two
/// words, at least four words (16 bytes on wasm32, 32 on 64-bit; the wasm module's allocator
/// is dlmalloc, and glibc's malloc has the same shape on 64-bit).
pub fn chunk_bytes(size: usize) -> usize {
    let word = size_of::<usize>();
    let align_mask = 2 * word - 1;
    ((size + word + align_mask) & !align_mask).max(4 * word)
}

fn count_alloc(size: usize) {
    REQUESTED.fetch_add(size, Ordering::Relaxed);
    CHUNKS.fetch_add(chunk_bytes(size), Ordering::Relaxed);
    BLOCKS.fetch_add(1, Ordering::Relaxed);
}

fn count_free(size: usize) {
    REQUESTED.fetch_sub(size, Ordering::Relaxed);
    CHUNKS.fetch_sub(chunk_bytes(size), Ordering::Relaxed);
    BLOCKS.fetch_sub(1, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` with the caller's pointer and layout; the
// counters are plain atomics.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            count_alloc(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            count_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            count_free(layout.size());
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && COUNTING.load(Ordering::Relaxed) {
            count_free(layout.size());
            count_alloc(new_size);
        }
        new
    }
}

/// Live heap: bytes asked for, bytes the allocator's chunks take, and how many blocks.
#[derive(Debug, Clone, Copy, Default)]
struct Live {
    requested: isize,
    chunks: isize,
    blocks: isize,
}

impl Live {
    fn now() -> Self {
        let read = |counter: &AtomicUsize| counter.load(Ordering::Relaxed) as isize;
        Self { requested: read(&REQUESTED), chunks: read(&CHUNKS), blocks: read(&BLOCKS) }
    }

    fn minus(self, other: Self) -> Self {
        Self {
            requested: self.requested - other.requested,
            chunks: self.chunks - other.chunks,
            blocks: self.blocks - other.blocks,
        }
    }

    fn plus(self, other: Self) -> Self {
        Self {
            requested: self.requested + other.requested,
            chunks: self.chunks + other.chunks,
            blocks: self.blocks + other.blocks,
        }
    }

    fn json(self) -> Json {
        json!({ "requested": self.requested, "chunks": self.chunks, "blocks": self.blocks })
    }
}

/// What dropping `value` gives back to the allocator.
fn freed_by<T>(value: T) -> Live {
    let before = Live::now();
    drop(value);
    before.minus(Live::now())
}

/// The parts of an entity, as Cedar's `Entity::into_inner` hands them out.
struct Parts {
    type_name: String,
    uid: EntityUID,
    attrs: BTreeMap<SmolStr, PartialValue>,
    indirect: HashSet<EntityUID>,
    parents: HashSet<EntityUID>,
    tags: BTreeMap<SmolStr, PartialValue>,
}

/// Per entity type: how many, and what each part gave back, summed.
#[derive(Default)]
struct TypeTotals {
    count: usize,
    attrs: usize,
    tags: usize,
    parents: usize,
    parent_slots: usize,
    indirect: usize,
    indirect_slots: usize,
    entity: Live,
    uid: Live,
    attr_nodes: Live,
    attr_values: Live,
    tag_bytes: Live,
    parent_bytes: Live,
    indirect_bytes: Live,
}

impl TypeTotals {
    fn json(&self) -> Json {
        let parts = [
            ("entity", self.entity),
            ("uid", self.uid),
            ("attrNodes", self.attr_nodes),
            ("attrValues", self.attr_values),
            ("tags", self.tag_bytes),
            ("parents", self.parent_bytes),
            ("indirectAncestors", self.indirect_bytes),
        ];
        let total = parts.iter().fold(Live::default(), |sum, (_, part)| sum.plus(*part));
        let mut bytes = Map::new();
        for (name, part) in parts {
            bytes.insert(name.to_owned(), part.json());
        }
        bytes.insert("total".to_owned(), total.json());
        json!({
            "count": self.count,
            "attrs": self.attrs,
            "tags": self.tags,
            "parents": self.parents,
            "parentSlots": self.parent_slots,
            "indirectAncestors": self.indirect,
            "indirectSlots": self.indirect_slots,
            "bytes": bytes,
        })
    }
}

/// Sizes of Cedar's types on this target, in bytes.
fn struct_sizes() -> Json {
    // A B-tree's first node is a whole leaf of 11 keys and values however few it holds.
    let leaf = {
        let before = Live::now();
        let map: BTreeMap<SmolStr, PartialValue> =
            [(SmolStr::new("a"), PartialValue::Value(Value::from(true)))].into();
        let leaf = Live::now().minus(before);
        drop(map);
        leaf.requested
    };
    json!({
        "pointer": size_of::<usize>(),
        "Entity": size_of::<Entity>(),
        "Arc<Entity> allocation": 2 * size_of::<usize>() + size_of::<Entity>(),
        "EntityUID": size_of::<EntityUID>(),
        "SmolStr": size_of::<SmolStr>(),
        "PartialValue": size_of::<PartialValue>(),
        "Value": size_of::<Value>(),
        "HashSet<EntityUID>": size_of::<HashSet<EntityUID>>(),
        "BTreeMap leaf (SmolStr -> PartialValue)": leaf,
        "Entities map slot (EntityUID, Arc<Entity>)": size_of::<(EntityUID, Arc<Entity>)>(),
    })
}

fn phase(
    parts: &mut [Parts],
    totals: &mut BTreeMap<String, TypeTotals>,
    mut step: impl FnMut(&mut Parts, &mut TypeTotals),
) {
    for part in parts.iter_mut() {
        let entry = totals.entry(part.type_name.clone()).or_default();
        step(part, entry);
    }
}

/// The breakdown of the store of one snapshot (JSON text): what an engine holds after
/// `load_snapshot_json`, then its parts.
pub fn breakdown(snapshot_json: &str) -> Result<Json, String> {
    let error = |e: orgwarden::Error| e.to_string();
    // Warm-up outside the counted window: the default ruleset with its shared action
    // entities, the parsed type names, Cedar's lazily built statics.
    let mut warm = Engine::with_defaults().map_err(error)?;
    warm.load_snapshot_json(snapshot_json).map_err(error)?;
    warm.upsert_entities_json("[]").map_err(error)?;
    drop(warm);
    COUNTING.store(true, Ordering::Relaxed);
    let result = measure(snapshot_json);
    COUNTING.store(false, Ordering::Relaxed);
    result
}

fn measure(snapshot_json: &str) -> Result<Json, String> {
    let error = |e: orgwarden::Error| e.to_string();

    // 1. The engine as a load leaves it: the store and the account index.
    let mut engine = Engine::with_defaults().map_err(error)?;
    let before = Live::now();
    let stored = engine.load_snapshot_json(snapshot_json).map_err(error)?;
    let loaded = Live::now().minus(before);
    let before = Live::now();
    engine.upsert_entities_json("[]").map_err(error)?;
    let children_index = Live::now().minus(before);
    drop(engine);

    // 2. The same store built step by step.
    let snapshot = Snapshot::from_json(snapshot_json).map_err(error)?;
    let (schema, _) = cedar_policy::Schema::from_cedarschema_str(orgwarden::policies::DEFAULT_SCHEMA)
        .map_err(|e| e.to_string())?;
    let actions: Vec<Arc<Entity>> = schema
        .action_entities()
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|action| Arc::new(action.as_ref().clone()))
        .collect();
    let before = Live::now();
    let mut entities = snapshot_entities(&snapshot).map_err(error)?;
    let accounts = entities.take_accounts();
    let store = entities.into_store_sharing(&actions).map_err(error)?;
    let store_and_accounts = Live::now().minus(before);
    let account_index = freed_by(accounts);
    let store_bytes = store_and_accounts.minus(account_index);
    let store_entities = store.len();
    drop(store);

    // 3. Each entity's parts, from a third build of the same entities.
    let entities = snapshot_entities(&snapshot).map_err(error)?.into_core_entities();
    let snapshot_entity_count = entities.len();
    let mut parts: Vec<Parts> = entities
        .into_iter()
        .map(|entity| {
            let type_name = entity.uid().entity_type().to_string();
            let (uid, attrs, indirect, parents, tags) = entity.into_inner();
            Parts { type_name, uid, attrs, indirect, parents, tags }
        })
        .collect();
    let mut totals: BTreeMap<String, TypeTotals> = BTreeMap::new();
    let entity_struct = chunk_bytes(2 * size_of::<usize>() + size_of::<Entity>());
    phase(&mut parts, &mut totals, |part, totals| {
        totals.count += 1;
        totals.attrs += part.attrs.len();
        totals.tags += part.tags.len();
        totals.parents += part.parents.len();
        totals.parent_slots += slots(&part.parents);
        totals.indirect += part.indirect.len();
        totals.indirect_slots += slots(&part.indirect);
        // The store holds each entity in its own `Arc` allocation.
        totals.entity = totals.entity.plus(Live {
            requested: (2 * size_of::<usize>() + size_of::<Entity>()) as isize,
            chunks: entity_struct as isize,
            blocks: 1,
        });
    });
    phase(&mut parts, &mut totals, |part, totals| {
        totals.tag_bytes = totals.tag_bytes.plus(freed_by(std::mem::take(&mut part.tags)));
    });
    phase(&mut parts, &mut totals, |part, totals| {
        // The nodes first (the values moved out into a buffer made beforehand), then the
        // values' own heap.
        let attrs = std::mem::take(&mut part.attrs);
        let mut values: Vec<PartialValue> = Vec::with_capacity(attrs.len());
        let before = Live::now();
        values.extend(attrs.into_values());
        totals.attr_nodes = totals.attr_nodes.plus(before.minus(Live::now()));
        let before = Live::now();
        values.clear();
        totals.attr_values = totals.attr_values.plus(before.minus(Live::now()));
    });
    phase(&mut parts, &mut totals, |part, totals| {
        totals.indirect_bytes = totals.indirect_bytes.plus(freed_by(std::mem::take(&mut part.indirect)));
    });
    phase(&mut parts, &mut totals, |part, totals| {
        totals.parent_bytes = totals.parent_bytes.plus(freed_by(std::mem::take(&mut part.parents)));
    });
    for Parts { type_name, uid, .. } in parts {
        let entry = totals.entry(type_name).or_default();
        entry.uid = entry.uid.plus(freed_by(uid));
    }

    let entity_parts = totals.values().fold(Live::default(), |sum, t| {
        sum.plus(t.entity)
            .plus(t.uid)
            .plus(t.attr_nodes)
            .plus(t.attr_values)
            .plus(t.tag_bytes)
            .plus(t.parent_bytes)
            .plus(t.indirect_bytes)
    });
    Ok(json!({
        "pointerBytes": size_of::<usize>(),
        "storeEntities": stored,
        "snapshotEntities": snapshot_entity_count,
        "actionEntities": store_entities - snapshot_entity_count,
        "engineLoad": loaded.json(),
        "store": store_bytes.json(),
        "accountIndex": account_index.json(),
        "childrenIndex": children_index.json(),
        "entityParts": entity_parts.json(),
        // The rest of the store: the `Entities` hash map (a slot per entity, the action
        // entities' included, as a power of two) and what its keys own.
        "entitiesMap": store_bytes.minus(entity_parts).json(),
        "types": totals.iter().map(|(name, t)| (name.clone(), t.json())).collect::<Map<_, _>>(),
        "sizes": struct_sizes(),
    }))
}

/// The slots of a hash set's table: a power of two holding `capacity` at 7/8 load (below 8
/// slots, capacity + 1 rounded up).
fn slots<T>(set: &HashSet<T>) -> usize {
    let capacity = set.capacity();
    if capacity == 0 {
        0
    } else if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity * 8 / 7).next_power_of_two()
    }
}

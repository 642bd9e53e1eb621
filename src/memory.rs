//! Growing the module's memory once before a large load, instead of in the allocator's steps.
//!
//! In WebAssembly the allocator (dlmalloc) grows the memory by what each allocation lacks,
//! rounded up to 64 KiB, and V8 runs a full garbage collection on each growth: a first load of
//! 248,219 entities grew it 1,852 times, with 4 s of pauses in its 11 s (bench/edge-targets.mjs).
//! Allocating and freeing one block of what the free memory lacks for the store grows it once:
//! the freed block joins the allocator's top chunk, which the load then carves.
//!
//! Memory never shrinks, so every reservation is net of the memory already free (a reload, a
//! replaced store) and below what the load takes: for a snapshot's text, twice its size before
//! it is read; for entities, once they are known to be built (counted from a snapshot that
//! passed its checks) or, for Cedar JSON, as they are read, in steps of at most four times the
//! entities read so far and never past the array's items, at what those took each, the last
//! step with room for the closure and the store; less than a load's peak per entity. Natively
//! the system allocator grows as it likes and nothing is reserved.

use std::mem::size_of;
use std::sync::Arc;

use cedar_policy_core::ast::{Entity, EntityUID};

use crate::limits::MAX_ENTITIES;

/// Module memory a snapshot load takes per entity at its peak (the records read, the entities
/// built, the store and its hierarchy), at the least: 2,262 to 2,562 bytes measured over stores of 1k
/// to 248k entities (BENCHMARKS, "Edge at scale"). Memory never shrinks, so after a first load
/// it holds that peak anyway; a reservation under it costs nothing, and tests/js/load-memory
/// fails one over it. A store of unusually small entities may end up holding the reservation.
const BYTES_PER_SNAPSHOT_ENTITY: usize = 2_000;
/// Module memory that reading a snapshot's JSON into its records takes per byte of it, at
/// the least: its strings and the records holding them. Reserved before the text is read, so
/// it is also what a malformed text can make the memory grow by, beside the text itself.
const BYTES_PER_SNAPSHOT_BYTE: usize = 2;
/// Below this, a load grows the memory a few times only, and reserving buys nothing.
const RESERVE_FROM_BYTES: usize = 4 << 20;

/// Makes room, in one growth of the memory, for reading a snapshot of `json_bytes`.
pub(crate) fn reserve_for_snapshot_text(json_bytes: usize) {
    reserve(json_bytes.saturating_mul(BYTES_PER_SNAPSHOT_BYTE));
}

/// Makes room, in one growth of the memory, for a snapshot's store of `entities` entities about
/// to be built. A failed reservation only means the load grows the memory as it goes.
pub(crate) fn reserve_for_snapshot_entities(entities: usize) {
    reserve(entities.min(MAX_ENTITIES).saturating_mul(BYTES_PER_SNAPSHOT_ENTITY));
}

/// What making a store of `entities` entities takes beside them, while their vector is still
/// held: each entity's `Arc` (Cedar's map holds them behind one, with the allocator's word
/// before it), and the map's table: a power of two of slots at most 7/8 full, with the table of
/// half its size it grew from, held while the entries move in. In the wasm module an entity
/// is 176 bytes and a slot 88: about 360 bytes per entity at 50,000 entities.
fn store_bytes(entities: usize) -> usize {
    let entities = entities.min(MAX_ENTITIES);
    let arcs = entities.saturating_mul(size_of::<Entity>() + 3 * size_of::<usize>());
    let slots = (entities.saturating_mul(8) / 7).checked_next_power_of_two().unwrap_or(usize::MAX);
    let table = slots.saturating_mul(size_of::<(EntityUID, Arc<Entity>)>() + 1);
    arcs.saturating_add(table).saturating_add(table / 2)
}

/// Makes room, in one growth of the memory, for reading `ahead` more raw entities at
/// `bytes_per_entity_read` each (what the ones read so far took), and, when they are the last
/// of the array, for then closing their hierarchy and making the store of all `then_store_of`
/// read. Entities differ in size with their attributes and parents from one batch to the next
/// (2,022 bytes each as read, for a generated store of 50,035 entities), so what the first
/// ones took sizes the rest.
pub(crate) fn reserve_for_raw_entities(ahead: usize, bytes_per_entity_read: usize, then_store_of: usize) {
    let reading = ahead.min(MAX_ENTITIES).saturating_mul(bytes_per_entity_read);
    reserve(reading.saturating_add(store_bytes(then_store_of)));
}

/// Bytes the module holds allocated (natively, none are counted).
pub(crate) fn allocated_bytes() -> usize {
    #[cfg(all(feature = "wasm", target_arch = "wasm32"))]
    return crate::image_allocator::allocated_bytes();
    #[cfg(not(all(feature = "wasm", target_arch = "wasm32")))]
    0
}

fn reserve(wanted: usize) {
    if wanted < RESERVE_FROM_BYTES {
        return;
    }
    let lacking = wanted.saturating_sub(free_bytes());
    if lacking == 0 {
        return;
    }
    let mut block: Vec<u8> = Vec::new();
    if block.try_reserve_exact(lacking).is_ok() {
        // Kept opaque, or the compiler may drop an allocation nothing reads.
        std::hint::black_box(block.as_mut_ptr());
    }
}

/// The module's memory that is not allocated (its stack and static data counted as free: a
/// few MiB, against reservations of tens to hundreds).
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
fn free_bytes() -> usize {
    const PAGE_BYTES: usize = 65_536;
    let memory = core::arch::wasm32::memory_size(0).saturating_mul(PAGE_BYTES);
    memory.saturating_sub(crate::image_allocator::allocated_bytes())
}

#[cfg(not(all(feature = "wasm", target_arch = "wasm32")))]
fn free_bytes() -> usize {
    usize::MAX
}

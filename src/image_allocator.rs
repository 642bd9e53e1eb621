//! The global allocator of the wasm module: the system allocator (dlmalloc), which zeroes
//! what is freed while the package's build preinitializes the module.
//!
//! The build ships the memory that the preinitialization leaves (pkg/bin/preinitialize.mjs).
//! Building the default ruleset parses and validates, and frees most of what it allocates:
//! parse trees, the buffers of vectors and hash tables that grew, the validator's state.
//! dlmalloc leaves freed bytes as they were and hands them out again, so without this the
//! image carries that garbage in its free chunks and in the unused capacity of live
//! vectors and tables, and ships it as data nobody reads. Zeroed on free, every byte of the
//! image that is not live data or the allocator's own bookkeeping is zero, and zeros are
//! not shipped.
//!
//! Outside the preinitialization the allocator is dlmalloc's, with one flag read per free.
//! The build turns zeroing on and off through the raw export below, which it then removes.
//!
//! It also counts the bytes the module holds allocated ([`allocated_bytes`]), so that a large
//! load grows the memory by what the free memory lacks, not by its whole size
//! (`crate::memory`).

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Whether freed memory is zeroed: only while the build preinitializes the module.
static ZERO_ON_FREE: AtomicBool = AtomicBool::new(false);

/// Bytes handed out and not yet freed (the allocator's own overhead not counted). It lies in
/// the module's memory, so the preinitialized image carries the count of what it holds.
static ALLOCATED_BYTES: AtomicUsize = AtomicUsize::new(0);

/// Bytes the module holds allocated now.
pub(crate) fn allocated_bytes() -> usize {
    ALLOCATED_BYTES.load(Ordering::Relaxed)
}

fn counted(ptr: *mut u8, size: usize) -> *mut u8 {
    if !ptr.is_null() {
        ALLOCATED_BYTES.fetch_add(size, Ordering::Relaxed);
    }
    ptr
}

struct ImageAllocator;

#[global_allocator]
static ALLOCATOR: ImageAllocator = ImageAllocator;

// SAFETY: every call is forwarded to `System` with the caller's pointer and layout; the
// zeroing writes only the `layout.size()` bytes the caller owned and is handing back.
unsafe impl GlobalAlloc for ImageAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        counted(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        counted(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        if ZERO_ON_FREE.load(Ordering::Relaxed) {
            // SAFETY: `ptr` points to `layout.size()` bytes the caller owns until this call.
            unsafe { ptr.write_bytes(0, layout.size()) };
        }
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !ZERO_ON_FREE.load(Ordering::Relaxed) {
            // SAFETY: the caller's contract is `System`'s.
            let new_ptr = unsafe { System.realloc(ptr, layout, new_size) };
            if !new_ptr.is_null() {
                ALLOCATED_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
                ALLOCATED_BYTES.fetch_add(new_size, Ordering::Relaxed);
            }
            return new_ptr;
        }
        // dlmalloc's own realloc frees the old block (or a shrunk tail) without coming back
        // here, so while zeroing a realloc is a new block, a copy and a zeroing free.
        // SAFETY: `new_size` and `layout.align()` form a valid layout by realloc's contract.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as `alloc`.
        let new_ptr = counted(unsafe { System.alloc(new_layout) }, new_size);
        if !new_ptr.is_null() {
            // SAFETY: both blocks are at least `min(old, new)` bytes and distinct; the old
            // block is the caller's until the free that follows.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new_ptr
    }
}

/// Turns the zeroing of freed memory on (`1`) or off (`0`). Not part of the JS API: the
/// package's build calls it around `orgwarden_preinitialize` and removes the export.
#[no_mangle]
pub extern "C" fn orgwarden_zero_freed_memory(on: u32) {
    ZERO_ON_FREE.store(on != 0, Ordering::Relaxed);
}

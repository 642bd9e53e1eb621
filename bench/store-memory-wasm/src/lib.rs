//! `native_bench memory` on wasm32 (see Cargo.toml): the same breakdown, with wasm32's struct
//! sizes and the wasm module's allocator.

#[path = "../../native/src/memory.rs"]
mod memory;

#[global_allocator]
static ALLOCATOR: memory::CountingAllocator = memory::CountingAllocator;

/// A buffer of `len` bytes for the caller to write a snapshot into; never freed (one per run).
#[no_mangle]
pub extern "C" fn input_buffer(len: usize) -> *mut u8 {
    Vec::leak(vec![0u8; len]).as_mut_ptr()
}

/// The breakdown of the snapshot at `ptr..ptr + len`, as NUL-terminated JSON (an object with
/// `error` if it failed); never freed.
#[no_mangle]
pub extern "C" fn store_memory(ptr: *const u8, len: usize) -> *const u8 {
    // SAFETY: the caller wrote `len` bytes at `ptr`, a buffer from `input_buffer`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    let out = match std::str::from_utf8(bytes).map_err(|e| e.to_string()).and_then(memory::breakdown) {
        Ok(json) => json.to_string(),
        Err(error) => serde_json::json!({ "error": error }).to_string(),
    };
    let mut out = out.into_bytes();
    out.push(0);
    Vec::leak(out).as_ptr()
}

//! Input limits. Each bounds work or memory that a hostile or broken caller could otherwise
//! make unbounded; exceeding one is a `LIMIT_EXCEEDED` error, never a partial load.

/// Longest entity id accepted in a snapshot.
pub const MAX_ID_LENGTH: usize = 256;
/// Largest JSON document (snapshot, entities, context) accepted, in bytes.
pub const MAX_JSON_BYTES: usize = 32 * 1024 * 1024;
/// Most entities the store holds.
pub const MAX_ENTITIES: usize = 250_000;
/// Largest total size of policy sources, in bytes.
pub const MAX_POLICY_BYTES: usize = 1024 * 1024;
/// Deepest nesting of a JSON document.
pub const MAX_JSON_DEPTH: usize = 64;
/// Most cells one permissions-matrix call evaluates.
pub const MAX_MATRIX_CELLS: usize = 100_000;

use crate::error::{Error, Result};

pub(crate) fn check_size(what: &str, size: usize, limit: usize) -> Result<()> {
    if size > limit {
        return Err(Error::LimitExceeded { what: format!("{what} ({size})"), limit });
    }
    Ok(())
}

/// Checks the nesting depth of JSON text without parsing it, so that deep input is refused
/// before any recursive parser sees it.
pub(crate) fn check_json_depth(what: &str, text: &str) -> Result<()> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(Error::LimitExceeded {
                        what: format!("nesting depth of {what}"),
                        limit: MAX_JSON_DEPTH,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Size and depth checks, then parsing.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    check_size(what, text.len(), MAX_JSON_BYTES)?;
    check_json_depth(what, text)?;
    serde_json::from_str(text).map_err(|e| Error::InvalidJson(format!("{what}: {e}")))
}

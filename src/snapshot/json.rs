//! Reading a snapshot from JSON text. Text that is not JSON at all is `INVALID_JSON`; JSON that
//! is no snapshot (an unknown field, a missing one, a value of the wrong type) is
//! `INVALID_SNAPSHOT`, with the path of the offending field, like the structural checks give.

use serde_json::error::Category;

use super::Snapshot;
use crate::error::{Error, Result};
use crate::limits::{check_json_shape, check_size, DATA_JSON, MAX_JSON_BYTES};

impl Snapshot {
    /// Parses a snapshot object, within the size and depth limits of every JSON input. The
    /// structural checks run at load (`check_snapshot`), not here.
    pub fn from_json(text: &str) -> Result<Self> {
        // A snapshot is an object (SEC-4): text that is not one at its top is no snapshot at all,
        // INVALID_JSON, where the reader below (structs from objects only) would call an array
        // a snapshot of the wrong type.
        if !text.trim_start().starts_with('{') {
            return Err(Error::InvalidJson("snapshot: expected a JSON object".to_owned()));
        }
        check_size("snapshot", text.len(), MAX_JSON_BYTES)?;
        check_json_shape("snapshot", text, DATA_JSON)?;
        crate::objects_only::from_json_str(text).map_err(|error| snapshot_json_error(text, &error))
    }
}

/// What a failed snapshot parse means: a data error in text that is JSON from end to end is the
/// snapshot's fault, located by path; anything else (a syntax error, trailing characters, a
/// data error found before a syntax error further on) is the JSON's.
fn snapshot_json_error(text: &str, error: &serde_json::Error) -> Error {
    let is_json = || serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    if error.classify() != Category::Data || !is_json() {
        return Error::InvalidJson(format!("snapshot: {error}"));
    }

    // A value of the wrong type that is an array is reported at its `[` (its `]` when it is
    // empty): the path is the array's own, not that of an item in it.
    let path = byte_offset(text, error.line(), error.column())
        .map(|offset| match array_start(text, offset) {
            Some(start) => json_path_at(text, start.saturating_sub(1)),
            None => json_path_at(text, offset),
        })
        .filter(|path| !path.is_empty())
        .unwrap_or_else(|| "snapshot".to_owned());
    Error::snapshot(path, error.to_string())
}

/// Where the array at `offset` starts, when `offset` is its `[`, or the `]` of an empty one.
fn array_start(text: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes.get(offset)? {
        b'[' => Some(offset),
        b']' => {
            let before = bytes.get(..offset)?.iter().rposition(|byte| !byte.is_ascii_whitespace())?;
            (bytes.get(before) == Some(&b'[')).then_some(before)
        }
        _ => None,
    }
}

/// The byte offset of serde_json's 1-based line and column (the column counts bytes, and
/// points at the last byte read: the closing quote of an unknown field's name, the last byte
/// of a value of the wrong type, the `}` of an object missing a field).
fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start =
        if line <= 1 { 0 } else { text.match_indices('\n').nth(line - 2).map(|(index, _)| index + 1)? };
    Some(line_start + column.saturating_sub(1))
}

/// One open container while walking JSON text.
enum Frame {
    /// An object, and the name of the field being read (once its name has been read).
    Object(Option<String>),
    /// An array, and the index of the item being read.
    Array(usize),
}

/// The path of the value at `offset` in JSON text, such as `organizations[0].members[2].role`,
/// written like the paths of the structural checks. The text is known to be valid JSON.
fn json_path_at(text: &str, offset: usize) -> String {
    let bytes = text.as_bytes();
    let mut frames: Vec<Frame> = Vec::new();
    let mut index = 0;
    while index <= offset {
        let Some(&byte) = bytes.get(index) else { break };
        match byte {
            b'{' => frames.push(Frame::Object(None)),
            b'[' => frames.push(Frame::Array(0)),
            b'}' | b']' if index < offset => {
                frames.pop();
            }
            // A closing brace at the offset is the object the error is about (a field missing
            // from it): the object stays on the path, its last field does not.
            b'}' => {
                if let Some(Frame::Object(field)) = frames.last_mut() {
                    *field = None;
                }
            }
            b',' => match frames.last_mut() {
                Some(Frame::Object(field)) => *field = None,
                Some(Frame::Array(item)) => *item += 1,
                None => {}
            },
            b'"' => {
                let end = string_end(bytes, index);
                if let Some(Frame::Object(field @ None)) = frames.last_mut() {
                    // A field's name: the string that opens an entry of an object.
                    let name = text.get(index..=end).and_then(|s| serde_json::from_str::<String>(s).ok());
                    *field = Some(name.unwrap_or_default());
                }
                index = end;
            }
            _ => {}
        }
        index += 1;
    }
    let mut path = String::new();
    for frame in &frames {
        match frame {
            Frame::Object(Some(field)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(field);
            }
            Frame::Object(None) => {}
            Frame::Array(item) => path.push_str(&format!("[{item}]")),
        }
    }
    path
}

/// The index of the quote that closes the string opened at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut index = start + 1;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'\\' => index += 2,
            b'"' => return index,
            _ => index += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(text: &str) -> Option<String> {
        match Snapshot::from_json(text) {
            Err(Error::InvalidSnapshot { path, .. }) => Some(path),
            _ => None,
        }
    }

    #[test]
    fn the_path_names_the_field_at_fault() {
        assert_eq!(path_of(r#"{"userz": []}"#).as_deref(), Some("userz"));
        assert_eq!(
            path_of(r#"{"users": [{"id": "a", "email": "a@x"}, {"id": "b", "email": "b@x", "zzz": 1}]}"#)
                .as_deref(),
            Some("users[1].zzz")
        );
        assert_eq!(path_of(r#"{"users": [{"id": "a", "email": 5}]}"#).as_deref(), Some("users[0].email"));
        assert_eq!(path_of(r#"{"users": [{"id": "a"}]}"#).as_deref(), Some("users[0]"));
        assert_eq!(path_of(r#"{"users": 5}"#).as_deref(), Some("users"));
        // Escapes in names and strings, and a second line.
        assert_eq!(
            path_of(
                "{\"users\": [{\"id\": \"a\\\"]}\", \"email\": \"a@x\",\n \"n\\u0061me\": \"x\", \"q\": 1}]}"
            )
            .as_deref(),
            Some("users[0].q")
        );
    }

    #[test]
    fn text_that_is_not_json_stays_invalid_json() {
        for text in ["{", "{\"a\":1}}", "{\"users\": [1,]}", "[]", "", "nope"] {
            assert!(matches!(Snapshot::from_json(text), Err(Error::InvalidJson(_))), "{text}");
        }
    }
}

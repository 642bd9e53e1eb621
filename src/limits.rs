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
/// Most values (arrays, objects, and the items and members in them) in one JSON document,
/// counted before parsing. Parsed, a value takes 32 bytes or more whatever its text: `[0,0,…]`
/// at the byte limit is 16 million values, which took the module's memory (which never shrinks)
/// to 1.5 GiB. A snapshot needs about 15 values per entity it makes.
pub const MAX_JSON_VALUES: usize = 4_000_000;
/// Longest string in a snapshot, raw entities or a request (its JSON text, escapes included),
/// keys too. Cedar matches a `like` pattern by backtracking to its last `*`, in time the
/// string's length times the pattern's literal run after that `*` (and after copying the
/// string into 4 bytes a character): a 10,000-character run against a 100,000-character
/// context string took 3.7 s in the release module, and the same against a user's name in the
/// snapshot 3.1–3.7 s for any call that reached the policy. With [`MAX_LIKE_LITERAL_CHARS`], a
/// match at both limits takes about 32 ms there (49 ms on a first call). Policy and schema
/// sources are bounded by their own limits instead.
pub const MAX_STRING_BYTES: usize = 64 * 1024;
/// Most characters in one literal run after a `*` of a `like` pattern in a policy (an escaped
/// `\*` is a literal character): what one match costs grows with it (see
/// [`MAX_STRING_BYTES`]). Runs before a pattern's first `*` are matched once and not counted.
pub const MAX_LIKE_LITERAL_CHARS: usize = 128;
/// Most values (counted as in [`MAX_JSON_VALUES`]) in the JSON of one request: a check call,
/// its context, an allowed-actions or allowed-resources call, an action request. Cedar makes a
/// context's values into its own, several times larger (a one-field record takes about 2.4 KiB
/// of module memory): a context of 640,000 such records, within the document limits, took
/// 49 s and grew the module, whose memory never shrinks, to 1.5 GiB.
pub const MAX_REQUEST_VALUES: usize = 10_000;
/// Most cells one permissions-matrix call evaluates.
pub const MAX_MATRIX_CELLS: usize = 100_000;
/// Largest custom schema source, in bytes.
pub const MAX_SCHEMA_BYTES: usize = 1024 * 1024;
/// Deepest nesting of brackets (`(`, `[`, `{`, and in a schema `<`) plus nested `if`s in a
/// policy or schema source. Cedar turns source into a tree recursively: a few dozen levels of
/// brackets overflow the stack of a debug test thread, and stack overflow aborts the process
/// (or kills the WebAssembly instance) instead of returning an error.
pub const MAX_POLICY_NESTING: usize = 24;
/// Most operators in one policy (each of `. + - * < > = ! & | [ (` and `if in has like is`
/// counts one, and so does each `when` or `unless` clause, which Cedar joins to the others
/// with `&&`): a chain like `1 + 1 + ...` is a tree as deep as it is long, which Cedar parses,
/// checks, evaluates and drops recursively. In the release WebAssembly module that recursion
/// runs on the host's native stack (V8 bounds it at about 1 MB, and no library can raise it),
/// where chains of `+`, `*` or `.a` trapped from 224 operators on (bench/crash-points.mjs; the
/// point moves with V8's tiering from run to run), so the limit is under half of the lowest.
/// The default policies use at most 27 in one policy.
pub const MAX_POLICY_OPERATORS: usize = 100;
/// Most parent names listed after `in` in a schema: Cedar walks the type hierarchy
/// recursively, so a long chain of entity or action types overflows the stack.
pub const MAX_SCHEMA_PARENTS: usize = 1024;
/// Longest chain of parents (an entity, its parent, the parent's parent, ...) in one batch of
/// raw Cedar entities; a snapshot's hierarchy is at most about ten deep. Cedar computes the
/// transitive closure recursively: a chain of a thousand overflowed a debug test thread.
pub const MAX_HIERARCHY_DEPTH: usize = 64;

/// Most ancestors the entities of one snapshot hold in all (see
/// `snapshot::entities::ancestor_links` and [`ancestor_limit`]). Cedar keeps every entity's
/// ancestors in the entity, so a team granted a role in every workspace gives each member
/// every workspace's role groups: 1,500 members and 1,500 workspaces, a 195 KB snapshot, took
/// the module past 2 GiB and trapped a scoping (which holds three stores). The benchmark
/// generator's organizations hold about 3.6 per entity (as counted here), so a full store of
/// `MAX_ENTITIES` (about 900,000) stays well within this.
pub const MAX_ANCESTOR_LINKS: usize = 2_000_000;
/// Most ancestors per entity, on average, beyond [`ANCESTOR_LINKS_FLOOR`]. An ancestor takes
/// about 170 bytes of module memory, so this keeps a store's memory in proportion to its
/// entity count, which budgets count in: 1,000 members in one team granted in 330 workspaces
/// (4,163 entities, 121 KiB of JSON) held 1.98 million and grew the module to 344 MiB.
pub const MAX_ANCESTORS_PER_ENTITY: usize = 16;
/// Ancestors any snapshot may hold whatever its size (about 11 MiB).
pub const ANCESTOR_LINKS_FLOOR: usize = 65_536;

/// The ancestors a snapshot of `entities` entities may hold: [`MAX_ANCESTORS_PER_ENTITY`]
/// each beyond the floor, and never more than [`MAX_ANCESTOR_LINKS`].
pub fn ancestor_limit(entities: usize) -> usize {
    entities
        .saturating_mul(MAX_ANCESTORS_PER_ENTITY)
        .saturating_add(ANCESTOR_LINKS_FLOOR)
        .min(MAX_ANCESTOR_LINKS)
}

/// Longest single name handed over as a string on its own: an entity type, an entity id or an
/// action name in a check. The JS layer refuses a longer one before copying it into the module.
pub const MAX_NAME_BYTES: usize = 64 * 1024;

/// The limits a caller outside the module checks before handing input over, so that an
/// oversized input is refused without being copied into WebAssembly memory (which never
/// shrinks). The JS layer reads them from the module: they are defined here only.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Limits {
    /// [`MAX_JSON_BYTES`]
    pub max_json_bytes: usize,
    /// [`MAX_NAME_BYTES`]
    pub max_name_bytes: usize,
    /// [`MAX_POLICY_BYTES`]
    pub max_policy_bytes: usize,
    /// [`MAX_SCHEMA_BYTES`]
    pub max_schema_bytes: usize,
    /// [`MAX_MATRIX_CELLS`]
    pub max_matrix_cells: usize,
    /// [`MAX_POLICY_OPERATORS`]: a policy's text is checked against it before parsing.
    pub max_policy_operators: usize,
    /// [`MAX_POLICY_NESTING`]
    pub max_policy_nesting: usize,
    /// [`MAX_ANCESTOR_LINKS`]
    pub max_ancestor_links: usize,
    /// [`MAX_STRING_BYTES`]
    pub max_string_bytes: usize,
    /// [`MAX_REQUEST_VALUES`]
    pub max_request_values: usize,
    /// [`MAX_LIKE_LITERAL_CHARS`]
    pub max_like_literal_chars: usize,
}

impl Limits {
    pub fn current() -> Self {
        Self {
            max_json_bytes: MAX_JSON_BYTES,
            max_name_bytes: MAX_NAME_BYTES,
            max_policy_bytes: MAX_POLICY_BYTES,
            max_schema_bytes: MAX_SCHEMA_BYTES,
            max_matrix_cells: MAX_MATRIX_CELLS,
            max_policy_operators: MAX_POLICY_OPERATORS,
            max_policy_nesting: MAX_POLICY_NESTING,
            max_ancestor_links: MAX_ANCESTOR_LINKS,
            max_string_bytes: MAX_STRING_BYTES,
            max_request_values: MAX_REQUEST_VALUES,
            max_like_literal_chars: MAX_LIKE_LITERAL_CHARS,
        }
    }
}

use crate::cedar_text::{tokens, Token};
use crate::error::{Error, Result};

/// The length in bytes of `value`'s JSON text, counted without writing it anywhere; a value
/// that cannot be written counts as too large.
pub(crate) fn json_bytes<T: serde::Serialize>(value: &T) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(bytes.len());
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => usize::MAX,
    }
}

pub(crate) fn check_size(what: &str, size: usize, limit: usize) -> Result<()> {
    if size > limit {
        return Err(Error::LimitExceeded { what: format!("{what} ({size})"), limit });
    }
    Ok(())
}

/// What one kind of JSON document may hold, beside [`MAX_JSON_DEPTH`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonShape {
    values: usize,
    string_bytes: usize,
}

/// Snapshots, raw entities, lists of entity references and matrix calls.
pub(crate) const DATA_JSON: JsonShape = JsonShape { values: MAX_JSON_VALUES, string_bytes: MAX_STRING_BYTES };
/// One request: a check call or its context, an allowed-actions or allowed-resources call, an
/// action request.
pub(crate) const REQUEST_JSON: JsonShape =
    JsonShape { values: MAX_REQUEST_VALUES, string_bytes: MAX_STRING_BYTES };
/// Engine options: their policy and schema sources are strings, which their own limits bound.
pub(crate) const OPTIONS_JSON: JsonShape = JsonShape { values: MAX_JSON_VALUES, string_bytes: usize::MAX };

/// Checks the nesting depth, the number of values and the longest string of JSON text without
/// parsing it, so that deep or value-dense input is refused before a recursive parser sees it
/// or memory is spent on it. Values are counted as the commas and opening brackets outside
/// strings, plus one. Gives the number of items of the outermost array or object (its commas
/// plus one, zero if it is empty), which sizes what a load of them will build before it builds
/// any.
// Out of line: inlined into a caller, the scan made that caller large and hot at once, which
// V8 recompiles whole in the background during a first load (see `from_json_str`).
#[inline(never)]
pub(crate) fn check_json_shape(what: &str, text: &str, shape: JsonShape) -> Result<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut values = 1usize;
    let mut outer_commas = 0usize;
    let mut outer_empty = true;
    let mut at = 0usize;
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        if depth == 1 && !byte.is_ascii_whitespace() && !matches!(byte, b']' | b'}') {
            outer_empty = false;
        }
        match byte {
            b'"' => {
                let start = at;
                at = past_string(bytes, at);
                // The closing quote is not the string's.
                let length = at.saturating_sub(start).saturating_sub(1);
                if length > shape.string_bytes {
                    return Err(Error::LimitExceeded {
                        what: format!("length of a string in {what} ({length} bytes)"),
                        limit: shape.string_bytes,
                    });
                }
            }
            b'[' | b'{' => {
                depth += 1;
                values += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(Error::LimitExceeded {
                        what: format!("nesting depth of {what}"),
                        limit: MAX_JSON_DEPTH,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => {
                values += 1;
                if depth == 1 {
                    outer_commas += 1;
                }
            }
            _ => {}
        }
        if values > shape.values {
            return Err(Error::LimitExceeded { what: format!("values in {what}"), limit: shape.values });
        }
    }
    Ok(if outer_empty { 0 } else { outer_commas + 1 })
}

/// The index just past the string whose text starts at `from` (after its opening quote), or
/// the end of an unterminated one. Its text is skipped in runs up to a quote or a backslash,
/// not byte by byte: Cedar entities JSON is mostly strings, and this scan reads all of it.
fn past_string(bytes: &[u8], mut from: usize) -> usize {
    loop {
        let rest = bytes.get(from..).unwrap_or_default();
        let Some(offset) = rest.iter().position(|&b| b == b'"' || b == b'\\') else {
            return bytes.len();
        };
        from += offset;
        if bytes.get(from) == Some(&b'"') {
            return from + 1;
        }
        // A backslash escapes the byte after it, a quote included.
        from += 2;
    }
}

/// Size and shape checks, then parsing.
pub(crate) fn parse_json<'a, T: serde::Deserialize<'a>>(
    what: &str,
    text: &'a str,
    shape: JsonShape,
) -> Result<T> {
    check_size(what, text.len(), MAX_JSON_BYTES)?;
    check_json_shape(what, text, shape)?;
    crate::objects_only::from_json_str(text).map_err(|e| Error::InvalidJson(format!("{what}: {e}")))
}

fn limit_exceeded(what: String, limit: usize) -> Error {
    Error::LimitExceeded { what, limit }
}

/// A source and the line and column of `offset` in it: a refusal names the place, so that a
/// file of many policies (or a long schema) points at the one.
fn place(name: &str, text: &str, offset: usize) -> String {
    let at = crate::diagnostics::locate(name, text, offset, 1);
    format!("`{name}` (line {}, column {})", at.line, at.column)
}

/// Refuses policy text Cedar could not turn into a tree without overflowing the stack: too
/// deep nesting or too many operators in one policy (see [`MAX_POLICY_NESTING`],
/// [`MAX_POLICY_OPERATORS`]). Checked before Cedar parses the text.
pub(crate) fn check_policy_shape(name: &str, text: &str) -> Result<()> {
    if cfg!(feature = "crash-probe") {
        return Ok(());
    }
    // Per open bracket, the `if`s seen at that level: within one bracket level every `if`
    // nests in the previous one (its `else` runs to the end of the level).
    let mut open: Vec<usize> = Vec::new();
    let mut ifs = 0usize;
    let mut operators = 0usize;
    let mut after_like = false;
    for spanned in tokens(text) {
        let token = spanned.token;
        if after_like && token == Token::Text {
            let pattern = text.get(spanned.start..spanned.end).unwrap_or_default();
            if longest_run_after_a_star(pattern) > MAX_LIKE_LITERAL_CHARS {
                return Err(limit_exceeded(
                    format!(
                        "literal characters after a `*` in a `like` pattern of {}",
                        place(name, text, spanned.start)
                    ),
                    MAX_LIKE_LITERAL_CHARS,
                ));
            }
        }
        after_like = token == Token::Word("like");
        match token {
            Token::Punct(b'(' | b'[' | b'{') => open.push(0),
            Token::Punct(b')' | b']' | b'}') => ifs = ifs.saturating_sub(open.pop().unwrap_or(0)),
            Token::Punct(b';') if open.is_empty() => {
                operators = 0;
                ifs = 0;
            }
            Token::Word("if") => {
                ifs += 1;
                if let Some(level) = open.last_mut() {
                    *level += 1;
                }
            }
            _ => {}
        }
        let operator = matches!(
            token,
            Token::Punct(b'.' | b'+' | b'-' | b'*' | b'<' | b'>' | b'=' | b'!' | b'&' | b'|' | b'[' | b'(')
                | Token::Word("if" | "in" | "has" | "like" | "is" | "when" | "unless")
        );
        if operator {
            operators += 1;
            if operators > MAX_POLICY_OPERATORS {
                return Err(limit_exceeded(
                    format!("operators in one policy of {}", place(name, text, spanned.start)),
                    MAX_POLICY_OPERATORS,
                ));
            }
        }
        if open.len() + ifs > MAX_POLICY_NESTING {
            return Err(limit_exceeded(
                format!("nesting depth of {}", place(name, text, spanned.start)),
                MAX_POLICY_NESTING,
            ));
        }
    }
    Ok(())
}

/// The longest run of literal characters after an unescaped `*` in the string literal
/// `quoted` (its quotes included), an escape counting as one character.
fn longest_run_after_a_star(quoted: &str) -> usize {
    let inner = quoted.strip_prefix('"').unwrap_or(quoted);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut chars = inner.chars();
    let (mut longest, mut run, mut starred) = (0usize, 0usize, false);
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                starred = true;
                run = 0;
                continue;
            }
            '\\' => {
                chars.next();
            }
            _ => {}
        }
        if starred {
            run += 1;
            longest = longest.max(run);
        }
    }
    longest
}

/// Refuses schema text Cedar could not read without overflowing the stack: too deep nesting
/// of types, or too many parent types (see [`MAX_POLICY_NESTING`], [`MAX_SCHEMA_PARENTS`]).
pub(crate) fn check_schema_shape(name: &str, text: &str) -> Result<()> {
    if cfg!(feature = "crash-probe") {
        return Ok(());
    }
    check_size("schema in bytes", text.len(), MAX_SCHEMA_BYTES)?;
    let mut depth = 0usize;
    let mut parents = 0usize;
    // After `in`: the next name, or every name up to the matching `]`.
    let mut in_list: Option<usize> = None;
    let mut after_in = false;
    for spanned in tokens(text) {
        let token = spanned.token;
        match token {
            Token::Punct(b'(' | b'[' | b'{' | b'<') => {
                if after_in && token == Token::Punct(b'[') {
                    in_list = Some(depth);
                }
                depth += 1;
            }
            Token::Punct(b')' | b']' | b'}' | b'>') => {
                depth = depth.saturating_sub(1);
                if in_list == Some(depth) {
                    in_list = None;
                }
            }
            Token::Word(_) | Token::Text if after_in || in_list.is_some() => parents += 1,
            _ => {}
        }
        after_in = token == Token::Word("in");
        if depth > MAX_POLICY_NESTING {
            return Err(limit_exceeded(
                format!("nesting depth of {}", place(name, text, spanned.start)),
                MAX_POLICY_NESTING,
            ));
        }
        if parents > MAX_SCHEMA_PARENTS {
            return Err(limit_exceeded(format!("parent types named in `{name}`"), MAX_SCHEMA_PARENTS));
        }
    }
    Ok(())
}

/// Refuses a batch of raw entities whose parent chains are longer than
/// [`MAX_HIERARCHY_DEPTH`], or cyclic, before their transitive closure is computed. Only
/// parents within the batch count: the store's entities are closed already. `graph` is the
/// batch's hierarchy over numbers, an entity given twice counting once with the parents of
/// both. When each uid appears once, gives the batch's indices in an order with every entity
/// after its parents in the batch, which a load closes the hierarchy in
/// (`closure::close_batch`); otherwise `None` (Cedar refuses the duplicate). `None` too in a
/// crash-probe build, which leaves the closure to Cedar's recursion, whose crash points it
/// measures.
pub(crate) fn check_hierarchy(
    entities: &[cedar_policy_core::ast::Entity],
    graph: &crate::engine::BatchGraph,
) -> Result<Option<Vec<usize>>> {
    if cfg!(feature = "crash-probe") {
        return Ok(None);
    }
    let held = graph.held();
    // The edges parent -> child between the batch's own uids, as flat lists by parent.
    let in_batch = |entity: usize| graph.parents(entity).iter().copied().filter(move |p| *p < held);
    let mut waiting: Vec<usize> = vec![0; held];
    let mut child_starts: Vec<usize> = vec![0; held + 1];
    for entity in 0..graph.len() {
        for parent in in_batch(entity) {
            if let (Some(count), Some(start)) =
                (graph.number(entity).and_then(|n| waiting.get_mut(n)), child_starts.get_mut(parent + 1))
            {
                *count += 1;
                *start += 1;
            }
        }
    }
    // Counts shifted by one, summed: where each parent's children start.
    let mut running = 0;
    for start in &mut child_starts {
        running += *start;
        *start = running;
    }
    let mut children: Vec<usize> = vec![0; child_starts.last().copied().unwrap_or(0)];
    let mut filled: Vec<usize> = child_starts.clone();
    for entity in 0..graph.len() {
        let Some(child) = graph.number(entity) else { continue };
        for parent in in_batch(entity) {
            if let Some(next) = filled.get_mut(parent) {
                if let Some(slot) = children.get_mut(*next) {
                    *slot = child;
                }
                *next += 1;
            }
        }
    }
    drop(filled);
    // Kahn's algorithm from the top: an entity is placed once all its parents in the batch are.
    let mut depth: Vec<usize> = vec![1; held];
    let mut ready: Vec<usize> =
        waiting.iter().enumerate().filter(|(_, n)| **n == 0).map(|(i, _)| i).collect();
    let mut placed: Vec<usize> = Vec::with_capacity(held);
    while let Some(node) = ready.pop() {
        placed.push(node);
        let level = depth.get(node).copied().unwrap_or(1);
        if level > MAX_HIERARCHY_DEPTH {
            return Err(limit_exceeded("depth of the entity hierarchy".to_owned(), MAX_HIERARCHY_DEPTH));
        }
        let below = child_starts.get(node).copied().zip(child_starts.get(node + 1).copied());
        for &child in below.and_then(|(from, to)| children.get(from..to)).unwrap_or_default() {
            if let (Some(d), Some(count)) = (depth.get_mut(child), waiting.get_mut(child)) {
                *d = (*d).max(level + 1);
                *count -= 1;
                if *count == 0 {
                    ready.push(child);
                }
            }
        }
    }
    if placed.len() < held {
        // The first uid given that is still waiting for a parent.
        let stuck = (0..graph.len())
            .find(|entity| graph.number(*entity).and_then(|n| waiting.get(n)).is_some_and(|n| *n > 0))
            .and_then(|entity| entities.get(entity))
            .map(|entity| entity.uid().to_string())
            .unwrap_or_default();
        return Err(Error::InvalidEntities(format!(
            "the entity hierarchy has a cycle (among the ancestors of {stuck})"
        )));
    }
    // Numbers are distinct uids in the order they first appear: the batch's indices when no
    // uid repeats.
    Ok(graph.is_unique().then_some(placed))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn like_runs_are_counted_after_a_star_an_escape_as_one_character() {
        let cases: [(&str, usize); 7] = [
            (r#""abc""#, 0),
            (r#""abc*""#, 0),
            (r#""*abc""#, 3),
            (r#""a*bc*def""#, 3),
            (r#""*ab\*cd""#, 5),
            (r#""*ab\"c""#, 4),
            (r#""**a*""#, 1),
        ];
        for (pattern, run) in cases {
            assert_eq!(longest_run_after_a_star(pattern), run, "{pattern}");
        }
    }

    #[test]
    fn the_shape_check_measures_each_string_escapes_included() {
        let at_limit = format!("[\"{}\"]", "a".repeat(MAX_STRING_BYTES));
        assert!(check_json_shape("test", &at_limit, DATA_JSON).is_ok());
        let escaped = format!("[\"{}\"]", "\\n".repeat(MAX_STRING_BYTES / 2 + 1));
        assert!(check_json_shape("test", &escaped, DATA_JSON).is_err());
        let key = format!("{{\"{}\":1}}", "k".repeat(MAX_STRING_BYTES + 1));
        assert!(check_json_shape("test", &key, DATA_JSON).is_err());
        assert!(check_json_shape("test", &key, OPTIONS_JSON).is_ok());
    }

    /// Brackets, commas and escaped quotes inside strings are text, not structure.
    #[test]
    fn the_depth_check_counts_the_outer_items_and_skips_strings() {
        let cases: [(&str, usize); 7] = [
            ("[]", 0),
            (" [ ] ", 0),
            ("[1]", 1),
            (r#"[{"a":[1,2]},"x,y",3]"#, 3),
            (r#"["[[[,", "\"],[", "\\"]"#, 3),
            (r#"{"k":"v","l":[1,2,3]}"#, 2),
            (r#"["unterminated, [ "#, 1),
        ];
        for (text, items) in cases {
            assert_eq!(check_json_shape("test", text, DATA_JSON).unwrap(), items, "{text}");
        }
        let deep = format!("{}{}", "[".repeat(MAX_JSON_DEPTH + 1), "]".repeat(MAX_JSON_DEPTH + 1));
        assert!(check_json_shape("test", &deep, DATA_JSON).is_err());
        let quoted_deep = format!("[\"{}\"]", "[".repeat(MAX_JSON_DEPTH + 1));
        assert_eq!(check_json_shape("test", &quoted_deep, DATA_JSON).unwrap(), 1);
    }
}

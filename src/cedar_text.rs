//! A tokenizer for Cedar policy and schema text, for the checks and rewrites that run before
//! or beside Cedar's own parser: it never fails, and what it cannot make sense of is left
//! for the Cedar parser to report.

/// One token, as far as those checks need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    Word(&'a str),
    Text,
    Punct(u8),
}

/// A token, where it is (`text[start..end]`), and how many brackets (`(`, `[`, `{`) enclose
/// it; a bracket itself counts as outside its own pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spanned<'a> {
    pub token: Token<'a>,
    pub start: usize,
    pub end: usize,
    pub depth: usize,
}

/// Splits Cedar text into words, string literals and punctuation, skipping whitespace,
/// numbers and `//` comments.
pub(crate) fn tokens(text: &str) -> Vec<Spanned<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut depth = 0usize;
    while let Some(&byte) = bytes.get(i) {
        let start = i;
        let token = match byte {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|b| *b != b'\n') {
                    i += 1;
                }
                None
            }
            b'"' => {
                i += 1;
                while let Some(&b) = bytes.get(i) {
                    i += if b == b'\\' { 2 } else { 1 };
                    if b == b'"' {
                        break;
                    }
                }
                Some(Token::Text)
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                while bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                    i += 1;
                }
                Some(Token::Word(text.get(start..i).unwrap_or_default()))
            }
            b'0'..=b'9' => {
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                None
            }
            _ => {
                i += 1;
                (!byte.is_ascii_whitespace()).then_some(Token::Punct(byte))
            }
        };
        if let Some(token) = token {
            if matches!(token, Token::Punct(b')' | b']' | b'}')) {
                depth = depth.saturating_sub(1);
            }
            out.push(Spanned { token, start, end: i.min(bytes.len()), depth });
            if matches!(token, Token::Punct(b'(' | b'[' | b'{')) {
                depth += 1;
            }
        }
    }
    out
}

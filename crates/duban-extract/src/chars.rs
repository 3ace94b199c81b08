//! 字符工具 — reading text as characters: words at a position, and spans of it.

use serde::Serialize;

/// A piece of the text: where it is (character offsets, end exclusive) and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The span `start..end` of `t`.
pub(crate) fn found(t: &[char], start: usize, end: usize) -> Found {
    Found {
        start,
        end,
        text: t[start..end].iter().collect(),
    }
}

/// Whether `word` is written at `i`.
pub(crate) fn starts(t: &[char], i: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, c)| t.get(i + k) == Some(&c))
}

/// The first of `words` written at `i`, and its length in characters.
pub(crate) fn one_of(t: &[char], i: usize, words: &[&str]) -> Option<usize> {
    words
        .iter()
        .find(|w| starts(t, i, w))
        .map(|w| w.chars().count())
}

/// The longest of `words` written at `i`, and its length in characters.
pub(crate) fn longest(t: &[char], i: usize, words: &[&str]) -> Option<usize> {
    words
        .iter()
        .filter(|w| starts(t, i, w))
        .map(|w| w.chars().count())
        .max()
}

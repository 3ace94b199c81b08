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

/// The words of `words` written at `i`. Each is first told by the bytes of the character at
/// `i` (cheaper than decoding the word: these are looked for at every character of a text).
fn written_at<'w, W: AsRef<str>>(
    t: &[char],
    i: usize,
    words: &'w [W],
) -> impl Iterator<Item = &'w str> {
    let mut buf = [0u8; 4];
    let n = t.get(i).map_or(0, |c| c.encode_utf8(&mut buf).len());
    // Bytes compared one by one: a call to memcmp for three bytes costs more than the test.
    let lead = move |w: &str| {
        let b = w.as_bytes();
        n > 0 && b.len() >= n && (0..n).all(|k| b[k] == buf[k])
    };
    words
        .iter()
        .map(AsRef::as_ref)
        .filter(move |w| lead(w) && starts(t, i, w))
}

/// The first of `words` written at `i`, and its length in characters.
pub(crate) fn one_of<W: AsRef<str>>(t: &[char], i: usize, words: &[W]) -> Option<usize> {
    written_at(t, i, words).next().map(|w| w.chars().count())
}

/// The longest of `words` written at `i`, and its length in characters.
pub(crate) fn longest<W: AsRef<str>>(t: &[char], i: usize, words: &[W]) -> Option<usize> {
    written_at(t, i, words).map(|w| w.chars().count()).max()
}

/// The characters the words of some lists start with, as a set of 512 bits (a character's
/// code point modulo 512): a character not in it starts none of the words, so the lists need
/// not be read at it. Lists are read at every character of a text; most characters start
/// none of their words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Firsts([u64; 8]);

impl Firsts {
    /// The first characters of the words of `lists`.
    pub(crate) const fn of(lists: &[&[&str]]) -> Firsts {
        let mut set = Firsts([0; 8]);
        let mut l = 0;
        while l < lists.len() {
            let mut w = 0;
            while w < lists[l].len() {
                set = set.with(first_code(lists[l][w].as_bytes()));
                w += 1;
            }
            l += 1;
        }
        set
    }

    /// The first characters of the words of a list of pairs (word, what it means).
    pub(crate) const fn of_pairs<T>(pairs: &[(&str, T)]) -> Firsts {
        let mut set = Firsts([0; 8]);
        let mut w = 0;
        while w < pairs.len() {
            set = set.with(first_code(pairs[w].0.as_bytes()));
            w += 1;
        }
        set
    }

    /// The first characters of `words`, as a lexicon read at run time gives them.
    pub(crate) fn of_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Firsts {
        words
            .into_iter()
            .fold(Firsts([0; 8]), |set, w| set.with(first_code(w.as_bytes())))
    }

    /// These and those of `other`.
    pub(crate) const fn and(self, other: Firsts) -> Firsts {
        let mut set = self;
        let mut k = 0;
        while k < 8 {
            set.0[k] |= other.0[k];
            k += 1;
        }
        set
    }

    /// Every character of `chars`.
    pub(crate) const fn chars(chars: &str) -> Firsts {
        let b = chars.as_bytes();
        let mut set = Firsts([0; 8]);
        let mut at = 0;
        while at < b.len() {
            set = set.with(code_at(b, at));
            at += utf8_len(b[at]);
        }
        set
    }

    const fn with(mut self, code: u32) -> Firsts {
        let bit = code % 512;
        self.0[(bit / 64) as usize] |= 1 << (bit % 64);
        self
    }

    /// Whether `c` may start a word (it does not when false).
    pub(crate) fn has(&self, c: char) -> bool {
        let bit = c as u32 % 512;
        self.0[(bit / 64) as usize] & (1 << (bit % 64)) != 0
    }
}

const fn utf8_len(lead: u8) -> usize {
    match lead {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The code point of the character starting at byte `at` of UTF-8 `b`.
const fn code_at(b: &[u8], at: usize) -> u32 {
    let n = utf8_len(b[at]);
    let mut code = match n {
        1 => b[at] as u32,
        2 => (b[at] & 0x1f) as u32,
        3 => (b[at] & 0x0f) as u32,
        _ => (b[at] & 0x07) as u32,
    };
    let mut k = 1;
    while k < n {
        code = (code << 6) | (b[at + k] & 0x3f) as u32;
        k += 1;
    }
    code
}

const fn first_code(b: &[u8]) -> u32 {
    if b.is_empty() { 0 } else { code_at(b, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_characters_are_in_their_set_and_others_mostly_not() {
        let set = Firsts::of(&[&["市发改委", "各县区", "a", "×月"], &["é"]]);
        for c in ['市', '各', 'a', '×', 'é'] {
            assert!(set.has(c), "{c}");
        }
        let out = "要抓落实推进项目建设的"
            .chars()
            .filter(|c| set.has(*c))
            .count();
        assert!(out <= 2, "{out} characters wrongly in the set");
        let chars = Firsts::chars("第0９x");
        assert!(['第', '0', '９', 'x'].iter().all(|c| chars.has(*c)));
        assert!(Firsts::of_pairs(&[("每周", 1)]).and(chars).has('每'));
    }
}

//! 打包读取 — several values read back as one text column without a separator data could
//! forge: each value is written by SQL as its byte length, ':', and its bytes
//! (`counted(expr)`), and read back in order by [`Unpack`]. Whatever a value holds — control
//! characters, digits, colons — it cannot shift the next one. (Hot reads pack rows so that
//! SQLite hands over fewer rows through sqlx's `Any` driver.)

use crate::{Result, StoreError};

/// SQL for `expr` (text, never NULL) as a counted value. Both backends have `octet_length`.
pub(crate) fn counted(expr: &str) -> String {
    format!("(octet_length({expr}) || ':' || {expr})")
}

/// Reads counted values one after the other.
pub(crate) struct Unpack<'a> {
    rest: &'a str,
    what: &'static str,
}

impl<'a> Unpack<'a> {
    /// `what` names the read in a corruption message.
    pub(crate) fn new(text: &'a str, what: &'static str) -> Unpack<'a> {
        Unpack { rest: text, what }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next value.
    pub(crate) fn next_value(&mut self) -> Result<&'a str> {
        let bad = |why: &str| StoreError::corrupt(self.what, why.to_string());
        let colon = self
            .rest
            .find(':')
            .filter(|&c| c > 0 && c <= 10)
            .ok_or_else(|| bad("no length"))?;
        let len: usize = self.rest[..colon]
            .parse()
            .map_err(|_| bad("a length that is not a number"))?;
        let start = colon + 1;
        let end = start
            .checked_add(len)
            .filter(|&e| e <= self.rest.len() && self.rest.is_char_boundary(e))
            .ok_or_else(|| bad("a length past the end"))?;
        let value = &self.rest[start..end];
        self.rest = &self.rest[end..];
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(values: &[&str]) -> String {
        values.iter().map(|v| format!("{}:{v}", v.len())).collect()
    }

    #[test]
    fn values_holding_separators_digits_and_colons_come_back_whole() {
        let values = [
            "",
            "12:ab",
            "\u{1c}\u{1d}\u{1e}\u{1f}",
            "市发改委：项目",
            "3",
            "\0",
        ];
        let text = pack(&values);
        let mut u = Unpack::new(&text, "test");
        for v in values {
            assert_eq!(u.next_value().unwrap(), v);
        }
        assert!(u.is_empty());
    }

    #[test]
    fn a_length_past_the_end_or_inside_a_character_is_an_error() {
        assert!(Unpack::new("9:abc", "t").next_value().is_err());
        assert!(Unpack::new("1:市", "t").next_value().is_err());
        assert!(Unpack::new("x:a", "t").next_value().is_err());
        assert!(Unpack::new("abc", "t").next_value().is_err());
    }
}

//! 繁转简 — traditional characters read as simplified (OpenCC's t2s dictionaries through
//! ferrous-opencc, pure Rust), keeping the map back to the original text so spans still point
//! into what the user gave.

use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

use crate::clean::Clean;

fn converter() -> Option<&'static OpenCC> {
    static T2S: OnceLock<Option<OpenCC>> = OnceLock::new();
    T2S.get_or_init(|| OpenCC::from_config(BuiltinConfig::T2s).ok())
        .as_ref()
}

/// `text` in simplified characters; unchanged if the dictionaries cannot be loaded (they are
/// built into the binary, so that does not happen in practice).
pub fn simplified(text: &str) -> String {
    converter().map_or_else(|| text.to_string(), |c| c.convert(text))
}

impl Clean {
    /// The same text in simplified characters, each still mapped to its original place. A
    /// conversion that keeps the length (almost every one) maps one to one; otherwise each
    /// character is converted alone.
    pub fn simplify(&self) -> Clean {
        let whole = simplified(&self.text);
        if whole.chars().count() == self.text.chars().count() {
            return self.with_text(whole, None);
        }
        let mut text = String::with_capacity(self.text.len());
        let mut from = Vec::with_capacity(self.text.len());
        let mut buf = [0u8; 4];
        for (i, c) in self.text.chars().enumerate() {
            for s in simplified(c.encode_utf8(&mut buf)).chars() {
                text.push(s);
                from.push(i);
            }
        }
        self.with_text(text, Some(from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::clean;

    #[test]
    fn traditional_reads_as_simplified_and_maps_back() {
        let original = "各縣(xiàn)區要在9月底前完成項目建設(shè)";
        let c = clean(original).simplify();
        assert_eq!(c.text, "各县区要在9月底前完成项目建设");
        let at = c
            .text
            .find("项目")
            .map(|b| c.text[..b].chars().count())
            .unwrap();
        let (a, b) = c.original(at, at + 4);
        assert_eq!(
            original.chars().skip(a).take(b - a).collect::<String>(),
            "項目建設"
        );
        assert_eq!(
            simplified("發改委牽頭，國土、財政等部門配合"),
            "发改委牵头，国土、财政等部门配合"
        );
    }
}

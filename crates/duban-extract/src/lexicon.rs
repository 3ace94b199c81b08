//! 责任主体词表 — the words actors are recognised by, as data: shipped with duban
//! (`lexicon.toml`), extended per deployment by a file of the same shape and by the unit
//! directory's own names and short names. `actors` applies its grammar over these words.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::chars::Firsts;

/// The word lists, each longest first.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub(crate) body_ends: Vec<String>,
    pub(crate) tiers: Vec<String>,
    pub(crate) tier_bodies: Vec<String>,
    pub(crate) posts: Vec<String>,
    pub(crate) generic: Vec<String>,
    pub(crate) offices: Vec<String>,
    pub(crate) post_tiers: Vec<String>,
    /// The unit directory's names and short names: bodies as written, by their first two
    /// characters (a directory of thousands is looked up in a few names at a character).
    pub(crate) units: HashMap<(char, char), Vec<String>>,
    pub(crate) whole_firsts: Firsts,
    pub(crate) body_end_firsts: Firsts,
}

/// The file's shape: every list optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lists {
    #[serde(default)]
    body_ends: Vec<String>,
    #[serde(default)]
    tiers: Vec<String>,
    #[serde(default)]
    tier_bodies: Vec<String>,
    #[serde(default)]
    posts: Vec<String>,
    #[serde(default)]
    generic: Vec<String>,
    #[serde(default)]
    offices: Vec<String>,
    #[serde(default)]
    post_tiers: Vec<String>,
}

/// Most words a deployment's file or directory may add (a province's directory is a few
/// thousand names).
pub const MAX_WORDS: usize = 50_000;
/// Longest word read (characters).
const MAX_WORD: usize = 30;

const SHIPPED_TOML: &str = include_str!("lexicon.toml");

static SHIPPED: LazyLock<Lexicon> = LazyLock::new(|| {
    let lists: Lists = toml::from_str(SHIPPED_TOML).expect("the shipped lexicon reads");
    let mut lex = Lexicon {
        body_ends: Vec::new(),
        tiers: Vec::new(),
        tier_bodies: Vec::new(),
        posts: Vec::new(),
        generic: Vec::new(),
        offices: Vec::new(),
        post_tiers: Vec::new(),
        units: HashMap::new(),
        whole_firsts: Firsts::of_words([]),
        body_end_firsts: Firsts::of_words([]),
    };
    lex.add(lists);
    lex
});

/// Adds `words` to `list`, each once; a list stays ordered longest first (matching takes the
/// longest, and the post tiers are tried in order).
fn extend(list: &mut Vec<String>, words: impl IntoIterator<Item = String>) {
    for w in words {
        let w = w.trim();
        if w.is_empty() || w.chars().count() > MAX_WORD || list.iter().any(|x| x == w) {
            continue;
        }
        list.push(w.to_string());
    }
    list.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
}

impl Lexicon {
    /// The lexicon shipped with duban.
    pub fn shipped() -> &'static Lexicon {
        &SHIPPED
    }

    /// The shipped lexicon extended by a deployment's file (`text`, TOML of the same lists).
    pub fn with_file(&self, text: &str) -> Result<Lexicon, String> {
        let lists: Lists =
            toml::from_str(text).map_err(|e| format!("责任主体词表无法读取：{e}"))?;
        let n = lists.body_ends.len()
            + lists.tiers.len()
            + lists.tier_bodies.len()
            + lists.posts.len()
            + lists.generic.len()
            + lists.offices.len()
            + lists.post_tiers.len();
        if n > MAX_WORDS {
            return Err(format!("责任主体词表最多 {MAX_WORDS} 个词"));
        }
        let mut lex = self.clone();
        lex.add(lists);
        Ok(lex)
    }

    /// This lexicon with the unit directory's names and short names as bodies.
    pub fn with_units<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Lexicon {
        let mut lex = self.clone();
        for name in names.into_iter().take(MAX_WORDS) {
            let mut cs = name.trim().chars();
            if let (Some(a), Some(b)) = (cs.next(), cs.next()) {
                extend(
                    lex.units.entry((a, b)).or_default(),
                    [name.trim().to_string()],
                );
            }
        }
        lex.refresh();
        lex
    }

    /// The directory's names that may be written at `t[i..]` (those starting with its two
    /// characters).
    pub(crate) fn units_at(&self, t: &[char], i: usize) -> &[String] {
        match (t.get(i), t.get(i + 1)) {
            (Some(a), Some(b)) => self.units.get(&(*a, *b)).map_or(&[], Vec::as_slice),
            _ => &[],
        }
    }

    fn add(&mut self, l: Lists) {
        extend(&mut self.body_ends, l.body_ends);
        extend(&mut self.tiers, l.tiers);
        extend(&mut self.tier_bodies, l.tier_bodies);
        extend(&mut self.posts, l.posts);
        extend(&mut self.generic, l.generic);
        extend(&mut self.offices, l.offices);
        // Post tiers are tried in order: longest first too.
        extend(&mut self.post_tiers, l.post_tiers);
        self.refresh();
    }

    fn refresh(&mut self) {
        self.whole_firsts = Firsts::of_words(
            [&self.generic, &self.tiers, &self.posts]
                .into_iter()
                .flatten()
                .chain(self.units.values().flatten())
                .map(String::as_str),
        );
        self.body_end_firsts = Firsts::of_words(self.body_ends.iter().map(String::as_str));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lexicon_extended_by_a_deployment_and_the_directory() {
        let shipped = Lexicon::shipped();
        let has = |list: &[String], w: &str| list.iter().any(|x| x == w);
        assert!(has(&shipped.body_ends, "委员会") && has(&shipped.tiers, "各县区"));
        let lex = shipped
            .with_file("posts = [\"驻村第一书记\"]\nbody_ends = [\"服务社\"]")
            .unwrap();
        assert!(has(&lex.posts, "驻村第一书记") && has(&lex.body_ends, "服务社"));
        assert!(has(&lex.posts, "分管领导"), "the shipped words stay");
        let e = shipped.with_file("bureaus = [\"x\"]").unwrap_err();
        assert!(e.contains("bureaus"), "{e}");
        let lex = lex.with_units(["高新区管委会", "文旅局"]);
        assert_eq!(lex.units[&('文', '旅')], ["文旅局"]);
        assert_eq!(lex.units.len(), 2);
    }
}

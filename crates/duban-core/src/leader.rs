//! 包抓领导 — the leader in charge of an item: a person and a title.

use std::fmt;

use serde::{Deserialize, Serialize};

/// 包抓领导 — the leader in charge: a person with their post.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Leader {
    /// 姓名
    pub name: String,
    /// 职务 — e.g. 副市长
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

const TITLE_ENDINGS: &[&str] = &[
    "长",
    "书记",
    "主任",
    "主席",
    "委员",
    "秘书长",
    "部长",
    "司令员",
    "政委",
    "巡视员",
    "调研员",
];

fn looks_like_title(s: &str) -> bool {
    TITLE_ENDINGS.iter().any(|t| s.ends_with(t))
}

impl Leader {
    pub fn new(name: impl Into<String>, title: Option<&str>) -> Leader {
        Leader {
            name: name.into(),
            title: title.map(str::to_string),
        }
    }

    /// Reads a cell naming one or more leaders: "王某（副市长）", "王某(副市长)",
    /// "副市长 王某", "王某、李某（常务副市长）".
    pub fn parse_list(cell: &str) -> Vec<Leader> {
        let norm = crate::text::normalize_width(cell);
        let mut out = Vec::new();
        // Split on list separators that are outside parentheses.
        let mut depth = 0usize;
        let mut current = String::new();
        let mut parts = Vec::new();
        for c in norm.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && matches!(c, '、' | ',' | ';' | '，' | '；' | '\n') {
                parts.push(std::mem::take(&mut current));
            } else {
                current.push(c);
            }
        }
        parts.push(current);
        for part in parts {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            if let Some(open) = p.find('(') {
                let name = crate::text::name(&p[..open]);
                let name = name.as_str();
                let title = p[open + 1..].trim_end_matches(')').trim();
                if !name.is_empty() {
                    out.push(Leader::new(name, (!title.is_empty()).then_some(title)));
                    continue;
                }
            }
            let words: Vec<&str> = p.split_whitespace().collect();
            match words.as_slice() {
                [a, b] if looks_like_title(a) && !looks_like_title(b) => {
                    out.push(Leader::new(*b, Some(a)))
                }
                [a, b] if looks_like_title(b) => out.push(Leader::new(*a, Some(b))),
                _ => out.push(Leader::new(crate::text::name(p), None)),
            }
        }
        out
    }
}

impl fmt::Display for Leader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.title {
            Some(t) => write!(f, "{}（{}）", self.name, t),
            None => f.write_str(&self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_as_ledgers_write_them() {
        assert_eq!(
            Leader::parse_list("王某（副市长）"),
            vec![Leader::new("王某", Some("副市长"))]
        );
        assert_eq!(
            Leader::parse_list("王某(副市长)"),
            vec![Leader::new("王某", Some("副市长"))]
        );
        assert_eq!(
            Leader::parse_list("副市长 李某"),
            vec![Leader::new("李某", Some("副市长"))]
        );
        assert_eq!(Leader::parse_list("赵某"), vec![Leader::new("赵某", None)]);
        assert_eq!(
            Leader::parse_list("王　伟（副市长）"),
            vec![Leader::new("王伟", Some("副市长"))]
        );
        assert_eq!(Leader::parse_list("王 伟"), vec![Leader::new("王伟", None)]);
        assert_eq!(
            Leader::parse_list("王某（副市长）、李某（市委常委、常务副市长）"),
            vec![
                Leader::new("王某", Some("副市长")),
                Leader::new("李某", Some("市委常委、常务副市长"))
            ]
        );
    }

    #[test]
    fn display_round_trips() {
        let l = Leader::new("王某", Some("副市长"));
        assert_eq!(Leader::parse_list(&l.to_string()), vec![l]);
    }
}

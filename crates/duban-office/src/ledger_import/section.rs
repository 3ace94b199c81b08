//! 分组行 — section rows ("一、甲县（3个）", "（一）新开工项目", "第一部分 产业项目"): how a row
//! is recognised as one, its level and label, and the defaults (region, lead unit, stage, kind,
//! category) its label sets for the rows below.

use std::borrow::Cow;
use std::collections::HashSet;

use duban_core::{ItemKind, Stage, UnitKind};

/// Defaults that section rows ("一、甲县（3个）", "（一）新开工项目") set for the rows below.
#[derive(Debug, Clone, Default)]
pub(super) struct Section {
    pub(super) region: Option<String>,
    pub(super) lead: Option<String>,
    pub(super) stage: Option<Stage>,
    pub(super) kind: Option<ItemKind>,
    pub(super) category: Option<String>,
}

impl Section {
    pub(super) fn over(&self, outer: &Section) -> Section {
        Section {
            region: self.region.clone().or_else(|| outer.region.clone()),
            lead: self.lead.clone().or_else(|| outer.lead.clone()),
            stage: self.stage.or(outer.stage),
            kind: self.kind.or(outer.kind),
            category: self.category.clone().or_else(|| outer.category.clone()),
        }
    }

    pub(super) fn from_label(label: &str) -> Option<Section> {
        let mut s = Section::default();
        let plain = label.trim_end_matches("项目").trim_end_matches('类');
        if let Ok(stage) = Stage::parse(label).or_else(|_| Stage::parse(plain)) {
            s.stage = Some(stage);
        } else if let Some(kind) =
            ItemKind::find_in_title(label).or_else(|| ItemKind::parse(label).ok())
        {
            s.kind = Some(kind);
        } else if let Some(cat) = ["基础设施", "社会民生", "生态环保", "产业"]
            .iter()
            .find(|c| label.contains(*c))
        {
            s.category = Some((*cat).to_string());
        } else if UnitKind::guess(label) == UnitKind::Region {
            s.region = Some(label.to_string());
        } else if [
            "局", "委", "办", "院", "中心", "公司", "集团", "政府", "部", "厅", "站", "所", "会",
        ]
        .iter()
        .any(|e| label.ends_with(e))
        {
            s.lead = Some(label.to_string());
        } else {
            return None;
        }
        Some(s)
    }
}

const CN_NUM: &str = "一二三四五六七八九十百零";

/// "一、甲县（3个）" → (1, "甲县"); "（二）新开工项目" → (2, "新开工项目").
fn section_label(text: &str) -> Option<(u8, String)> {
    let t = duban_core::text::normalize_width(text.trim());
    let (level, rest) = if let Some(inner) = t.strip_prefix('(') {
        let close = inner.find(')')?;
        let num = &inner[..close];
        if num.is_empty() || !num.chars().all(|c| CN_NUM.contains(c)) {
            return None;
        }
        (2, inner[close + 1..].to_string())
    } else {
        let n = t.chars().take_while(|c| CN_NUM.contains(*c)).count();
        if n == 0 {
            // "第一部分 …", "第二批：…" — but not "第二污水处理厂…".
            let rest = t.strip_prefix('第')?;
            let n = rest.chars().take_while(|c| CN_NUM.contains(*c)).count();
            if n == 0 {
                return None;
            }
            let after: String = rest.chars().skip(n).collect();
            let after = ["部分", "类", "批", "篇", "章"]
                .iter()
                .find_map(|w| after.strip_prefix(w))?;
            (
                1,
                after.trim_start_matches([' ', '、', ':', '：']).to_string(),
            )
        } else {
            let after: String = t.chars().skip(n).collect();
            let after = after.strip_prefix(['、', '.', '．', ' '])?;
            (1, after.to_string())
        }
    };
    let mut label = rest.trim().trim_end_matches([':', '：']).to_string();
    // Drop a count: "甲县(3个)", "甲县 共3项", "甲县:5个".
    if let Some(open) = label.rfind('(')
        && label.ends_with(')')
        && label[open..].chars().any(|c| c.is_ascii_digit())
    {
        label.truncate(open);
    }
    if let Some(i) = label.find('共')
        && label[i + '共'.len_utf8()..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
    {
        label.truncate(i);
    }
    let label = label.trim().to_string();
    (!label.is_empty()).then_some((level, label))
}

/// "甲县（15个）" — a name that is a count of the rows below it.
fn counted_label(text: &str) -> Option<String> {
    let t = duban_core::text::normalize_width(text.trim());
    let inner = t.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let count = inner[open + 1..].trim();
    let digits = count.trim_end_matches(['个', '项', '件', '类']);
    (digits.len() < count.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| inner[..open].trim().to_string())
        .filter(|l| !l.is_empty())
}

/// The section a row opens, as (level, label), if it is a section row: a numbered label in the
/// name column or the first cell, "一" or "（一）" in 序号 with the label in 项目名称, a counted
/// name, or one text merged across the row. `lead_text` is the name, or the first text when the
/// name is blank.
pub(super) fn row_section(
    texts: &[(u32, Cow<'_, str>)],
    lead_text: &str,
    name_text: &str,
    seq_text: &str,
) -> Option<(u8, String)> {
    let first = texts.first().map_or("", |(_, t)| t.as_ref());
    let distinct: HashSet<&str> = texts.iter().map(|(_, t)| t.as_ref()).collect();
    section_label(lead_text)
        .or_else(|| section_label(first))
        .or_else(|| {
            // "一" or "（一）" in 序号 and the label in 项目名称.
            let seq = duban_core::text::normalize_width(seq_text.trim());
            let level = if !seq.is_empty() && seq.chars().all(|c| CN_NUM.contains(c)) {
                1
            } else if seq.starts_with('(') && seq.ends_with(')') && seq.len() > 2 {
                2
            } else {
                return None;
            };
            let label = counted_label(name_text).unwrap_or_else(|| name_text.to_string());
            (!label.is_empty()).then_some((level, label))
        })
        .or_else(|| counted_label(lead_text).map(|l| (1, l)))
        .or_else(|| {
            // A row merged across with one text and no numbering is a section too.
            (distinct.len() == 1 && texts.len() > 1).then(|| (1, first.to_string()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_labels() {
        assert_eq!(section_label("一、甲县（3个）"), Some((1, "甲县".into())));
        assert_eq!(
            section_label("（二）新开工项目"),
            Some((2, "新开工项目".into()))
        );
        assert_eq!(
            section_label("十二、市直部门 共5项"),
            Some((1, "市直部门".into()))
        );
        assert_eq!(
            section_label("第一部分 产业项目"),
            Some((1, "产业项目".into()))
        );
        assert_eq!(section_label("一中扩建项目"), None);
        assert_eq!(section_label("第二污水处理厂提标改造工程"), None);
        assert_eq!(section_label("第一中学迁建项目"), None);
        assert_eq!(
            section_label("第二批：续建项目"),
            Some((1, "续建项目".into()))
        );
        assert_eq!(
            section_label("（三）公共服务类"),
            Some((2, "公共服务类".into()))
        );
        assert_eq!(counted_label("甲县（15个）"), Some("甲县".into()));
        assert_eq!(counted_label("年产15万吨（一期）"), None);
        assert_eq!(section_label("甲县新材料项目"), None);
    }

    #[test]
    fn sections_set_defaults() {
        assert_eq!(
            Section::from_label("甲县").unwrap().region.as_deref(),
            Some("甲县")
        );
        assert_eq!(
            Section::from_label("新开工项目").unwrap().stage,
            Some(Stage::ToStart)
        );
        assert_eq!(
            Section::from_label("续建").unwrap().stage,
            Some(Stage::UnderConstruction)
        );
        assert_eq!(
            Section::from_label("民生实事").unwrap().kind,
            Some(ItemKind::Livelihood)
        );
        assert_eq!(
            Section::from_label("基础设施类")
                .unwrap()
                .category
                .as_deref(),
            Some("基础设施")
        );
        assert_eq!(
            Section::from_label("市发改委").unwrap().lead.as_deref(),
            Some("市发改委")
        );
    }
}

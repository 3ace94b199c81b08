//! 单位匹配 — an actor named in a speech matched to the unit directory: by name or alias, by
//! the short names officials use (市发改委 ↔ 市发展和改革委员会, 国土 ↔ 自然资源和规划局), and
//! a tier of territory to every region it covers (各县（市、区） ↔ every region). What cannot
//! be matched stays unmatched for the office to settle; nothing is dropped.

use duban_core::{Unit, UnitKind};

use crate::actors::ActorKind;

/// Short names of fields and the words of the full names they stand for.
const SHORT_NAMES: &[(&str, &[&str])] = &[
    ("发改", &["发展和改革", "发展改革"]),
    ("国土", &["自然资源", "国土资源"]),
    ("自然资源", &["自然资源", "国土资源"]),
    ("规划", &["规划"]),
    ("住建", &["住房和城乡建设", "住房城乡建设"]),
    ("工信", &["工业和信息化"]),
    ("经信", &["经济和信息化"]),
    ("人社", &["人力资源和社会保障"]),
    ("卫健", &["卫生健康"]),
    ("卫生", &["卫生健康", "卫生"]),
    ("文旅", &["文化和旅游", "文化旅游"]),
    ("市场监管", &["市场监督管理"]),
    ("环保", &["生态环境", "环境保护"]),
    ("生态环境", &["生态环境"]),
    ("城管", &["城市管理"]),
    ("科技", &["科学技术", "科技"]),
    ("投促", &["投资促进"]),
    ("招商", &["招商", "投资促进"]),
    ("审批", &["行政审批"]),
    ("国资", &["国有资产"]),
    ("金融", &["金融"]),
    ("医保", &["医疗保障"]),
    ("应急", &["应急管理"]),
    ("农业", &["农业农村", "农业"]),
    ("农业农村", &["农业农村"]),
    ("水务", &["水利", "水务"]),
    ("交通", &["交通运输", "交通"]),
    ("统计", &["统计"]),
    ("税务", &["税务"]),
    ("商务", &["商务"]),
    ("财政", &["财政"]),
    ("教育", &["教育"]),
    ("公安", &["公安"]),
    ("民政", &["民政"]),
    ("司法", &["司法"]),
    ("审计", &["审计"]),
    ("林业", &["林业"]),
    ("能源", &["能源"]),
    ("数据", &["数据"]),
    ("行政服务", &["政务服务", "行政服务"]),
    ("政务服务", &["政务服务", "行政服务"]),
    ("考核", &["考核"]),
    ("督查", &["督查"]),
];

/// Endings that say what sort of body it is, not which (财政局 → 财政).
const ENDINGS: &[&str] = &[
    "委员会",
    "办公室",
    "部门",
    "系统",
    "中心",
    "局",
    "委",
    "办",
    "厅",
    "室",
];

/// How the directory's city prefixes its departments (市财政局) and what a speech may put first.
const TIER_MARKS: &[char] = &['市', '县', '区', '州'];

/// The regions a tier covers: every region but the city above them.
fn regions(directory: &[Unit]) -> Vec<&Unit> {
    directory
        .iter()
        .filter(|u| u.kind == UnitKind::Region)
        .filter(|u| {
            !directory
                .iter()
                .any(|c| c.parent.as_deref() == Some(u.name.as_str()))
        })
        .collect()
}

/// `name` without its tier (市发改委 → 发改委) and its ending (发改委 → 发改).
fn stem(name: &str) -> (&str, &str) {
    let core = name.trim_start_matches(TIER_MARKS);
    let core = core.strip_suffix("等部门").unwrap_or(core);
    let bare = ENDINGS
        .iter()
        .find_map(|e| core.strip_suffix(e).filter(|s| s.chars().count() >= 2))
        .unwrap_or(core);
    (core, bare)
}

/// The units of `directory` an actor stands for (full names), best match first; empty when
/// none does.
pub fn match_actor(name: &str, kind: ActorKind, directory: &[Unit]) -> Vec<String> {
    let names = |us: Vec<&Unit>| us.into_iter().map(|u| u.name.clone()).collect();
    if let Some(u) = directory.iter().find(|u| u.answers_to(name)) {
        return vec![u.name.clone()];
    }
    if name.contains(['×', 'X', 'x']) || name.starts_with('省') || name.starts_with("国家") {
        return Vec::new();
    }
    match kind {
        ActorKind::Generic => Vec::new(),
        ActorKind::Territory | ActorKind::Post => {
            // 各县（市、区）, 各县区政府, 县市长: every region. 各乡镇 are below the directory.
            let covers_regions = (name.starts_with('各') || kind == ActorKind::Post)
                && name.contains(['县', '区'])
                && !name.contains("乡镇");
            if covers_regions {
                return names(regions(directory));
            }
            if kind == ActorKind::Post {
                return Vec::new();
            }
            let (_, bare) = stem(name);
            let bare = bare.trim_end_matches(['县', '区', '市', '旗']);
            names(
                regions(directory)
                    .into_iter()
                    .filter(|u| bare.chars().count() >= 2 && u.name.starts_with(bare))
                    .collect(),
            )
        }
        ActorKind::Body => {
            let (core, bare) = stem(name);
            let departments: Vec<&Unit> = directory
                .iter()
                .filter(|u| u.kind == UnitKind::Department)
                .collect();
            // The same name under the directory's tier: 发改委 → 市发改委.
            for mark in TIER_MARKS {
                let with = format!("{mark}{core}");
                if let Some(u) = departments.iter().find(|u| u.answers_to(&with)) {
                    return vec![u.name.clone()];
                }
            }
            let words: Vec<&str> = SHORT_NAMES
                .iter()
                .filter(|(short, _)| bare == *short || bare.starts_with(short))
                .flat_map(|(_, words)| words.iter().copied())
                .collect();
            let found: Vec<&Unit> = departments
                .iter()
                .copied()
                .filter(|u| {
                    let (ucore, _) = stem(&u.name);
                    ucore == core
                        || words.iter().any(|w| ucore.contains(w))
                        || (bare.chars().count() >= 2 && ucore.starts_with(bare))
                })
                .collect();
            // Several: the shortest names first (财政 → 市财政局 before 市财政投资评审中心).
            let mut found = found;
            found.sort_by_key(|u| u.name.chars().count());
            names(found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Vec<Unit> {
        let mut units = vec![Unit::new("临川市", UnitKind::Region)];
        for r in ["东山县", "西河区", "高新技术产业开发区"] {
            let mut u = Unit::new(r, UnitKind::Region);
            u.parent = Some("临川市".into());
            units.push(u);
        }
        units.last_mut().unwrap().aliases = vec!["高新区".into()];
        for d in [
            "市发展和改革委员会",
            "市财政局",
            "市自然资源和规划局",
            "市住房和城乡建设局",
            "市商务局",
            "市地方金融管理局",
        ] {
            units.push(Unit::new(d, UnitKind::Department));
        }
        units
    }

    #[test]
    fn bodies_by_name_short_name_and_field() {
        let d = directory();
        let m = |n: &str| match_actor(n, ActorKind::Body, &d);
        assert_eq!(m("市发改委"), ["市发展和改革委员会"]);
        assert_eq!(m("发改委"), ["市发展和改革委员会"]);
        assert_eq!(m("国土"), ["市自然资源和规划局"]);
        assert_eq!(m("市国土局"), ["市自然资源和规划局"]);
        assert_eq!(m("财政"), ["市财政局"]);
        assert_eq!(m("市住建局"), ["市住房和城乡建设局"]);
        assert_eq!(m("商务部门"), ["市商务局"]);
        assert_eq!(m("州金融办"), ["市地方金融管理局"]);
        assert!(
            m("省国土厅").is_empty(),
            "a province's body is not the city's"
        );
        assert!(
            m("市考核办").is_empty(),
            "unknown to the directory: unmatched"
        );
    }

    #[test]
    fn tiers_cover_every_region_and_places_match_by_name() {
        let d = directory();
        let all = ["东山县", "西河区", "高新技术产业开发区"];
        assert_eq!(match_actor("各县（市、区）", ActorKind::Territory, &d), all);
        assert_eq!(match_actor("各县区政府", ActorKind::Territory, &d), all);
        assert_eq!(match_actor("县市长", ActorKind::Post, &d), all);
        assert!(match_actor("各乡镇", ActorKind::Territory, &d).is_empty());
        assert_eq!(
            match_actor("高新区", ActorKind::Territory, &d),
            ["高新技术产业开发区"]
        );
        assert_eq!(match_actor("东山县", ActorKind::Territory, &d), ["东山县"]);
        assert!(match_actor("×县", ActorKind::Territory, &d).is_empty());
        assert!(match_actor("各级各部门", ActorKind::Generic, &d).is_empty());
    }
}

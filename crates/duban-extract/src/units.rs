//! 单位匹配 — an actor named in a speech matched to the unit directory: by name or alias, by
//! the short names officials use (市发改委 ↔ 市发展和改革委员会, 国土 ↔ 自然资源和规划局), and
//! a tier of territory to every region it covers (各县（市、区） ↔ every region). What cannot
//! be matched stays unmatched for the office to settle; nothing is dropped.

use std::collections::HashSet;

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

/// The regions a tier covers: every region but the city above them (a unit some other names
/// as its parent; the parents are gathered once, not looked for per region).
fn regions(directory: &[Unit]) -> Vec<&Unit> {
    let parents: HashSet<&str> = directory
        .iter()
        .filter_map(|c| c.parent.as_deref())
        .collect();
    directory
        .iter()
        .filter(|u| u.kind == UnitKind::Region)
        .filter(|u| !parents.contains(u.name.as_str()))
        .collect()
}

/// `name` without its tier (市发改委 → 发改委) and its ending (发改委 → 发改).
fn stem(name: &str) -> (&str, &str) {
    // 各级农业农村部门: the field's bodies at every tier are the directory's one.
    let name = name
        .strip_prefix("各级")
        .or_else(|| name.strip_prefix('各'))
        .unwrap_or(name);
    // One tier mark, and not the first character of a word (市场监管局, 市政公用局).
    let core = match name.strip_prefix(TIER_MARKS) {
        Some(rest) if !rest.starts_with(['场', '政']) || rest.starts_with("政府") => rest,
        _ => name,
    };
    let core = core.strip_suffix("等部门").unwrap_or(core);
    let bare = ENDINGS
        .iter()
        .find_map(|e| core.strip_suffix(e).filter(|s| s.chars().count() >= 2))
        .unwrap_or(core);
    (core, bare)
}

/// The governments and party committees of the tier itself: matched only by an alias.
const OWN_TIER: &[&str] = &[
    "市委",
    "市政府",
    "市人民政府",
    "市委市政府",
    "县委",
    "县政府",
    "县人民政府",
    "县委县政府",
    "区委",
    "区政府",
];

/// Zones among the regions: 开发区, 园区, 高新区 ….
const ZONES: &[&str] = &["开发区", "园区", "新区", "示范区", "高新区"];

/// What a body's name says of a place it governs: 白水县政府 → 白水.
fn place_of(name: &str) -> Option<&str> {
    let place = ["人民政府", "党委政府", "政府", "党委", "县委"]
        .iter()
        .find_map(|e| name.strip_suffix(e))?
        .trim_end_matches(['县', '区', '市', '旗']);
    (place.chars().count() >= 2).then_some(place)
}

/// The regions whose name starts with `place`.
fn regions_named<'a>(directory: &'a [Unit], place: &str) -> Vec<&'a Unit> {
    regions(directory)
        .into_iter()
        .filter(|u| place.chars().count() >= 2 && u.name.starts_with(place))
        .collect()
}

/// The units of `directory` an actor stands for (full names); empty when none does. A body
/// is one unit (the best match); a tier is every unit it covers.
pub fn match_actor(name: &str, kind: ActorKind, directory: &[Unit]) -> Vec<String> {
    let names = |us: Vec<&Unit>| us.into_iter().map(|u| u.name.clone()).collect();
    if let Some(u) = directory.iter().find(|u| u.answers_to(name)) {
        return vec![u.name.clone()];
    }
    if name.contains(['×', 'X', 'x'])
        || name.starts_with('省')
        || name.starts_with("国家")
        || OWN_TIER.contains(&name)
    {
        return Vec::new();
    }
    match kind {
        ActorKind::Generic => Vec::new(),
        ActorKind::Territory | ActorKind::Post => {
            // 各开发区, 各园区: the zones among the regions.
            if name.starts_with('各') && ZONES.iter().any(|z| name.contains(z)) {
                let zone = |n: &str| ZONES.iter().any(|z| n.ends_with(z));
                return names(
                    regions(directory)
                        .into_iter()
                        .filter(|u| zone(&u.name) || u.aliases.iter().any(|a| zone(a)))
                        .collect(),
                );
            }
            // 各县（市、区）, 各县区政府, 县市长: every region. 各乡镇 are below the directory.
            let covers_regions =
                (name.starts_with('各') || name.starts_with("每个") || kind == ActorKind::Post)
                    && name.contains(['县', '区'])
                    && !name.contains("乡镇");
            if covers_regions {
                return names(regions(directory));
            }
            if kind == ActorKind::Post {
                return Vec::new();
            }
            let place =
                place_of(name).unwrap_or_else(|| name.trim_end_matches(['县', '区', '市', '旗']));
            names(regions_named(directory, place))
        }
        ActorKind::Body => {
            // 白水县政府, 云川县党委: the region itself.
            if let Some(place) = place_of(name) {
                return names(
                    regions_named(directory, place)
                        .into_iter()
                        .take(1)
                        .collect(),
                );
            }
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
            // How well a unit answers, best first: the same name; a name starting with the
            // short name's words or the bare name; one containing them.
            let rank = |u: &Unit| {
                let (ucore, _) = stem(&u.name);
                if ucore == core {
                    Some(0)
                } else if words.iter().any(|w| ucore.starts_with(w))
                    || (bare.chars().count() >= 2 && ucore.starts_with(bare))
                {
                    Some(1)
                } else if words.iter().any(|w| ucore.contains(w)) {
                    Some(2)
                } else {
                    None
                }
            };
            // One body is one unit: the best match, the shortest name among equals (财政 →
            // 市财政局, not 市财政投资评审中心).
            departments
                .into_iter()
                .filter_map(|u| rank(u).map(|r| (r, u.name.chars().count(), u)))
                .min_by_key(|(r, len, _)| (*r, *len))
                .map(|(_, _, u)| vec![u.name.clone()])
                .unwrap_or_default()
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
            "市财政投资评审中心",
            "市市场监督管理局",
            "市城市管理局",
            "市城市管理综合执法支队",
            "市公安局",
            "市公安局交通警察支队",
            "市政府办公室",
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
        assert_eq!(m("各级财政部门"), ["市财政局"]);
        assert_eq!(m("市场监管部门"), ["市市场监督管理局"], "市场 keeps its 市");
        assert_eq!(m("市城管局"), ["市城市管理局"], "one body, one unit");
        assert_eq!(
            m("财政部门"),
            ["市财政局"],
            "the department, not its centre"
        );
        assert_eq!(m("公安机关"), ["市公安局"]);
        assert!(
            m("市政府").is_empty(),
            "the city's own government: only by alias"
        );
        assert_eq!(
            m("东山县政府"),
            ["东山县"],
            "a county's government is the county"
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
        assert_eq!(match_actor("每个县市区", ActorKind::Territory, &d), all);
        assert_eq!(match_actor("县市长", ActorKind::Post, &d), all);
        assert!(match_actor("各乡镇", ActorKind::Territory, &d).is_empty());
        assert_eq!(
            match_actor("各开发区", ActorKind::Territory, &d),
            ["高新技术产业开发区"],
            "the zones only"
        );
        assert_eq!(
            match_actor("高新区", ActorKind::Territory, &d),
            ["高新技术产业开发区"]
        );
        assert_eq!(match_actor("东山县", ActorKind::Territory, &d), ["东山县"]);
        assert!(match_actor("×县", ActorKind::Territory, &d).is_empty());
        assert!(match_actor("各级各部门", ActorKind::Generic, &d).is_empty());
    }
}

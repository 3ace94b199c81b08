//! 单位 — the unit directory: regions (县/市/区/开发区) and departments, with a hierarchy.

use serde::{Deserialize, Serialize};

crate::labelled_enum! {
    /// 单位类型 — whether a unit is a territory or a department.
    pub enum UnitKind ("单位类型") {
        /// 县区 — a county, county-level city, district, development or demonstration zone.
        Region = "region", "县区", ["县市区", "区域", "地区"],
        /// 部门 — a city department or another body.
        Department = "department", "部门", ["市直部门", "单位"],
    }
}

impl UnitKind {
    /// Guesses the kind from a name as officials write it: "甲县", "高新区", "××市" (a
    /// county-level city) are regions; "市财政局", "市发改委" are departments.
    pub fn guess(name: &str) -> UnitKind {
        let n = name.trim();
        let region_suffix = [
            "县",
            "区",
            "旗",
            "开发区",
            "示范区",
            "新区",
            "园区",
            "管委会",
            "片区",
        ];
        if region_suffix.iter().any(|s| n.ends_with(s)) {
            return UnitKind::Region;
        }
        // "××市" is a county-level city; "市××局" is a city department.
        if n.ends_with('市') && !n.starts_with('市') && n.chars().count() >= 2 {
            return UnitKind::Region;
        }
        UnitKind::Department
    }
}

/// 单位 — a responsible unit: a region or a department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// 单位名称 — the full name, unique in the directory.
    pub name: String,
    pub kind: UnitKind,
    /// 上级单位 — the parent unit, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// 简称/别名 — short names and aliases ("市发改委" for 市发展和改革委员会), each unique.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Unit {
    pub fn new(name: impl Into<String>, kind: UnitKind) -> Unit {
        Unit {
            name: name.into(),
            kind,
            parent: None,
            aliases: Vec::new(),
        }
    }

    /// Whether `name` is this unit's name or one of its aliases.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.iter().any(|a| a == name)
    }
}

/// Finds the unit someone means by `text` in a filter: its name or an alias as written, else
/// the one unit whose name or alias begins with it (青山 → 青山区; 发改委 → 市发改委, read
/// without the leading 市). Several or none: a sentence saying so.
pub fn find_unit<'a>(units: &'a [Unit], text: &str) -> Result<&'a Unit, String> {
    let t = text.trim();
    if let Some(u) = units.iter().find(|u| u.answers_to(t)) {
        return Ok(u);
    }
    let begins = |n: &str| {
        !t.is_empty()
            && (n.starts_with(t) || n.strip_prefix('市').is_some_and(|r| r.starts_with(t)))
    };
    let found: Vec<&Unit> = units
        .iter()
        .filter(|u| begins(&u.name) || u.aliases.iter().any(|a| begins(a)))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("单位目录中没有“{t}”（可写全称、简称或开头几个字）")),
        many => Err(format!(
            "“{t}”可指{}，请写全称或简称",
            many.iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_found_by_alias_or_unique_prefix() {
        let mut fgw = Unit::new("市发展和改革委员会", UnitKind::Department);
        fgw.aliases = vec!["市发改委".into(), "发改".into()];
        let mut czj = Unit::new("市财政局", UnitKind::Department);
        czj.aliases = vec!["财政".into()];
        let units = vec![
            fgw,
            czj,
            Unit::new("青山区", UnitKind::Region),
            Unit::new("白水县", UnitKind::Region),
            Unit::new("白沙县", UnitKind::Region),
        ];
        let name = |t: &str| find_unit(&units, t).map(|u| u.name.as_str());
        assert_eq!(name("市发改委"), Ok("市发展和改革委员会"), "an alias");
        assert_eq!(
            name("发改委"),
            Ok("市发展和改革委员会"),
            "an alias without 市"
        );
        assert_eq!(name("青山"), Ok("青山区"), "a unique prefix");
        assert_eq!(name(" 市财政局 "), Ok("市财政局"));
        assert_eq!(name("财政局"), Ok("市财政局"));
        let e = name("白").unwrap_err();
        assert!(e.contains("白水县、白沙县"), "{e}");
        assert!(name("火星县").unwrap_err().contains("没有“火星县”"));
    }

    #[test]
    fn kinds_guessed_from_names() {
        for r in [
            "白水县",
            "青山区",
            "高新技术产业开发区",
            "云台市",
            "经开区管委会",
        ] {
            assert_eq!(UnitKind::guess(r), UnitKind::Region, "{r}");
        }
        for d in [
            "市财政局",
            "市发改委",
            "市自然资源和规划局",
            "市政府办公室",
            "市金融办",
        ] {
            assert_eq!(UnitKind::guess(d), UnitKind::Department, "{d}");
        }
    }

    #[test]
    fn kind_reads_codes_and_labels() {
        assert_eq!(UnitKind::parse("县区").unwrap(), UnitKind::Region);
        assert_eq!(UnitKind::parse("department").unwrap(), UnitKind::Department);
        let e = UnitKind::parse("乡镇").unwrap_err().to_string();
        assert!(e.contains("县区、部门"), "{e}");
    }
}

//! 账号与角色 — who uses duban and what each role may see and change: the supervision office
//! sees and does everything; a unit reporter sees its own unit's items and reports only for
//! them; a leader sees the items they lead; judges and viewers read.

use serde::Serialize;

use crate::item::Item;
use crate::leader::Leader;
use crate::problem::Role;

crate::labelled_enum! {
    /// 角色 — what an account may do.
    pub enum AccountRole ("角色") {
        /// 督查室 — the supervision office: everything, including accounts.
        Admin = "admin", "督查室管理员", ["督查室", "管理员"],
        /// 包抓领导 — a leader: reads the items they lead.
        Leader = "leader", "包抓领导", ["领导"],
        /// 责任单位填报员 — reports for its unit's items, answers its problems.
        Reporter = "reporter", "责任单位填报员", ["填报员", "责任单位"],
        /// 观摩评委 — a judge of inspection tours: reads everything.
        Judge = "judge", "观摩评委", ["评委"],
        /// 只读 — reads everything, changes nothing.
        Viewer = "viewer", "只读用户", ["只读", "查看"],
    }
}

/// 账号 — a person who signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    /// 用户名
    pub username: String,
    /// 姓名
    pub display_name: String,
    pub role: AccountRole,
    /// 所属单位 — required for a reporter.
    pub unit: Option<String>,
    /// The leader this account is (role leader).
    pub leader: Option<Leader>,
}

/// Which items an account may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Items the unit leads, co-operates on, or that lie in it (a region).
    Unit(String),
    /// Items the leader is in charge of.
    Leader(Leader),
    /// Nothing (a reporter or leader whose unit or person is not set).
    Nothing,
}

impl Visibility {
    /// Does this visibility include `item`?
    pub fn admits(&self, item: &Item) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Nothing => false,
            Visibility::Unit(u) => {
                item.lead_unit == *u
                    || item.region.as_deref() == Some(u.as_str())
                    || item.co_units.contains(u)
            }
            Visibility::Leader(l) => item.leader.as_ref() == Some(l),
        }
    }
}

impl Account {
    pub fn visibility(&self) -> Visibility {
        match self.role {
            AccountRole::Admin | AccountRole::Judge | AccountRole::Viewer => Visibility::All,
            AccountRole::Reporter => self
                .unit
                .clone()
                .map_or(Visibility::Nothing, Visibility::Unit),
            AccountRole::Leader => self
                .leader
                .clone()
                .map_or(Visibility::Nothing, Visibility::Leader),
        }
    }

    /// May this account read `item`?
    pub fn can_see(&self, item: &Item) -> bool {
        self.visibility().admits(item)
    }

    /// May this account submit reports for `item`? The office, and the unit that leads it or
    /// the region it lies in.
    pub fn can_report(&self, item: &Item) -> bool {
        match self.role {
            AccountRole::Admin => true,
            AccountRole::Reporter => self
                .unit
                .as_deref()
                .is_some_and(|u| item.lead_unit == u || item.region.as_deref() == Some(u)),
            _ => false,
        }
    }

    /// The role this account plays on the problem list, if any.
    pub fn problem_role(&self) -> Option<Role> {
        match self.role {
            AccountRole::Admin => Some(Role::Office),
            AccountRole::Reporter => self.unit.clone().map(Role::Unit),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == AccountRole::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ItemKind;

    fn account(role: AccountRole, unit: Option<&str>, leader: Option<Leader>) -> Account {
        Account {
            id: 1,
            username: "u".into(),
            display_name: "某".into(),
            role,
            unit: unit.map(Into::into),
            leader,
        }
    }

    #[test]
    fn each_role_sees_and_reports_what_it_should() {
        let mut item = Item::new(2025, ItemKind::Project, "某项目", "市发改委");
        item.region = Some("白水县".into());
        item.co_units = vec!["市财政局".into()];
        let wang = Leader::new("王某", Some("副市长"));
        item.leader = Some(wang.clone());

        let county = account(AccountRole::Reporter, Some("白水县"), None);
        let finance = account(AccountRole::Reporter, Some("市财政局"), None);
        let other = account(AccountRole::Reporter, Some("云台县"), None);
        assert!(
            county.can_see(&item) && county.can_report(&item),
            "the region reports"
        );
        assert!(
            finance.can_see(&item) && !finance.can_report(&item),
            "co-operating reads only"
        );
        assert!(!other.can_see(&item) && !other.can_report(&item));

        let leader = account(AccountRole::Leader, None, Some(wang));
        let other_leader = account(
            AccountRole::Leader,
            None,
            Some(Leader::new("李某", Some("副市长"))),
        );
        assert!(leader.can_see(&item) && !leader.can_report(&item));
        assert!(!other_leader.can_see(&item));

        for r in [AccountRole::Judge, AccountRole::Viewer] {
            let a = account(r, None, None);
            assert!(a.can_see(&item) && !a.can_report(&item) && a.problem_role().is_none());
        }
        let admin = account(AccountRole::Admin, None, None);
        assert!(admin.can_report(&item) && admin.problem_role() == Some(Role::Office));
        assert_eq!(
            account(AccountRole::Reporter, None, None).visibility(),
            Visibility::Nothing
        );
    }
}

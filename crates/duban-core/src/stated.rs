//! 列覆盖 — which fields a source (a ledger sheet with only some columns) actually states, so
//! that re-importing a narrower sheet updates those fields and keeps the others.

use std::collections::BTreeSet;

use crate::item::Item;

pub use crate::item::ItemField;

/// The fields a source states, and the names of the extra columns it carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatedFields {
    pub fields: BTreeSet<ItemField>,
    pub extra: BTreeSet<String>,
}

impl StatedFields {
    pub fn states(&self, f: ItemField) -> bool {
        self.fields.contains(&f)
    }
}

impl Item {
    /// Takes from `stored` every field this item's source does not state, and every extra
    /// column the source does not carry: a re-import of a narrower sheet loses nothing.
    pub fn keep_unstated(&mut self, stored: &Item, stated: &StatedFields) {
        self.keep_unstated_fields(stored, stated);
        for (k, v) in &stored.extra {
            if !stated.extra.contains(k) {
                self.extra.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ItemKind, MoneyUnit, Stage, Wan};

    #[test]
    fn a_narrower_sheet_updates_what_it_states_and_keeps_the_rest() {
        let mut stored = Item::new(2025, ItemKind::Project, "某项目", "甲县");
        stored.owner = Some("甲公司".into());
        stored.stage = Some(Stage::ToStart);
        stored.total_investment = Some(Wan::parse("100", MoneyUnit::Wan).unwrap());
        stored.extra.insert("资金来源".into(), "专项债".into());
        stored.extra.insert("县级领导".into(), "李某".into());

        let mut incoming = Item::new(2025, ItemKind::Project, "某项目", "甲县");
        incoming.stage = Some(Stage::UnderConstruction);
        incoming.extra.insert("县级领导".into(), "赵某".into());
        let stated = StatedFields {
            fields: [ItemField::Stage, ItemField::Owner].into_iter().collect(),
            extra: ["县级领导".to_string()].into_iter().collect(),
        };
        incoming.keep_unstated(&stored, &stated);
        assert_eq!(incoming.stage, Some(Stage::UnderConstruction));
        assert_eq!(
            incoming.owner, None,
            "a stated, blank column clears the field"
        );
        assert_eq!(
            incoming.total_investment, stored.total_investment,
            "an absent column keeps it"
        );
        assert_eq!(incoming.extra["资金来源"], "专项债");
        assert_eq!(incoming.extra["县级领导"], "赵某");
    }
}

//! `Table<T>`: one kind of an org's objects keyed by id, remembering which ids changed since
//! the last `take_changed`, so `--state-dir` persists only what a write touched.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

/// Reads go through `Deref` to the map; every way to change it goes through a method here, so
/// no change escapes the change set (the compiler refuses `&mut` access to the map itself).
#[derive(Debug, Clone)]
pub struct Table<T> {
    rows: BTreeMap<String, T>,
    changed: BTreeSet<String>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: BTreeMap::new(),
            changed: BTreeSet::new(),
        }
    }
}

impl<T> Deref for Table<T> {
    type Target = BTreeMap<String, T>;
    fn deref(&self) -> &Self::Target {
        &self.rows
    }
}

impl<T> Table<T> {
    pub fn insert(&mut self, id: String, value: T) -> Option<T> {
        self.changed.insert(id.clone());
        self.rows.insert(id, value)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let value = self.rows.get_mut(id)?;
        self.changed.insert(id.to_string());
        Some(value)
    }

    pub fn remove(&mut self, id: &str) -> Option<T> {
        let removed = self.rows.remove(id)?;
        self.changed.insert(id.to_string());
        Some(removed)
    }

    pub fn entry(&mut self, id: String) -> Entry<'_, String, T> {
        self.changed.insert(id.clone());
        self.rows.entry(id)
    }

    /// Marks every row changed: the caller may touch any of them.
    pub fn values_mut(&mut self) -> std::collections::btree_map::ValuesMut<'_, String, T> {
        self.changed.extend(self.rows.keys().cloned());
        self.rows.values_mut()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut T) -> bool) {
        let changed = &mut self.changed;
        self.rows.retain(|id, value| {
            let kept = keep(id, value);
            if !kept {
                changed.insert(id.clone());
            }
            kept
        });
    }

    /// Ids written or removed since the last call; a removed id is no longer in the table.
    pub fn take_changed(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.changed)
    }

    /// Puts a saved row back without marking it changed.
    pub fn load(&mut self, id: String, value: T) {
        self.rows.insert(id, value);
    }

    /// Forgets pending changes (after a full save).
    pub fn clear_changed(&mut self) {
        self.changed.clear();
    }
}

impl<T> FromIterator<(String, T)> for Table<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> Self {
        Table {
            rows: iter.into_iter().collect(),
            changed: BTreeSet::new(),
        }
    }
}

// Serialized as the bare map, so the JSON shape of a saved store is what it was before tables.
impl<T: Serialize> Serialize for Table<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.rows.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Table {
            rows: BTreeMap::deserialize(deserializer)?,
            changed: BTreeSet::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn every_change_is_remembered_once_and_reads_are_not() {
        let mut table: Table<u32> = Table::default();
        table.insert("a".to_string(), 1);
        table.insert("b".to_string(), 2);
        assert_eq!(
            table.take_changed().into_iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(table.get("a"), Some(&1));
        assert!(table.take_changed().is_empty(), "a read changes nothing");
        if let Some(value) = table.get_mut("b") {
            *value = 3;
        }
        table.remove("a");
        table.retain(|_, _| true);
        assert_eq!(
            table.take_changed().into_iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(table.get_mut("missing").is_none());
        assert!(table.take_changed().is_empty(), "a miss changes nothing");
    }
}

//! The tree flattened into the rows a render draws: only what is open, each
//! row with its depth and parent so the keyboard can walk it as the ARIA
//! tree pattern asks. Large branches stop at a cap with a row saying how
//! many more there are.

use engine::{KindGroup, ObjectTree, TreeEntry};
use std::collections::HashMap;

/// A namespace with more objects than this starts collapsed.
pub const COLLAPSE_ABOVE: usize = 40;
/// The most children one branch draws.
const MAX_CHILDREN: usize = 100;
/// The most rows drawn in all.
const MAX_ROWS: usize = 1500;

/// One object, as the bridge reads it: kind, namespace, name.
pub type Key = (String, String, String);

/// What a row shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Label {
    Namespace { name: String, status: String, size: usize },
    Group { kind: String, count: usize },
    ClusterScoped { count: usize },
    Entry { kind: String, name: String, status: Vec<(String, String)> },
    More(usize),
}

/// One drawn row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub id: String,
    pub parent: Option<String>,
    /// From 0 (aria-level is one more).
    pub depth: usize,
    pub label: Label,
    /// `Some(open)` for a row with children.
    pub expanded: Option<bool>,
    /// The object it stands for.
    pub object: Option<Key>,
}

struct Walk<'a> {
    open: &'a HashMap<String, bool>,
    filtering: bool,
    rows: Vec<Row>,
    left: usize,
}

impl Walk<'_> {
    fn is_open(&self, id: &str, default: bool) -> bool {
        self.open.get(id).copied().unwrap_or(self.filtering || default)
    }

    fn push(&mut self, row: Row) -> bool {
        if self.rows.len() >= MAX_ROWS {
            self.left += 1;
            return false;
        }
        self.rows.push(row);
        true
    }

    /// Rows for `items`, at most `MAX_CHILDREN`, then a "more" row.
    fn children<T>(&mut self, parent: &str, depth: usize, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        for item in items.iter().take(MAX_CHILDREN) {
            each(self, item);
        }
        if items.len() > MAX_CHILDREN {
            let more = items.len() - MAX_CHILDREN;
            self.push(Row {
                id: format!("{parent}/more"),
                parent: Some(parent.to_string()),
                depth,
                label: Label::More(more),
                expanded: None,
                object: None,
            });
        }
    }

    fn entry(&mut self, parent: &str, depth: usize, e: &TreeEntry) {
        let id = format!("obj:{}/{}/{}", e.kind, e.namespace, e.name);
        let expanded = (!e.children.is_empty()).then(|| self.is_open(&id, true));
        let pushed = self.push(Row {
            id: id.clone(),
            parent: Some(parent.to_string()),
            depth,
            label: Label::Entry { kind: e.kind.clone(), name: e.name.clone(), status: e.status.clone() },
            expanded,
            object: Some((e.kind.clone(), e.namespace.clone(), e.name.clone())),
        });
        if pushed && expanded == Some(true) {
            self.children(&id, depth + 1, &e.children, |w, c| w.entry(&id, depth + 1, c));
        }
    }

    fn group(&mut self, parent: &str, depth: usize, g: &KindGroup) {
        let id = format!("{parent}/kind:{}", g.kind);
        let expanded = self.is_open(&id, false);
        let pushed = self.push(Row {
            id: id.clone(),
            parent: Some(parent.to_string()),
            depth,
            label: Label::Group { kind: g.kind.clone(), count: g.entries.len() },
            expanded: Some(expanded),
            object: None,
        });
        if pushed && expanded {
            self.children(&id, depth + 1, &g.entries, |w, e| w.entry(&id, depth + 1, e));
        }
    }
}

/// The rows to draw. `open` holds what the user opened or closed; the rest
/// follow the defaults: small namespaces and owners open, kind groups and
/// the cluster-scoped group closed; while filtering, all that the user has
/// not closed is open.
/// Also returns how many rows the overall cap left out.
pub fn rows(tree: &ObjectTree, open: &HashMap<String, bool>, filtering: bool) -> (Vec<Row>, usize) {
    let mut walk = Walk { open, filtering, rows: Vec::new(), left: 0 };
    for ns in &tree.namespaces {
        let id = format!("ns:{}", ns.name);
        let expanded = walk.is_open(&id, ns.size <= COLLAPSE_ABOVE);
        let pushed = walk.push(Row {
            id: id.clone(),
            parent: None,
            depth: 0,
            label: Label::Namespace { name: ns.name.clone(), status: ns.status.clone(), size: ns.size },
            expanded: Some(expanded),
            object: None,
        });
        if pushed && expanded {
            walk.children(&id, 1, &ns.workloads, |w, e| w.entry(&id, 1, e));
            for g in &ns.groups {
                walk.group(&id, 1, g);
            }
        }
    }
    if !tree.cluster.is_empty() {
        let id = "cluster".to_string();
        let expanded = walk.is_open(&id, false);
        let count = tree.cluster.iter().map(|g| g.entries.len()).sum();
        let pushed = walk.push(Row {
            id: id.clone(),
            parent: None,
            depth: 0,
            label: Label::ClusterScoped { count },
            expanded: Some(expanded),
            object: None,
        });
        if pushed && expanded {
            for g in &tree.cluster {
                walk.group(&id, 1, g);
            }
        }
    }
    let left = walk.left;
    (walk.rows, left)
}

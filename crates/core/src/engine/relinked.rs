//! Derived changes: the records whose row may read differently because another record arrived or changed
//! (a designation that makes its supplier SANCTIONED or only a possible match, a supplier that puts `⚑`
//! before a target, a package whose move changes what covers its shortages). Each is a change of its own,
//! [`Change::Relinked`]: the dashboard marks it `~` and filters it again, the rules that read links look at
//! it again (and can make news of it), `follow` prints it.

use super::change::Change;
use crate::model::links::Links;
use crate::model::store::Store;
use crate::model::vocab::Kind;
use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;

/// The records linked to the news among `changes`, each once, those that changed themselves left out.
pub fn of(store: &Store, links: &Links, changes: &[Change]) -> Vec<Change> {
    let mut itself: HashSet<(Kind, &str)> = HashSet::default();
    let mut news: Vec<(Kind, &Arc<str>)> = Vec::new();
    for c in changes {
        if let Change::RecordAdded { kind, id, news: true, .. } | Change::RecordUpdated { kind, id, news: true, .. } = c
        {
            itself.insert((*kind, id));
            news.push((*kind, id));
        }
    }
    let mut seen: HashSet<(Kind, String)> = HashSet::default();
    let mut out = Vec::new();
    for (kind, id) in news {
        let linked: Vec<(Kind, String)> = match kind {
            Kind::Sanctions | Kind::Suppliers => {
                let info = links.row_info(store, kind, id);
                info.parties.into_iter().chain(info.possible).collect()
            }
            // A package's shortages only when the move can change what covers them.
            Kind::Aid if moves_cover(store, links, id) => {
                let shortages = store.panel(Kind::Shortages);
                let addressed = links.addressed(store, id).into_iter().filter_map(|h| shortages.id_of(h));
                addressed.map(|i| (Kind::Shortages, i.to_owned())).collect()
            }
            Kind::Aid | Kind::Shortages => Vec::new(),
        };
        for (k, i) in linked {
            if itself.contains(&(k, i.as_str())) || !seen.insert((k, i.clone())) {
                continue;
            }
            out.push(Change::Relinked { kind: k, id: i, by: (kind, id.to_string()) });
        }
    }
    out
}

/// Whether a package's version just applied can change what covers a shortage, against the version in force
/// before it (see [`Links::changes_cover`]); an older version arriving late changes nothing.
fn moves_cover(store: &Store, links: &Links, package: &str) -> bool {
    let Some(entry) = store.panel(Kind::Aid).get(package) else { return false };
    let versions = entry.history();
    let current = entry.current();
    if versions.iter().any(|v| v.seq > current.seq) {
        return false;
    }
    let before = versions.len().checked_sub(2).map(|i| versions[i].packed());
    links.changes_cover(store.texts(), before, Some(current.packed()))
}

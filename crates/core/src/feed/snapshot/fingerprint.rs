//! What is remembered of a published list's record between downloads and runs: its name and a hash of
//! each field's value, by id. A list of a million rows holds a million of these, so each is one allocation
//! of (field, hash) pairs, the fields by their number among the feed's field names ([`FieldNames`]),
//! rather than a map of names. The state file keeps the shape it always had: `{"title", "fields": {field:
//! hash}}` for each `kind/id`.

use crate::model::record::Record;
use crate::model::Kind;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};

/// The field names a feed's fingerprints use, each kept once and known by its number.
#[derive(Debug, Default)]
pub struct FieldNames {
    names: Vec<Box<str>>,
    numbers: HashMap<Box<str>, u32>,
}

impl FieldNames {
    fn number(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.numbers.get(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.into());
        self.numbers.insert(name.into(), n);
        n
    }

    fn name(&self, n: u32) -> &str {
        self.names.get(n as usize).map_or("", |s| s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub title: Box<str>,
    /// (the field's number in the feed's [`FieldNames`], a hash of its value's JSON), by number.
    fields: Box<[(u32, u64)]>,
    /// For a row the list gives no date of its own (OFAC's, an entity without one): when this
    /// installation first saw it (RFC 3339), which dates the row from then on.
    pub first_seen: Option<Box<str>>,
}

/// A field that says how a row is dated, not what the list says: left out of its fingerprint.
pub const DATED: &str = "dated";

impl Fingerprint {
    pub fn of(r: &Record, names: &mut FieldNames) -> Self {
        let mut fields: Vec<(u32, u64)> = r
            .fields_json()
            .into_iter()
            .filter(|(k, _)| k != "action" && k != DATED)
            .map(|(k, v)| {
                // The hash of the value's JSON text, written straight into the hash.
                let mut h = crate::state::Fnv1a::default();
                let _ = serde_json::to_writer(&mut h, &v);
                (names.number(&k), h.0)
            })
            .collect();
        fields.sort_unstable();
        Fingerprint { title: r.title().into(), fields: fields.into(), first_seen: None }
    }

    /// The fields whose values differ, were added or were removed, by name, sorted.
    pub fn changed(&self, newer: &Fingerprint, names: &FieldNames) -> Vec<String> {
        let (old, new) = (&self.fields, &newer.fields);
        let mut out: Vec<String> = new
            .iter()
            .filter(|(n, v)| old.binary_search_by_key(n, |f| f.0).map(|i| old[i].1) != Ok(*v))
            .chain(old.iter().filter(|(n, _)| new.binary_search_by_key(n, |f| f.0).is_err()))
            .map(|(n, _)| names.name(*n).to_owned())
            .collect();
        out.sort();
        out
    }

    /// One number for the fields' values, in the order of their numbers.
    pub fn values_hash(&self) -> u64 {
        self.fields.iter().fold(0u64, |h, (_, v)| h.rotate_left(5) ^ v)
    }

    /// The fingerprint as the state file writes it.
    fn as_saved<'a>(&'a self, names: &'a FieldNames) -> SavedFingerprint<'a> {
        SavedFingerprint { fp: self, names }
    }
}

/// A feed's fingerprints by kind and id.
pub type Fingerprints = HashMap<(Kind, Box<str>), Fingerprint>;

/// A fingerprint as the state file has it: `{"title": ..., "fields": {name: hash, ...}}`.
#[derive(Deserialize)]
pub struct Saved {
    title: String,
    fields: BTreeMap<String, u64>,
    #[serde(default)]
    first_seen: Option<String>,
}

/// Reads a state file's `records` (`kind/id` → fingerprint) into fingerprints, numbering field names in
/// `names`; entries of an unknown kind are left out.
pub fn read_saved(records: BTreeMap<String, Saved>, names: &mut FieldNames) -> Fingerprints {
    let mut out = Fingerprints::with_capacity(records.len());
    for (key, saved) in records {
        let Some((kind, id)) = key.split_once('/') else { continue };
        let Some(kind) = Kind::parse(kind) else { continue };
        let mut fields: Vec<(u32, u64)> = saved.fields.iter().map(|(k, v)| (names.number(k), *v)).collect();
        fields.sort_unstable();
        let first_seen = saved.first_seen.map(Box::from);
        out.insert((kind, id.into()), Fingerprint { title: saved.title.into(), fields: fields.into(), first_seen });
    }
    out
}

struct SavedFingerprint<'a> {
    fp: &'a Fingerprint,
    names: &'a FieldNames,
}

impl Serialize for SavedFingerprint<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Fields<'a>(&'a SavedFingerprint<'a>);
        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.fp.fields.len()))?;
                for (n, v) in self.0.fp.fields.iter() {
                    map.serialize_entry(self.0.names.name(*n), v)?;
                }
                map.end()
            }
        }
        let mut st = s.serialize_struct("Fingerprint", 3)?;
        st.serialize_field("title", &*self.fp.title)?;
        st.serialize_field("fields", &Fields(self))?;
        if let Some(first_seen) = &self.fp.first_seen {
            st.serialize_field("first_seen", &**first_seen)?;
        }
        st.end()
    }
}

/// A feed's fingerprints as the state file's `records`, written one by one (no copy of them all).
pub struct SavedRecords<'a> {
    pub records: &'a Fingerprints,
    pub names: &'a FieldNames,
}

impl Serialize for SavedRecords<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.records.len()))?;
        for ((kind, id), fp) in self.records {
            map.serialize_entry(&format!("{kind}/{id}"), &fp.as_saved(self.names))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(program: &str, extra: Option<&str>) -> Record {
        let mut line = format!(
            r#"{{"id":"1","ts":"2026-01-05T00:00:00Z","kind":"sanctions","target":"LLC Example","authority":"OFAC","program":"{program}""#
        );
        if let Some(e) = extra {
            line.push_str(&format!(r#","vessel":"{e}""#));
        }
        line.push('}');
        crate::formats::jsonl::parse_line(line.as_bytes(), None).expect("parses").expect("a record")
    }

    #[test]
    fn the_fields_that_changed_were_added_or_went_are_named() {
        let mut names = FieldNames::default();
        let a = Fingerprint::of(&record("RUSSIA-EO14024", None), &mut names);
        assert_eq!(a.changed(&a.clone(), &names), Vec::<String>::new());
        let b = Fingerprint::of(&record("UKRAINE-EO13662", Some("IMO 1234567")), &mut names);
        assert_eq!(a.changed(&b, &names), ["program", "vessel"]);
        assert_eq!(b.changed(&a, &names), ["program", "vessel"]);
        assert_ne!(a.values_hash(), b.values_hash());
    }

    #[test]
    fn the_state_file_shape_is_read_back_as_written() {
        let mut names = FieldNames::default();
        let fp = Fingerprint::of(&record("RUSSIA-EO14024", Some("IMO 1")), &mut names);
        let records: Fingerprints = [((Kind::Sanctions, "1".into()), fp.clone())].into_iter().collect();
        let json = serde_json::to_value(SavedRecords { records: &records, names: &names }).expect("json");
        assert_eq!(json["sanctions/1"]["title"], "LLC Example");
        assert!(json["sanctions/1"]["fields"]["program"].is_u64(), "{json}");
        let map: BTreeMap<String, Saved> = serde_json::from_value(json).expect("map");
        // Read by a feed whose names are numbered otherwise, it still compares equal field by field.
        let mut other = FieldNames::default();
        other.number("zzz");
        let back = read_saved(map, &mut other);
        let again = Fingerprint::of(&record("RUSSIA-EO14024", Some("IMO 1")), &mut other);
        assert_eq!(back[&(Kind::Sanctions, "1".into())].changed(&again, &other), Vec::<String>::new());
    }
}

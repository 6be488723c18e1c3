//! OpenSanctions FollowTheMoney entities (`entities.ftm.json`) and their delta files, read as published.
//!
//! Each line is an entity (`id`, `schema`, `properties` of string arrays, `datasets`, `first_seen`, ...) or,
//! in a delta file, `{"op": "ADD"|"MOD"|"DEL", "entity": {...}}`. Entities point at each other by id: a
//! `Sanction` names its party in `properties.entity`, and the two may come in either order, so rows are
//! derived from the whole set of entities once it is read:
//! - each `Sanction` is a sanctions row, joined with its party (name, aliases, country, type);
//! - a party whose topics say `sanction` and that no `Sanction` points to is a sanctions row of its own;
//! - a firm whose topics mark export control, export risk or sanction links is a flagged supplier.
//!
//! Other schemata (addresses, ownerships, ones this code does not know) are kept with the set, not rejected.
//! A line of `targets.nested.json`, whose linked entities are embedded in it, is read as its entities one
//! by one ([`nested`]).

mod nested;

use crate::model::record::{text, texts, Body, Record, Sanction, Supplier, Text, Timestamp};
use crate::model::vocab::{Action, Kind, Level, TargetType};
use crate::text::clean;
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// Schemata that are not parties: they never become rows themselves.
const NOT_PARTIES: &[&str] = &[
    "Sanction",
    "Address",
    "Ownership",
    "Directorship",
    "Family",
    "Associate",
    "Membership",
    "Employment",
    "Representation",
    "UnknownLink",
    "Identification",
    "Passport",
    "Position",
    "Occupancy",
    "Note",
    "Succession",
];
const FIRMS: &[&str] = &["Company", "Organization", "LegalEntity"];
/// Topics that make a firm a flagged supplier, with the risk they imply.
const FLAG_TOPICS: &[(&str, Level)] = &[
    ("export.control", Level::High),
    ("sanction.control", Level::High),
    ("export.control.linked", Level::Medium),
    ("export.risk", Level::Medium),
    ("sanction.linked", Level::Medium),
];
/// Properties shown in a row's own fields; the others are kept as extra fields.
const MAPPED: &[&str] = &["name", "alias", "country", "nationality", "jurisdiction", "topics", "sourceUrl", "notes"];

/// FtM's identifier properties, and the scheme each is written under in `identifiers` (`inn:7701234567`).
const IDENTIFIERS: &[(&str, &str)] = &[
    ("registrationNumber", "reg"),
    ("taxNumber", "tax"),
    ("innCode", "inn"),
    ("ogrnCode", "ogrn"),
    ("kppCode", "kpp"),
    ("okpoCode", "okpo"),
    ("swiftBic", "swift"),
    ("imoNumber", "imo"),
    ("leiCode", "lei"),
    ("vatCode", "vat"),
    ("idNumber", "id"),
    ("passportNumber", "passport"),
];

/// A party's identifiers as `scheme:value`, in the order of [`IDENTIFIERS`].
fn identifiers(e: &Entity) -> Vec<Text> {
    IDENTIFIERS
        .iter()
        .flat_map(|(prop, scheme)| props(e, prop).into_iter().map(move |v| Text::from(format!("{scheme}:{v}"))))
        .collect()
}

/// The entities of one feed, the latest version of each, with the line it was read from. Each is kept as
/// what the rows read of it (its schema, caption, properties and datasets, every text cleaned once), not as
/// a JSON value: a tenth of the memory, and no lookup by key through a tree of values for every property.
#[derive(Default)]
pub struct Entities {
    map: HashMap<Box<str>, (Entity, u64)>,
    /// Entities taken out by a delta's `DEL` (that were there).
    deleted: usize,
}

/// One entity, as the rows read it. An entity that is not a party nor a `Sanction` (an address, an
/// ownership, ...) is kept by its schema alone.
#[derive(Debug, Default)]
pub struct Entity {
    schema: Box<str>,
    caption: Option<Box<str>>,
    /// Each property's values, in the file's order; the values cleaned, empty ones left out.
    props: Box<[(Box<str>, Values)]>,
    datasets: Values,
    referents: Values,
    /// `first_seen`, `last_seen`, `last_change`.
    seen: [Option<Box<str>>; 3],
}

/// What a line does to the entities: most lines put one entity.
pub type Ops = smallvec::SmallVec<[Op; 1]>;

/// An entity put in (new, or replacing the one of its id), or an id's entity taken out (a delta's `DEL`).
#[derive(Debug)]
pub enum Op {
    Put(Box<str>, Entity),
    Delete(Box<str>),
}

/// Texts, each in an allocation of its size.
type Values = Box<[Box<str>]>;

const SEEN: [&str; 3] = ["first_seen", "last_seen", "last_change"];

impl Entities {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How many entities a delta's `DEL` took out: records gone on purpose, not a download cut short.
    pub fn deleted(&self) -> usize {
        self.deleted
    }

    /// Applies one line: an entity, or a delta operation.
    pub fn apply_line(&mut self, bytes: &[u8], line: u64) -> Result<(), String> {
        let ops = Self::parse_line(bytes)?;
        self.apply(ops, line);
        Ok(())
    }

    /// What one line does (an entity, a delta operation, or a nested export's entities), worked out on
    /// any thread: [`Entities::apply`] then applies it where the entities are.
    pub fn parse_line(bytes: &[u8]) -> Result<Ops, String> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8: invalid byte at column {}", e.valid_up_to() + 1))?;
        let text = text.strip_suffix('\r').unwrap_or(text);
        let mut ops = Ops::new();
        if text.trim().is_empty() {
            return Ok(ops);
        }
        // A line of `targets.nested.json`: its entities one by one, as if each were a line of its own.
        if let Some(entities) = nested::may_nest(text.as_bytes()).then(|| nested::flatten(text)).flatten() {
            for e in entities {
                ops.push(Self::parse_flat(&e.to_string())?);
            }
            return Ok(ops);
        }
        ops.push(Self::parse_flat(text)?);
        Ok(ops)
    }

    /// Applies what a line read from `line` does (see [`Entities::parse_line`]).
    pub fn apply(&mut self, ops: Ops, line: u64) {
        for op in ops {
            match op {
                Op::Put(id, entity) => {
                    self.map.insert(id, (entity, line));
                }
                Op::Delete(id) => {
                    self.deleted += usize::from(self.map.remove(&id).is_some());
                }
            }
        }
    }

    /// [`Entities::parse_line`] of a line of one entity, or a delta operation.
    fn parse_flat(text: &str) -> Result<Op, String> {
        let raw: raw::Entity<'_> = serde_json::from_str(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => format!("not an entity: {e}"),
            _ => format!("not JSON: {e}"),
        })?;
        if let Some(op) = raw.op {
            let entity = raw.entity.ok_or("a delta line without `entity`")?;
            return match &*op {
                "ADD" | "MOD" => entity.into_entity().map(|(id, entity)| Op::Put(id, entity)),
                "DEL" => {
                    let id = entity.id.filter(|s| !s.trim().is_empty()).ok_or("an entity without a string `id`")?;
                    Ok(Op::Delete(clean(&id).into()))
                }
                other => Err(format!("unknown delta `op` {:?}: expected ADD, MOD or DEL", clean(other))),
            };
        }
        raw.into_entity().map(|(id, entity)| Op::Put(id, entity))
    }

    /// Whether the entities make any row (see [`Entities::derive_each`]): a file of entities none of which
    /// is a sanction, a sanctioned party or a flagged firm (a list of politically exposed persons, say)
    /// shows nothing, and says so rather than showing 0 records in silence.
    pub fn has_rows(&self) -> bool {
        self.map.values().any(|(e, _)| {
            let s = schema(e);
            let topics = || props(e, "topics");
            s == "Sanction"
                || !NOT_PARTIES.contains(&s)
                    && (!props(e, "name").is_empty() || caption(e).is_some())
                    && (topics().iter().any(|t| t == "sanction")
                        || FIRMS.contains(&s) && flag_risk(&topics()).is_some())
        })
    }

    /// The rows the entities make, each with the line of the entity it mainly comes from. `fallback` dates
    /// rows whose entities carry no date.
    pub fn derive(&self, fallback: &Timestamp) -> Vec<(Record, u64)> {
        let mut out = Vec::new();
        self.derive_each(fallback, &mut |r, line| out.push((r, line)));
        out
    }

    /// [`Entities::derive`], each row handed to `each` as it is made (always in the same order).
    pub fn derive_each(&self, fallback: &Timestamp, each: &mut dyn FnMut(Record, u64)) {
        let mut pointed: HashSet<&str> = HashSet::new();
        for (id, (e, line)) in &self.map {
            if schema(e) != "Sanction" {
                continue;
            }
            let party_id = props(e, "entity").into_iter().next().unwrap_or_default();
            let party = self.map.get(party_id.as_str()).map(|(p, _)| p);
            if let Some((key, _)) = self.map.get_key_value(party_id.as_str()) {
                pointed.insert(key);
            }
            each(sanction_row(id, e, party, &party_id, fallback), *line);
        }
        for (id, (e, line)) in &self.map {
            let s = schema(e);
            if NOT_PARTIES.contains(&s) || props(e, "name").is_empty() && caption(e).is_none() {
                continue;
            }
            let topics = props(e, "topics");
            if topics.iter().any(|t| t == "sanction") && !pointed.contains(&**id) {
                each(party_row(id, e, fallback), *line);
            }
            if FIRMS.contains(&s) {
                if let Some(risk) = flag_risk(&topics) {
                    each(supplier_row(id, e, risk, fallback), *line);
                }
            }
        }
    }
}

/// The line as it is read: borrowed from it where no escape needs undoing.
mod raw {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;
    use std::borrow::Cow;
    use std::fmt;

    /// An entity line, or a delta line: `op`, and the entity in `entity`.
    #[derive(Deserialize, Default)]
    pub struct Entity<'a> {
        #[serde(borrow, default)]
        pub op: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub entity: Option<Box<Entity<'a>>>,
        #[serde(borrow, default)]
        pub id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub schema: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub caption: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub properties: Option<Properties<'a>>,
        #[serde(borrow, default)]
        pub datasets: Texts<'a>,
        #[serde(borrow, default)]
        pub referents: Texts<'a>,
        #[serde(borrow, default)]
        pub first_seen: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub last_seen: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub last_change: Option<Cow<'a, str>>,
    }

    /// A property's values: the strings of a list, or a lone string; anything else is no value.
    #[derive(Default)]
    pub struct Texts<'a>(pub Vec<Cow<'a, str>>);

    /// The properties, in the file's order.
    pub struct Properties<'a>(pub Vec<(Cow<'a, str>, Texts<'a>)>);

    /// A string, or nothing for any other value.
    struct Text<'a>(Option<Cow<'a, str>>);

    /// What a value gives as texts: a string is one; a list (when `list`) its strings; anything else none.
    struct Visit {
        list: bool,
    }

    impl<'de> Visitor<'de> for Visit {
        type Value = Vec<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(vec![Cow::Borrowed(v)])
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![Cow::Owned(v.to_owned())])
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(vec![Cow::Owned(v)])
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            if self.list {
                while let Some(Text(t)) = seq.next_element::<Text<'de>>()? {
                    out.extend(t);
                }
            } else {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(Text(d.deserialize_any(Visit { list: false })?.into_iter().next()))
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for Texts<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(Texts(d.deserialize_any(Visit { list: true })?))
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for Properties<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Properties<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("`properties` as an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = map.next_entry::<Cow<'de, str>, Texts<'de>>()? {
                        out.push((k, v));
                    }
                    Ok(Properties(out))
                }
            }
            d.deserialize_map(V)
        }
    }
}

impl raw::Entity<'_> {
    /// The entity as kept, and its id; an error says what it lacks.
    fn into_entity(self) -> Result<(Box<str>, Entity), String> {
        let id = self.id.filter(|s| !s.trim().is_empty()).ok_or("an entity without a string `id`")?;
        let schema = self.schema.ok_or("an entity without a string `schema`")?;
        let schema: Box<str> = clean(&schema).into();
        let kept = schema.as_ref() == "Sanction" || !NOT_PARTIES.contains(&schema.as_ref());
        let texts = |t: raw::Texts<'_>| -> Values {
            t.0.iter().map(|v| clean(v)).filter(|v| !v.is_empty()).map(Box::from).collect()
        };
        let cleaned = |t: Option<std::borrow::Cow<'_, str>>| t.map(|t| Box::from(clean(&t)));
        if !kept {
            return Ok((clean(&id).into(), Entity { schema, ..Entity::default() }));
        }
        let props = self.properties.map(|p| p.0).unwrap_or_default();
        Ok((
            clean(&id).into(),
            Entity {
                schema,
                caption: self.caption.map(|c| clean(&c)).filter(|c| !c.is_empty()).map(Box::from),
                props: props.into_iter().map(|(k, v)| (Box::from(clean(&k)), texts(v))).collect(),
                datasets: texts(self.datasets),
                referents: texts(self.referents),
                seen: [cleaned(self.first_seen), cleaned(self.last_seen), cleaned(self.last_change)],
            },
        ))
    }
}

fn schema(e: &Entity) -> &str {
    &e.schema
}

fn caption(e: &Entity) -> Option<String> {
    e.caption.as_deref().map(str::to_owned)
}

/// A property's values, cleaned (a lone string is one value).
fn props(e: &Entity, key: &str) -> Vec<String> {
    e.props
        .iter()
        .find(|(k, _)| &**k == key)
        .map(|(_, v)| v.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default()
}

fn first(e: &Entity, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| props(e, k).into_iter().next())
}

/// A top-level list: `datasets` or `referents`.
fn string_list(e: &Entity, key: &str) -> Vec<String> {
    let list = match key {
        "datasets" => &e.datasets,
        "referents" => &e.referents,
        _ => return Vec::new(),
    };
    list.iter().map(|s| s.to_string()).collect()
}

/// A top-level text: `first_seen`, `last_seen` or `last_change`.
fn top(e: &Entity, key: &str) -> Option<String> {
    SEEN.iter().position(|k| *k == key).and_then(|i| e.seen[i].as_deref()).map(str::to_owned)
}

/// A date as FollowTheMoney writes it: `2022`, `2022-06`, `2022-06-03`, or `2023-04-20T18:00:25` (UTC).
pub fn partial_date(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let full = match s.len() {
        4 => format!("{s}-01-01"),
        7 => format!("{s}-01"),
        _ => s.get(..10)?.to_owned(),
    };
    let date = NaiveDate::parse_from_str(&full, "%Y-%m-%d").ok()?;
    let time = NaiveDateTime::parse_from_str(s.get(..19).unwrap_or(""), "%Y-%m-%dT%H:%M:%S")
        .unwrap_or(date.and_hms_opt(0, 0, 0)?);
    Some(Timestamp::from_utc(time.and_utc()))
}

/// The first date found among properties and top-level fields, in order of preference.
fn date_of(entities: &[&Entity], keys: &[&str], fallback: &Timestamp) -> Timestamp {
    for e in entities {
        for k in keys {
            let v = props(e, k).into_iter().next().or_else(|| top(e, k));
            if let Some(t) = v.as_deref().and_then(partial_date) {
                return t;
            }
        }
    }
    fallback.clone()
}

fn names(e: &Entity) -> (Option<String>, Vec<String>) {
    let mut all = props(e, "name");
    let main = caption(e).or_else(|| all.first().cloned());
    all.extend(props(e, "alias"));
    let aliases = all.into_iter().filter(|n| Some(n) != main.as_ref()).fold(Vec::new(), |mut v, n| {
        if !v.contains(&n) {
            v.push(n);
        }
        v
    });
    (main, aliases)
}

fn target_type(e: &Entity) -> TargetType {
    let topics = props(e, "topics");
    let name_says_bank = props(e, "name").iter().any(|n| n.to_uppercase().contains("BANK"));
    match schema(e) {
        "Person" => TargetType::Individual,
        "Vessel" => TargetType::Vessel,
        "Airplane" => TargetType::Aircraft,
        _ if topics.iter().any(|t| t == "fin.bank") || name_says_bank => TargetType::Bank,
        _ => TargetType::Entity,
    }
}

/// An authority's name for the datasets that list an entity.
fn authority(datasets: &[String]) -> Option<String> {
    let named: Vec<String> = datasets
        .iter()
        .map(|d| {
            match d.as_str() {
                "eu_fsf" => "EU",
                "us_ofac_sdn" | "us_ofac_cons" => "OFAC",
                "gb_hmt_sanctions" | "gb_fcdo_sanctions" => "UK",
                "un_sc_sanctions" => "UN Security Council",
                "ch_seco_sanctions" => "Switzerland (SECO)",
                "ca_dfatd_sema_sanctions" => "Canada",
                "au_dfat_sanctions" => "Australia (DFAT)",
                "jp_mof_sanctions" => "Japan (MOF)",
                other => return other.to_owned(),
            }
            .to_owned()
        })
        .collect();
    (!named.is_empty()).then(|| named.join(", "))
}

/// The source's ids, datasets, dates and the properties a row does not show, for the detail view.
fn extra_of(e: &Entity, prefix: &str, extra: &mut Map<String, Value>) {
    {
        for (k, _) in e.props.iter() {
            let k: &str = k;
            if MAPPED.contains(&k) || IDENTIFIERS.iter().any(|(p, _)| *p == k) || k == "entity" {
                continue;
            }
            let values = props(e, k);
            let key = format!("{prefix}{k}");
            match values.len() {
                0 => {}
                1 => {
                    extra.insert(key, json!(values[0]));
                }
                _ => {
                    extra.insert(key, json!(values));
                }
            }
        }
    }
}

fn common_extra(e: &Entity, id: &str) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("ftm_id".into(), json!(id));
    extra.insert("ftm_schema".into(), json!(schema(e)));
    let datasets = string_list(e, "datasets");
    if !datasets.is_empty() {
        extra.insert("datasets".into(), json!(datasets));
    }
    let topics = props(e, "topics");
    if !topics.is_empty() {
        extra.insert("topics".into(), json!(topics));
    }
    for k in SEEN {
        if let Some(v) = top(e, k) {
            extra.insert(k.into(), json!(v));
        }
    }
    let referents = string_list(e, "referents");
    if !referents.is_empty() {
        extra.insert("referents".into(), json!(referents));
    }
    extra
}

fn source(e: &Entity) -> Option<String> {
    first(e, &["sourceUrl"]).or_else(|| {
        let d = string_list(e, "datasets");
        (!d.is_empty()).then(|| format!("OpenSanctions: {}", d.join(", ")))
    })
}

fn sanction_row(id: &str, s: &Entity, party: Option<&Entity>, party_id: &str, fallback: &Timestamp) -> Record {
    let (target, aliases) = party.map(names).unwrap_or((None, Vec::new()));
    let mut extra = common_extra(s, id);
    extra.insert("party_id".into(), json!(party_id));
    extra_of(s, "", &mut extra);
    if let Some(p) = party {
        extra.insert("party_schema".into(), json!(schema(p)));
        extra_of(p, "party.", &mut extra);
    }
    let mut entities = vec![s];
    entities.extend(party);
    Record {
        kind: Kind::Sanctions,
        id: id.into(),
        ts: date_of(&entities, &["listingDate", "startDate", "modifiedAt", "createdAt", "first_seen"], fallback),
        body: Body::Sanction(Sanction {
            authority: text(first(s, &["authority"]).or_else(|| authority(&string_list(s, "datasets")))),
            program: text(first(s, &["programId", "program"])),
            action: Some(Action::Designated),
            target: text(target.or_else(|| Some(format!("(party {party_id} not in the file)")))),
            aliases: texts(aliases),
            target_type: party.map(target_type),
            country: text(party.and_then(|p| first(p, &["country", "nationality", "jurisdiction"]))),
            reason: text(first(s, &["reason", "summary"])),
            identifiers: party.map(identifiers).unwrap_or_default(),
            source: text(source(s).or_else(|| party.and_then(source))),
        }),
        extra,
    }
}

fn party_row(id: &str, e: &Entity, fallback: &Timestamp) -> Record {
    let (target, aliases) = names(e);
    let mut extra = common_extra(e, id);
    extra_of(e, "", &mut extra);
    Record {
        kind: Kind::Sanctions,
        id: id.into(),
        ts: date_of(&[e], &["listingDate", "createdAt", "modifiedAt", "first_seen"], fallback),
        body: Body::Sanction(Sanction {
            authority: text(authority(&string_list(e, "datasets"))),
            program: text(first(e, &["program", "programId"])),
            action: Some(Action::Designated),
            target: text(target),
            aliases: texts(aliases),
            target_type: Some(target_type(e)),
            country: text(first(e, &["country", "nationality", "jurisdiction"])),
            reason: text(first(e, &["notes", "summary"])),
            identifiers: identifiers(e),
            source: text(source(e)),
        }),
        extra,
    }
}

fn flag_risk(topics: &[String]) -> Option<Level> {
    FLAG_TOPICS.iter().filter(|(t, _)| topics.iter().any(|x| x == t)).map(|(_, l)| *l).max()
}

fn supplier_row(id: &str, e: &Entity, risk: Level, fallback: &Timestamp) -> Record {
    let (name, aliases) = names(e);
    let topics = props(e, "topics");
    let mut extra = common_extra(e, id);
    extra_of(e, "", &mut extra);
    Record {
        kind: Kind::Suppliers,
        id: id.into(),
        ts: date_of(&[e], &["modifiedAt", "createdAt", "first_seen"], fallback),
        body: Body::Supplier(Supplier {
            name: text(name),
            aliases: texts(aliases),
            country: text(first(e, &["country", "jurisdiction", "mainCountry"])),
            goods: texts(props(e, "sector")),
            risk: Some(if topics.iter().any(|t| t == "sanction") { Level::Critical } else { risk }),
            customers: Vec::new(),
            status: Some(topics.join(", ").into()),
            identifiers: identifiers(e),
            source: text(source(e)),
        }),
        extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::Text;

    fn fallback() -> Timestamp {
        Timestamp::parse("2024-06-01T00:00:00Z").expect("ts")
    }

    fn load(lines: &[&str]) -> Entities {
        let mut e = Entities::default();
        for (i, l) in lines.iter().enumerate() {
            e.apply_line(l.as_bytes(), i as u64 + 1).expect("valid line");
        }
        e
    }

    const PARTY: &str = r#"{"id":"co-1","schema":"Company","caption":"Example Machine Tools Co., Ltd.","properties":{"name":["Example Machine Tools Co., Ltd.","示例机床有限公司"],"country":["cn"],"topics":["export.control","sanction"],"sector":["machine tools"],"registrationNumber":["91440300"]},"datasets":["us_ofac_sdn"],"first_seen":"2024-05-01T15:00:00"}"#;
    const SANCTION: &str = r#"{"id": "san-1", "schema": "Sanction", "properties": {"entity": ["co-1"], "authority": ["Office of Foreign Assets Control"], "programId": ["RUSSIA-EO14024"], "reason": ["Machine tools for Russia's defence industry"], "listingDate": ["2024-05"]}, "datasets": ["us_ofac_sdn"]}"#;

    fn sanction_of(r: &Record) -> &Sanction {
        match &r.body {
            Body::Sanction(s) => s,
            other => panic!("not a sanction: {other:?}"),
        }
    }

    #[test]
    fn a_sanction_joins_its_party_in_either_order() {
        for lines in [[PARTY, SANCTION], [SANCTION, PARTY]] {
            let rows = load(&lines).derive(&fallback());
            let sanctions: Vec<&Record> = rows.iter().map(|(r, _)| r).filter(|r| r.kind == Kind::Sanctions).collect();
            assert_eq!(sanctions.len(), 1, "the party is not listed twice");
            let s = sanction_of(sanctions[0]);
            assert_eq!(&*sanctions[0].id, "san-1");
            assert_eq!(s.target.as_deref(), Some("Example Machine Tools Co., Ltd."));
            assert_eq!(s.aliases, [Text::from("示例机床有限公司")]);
            assert_eq!(s.country.as_deref(), Some("cn"));
            assert_eq!(s.program.as_deref(), Some("RUSSIA-EO14024"));
            assert_eq!(s.authority.as_deref(), Some("Office of Foreign Assets Control"));
            assert_eq!(sanctions[0].ts.text(), "2024-05-01T00:00:00Z", "partial listing date");
            assert_eq!(sanction_of(sanctions[0]).identifiers, [Text::from("reg:91440300")], "an identifier is a field");
            assert!(!sanctions[0].extra.contains_key("party.registrationNumber"), "and not kept twice");
        }
    }

    #[test]
    fn export_control_firms_are_flagged_suppliers() {
        let rows = load(&[PARTY]).derive(&fallback());
        let sup = rows.iter().map(|(r, _)| r).find(|r| r.kind == Kind::Suppliers).expect("a supplier");
        match &sup.body {
            Body::Supplier(s) => {
                assert_eq!(s.goods, [Text::from("machine tools")]);
                assert_eq!(s.risk, Some(Level::Critical), "also sanctioned");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn delta_operations_add_modify_and_delete() {
        let mut e = load(&[PARTY]);
        e.apply_line(br#"{"op":"DEL","entity":{"id":"co-1"}}"#, 2).expect("del");
        assert!(e.is_empty());
        e.apply_line(format!(r#"{{"op":"ADD","entity":{PARTY}}}"#).as_bytes(), 3).expect("add");
        assert_eq!(e.len(), 1);
        assert!(e.apply_line(br#"{"op":"MERGE","entity":{"id":"x"}}"#, 4).is_err());
    }

    #[test]
    fn unknown_schemata_are_kept_and_bad_lines_say_why() {
        let mut e = Entities::default();
        e.apply_line(br#"{"id":"x1","schema":"CryptoWallet","properties":{"publicKey":["bc1q"]}}"#, 1).expect("kept");
        assert_eq!(e.len(), 1);
        assert!(e.apply_line(b"{\"id\":\"x\"", 2).unwrap_err().starts_with("not JSON"));
        assert!(e.apply_line(br#"{"id":"x"}"#, 3).unwrap_err().contains("schema"));
    }

    fn sample(name: &str) -> String {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/formats/opensanctions");
        std::fs::read_to_string(root.join(name)).expect("sample")
    }

    fn read(text: &str) -> Entities {
        let mut e = Entities::default();
        for (n, line) in text.lines().enumerate() {
            e.apply_line(line.as_bytes(), n as u64 + 1).expect("an entity");
        }
        e
    }

    /// The real `targets.nested.json` sample (persons of Wikidata, their occupancies and families embedded)
    /// is read whole, every embedded entity with it; it makes no row, and says so (see `has_rows`).
    #[test]
    fn a_nested_export_is_read_with_its_embedded_entities() {
        let e = read(&sample("targets.nested_wd_persons_2024-03-09_5lines.jsonl"));
        assert_eq!(e.len(), 10, "5 persons a line, and the occupancies, families and persons in them");
        let count = |s: &str| e.map.values().filter(|(x, _)| schema(x) == s).count();
        // Each entity once by its id, however often it is embedded.
        assert_eq!((count("Person"), count("Occupancy"), count("Family")), (6, 3, 1));
        assert!(!e.has_rows());
        assert!(e.derive(&fallback()).is_empty());
    }

    /// The real EU sample's parties, each with a `Sanction`, written both ways: flat, the sanction on a
    /// line of its own pointing at its party; nested, as `targets.nested.json` writes it, the sanction
    /// embedded in its party without the pointer back. Both give the same rows.
    #[test]
    fn sanctions_embedded_in_their_party_give_the_rows_of_the_flat_file() {
        let parties: Vec<Value> =
            sample("eu_fsf_t1.ftm.jsonl").lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        let sanction = |party: &Value| {
            let id = party["id"].as_str().unwrap_or_default();
            serde_json::json!({"id": format!("san-{id}"), "schema": "Sanction", "properties": {
                "authority": ["Council of the European Union"], "program": ["EU-RUS"],
                "listingDate": ["2022-02-25"], "entity": [id]}})
        };
        let (mut flat, mut nested) = (String::new(), String::new());
        for party in &parties {
            flat.push_str(&format!("{party}\n"));
            let mut embedded = party.clone();
            if party["properties"]["topics"][0] == "sanction" {
                let s = sanction(party);
                flat.push_str(&format!("{s}\n"));
                let mut s = s.clone();
                s["properties"].as_object_mut().map(|p| p.remove("entity"));
                embedded["properties"]["sanctions"] = Value::Array(vec![s]);
            }
            nested.push_str(&format!("{embedded}\n"));
        }
        assert!(nested.contains(r#""sanctions":[{"#), "the sample has sanctioned parties");
        let rows = |e: &Entities| {
            let mut r: Vec<String> = e.derive(&fallback()).into_iter().map(|(r, _)| format!("{r:?}")).collect();
            r.sort();
            r
        };
        let (a, b) = (read(&flat), read(&nested));
        assert_eq!(a.len(), b.len());
        let rows_a = rows(&a);
        assert!(rows_a.iter().filter(|r| r.contains("EU-RUS")).count() >= 5, "{rows_a:#?}");
        assert_eq!(rows_a, rows(&b));
    }

    /// A property written as a lone string is one value; numbers, nulls and objects among a list's strings
    /// are no value; an escaped text is read as written.
    #[test]
    fn property_values_of_other_shapes() {
        let line = r#"{"id":"x1","schema":"Company","properties":{"name":"Solo \u201cTrade\u201d Ltd","topics":["export.control",5,{"a":1},null],"country":["ru"]},"datasets":["eu_fsf"]}"#;
        let rows = load(&[line]).derive(&fallback());
        let sup = rows.iter().map(|(r, _)| r).find(|r| r.kind == Kind::Suppliers).expect("a supplier");
        match &sup.body {
            Body::Supplier(s) => {
                assert_eq!(s.name.as_deref(), Some("Solo “Trade” Ltd"));
                assert_eq!(s.status.as_deref(), Some("export.control"));
                assert_eq!(s.country.as_deref(), Some("ru"));
            }
            other => panic!("{other:?}"),
        }
        let e = Entities::default().apply_line(br#"{"id":"x","schema":"Company","properties":[1]}"#, 1);
        assert!(e.is_err_and(|e| e.starts_with("not an entity")));
    }

    #[test]
    fn partial_dates() {
        assert_eq!(partial_date("1988").map(|t| t.text().into_owned()), Some("1988-01-01T00:00:00Z".into()));
        assert_eq!(partial_date("1988-02").map(|t| t.text().into_owned()), Some("1988-02-01T00:00:00Z".into()));
        assert_eq!(
            partial_date("2023-04-20T18:00:25").map(|t| t.text().into_owned()),
            Some("2023-04-20T18:00:25Z".into())
        );
        assert_eq!(partial_date("soon"), None);
    }
}

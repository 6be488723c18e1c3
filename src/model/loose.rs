//! A JSON object as read from one line, before its fields are typed: keys and strings borrow from the line
//! when they hold no escapes, so a line is parsed once, straight into what the record keeps (never through
//! a `serde_json::Value` of the whole line).

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// A JSON value as read. Objects below the top level are rare in feeds and kept as `Value`.
#[derive(Clone, Debug, PartialEq)]
pub enum Loose<'a> {
    Null,
    Bool(bool),
    Num(Number),
    Str(Cow<'a, str>),
    List(Vec<Loose<'a>>),
    Object(Map<String, Value>),
}

/// The fields of one object, in the order written. The fields records declare are found by name at once
/// (one comparison per field written, not one per field written per field taken); a key written twice
/// counts once, its last value.
#[derive(Debug)]
pub struct Fields<'a> {
    entries: Vec<Option<(Cow<'a, str>, Loose<'a>)>>,
    /// Where each of [`KNOWN`] is in `entries`.
    slots: [u32; KNOWN.len()],
    /// The line was printable ASCII without escapes (see [`super::plain_line`]): no text in it needs
    /// cleaning.
    pub plain: bool,
}

/// The names looked for in every line: the envelope, then every kind's declared fields.
pub const KNOWN: [&str; 29] = [
    "id",
    "ts",
    "kind",
    "authority",
    "program",
    "action",
    "target",
    "aliases",
    "target_type",
    "country",
    "reason",
    "source",
    "name",
    "goods",
    "risk",
    "customers",
    "status",
    "donor",
    "title",
    "amount",
    "currency",
    "stage",
    "delivered",
    "items",
    "category",
    "item",
    "region",
    "severity",
    "reported_by",
];
const NONE: u32 = u32::MAX;

/// The place of `name` in [`KNOWN`], worked out when the program is compiled (for the declared fields of
/// each kind: see `packed::schema`).
pub const fn known_slot(name: &str) -> Option<usize> {
    let mut i = 0;
    while i < KNOWN.len() {
        let (a, b) = (KNOWN[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// The place of `name` in [`KNOWN`] (a `match`, which the compiler turns into a few comparisons).
fn slot(name: &str) -> Option<usize> {
    Some(match name {
        "id" => 0,
        "ts" => 1,
        "kind" => 2,
        "authority" => 3,
        "program" => 4,
        "action" => 5,
        "target" => 6,
        "aliases" => 7,
        "target_type" => 8,
        "country" => 9,
        "reason" => 10,
        "source" => 11,
        "name" => 12,
        "goods" => 13,
        "risk" => 14,
        "customers" => 15,
        "status" => 16,
        "donor" => 17,
        "title" => 18,
        "amount" => 19,
        "currency" => 20,
        "stage" => 21,
        "delivered" => 22,
        "items" => 23,
        "category" => 24,
        "item" => 25,
        "region" => 26,
        "severity" => 27,
        "reported_by" => 28,
        _ => return None,
    })
}

impl<'a> Fields<'a> {
    pub fn new(pairs: Vec<(Cow<'a, str>, Loose<'a>)>) -> Self {
        let mut fields = Fields::with_capacity(pairs.len());
        for (k, v) in pairs {
            fields.push(k, v);
        }
        fields
    }

    /// No fields yet, with room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Fields { entries: Vec::with_capacity(n), slots: [NONE; KNOWN.len()], plain: false }
    }

    /// The next field written. A declared name written before is forgotten there: the last one counts.
    pub fn push(&mut self, key: Cow<'a, str>, value: Loose<'a>) {
        self.note(&key);
        self.entries.push(Some((key, value)));
    }

    /// [`Fields::push`] of a string borrowed from the line: the field is built where it is kept, from the
    /// two slices, rather than built aside and copied (the copy read back what had just been written in
    /// narrower pieces, a stall the processor pays on every field of a million lines).
    pub fn push_str(&mut self, key: &'a str, value: &'a str) {
        self.note(key);
        self.entries.push(Some((Cow::Borrowed(key), Loose::Str(Cow::Borrowed(value)))));
    }

    /// [`Fields::push_str`] for a list.
    pub fn push_list(&mut self, key: &'a str, items: Vec<Loose<'a>>) {
        self.note(key);
        self.entries.push(Some((Cow::Borrowed(key), Loose::List(items))));
    }

    /// Notes where a declared name is written (the next entry), forgetting an earlier one.
    fn note(&mut self, key: &str) {
        if let Some(i) = slot(key) {
            let before = std::mem::replace(&mut self.slots[i], self.entries.len() as u32);
            if before != NONE {
                self.entries[before as usize] = None;
            }
        }
    }

    /// Removes the field of [`KNOWN`]`[i]` (see [`known_slot`]) and gives its value.
    pub fn take_known(&mut self, i: usize) -> Option<Loose<'a>> {
        let at = std::mem::replace(&mut self.slots[i], NONE);
        if at == NONE {
            return None;
        }
        self.entries[at as usize].take().map(|(_, v)| v)
    }

    /// Removes every field called `name` and gives the value of the last one.
    pub fn take(&mut self, name: &str) -> Option<Loose<'a>> {
        match slot(name) {
            Some(i) => self.take_known(i),
            None => {
                let mut found = None;
                for e in &mut self.entries {
                    if e.as_ref().is_some_and(|(k, _)| k == name) {
                        found = e.take().map(|(_, v)| v);
                    }
                }
                found
            }
        }
    }

    /// What is left, as a JSON object (the last of a repeated key wins), every key and string cleaned.
    pub fn into_map(self) -> Map<String, Value> {
        let mut map = Map::new();
        for (k, v) in self.entries.into_iter().flatten() {
            map.insert(crate::text::clean_owned(k.into_owned()), super::record::clean_value(v.into_value()));
        }
        map
    }

    /// The fields of a JSON object.
    pub fn from_map(map: Map<String, Value>) -> Fields<'static> {
        Fields::new(map.into_iter().map(|(k, v)| (Cow::Owned(k), Loose::from_value(v))).collect())
    }

    /// As a JSON object without cleaning (for objects nested in a field).
    fn into_raw_map(self) -> Map<String, Value> {
        self.entries.into_iter().flatten().map(|(k, v)| (k.into_owned(), v.into_value())).collect()
    }
}

impl<'a> Loose<'a> {
    pub fn into_value(self) -> Value {
        match self {
            Loose::Null => Value::Null,
            Loose::Bool(b) => Value::Bool(b),
            Loose::Num(n) => Value::Number(n),
            Loose::Str(s) => Value::String(s.into_owned()),
            Loose::List(items) => Value::Array(items.into_iter().map(Loose::into_value).collect()),
            Loose::Object(m) => Value::Object(m),
        }
    }

    pub fn from_value(v: Value) -> Loose<'static> {
        match v {
            Value::Null => Loose::Null,
            Value::Bool(b) => Loose::Bool(b),
            Value::Number(n) => Loose::Num(n),
            Value::String(s) => Loose::Str(Cow::Owned(s)),
            Value::Array(items) => Loose::List(items.into_iter().map(Loose::from_value).collect()),
            Value::Object(m) => Loose::Object(m),
        }
    }

    /// A short description for error messages: the type, and the value when it is short.
    pub fn describe(&self) -> String {
        match self {
            Loose::Null => "null".into(),
            Loose::Bool(b) => format!("a boolean ({b})"),
            Loose::Num(n) => format!("a number ({n})"),
            Loose::Str(s) if s.chars().count() <= 40 => format!("a string ({:?})", crate::text::clean(s)),
            Loose::Str(_) => "a string".into(),
            Loose::List(_) => "a list".into(),
            Loose::Object(_) => "an object".into(),
        }
    }
}

/// Parses one JSON text into the fields of its top-level object; `Err(Some(v))` when it is valid JSON but
/// not an object, `Err(None)` with the parser's message otherwise.
pub fn parse_object(text: &str) -> Result<Fields<'_>, NotAnObject<'_>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let top = TopLevel::deserialize(&mut de).map_err(|e| NotAnObject::Invalid(e.to_string()))?;
    de.end().map_err(|e| NotAnObject::Invalid(e.to_string()))?;
    match top {
        TopLevel::Object(fields) => Ok(fields),
        TopLevel::Other(v) => Err(NotAnObject::Other(v)),
    }
}

/// Why [`parse_object`] gave no object.
#[derive(Debug)]
pub enum NotAnObject<'a> {
    Invalid(String),
    Other(Loose<'a>),
}

enum TopLevel<'a> {
    Object(Fields<'a>),
    Other(Loose<'a>),
}

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor { top: true }).map(|v| match v {
            Either::Fields(f) => TopLevel::Object(f),
            Either::Value(v) => TopLevel::Other(v),
        })
    }
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor { top: false }).map(|v| match v {
            Either::Fields(f) => Loose::Object(f.into_raw_map()),
            Either::Value(v) => v,
        })
    }
}

enum Either<'a> {
    Fields(Fields<'a>),
    Value(Loose<'a>),
}

struct LooseVisitor {
    /// At the top level an object becomes [`Fields`]; below, a JSON object.
    top: bool,
}

/// A key, borrowed from the line when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Either<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Either::Value(Loose::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Either::Value(Loose::Null))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Either::Value(Loose::Bool(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Either::Value(Loose::Num(v.into())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Either::Value(Loose::Num(v.into())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Number::from_f64(v).map(|n| Either::Value(Loose::Num(n))).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Either::Value(Loose::Str(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Either::Value(Loose::Str(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Either::Value(Loose::Str(Cow::Owned(v))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element::<Loose<'de>>()? {
            items.push(item);
        }
        Ok(Either::Value(Loose::List(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields::with_capacity(if self.top { 16 } else { 4 });
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            let v = map.next_value::<Loose<'de>>()?;
            fields.push(k, v);
        }
        Ok(Either::Fields(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_borrow_and_the_last_key_wins() {
        // `target` is a declared field, found by its slot; `a` is not, found by looking.
        for key in ["target", "a"] {
            let line = format!(r#"{{"{key}":"x","b":[1,"y",null],"{key}":"z\n","c":{{"d":1}}}}"#);
            let mut f = parse_object(&line).expect("object");
            assert!(f.entries.iter().flatten().any(|(k, v)| k == "b" && matches!(v, Loose::List(_))));
            assert!(matches!(&f.entries[1], Some((Cow::Borrowed("b"), _))), "keys borrow from the line");
            assert_eq!(f.take(key), Some(Loose::Str(Cow::Owned("z\n".into()))), "{key}: the last one");
            assert_eq!(f.take(key), None);
            let map = f.into_map();
            assert_eq!(Value::Object(map), serde_json::json!({"b": [1, "y", null], "c": {"d": 1}}));
        }
    }

    #[test]
    fn every_known_name_has_its_own_slot() {
        for (i, k) in KNOWN.iter().enumerate() {
            assert_eq!(slot(k), Some(i));
            assert_eq!(known_slot(k), Some(i));
        }
        assert_eq!(slot("vote"), None);
        assert_eq!(known_slot("vote"), None);
        assert_eq!(known_slot("nam"), None);
    }

    #[test]
    fn not_an_object_and_not_json() {
        assert!(matches!(parse_object("[1]"), Err(NotAnObject::Other(Loose::List(_)))));
        assert!(matches!(parse_object("{\"a\":1} x"), Err(NotAnObject::Invalid(_))));
        match parse_object("{\"a\":1e400}") {
            Err(NotAnObject::Invalid(m)) => assert!(m.starts_with("number out of range"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}

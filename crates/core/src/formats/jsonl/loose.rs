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

/// The fields of one object. The names every line is read for ([`KNOWN`]) have a place each, found once
/// as the field is read, and are taken from it by number; other names are kept in the order written. A
/// name written twice counts once, its last value.
#[derive(Debug)]
pub struct Fields<'a> {
    /// The value of each of [`KNOWN`], by its place there.
    known: [Option<Loose<'a>>; KNOWN.len()],
    /// Fields of other names, in the order written.
    others: Vec<(Cow<'a, str>, Loose<'a>)>,
}

pub use crate::model::schema::{known_slot, KNOWN};

/// The place in [`KNOWN`] of the name at `start..end` of `line` (a plain line's key), found by its bytes
/// as two numbers: one multiply into a table without collisions, one comparison (a `match` on the name
/// compared it byte by byte, a call to `memcmp` each time, a twentieth of a plain line's reading).
pub(crate) fn slot_in(line: &[u8], start: usize, end: usize) -> Option<usize> {
    let len = end.checked_sub(start)?;
    if len == 0 || len > 16 {
        return None;
    }
    let words = key_words_at(line, start, len)?;
    let i = KEY_TABLE[key_bucket(words)];
    let i = i as usize;
    (i < KNOWN.len() && KEY_WORDS[i] == words && KNOWN[i].len() == len).then_some(i)
}

/// Whether the `len` bytes of `line` from `start` are `KNOWN[i]` (a plain line's key where the key of the
/// line before was that name: the same few comparisons, without the table).
pub(crate) fn is_known_at(line: &[u8], start: usize, len: usize, i: usize) -> bool {
    KNOWN.get(i).is_some_and(|k| k.len() == len) && key_words_at(line, start, len) == Some(KEY_WORDS[i])
}

/// The `len` (at most 16) bytes of `line` from `start` as [`key_words`]: sixteen bytes read at once (a key
/// is followed by at least `":x}` in a line) and those past its end masked off; by hand near the end of
/// the line.
fn key_words_at(line: &[u8], start: usize, len: usize) -> Option<(u64, u64)> {
    if len > 16 {
        return None;
    }
    Some(match line.get(start..start + 16) {
        Some(sixteen) => {
            let word = |at: usize| u64::from_le_bytes(sixteen[at..at + 8].try_into().unwrap_or_default());
            let mask = |n: usize| if n >= 8 { u64::MAX } else { (1u64 << (8 * n)) - 1 };
            (word(0) & mask(len), word(8) & mask(len.saturating_sub(8)))
        }
        None => key_words(line.get(start..start + len)?),
    })
}

/// A name of at most 16 bytes as two little-endian numbers, zero past its end.
const fn key_words(b: &[u8]) -> (u64, u64) {
    let (mut lo, mut hi, mut i) = (0u64, 0u64, 0);
    while i < b.len() && i < 16 {
        if i < 8 {
            lo |= (b[i] as u64) << (8 * i);
        } else {
            hi |= (b[i] as u64) << (8 * (i - 8));
        }
        i += 1;
    }
    (lo, hi)
}

const KEY_BUCKETS: usize = 128;
const NO_KEY: u8 = u8::MAX;

const fn key_bucket_with((lo, hi): (u64, u64), k: u64) -> usize {
    ((lo ^ hi.rotate_left(29)).wrapping_mul(k) >> (64 - KEY_BUCKETS.trailing_zeros())) as usize
}

fn key_bucket(words: (u64, u64)) -> usize {
    key_bucket_with(words, KEY_MULTIPLIER)
}

/// Each of [`KNOWN`] as [`key_words`].
const KEY_WORDS: [(u64, u64); KNOWN.len()] = {
    let mut out = [(0, 0); KNOWN.len()];
    let mut i = 0;
    while i < KNOWN.len() {
        assert!(KNOWN[i].len() <= 16, "every known name fits in two words");
        out[i] = key_words(KNOWN[i].as_bytes());
        i += 1;
    }
    out
};

/// The table of [`KNOWN`] by bucket for multiplier `k`, when no two names share a bucket.
const fn key_table(k: u64) -> Option<[u8; KEY_BUCKETS]> {
    let mut table = [NO_KEY; KEY_BUCKETS];
    let mut i = 0;
    while i < KNOWN.len() {
        let b = key_bucket_with(KEY_WORDS[i], k);
        if table[b] != NO_KEY {
            return None;
        }
        table[b] = i as u8;
        i += 1;
    }
    Some(table)
}

/// The first odd multiplier (from the golden ratio's) that puts every known name in a bucket of its own,
/// found when the program is compiled.
const KEY_MULTIPLIER: u64 = {
    let mut k = 0x9E37_79B9_7F4A_7C15u64;
    while key_table(k).is_none() {
        k = k.wrapping_add(0x2_0000_0002);
    }
    k
};

const KEY_TABLE: [u8; KEY_BUCKETS] = match key_table(KEY_MULTIPLIER) {
    Some(t) => t,
    None => panic!("the multiplier was chosen for this table"),
};

/// The place of `name` in [`KNOWN`]: the same table a plain line's keys are looked up in.
pub(crate) fn slot(name: &str) -> Option<usize> {
    slot_in(name.as_bytes(), 0, name.len())
}

impl<'a> Fields<'a> {
    pub fn new(pairs: Vec<(Cow<'a, str>, Loose<'a>)>) -> Self {
        let mut fields = Fields::empty();
        for (k, v) in pairs {
            fields.push(k, v);
        }
        fields
    }

    /// No fields yet.
    pub fn empty() -> Self {
        Fields { known: std::array::from_fn(|_| None), others: Vec::new() }
    }

    /// The next field written. A name written before is forgotten there: the last one counts.
    pub fn push(&mut self, key: Cow<'a, str>, value: Loose<'a>) {
        match slot(&key) {
            Some(i) => self.known[i] = Some(value),
            None => self.others.push((key, value)),
        }
    }

    /// [`Fields::push`] of a string borrowed from the line: the field is built where it is kept, from the
    /// two slices, rather than built aside and copied (the copy read back what had just been written in
    /// narrower pieces, a stall the processor pays on every field of a million lines).
    pub fn push_str(&mut self, key: &'a str, value: &'a str) {
        match slot(key) {
            Some(i) => self.known[i] = Some(Loose::Str(Cow::Borrowed(value))),
            None => self.others.push((Cow::Borrowed(key), Loose::Str(Cow::Borrowed(value)))),
        }
    }

    /// [`Fields::push_str`] for a list.
    pub fn push_list(&mut self, key: &'a str, items: Vec<Loose<'a>>) {
        match slot(key) {
            Some(i) => self.known[i] = Some(Loose::List(items)),
            None => self.others.push((Cow::Borrowed(key), Loose::List(items))),
        }
    }

    /// Removes the field of [`KNOWN`]`[i]` (see [`known_slot`]) and gives its value.
    pub fn take_known(&mut self, i: usize) -> Option<Loose<'a>> {
        self.known[i].take()
    }

    /// Removes every field called `name` and gives the value of the last one.
    pub fn take(&mut self, name: &str) -> Option<Loose<'a>> {
        match slot(name) {
            Some(i) => self.take_known(i),
            None => {
                let mut found = None;
                self.others.retain_mut(|(k, v)| {
                    let it = k == name;
                    if it {
                        found = Some(std::mem::replace(v, Loose::Null));
                    }
                    !it
                });
                found
            }
        }
    }

    /// Every field left, taken out, the known names first.
    fn drain(&mut self) -> impl Iterator<Item = (Cow<'a, str>, Loose<'a>)> + '_ {
        let known = KNOWN.iter().zip(&mut self.known).filter_map(|(k, v)| v.take().map(|v| (Cow::Borrowed(*k), v)));
        known.chain(self.others.drain(..))
    }

    /// What is left, taken out as a JSON object (the last of a repeated key wins), every key and string
    /// cleaned.
    pub fn into_map(&mut self) -> Map<String, Value> {
        let mut map = Map::new();
        for (k, v) in self.drain() {
            map.insert(crate::text::clean_owned(k.into_owned()), crate::model::record::clean_value(v.into_value()));
        }
        map
    }

    /// The fields of a JSON object.
    pub fn from_map(map: Map<String, Value>) -> Fields<'static> {
        Fields::new(map.into_iter().map(|(k, v)| (Cow::Owned(k), Loose::from_value(v))).collect())
    }

    /// As a JSON object without cleaning (for objects nested in a field).
    fn into_raw_map(mut self) -> Map<String, Value> {
        self.drain().map(|(k, v)| (k.into_owned(), v.into_value())).collect()
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
        TopLevel::Object(fields) => Ok(*fields),
        TopLevel::Other(v) => Err(NotAnObject::Other(v)),
    }
}

/// Why [`parse_object`] gave no object.
#[derive(Debug)]
pub enum NotAnObject<'a> {
    Invalid(String),
    Other(Loose<'a>),
}

/// An object's fields are boxed here: they are a kilobyte, and every value read goes through these.
enum TopLevel<'a> {
    Object(Box<Fields<'a>>),
    Other(Loose<'a>),
}

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor).map(|v| match v {
            Either::Fields(f) => TopLevel::Object(f),
            Either::Value(v) => TopLevel::Other(v),
        })
    }
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor).map(|v| match v {
            Either::Fields(f) => Loose::Object(f.into_raw_map()),
            Either::Value(v) => v,
        })
    }
}

enum Either<'a> {
    Fields(Box<Fields<'a>>),
    Value(Loose<'a>),
}

/// Reads any JSON value; an object as [`Fields`] (which the top level keeps, and a nested one turns into a
/// JSON object).
struct LooseVisitor;

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
        let mut fields = Box::new(Fields::empty());
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
    fn a_plain_key_finds_its_place_as_a_match_does() {
        let mut names: Vec<String> = KNOWN.iter().map(|k| k.to_string()).collect();
        names.extend(
            ["", "i", "idx", "items_", "item", "reported_byx", "kind ", "x", "id\0", "a_very_long_key_name_here"]
                .map(String::from),
        );
        names.extend(KNOWN.iter().map(|k| format!("{k}s")));
        names.extend(KNOWN.iter().map(|k| k[..k.len() - 1].to_string()));
        for name in &names {
            let line = format!("{{\"{name}\":1}}");
            // At the start of a line long enough to read sixteen bytes, and at the very end (by hand).
            assert_eq!(slot_in(line.as_bytes(), 2, 2 + name.len()), slot(name), "{name}");
            assert_eq!(slot_in(name.as_bytes(), 0, name.len()), slot(name), "{name} alone");
        }
    }

    #[test]
    fn strings_without_escapes_borrow_and_the_last_key_wins() {
        // `target` is a declared field, found by its slot; `a` is not, found by looking.
        for key in ["target", "a"] {
            let line = format!(r#"{{"{key}":"x","b":[1,"y",null],"{key}":"z\n","c":{{"d":1}}}}"#);
            let mut f = parse_object(&line).expect("object");
            assert!(f.others.iter().any(|(k, v)| k == "b" && matches!(v, Loose::List(_))));
            assert!(matches!(&f.others[usize::from(key == "a")], (Cow::Borrowed("b"), _)), "keys borrow");
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

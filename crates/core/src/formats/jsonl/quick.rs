//! Packing a plain line (see [`super::plain`]) straight from where its values are in the line:
//! no value is built on the way, and no text needs cleaning (a plain line is printable ASCII).
//!
//! Only a record that packs without a question is packed here: anything that would be an error gives
//! `None`, and the line goes the general way ([`super::typed::pack`]), which words it. So the two ways
//! give the same bytes for every line this way takes (a property test checks it).

use super::plain::{number, trim, Plain, Span};
use crate::model::packed::{Builder, Packed, Packer};
use crate::model::record::Timestamp;
use crate::model::schema::{fields as schema, slots, Field, Ty, KNOWN};
use crate::model::vocab::Kind;
use serde_json::{Map, Value};
use smallvec::SmallVec;

/// The places of `id`, `ts` and `kind` in [`KNOWN`].
const ID: usize = 0;
const TS: usize = 1;
const KIND: usize = 2;

/// Packs a plain line's record, `feed_kind` being the kind its feed names; `each` is given every text
/// of a declared field (with the record's kind and its field) once the record is packed. `None` when the
/// line is better packed the general way (see the module's note).
pub fn pack(
    p: &Plain<'_>,
    feed_kind: Option<Kind>,
    packer: &mut Packer,
    each: &mut dyn FnMut(Kind, &'static Field, &str),
) -> Option<Packed> {
    let kind = match p.known[KIND] {
        Span::Absent | Span::Null => feed_kind?,
        Span::Str(s, e) => Kind::parse(p.text(s, e))?,
        _ => return None,
    };
    let id = match p.known[ID] {
        Span::Str(s, e) => trim(p.text(s, e)),
        _ => return None,
    };
    let ts = match p.known[TS] {
        Span::Str(s, e) if !id.is_empty() => Timestamp::parse(p.text(s, e)).ok()?,
        _ => return None,
    };
    let mut w = Builder::start(kind, id, &ts, packer);
    // Given to `each` at the end, when nothing can send the line the general way any more.
    let mut texts: SmallVec<[(&'static Field, &str); 16]> = SmallVec::new();
    let mut declared: u64 = 1 << ID | 1 << TS | 1 << KIND;
    for (field, &slot) in schema(kind).iter().zip(slots(kind)) {
        declared |= 1 << slot;
        let ty = &field.ty;
        match (ty, p.known[slot]) {
            (_, Span::Absent | Span::Null) => w.none(),
            (Ty::Text, Span::Str(s, e)) => match trim(p.text(s, e)) {
                "" => w.none(),
                t => {
                    texts.push((field, t));
                    w.text(t);
                }
            },
            (Ty::List, Span::Str(s, e)) => match trim(p.text(s, e)) {
                "" => w.none(),
                t => {
                    texts.push((field, t));
                    w.list([t]);
                }
            },
            (Ty::List, Span::List(s, e)) => {
                let items = p.items(s, e).flatten().map(trim).filter(|t| !t.is_empty());
                w.list(items.inspect(|t| texts.push((field, t))));
            }
            (Ty::Word(vocab), Span::Str(s, e)) => w.word(vocab.parse(p.text(s, e))?),
            (Ty::Num, Span::Num(s, e)) => match number(p.text(s, e))?.as_f64() {
                Some(f) if f.is_finite() && f >= 0.0 => w.num(f),
                _ => return None,
            },
            _ => return None,
        }
    }
    let undeclared = p.present & !declared;
    let extra = match undeclared == 0 && p.others.is_empty() {
        true => Map::new(),
        false => undeclared_fields(p, undeclared)?,
    };
    for (field, text) in texts {
        each(kind, field, text);
    }
    Some(w.finish(&extra))
}

/// The fields a record keeps as they are: names of [`KNOWN`] its kind does not declare (bit `i` of
/// `known` for `KNOWN[i]`), then the others, as [`super::loose::Fields::into_map`] gives them.
fn undeclared_fields(p: &Plain<'_>, known: u64) -> Option<Map<String, Value>> {
    let mut map = Map::new();
    for (i, name) in KNOWN.iter().enumerate().filter(|&(i, _)| known & 1 << i != 0) {
        map.insert((*name).to_owned(), value(p, p.known[i])?);
    }
    for &(name, span) in &p.others {
        map.insert(name.to_owned(), value(p, span)?);
    }
    Some(map)
}

fn value(p: &Plain<'_>, span: Span) -> Option<Value> {
    Some(match span {
        Span::Absent | Span::Null => Value::Null,
        Span::Bool(b) => Value::Bool(b),
        Span::Str(s, e) => Value::String(p.text(s, e).to_owned()),
        Span::Num(s, e) => Value::Number(number(p.text(s, e))?),
        Span::List(s, e) => {
            Value::Array(p.items(s, e).map(|t| t.map_or(Value::Null, |t| Value::String(t.to_owned()))).collect())
        }
    })
}

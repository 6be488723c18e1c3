//! Packing a line's fields: each declared field checked against its type (an error names the field,
//! what was expected and what was found), cleaned for display and written as it is found.

use super::loose::{Fields, Loose};
use crate::model::packed::{Builder, Packed, Packer};
use crate::model::record::{FieldError, Timestamp};
use crate::model::schema::{fields as schema, slots, Field, Ty};
use crate::model::vocab::Kind;
use crate::text::clean_cow;
use std::borrow::Cow;

/// Packs a line's fields as a record of `kind`: its declared fields are checked (an error names the
/// field, what was expected and what was found), cleaned for display and written; the others are
/// kept as undeclared fields.
///
/// `each` is given every text of a declared field as it is written, with its field.
pub fn pack(
    kind: Kind,
    id: &str,
    ts: &Timestamp,
    fields: &mut Fields<'_>,
    packer: &mut Packer,
    each: &mut dyn FnMut(&'static Field, &str),
) -> Result<Packed, FieldError> {
    let mut w = Builder::start(kind, id, ts, packer);
    for (field, &slot) in schema(kind).iter().zip(slots(kind)) {
        let (name, ty) = (field.name, &field.ty);
        let value = match fields.take_known(slot) {
            None | Some(Loose::Null) => None,
            Some(v) => Some(v),
        };
        match (ty, value) {
            (Ty::Text | Ty::Word(_) | Ty::Num, None) => w.none(),
            (Ty::Text, Some(Loose::Str(s))) => match cleaned(s) {
                Some(t) => {
                    each(field, &t);
                    w.text(&t)
                }
                None => w.none(),
            },
            (Ty::Text, Some(v)) => return Err(wrong(name, "a string", &v)),
            (Ty::List, value) => {
                let items = match value {
                    None => Vec::new(),
                    Some(Loose::Str(s)) => cleaned(s).into_iter().collect(),
                    Some(Loose::List(list)) => {
                        let mut items = Vec::with_capacity(list.len());
                        for item in list {
                            match item {
                                Loose::Str(s) => items.extend(cleaned(s)),
                                Loose::Null => {}
                                other => return Err(wrong(name, "a list of strings", &other)),
                            }
                        }
                        items
                    }
                    Some(v) => return Err(wrong(name, "a list of strings", &v)),
                };
                for t in &items {
                    each(field, t);
                }
                w.list(items.iter().map(|t| &**t));
            }
            (Ty::Word(vocab), Some(Loose::Str(s))) => {
                let Some(v) = vocab.parse(&s) else {
                    return Err(FieldError {
                        field: name.to_owned(),
                        expected: format!("one of {}", vocab.expected()),
                        found: crate::text::excerpt(&s),
                    });
                };
                w.word(v);
            }
            (Ty::Word(vocab), Some(v)) => return Err(wrong(name, &format!("one of {}", vocab.expected()), &v)),
            (Ty::Num, Some(Loose::Num(n))) => match n.as_f64() {
                Some(f) if f.is_finite() && f >= 0.0 => w.num(f),
                _ => return Err(wrong(name, "a finite number, zero or more", &Loose::Num(n))),
            },
            (Ty::Num, Some(v)) => return Err(wrong(name, "a number", &v)),
        }
    }
    Ok(w.finish(&fields.into_map()))
}

/// A string field's text, cleaned and trimmed; none when that leaves nothing.
fn cleaned(s: Cow<'_, str>) -> Option<Cow<'_, str>> {
    let t = match s {
        Cow::Borrowed(b) => clean_cow(b.trim()),
        Cow::Owned(o) => Cow::Owned(clean_cow(o.trim()).into_owned()),
    };
    (!t.is_empty()).then_some(t)
}

fn wrong(name: &str, expected: &str, found: &Loose<'_>) -> FieldError {
    FieldError { field: name.to_owned(), expected: expected.to_owned(), found: found.describe() }
}

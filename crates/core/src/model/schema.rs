//! The record schema, declared once: each kind's fields, with how each is written, where it is shown and
//! what it is for.
//!
//! A kind's fields are declared in the order they are packed, which is also the order a version's
//! fingerprint reads them in (`seen.bin` keeps those: reordering them would mark every acknowledged
//! record as changed after an upgrade). A new field can go anywhere; where it is shown is its `shown`
//! place.
//!
//! Everything else derives from the declaration at the bottom of this file ([`kinds!`]): the typed structs
//! ([`Sanction`], [`Supplier`], [`Aid`], [`Shortage`]) and [`Body`], their JSON (serde), the packed form
//! and back (`packed::slot`), the names every line is read for ([`KNOWN`]) and where each field is among
//! them, parsing a line's fields (`packed::from_line`, `packed::from_plain`), the detail view and `check`'s
//! list of fields ([`Body::declared`]), a record's title, its level, and which texts are names that link
//! and which put a record in a category. Adding a field is one line here (and its test).

use crate::model::record::Text;
use crate::model::vocab::{Action, Kind, Level, ShortageStatus, Stage, TargetType};
use serde::Serialize;

/// How a declared field is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Text,
    List,
    /// One of a closed vocabulary, by its place in the vocabulary's `ALL`.
    Word(Vocab),
    Num,
}

/// The closed vocabularies word fields take their values from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocab {
    Action,
    TargetType,
    Level,
    Stage,
    ShortageStatus,
}

impl Vocab {
    pub fn name(self, i: usize) -> Option<&'static str> {
        match self {
            Vocab::Action => Action::ALL.get(i).map(|v| v.as_str()),
            Vocab::TargetType => TargetType::ALL.get(i).map(|v| v.as_str()),
            Vocab::Level => Level::ALL.get(i).map(|v| v.as_str()),
            Vocab::Stage => Stage::ALL.get(i).map(|v| v.as_str()),
            Vocab::ShortageStatus => ShortageStatus::ALL.get(i).map(|v| v.as_str()),
        }
    }

    pub fn parse(self, s: &str) -> Option<u8> {
        match self {
            Vocab::Action => Action::parse(s).map(|v| v as u8),
            Vocab::TargetType => TargetType::parse(s).map(|v| v as u8),
            Vocab::Level => Level::parse(s).map(|v| v as u8),
            Vocab::Stage => Stage::parse(s).map(|v| v as u8),
            Vocab::ShortageStatus => ShortageStatus::parse(s).map(|v| v as u8),
        }
    }

    pub fn expected(self) -> String {
        match self {
            Vocab::Action => Action::expected(),
            Vocab::TargetType => TargetType::expected(),
            Vocab::Level => Level::expected(),
            Vocab::Stage => Stage::expected(),
            Vocab::ShortageStatus => ShortageStatus::expected(),
        }
    }
}

/// What a field's texts are for, besides being shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Plain,
    /// A name of the party: linked by its name forms to the same party in the other party panel.
    Name,
    /// Words that put the record in a category of the vocabulary (what a shortage is, what a package covers).
    Category,
    /// A party's registration and tax numbers, IMO, SWIFT/BIC and the like, each `scheme:value`
    /// (`inn:7701234567`, `swift:SABRRUMM`): evidence for and against a link between names.
    Identifier,
}

/// A declared field: its name, how it is written, and what it is for.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    /// Its values repeat across records (authorities, countries, ...): each is kept once (`packed::shared`).
    pub shared: bool,
    /// It is the record's level (a supplier's risk, a shortage's severity), kept where the store reads it.
    pub level: bool,
    /// Its place among the fields a record's title is taken from, the first that has a text (0: none).
    pub title: u8,
    /// Its place in the detail view and in `check`'s list of a kind's fields, from 1.
    pub shown: u8,
    pub role: Role,
}

impl Field {
    const fn new(name: &'static str, ty: Ty) -> Field {
        Field { name, ty, shared: false, level: false, title: 0, shown: 0, role: Role::Plain }
    }

    const fn shared(self) -> Field {
        Field { shared: true, ..self }
    }

    const fn level(self) -> Field {
        Field { level: true, ..self }
    }

    const fn title(self, rank: u8) -> Field {
        Field { title: rank, ..self }
    }

    const fn shown(self, place: u8) -> Field {
        Field { shown: place, ..self }
    }

    const fn names(self) -> Field {
        Field { role: Role::Name, ..self }
    }

    const fn categories(self) -> Field {
        Field { role: Role::Category, ..self }
    }

    const fn identifiers(self) -> Field {
        Field { role: Role::Identifier, ..self }
    }
}

/// How a field's Rust type is written; the rest of what a type does lives with the packed form
/// (`packed::slot`).
pub trait Typed {
    const TY: Ty;
    /// Whether there is nothing to show or write as JSON (an empty list, no value).
    fn is_absent(&self) -> bool;
}

impl Typed for Option<Text> {
    const TY: Ty = Ty::Text;
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl Typed for Vec<Text> {
    const TY: Ty = Ty::List;
    fn is_absent(&self) -> bool {
        self.is_empty()
    }
}

impl Typed for Option<f64> {
    const TY: Ty = Ty::Num;
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

macro_rules! words {
    ($($t:ident),*) => {$(
        impl Typed for Option<$t> {
            const TY: Ty = Ty::Word(Vocab::$t);
            fn is_absent(&self) -> bool {
                self.is_none()
            }
        }
    )*};
}
words!(Action, TargetType, Level, Stage, ShortageStatus);

/// For serde: a field is left out of JSON when it is absent.
pub fn is_absent<T: Typed>(v: &T) -> bool {
    v.is_absent()
}

/// Declares the kinds: for each, its body (a struct of that name and a variant of [`Body`]) and its fields
/// in order, each with its Rust type and, after `=>`, what else it is (see [`Field`]'s builders).
macro_rules! kinds {
    ($(
        $(#[$kdoc:meta])*
        $kind:ident => $body:ident {
            $( $field:ident : $ty:ty $(=> $($flag:ident ($($arg:expr)?)).+)? ),+ $(,)?
        }
    )+) => {
        $(
            $(#[$kdoc])*
            #[derive(Clone, Debug, Default, PartialEq, Serialize)]
            pub struct $body {
                $(
                    #[serde(skip_serializing_if = "crate::model::schema::is_absent")]
                    pub $field: $ty,
                )+
            }

            impl $body {
                /// The declared fields, in order.
                pub const FIELDS: &'static [Field] = &[
                    $( Field::new(stringify!($field), <$ty as Typed>::TY) $($(.$flag($($arg)?))+)? ),+
                ];
                /// Their names, in the order they are shown.
                pub const SHOWN: &'static [&'static str] = &{
                    const N: usize = $body::FIELDS.len();
                    shown_order::<N>($body::FIELDS)
                };

                /// Each field with its value, in order, for what visits them all (packing).
                pub(crate) fn visit(&self, each: &mut dyn FnMut(&Field, &dyn crate::model::packed::Slot)) {
                    let mut fields = Self::FIELDS.iter();
                    $( if let Some(f) = fields.next() { each(f, &self.$field) } )+
                }

                /// The first of the title fields (by their `title` place) that has a text.
                pub fn title(&self) -> Option<&str> {
                    use crate::model::packed::Slot;
                    let mut best: (u8, Option<&str>) = (u8::MAX, None);
                    let mut fields = Self::FIELDS.iter();
                    $(
                        if let Some(f) = fields.next() {
                            if f.title > 0 && f.title < best.0 {
                                if let Some(t) = self.$field.title() {
                                    best = (f.title, Some(t));
                                }
                            }
                        }
                    )+
                    best.1
                }

                /// The fields read one after the other, in order (unpacking).
                pub(crate) fn read(take: &mut crate::model::packed::Take<'_, '_>) -> Self {
                    $body { $( $field: take.next(), )+ }
                }
            }
        )+

        /// The declared fields of each kind.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum Body {
            $( $body($body), )+
        }

        impl Body {
            /// The kind these fields belong to.
            pub fn kind(&self) -> Kind {
                match self {
                    $( Body::$body(_) => Kind::$kind, )+
                }
            }

            /// A kind's fields, none of them given.
            pub fn empty(kind: Kind) -> Body {
                match kind {
                    $( Kind::$kind => Body::$body($body::default()), )+
                }
            }

            pub(crate) fn visit(&self, each: &mut dyn FnMut(&Field, &dyn crate::model::packed::Slot)) {
                match self {
                    $( Body::$body(b) => b.visit(each), )+
                }
            }

            /// The title: the first of the title fields that has a text.
            pub fn title(&self) -> Option<&str> {
                match self {
                    $( Body::$body(b) => b.title(), )+
                }
            }

            pub(crate) fn read(kind: Kind, take: &mut crate::model::packed::Take<'_, '_>) -> Body {
                match kind {
                    $( Kind::$kind => Body::$body($body::read(take)), )+
                }
            }
        }

        /// A kind's declared fields, in the order they are packed and shown.
        pub fn fields(kind: Kind) -> &'static [Field] {
            match kind {
                $( Kind::$kind => $body::FIELDS, )+
            }
        }

        /// A kind's field names, in the order they are shown.
        pub fn shown(kind: Kind) -> &'static [&'static str] {
            match kind {
                $( Kind::$kind => $body::SHOWN, )+
            }
        }

        /// Every kind's fields, for the names every line is read for.
        const ALL_FIELDS: &[&[Field]] = &[$($body::FIELDS),+];
    };
}

kinds! {
    /// A designation, delisting or amendment by an authority.
    Sanctions => Sanction {
        authority: Option<Text> => shown(5).shared(),
        program: Option<Text> => shown(6).shared(),
        action: Option<Action> => shown(7),
        target: Option<Text> => shown(1).title(1).names(),
        aliases: Vec<Text> => shown(2).names(),
        target_type: Option<TargetType> => shown(3),
        country: Option<Text> => shown(4).shared(),
        reason: Option<Text> => shown(8).shared(),
        source: Option<Text> => shown(9).shared(),
        identifiers: Vec<Text> => shown(10).identifiers(),
    }
    /// A firm suspected of supplying Russia's defence industry.
    Suppliers => Supplier {
        name: Option<Text> => shown(1).title(1).names(),
        aliases: Vec<Text> => shown(2).names(),
        country: Option<Text> => shown(3).shared(),
        goods: Vec<Text> => shown(4).shared(),
        risk: Option<Level> => shown(5).level(),
        customers: Vec<Text> => shown(7),
        status: Option<Text> => shown(6).shared(),
        source: Option<Text> => shown(8).shared(),
        identifiers: Vec<Text> => shown(9).identifiers(),
    }
    /// An aid package moving through its stages.
    Aid => Aid {
        donor: Option<Text> => shown(2).shared(),
        title: Option<Text> => shown(1).title(1),
        amount: Option<f64> => shown(3),
        currency: Option<Text> => shown(4).shared(),
        stage: Option<Stage> => shown(5),
        delivered: Option<f64> => shown(6),
        items: Vec<Text> => shown(7).shared().categories(),
        source: Option<Text> => shown(8).shared(),
    }
    /// What Ukrainian units report short.
    Shortages => Shortage {
        category: Option<Text> => shown(1).shared().title(2).categories(),
        item: Option<Text> => shown(2).shared().title(1).categories(),
        region: Option<Text> => shown(3).shared(),
        severity: Option<Level> => shown(4).level(),
        status: Option<ShortageStatus> => shown(5),
        reported_by: Option<Text> => shown(6).shared(),
        source: Option<Text> => shown(7).shared(),
    }
}

/// The most fields a kind declares.
pub const MOST_FIELDS: usize = {
    let (mut most, mut k) = (0, 0);
    while k < ALL_FIELDS.len() {
        if ALL_FIELDS[k].len() > most {
            most = ALL_FIELDS[k].len();
        }
        k += 1;
    }
    most
};

/// The fields of every line, before a kind's: the envelope.
const ENVELOPE: [&str; 3] = ["id", "ts", "kind"];

/// How many names every line is read for: the envelope, then each field name the first time a kind
/// declares it.
const KNOWN_LEN: usize = {
    let mut n = ENVELOPE.len();
    let mut k = 0;
    while k < ALL_FIELDS.len() {
        let mut f = 0;
        while f < ALL_FIELDS[k].len() {
            if first_of_its_name(k, f) {
                n += 1;
            }
            f += 1;
        }
        k += 1;
    }
    n
};

/// The names looked for in every line: the envelope, then every kind's declared fields (each name once).
pub const KNOWN: [&str; KNOWN_LEN] = {
    let mut out = [""; KNOWN_LEN];
    let mut n = 0;
    while n < ENVELOPE.len() {
        out[n] = ENVELOPE[n];
        n += 1;
    }
    let mut k = 0;
    while k < ALL_FIELDS.len() {
        let mut f = 0;
        while f < ALL_FIELDS[k].len() {
            if first_of_its_name(k, f) {
                out[n] = ALL_FIELDS[k][f].name;
                n += 1;
            }
            f += 1;
        }
        k += 1;
    }
    out
};

/// Whether field `f` of kind `k` is the first declaration of its name.
const fn first_of_its_name(k: usize, f: usize) -> bool {
    let name = ALL_FIELDS[k][f].name;
    let mut i = 0;
    while i <= k {
        let mut j = 0;
        while j < ALL_FIELDS[i].len() && (i < k || j < f) {
            if same(ALL_FIELDS[i][j].name, name) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The place of `name` in [`KNOWN`], worked out when the program is compiled.
pub const fn known_slot(name: &str) -> Option<usize> {
    let mut i = 0;
    while i < KNOWN.len() {
        if same(KNOWN[i], name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Where each declared field is among [`KNOWN`], in the schema's order: a field is then taken from a line
/// by its number, not looked for by its name.
pub fn slots(kind: Kind) -> &'static [usize] {
    const SANCTION_SLOTS: [usize; Sanction::FIELDS.len()] = slots_of(Sanction::FIELDS);
    const SUPPLIER_SLOTS: [usize; Supplier::FIELDS.len()] = slots_of(Supplier::FIELDS);
    const AID_SLOTS: [usize; Aid::FIELDS.len()] = slots_of(Aid::FIELDS);
    const SHORTAGE_SLOTS: [usize; Shortage::FIELDS.len()] = slots_of(Shortage::FIELDS);
    match kind {
        Kind::Sanctions => &SANCTION_SLOTS,
        Kind::Suppliers => &SUPPLIER_SLOTS,
        Kind::Aid => &AID_SLOTS,
        Kind::Shortages => &SHORTAGE_SLOTS,
    }
}

const fn slots_of<const N: usize>(fields: &[Field]) -> [usize; N] {
    let mut out = [0; N];
    let mut i = 0;
    while i < N {
        out[i] = match known_slot(fields[i].name) {
            Some(s) => s,
            None => panic!("every declared field is one of KNOWN"),
        };
        i += 1;
    }
    out
}

/// The names of `fields` by their `shown` place (a place no field has is left empty; a test checks there
/// is none).
const fn shown_order<const N: usize>(fields: &[Field]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        let place = fields[i].shown as usize;
        if place >= 1 && place <= N {
            out[place - 1] = fields[i].name;
        }
        i += 1;
    }
    out
}

/// The field a record that is known only by its name keeps that name in: its first title field.
pub fn title_field(kind: Kind) -> &'static str {
    fields(kind).iter().filter(|f| f.title > 0).min_by_key(|f| f.title).map_or("", |f| f.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_known_once_the_envelope_first() {
        assert_eq!(&KNOWN[..3], ["id", "ts", "kind"]);
        for (i, a) in KNOWN.iter().enumerate() {
            assert!(!KNOWN[i + 1..].contains(a), "{a} twice");
            assert!(a.len() <= 16, "{a}: a plain line's key is read as two words");
        }
        for &kind in Kind::ALL {
            for (f, &slot) in fields(kind).iter().zip(slots(kind)) {
                assert_eq!(KNOWN[slot], f.name);
            }
        }
        assert!(KNOWN.len() <= 64, "a plain line notes the names it has in 64 bits");
    }

    #[test]
    fn each_kind_has_one_level_field_at_most_and_a_title() {
        for &kind in Kind::ALL {
            assert!(fields(kind).iter().filter(|f| f.level).count() <= 1, "{kind}");
            assert!(fields(kind).iter().all(|f| !f.level || f.ty == Ty::Word(Vocab::Level)), "{kind}");
            assert!(!title_field(kind).is_empty(), "{kind}");
        }
        assert_eq!(title_field(Kind::Shortages), "item");
        for &kind in Kind::ALL {
            let mut places: Vec<u8> = fields(kind).iter().map(|f| f.shown).collect();
            places.sort();
            assert_eq!(places, (1..=fields(kind).len() as u8).collect::<Vec<_>>(), "{kind}: each field its own place");
        }
        assert_eq!(shown(Kind::Sanctions)[..3], ["target", "aliases", "target_type"]);
        let aliases = fields(Kind::Suppliers).iter().find(|f| f.name == "aliases");
        assert_eq!(aliases.map(|f| f.role), Some(Role::Name));
    }
}

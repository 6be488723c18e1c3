//! What each kind's declared fields are, in the order they are packed and shown, and how each is written.

use crate::model::vocab::{Action, Kind, Level, ShortageStatus, Stage, TargetType};

/// How a declared field is written.
#[derive(Clone, Copy)]
pub(super) enum Ty {
    Text,
    List,
    /// One of a closed vocabulary, by its place in the vocabulary's `ALL`.
    Word(Vocab),
    Num,
}

/// The closed vocabularies word fields take their values from.
#[derive(Clone, Copy)]
pub(super) enum Vocab {
    Action,
    TargetType,
    Level,
    Stage,
    ShortageStatus,
}

impl Vocab {
    pub(super) fn name(self, i: usize) -> Option<&'static str> {
        match self {
            Vocab::Action => Action::ALL.get(i).map(|v| v.as_str()),
            Vocab::TargetType => TargetType::ALL.get(i).map(|v| v.as_str()),
            Vocab::Level => Level::ALL.get(i).map(|v| v.as_str()),
            Vocab::Stage => Stage::ALL.get(i).map(|v| v.as_str()),
            Vocab::ShortageStatus => ShortageStatus::ALL.get(i).map(|v| v.as_str()),
        }
    }

    pub(super) fn parse(self, s: &str) -> Option<u8> {
        match self {
            Vocab::Action => Action::parse(s).map(|v| v as u8),
            Vocab::TargetType => TargetType::parse(s).map(|v| v as u8),
            Vocab::Level => Level::parse(s).map(|v| v as u8),
            Vocab::Stage => Stage::parse(s).map(|v| v as u8),
            Vocab::ShortageStatus => ShortageStatus::parse(s).map(|v| v as u8),
        }
    }

    pub(super) fn expected(self) -> String {
        match self {
            Vocab::Action => Action::expected(),
            Vocab::TargetType => TargetType::expected(),
            Vocab::Level => Level::expected(),
            Vocab::Stage => Stage::expected(),
            Vocab::ShortageStatus => ShortageStatus::expected(),
        }
    }
}

/// A declared field: its name, how it is written, and whether its values are shared (numbered in `shared.rs`).
pub(super) struct Field(pub(super) &'static str, pub(super) Ty, pub(super) bool);

pub(super) const SANCTION: &[Field] = &[
    Field("authority", Ty::Text, true),
    Field("program", Ty::Text, true),
    Field("action", Ty::Word(Vocab::Action), false),
    Field("target", Ty::Text, false),
    Field("aliases", Ty::List, false),
    Field("target_type", Ty::Word(Vocab::TargetType), false),
    Field("country", Ty::Text, true),
    Field("reason", Ty::Text, true),
    Field("source", Ty::Text, true),
];
pub(super) const SUPPLIER: &[Field] = &[
    Field("name", Ty::Text, false),
    Field("aliases", Ty::List, false),
    Field("country", Ty::Text, true),
    Field("goods", Ty::List, true),
    Field("risk", Ty::Word(Vocab::Level), false),
    Field("customers", Ty::List, false),
    Field("status", Ty::Text, true),
    Field("source", Ty::Text, true),
];
pub(super) const AID: &[Field] = &[
    Field("donor", Ty::Text, true),
    Field("title", Ty::Text, false),
    Field("amount", Ty::Num, false),
    Field("currency", Ty::Text, true),
    Field("stage", Ty::Word(Vocab::Stage), false),
    Field("delivered", Ty::Num, false),
    Field("items", Ty::List, true),
    Field("source", Ty::Text, true),
];
pub(super) const SHORTAGE: &[Field] = &[
    Field("category", Ty::Text, true),
    Field("item", Ty::Text, true),
    Field("region", Ty::Text, true),
    Field("severity", Ty::Word(Vocab::Level), false),
    Field("status", Ty::Word(Vocab::ShortageStatus), false),
    Field("reported_by", Ty::Text, true),
    Field("source", Ty::Text, true),
];

/// Where each declared field is among the names every line is read for ([`crate::model::loose::KNOWN`]), in
/// the schema's order: a field is then taken from a line by its number, not looked for by its name.
pub(super) fn slots(kind: Kind) -> &'static [usize] {
    const SANCTION_SLOTS: [usize; SANCTION.len()] = slots_of(SANCTION);
    const SUPPLIER_SLOTS: [usize; SUPPLIER.len()] = slots_of(SUPPLIER);
    const AID_SLOTS: [usize; AID.len()] = slots_of(AID);
    const SHORTAGE_SLOTS: [usize; SHORTAGE.len()] = slots_of(SHORTAGE);
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
        out[i] = match crate::model::loose::known_slot(fields[i].0) {
            Some(s) => s,
            None => panic!("every declared field is one of loose::KNOWN"),
        };
        i += 1;
    }
    out
}

pub(super) fn schema(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::Sanctions => SANCTION,
        Kind::Suppliers => SUPPLIER,
        Kind::Aid => AID,
        Kind::Shortages => SHORTAGE,
    }
}

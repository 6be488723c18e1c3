//! OpenSanctions `targets.nested.json`: one target a line, the entities it is linked to embedded in its
//! properties (a `Sanction` in `sanctions`, an `Occupancy` in `positionOccupancies`, a `Family` in
//! `familyPerson`, ...), each possibly nesting further. Read as the flat entities of `entities.ftm.json`:
//! every embedded entity taken out and put in its own line, the property pointing at it by id, and the
//! embedded entity pointing back at the one it was in when FtM says how (`Sanction.entity` for
//! `sanctions`) and it does not already.

use serde_json::{Map, Value};

/// Properties that hold the entities pointing at their holder, and the property of those entities that
/// points back (FollowTheMoney's reverse properties).
const BACK: &[(&str, &str)] = &[
    ("sanctions", "entity"),
    ("ownershipOwner", "owner"),
    ("ownershipAsset", "asset"),
    ("directorshipDirector", "director"),
    ("directorshipOrganization", "organization"),
    ("familyPerson", "person"),
    ("familyRelative", "relative"),
    ("associates", "person"),
    ("associations", "associate"),
    ("positionOccupancies", "holder"),
    ("occupancies", "post"),
    ("membershipMember", "member"),
    ("membershipOrganization", "organization"),
    ("employers", "employee"),
    ("employees", "employer"),
    ("unknownLinkSubject", "subject"),
    ("unknownLinkObject", "object"),
    ("identification", "holder"),
];

/// Whether a line may hold embedded entities (a list whose first value is an object): the others, every
/// line of `entities.ftm.json`, are read as they are.
pub fn may_nest(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"[{").is_some()
}

/// The entities of one line of a nested export, the line's own first; `None` when the line is not an
/// entity with embedded ones (a delta operation, say), to be read as it is.
pub fn flatten(line: &str) -> Option<Vec<Value>> {
    let Value::Object(entity) = serde_json::from_str::<Value>(line).ok()? else { return None };
    if entity.contains_key("op") || !is_entity(&entity) {
        return None;
    }
    let mut out = Vec::new();
    take_out(entity, None, &mut out);
    Some(out)
}

fn is_entity(o: &Map<String, Value>) -> bool {
    o.get("id").is_some_and(Value::is_string) && o.get("schema").is_some_and(Value::is_string)
}

/// `entity` and everything embedded in it, in `out` (`entity` first), each embedded one replaced by its id;
/// `holder` is the id of the entity it was embedded in and the property it was in.
fn take_out(mut entity: Map<String, Value>, holder: Option<(&str, &str)>, out: &mut Vec<Value>) {
    let id = entity.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let at = out.len();
    out.push(Value::Null);
    if let Some(Value::Object(props)) = entity.get_mut("properties") {
        if let Some((holder_id, prop)) = holder {
            if let Some((_, back)) = BACK.iter().find(|(p, _)| *p == prop) {
                let points = props.get(*back).and_then(Value::as_array).is_some_and(|v| !v.is_empty());
                if !points {
                    props.insert((*back).to_owned(), Value::Array(vec![Value::String(holder_id.to_owned())]));
                }
            }
        }
        let mut reverse = Vec::new();
        for (prop, values) in props.iter_mut() {
            let Value::Array(values) = values else { continue };
            // A property that holds the entities pointing at this one is not written in a flat file: the
            // pointer is theirs.
            if BACK.iter().any(|(p, _)| p == prop) {
                reverse.push(prop.clone());
            }
            for value in values.iter_mut() {
                match std::mem::take(value) {
                    Value::Object(inner) if is_entity(&inner) => {
                        let inner_id = inner.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
                        take_out(inner, Some((&id, prop)), out);
                        *value = Value::String(inner_id);
                    }
                    other => *value = other,
                }
            }
        }
        for prop in reverse {
            props.remove(&prop);
        }
    }
    out[at] = Value::Object(entity);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_entities_come_out_pointing_back_at_their_holder() {
        let line = r#"{"id":"p1","schema":"Company","properties":{"name":["Acme"],"sanctions":[{"id":"s1","schema":"Sanction","properties":{"authority":["OFAC"]}}],"ownershipOwner":[{"id":"o1","schema":"Ownership","properties":{"owner":["p1"],"asset":[{"id":"a1","schema":"Company","properties":{"name":["Sub"]}}]}}]}}"#;
        assert!(may_nest(line.as_bytes()));
        let out = flatten(line).expect("an entity");
        let mut ids: Vec<&str> = out.iter().filter_map(|e| e["id"].as_str()).collect();
        assert_eq!(ids[0], "p1", "the line's own entity first");
        ids.sort_unstable();
        assert_eq!(ids, ["a1", "o1", "p1", "s1"]);
        let by_id = |id: &str| out.iter().find(|e| e["id"] == id).expect("there");
        assert!(out[0]["properties"].get("sanctions").is_none(), "the sanction points at its party, not back");
        assert_eq!(by_id("s1")["properties"]["entity"], serde_json::json!(["p1"]), "the sanction points at its party");
        assert_eq!(by_id("o1")["properties"]["asset"], serde_json::json!(["a1"]));
        assert_eq!(by_id("o1")["properties"]["owner"], serde_json::json!(["p1"]), "kept as it was");
        // A flat entity and a delta line are read as they are.
        assert!(!may_nest(br#"{"id":"x","schema":"Company","properties":{"name":["X"]}}"#));
        assert!(flatten(
            r#"{"op":"ADD","entity":{"id":"x","schema":"Company","properties":{"a":[{"id":"y","schema":"Note"}]}}}"#
        )
        .is_none());
    }
}

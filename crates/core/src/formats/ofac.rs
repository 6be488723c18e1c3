//! The US Treasury's legacy OFAC CSV files, read as published.
//!
//! `sdn.csv` (or `cons_prim.csv`) holds one row per listed party: `ent_num, name, type, programs, title,
//! call sign, vessel type, tonnage, GRT, vessel flag, vessel owner, remarks`. Beside it, joined on
//! `ent_num` when present: `alt.csv` (aliases), `add.csv` (addresses) and `sdn_comments.csv` (the remarks'
//! continuation past 1,000 characters); for the consolidated list `cons_alt.csv`, `cons_add.csv`,
//! `cons_comments.csv`. No header, CRLF line ends, `-0- ` for null, programmes joined as `A] [B`, and an
//! official download that ends with a line holding one 0x1A byte.

use crate::model::record::{text, texts, Body, Record, Sanction, Timestamp};
use crate::model::vocab::{Action, Kind, TargetType};
use crate::text::clean;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The contents of the files of one OFAC list.
#[derive(Default)]
pub struct Files {
    pub main: Vec<u8>,
    pub alt: Option<Vec<u8>>,
    pub add: Option<Vec<u8>>,
    pub comments: Option<Vec<u8>>,
}

/// The companion files of a main file, if its name is one OFAC uses: (alt, add, comments).
pub fn companions(main: &Path) -> Option<[PathBuf; 3]> {
    let name = main.file_name()?.to_string_lossy().to_ascii_lowercase();
    let dir = main.parent().unwrap_or(Path::new(""));
    let names = match name.as_str() {
        "sdn.csv" => ["alt.csv", "add.csv", "sdn_comments.csv"],
        "cons_prim.csv" => ["cons_alt.csv", "cons_add.csv", "cons_comments.csv"],
        _ => return None,
    };
    Some(names.map(|n| dir.join(n)))
}

/// Facts pulled out of a remarks text.
#[derive(Debug, Default, PartialEq)]
pub struct Remarks {
    pub aliases: Vec<String>,
    pub linked_to: Vec<String>,
    pub nationality: Option<String>,
    pub identifiers: Vec<String>,
}

/// Reads a list. `ts` dates every row (OFAC publishes no listing dates in these files). A file that is
/// empty, cut short or not CSV is an error: the caller keeps what it had.
pub fn parse(files: &Files, ts: &Timestamp, consolidated: bool) -> Result<Vec<(Record, u64)>, String> {
    if let Some(why) = not_csv(&files.main) {
        return Err(format!("the file {why}"));
    }
    let main = strip_eof_marker(&files.main);
    if !main.ends_with(b"\n") {
        return Err("the file looks cut short: its last line has no line end".into());
    }
    if main.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
        return Err("the file looks cut short: a quoted field is never closed".into());
    }
    // Each companion's rows have at least this many fields: alt (ent_num, alt_num, type, name, remarks),
    // add (ent_num, add_num, address, city, country, remarks), comments (ent_num, remarks).
    let aliases = index(files.alt.as_deref(), "aliases", 4, |row| field(row, 3))?;
    // Each address row, read once: its country, and the address written out.
    let addresses = index(files.add.as_deref(), "addresses", 5, |row| {
        let parts: Vec<String> = [2, 3, 4].iter().filter_map(|&i| field(row, i)).collect();
        Some((field(row, 4), parts.join(", "))).filter(|_| !parts.is_empty())
    })?;
    let comments = index(files.comments.as_deref(), "comments", 2, |row| field(row, 1))?;

    let mut out = Vec::new();
    for row in rows(main) {
        let (line, row) = row.map_err(|e| format!("not CSV: {e}"))?;
        if row.len() == 1 && row.first().is_some_and(|f| f.trim_matches(|c| c == '\u{1a}' || c == ' ').is_empty()) {
            continue;
        }
        let Some(ent_num) = field(&row, 0) else { continue };
        let Ok(ent) = ent_num.parse::<u64>() else {
            return Err(format!("line {line}: `ent_num` is not a number: {ent_num:?}"));
        };
        let name = field(&row, 1).ok_or_else(|| format!("line {line}: entry {ent} has no name"))?;
        let mut remarks_text = field(&row, 11).unwrap_or_default();
        if let Some(more) = comments.get(&ent).and_then(|v| v.first()) {
            remarks_text.push_str(more);
        }
        let mut facts = remarks(&remarks_text);
        let programs: Vec<String> = field(&row, 3)
            .map(|p| p.split("] [").map(|s| s.trim_matches(|c| c == '[' || c == ']').trim().to_owned()).collect())
            .unwrap_or_default();
        let target_type = match field(&row, 2).as_deref() {
            Some("individual") => TargetType::Individual,
            Some("vessel") => TargetType::Vessel,
            Some("aircraft") => TargetType::Aircraft,
            _ if name.to_ascii_uppercase().contains("BANK") => TargetType::Bank,
            _ => TargetType::Entity,
        };
        let mut all_aliases: Vec<String> = aliases.get(&ent).cloned().unwrap_or_default();
        for a in facts.aliases.iter() {
            if !all_aliases.contains(a) {
                all_aliases.push(a.clone());
            }
        }
        let addresses_of = addresses.get(&ent).map(Vec::as_slice).unwrap_or_default();
        let country = addresses_of
            .iter()
            .find_map(|(country, _)| country.clone())
            .or_else(|| facts.nationality.clone())
            .or_else(|| field(&row, 9));

        let mut extra = Map::new();
        extra.insert("ent_num".into(), json!(ent));
        extra.insert("programs".into(), json!(programs));
        for (i, key) in [
            (4, "title"),
            (5, "call_sign"),
            (6, "vessel_type"),
            (7, "tonnage"),
            (8, "grt"),
            (9, "vessel_flag"),
            (10, "vessel_owner"),
        ] {
            if let Some(v) = field(&row, i) {
                extra.insert(key.into(), Value::String(v));
            }
        }
        if !remarks_text.is_empty() {
            extra.insert("remarks".into(), Value::String(remarks_text.clone()));
        }
        if !facts.linked_to.is_empty() {
            extra.insert("linked_to".into(), json!(facts.linked_to));
        }
        if let Some(n) = &facts.nationality {
            extra.insert("nationality".into(), json!(n));
        }
        if !addresses_of.is_empty() {
            let written: Vec<&String> = addresses_of.iter().map(|(_, a)| a).collect();
            extra.insert("addresses".into(), json!(written));
        }
        let record = Record {
            kind: Kind::Sanctions,
            id: format!("ofac-{ent}").into(),
            ts: ts.clone(),
            body: Body::Sanction(Sanction {
                authority: Some("OFAC".into()),
                program: text((!programs.is_empty()).then(|| programs.join(", "))),
                action: Some(Action::Designated),
                target: Some(name.into()),
                aliases: texts(all_aliases),
                target_type: Some(target_type),
                country: text(country),
                reason: None,
                // Found in the remarks, as OFAC writes them (`IMO 9339301`, `Passport P0017003 (Belize)`).
                identifiers: texts(std::mem::take(&mut facts.identifiers)),
                source: Some(if consolidated { "OFAC consolidated (non-SDN) list" } else { "OFAC SDN list" }.into()),
            }),
            extra,
        };
        out.push((record, line));
    }
    if out.is_empty() {
        return Err("the file holds no entries".into());
    }
    Ok(out)
}

/// Whether a file ends with the official download's end-of-file mark (a last line holding 0x1A).
pub fn ends_with_mark(bytes: &[u8]) -> bool {
    bytes.iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&0x1a)
}

/// Why a file's contents are not an OFAC CSV file at all: empty, or a web page saved in its place.
fn not_csv(bytes: &[u8]) -> Option<&'static str> {
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace() && *b != 0x1a);
    match first.map(|i| &bytes[i..]) {
        None => Some("is empty"),
        Some(rest) if rest.starts_with(b"<") => Some("is not CSV: it looks like a web page (HTML)"),
        Some(rest) if rest.starts_with(b"{") || rest.starts_with(b"[") => Some("is not CSV: it looks like JSON"),
        _ => None,
    }
}

/// The official download's last line is a lone 0x1A (the old DOS end-of-file mark).
fn strip_eof_marker(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len();
    while end > 0 && (bytes[end - 1] == 0x1a || bytes[end - 1] == b' ') {
        end -= 1;
    }
    &bytes[..end]
}

/// The rows of a CSV file, as text (invalid UTF-8 replaced), with their 1-based line numbers.
fn rows(bytes: &[u8]) -> impl Iterator<Item = Result<(u64, Vec<String>), csv::Error>> + '_ {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    // The line a row starts on, counted from its first byte: with CRLF line ends the reader's own line
    // count is the row before's (it takes the LF as the start of the next row), one line off.
    let (mut counted, mut line) = (0usize, 1u64);
    std::iter::from_fn(move || match reader.read_byte_record(&mut record) {
        Ok(false) => None,
        Ok(true) => {
            let mut start = record.position().map_or(counted, |p| p.byte() as usize).clamp(counted, bytes.len());
            while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                start += 1;
            }
            line += memchr::memchr_iter(b'\n', &bytes[counted..start]).count() as u64;
            counted = start;
            Some(Ok((line, record.iter().map(|f| clean(&String::from_utf8_lossy(f))).collect())))
        }
        Err(e) => Some(Err(e)),
    })
}

/// A field, `None` for OFAC's null (`-0-`) or an empty one.
fn field(row: &[String], i: usize) -> Option<String> {
    let v = row.get(i)?.trim();
    (!v.is_empty() && v != "-0-").then(|| v.to_owned())
}

/// A companion file indexed by `ent_num`: for each entry, the values `pick` takes from its rows, each of at
/// least `fields` fields. A companion that is there but empty, not CSV or of another shape is an error (the
/// set is held): read as it is, it would drop every alias or address, and the list would seem amended.
fn index<T>(
    bytes: Option<&[u8]>,
    what: &str,
    fields: usize,
    pick: impl Fn(&[String]) -> Option<T>,
) -> Result<HashMap<u64, Vec<T>>, String> {
    let mut out: HashMap<u64, Vec<T>> = HashMap::new();
    let Some(bytes) = bytes else { return Ok(out) };
    if let Some(why) = not_csv(bytes) {
        return Err(format!("the {what} file {why}"));
    }
    let bytes = strip_eof_marker(bytes);
    if !bytes.ends_with(b"\n") {
        return Err(format!("the {what} file looks cut short: its last line has no line end"));
    }
    for row in rows(bytes) {
        let (line, row) = row.map_err(|e| format!("the {what} file is not CSV: {e}"))?;
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let ent = field(&row, 0).and_then(|e| e.parse::<u64>().ok());
        let Some(ent) = ent.filter(|_| row.len() >= fields) else {
            return Err(format!(
                "the {what} file, line {line}: expected `ent_num` and {} more fields, found {}",
                fields - 1,
                crate::text::excerpt(&row.join(","))
            ));
        };
        if let Some(v) = pick(&row) {
            out.entry(ent).or_default().push(v);
        }
    }
    Ok(out)
}

/// Pulls the useful facts out of a remarks text: `a.k.a. '...'` names, `Linked To:` parties, nationality,
/// and identifiers (passports, registration and tax numbers, IMO and MMSI numbers, USCC codes, ...).
pub fn remarks(text: &str) -> Remarks {
    let mut out = Remarks::default();
    for part in text.split(';') {
        let part = part.trim().trim_end_matches('.').trim();
        let fact = part.strip_prefix("alt. ").unwrap_or(part);
        if let Some(name) = ["a.k.a. ", "f.k.a. ", "n.k.a. "].iter().find_map(|p| fact.strip_prefix(p)) {
            let name = name.trim().trim_matches('\'').trim();
            if !name.is_empty() {
                out.aliases.push(name.to_owned());
            }
        } else if let Some(party) = fact.strip_prefix("Linked To: ") {
            out.linked_to.push(party.trim().to_owned());
        } else if let Some(n) = fact.strip_prefix("nationality ") {
            out.nationality.get_or_insert_with(|| n.trim().to_owned());
        } else if fact.chars().any(|c| c.is_ascii_digit()) && is_identifier(fact) {
            out.identifiers.push(fact.to_owned());
        }
    }
    out
}

fn is_identifier(fact: &str) -> bool {
    const WORDS: &[&str] = &[
        "Passport",
        "ID No",
        "Identification Number",
        "Registration",
        "Tax ID",
        "Number",
        "Code",
        "IMO",
        "MMSI",
        "SWIFT",
        "BIK",
        "License",
        "Cedula",
        "SSN",
    ];
    WORDS.iter().any(|w| fact.contains(w)) && !fact.starts_with("DOB") && !fact.contains("Digital Currency")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts() -> Timestamp {
        Timestamp::parse("2024-05-01T00:00:00Z").expect("ts")
    }

    fn one(main: &str) -> Result<Vec<(Record, u64)>, String> {
        parse(&Files { main: main.as_bytes().to_vec(), ..Files::default() }, &ts(), false)
    }

    fn sanction(r: &Record) -> &Sanction {
        match &r.body {
            Body::Sanction(s) => s,
            other => panic!("not a sanction: {other:?}"),
        }
    }

    #[test]
    fn nulls_programmes_and_types() {
        let rows = one("28603,\"TNK TRADING INTERNATIONAL S.A.\",-0- ,\"UKRAINE-EO13662] [VENEZUELA-EO13850\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n47371,\"NS LEADER\",\"vessel\",\"RUSSIA-EO14024\",-0- ,\"A8LU7\",\"Crude Oil Tanker\",-0- ,-0- ,\"Gabon\",-0- ,\"IMO 9339301; Linked To: NS LEADER SHIPPING INCORPORATED.\"\r\n\u{1a}").expect("valid");
        assert_eq!(rows.len(), 2);
        let (tnk, line) = &rows[0];
        assert_eq!(*line, 1);
        assert_eq!(&*tnk.id, "ofac-28603");
        assert_eq!(sanction(tnk).program.as_deref(), Some("UKRAINE-EO13662, VENEZUELA-EO13850"));
        assert_eq!(sanction(tnk).target_type, Some(TargetType::Entity));
        assert_eq!(tnk.extra["programs"], json!(["UKRAINE-EO13662", "VENEZUELA-EO13850"]));
        assert!(!tnk.extra.contains_key("title"), "-0- is null");
        let (ship, _) = &rows[1];
        assert_eq!(sanction(ship).target_type, Some(TargetType::Vessel));
        assert_eq!(sanction(ship).country.as_deref(), Some("Gabon"));
        assert_eq!(ship.extra["linked_to"], json!(["NS LEADER SHIPPING INCORPORATED"]));
        assert_eq!(sanction(ship).identifiers, [crate::model::record::Text::from("IMO 9339301")]);
        assert!(!ship.extra.contains_key("identifiers"), "a declared field, not kept aside");
        assert_eq!(ship.extra["call_sign"], "A8LU7");
    }

    #[test]
    fn remarks_yield_aliases_links_nationality_and_identifiers() {
        let r = remarks("DOB 26 Dec 1992; nationality Russia; a.k.a. 'HESA'; alt. a.k.a. 'HTC'; Linked To: MAHAN AIR.; Passport P0017003 (Belize); Unified Social Credit Code (USCC) 91440300MA5DXXXX1X (China); Gender Male");
        assert_eq!(r.aliases, ["HESA", "HTC"]);
        assert_eq!(r.linked_to, ["MAHAN AIR"]);
        assert_eq!(r.nationality.as_deref(), Some("Russia"));
        assert_eq!(
            r.identifiers,
            ["Passport P0017003 (Belize)", "Unified Social Credit Code (USCC) 91440300MA5DXXXX1X (China)"]
        );
    }

    #[test]
    fn empty_and_cut_short_files_are_errors() {
        assert_eq!(one("").unwrap_err(), "the file is empty");
        assert_eq!(one("\u{1a}").unwrap_err(), "the file is empty");
        assert!(one("1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"B\",-0- ,\"X\"")
            .unwrap_err()
            .contains("cut short"));
        assert!(one("1,\"unterminated\r\n").is_err());
    }

    #[test]
    fn a_bank_is_told_by_its_name() {
        let rows =
            one("9,\"CASPIAN MERIDIAN BANK OJSC\",-0- ,\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n")
                .expect("valid");
        assert_eq!(sanction(&rows[0].0).target_type, Some(TargetType::Bank));
    }

    /// Every row names the line of the file it starts on (the real sample: one entry a line).
    #[test]
    fn each_row_names_the_line_it_starts_on() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/formats/ofac");
        let main = std::fs::read(root.join("sdn.csv")).expect("sample");
        let files = Files { main: main.clone(), ..Files::default() };
        let rows = parse(&files, &Timestamp::from_utc(chrono::Utc::now()), false).expect("rows");
        let text = String::from_utf8_lossy(&main);
        let lines: Vec<&str> = text.lines().collect();
        assert!(rows.len() > 10);
        for (r, line) in &rows {
            let ent = r.id.trim_start_matches("ofac-");
            let at = lines.get(*line as usize - 1).copied().unwrap_or_default();
            assert!(at.starts_with(&format!("{ent},")), "{} names line {line}: {at:?}", r.id);
        }
    }
}

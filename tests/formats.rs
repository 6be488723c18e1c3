//! Published sanctions files read as they are: OFAC's CSV set and OpenSanctions FollowTheMoney entities,
//! from the real samples in tests/data/formats/ (see its README for their sources and licences).

mod common;

use common::{sanction, Fixture};
use serde_json::Value;
use std::fs;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/formats");

const OFAC_CONFIG: &str = r#"
feeds_dir = "feeds"
[[feed]]
path = "sdn.csv"
format = "ofac-csv"
[[feed]]
path = "marker.jsonl"
kind = "sanctions"
"#;

/// A fixture whose feeds folder holds the four real OFAC files and an empty marker feed.
fn ofac_fixture() -> Fixture {
    let fx = Fixture::with_config(OFAC_CONFIG);
    for f in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
        fs::copy(Path::new(FIXTURES).join("ofac").join(f), fx.feed(f)).expect("copy fixture");
    }
    fx.append("marker.jsonl", "");
    fx
}

fn record<'a>(snap: &'a Value, kind: &str, id: &str) -> &'a Value {
    snap["panels"][kind]["records"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no {kind} record {id}"))
}

#[test]
fn ofac_files_are_joined_on_ent_num() {
    let fx = ofac_fixture();
    let out = fx.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let snap = fx.snapshot();
    assert_eq!(snap["panels"]["sanctions"]["count"], 17);

    let hesa = &record(&snap, "sanctions", "ofac-11195")["fields"];
    assert_eq!(hesa["target"], "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY");
    let aliases: Vec<&str> = hesa["aliases"].as_array().expect("aliases").iter().filter_map(Value::as_str).collect();
    assert!(aliases.contains(&"HESA TRADE CENTER"), "alt.csv joined: {aliases:?}");
    assert!(aliases.contains(&"HESA"), "a.k.a. from the remarks: {aliases:?}");
    assert_eq!(hesa["country"], "Iran", "country from add.csv");
    assert!(hesa["addresses"].as_array().is_some_and(|a| a.len() > 1));
    assert_eq!(hesa["programs"], serde_json::json!(["NPWMD", "IFSR", "IRAN-CON-ARMS-EO"]));

    let tanker = &record(&snap, "sanctions", "ofac-47371")["fields"];
    assert_eq!(tanker["target_type"], "vessel");
    assert_eq!(tanker["linked_to"], serde_json::json!(["NS LEADER SHIPPING INCORPORATED"]));
    assert!(tanker["identifiers"]
        .as_array()
        .is_some_and(|ids| ids.iter().any(|i| i == "Identification Number IMO 9339301")));

    // The remarks of 33151 go on in sdn_comments.csv.
    let suex = &record(&snap, "sanctions", "ofac-33151")["fields"];
    assert!(suex["remarks"].as_str().is_some_and(|r| r.contains("Organization Established Date 25 Sep 2018")));

    let person = &record(&snap, "sanctions", "ofac-29702")["fields"];
    assert_eq!(person["target_type"], "individual");
    assert_eq!(person["nationality"], "Russia");
}

#[test]
fn opensanctions_entities_and_deltas_become_rows() {
    let fx = Fixture::with_config(
        "feeds_dir = \"feeds\"\n[[feed]]\npath = \"eu.ftm.jsonl\"\nformat = \"ftm\"\n[[feed]]\npath = \"delta.jsonl\"\nformat = \"ftm\"\n",
    );
    fs::copy(Path::new(FIXTURES).join("opensanctions/eu_fsf_t1.ftm.jsonl"), fx.feed("eu.ftm.jsonl")).expect("copy");
    fs::copy(Path::new(FIXTURES).join("opensanctions/delta_20240527194702-wnk.delta.jsonl"), fx.feed("delta.jsonl"))
        .expect("copy");
    let out = fx.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let snap = fx.snapshot();
    // Six sanctioned parties in the EU sample (its seventh entity is an address), two added by the delta.
    assert_eq!(snap["panels"]["sanctions"]["count"], 8);
    let org = &record(&snap, "sanctions", "NK-2GdmHtZTeNXjNVrBGEXZNj")["fields"];
    assert_eq!(org["target"], "RAB „Inter Tobacco“");
    assert_eq!(org["authority"], "EU");
    assert_eq!(org["country"], "by");
    assert_eq!(org["datasets"], serde_json::json!(["eu_fsf"]));
    assert!(org["aliases"].as_array().is_some_and(|a| a.iter().any(|n| n == "“Inter Tobacco” LLC")));
    assert_eq!(org["identifiers"], serde_json::json!(["reg:808000714"]), "identifiers are a field");
    assert!(org.get("registrationNumber").is_none(), "and not kept twice");
    assert_eq!(org["createdAt"], serde_json::json!("2022-06-03"), "an unmapped property is kept");
    let person = &record(&snap, "sanctions", "NK-2sJaJRaPJcWUfMbHjTtWcL")["fields"];
    assert_eq!(person["target_type"], "individual");
    let kuzmenko = &record(&snap, "sanctions", "NK-2Ka3UvopqbpZmVDFjWd4LA")["fields"];
    assert_eq!(kuzmenko["identifiers"], serde_json::json!(["tax:366510784303"]));
}

/// The sample sdn.csv with one entry added, one removed and one programme recoded.
fn changed_sdn(fx: &Fixture) -> String {
    let text = fs::read_to_string(fx.feed("sdn.csv")).expect("read");
    let mut lines: Vec<String> =
        text.split("\r\n").filter(|l| !l.is_empty() && !l.starts_with("10278,")).map(str::to_owned).collect();
    for l in &mut lines {
        if l.starts_with("28603,") {
            *l = l.replace("UKRAINE-EO13662] [VENEZUELA-EO13850", "RUSSIA-EO14024] [VENEZUELA-EO13850");
        }
    }
    lines.push(
        "99999,\"EXAMPLE NEW DESIGNATION LLC\",-0- ,\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ".into(),
    );
    lines.join("\r\n") + "\r\n"
}

/// Replaces a file the way download tools do: written beside it, then renamed over it.
fn replace(path: &Path, contents: &str) {
    let tmp = path.with_extension("part");
    fs::write(&tmp, contents).expect("write");
    fs::rename(&tmp, path).expect("rename");
}

/// The record events about the OFAC feed among `events`, as (event, id, action).
fn ofac_events(events: &[Value]) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter(|v| {
            v["event"].as_str().is_some_and(|e| e.starts_with("record_"))
                && v["id"].as_str().is_some_and(|i| i.starts_with("ofac-"))
        })
        .map(|v| {
            (
                v["event"].as_str().unwrap_or_default().to_owned(),
                v["id"].as_str().unwrap_or_default().to_owned(),
                v["record"]["fields"]["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn the_three_events() -> Vec<(String, String, String)> {
    let mut e = vec![
        ("record_added".to_owned(), "ofac-99999".to_owned(), "designated".to_owned()),
        ("record_updated".to_owned(), "ofac-10278".to_owned(), "delisted".to_owned()),
        ("record_updated".to_owned(), "ofac-28603".to_owned(), "amended".to_owned()),
    ];
    e.sort();
    e
}

#[test]
fn a_replaced_download_gives_its_addition_removal_and_recode_and_nothing_else() {
    let fx = ofac_fixture();
    let mut f = fx.follow();
    assert!(ofac_events(&f.seen).is_empty(), "the first sight is the baseline: {:?}", f.seen);
    let from = f.seen.len();
    replace(&fx.feed("sdn.csv"), &changed_sdn(&fx));
    f.wait_until("three changes", |seen| ofac_events(&seen[from..]).len() >= 3);
    // A later line in another feed: once it is reported, the engine has looked again, and nothing more
    // about the list may have come.
    fx.append("marker.jsonl", sanction("marker-1", "2024-06-01T00:00:00Z", "Marker Ltd"));
    f.wait_record("record_added", "marker-1");
    let mut got = ofac_events(f.since(from));
    got.sort();
    assert_eq!(got, the_three_events());
    let recode = f.since(from).iter().find(|v| v["id"] == "ofac-28603").expect("recode");
    assert_eq!(recode["news"], true);
    let changed = &recode["record"]["fields"]["changed_fields"];
    assert!(changed.as_array().is_some_and(|c| c.iter().any(|x| x == "program")), "{changed}");
    assert_eq!(recode["record"]["versions"], 2, "the amendment is a new version, the old one is history");
    let delisted = f.since(from).iter().find(|v| v["id"] == "ofac-10278").expect("removal");
    assert_eq!(delisted["record"]["fields"]["target"], "LOGAN MOREY, Elvis Angus");
}

#[test]
fn an_empty_or_cut_short_download_changes_nothing_and_is_reported() {
    let fx = ofac_fixture();
    let mut f = fx.follow();
    let from = f.seen.len();
    replace(&fx.feed("sdn.csv"), "");
    f.wait_until("an error about the empty file", |seen| {
        seen[from..]
            .iter()
            .any(|v| v["event"] == "feed_error" && v["message"].as_str().is_some_and(|m| m.contains("empty")))
    });
    let good = fs::read_to_string(Path::new(FIXTURES).join("ofac/sdn.csv")).expect("read");
    replace(&fx.feed("sdn.csv"), &good[..good.len() / 2]);
    f.wait_until("an error about the cut file", |seen| {
        seen[from..]
            .iter()
            .any(|v| v["event"] == "feed_error" && v["message"].as_str().is_some_and(|m| m.contains("cut short")))
    });
    // The good file again: it matches what was held, so there is nothing to report.
    replace(&fx.feed("sdn.csv"), &good);
    fx.append("marker.jsonl", sanction("marker-1", "2024-06-01T00:00:00Z", "Marker Ltd"));
    f.wait_record("record_added", "marker-1");
    assert!(ofac_events(f.since(from)).is_empty(), "{:?}", f.since(from));
    assert!(f.stop().success());
    assert_eq!(fx.snapshot()["panels"]["sanctions"]["count"], 18, "17 entries and the marker");
}

#[test]
fn the_comparison_holds_across_a_restart() {
    let fx = ofac_fixture();
    let f = fx.follow();
    let st = f.stop();
    assert!(st.success(), "{st:?}");
    // While watchfloor is not running, a new download arrives.
    replace(&fx.feed("sdn.csv"), &changed_sdn(&fx));
    let f = fx.follow();
    // This run's store starts empty, so each comes as the first version it holds: compare ids and actions.
    let mut got: Vec<(String, String)> = ofac_events(&f.seen).into_iter().map(|(_, id, action)| (id, action)).collect();
    got.sort();
    let mut want: Vec<(String, String)> = the_three_events().into_iter().map(|(_, id, action)| (id, action)).collect();
    want.sort();
    assert_eq!(got, want, "reported at start, before ready");
    assert!(f.stop().success());
    // And once seen, they are not news again.
    let f = fx.follow();
    assert!(ofac_events(&f.seen).is_empty(), "{:?}", f.seen);
}

//! Links between panels on real files: the shipped sample, and an OFAC-designated firm that is also a
//! flagged supplier.

mod common;

use common::Fixture;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn shipped_snapshot() -> Value {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_watchfloor"))
        .args(["--config", &format!("{root}/config.toml"), "snapshot", "--json"])
        .env("XDG_STATE_HOME", std::env::temp_dir().join("watchfloor-test-state"))
        .output()
        .expect("run");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("json")
}

fn links<'a>(snap: &'a Value, kind: &str, id: &str) -> &'a Value {
    let rec = snap["panels"][kind]["records"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no {kind} {id}"));
    &rec["links"]
}

#[test]
fn the_shipped_sample_shows_the_links_an_analyst_looks_for() {
    let snap = shipped_snapshot();
    // The flagged supplier that was later designated by OFAC.
    let sup = links(&snap, "suppliers", "sup-qingyun-starforge");
    assert_eq!(sup["sanctions"]["status"], "sanctioned");
    assert_eq!(sup["sanctions"]["authority"], "OFAC");
    assert_eq!(sup["sanctions"]["date"], "2024-05-01");
    assert_eq!(sup["parties"][0]["id"], "ofac-qingyun-starforge");
    assert_eq!(links(&snap, "sanctions", "ofac-qingyun-starforge")["parties"][0]["id"], "sup-qingyun-starforge");
    // A critical shortage that nothing in the pipeline covers.
    assert_eq!(links(&snap, "shortages", "sh-ew-kharkiv")["cover"]["status"], "uncovered");
    // A shortage whose only package stalled.
    let radar = &links(&snap, "shortages", "sh-counterbattery-kreminna")["cover"];
    assert_eq!(radar["status"], "at_risk");
    assert_eq!(radar["packages"][0], "pl-2024-armour");
    // A covered one, and the package that covers it lists it.
    assert_eq!(links(&snap, "shortages", "sh-ammo-robotyne")["cover"]["status"], "covered");
    let epf = &links(&snap, "aid", "eu-epf-ukraine-assistance-fund")["addresses"];
    assert!(epf.as_array().is_some_and(|a| a.iter().any(|s| s == "sh-ammo-robotyne")), "{epf}");
    // Resolved shortages need no cover.
    assert_eq!(links(&snap, "shortages", "sh-ammo-avdiivka")["cover"]["status"], "resolved");
    // A firm that is sanctioned but never flagged as a supplier has no link.
    assert!(links(&snap, "sanctions", "ofac-bank-caspian-meridian").get("parties").is_none());
}

#[test]
fn an_ofac_designated_firm_in_the_suppliers_feed_is_linked() {
    let fx = Fixture::with_config(
        "feeds_dir = \"feeds\"\n[[feed]]\npath = \"sdn.csv\"\nformat = \"ofac-csv\"\n[[feed]]\npath = \"suppliers.jsonl\"\nkind = \"suppliers\"\n",
    );
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/formats/ofac");
    for f in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
        fs::copy(fixtures.join(f), fx.feed(f)).expect("copy");
    }
    // Written differently from OFAC's "SUEX OTC, S.R.O.": case, punctuation, legal form.
    fx.append(
        "suppliers.jsonl",
        "{\"id\":\"sup-suex\",\"ts\":\"2024-01-01T00:00:00Z\",\"name\":\"Suex OTC s.r.o.\",\"country\":\"CZ\",\"goods\":[\"payments\"],\"risk\":\"high\"}\n\
         {\"id\":\"sup-near\",\"ts\":\"2024-01-01T00:00:00Z\",\"name\":\"Suex OTC Holdings s.r.o.\"}\n",
    );
    let snap = fx.snapshot();
    let sup = links(&snap, "suppliers", "sup-suex");
    assert_eq!(sup["sanctions"]["status"], "sanctioned");
    assert_eq!(sup["sanctions"]["authority"], "OFAC");
    assert_eq!(sup["parties"][0]["id"], "ofac-33151");
    assert!(links(&snap, "suppliers", "sup-near").get("sanctions").is_none(), "a near miss must not link");
    let text = String::from_utf8_lossy(&fx.run(&["snapshot"]).stdout).into_owned();
    assert!(text.contains("SANCTIONED OFAC"), "{text}");
}

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

#[test]
fn a_different_legal_form_is_a_possible_match_and_a_different_register_number_no_link() {
    let fx = Fixture::with_config(
        "feeds_dir = \"feeds\"\n[[feed]]\npath = \"sanctions.jsonl\"\nkind = \"sanctions\"\n[[feed]]\npath = \"suppliers.jsonl\"\nkind = \"suppliers\"\n",
    );
    fx.append(
        "sanctions.jsonl",
        "{\"id\":\"s-db\",\"ts\":\"2024-05-01T00:00:00Z\",\"target\":\"Deutsche Bank AG\",\"authority\":\"OFAC\",\"action\":\"designated\"}\n\
         {\"id\":\"s-zala\",\"ts\":\"2024-05-01T00:00:00Z\",\"target\":\"JSC Zala Aero\",\"authority\":\"EU\",\"action\":\"designated\",\"identifiers\":[\"ogrn:1187746519082\"]}\n\
         {\"id\":\"s-romashka\",\"ts\":\"2024-05-01T00:00:00Z\",\"target\":\"OOO Romashka\",\"authority\":\"UK\",\"action\":\"designated\",\"identifiers\":[\"inn:7701234567\"]}\n",
    );
    fx.append(
        "suppliers.jsonl",
        "{\"id\":\"p-db\",\"ts\":\"2024-01-01T00:00:00Z\",\"name\":\"Deutsche Bank GmbH\"}\n\
         {\"id\":\"p-cst\",\"ts\":\"2024-01-01T00:00:00Z\",\"name\":\"LLC CST\",\"aliases\":[\"Zala Aero\"],\"identifiers\":[\"ogrn:1027700000001\"]}\n\
         {\"id\":\"p-romashka\",\"ts\":\"2024-01-01T00:00:00Z\",\"name\":\"Romashka LLC\",\"identifiers\":[\"inn:7701234567\"]}\n",
    );
    let snap = fx.snapshot();
    // The same bank under another legal form is another legal entity: shown as possible, never sanctioned.
    let db = links(&snap, "suppliers", "p-db");
    assert!(db.get("sanctions").is_none() && db.get("parties").is_none(), "{db}");
    assert_eq!(db["possible"][0]["id"], "s-db");
    assert_eq!(links(&snap, "sanctions", "s-db")["possible"][0]["id"], "p-db");
    // A shared alias, but their registration numbers differ: no link at all.
    let cst = links(&snap, "suppliers", "p-cst");
    assert!(cst.get("parties").is_none() && cst.get("possible").is_none(), "{cst}");
    // The same register entry and the same name in another legal-form spelling: linked.
    assert_eq!(links(&snap, "suppliers", "p-romashka")["sanctions"]["status"], "sanctioned");
    let text = String::from_utf8_lossy(&fx.run(&["snapshot"]).stdout).into_owned();
    assert!(text.contains("possible match"), "{text}");
}

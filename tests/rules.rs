//! Watch rules on real files: new or updated records that match raise alerts, links raise them too, and a
//! rule that names an unknown field stops the program with its line.

mod common;

use common::{sanction, Fixture, CONFIG};

const RULES: &str = r#"
[[rule]]
name = "Critical shortage"
kind = "shortages"
when = { severity = { min = "critical" } }
do = ["alert", "highlight"]

[[rule]]
name = "New designation of a bank"
kind = "sanctions"
when = { target_type = "bank", action = "designated" }
do = ["alert", "bell"]

[[rule]]
name = "Flagged supplier sanctioned"
kind = "suppliers"
when = { sanctioned = true }
do = ["alert"]
"#;

fn fixture() -> Fixture {
    let fx = Fixture::with_config(&format!("{CONFIG}{RULES}"));
    // Already there at start: matches, but is not news.
    fx.append(
        "shortages.jsonl",
        "{\"id\":\"old\",\"ts\":\"2024-01-01T00:00:00Z\",\"item\":\"shells\",\"severity\":\"critical\"}\n",
    );
    fx.append(
        "suppliers.jsonl",
        "{\"id\":\"sup\",\"ts\":\"2024-01-01T00:00:00Z\",\"name\":\"Delta Precision Co., Ltd.\"}\n",
    );
    fx.append("sanctions.jsonl", "");
    fx.append("aid.jsonl", "");
    fx
}

#[test]
fn matching_arrivals_raise_alerts_and_the_baseline_does_not() {
    let fx = fixture();
    let mut f = fx.follow();
    assert!(!f.seen.iter().any(|v| v["event"] == "alert"), "{:?}", f.seen);
    fx.append(
        "shortages.jsonl",
        "{\"id\":\"new\",\"ts\":\"2024-06-01T00:00:00Z\",\"item\":\"interceptors\",\"severity\":\"high\"}\n",
    );
    fx.append(
        "shortages.jsonl",
        "{\"id\":\"new\",\"ts\":\"2024-06-02T00:00:00Z\",\"item\":\"interceptors\",\"severity\":\"critical\"}\n",
    );
    let a = f.wait_for("an alert", |v| v["event"] == "alert");
    assert_eq!(a["rule"], "Critical shortage");
    assert_eq!(a["id"], "new");
    assert_eq!(a["bell"], false);
    fx.append(
        "sanctions.jsonl",
        "{\"id\":\"b1\",\"ts\":\"2024-06-03T00:00:00Z\",\"target\":\"Example Bank\",\"target_type\":\"bank\",\"action\":\"designated\"}\n",
    );
    let a = f.wait_for("the bank alert", |v| v["event"] == "alert");
    assert_eq!(a["rule"], "New designation of a bank");
    assert_eq!(a["bell"], true);
}

#[test]
fn a_designation_of_a_flagged_supplier_alerts_on_the_supplier() {
    let fx = fixture();
    let mut f = fx.follow();
    fx.append("sanctions.jsonl", sanction("s1", "2024-06-01T00:00:00Z", "DELTA PRECISION CO LTD"));
    let a = f.wait_for("the link alert", |v| v["event"] == "alert");
    assert_eq!(a["rule"], "Flagged supplier sanctioned");
    assert_eq!(a["kind"], "suppliers");
    assert_eq!(a["id"], "sup");
    assert_eq!(a["title"], "Delta Precision Co., Ltd.");
}

#[test]
fn a_rule_on_an_unknown_field_stops_the_program_with_its_line() {
    let fx = Fixture::with_config(&format!(
        "{CONFIG}\n[[rule]]\nname = \"oops\"\nkind = \"aid\"\nwhen = {{ severity = \"critical\" }}\n"
    ));
    let out = fx.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml:19:10: rule \"oops\": unknown field `severity`"), "{err}");
}

#[test]
fn a_package_cancelled_raises_the_cover_alert_on_the_shortages_it_left_uncovered() {
    let rules = r#"
[[rule]]
name = "Uncovered critical shortage"
kind = "shortages"
when = { severity = "critical", cover = "uncovered" }
do = ["alert", "highlight"]

[[rule]]
name = "Critical shortage"
kind = "shortages"
when = { severity = "critical" }
do = ["highlight"]
"#;
    let fx = Fixture::with_config(&format!("{CONFIG}{rules}"));
    fx.append(
        "shortages.jsonl",
        "{\"id\":\"h1\",\"ts\":\"2024-01-01T00:00:00Z\",\"item\":\"Patriot interceptors\",\"severity\":\"critical\"}\n",
    );
    fx.append(
        "aid.jsonl",
        "{\"id\":\"p1\",\"ts\":\"2024-01-01T00:00:00Z\",\"items\":[\"air defence interceptors\"],\"stage\":\"signed\"}\n",
    );
    fx.append("sanctions.jsonl", "");
    fx.append("suppliers.jsonl", "");
    let mut f = fx.follow();
    assert!(!f.seen.iter().any(|v| v["event"] == "alert"), "covered at start: {:?}", f.seen);
    fx.append(
        "aid.jsonl",
        "{\"id\":\"p1\",\"ts\":\"2024-02-01T00:00:00Z\",\"items\":[\"air defence interceptors\"],\"stage\":\"cancelled\"}\n",
    );
    let a = f.wait_for("the cover alert", |v| v["event"] == "alert");
    assert_eq!(a["rule"], "Uncovered critical shortage");
    assert_eq!((a["kind"].as_str(), a["id"].as_str()), (Some("shortages"), Some("h1")));
}

#[test]
fn a_colleagues_decision_pulled_into_decisions_toml_applies_while_following() {
    let fx = fixture();
    // "Delta Precision AG" (a company limited by shares) may be "Delta Precision Co., Ltd.": possible only.
    fx.append(
        "sanctions.jsonl",
        "{\"id\":\"s-delta\",\"ts\":\"2024-05-01T00:00:00Z\",\"target\":\"Delta Precision AG\",\"authority\":\"OFAC\",\"action\":\"designated\"}\n",
    );
    let mut f = fx.follow();
    assert!(!f.seen.iter().any(|v| v["event"] == "alert"), "a possible match raises nothing: {:?}", f.seen);
    // The file as a colleague wrote it, arriving by version control.
    let state = fx.dir.path().join("state").join("watchfloor");
    std::fs::create_dir_all(&state).expect("state");
    std::fs::write(
        state.join("decisions.toml"),
        "[[decision]]\nsupplier = \"sup\"\nsanctions = \"s-delta\"\ndecision = \"same\"\nat = \"2026-12-02T18:00:00Z\"\n",
    )
    .expect("decisions");
    let a = f.wait_for("the rule on sanctioned suppliers", |v| v["event"] == "alert");
    assert_eq!(a["rule"], "Flagged supplier sanctioned");
    assert_eq!(a["id"], "sup");
    f.stop();
    let snap = fx.snapshot();
    let sup =
        snap["panels"]["suppliers"]["records"].as_array().and_then(|r| r.iter().find(|r| r["id"] == "sup")).cloned();
    assert_eq!(sup.expect("sup")["links"]["parties"][0]["decision"], "same");
}

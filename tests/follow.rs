//! `watchfloor follow --json` on real files: what an analyst's script sees as feeds change.

mod common;

use common::{aid, sanction, Fixture};
use std::fs;

const T1: &str = "2024-05-01T15:00:00Z";
const T2: &str = "2024-05-02T15:00:00Z";

#[test]
fn an_appended_line_is_reported_with_its_file_and_line() {
    let fx = Fixture::new();
    fx.append("sanctions.jsonl", sanction("s1", T1, "Alpha Ltd"));
    let mut f = fx.follow();
    assert_eq!(f.ready.as_ref().map(|r| r["counts"]["sanctions"].clone()), Some(1.into()));

    fx.append("sanctions.jsonl", sanction("s2", T2, "Beta Ltd"));
    let ev = f.wait_record("record_added", "s2");
    assert_eq!(ev["kind"], "sanctions");
    assert_eq!(ev["line"], 2);
    assert!(ev["file"].as_str().is_some_and(|p| p.ends_with("feeds/sanctions.jsonl")), "{ev}");
    assert_eq!(ev["record"]["fields"]["target"], "Beta Ltd");
    assert!(f.stop().success());
}

#[test]
fn a_line_written_in_two_halves_is_read_once_whole() {
    let fx = Fixture::new();
    let mut f = fx.follow();
    let line = sanction("half", T1, "Split Writes Co");
    let (a, b) = line.split_at(line.len() / 2);
    fx.append("sanctions.jsonl", a);
    // A complete line in another feed: once it is reported, the half line has been looked at too.
    fx.append("aid.jsonl", aid("marker", T1, "proposed"));
    f.wait_record("record_added", "marker");
    assert!(!f.seen.iter().any(|v| v["event"] == "feed_error"), "half line reported as an error: {:?}", f.seen);

    fx.append("sanctions.jsonl", b);
    let ev = f.wait_record("record_added", "half");
    assert_eq!(ev["line"], 1);
    assert!(!f.seen.iter().any(|v| v["event"] == "feed_error"), "{:?}", f.seen);
}

#[test]
fn a_truncated_file_is_read_again_without_duplicates() {
    let fx = Fixture::new();
    fx.append("sanctions.jsonl", sanction("keep", T1, "Keep Co") + &sanction("gone", T1, "Gone Co"));
    let mut f = fx.follow();
    let from = f.seen.len();
    // Truncate, then write the old first line again and a new one.
    fs::write(fx.feed("sanctions.jsonl"), "").expect("truncate");
    fx.append("sanctions.jsonl", sanction("keep", T1, "Keep Co") + &sanction("fresh", T2, "Fresh Co"));
    f.wait_for("file_truncated", |v| v["event"] == "file_truncated");
    let ev = f.wait_record("record_added", "fresh");
    assert_eq!(ev["line"], 2);
    // "keep" was read again: the same bytes make no new record and no new version.
    assert!(!f.since(from).iter().any(|v| v["id"] == "keep"), "{:?}", f.since(from));
    assert!(f.stop().success());
    // A fresh load sees only what the file holds now.
    let snap = fx.snapshot();
    assert_eq!(snap["panels"]["sanctions"]["count"], 2);
}

#[test]
fn a_file_renamed_over_the_feed_is_followed() {
    let fx = Fixture::new();
    fx.append("aid.jsonl", aid("pkg", T1, "proposed"));
    let mut f = fx.follow();
    let from = f.seen.len();
    let tmp = fx.dir.path().join("feeds").join("aid.jsonl.part");
    fs::write(&tmp, aid("pkg", T1, "proposed") + &aid("pkg", T2, "signed")).expect("write tmp");
    fs::rename(&tmp, fx.feed("aid.jsonl")).expect("rename over");
    f.wait_for("file_replaced", |v| v["event"] == "file_replaced");
    let ev = f.wait_record("record_updated", "pkg");
    assert_eq!(ev["versions"], 2);
    assert_eq!(ev["record"]["fields"]["stage"], "signed");
    // The first line of the new file is the same version as before: nothing for it.
    let pkg_events = f.since(from).iter().filter(|v| v["id"] == "pkg").count();
    assert_eq!(pkg_events, 1, "{:?}", f.since(from));

    // Still followed after the rename: appends to the new file arrive.
    fx.append("aid.jsonl", aid("pkg2", T2, "proposed"));
    f.wait_record("record_added", "pkg2");
}

#[test]
fn a_deleted_and_recreated_file_is_followed() {
    let fx = Fixture::new();
    fx.append("shortages.jsonl", r#"{"id":"sh1","ts":"2024-05-01T07:00:00Z","item":"155mm shells"}"#.to_owned() + "\n");
    let mut f = fx.follow();
    fs::remove_file(fx.feed("shortages.jsonl")).expect("rm");
    f.wait_for("file_vanished", |v| v["event"] == "file_vanished");
    fx.append("shortages.jsonl", r#"{"id":"sh2","ts":"2024-05-02T07:00:00Z","item":"interceptors"}"#.to_owned() + "\n");
    f.wait_for("file_appeared", |v| v["event"] == "file_appeared");
    let ev = f.wait_record("record_added", "sh2");
    assert_eq!(ev["line"], 1);
}

#[test]
fn a_file_created_after_start_is_followed() {
    let fx = Fixture::new();
    let mut f = fx.follow();
    // At start, the four configured files are missing: reported, not fatal.
    let missing = f.seen.iter().filter(|v| v["event"] == "feed_missing").count();
    assert_eq!(missing, 4, "{:?}", f.seen);
    fx.append(
        "suppliers.jsonl",
        r#"{"id":"sup1","ts":"2024-05-01T07:00:00Z","name":"Late Arrival Co"}"#.to_owned() + "\n",
    );
    f.wait_for("file_appeared", |v| v["event"] == "file_appeared");
    let ev = f.wait_record("record_added", "sup1");
    assert_eq!(ev["kind"], "suppliers");
}

#[test]
fn a_new_file_matching_a_glob_is_followed() {
    let fx =
        Fixture::with_config("feeds_dir = \"feeds\"\n[[feed]]\npath = \"sanctions-*.jsonl\"\nkind = \"sanctions\"\n");
    fx.append("sanctions-eu.jsonl", sanction("eu1", T1, "EU Target"));
    let mut f = fx.follow();
    assert_eq!(f.ready.as_ref().map(|r| r["counts"]["sanctions"].clone()), Some(1.into()));
    fx.append("sanctions-uk.jsonl", sanction("uk1", T2, "UK Target"));
    let ev = f.wait_record("record_added", "uk1");
    assert!(ev["file"].as_str().is_some_and(|p| p.ends_with("sanctions-uk.jsonl")), "{ev}");
    // A file in the folder that matches no feed is ignored.
    fx.append("notes.txt", "not a feed\n");
    fx.append("sanctions-uk.jsonl", sanction("uk2", T2, "UK Target 2"));
    f.wait_record("record_added", "uk2");
    assert!(!f.seen.iter().any(|v| v["event"] == "feed_error"), "{:?}", f.seen);
}

#[test]
fn a_bad_line_appended_live_is_reported_and_the_next_one_loads() {
    let fx = Fixture::new();
    fx.append("sanctions.jsonl", "");
    let mut f = fx.follow();
    fx.append("sanctions.jsonl", "{\"id\": \"broken\", \n");
    fx.append("sanctions.jsonl", sanction("after", T1, "After Co"));
    let err = f.wait_for("feed_error", |v| v["event"] == "feed_error");
    assert_eq!(err["line"], 1);
    assert!(err["message"].as_str().is_some_and(|m| m.starts_with("not JSON")), "{err}");
    let ev = f.wait_record("record_added", "after");
    assert_eq!(ev["line"], 2);
}

#[test]
fn an_update_reports_the_new_version_and_its_history_on_request() {
    let fx = Fixture::new();
    fx.append("aid.jsonl", aid("us-supp", T1, "passed_one_chamber"));
    let mut f = fx.follow();
    fx.append("aid.jsonl", aid("us-supp", T2, "signed"));
    let ev = f.wait_record("record_updated", "us-supp");
    assert_eq!(
        (&ev["versions"], &ev["record"]["fields"]["stage"]),
        (&serde_json::json!(2), &serde_json::json!("signed"))
    );
    assert!(ev["record"].get("history").is_none(), "no history without --history: {ev}");
    drop(f);
    let mut f = fx.follow_with(&["--history"]);
    fx.append("aid.jsonl", aid("us-supp", "2024-07-01T00:00:00Z", "delivering"));
    let ev = f.wait_record("record_updated", "us-supp");
    let history = ev["record"]["history"].as_array().expect("history");
    assert_eq!(history[0]["fields"]["stage"], "passed_one_chamber");
    assert_eq!(history[2]["fields"]["stage"], "delivering");
}

/// A burst of 2,000 updates of one id prints 2,000 lines of about the same size, not the whole history
/// each time (which grew with the square of the burst).
#[test]
fn a_burst_of_updates_of_one_id_prints_output_in_proportion() {
    let fx = Fixture::new();
    fx.append("aid.jsonl", aid("p", T1, "proposed"));
    let mut f = fx.follow();
    let mut burst = String::new();
    for i in 0..2000 {
        burst.push_str(&aid("p", &format!("2024-06-01T00:{:02}:{:02}Z", i / 60, i % 60), "signed"));
    }
    fx.append("aid.jsonl", burst);
    f.wait_until("2,000 updates", |seen| seen.iter().filter(|v| v["event"] == "record_updated").count() >= 2000);
    let sizes: Vec<usize> =
        f.seen.iter().filter(|v| v["event"] == "record_updated").map(|v| v.to_string().len()).collect();
    let (first, last) = (sizes[0], sizes[sizes.len() - 1]);
    assert!(last < first + 100, "the last update's line ({last} bytes) is as long as the first's ({first})");
}

#[test]
fn with_polling_instead_of_file_events_changes_still_arrive() {
    let fx = Fixture::new();
    fx.append("sanctions.jsonl", sanction("s1", T1, "Alpha Ltd"));
    let mut f = fx.follow_with(&["--poll=100"]);
    fx.append("sanctions.jsonl", sanction("s2", T2, "Beta Ltd"));
    f.wait_record("record_added", "s2");
    let tmp = fx.dir.path().join("feeds").join("s.part");
    fs::write(&tmp, sanction("s1", T1, "Alpha Ltd") + &sanction("s3", T2, "Gamma Ltd")).expect("tmp");
    fs::rename(&tmp, fx.feed("sanctions.jsonl")).expect("rename");
    f.wait_for("file_replaced", |v| v["event"] == "file_replaced");
    f.wait_record("record_added", "s3");
}

#[test]
fn retention_forgets_the_oldest_records_beyond_keep() {
    let fx = Fixture::with_config(&format!("{}\n[retention]\nsanctions = {{ keep = 5 }}\n", common::CONFIG));
    let lines: String =
        (0..5).map(|i| sanction(&format!("s{i}"), &format!("2024-05-0{}T00:00:00Z", i + 1), "Firm")).collect();
    fx.append("sanctions.jsonl", lines);
    let mut f = fx.follow();
    fx.append("sanctions.jsonl", sanction("s5", "2024-05-08T00:00:00Z", "Newest"));
    let ev = f.wait_for("records_evicted", |v| v["event"] == "records_evicted");
    assert_eq!(ev["kind"], "sanctions");
    assert_eq!(ev["ids"], serde_json::json!(["s0"]), "the oldest goes");
}

/// A feed that becomes a run of gigabytes without a line end (a preallocated or sparse file) is read a
/// part a poll: SIGTERM still ends `follow` at once, not after the whole run is read.
#[test]
fn a_feed_grown_to_gigabytes_at_once_does_not_hold_up_a_signal() {
    let fx = Fixture::new();
    fx.append("aid.jsonl", aid("p", T1, "proposed"));
    let f = fx.follow();
    std::fs::OpenOptions::new()
        .write(true)
        .open(fx.feed("aid.jsonl"))
        .and_then(|file| file.set_len(32 << 30))
        .expect("a sparse 32 GB file");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let began = std::time::Instant::now();
    assert!(f.stop().success());
    // Reading 32 GB of zeros takes most of a minute here; one part of it, a fraction of a second.
    assert!(began.elapsed() < std::time::Duration::from_secs(10), "{:?}", began.elapsed());
}

/// The same file there at start: the first read is read a part a poll too, and SIGTERM ends it.
#[test]
fn a_feed_of_gigabytes_at_start_does_not_hold_up_a_signal() {
    let fx = Fixture::new();
    fx.append("aid.jsonl", aid("p", T1, "proposed"));
    std::fs::OpenOptions::new()
        .write(true)
        .open(fx.feed("aid.jsonl"))
        .and_then(|file| file.set_len(32 << 30))
        .expect("a sparse 32 GB file");
    let f = fx.follow_started(&[]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let began = std::time::Instant::now();
    assert!(f.stop().success());
    assert!(began.elapsed() < std::time::Duration::from_secs(10), "{:?}", began.elapsed());
}

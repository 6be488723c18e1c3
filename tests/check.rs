//! `watchfloor check` and `snapshot` on real files: bad input is reported with file and line, the rest loads.

mod common;

use common::{aid, sanction, Fixture};

const T1: &str = "2024-05-01T15:00:00Z";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_shipped_config_and_feeds_are_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_watchfloor"))
        .args(["--config", &format!("{root}/config.toml"), "check"])
        .env("XDG_STATE_HOME", std::env::temp_dir().join("watchfloor-test-state"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("ok: 4 files"), "{}", stdout(&out));
}

#[test]
fn every_kind_of_bad_line_is_reported_and_the_rest_loads() {
    let fx = Fixture::new();
    let mut text = Vec::new();
    text.extend(sanction("good1", T1, "Good One").as_bytes()); // 1
    text.extend(b"this is not json\n"); // 2
    text.extend(b"[\"a list\"]\n"); // 3
    text.extend(format!("{{\"ts\":\"{T1}\"}}\n").as_bytes()); // 4: no id
    text.extend(b"{\"id\":\"no-ts\"}\n"); // 5: no ts
    text.extend(b"{\"id\":\"bad-ts\",\"ts\":\"2024-13-45\"}\n"); // 6
    text.extend(format!("{{\"id\":\"wrong-type\",\"ts\":\"{T1}\",\"aliases\":42}}\n").as_bytes()); // 7
    text.extend(b"{\"id\":\"bad-\xff-utf8\",\"ts\":\"2024-05-01T15:00:00Z\"}\n"); // 8
    text.extend(format!("{{\"id\":\"bad-word\",\"ts\":\"{T1}\",\"action\":\"frozen\"}}\n").as_bytes()); // 9
    text.extend(b"\n"); // 10: blank, ignored
    text.extend(sanction("good2", T1, "Good Two").as_bytes()); // 11
    fx.write("sanctions.jsonl", &text);
    fx.append("aid.jsonl", aid("pkg", T1, "signed"));
    fx.append("suppliers.jsonl", "");
    fx.append("shortages.jsonl", "");

    let out = fx.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let expect = [
        (2, "not JSON"),
        (3, "not a JSON object"),
        (4, "no `id`"),
        (5, "no `ts`"),
        (6, "`ts` is not an RFC 3339 time"),
        (7, "field `aliases`: expected a list of strings, found a number (42)"),
        (8, "not UTF-8"),
        (9, "field `action`: expected one of designated, delisted, amended"),
    ];
    assert_eq!(lines.len(), expect.len() + 1, "{text}");
    for ((n, msg), line) in expect.iter().zip(&lines) {
        let prefix = format!("{}:{n}: {msg}", fx.feed("sanctions.jsonl").display());
        assert!(line.starts_with(&prefix), "expected {prefix:?}, got {line:?}");
    }
    assert!(lines[8].starts_with("8 problems"), "{}", lines[8]);

    let snap = fx.snapshot();
    assert_eq!(snap["panels"]["sanctions"]["count"], 2);
    assert_eq!(snap["panels"]["aid"]["count"], 1);
    assert_eq!(snap["errors"].as_array().map(Vec::len), Some(8));
    assert_eq!(snap["errors"][0]["line"], 2);
}

#[test]
fn an_over_long_line_is_skipped_and_reported() {
    let fx = Fixture::with_config(
        "feeds_dir = \"feeds\"\n[limits]\nmax_line_bytes = 1000\n[[feed]]\npath = \"s.jsonl\"\nkind = \"sanctions\"\n",
    );
    let long = format!("{{\"id\":\"long\",\"ts\":\"{T1}\",\"reason\":\"{}\"}}\n", "x".repeat(5000));
    fx.write("s.jsonl", sanction("before", T1, "B") + &long + &sanction("after", T1, "A"));
    let out = fx.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("s.jsonl:2: line is 5"), "{text}");
    assert!(text.contains("longer than the limit"), "{text}");
    let snap = fx.snapshot();
    assert_eq!(snap["panels"]["sanctions"]["count"], 2);
}

#[test]
fn an_update_is_one_record_with_two_versions() {
    let fx = Fixture::new();
    fx.write(
        "aid.jsonl",
        aid("pkg", "2024-02-13T10:00:00Z", "passed_one_chamber") + &aid("pkg", "2024-04-24T16:00:00Z", "signed"),
    );
    let snap = fx.snapshot();
    let aid = &snap["panels"]["aid"];
    assert_eq!(aid["count"], 1);
    let rec = &aid["records"][0];
    assert_eq!(rec["versions"], 2);
    assert_eq!(rec["fields"]["stage"], "signed");
    assert_eq!(rec["history"][0]["fields"]["stage"], "passed_one_chamber");
    assert_eq!(rec["history"][0]["origin"]["line"], 1);
    assert_eq!(rec["origin"]["line"], 2);
}

#[test]
fn unknown_fields_are_kept_and_shown() {
    let fx = Fixture::new();
    fx.write(
        "suppliers.jsonl",
        format!(
            "{{\"id\":\"sup\",\"ts\":\"{T1}\",\"name\":\"Acme\",\"hs_codes\":[\"8457.10\"],\"score\":{{\"a\":1}}}}\n"
        ),
    );
    let snap = fx.snapshot();
    let fields = &snap["panels"]["suppliers"]["records"][0]["fields"];
    assert_eq!(fields["name"], "Acme");
    assert_eq!(fields["hs_codes"][0], "8457.10");
    assert_eq!(fields["score"]["a"], 1);
}

#[test]
fn escape_sequences_in_a_feed_never_reach_the_output() {
    let fx = Fixture::new();
    fx.write(
        "sanctions.jsonl",
        format!(
            "{{\"id\":\"evil\",\"ts\":\"{T1}\",\"target\":\"Evil\\u001b]0;pwned\\u0007 \\u001b[2JCorp\\u202e\"}}\n"
        ),
    );
    let out = fx.run(&["snapshot"]);
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'), "{text:?}");
    assert!(text.contains("Evil Corp"), "{text}");
}

#[test]
fn a_config_error_stops_with_its_line_and_status_2() {
    let fx = Fixture::with_config("feeds_dir = \"feeds\"\n\n[[feed]]\npath = \"s.jsonl\"\nkind = \"sanction\"\n");
    for cmd in [&["check"][..], &["snapshot"], &["follow", "--json"]] {
        let out = fx.run(cmd);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("config.toml:5:8: unknown variant `sanction`"), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_feed_that_is_a_directory_or_missing_is_reported() {
    let fx = Fixture::new();
    std::fs::create_dir(fx.feed("sanctions.jsonl")).expect("mkdir");
    fx.append("aid.jsonl", aid("pkg", T1, "signed"));
    let out = fx.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("sanctions.jsonl: is a directory"), "{text}");
    assert!(text.contains("suppliers.jsonl: missing"), "{text}");
    assert_eq!(fx.snapshot()["panels"]["aid"]["count"], 1);
}

#[test]
fn snapshot_text_lists_counts_and_newest_first() {
    let fx = Fixture::new();
    fx.write(
        "sanctions.jsonl",
        sanction("old", "2024-01-01T00:00:00Z", "Old Target") + &sanction("new", "2024-06-01T00:00:00Z", "New Target"),
    );
    let text = stdout(&fx.run(&["snapshot", "--limit", "1"]));
    assert!(text.contains("sanctions: 2 records (newest 1)"), "{text}");
    assert!(text.contains("New Target") && !text.contains("Old Target"), "{text}");
}

/// The command line's conventions: `--version` on every command, `--poll` without a value leaves the next
/// word to be the command, and completions and a man page come from the command line's definition.
#[test]
fn version_everywhere_poll_before_a_command_completions_and_a_man_page() {
    let fx = Fixture::new();
    let out = fx.run(&["check", "--version"]);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let out = fx.run(&["--poll", "check"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("records"), "--poll took `check` as its value: {out:?}");
    for shell in ["bash", "zsh", "fish"] {
        let out = fx.run(&["completions", shell]);
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && script.contains("snapshot") && script.contains("follow"), "{shell}");
    }
    let out = fx.run(&["man"]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.starts_with(".ie") && page.contains(".TH watchfloor 1") && page.contains("completions"), "{page}");
}

/// `demo` runs on its own feeds and state: the options every command takes that it cannot use are
/// refused with a word, not ignored.
#[test]
fn demo_refuses_the_options_it_cannot_use() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_watchfloor"))
        .args(["--feeds", "/nonexistent", "--log", "/dev/null", "demo"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--config, --feeds and --state are not used"));
}

/// `snapshot --filter` keeps what the dashboard's `/` keeps, in text, JSON and CSV; `--panel` picks one.
#[test]
fn snapshot_filters_with_the_query_language_and_writes_csv() {
    let fx = Fixture::new();
    fx.write(
        "sanctions.jsonl",
        format!(
            "{}{}{}",
            sanction("s1", T1, "Alpha Trading LLC"),
            sanction("s2", T1, "Beta Metals"),
            sanction("s3", T1, "=SUM(A1+A2)")
        ),
    );
    fx.append("aid.jsonl", aid("pkg", T1, "signed"));
    fx.append("suppliers.jsonl", "");
    fx.append("shortages.jsonl", "");

    let out = fx.run(&["snapshot", "--json", "--panel", "sanctions", "--filter", "-beta"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let panels = doc["panels"].as_object().expect("panels");
    assert_eq!(panels.keys().collect::<Vec<_>>(), ["sanctions"], "only the panel asked for");
    assert_eq!(doc["panels"]["sanctions"]["count"], 3);
    assert_eq!(doc["panels"]["sanctions"]["matching"], 2);
    let ids: Vec<&str> = doc["panels"]["sanctions"]["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"s1") && ids.contains(&"s3") && !ids.contains(&"s2"), "{ids:?}");

    let text = stdout(&fx.run(&["snapshot", "--filter", "alpha llc"]));
    assert!(text.contains("sanctions: 3 records, 1 matching"), "{text}");
    assert!(text.contains("Alpha Trading LLC") && !text.contains("Beta Metals"), "{text}");

    let out = fx.run(&["snapshot", "--format", "csv", "--panel", "sanctions"]);
    assert_eq!(out.status.code(), Some(0));
    let csv = stdout(&out);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,date,authority,action,target,country,programme"));
    assert!(csv.contains("s2,2024-05-01,"), "{csv}");
    // A formula from a feed is opened with a quote, so a spreadsheet shows it and does not run it.
    assert!(csv.contains(",'=SUM(A1+A2),"), "{csv}");

    let out = fx.run(&["snapshot", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --panel"));
}

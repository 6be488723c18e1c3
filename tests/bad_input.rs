//! A catalogue of bad input: each is reported clearly and the rest still loads.

mod common;

use common::{sanction, Fixture};
use std::fs;

const T: &str = "2024-05-01T00:00:00Z";

fn check(fx: &Fixture) -> (Option<i32>, String) {
    let out = fx.run(&["check"]);
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn with_only_sanctions() -> Fixture {
    Fixture::with_config("feeds_dir = \"feeds\"\n[[feed]]\npath = \"s.jsonl\"\nkind = \"sanctions\"\n")
}

#[test]
fn nul_bytes_huge_numbers_duplicate_keys_and_an_empty_file() {
    let fx = with_only_sanctions();
    let mut text = Vec::new();
    text.extend(sanction("ok1", T, "Before").bytes());
    text.extend(b"{\"id\":\"n\0ul\",\"ts\":\"2024-05-01T00:00:00Z\"}\n"); // 2: a raw NUL in a string
    text.extend(b"\0\0\0\n"); // 3
    text.extend(format!("{{\"id\":\"big\",\"ts\":\"{T}\",\"kind\":\"aid\",\"amount\":1e400}}\n").as_bytes()); // 4
    text.extend(format!("{{\"id\":\"first\",\"id\":\"second\",\"ts\":\"{T}\"}}\n").as_bytes()); // 5: last key wins
    text.extend(b"{\"id\":\"feb30\",\"ts\":\"2024-02-30T00:00:00Z\"}\n"); // 6
    text.extend(sanction("ok2", T, "After").bytes());
    fx.write("s.jsonl", &text);
    let (code, out) = check(&fx);
    assert_eq!(code, Some(1), "{out}");
    for (line, what) in
        [(2, "not JSON"), (3, "not JSON"), (4, "not JSON: number out of range"), (6, "`ts` is not an RFC 3339 time")]
    {
        assert!(out.contains(&format!("s.jsonl:{line}: {what}")), "line {line}: {out}");
    }
    let snap = fx.snapshot();
    let ids: Vec<&str> = snap["panels"]["sanctions"]["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"ok1") && ids.contains(&"ok2") && ids.contains(&"second"), "{ids:?}");

    fx.write("s.jsonl", b"");
    let (code, out) = check(&fx);
    assert_eq!(code, Some(0), "an empty file is fine: {out}");
}

#[test]
fn a_symlink_loop_is_reported() {
    let fx = with_only_sanctions();
    std::os::unix::fs::symlink(fx.feed("s.jsonl"), fx.feed("s.jsonl")).expect("symlink to itself");
    let (code, out) = check(&fx);
    assert_eq!(code, Some(1));
    assert!(out.contains("s.jsonl: cannot open: too many levels of symbolic links"), "{out}");
}

#[test]
fn a_config_naming_a_missing_folder_reports_and_follows_it_once_it_exists() {
    let fx = Fixture::with_config("feeds_dir = \"later\"\n[[feed]]\npath = \"s.jsonl\"\nkind = \"sanctions\"\n");
    let (code, out) = check(&fx);
    assert_eq!(code, Some(1));
    assert!(out.contains("later/s.jsonl: missing"), "{out}");
    let mut f = fx.follow();
    let dir = fx.dir.path().join("later");
    fs::create_dir(&dir).expect("mkdir");
    fs::write(dir.join("s.jsonl"), sanction("late", T, "Late Ltd")).expect("write");
    f.wait_record("record_added", "late");
}

#[test]
fn a_feed_folder_that_disappears_and_comes_back_is_followed() {
    let fx = with_only_sanctions();
    fx.append("s.jsonl", sanction("a", T, "A Ltd"));
    let mut f = fx.follow();
    let dir = fx.dir.path().join("feeds");
    fs::remove_dir_all(&dir).expect("rm -r");
    f.wait_for("file_vanished", |v| v["event"] == "file_vanished");
    fs::create_dir(&dir).expect("mkdir again");
    fs::write(dir.join("s.jsonl"), sanction("b", T, "B Ltd")).expect("write");
    f.wait_record("record_added", "b");
    // And it is watched again, not only looked at: a later append arrives too.
    fx.append("s.jsonl", sanction("c", T, "C Ltd"));
    f.wait_record("record_added", "c");
}

#[test]
fn a_feed_without_read_permission_is_reported_and_the_rest_loads() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let fx = Fixture::with_config(
        "feeds_dir = \"feeds\"\n[[feed]]\npath = \"s.jsonl\"\nkind = \"sanctions\"\n[[feed]]\npath = \"p.jsonl\"\nkind = \"suppliers\"\n",
    );
    fx.write("s.jsonl", sanction("ok", T, "Readable Ltd"));
    fx.write("p.jsonl", "{\"id\":\"p\",\"ts\":\"2024-05-01T00:00:00Z\",\"name\":\"Hidden\"}\n");
    let mode = |p: &std::path::Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).expect("chmod");
    mode(fx.dir.path(), 0o755);
    mode(&fx.dir.path().join("feeds"), 0o755);
    mode(&fx.config, 0o644);
    mode(&fx.feed("s.jsonl"), 0o644);
    mode(&fx.feed("p.jsonl"), 0o000);
    // Root reads whatever the permissions say: run as nobody then, so the refusal is real (from a copy of
    // the binary in the open temporary folder, wherever the build folder is).
    let bin = fx.dir.path().join("watchfloor");
    fs::copy(env!("CARGO_BIN_EXE_watchfloor"), &bin).expect("copy the binary");
    mode(&bin, 0o755);
    let mut cmd = std::process::Command::new(&bin);
    cmd.arg("--config").arg(&fx.config).args(["--log", "/dev/null", "check"]).current_dir(fx.dir.path());
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65534).gid(65534);
    }
    let out = cmd.output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("p.jsonl: cannot read: permission denied"), "{text}");
    assert!(text.contains("1 record loaded"), "the readable feed still loads: {text}");
}

/// Makes a FIFO (named pipe) at `path`.
fn fifo(path: &std::path::Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
}

/// Runs the binary, killing it if it has not ended within the deadline (a FIFO used to block it forever).
fn run_within(fx: &Fixture, args: &[&str], secs: u64) -> (Option<i32>, String) {
    let mut child = fx
        .command(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("watchfloor {args:?} did not end within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A FIFO as a feed (named, matched by a glob, or as a published list), a link to `/dev/zero` and a
/// FIFO as the config: each refused with one message naming it, nothing blocks, the rest loads.
#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let fx = Fixture::with_config(
        "feeds_dir = \"feeds\"\n\
         [[feed]]\npath = \"s.jsonl\"\nkind = \"sanctions\"\n\
         [[feed]]\npath = \"pipe.jsonl\"\nkind = \"sanctions\"\n\
         [[feed]]\npath = \"globbed/*.jsonl\"\nkind = \"aid\"\n\
         [[feed]]\npath = \"zero.jsonl\"\nkind = \"shortages\"\n\
         [[feed]]\npath = \"list.ftm.json\"\nformat = \"ftm\"\nkind = \"sanctions\"\n",
    );
    fx.write("s.jsonl", sanction("ok", T, "Still Read"));
    fifo(&fx.feed("pipe.jsonl"));
    fs::create_dir_all(fx.feed("globbed")).expect("dir");
    fifo(&fx.feed("globbed/a.jsonl"));
    std::os::unix::fs::symlink("/dev/zero", fx.feed("zero.jsonl")).expect("symlink");
    fifo(&fx.feed("list.ftm.json"));
    let (code, out) = run_within(&fx, &["check"], 30);
    assert_eq!(code, Some(1), "{out}");
    for (name, what) in [
        ("pipe.jsonl", "a FIFO (named pipe)"),
        ("globbed/a.jsonl", "a FIFO (named pipe)"),
        ("zero.jsonl", "a character device"),
        ("list.ftm.json", "a FIFO (named pipe)"),
    ] {
        let said = format!("{name}: is {what}, not a regular file");
        assert_eq!(out.matches(&said).count(), 1, "{said}: {out}");
    }
    assert!(
        out.contains("4 problems in 4 files;") && out.contains(" 1 record loaded"),
        "the regular feed loads: {out}"
    );
    let (code, _) = run_within(&fx, &["snapshot", "--json"], 30);
    assert_eq!(code, Some(0));
    // Following: ready, the regular feed's record in, and SIGTERM still ends it.
    let mut follow = fx.follow();
    follow.wait_until("the FIFO refused", |seen| seen.iter().any(|v| v.to_string().contains("not a regular file")));
    assert!(follow.stop().success());

    // The config itself.
    let pipe = fx.dir.path().join("pipe.toml");
    fifo(&pipe);
    let (code, out) = run_within(&fx, &["--config", pipe.to_str().expect("path"), "check"], 30);
    assert_eq!(code, Some(2), "a config that cannot be read stops the program: {out}");
}

/// A feed saved with a byte-order mark (as Windows editors and some exporters write it) loads its first
/// record; a file whose name is not UTF-8, matched by a glob, is read too.
#[test]
fn a_byte_order_mark_and_a_file_name_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let fx = Fixture::with_config("feeds_dir = \"feeds\"\n[[feed]]\npath = \"*.jsonl\"\nkind = \"sanctions\"\n");
    fx.write("s.jsonl", format!("\u{feff}{}{}", sanction("first", T, "Marked"), sanction("second", T, "Plain")));
    let odd = fx.feed("x").with_file_name(std::ffi::OsStr::from_bytes(b"caf\xe9.jsonl"));
    fs::write(&odd, sanction("latin1", T, "Named Oddly")).expect("write");
    let (code, out) = check(&fx);
    assert_eq!(code, Some(0), "{out}");
    let snap = fx.snapshot();
    let mut ids: Vec<&str> = snap["panels"]["sanctions"]["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    ids.sort();
    assert_eq!(ids, ["first", "latin1", "second"]);
}

/// A glob of 1,500 files under a soft limit of 256 open files, and under a hard limit of 128: every file
/// is read (the soft limit is raised to the hard one at start, and a one-shot read closes each file before
/// it opens the next), none fails with "Too many open files".
#[test]
fn a_glob_of_more_files_than_the_limit_of_open_files_is_read_whole() {
    let fx = Fixture::with_config("feeds_dir = \"feeds\"\n[[feed]]\npath = \"many/*.jsonl\"\nkind = \"sanctions\"\n");
    fs::create_dir_all(fx.feed("many")).expect("dir");
    for i in 0..1500 {
        fs::write(fx.feed(&format!("many/{i}.jsonl")), sanction(&format!("s{i}"), T, &format!("Firm {i}")))
            .expect("write");
    }
    let bin = env!("CARGO_BIN_EXE_watchfloor");
    let config = fx.config.display().to_string();
    let state = fx.dir.path().join("state").display().to_string();
    for limit in ["ulimit -Sn 256", "ulimit -n 128"] {
        let out = std::process::Command::new("sh")
            .args([
                "-c",
                &format!("{limit} && exec '{bin}' --config '{config}' --state '{state}' --log /dev/null check"),
            ])
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{limit}: {text}");
        assert!(text.contains("1500 files, 1500 records"), "{limit}: {text}");
    }
}

/// Bad values of 100 KB are quoted by their first characters and their length, not in full; a file of
/// 5,000 bad lines puts its first 100 in the log and then only a count now and then.
#[test]
fn huge_bad_values_make_short_messages_and_many_bad_lines_a_short_log() {
    let fx = with_only_sanctions();
    let big = "A".repeat(100_000);
    let mut text = format!(
        "{{\"id\":\"a\",\"ts\":\"{big}\"}}\n{{\"id\":\"b\",\"ts\":\"{T}\",\"kind\":\"{big}\"}}\n\
         {{\"id\":\"c\",\"ts\":\"{T}\",\"action\":\"{big}\",\"target\":\"x\"}}\n"
    );
    for _ in 0..5000 {
        text.push_str("not json\n");
    }
    fx.write("s.jsonl", &text);
    let log = fx.dir.path().join("wf.log");
    let out = fx.run(&["--log", log.to_str().expect("path"), "check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.lines().all(|l| l.len() < 300),
        "a long message: {}",
        stdout.lines().map(str::len).max().unwrap_or(0)
    );
    assert!(stdout.contains("... (100000 bytes)"), "{}", &stdout[..stdout.len().min(2000)]);
    let log = fs::read_to_string(&log).expect("log");
    let logged = log.lines().filter(|l| l.contains("s.jsonl:")).count();
    assert!((100..=110).contains(&logged), "{logged} lines of the feed's errors in the log");
    assert!(log.contains("4096 problems so far"), "the count goes on");
    assert!(log.len() < 100_000, "the log is {} bytes", log.len());
}

//! Helpers for integration tests: a temporary feed folder with its config, and the real binary.
#![allow(dead_code)]

pub mod pty;

use serde_json::Value;
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long a test waits for an event before failing: generous, so a slow CI machine does not flake.
pub const DEADLINE: Duration = Duration::from_secs(20);

pub const CONFIG: &str = r#"
feeds_dir = "feeds"
[[feed]]
path = "sanctions.jsonl"
kind = "sanctions"
[[feed]]
path = "suppliers.jsonl"
kind = "suppliers"
[[feed]]
path = "aid.jsonl"
kind = "aid"
[[feed]]
path = "shortages.jsonl"
kind = "shortages"
"#;

pub struct Fixture {
    pub dir: TempDir,
    pub config: PathBuf,
}

impl Fixture {
    /// A folder with the default four-feed config and an empty `feeds/` folder (no feed files yet).
    pub fn new() -> Self {
        Self::with_config(CONFIG)
    }

    pub fn with_config(text: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config.toml");
        fs::write(&config, text).expect("write config");
        fs::create_dir_all(dir.path().join("feeds")).expect("feeds dir");
        Fixture { dir, config }
    }

    pub fn feed(&self, name: &str) -> PathBuf {
        self.dir.path().join("feeds").join(name)
    }

    /// Appends raw bytes to a feed file, creating it.
    pub fn append(&self, name: &str, bytes: impl AsRef<[u8]>) {
        let mut f = OpenOptions::new().create(true).append(true).open(self.feed(name)).expect("open feed");
        f.write_all(bytes.as_ref()).expect("append");
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        fs::write(self.feed(name), bytes).expect("write feed");
    }

    /// Runs the dashboard in a pseudo-terminal of `cols`×`rows`, with `extra` arguments and environment.
    pub fn dashboard(&self, cols: u16, rows: u16, extra: &[&str], env: &[(&str, &str)]) -> pty::Pty {
        let config = self.config.display().to_string();
        let log = self.dir.path().join("watchfloor.log").display().to_string();
        let state = self.dir.path().join("state").display().to_string();
        let mut args = vec!["--config", config.as_str(), "--log", log.as_str(), "--state", state.as_str()];
        args.extend_from_slice(extra);
        pty::Pty::spawn(env!("CARGO_BIN_EXE_watchfloor"), &args, self.dir.path(), env, cols, rows)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_watchfloor"));
        cmd.arg("--config").arg(&self.config).args(args);
        cmd.env("XDG_STATE_HOME", self.dir.path().join("state"));
        cmd.current_dir(self.dir.path());
        cmd
    }

    /// Runs the binary to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run watchfloor")
    }

    /// `snapshot --json`, parsed.
    pub fn snapshot(&self) -> Value {
        let out = self.run(&["snapshot", "--json"]);
        assert!(out.status.success(), "snapshot failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("snapshot is JSON")
    }

    /// Starts `follow --json` and waits for its `ready` line.
    pub fn follow(&self) -> Follower {
        self.follow_with(&[])
    }

    /// `follow --json` with more arguments.
    pub fn follow_with(&self, extra: &[&str]) -> Follower {
        let mut f = self.follow_started(extra);
        f.ready = Some(f.wait_for("ready", |v| v["event"] == "ready"));
        f
    }

    /// `follow --json` with more arguments, not waiting for its `ready` line.
    pub fn follow_started(&self, extra: &[&str]) -> Follower {
        let mut args = vec!["follow", "--json"];
        args.extend_from_slice(extra);
        let mut child =
            self.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn follow");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Follower { child, rx, seen: Vec::new(), ready: None }
    }
}

pub struct Follower {
    child: Child,
    rx: Receiver<Value>,
    /// Every event received so far, in order.
    pub seen: Vec<Value>,
    /// The `ready` line.
    pub ready: Option<Value>,
}

impl Follower {
    /// Waits for the first event (after those already consumed) that matches; fails after [`DEADLINE`]
    /// showing what did arrive.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let end = Instant::now() + DEADLINE;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if pred(&v) {
                        return v;
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    panic!("no {what} within {DEADLINE:?}; events: {:#?}", self.seen)
                }
            }
        }
    }

    /// Waits until everything received so far satisfies `pred`; fails after [`DEADLINE`].
    pub fn wait_until(&mut self, what: &str, pred: impl Fn(&[Value]) -> bool) {
        let end = Instant::now() + DEADLINE;
        while !pred(&self.seen) {
            let left = end.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => self.seen.push(v),
                Err(_) => panic!("not {what} within {DEADLINE:?}; events: {:#?}", self.seen),
            }
        }
    }

    /// Waits for a record event of `event` for `id`.
    pub fn wait_record(&mut self, event: &str, id: &str) -> Value {
        self.wait_for(&format!("{event} {id}"), |v| v["event"] == event && v["id"] == id)
    }

    /// Events received since `from` (an index into `seen`).
    pub fn since(&self, from: usize) -> &[Value] {
        &self.seen[from..]
    }

    pub fn stop(mut self) -> std::process::ExitStatus {
        // SIGTERM, as a service manager would; the program must exit cleanly on it.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let end = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < end, "follow did not exit on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sanctions line.
pub fn sanction(id: &str, ts: &str, target: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"ts\":\"{ts}\",\"authority\":\"OFAC\",\"program\":\"RUSSIA-EO14024\",\"action\":\"designated\",\"target\":\"{target}\"}}\n"
    )
}

/// An aid line at a stage.
pub fn aid(id: &str, ts: &str, stage: &str) -> String {
    format!("{{\"id\":\"{id}\",\"ts\":\"{ts}\",\"donor\":\"United States\",\"amount\":60840000000,\"currency\":\"USD\",\"stage\":\"{stage}\"}}\n")
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

//! The real binary in a pseudo-terminal, its output read into a vt100 screen and kept as raw bytes.

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a terminal was asked to do besides drawing: window titles, clipboard writes.
#[derive(Default)]
pub struct Spy {
    pub titles: Vec<Vec<u8>>,
    pub clipboard_writes: usize,
}

impl vt100::Callbacks for Spy {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(title.to_vec());
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(title.to_vec());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], _: &[u8]) {
        self.clipboard_writes += 1;
    }
}

pub struct Pty {
    master: Option<Box<dyn MasterPty + Send>>,
    pub child: Box<dyn Child + Send + Sync>,
    writer: Option<Box<dyn Write + Send>>,
    pub parser: Arc<Mutex<vt100::Parser<Spy>>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Pty {
    /// Runs `program args` in a `cols`×`rows` pseudo-terminal, in `cwd`, with `env` added.
    pub fn spawn(
        program: &str,
        args: &[&str],
        cwd: &std::path::Path,
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Pty {
        let pair =
            native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).expect("open pty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn in pty");
        drop(pair.slave);
        // Our own copy of the master to read from, polled with a timeout so that the reader can be stopped
        // and every copy of the master closed (which is how a terminal goes away).
        let master_fd = pair.master.as_raw_fd().expect("master fd");
        // SAFETY: dup of a valid fd; the File owns the copy.
        let mut reader = unsafe { std::fs::File::from_raw_fd(libc::dup(master_fd)) };
        let writer = pair.master.take_writer().expect("writer");
        let stop = Arc::new(AtomicBool::new(false));
        let parser = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(nz(rows), nz(cols), 0, Spy::default())));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r, halt) = (parser.clone(), raw.clone(), stop.clone());
        let reader_thread = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let mut pfd = libc::pollfd { fd: reader.as_raw_fd(), events: libc::POLLIN, revents: 0 };
                // SAFETY: one valid pollfd.
                let n = unsafe { libc::poll(&mut pfd, 1, 50) };
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                if n == 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        r.lock().expect("raw").extend_from_slice(&buf[..n]);
                        p.lock().expect("parser").process(&buf[..n]);
                    }
                }
            }
        });
        Pty { master: Some(pair.master), child, writer: Some(writer), parser, raw, stop, reader: Some(reader_thread) }
    }

    pub fn contents(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    /// Waits until the screen satisfies `pred`, checking as output arrives; fails after `deadline`.
    pub fn wait_screen(&self, what: &str, deadline: Duration, pred: impl Fn(&vt100::Screen) -> bool) {
        let end = Instant::now() + deadline;
        loop {
            if pred(self.parser.lock().expect("parser").screen()) {
                return;
            }
            assert!(Instant::now() < end, "screen never showed {what}; it shows:\n{}", self.contents());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn wait_text(&self, text: &str, deadline: Duration) {
        self.wait_screen(text, deadline, |s| s.contents().contains(text));
    }

    /// Resizes the terminal (the program gets SIGWINCH) and the screen that reads it.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.parser.lock().expect("parser").set_size(nz(rows), nz(cols));
        let master = self.master.as_ref().expect("terminal open");
        master.resize(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).expect("resize");
    }

    /// Closes every copy of the terminal's master side: to the program, the terminal has gone away.
    pub fn hang_up(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.reader.take() {
            let _ = t.join();
        }
        self.writer = None;
        self.master = None;
    }

    pub fn send(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().expect("terminal open");
        writer.write_all(bytes).expect("write to pty");
        writer.flush().expect("flush pty");
    }

    /// Waits for the program to end; fails after `deadline`.
    pub fn wait_exit(&mut self, deadline: Duration) -> portable_pty::ExitStatus {
        let end = Instant::now() + deadline;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < end, "the program did not exit; screen:\n{}", self.contents());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn signal(&self, sig: i32) {
        let pid = self.child.process_id().expect("pid") as i32;
        // SAFETY: sending a signal to our own child.
        unsafe { libc::kill(pid, sig) };
    }

    /// The terminal's line discipline as the program left it: (canonical mode, echo).
    pub fn termios_cooked(&self) -> (bool, bool) {
        let fd = self.master.as_ref().and_then(|m| m.as_raw_fd()).expect("master fd");
        // SAFETY: tcgetattr fills a zeroed termios for a valid fd.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0, "tcgetattr");
        (t.c_lflag & libc::ICANON != 0, t.c_lflag & libc::ECHO != 0)
    }

    pub fn raw_bytes(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).expect("non-zero")
}

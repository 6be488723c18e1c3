//! The terminal is the analyst's: entering the dashboard's screen, and always giving it back.
//!
//! Restored (raw mode off, main screen, cursor shown, mouse off) when the guard drops (quit, error
//! returns), from the panic hook (before the message is printed), and after a signal ends the loop.
//! Nothing here asks the terminal a question and waits for its answer: some tmux setups never answer.

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute, queue};
use ratatui::{Frame, Terminal};
use std::io::{self, Stdout, Write};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the terminal is in the dashboard's state (so restoring twice is harmless).
static ENTERED: AtomicBool = AtomicBool::new(false);

pub struct TerminalGuard {
    /// Never dropped: ratatui's `Terminal` shows the cursor when dropped and, when the terminal is gone
    /// (the pane killed, the SSH session dropped), panics printing that it could not (`eprintln!`).
    /// [`restore`] gives the terminal back instead, ignoring errors, and the process ends next.
    terminal: std::mem::ManuallyDrop<Terminal<CrosstermBackend<Stdout>>>,
    synchronized: bool,
    mouse: bool,
}

impl TerminalGuard {
    /// Raw mode, the alternate screen, the cursor hidden, and the mouse captured if asked.
    pub fn enter(mouse: bool, synchronized: bool) -> io::Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        ENTERED.store(true, Ordering::SeqCst);
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen, cursor::Hide)?;
        if mouse {
            execute!(out, EnableMouseCapture)?;
        }
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok(TerminalGuard { terminal: std::mem::ManuallyDrop::new(terminal), synchronized, mouse })
    }

    /// Draws one frame, wrapped in synchronized output (DEC mode 2026) unless that is switched off.
    pub fn draw(&mut self, render: impl FnOnce(&mut Frame)) -> io::Result<()> {
        if self.synchronized {
            queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        }
        self.terminal.draw(render)?;
        if self.synchronized {
            execute!(self.terminal.backend_mut(), EndSynchronizedUpdate)?;
        }
        Ok(())
    }

    /// The screen's size now.
    pub fn area(&self) -> io::Result<ratatui::layout::Rect> {
        let size = self.terminal.size()?;
        Ok(ratatui::layout::Rect::new(0, 0, size.width, size.height))
    }

    /// Forgets what is on screen, so the next frame is drawn whole (Ctrl-L).
    pub fn invalidate(&mut self) -> io::Result<()> {
        let size = self.terminal.size()?;
        self.terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
    }

    /// Rings the terminal bell (BEL), for alerts whose rule asks for it.
    pub fn bell(&mut self) -> io::Result<()> {
        let out = self.terminal.backend_mut();
        out.write_all(b"\x07")?;
        out.flush()
    }

    /// Puts text on the clipboard of the analyst's terminal with OSC 52, which terminals, SSH and tmux
    /// (with `set-clipboard on`) pass along. The text is base64, so nothing in it acts on the terminal.
    pub fn copy(&mut self, text: &str) -> io::Result<()> {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
        let out = self.terminal.backend_mut();
        write!(out, "\x1b]52;c;{encoded}\x07")?;
        out.flush()
    }

    /// Gives the terminal back and stops the process (SIGTSTP, as Ctrl-Z does in cooked mode); once the
    /// shell's `fg` continues it, takes the terminal again. The caller redraws the whole screen.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        // SAFETY: raise only sends a signal to this process; its default action stops it here until
        // SIGCONT (a process whose group has no job control just goes on).
        unsafe { libc::raise(libc::SIGTSTP) };
        enable_raw_mode()?;
        ENTERED.store(true, Ordering::SeqCst);
        execute!(self.terminal.backend_mut(), EnterAlternateScreen, cursor::Hide)?;
        if self.mouse {
            execute!(self.terminal.backend_mut(), EnableMouseCapture)?;
        }
        // Not `Terminal::clear`, which asks the terminal where its cursor is: the input thread would take
        // the answer, and the question would time out.
        self.invalidate()
    }

    pub fn set_mouse(&mut self, on: bool) -> io::Result<()> {
        if on != self.mouse {
            if on {
                execute!(self.terminal.backend_mut(), EnableMouseCapture)?;
            } else {
                execute!(self.terminal.backend_mut(), DisableMouseCapture)?;
            }
            self.mouse = on;
        }
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Gives the terminal back. Safe to call more than once, from a panic, or with the terminal gone
/// (errors are ignored: there is nobody left to tell).
pub fn restore() {
    if !ENTERED.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(out, EndSynchronizedUpdate, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!("panic: {info}");
        previous(info);
    }));
}

/// Calls `gone` when the terminal hangs up (the SSH session dropped, the tmux pane was killed), even if no
/// SIGHUP reaches us. A thread waits in poll(2) for nothing but a hang-up, so it costs no CPU meanwhile;
/// crossterm's own reader cannot be relied on for this, as it spins on a dead terminal.
pub fn watch_hangup(gone: impl FnOnce() + Send + 'static) {
    let tty = if io::IsTerminal::is_terminal(&io::stdin()) { None } else { std::fs::File::open("/dev/tty").ok() };
    let fd = tty.as_ref().map(|f| f.as_raw_fd()).unwrap_or(0);
    std::thread::Builder::new()
        .name("hangup-watch".into())
        .spawn(move || {
            let _keep_open = tty;
            loop {
                let mut pfd = libc::pollfd { fd, events: 0, revents: 0 };
                // SAFETY: one valid pollfd for the duration of the call.
                let n = unsafe { libc::poll(&mut pfd, 1, -1) };
                if n < 0 {
                    if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return;
                }
                if pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                    gone();
                    return;
                }
            }
        })
        .ok();
}

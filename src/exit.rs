//! How the program ends and tells the user why: exit statuses and a message on stderr, shared by the
//! headless commands and the dashboard.

/// Exit status: everything fine.
pub const EXIT_OK: i32 = 0;
/// Exit status: a feed has problems (`check`), or a runtime failure.
pub const EXIT_PROBLEMS: i32 = 1;
/// Exit status: the configuration cannot be used (or the command line is wrong).
pub const EXIT_CONFIG: i32 = 2;

/// Tells the user something on stderr. Unlike `eprintln!`, it never panics when stderr is gone (a dropped
/// SSH session leaves a terminal that fails every write).
pub fn complain(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}

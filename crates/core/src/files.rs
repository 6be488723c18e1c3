//! Opening what the program reads (feeds, published lists, the config, the state files): regular files
//! only. A FIFO opened for reading waits for a writer, a device such as `/dev/zero` never ends, a socket
//! cannot be opened at all: any of these (or a symbolic link to one, a glob that matches one) would freeze
//! the reader, so it is refused by what the path is, and opened without waiting, before a byte is read.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The error of a path that is not a regular file: what it is instead.
#[derive(Debug)]
pub struct NotRegular(pub &'static str);

impl std::fmt::Display for NotRegular {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "is {}, not a regular file: only regular files are read", self.0)
    }
}

impl std::error::Error for NotRegular {}

/// What the file is when it is not a regular file.
pub fn not_regular(meta: &Metadata) -> Option<NotRegular> {
    let t = meta.file_type();
    let what = match () {
        _ if t.is_file() => return None,
        _ if t.is_dir() => "a directory",
        _ if t.is_fifo() => "a FIFO (named pipe)",
        _ if t.is_char_device() => "a character device",
        _ if t.is_block_device() => "a block device",
        _ if t.is_socket() => "a socket",
        _ => "not a file",
    };
    Some(NotRegular(what))
}

fn refuse(n: NotRegular) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, n)
}

/// Opens a regular file for reading. Anything else is refused by what the path (followed through
/// symbolic links) is, and the file is opened without waiting (`O_NONBLOCK`, which a regular file
/// ignores) and looked at again once open, in case the path changed between the two.
pub fn open(path: &Path) -> io::Result<File> {
    if let Some(n) = not_regular(&std::fs::metadata(path)?) {
        return Err(refuse(n));
    }
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    match not_regular(&file.metadata()?) {
        Some(n) => Err(refuse(n)),
        None => Ok(file),
    }
}

/// [`std::fs::read`] of a regular file only (see [`open`]).
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open(path)?;
    let mut out = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut out)?;
    Ok(out)
}

/// [`std::fs::read_to_string`] of a regular file only (see [`open`]).
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "is not UTF-8 text"))
}

/// A file's size and modification time (in ns): what tells that it was written since it was last looked at.
pub fn size_and_time(meta: &Metadata) -> (u64, i128) {
    use std::os::unix::fs::MetadataExt;
    (meta.len(), i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()))
}

/// The reason a file was refused, when it was (see [`NotRegular`]).
pub fn refusal(e: &io::Error) -> Option<&NotRegular> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<NotRegular>())
}

/// Descriptors kept for what is not a feed: the standard streams, the log, the state and its temporary
/// file, the config, a published list being read, the watcher and the terminal.
pub const KEPT_FOR_THE_REST: u64 = 64;

/// How many feed files the process may hold open: the soft limit of open files (`ulimit -n`) less
/// [`KEPT_FOR_THE_REST`], so that saving the state never waits on a free descriptor.
pub fn feed_files_open_at_most() -> usize {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 || limit.rlim_cur == libc::RLIM_INFINITY {
        return usize::MAX;
    }
    usize::try_from(limit.rlim_cur.saturating_sub(KEPT_FOR_THE_REST)).unwrap_or(usize::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    #[test]
    fn fifos_devices_and_links_to_them_are_refused_without_waiting() {
        let dir = tempfile::tempdir().expect("dir");
        let pipe = dir.path().join("feed.jsonl");
        fifo(&pipe);
        let link = dir.path().join("zero.jsonl");
        std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
        for (path, what) in [(&pipe, "a FIFO (named pipe)"), (&link, "a character device")] {
            let e = read(path).expect_err("refused");
            assert_eq!(refusal(&e).map(|n| n.0), Some(what), "{}", path.display());
            assert_eq!(
                crate::text::describe_io(&e),
                format!("is {what}, not a regular file: only regular files are read")
            );
        }
        let e = read(dir.path()).expect_err("a directory");
        assert_eq!(refusal(&e).map(|n| n.0), Some("a directory"));
        let file = dir.path().join("ok.jsonl");
        std::fs::write(&file, "{}\n").expect("write");
        assert_eq!(read_to_string(&file).expect("a regular file"), "{}\n");
        assert_eq!(read(&dir.path().join("none")).expect_err("missing").kind(), io::ErrorKind::NotFound);
    }
}

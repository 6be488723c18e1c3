//! A 100 MB line is skipped in bounded memory. (Alone in its test binary: it measures its child's peak
//! memory with getrusage, which counts every child of this process.)

mod common;

use common::{sanction, Fixture};
use std::io::Write;

#[test]
fn a_100_mb_line_is_skipped_without_holding_it() {
    let fx = Fixture::with_config("feeds_dir = \"feeds\"\n[[feed]]\npath = \"s.jsonl\"\nkind = \"sanctions\"\n");
    {
        let mut f = std::fs::File::create(fx.feed("s.jsonl")).expect("create");
        f.write_all(sanction("before", "2024-05-01T00:00:00Z", "Before").as_bytes()).expect("write");
        f.write_all(b"{\"id\":\"huge\",\"ts\":\"2024-05-01T00:00:00Z\",\"reason\":\"").expect("write");
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..100 {
            f.write_all(&chunk).expect("write");
        }
        f.write_all(b"\"}\n").expect("write");
        f.write_all(sanction("after", "2024-05-01T00:00:00Z", "After").as_bytes()).expect("write");
    }
    let out = fx.run(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("s.jsonl:2: line is 104857") && text.contains("longer than the limit"), "{text}");
    assert!(text.contains("2 records"), "{text}");
    // SAFETY: getrusage fills a zeroed struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) }, 0);
    let peak_mib = usage.ru_maxrss / 1024;
    assert!(peak_mib < 50, "check held {peak_mib} MiB for a 100 MB line");
}

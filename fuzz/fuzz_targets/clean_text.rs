//! Cleaning untrusted text: never panics, leaves no control character, escape, bidi control or zero-width
//! character, and cleaning twice changes nothing; fitting to a width never exceeds it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let c = watchfloor_core::text::clean(&s);
    assert!(!c.chars().any(|ch| ch.is_control()), "control character left in {c:?}");
    assert!(!c
        .chars()
        .any(|ch| matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}')));
    assert_eq!(watchfloor_core::text::clean(&c), c, "cleaning is not idempotent");
    for w in [0, 1, 5, 20] {
        assert!(watchfloor_core::text::width(&watchfloor_core::text::fit(&c, w, false)) <= w);
    }
});

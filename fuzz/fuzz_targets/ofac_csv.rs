//! The OFAC CSV set (sdn.csv with its alt, add and comments files): any bytes in any of the four files
//! never panic, and what is read keeps only clean text. The input is split into the four files at 0xFF
//! bytes (which CSV text never holds).
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchfloor_core::formats::ofac::{parse, Files};
use watchfloor_core::model::packed::{Packer, SharedTexts};
use watchfloor_core::model::Timestamp;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0xff).map(<[u8]>::to_vec);
    let files =
        Files { main: parts.next().unwrap_or_default(), alt: parts.next(), add: parts.next(), comments: parts.next() };
    let ts = Timestamp::from_utc(chrono::DateTime::UNIX_EPOCH);
    for consolidated in [false, true] {
        if let Ok(rows) = parse(&files, &ts, consolidated) {
            for (record, _) in rows {
                let packed = watchfloor_core::model::Packed::pack(&record, &mut Packer::plain());
                packed.any_text(&SharedTexts::new(), &mut |t| {
                    assert_eq!(watchfloor_core::text::clean(t), t, "unclean text kept: {t:?}");
                    false
                });
            }
        }
    }
});

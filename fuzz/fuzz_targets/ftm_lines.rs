//! FollowTheMoney entity and delta lines (OpenSanctions exports): applying any bytes, then deriving the
//! rows, never panics, and the rows keep only clean text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchfloor_core::formats::ftm::Entities;
use watchfloor_core::model::packed::{Packer, SharedTexts};
use watchfloor_core::model::Timestamp;

fuzz_target!(|data: &[u8]| {
    let mut entities = Entities::default();
    for (i, line) in data.split(|b| *b == b'\n').enumerate() {
        let _ = entities.apply_line(line, i as u64 + 1);
    }
    let fallback = Timestamp::from_utc(chrono::DateTime::UNIX_EPOCH);
    for (record, _) in entities.derive(&fallback) {
        let packed = watchfloor_core::model::Packed::pack(&record, &mut Packer::plain());
        packed.any_text(&SharedTexts::new(), &mut |t| {
            assert_eq!(watchfloor_core::text::clean(t), t, "unclean text kept: {t:?}");
            false
        });
    }
});

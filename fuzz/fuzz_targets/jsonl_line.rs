//! One JSON Lines line, as any feed might hold: parsing never panics, whatever it keeps is clean text that
//! every later path (links, rules, fingerprints, JSON output) can take, and a line the quick way packs is
//! packed the same by the general way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchfloor_core::formats::jsonl::{parse_general, parse_line, parse_packed_with, parse_quick};
use watchfloor_core::formats::LineState;
use watchfloor_core::model::links::{default_vocabulary, Links};
use watchfloor_core::model::packed::Packer;
use watchfloor_core::model::seen::Seen;
use watchfloor_core::model::{Kind, Store};

fuzz_target!(|data: &[u8]| {
    // Packed as a store packs them: the texts that repeat shared.
    let mut store = Store::new();
    let mut state = LineState::new(Packer::sharing(store.shared_texts()));
    let mut general_packer = Packer::sharing(store.shared_texts());
    for kind in [None, Some(Kind::Sanctions), Some(Kind::Suppliers), Some(Kind::Aid), Some(Kind::Shortages)] {
        let mut quick_texts = Vec::new();
        let quick = parse_quick(data, kind, &mut state, &mut |k, f, t| quick_texts.push(format!("{k} {} {t}", f.name)));
        if let Some(quick) = quick {
            let mut general_texts = Vec::new();
            let general = parse_general(data, kind, &mut general_packer, &mut |k, f, t| {
                general_texts.push(format!("{k} {} {t}", f.name))
            });
            assert_eq!(general, Ok(Some(quick)), "the quick way packs what the general way packs");
            assert_eq!(quick_texts, general_texts, "and gives the links the same texts");
        }
        let Ok(Some(packed)) = parse_packed_with(data, kind, &mut state, &mut |_, _, _| {}) else { continue };
        let texts = store.texts();
        packed.any_text(texts, &mut |t| {
            assert_eq!(watchfloor_core::text::clean(t), t, "unclean text kept: {t:?}");
            false
        });
        let _ = Seen::fingerprint(texts, &packed);
        let _ = Links::new(default_vocabulary()).prepare(texts, &packed);
        // Unpacked, the record is what the line's record is, and packs to the same bytes again.
        let record = packed.unpack(texts);
        assert_eq!(parse_line(data, kind).ok().flatten().as_ref(), Some(&record));
        assert_eq!(store.pack(&record), packed);
        let _ = serde_json::to_string(&record.fields_json());
    }
});

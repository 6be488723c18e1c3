//! One JSON Lines line, as any feed might hold: parsing never panics, whatever it keeps is clean text that
//! every later path (links, rules, fingerprints, JSON output) can take, and a line the quick way packs is
//! packed the same by the general way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchfloor_core::formats::jsonl::{parse_general, parse_line, parse_packed, parse_quick};
use watchfloor_core::model::links::{default_vocabulary, Links};
use watchfloor_core::model::seen::Seen;
use watchfloor_core::model::Kind;

fuzz_target!(|data: &[u8]| {
    for kind in [None, Some(Kind::Sanctions), Some(Kind::Suppliers), Some(Kind::Aid), Some(Kind::Shortages)] {
        let mut quick_texts = Vec::new();
        if let Some(quick) = parse_quick(data, kind, &mut |k, f, t| quick_texts.push(format!("{k} {} {t}", f.name))) {
            let mut general_texts = Vec::new();
            let general = parse_general(data, kind, &mut |k, f, t| general_texts.push(format!("{k} {} {t}", f.name)));
            assert_eq!(general, Ok(Some(quick)), "the quick way packs what the general way packs");
            assert_eq!(quick_texts, general_texts, "and gives the links the same texts");
        }
        let Ok(Some(packed)) = parse_packed(data, kind) else { continue };
        packed.any_text(&mut |t| {
            assert_eq!(watchfloor_core::text::clean(t), t, "unclean text kept: {t:?}");
            false
        });
        let _ = Seen::fingerprint(&packed);
        let _ = Links::new(default_vocabulary()).prepare(&packed);
        // Unpacked, the record is what the line's record is, and packs to the same bytes again.
        let record = packed.unpack();
        assert_eq!(parse_line(data, kind).ok().flatten().as_ref(), Some(&record));
        assert_eq!(watchfloor_core::model::Packed::pack(&record), packed);
        let _ = serde_json::to_string(&record.fields_json());
    }
});

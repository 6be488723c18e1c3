//! `watchfloor gen`: realistic, deterministic feeds of every kind at any size (the same seed gives the same
//! bytes), for benchmarks and for trying the tool at scale; and the scripted arrivals of `watchfloor demo`.

use serde_json::{json, Value};
use std::io::{BufWriter, Write};
use std::path::Path;

/// A small deterministic generator (SplitMix64): the same seed gives the same sequence everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SYLLABLES: &[&str] = &[
    "qing", "yun", "tian", "mu", "hua", "long", "xin", "bao", "feng", "rui", "jin", "hai", "shan", "kai", "ming",
    "heng", "da", "tong", "sheng", "wei", "li", "an", "zhi", "yuan", "guang", "hong",
];
const TRADES: &[&str] = &[
    "Precision Machinery",
    "Microelectronics Trading",
    "Aero-Engine Parts",
    "Fine Chemicals",
    "Navigation Electronics",
    "CNC Equipment",
    "UAV Technology",
    "Components Trading",
    "Optoelectronics",
    "Logistics",
];
const CITIES: &[&str] = &[
    "Shenzhen",
    "Ningbo",
    "Xiamen",
    "Hong Kong",
    "Guangzhou",
    "Dongguan",
    "Yiwu",
    "Tianjin",
    "Suzhou",
    "Hangzhou",
    "Qingdao",
    "Dalian",
    "Chengdu",
    "Wuhan",
    "Harbin",
    "Urumqi",
    "Moscow",
    "St Petersburg",
    "Bishkek",
    "Almaty",
];
const FORMS: &[&str] = &["Co., Ltd.", "Limited", "(HK) Limited", "LLC", "Trading Co.", "JSC", "OOO"];
const AUTHORITIES: &[(&str, &str)] = &[
    ("OFAC", "RUSSIA-EO14024"),
    ("OFAC", "UKRAINE-EO13662"),
    ("EU", "Regulation (EU) 833/2014 Annex IV"),
    ("EU", "Regulation (EU) 269/2014"),
    ("UK (OFSI/FCDO)", "Russia"),
    ("Japan (MOFA/METI)", "Foreign Exchange and Foreign Trade Act"),
    ("Switzerland (SECO)", "Ordinance on measures in connection with the situation in Ukraine"),
    ("Canada (GAC)", "Special Economic Measures (Russia) Regulations"),
    ("US Commerce (BIS)", "Entity List (EAR 744.11)"),
];
const COUNTRIES: &[&str] = &["CN", "HK", "RU", "KG", "KZ", "AE", "TR", "BY", "IR", "AM"];
const GOODS: &[&str] = &[
    "machine tools",
    "microelectronics",
    "drone engines",
    "turbojet engines",
    "cruise-missile technology",
    "nitrocellulose",
    "satellite imagery",
    "navigation modules",
    "bearings",
    "optics",
];
const LEVELS: &[&str] = &["low", "medium", "high", "critical"];
const REGIONS: &[&str] = &[
    "Donetsk oblast (Pokrovsk)",
    "Donetsk oblast (Chasiv Yar)",
    "Kharkiv oblast (Vovchansk)",
    "Kharkiv oblast (Kupiansk)",
    "Zaporizhzhia oblast (Robotyne)",
    "Kherson oblast",
    "Sumy oblast",
    "Odesa oblast (Odesa)",
    "Dnipropetrovsk oblast",
];
const SHORTAGES: &[(&str, &str)] = &[
    ("ammunition", "155mm artillery shells"),
    ("ammunition", "152mm artillery shells"),
    ("air defence", "air defence interceptors"),
    ("air defence", "Patriot interceptors"),
    ("drones", "FPV drones"),
    ("electronic warfare", "EW jammers"),
    ("armoured vehicles", "infantry fighting vehicles"),
    ("medical", "tourniquets and trauma kits"),
    ("engineering", "fortification materials"),
];
const DONORS: &[&str] =
    &["United States", "European Union", "United Kingdom", "Germany", "Poland", "Czech Republic", "Norway"];
const STAGES: &[&str] = &[
    "proposed",
    "in_committee",
    "passed_one_chamber",
    "passed_both",
    "signed",
    "obligated",
    "delivering",
    "delivered",
];
const ITEMS: &[&str] =
    &["artillery ammunition", "air defence interceptors", "drones", "armoured vehicles", "demining", "medical"];

/// A made-up firm name (the generator never produces real firms on purpose, but names are random): a city,
/// two three-syllable words, a trade and a legal form, so that names rarely repeat at a million records
/// (about 34 billion forms once legal forms are set aside) and, as in a real list, the words that tell
/// firms apart are rare (each of the 17,576 such words in about a hundred names of a million records)
/// while cities and trades are common.
pub fn firm(rng: &mut Rng) -> String {
    let word = |rng: &mut Rng| {
        let mut w = format!("{}{}{}", rng.pick(SYLLABLES), rng.pick(SYLLABLES), rng.pick(SYLLABLES));
        if let Some(first) = w.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        w
    };
    let (a, b) = (word(rng), word(rng));
    format!("{} {a} {b} {} {}", rng.pick(CITIES), rng.pick(TRADES), rng.pick(FORMS))
}

/// Legal forms written in full, as collectors copy them from registers.
const FULL_FORMS: &[&str] = &[
    "Limited Liability Company",
    "Joint Stock Company",
    "Общество с ограниченной ответственностью",
    "Gesellschaft mit beschränkter Haftung",
];
const PLACES: &[&str] = &["Hong Kong", "Shenzhen", "HK", "Dubai"];

/// A designated firm as a collector writes it, the ways names differ in real lists: another short legal
/// form, a legal form in full, the words in another order, capitals, a place in parentheses, a typo. The
/// links find some of them; the rest measure what they do not yet find (BENCHMARKS.md).
fn written_differently(rng: &mut Rng, target: &str) -> String {
    let trade = trade_name(target);
    let form = rng.pick(FORMS);
    match rng.below(6) {
        0 => format!("{trade} {form}"),
        1 => format!("{} {trade}", rng.pick(FULL_FORMS)),
        2 => {
            let mut words: Vec<&str> = trade.split(' ').collect();
            words.rotate_left(1);
            format!("{} {form}", words.join(" "))
        }
        3 => format!("{} {}", trade.to_uppercase(), form.to_uppercase()),
        4 => format!("{trade} ({}) {form}", rng.pick(PLACES)),
        _ => {
            // One letter of the longest word doubled.
            let longest = trade.split(' ').max_by_key(|w| w.len()).unwrap_or_default();
            let at = rng.below(longest.len().max(1)).min(longest.len().saturating_sub(1));
            let typo = match longest.get(at..at + 1) {
                Some(letter) => format!("{}{letter}{}", &longest[..at], &longest[at..]),
                None => longest.to_owned(),
            };
            format!("{} {form}", trade.replacen(longest, &typo, 1))
        }
    }
}

/// A firm's name without its legal form: everything before the last of [`FORMS`] it ends with.
fn trade_name(name: &str) -> &str {
    FORMS.iter().find_map(|f| name.strip_suffix(f)).map(str::trim_end).unwrap_or(name)
}

fn ts(rng: &mut Rng, day: usize) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
    let date = base + chrono::Duration::days(day as i64);
    format!("{}T{:02}:{:02}:00Z", date.format("%Y-%m-%d"), rng.below(24), rng.below(60))
}

pub fn sanction(rng: &mut Rng, i: usize, day: usize) -> Value {
    let bank = rng.below(20) == 0;
    let target = if bank { format!("{} Bank", firm(rng)) } else { firm(rng) };
    sanction_of(rng, i, day, target, bank)
}

fn sanction_of(rng: &mut Rng, i: usize, day: usize, target: String, bank: bool) -> Value {
    let (authority, program) = AUTHORITIES[rng.below(AUTHORITIES.len())];
    json!({
        "id": format!("gen-s{i}"), "ts": ts(rng, day), "authority": authority, "program": program,
        "action": if rng.below(25) == 0 { "delisted" } else { "designated" },
        "target": target, "target_type": if bank { "bank" } else { "entity" },
        "country": rng.pick(COUNTRIES), "reason": format!("Supplies {} to Russia's defence industry", rng.pick(GOODS)),
        "source": "generated", "aliases": [firm(rng)],
    })
}

pub fn supplier(rng: &mut Rng, i: usize, day: usize) -> Value {
    let name = firm(rng);
    supplier_of(rng, i, day, name)
}

fn supplier_of(rng: &mut Rng, i: usize, day: usize, name: String) -> Value {
    json!({
        "id": format!("gen-p{i}"), "ts": ts(rng, day), "name": name, "country": rng.pick(COUNTRIES),
        "goods": [rng.pick(GOODS), rng.pick(GOODS)], "risk": rng.pick(LEVELS), "customers": [firm(rng)],
        "status": "flagged", "source": "generated", "aliases": [firm(rng)],
    })
}

pub fn aid(rng: &mut Rng, i: usize, day: usize, stage: usize) -> Value {
    let amount = (rng.below(5000) as u64 + 100) * 1_000_000;
    json!({
        "id": format!("gen-a{i}"), "ts": ts(rng, day), "donor": rng.pick(DONORS),
        "title": format!("Package {i}"), "amount": amount, "currency": "USD",
        "stage": STAGES[stage.min(STAGES.len() - 1)], "delivered": amount / 10 * (stage as u64 % 10),
        "items": [rng.pick(ITEMS), rng.pick(ITEMS)], "source": "generated",
    })
}

pub fn shortage(rng: &mut Rng, i: usize, day: usize) -> Value {
    let (category, item) = SHORTAGES[rng.below(SHORTAGES.len())];
    json!({
        "id": format!("gen-h{i}"), "ts": ts(rng, day), "category": category, "item": item,
        "region": rng.pick(REGIONS), "severity": rng.pick(LEVELS), "status": "reported",
        "reported_by": "generated", "source": "generated",
    })
}

/// Writes `records` records (70% sanctions, 15% suppliers, 5% aid lines, 10% shortages) and a config. One
/// supplier in twenty is a firm that a sanctions record designates too, written differently
/// ([`written_differently`]), so that links and possible matches appear at every size; aid lines move packages through their eight stages one line at a time.
pub fn write(out: &Path, records: usize, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let mut rng = Rng::new(seed);
    let open = |name: &str| std::fs::File::create(out.join(name)).map(|f| BufWriter::with_capacity(1 << 20, f));
    let (mut s, mut p, mut a, mut h) =
        (open("sanctions.jsonl")?, open("suppliers.jsonl")?, open("aid.jsonl")?, open("shortages.jsonl")?);
    let days = 730;
    let mut aid_lines = 0;
    // Recent designations' names (trade words only), for the suppliers that are the same firm.
    let mut recent: Vec<String> = Vec::new();
    for i in 0..records {
        let day = i * days / records.max(1);
        let roll = rng.below(100);
        let (w, v) = match roll {
            0..=69 => {
                let v = sanction(&mut rng, i, day);
                let target = v["target"].as_str().unwrap_or_default().to_owned();
                if recent.len() < 64 {
                    recent.push(target);
                } else {
                    let at = rng.below(64);
                    recent[at] = target;
                }
                (&mut s, v)
            }
            70..=84 => {
                let name = match recent.get(rng.below(recent.len())) {
                    Some(target) if rng.below(20) == 0 => written_differently(&mut rng, target),
                    _ => firm(&mut rng),
                };
                (&mut p, supplier_of(&mut rng, i, day, name))
            }
            // A package moves through its stages: eight lines with one id.
            85..=89 => {
                aid_lines += 1;
                (&mut a, aid(&mut rng, (aid_lines - 1) / 8, day, (aid_lines - 1) % 8))
            }
            _ => (&mut h, shortage(&mut rng, i, day)),
        };
        writeln!(w, "{v}")?;
    }
    for w in [&mut s, &mut p, &mut a, &mut h] {
        w.flush()?;
    }
    std::fs::write(
        out.join("config.toml"),
        "# Generated by `watchfloor gen`.\nfeeds_dir = \".\"\n\n[[feed]]\npath = \"sanctions.jsonl\"\nkind = \"sanctions\"\n\n[[feed]]\npath = \"suppliers.jsonl\"\nkind = \"suppliers\"\n\n[[feed]]\npath = \"aid.jsonl\"\nkind = \"aid\"\n\n[[feed]]\npath = \"shortages.jsonl\"\nkind = \"shortages\"\n",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let (a, b, c) =
            (tempfile::tempdir().expect("a"), tempfile::tempdir().expect("b"), tempfile::tempdir().expect("c"));
        write(a.path(), 500, 7).expect("gen");
        write(b.path(), 500, 7).expect("gen");
        write(c.path(), 500, 8).expect("gen");
        for f in ["sanctions.jsonl", "suppliers.jsonl", "aid.jsonl", "shortages.jsonl"] {
            let x = std::fs::read(a.path().join(f)).expect("read");
            assert_eq!(x, std::fs::read(b.path().join(f)).expect("read"), "{f}");
            assert_ne!(x, std::fs::read(c.path().join(f)).expect("read"), "{f}");
        }
    }

    #[test]
    fn generated_feeds_load_cleanly() {
        let dir = tempfile::tempdir().expect("tmp");
        write(dir.path(), 2000, 1).expect("gen");
        let text = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
        let config = watchfloor_core::config::parse(&text, Some(&dir.path().join("config.toml"))).expect("valid");
        let mut engine = watchfloor_core::engine::Engine::for_config(&config);
        engine.load_once();
        assert_eq!(engine.error_count(), 0, "{:?}", engine.errors().first());
        assert!(engine.store().len() > 1500);
    }

    #[test]
    fn suppliers_named_after_designations_are_written_the_ways_lists_differ() {
        let mut rng = Rng::new(3);
        let target = "Shenzhen Tianhua Longmu Precision Machinery Co., Ltd.";
        let ways: std::collections::BTreeSet<String> =
            (0..200).map(|_| written_differently(&mut rng, target)).collect();
        assert!(ways.iter().any(|w| w.starts_with("Limited Liability Company Shenzhen")), "{ways:?}");
        assert!(ways.iter().any(|w| w.starts_with("SHENZHEN TIANHUA")), "{ways:?}");
        assert!(ways.iter().any(|w| w.contains(") ")), "{ways:?}");
        assert!(ways.len() > 20, "{ways:?}");
    }
}

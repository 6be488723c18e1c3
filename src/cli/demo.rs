//! `watchfloor demo`: the dashboard on a temporary copy of the sample feeds that keeps growing, so a new
//! user sees it live at once: new designations, a package moving through its stages, shortages, a flagged
//! supplier getting sanctioned.

use super::gen::{firm, Rng};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use watchfloor_core::config::{parse, DEFAULT_TOML};

const FEEDS: &[(&str, &str)] = &[
    ("sanctions.jsonl", include_str!("../../feeds/sanctions.jsonl")),
    ("suppliers.jsonl", include_str!("../../feeds/suppliers.jsonl")),
    ("aid.jsonl", include_str!("../../feeds/aid.jsonl")),
    ("shortages.jsonl", include_str!("../../feeds/shortages.jsonl")),
];

/// Seconds between scripted arrivals.
const PACE: Duration = Duration::from_millis(2500);

pub fn run(options: crate::ui::Options) -> i32 {
    let dir = std::env::temp_dir().join(format!("watchfloor-demo-{}", std::process::id()));
    let result = prepare(&dir).map_err(|e| e.to_string()).and_then(|config_path| {
        let text = watchfloor_core::files::read_to_string(&config_path).map_err(|e| e.to_string())?;
        parse(&text, Some(&config_path)).map_err(|e| e.to_string())
    });
    let config = match result {
        Ok(c) => c,
        Err(e) => {
            super::complain(&format!("watchfloor demo: cannot set up {}: {e}", dir.display()));
            return super::EXIT_PROBLEMS;
        }
    };
    let feeds = dir.join("feeds");
    std::thread::spawn(move || script(&feeds));
    // The demo remembers nothing between runs.
    let options = crate::ui::Options { state: Some(dir.join("state")), ..options };
    let status = crate::ui::run(&config, options);
    let _ = std::fs::remove_dir_all(&dir);
    status
}

fn prepare(dir: &Path) -> std::io::Result<PathBuf> {
    let feeds = dir.join("feeds");
    std::fs::create_dir_all(&feeds)?;
    for (name, text) in FEEDS {
        std::fs::write(feeds.join(name), text)?;
    }
    let config = dir.join("config.toml");
    std::fs::write(&config, DEFAULT_TOML)?;
    Ok(config)
}

fn append(feeds: &Path, file: &str, value: serde_json::Value) {
    if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(feeds.join(file)) {
        let _ = writeln!(f, "{value}");
    }
}

/// The scripted story, then a steady trickle of generated arrivals.
fn script(feeds: &Path) {
    let now = || chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let story: Vec<(&str, serde_json::Value)> = vec![
        (
            "sanctions.jsonl",
            json!({"id": "demo-ofac-dongguan", "ts": now(), "authority": "OFAC", "program": "RUSSIA-EO14024",
            "action": "designated", "target": "DONGGUAN IRONPETAL MACHINE TOOLS CO.", "target_type": "entity", "country": "CN",
            "reason": "Supplied CNC machine tools to Russia's defence industrial base", "source": "demo"}),
        ),
        (
            "shortages.jsonl",
            json!({"id": "demo-sh-ad-kharkiv", "ts": now(), "category": "air defence", "item": "Patriot interceptors",
            "region": "Kharkiv oblast (Kharkiv)", "severity": "critical", "status": "reported", "reported_by": "regional military administration"}),
        ),
        (
            "aid.jsonl",
            json!({"id": "eu-epf-ukraine-assistance-fund", "ts": now(), "donor": "European Union",
            "title": "European Peace Facility: Ukraine Assistance Fund", "amount": 5_000_000_000u64, "currency": "EUR",
            "stage": "delivering", "delivered": 500_000_000u64, "items": ["artillery ammunition", "air defence interceptors"],
            "source": "reimbursements unblocked (demo)"}),
        ),
        (
            "sanctions.jsonl",
            json!({"id": "demo-ofac-bank", "ts": now(), "authority": "OFAC", "program": "RUSSIA-EO14024",
            "action": "designated", "target": "Tien Shan Commerce Bank", "target_type": "bank", "country": "KG",
            "reason": "Processed payments for Russian importers of machine tools (demo)", "source": "demo"}),
        ),
        (
            "shortages.jsonl",
            json!({"id": "demo-sh-ew-sumy", "ts": now(), "category": "electronic warfare", "item": "EW jammers",
            "region": "Sumy oblast", "severity": "critical", "status": "reported", "reported_by": "brigade press service"}),
        ),
        (
            "aid.jsonl",
            json!({"id": "pl-2024-armour", "ts": now(), "donor": "Poland", "title": "Armour, ammunition and radar package",
            "amount": 300_000_000u64, "currency": "USD", "stage": "signed", "delivered": 0,
            "items": ["armoured vehicles", "artillery ammunition", "counter-battery radars"], "source": "budget dispute settled (demo)"}),
        ),
    ];
    for (file, value) in story {
        std::thread::sleep(PACE);
        append(feeds, file, value);
    }
    let mut rng = Rng::new(2024);
    for i in 0.. {
        std::thread::sleep(PACE);
        let v = if i % 3 == 0 {
            json!({"id": format!("demo-s{i}"), "ts": now(), "authority": "EU", "program": "Regulation (EU) 833/2014 Annex IV",
                "action": "designated", "target": firm(&mut rng), "country": "HK", "source": "demo"})
        } else {
            let mut v = super::gen::shortage(&mut rng, i, 0);
            v["id"] = json!(format!("demo-h{i}"));
            v["ts"] = json!(now());
            v
        };
        append(feeds, if i % 3 == 0 { "sanctions.jsonl" } else { "shortages.jsonl" }, v);
    }
}

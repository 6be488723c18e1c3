#!/usr/bin/env python3
"""Write-to-event latency of `watchfloor follow --json` at scale, with the shipped watch rules.

Usage: scripts/update-latency.py [--records N] [--updates K] [--bin PATH] [--no-rules]
Needs: `cargo build --release` (or --bin, another build to compare).

Generates N records with `watchfloor gen` into /tmp/watchfloor-updates-N (afresh each run), writes a config of the generated
feeds plus the [categories] and [[rule]] tables of the repository's config.toml (without them: --no-rules),
starts `follow --json`, waits for `ready`, then appends, one at a time and each after the previous one was
reported:
1. K aid-package updates: the latest version of a package in the pipeline with its stage moved one step
   along it (proposed to in committee, ..., signed to delivering): what covers its shortages keeps its
   kind, only the packages it lists change;
2. K packages stalled: the same with the stage set to stalled, which can leave shortages at risk (every
   open shortage of its categories is looked at again, and the rules that read covers run on them);
3. K sanctions designations of new ids.
For each it prints the median and max time from the write to the event naming that id.
"""
import argparse, json, os, shutil, statistics, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "watchfloor")
MOVING = ["proposed", "in_committee", "passed_one_chamber", "passed_both", "signed", "obligated", "delivering"]


def shipped_tables():
    """The [categories] and [[rule]] tables of config.toml, as text."""
    text = open(os.path.join(ROOT, "config.toml")).read()
    start = text.index("[categories]")
    end = text.index("\n[ui]") if "\n[ui]" in text else len(text)
    return text[start:end]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1000000)
    ap.add_argument("--updates", type=int, default=30)
    ap.add_argument("--bin", default=BIN)
    ap.add_argument("--no-rules", action="store_true")
    a = ap.parse_args()
    d = f"/tmp/watchfloor-updates-{a.records}"
    # Fresh feeds and no state every run (gen is deterministic): a line written by an earlier run would
    # make this run's same line a duplicate, which is no event.
    shutil.rmtree(d, ignore_errors=True)
    subprocess.run([a.bin, "gen", "--records", str(a.records), "--out", d], check=True, stdout=subprocess.DEVNULL)
    cfg = os.path.join(d, "bench.toml")
    base = open(os.path.join(d, "config.toml")).read()
    open(cfg, "w").write(base + ("" if a.no_rules else "\n" + shipped_tables()))
    aid_feed, sanctions_feed = os.path.join(d, "aid.jsonl"), os.path.join(d, "sanctions.jsonl")
    latest = {}
    with open(aid_feed) as f:
        for line in f:
            r = json.loads(line)
            if r["id"] not in latest or r["ts"] >= latest[r["id"]]["ts"]:
                latest[r["id"]] = r
    moving = [r for r in latest.values() if r.get("stage") in MOVING[:-1]]
    packages, to_stall = moving[:a.updates], moving[a.updates:2 * a.updates]
    state = os.path.join(d, "state")
    p = subprocess.Popen([a.bin, "--config", cfg, "--log", os.path.join(d, "log"), "--state", state,
                          "follow", "--json"], stdout=subprocess.PIPE, text=True, bufsize=1)
    t0 = time.perf_counter()
    while json.loads(p.stdout.readline()).get("event") != "ready":
        pass
    print(f"{a.records} records, rules {'off' if a.no_rules else 'as shipped'}: ready in "
          f"{time.perf_counter() - t0:.2f} s")

    def measure(feed, records):
        lat = []
        with open(feed, "a") as f:
            for r in records:
                t1 = time.perf_counter()
                f.write(json.dumps(r) + "\n")
                f.flush()
                while True:
                    ev = json.loads(p.stdout.readline())
                    if ev.get("id") == r["id"] and ev.get("event") in ("record_added", "record_updated"):
                        break
                lat.append((time.perf_counter() - t1) * 1000)
        return f"median {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms (n={len(lat)})"

    def later(i):
        return f"2031-01-01T00:{i // 60:02d}:{i % 60:02d}Z"

    updates = [dict(r, stage=MOVING[MOVING.index(r["stage"]) + 1], ts=later(i)) for i, r in enumerate(packages)]
    print(f"aid-package update to event: {measure(aid_feed, updates)}")
    stalls = [dict(r, stage="stalled", ts=later(i)) for i, r in enumerate(to_stall)]
    print(f"aid package stalled to event: {measure(aid_feed, stalls)}")
    designations = [{"id": f"bench-u{i}", "ts": "2031-01-02T00:00:00Z", "authority": "OFAC",
                     "action": "designated", "target": f"Bench Target {i}", "target_type": "bank"}
                    for i in range(a.updates)]
    print(f"sanctions designation to event: {measure(sanctions_feed, designations)}")
    p.terminate()
    p.wait()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Loads an OpenSanctions-shaped FollowTheMoney file of N entities with watchfloor, and the same file with
DuckDB's read_json_auto in the same run, and prints both (wall seconds, peak memory) and their ratio.

The file is built from the real entities in tests/data/formats/opensanctions/eu_fsf_t1.ftm.jsonl: copies
with fresh ids, their references (addresses) kept consistent, and for every other party a `Sanction`
entity pointing at it (authority, programme, reason, listing date, as OpenSanctions writes them), some
before their party and some after, as a collection's files have them.

    python3 scripts/ftm-bench.py --entities 100000 [--bin target/release/watchfloor] [--runs 3]

DuckDB comes from PyPI (`pip install duckdb`); without it only watchfloor is measured.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "tests", "data", "formats", "opensanctions", "eu_fsf_t1.ftm.jsonl")
PROGRAMS = ["RUSSIA-EO14024", "UKRAINE-EO13662", "BELARUS-EO14038", "EU 269/2014", "EU 833/2014 Annex IV"]
AUTHORITIES = ["Office of Foreign Assets Control", "Council of the European Union", "HM Treasury"]


def generate(n, path, seed=1):
    rng = random.Random(seed)
    sample = [json.loads(line) for line in open(SAMPLE, encoding="utf-8")]
    parties = [e for e in sample if e["schema"] != "Address"]
    addresses = [e for e in sample if e["schema"] == "Address"]
    written = 0
    pending = []  # sanctions written after their party
    with open(path, "w", encoding="utf-8") as out:
        i = 0
        while written < n:
            i += 1
            party = json.loads(json.dumps(rng.choice(parties)))
            pid = f"NK-gen{i}"
            party["id"] = pid
            props = party["properties"]
            props["name"] = [f"{name} {i}" for name in props.get("name", [])]
            lines = []
            if "addressEntity" in props and addresses:
                addr = json.loads(json.dumps(rng.choice(addresses)))
                addr["id"] = f"addr-gen{i}"
                props["addressEntity"] = [addr["id"]]
                lines.append(addr)
            lines.append(party)
            if i % 2 == 0:
                sanction = {
                    "id": f"san-gen{i}",
                    "schema": "Sanction",
                    "caption": "Sanction",
                    "properties": {
                        "entity": [pid],
                        "authority": [rng.choice(AUTHORITIES)],
                        "program": [rng.choice(PROGRAMS)],
                        "reason": ["Supports Russia's military-industrial complex"],
                        "listingDate": [f"20{rng.randint(14, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"],
                    },
                    "datasets": party.get("datasets", ["eu_fsf"]),
                    "first_seen": party.get("first_seen", "2023-04-20T18:00:25"),
                    "last_seen": party.get("last_seen", "2024-06-01T10:57:03"),
                    "target": False,
                }
                if rng.random() < 0.5:
                    lines.insert(0, sanction)
                else:
                    pending.append(sanction)
            for e in lines + pending[:1]:
                out.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
                written += 1
            pending = pending[1:]
        for e in pending:
            out.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
            written += 1
    return written


def timed(cmd):
    """Wall seconds and peak resident MiB of a command, by /usr/bin/time -v."""
    began = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    wall = time.monotonic() - began
    peak = 0.0
    for line in done.stderr.splitlines():
        if "Maximum resident set size" in line:
            peak = int(line.split(":")[1]) / 1024
    if done.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {done.stderr[-2000:]}")
    return wall, peak, done.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--entities", type=int, default=100000)
    p.add_argument("--bin", default=os.path.join(HERE, "..", "target", "release", "watchfloor"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--keep", help="write the file here and keep it")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="wf-ftm-")
    path = args.keep or os.path.join(work, "entities.ftm.json")
    if not os.path.exists(path):
        count = generate(args.entities, path)
        print(f"wrote {count} entities, {os.path.getsize(path) / 2**20:.1f} MiB: {path}")
    config = os.path.join(work, "config.toml")
    with open(config, "w") as f:
        f.write(f'[[feed]]\npath = "{path}"\nformat = "ftm"\nkind = "sanctions"\n')
    try:
        import duckdb  # noqa: F401

        duck = [sys.executable, "-c",
                "import duckdb,sys; c=duckdb.connect(); c.execute(\"create table t as select * from read_json_auto('%s', "
                "format='newline_delimited', maximum_object_size=16777216)\"); print(c.execute('select count(*) from t').fetchall()[0][0])" % path]
    except ImportError:
        duck = None
        print("DuckDB is not installed (pip install duckdb): watchfloor alone")
    rows = []
    for _ in range(args.runs):
        w = timed([args.bin, "check", "--config", config, "--state", os.path.join(work, "state")])
        d = timed(duck) if duck else None
        rows.append((w, d))
        line = f"watchfloor check {w[0]:.2f} s, {w[1]:.0f} MiB"
        if d:
            line += f" | duckdb read_json_auto {d[0]:.2f} s, {d[1]:.0f} MiB | ratio {w[0] / d[0]:.2f}x"
        print(line, flush=True)
    size = os.path.getsize(path) / 2**20
    walls = sorted(r[0][0] for r in rows)
    peaks = sorted(r[0][1] for r in rows)
    print(f"file {size:.0f} MiB; watchfloor median {walls[len(walls) // 2]:.2f} s, peak {peaks[len(peaks) // 2]:.0f} MiB "
          f"({peaks[len(peaks) // 2] / size:.2f}x the file)")
    if duck:
        ratios = sorted(r[0][0] / r[1][0] for r in rows)
        print(f"watchfloor / duckdb, median of pairs: {ratios[len(ratios) // 2]:.2f}x")


if __name__ == "__main__":
    main()

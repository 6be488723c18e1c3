#!/usr/bin/env python3
"""Write-to-event latency of `watchfloor follow --json`, and its peak memory on a large burst.

Usage: scripts/follow-latency.py [--lines N] [--burst MB]   (builds nothing: run `cargo build --release` first)

1. Starts the release binary on a temporary feed folder, appends N lines one at a time (each after the
   previous one was reported) and prints the median, p95 and max time from the append to the event.
2. Appends a burst of MB megabytes in one write and reports the time until its last record is reported and
   the follower's peak resident memory (VmHWM), to show that reading in chunks keeps memory bounded.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "watchfloor")

def line(i, pad=0):
    return json.dumps({"id": f"s{i}", "ts": "2024-05-01T15:00:00Z", "authority": "OFAC", "action": "designated",
                       "target": f"Target {i}", "reason": "x" * pad}) + "\n"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=200)
    ap.add_argument("--burst", type=int, default=100, help="megabytes appended at once")
    a = ap.parse_args()
    d = tempfile.mkdtemp()
    os.mkdir(os.path.join(d, "feeds"))
    cfg = os.path.join(d, "config.toml")
    open(cfg, "w").write('feeds_dir = "feeds"\n[[feed]]\npath = "s.jsonl"\nkind = "sanctions"\n')
    feed = os.path.join(d, "feeds", "s.jsonl")
    open(feed, "w").close()
    p = subprocess.Popen([BIN, "--config", cfg, "--log", os.path.join(d, "log"), "follow", "--json"],
                         stdout=subprocess.PIPE, text=True, bufsize=1)
    assert json.loads(p.stdout.readline())["event"] == "ready"
    lat = []
    with open(feed, "a") as f:
        for i in range(a.lines):
            t0 = time.perf_counter()
            f.write(line(i)); f.flush()
            while True:
                ev = json.loads(p.stdout.readline())
                if ev.get("id") == f"s{i}":
                    break
            lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    print(f"append-to-event latency over {a.lines} lines: median {statistics.median(lat):.2f} ms, "
          f"p95 {lat[int(len(lat) * 0.95)]:.2f} ms, max {lat[-1]:.2f} ms")

    n = a.burst * 1024 * 1024 // len(line(0, 300))
    chunk = "".join(line(a.lines + i, 300) for i in range(n))
    t0 = time.perf_counter()
    with open(feed, "a") as f:
        f.write(chunk)
    last = f"s{a.lines + n - 1}"
    while json.loads(p.stdout.readline()).get("id") != last:
        pass
    dt = time.perf_counter() - t0
    hwm = [l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmHWM")][0].split()[1]
    print(f"burst of {len(chunk) / 1e6:.0f} MB ({n} records) reported in {dt:.2f} s; "
          f"peak RSS {int(hwm) / 1024:.0f} MiB")
    p.terminate(); p.wait()

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What the dashboard costs over a terminal: bytes and CPU while idle, bytes and latency per new record.

Usage: scripts/dashboard-bench.py [--idle SECONDS] [--appends N]
Needs: `cargo build --release`, and `pip install pyte` (a terminal emulator, to see what is on screen).

Runs the release binary in a 120x40 pseudo-terminal on a copy of the shipped feeds, waits for the first
frame to settle, then:
1. counts the bytes written to the terminal and the CPU time used while nothing happens for --idle seconds;
2. appends --appends sanctions records one at a time and measures, for each, the time from the write to the
   moment its name appears in the terminal output, and the bytes written for that update.
"""
import argparse, fcntl, json, os, select, shutil, statistics, struct, subprocess, sys, tempfile, termios, time

import pyte

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "watchfloor")

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

SCREEN = pyte.Screen(120, 40)
STREAM = pyte.ByteStream(SCREEN)

def read_for(fd, seconds, until=None):
    """Reads what arrives for `seconds`, or until the text `until` is on screen; returns (bytes, seconds)."""
    out, start = b"", time.perf_counter()
    while True:
        left = seconds - (time.perf_counter() - start)
        if left <= 0:
            return out, time.perf_counter() - start
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 65536)
            out += chunk
            STREAM.feed(chunk)
            if until is not None and any(until in line for line in SCREEN.display):
                return out, time.perf_counter() - start

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idle", type=float, default=60)
    ap.add_argument("--appends", type=int, default=50)
    a = ap.parse_args()
    d = tempfile.mkdtemp()
    shutil.copytree(os.path.join(ROOT, "feeds"), os.path.join(d, "feeds"))
    shutil.copy(os.path.join(ROOT, "config.toml"), d)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    p = subprocess.Popen([BIN, "--log", os.path.join(d, "log")], cwd=d, stdin=slave, stdout=slave, stderr=slave,
                         env=env, start_new_session=True)
    os.close(slave)
    first, _ = read_for(master, 3)
    # Settle: the minute clock may tick once; start the idle window right after a quiet second.
    while read_for(master, 1)[0]:
        pass
    cpu0 = cpu_seconds(p.pid)
    idle, _ = read_for(master, a.idle)
    cpu1 = cpu_seconds(p.pid)
    print(f"first frame: {len(first)} bytes")
    print(f"idle {a.idle:.0f} s: {len(idle)} bytes written, {cpu1 - cpu0:.3f} s CPU "
          f"(the minute clock redraws its digits once a minute)")
    lat, sizes = [], []
    feed = os.path.join(d, "feeds", "sanctions.jsonl")
    for i in range(a.appends):
        name = f"Zq{i:04d} Ltd"
        line = json.dumps({"id": f"bench-{i}", "ts": "2030-01-01T00:00:00Z", "authority": "OFAC",
                           "action": "designated", "target": name, "country": "HK"}) + "\n"
        t0 = time.perf_counter()
        with open(feed, "a") as f:
            f.write(line)
        got, took = read_for(master, 5, until=name)
        rest, _ = read_for(master, 0.1)  # the rest of that frame
        if took > 4:
            print("timed out on", name, "\n" + "\n".join(SCREEN.display[:12]), file=sys.stderr)
        lat.append(took * 1000)
        sizes.append(len(got) + len(rest))
    lat.sort()
    print(f"append to screen over {a.appends} records: median {statistics.median(lat):.1f} ms, "
          f"p95 {lat[int(len(lat) * 0.95)]:.1f} ms, max {lat[-1]:.1f} ms")
    print(f"bytes written per new record at 120x40: median {int(statistics.median(sizes))}, max {max(sizes)}")
    os.write(master, b"q")
    p.wait(timeout=5)

if __name__ == "__main__":
    main()

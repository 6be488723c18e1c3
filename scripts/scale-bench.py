#!/usr/bin/env python3
"""The dashboard at scale, end to end: the real binary in a 120x40 pseudo-terminal on generated feeds.

Usage: scripts/scale-bench.py --records N [--seed S] [--sustain SECONDS] [--rate LINES_PER_S] [--bin PATH]
Needs: `cargo build --release`, and `pip install pyte` (a terminal emulator, to see what is on screen).

Generates N records with `watchfloor gen` into /tmp/watchfloor-scale-N (afresh each run), then measures:
1. load: from start to the first full frame (a sanctions row on screen), and the peak resident memory;
2. append to screen: one sanctions line at a time, write to its name on screen (20 of them), and the bytes
   written for each;
3. keys: j, k, PageDown, Tab, each from the write of the key to the end of its frame (the synchronized
   output end, ESC [ ? 2026 l);
4. the same keys (k, j) with the selection on the oldest row (after End), and an arrival meanwhile, from
   the write to the end of its frame;
5. a filter: `/` then typing a word, each keystroke to the end of its frame; while the filter is on, a key
   (j) typed right after a keystroke, to its frame; then a filter that keeps every row, with the selection
   on its oldest row: keys and an arrival;
6. sustained appends: --rate lines a second for --sustain seconds in 100 writes a second; then the time from
   the writer's last line to that line's name on screen, and the memory after;
7. idle: bytes written and CPU time over 10 s with nothing happening.
Reference in the same run: `tail -F` on the same file, write to line shown (through the same pty reader).
"""
import argparse, fcntl, json, os, select, shutil, statistics, struct, subprocess, sys, termios, time

import pyte

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "watchfloor")
FRAME_END = b"\x1b[?2026l"

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024  # MiB
    return -1

class Term:
    def __init__(self, argv, cwd):
        self.screen = pyte.Screen(120, 40)
        self.stream = pyte.ByteStream(self.screen)
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = dict(os.environ, TERM="xterm-256color")
        self.p = subprocess.Popen(argv, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                  start_new_session=True)
        os.close(slave)

    def read(self, seconds, until_text=None, until_bytes=None, until_row=False):
        """Reads for `seconds`, or until `until_text` is on screen, `until_bytes` has been written, or (with
        `until_row`) a table row with a date is on screen."""
        out, start = b"", time.perf_counter()
        if until_text is not None and any(until_text in line for line in self.screen.display):
            return out, 0.0
        while True:
            left = seconds - (time.perf_counter() - start)
            if left <= 0:
                return out, None
            r, _, _ = select.select([self.master], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(self.master, 1 << 20)
            except OSError:
                return out, None
            out += chunk
            self.stream.feed(chunk)
            if until_bytes is not None and until_bytes in out:
                return out, time.perf_counter() - start
            if until_text is not None and any(until_text in line for line in self.screen.display):
                return out, time.perf_counter() - start
            if until_row and any(line.startswith(("│  20", "│+ 20", "│~ 20")) for line in self.screen.display):
                return out, time.perf_counter() - start

    def quiet(self, gap=0.3):
        while self.read(gap)[0]:
            pass

    def key(self, k):
        t0 = time.perf_counter()
        os.write(self.master, k)
        out, took = self.read(2, until_bytes=FRAME_END)
        return (time.perf_counter() - t0) * 1000 if took is not None else None, out

def fmt(ms):
    ms = sorted(x for x in ms if x is not None)
    if not ms:
        return "no frames"
    return f"median {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms (n={len(ms)})"

def sanction(i, name):
    return json.dumps({"id": f"bench-{i}", "ts": "2030-01-01T00:00:00Z", "authority": "OFAC",
                       "action": "designated", "target": name, "country": "HK", "source": "bench"}) + "\n"

def on_the_oldest_row(t, feed, first_id, name):
    """Moves the focused panel's selection to its oldest row (End), then times k and j to the end of their
    frames, and 20 sanctions arrivals (ids from `first_id`, targets `name` with the number) to theirs."""
    t.key(b"G")
    t.quiet(0.3)
    keys, arrivals = [], []
    for k in [b"k", b"j"] * 10:
        ms, _ = t.key(k)
        keys.append(ms)
        t.quiet(0.05)
    for i in range(20):
        t1 = time.perf_counter()
        with open(feed, "a") as f:
            f.write(sanction(first_id + i, name.format(i)))
        _, took = t.read(5, until_bytes=FRAME_END)
        arrivals.append((time.perf_counter() - t1) * 1000 if took is not None else None)
        t.quiet(0.1)
    return keys, arrivals

def tail_reference(feed, n=20):
    """tail -F on the feed in a pty: write to line shown, median over n lines."""
    t = Term(["tail", "-n0", "-F", feed], os.path.dirname(feed))
    time.sleep(0.5)
    lat = []
    for i in range(n):
        name = f"Tr{i:04d}"
        t0 = time.perf_counter()
        with open(feed, "a") as f:
            f.write(sanction(900000 + i, name))
        _, took = t.read(3, until_text=name)
        if took is not None:
            lat.append((time.perf_counter() - t0) * 1000)
    t.p.kill()
    return lat

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sustain", type=float, default=60)
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--bin", default=BIN, help="the watchfloor binary to measure (another build, to compare)")
    a = ap.parse_args()
    d = f"/tmp/watchfloor-scale-{a.records}"
    # Fresh feeds every run (gen is deterministic), and no state: every run starts alike.
    shutil.rmtree(d, ignore_errors=True)
    subprocess.run([a.bin, "gen", "--records", str(a.records), "--out", d, "--seed", str(a.seed)], check=True)
    feed = os.path.join(d, "sanctions.jsonl")
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.endswith(".jsonl"))
    print(f"{a.records} records, {size / 1e6:.0f} MB of JSON Lines in {d}")
    state = os.path.join(d, "state")
    t0 = time.perf_counter()
    t = Term([a.bin, "--config", os.path.join(d, "config.toml"), "--log", os.path.join(d, "log"), "--state", state], d)
    # The first full frame: a sanctions row (the first row of the first panel) on screen.
    out, took = t.read(120, until_row=True)
    load = time.perf_counter() - t0
    t.quiet()
    print(f"load to first full frame: {load:.2f} s; resident memory {status(t.p.pid, 'VmRSS')} MiB "
          f"(peak {status(t.p.pid, 'VmHWM')} MiB)")

    lat, sizes = [], []
    for i in range(20):
        name = f"Zq{i:04d}"
        t1 = time.perf_counter()
        with open(feed, "a") as f:
            f.write(sanction(i, name))
        got, took = t.read(5, until_text=name)
        lat.append((time.perf_counter() - t1) * 1000 if took is not None else None)
        rest, _ = t.read(0.1)  # the rest of that frame
        sizes.append(len(got) + len(rest))
    print(f"append to screen: {fmt(lat)}; bytes per new record: median {int(statistics.median(sizes))}, "
          f"max {max(sizes)}")
    ref = tail_reference(feed)
    print(f"reference, tail -F on the same file: {fmt(ref)}")

    keys = []
    for k in [b"j"] * 10 + [b"k"] * 10 + [b"\x1b[6~"] * 5 + [b"\t"] * 4:
        ms, _ = t.key(k)
        keys.append(ms)
        t.quiet(0.05)
    print(f"key to frame (j, k, PageDown, Tab): {fmt(keys)}")

    # The selection on the oldest row of the first panel: each key, and an arrival, costs what it costs at
    # the top when nothing walks the panel to find the rows.
    for _ in range(4):
        t.key(b"\t")
        t.quiet(0.05)
    bottom, arrivals = on_the_oldest_row(t, feed, 500000, "Zb{:04d}")
    print(f"key to frame on the oldest row (k, j): {fmt(bottom)}")
    print(f"arrival to frame on the oldest row: {fmt(arrivals)}")
    t.key(b"g")
    t.quiet(0.3)

    t.key(b"/")
    t.quiet(0.1)
    typing, after = [], []
    for ch in b"xiamen":
        ms, _ = t.key(bytes([ch]))
        typing.append(ms)
        t.quiet(0.05)
    print(f"filter keystroke to frame: {fmt(typing)}")
    os.write(t.master, b"\r")
    t.quiet(0.2)
    for _ in range(5):
        os.write(t.master, b"j")
        ms, _ = t.key(b"k")
        after.append(ms)
        t.quiet(0.05)
    print(f"keys while a filter is on: {fmt(after)}")
    os.write(t.master, b"\x1b")
    t.quiet(0.5)

    # A filter that keeps every row (`generated` is every generated record's source), filled in, then the
    # selection on its oldest row: keys and an arrival cost what they cost without a filter.
    for ch in b"/generated\r":
        os.write(t.master, bytes([ch]))
        t.quiet(0.05)
    t.quiet(3)
    broad, arrivals = on_the_oldest_row(t, feed, 600000, "Zf{:04d} generated")
    print(f"key to frame on the oldest row under a filter keeping every row: {fmt(broad)}")
    print(f"arrival to frame there: {fmt(arrivals)}")
    os.write(t.master, b"\x1b")
    t.quiet(0.5)
    os.write(t.master, b"g")
    t.quiet(0.3)

    if a.sustain > 0:
        per_write = max(1, a.rate // 100)
        n, start = 0, time.perf_counter()
        with open(feed, "a") as f:
            while time.perf_counter() - start < a.sustain:
                lines = "".join(sanction(1000000 + n + j, f"Su{n + j:08d}") for j in range(per_write))
                f.write(lines)
                f.flush()
                n += per_write
                # Drain the terminal so the program never blocks on a full pty.
                t.read(0.0)
                target = start + n / a.rate
                while time.perf_counter() < target:
                    t.read(max(0.0, min(0.01, target - time.perf_counter())))
        stop = time.perf_counter()
        last = f"Su{n - 1:08d}"
        _, took = t.read(30, until_text=last)
        caught = (time.perf_counter() - stop) if took is not None else None
        cpu = cpu_seconds(t.p.pid)
        print(f"sustained: {n} lines in {stop - start:.1f} s ({n / (stop - start):.0f} lines/s); last line on "
              f"screen {caught if caught is None else round(caught * 1000)} ms after the writer stopped; "
              f"resident memory {status(t.p.pid, 'VmRSS')} MiB; CPU so far {cpu:.1f} s")
    t.quiet(1.5)
    cpu0 = cpu_seconds(t.p.pid)
    idle, _ = t.read(10)
    print(f"idle 10 s: {len(idle)} bytes written, {cpu_seconds(t.p.pid) - cpu0:.3f} s CPU")
    os.write(t.master, b"q")
    try:
        t.p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        t.p.kill()

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Soak test: the release dashboard in a pseudo-terminal for a set time under a writer that appends bursts,
truncates, and renames files over the feed; then checks that `snapshot --json` holds exactly the records of
the final file, and that the dashboard's resident memory stayed flat under the retention setting.

Usage: cargo build --release && python3 scripts/soak.py [--minutes 10] [--keep 5000]
"""
import argparse, fcntl, json, os, random, select, struct, subprocess, sys, tempfile, termios, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "watchfloor")

def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    return 0

def drain(fd):
    total = 0
    while select.select([fd], [], [], 0)[0]:
        try:
            total += len(os.read(fd, 65536))
        except OSError:
            break
    return total

def record(i):
    return json.dumps({"id": f"r{i}", "ts": f"2024-06-{1 + i % 28:02d}T00:00:00Z", "authority": "OFAC",
                       "action": "designated", "target": f"Soak Firm {i}", "country": "HK"}) + "\n"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--keep", type=int, default=5000)
    a = ap.parse_args()
    d = tempfile.mkdtemp()
    os.mkdir(os.path.join(d, "feeds"))
    cfg = os.path.join(d, "config.toml")
    open(cfg, "w").write(f'feeds_dir = "feeds"\n[[feed]]\npath = "s.jsonl"\nkind = "sanctions"\n'
                         f'[retention]\nsanctions = {{ keep = {a.keep} }}\n')
    feed = os.path.join(d, "feeds", "s.jsonl")
    open(feed, "w").close()
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    p = subprocess.Popen([BIN, "--config", cfg, "--state", os.path.join(d, "state"), "--log", os.path.join(d, "log")],
                         stdin=slave, stdout=slave, stderr=slave, env=dict(os.environ, TERM="xterm-256color"),
                         start_new_session=True)
    os.close(slave)
    rng = random.Random(7)
    end = time.time() + a.minutes * 60
    i, lines_in_file = 0, []
    samples, out_bytes = [], 0
    next_rename, next_truncate, next_sample = time.time() + 30, time.time() + 45, time.time()
    events = {"appended": 0, "renames": 0, "truncations": 0}
    while time.time() < end:
        burst = rng.randint(50, 400)
        with open(feed, "a") as f:
            chunk = "".join(record(i + k) for k in range(burst))
            f.write(chunk)
        lines_in_file.extend(range(i, i + burst))
        i += burst
        events["appended"] += burst
        now = time.time()
        if now >= next_rename:
            keep = lines_in_file[-1000:]
            tmp = feed + ".part"
            with open(tmp, "w") as f:
                f.write("".join(record(k) for k in keep))
            os.rename(tmp, feed)
            lines_in_file = keep
            events["renames"] += 1
            next_rename = now + 30
        if now >= next_truncate:
            open(feed, "w").close()
            lines_in_file = []
            events["truncations"] += 1
            next_truncate = now + 45
        if now >= next_sample:
            samples.append((now, rss_kib(p.pid)))
            next_sample = now + 5
        out_bytes += drain(master)
        time.sleep(rng.uniform(0.05, 0.5))
    time.sleep(2)
    out_bytes += drain(master)
    alive = p.poll() is None
    os.write(master, b"q")
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
    # The expected state is the final file's: read it without retention.
    plain = os.path.join(d, "plain.toml")
    open(plain, "w").write('feeds_dir = "feeds"\n[[feed]]\npath = "s.jsonl"\nkind = "sanctions"\n')
    snap = json.loads(subprocess.run([BIN, "--config", plain, "--log", os.path.join(d, "log2"), "snapshot", "--json"],
                                     capture_output=True, check=True).stdout)
    got = sorted(r["id"] for r in snap["panels"]["sanctions"]["records"])
    want = sorted(f"r{k}" for k in set(lines_in_file))
    quarter = [kib for t, kib in samples[: max(1, len(samples) // 4)]]
    late = [kib for t, kib in samples[len(samples) // 2:]]
    print(f"ran {a.minutes:.1f} min: {events['appended']} records appended in bursts, {events['renames']} renames-over, "
          f"{events['truncations']} truncations; {out_bytes / 1e3:.0f} kB written to the terminal")
    print(f"dashboard alive at the end: {alive}; exit status {p.returncode}")
    print(f"snapshot --json of the final file: {len(got)} records, expected {len(want)}: "
          f"{'equal' if got == want else 'DIFFERENT'}")
    print(f"resident memory (retention keep={a.keep}): first quarter max {max(quarter) / 1024:.1f} MiB, "
          f"second half max {max(late) / 1024:.1f} MiB, overall max {max(k for _, k in samples) / 1024:.1f} MiB "
          f"over {len(samples)} samples")
    ok = alive and got == want and max(late) <= max(quarter) * 1.5 + 8 * 1024
    print("soak:", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()

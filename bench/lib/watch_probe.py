#!/usr/bin/env python3
"""Probes for bench-watch.sh: propagation latency of a running jsync daemon, and its idle cost.

  watch_probe.py latency SRC DST --count N [--size BYTES] [--gap-ms MS] [--timeout S] [--label L]
      Writes N files, one at a time, below SRC/lat-L/ and times each until DST holds the same bytes.
      Prints one JSON object: the label, the count, p50/p95/max/mean in ms, and how many never arrived.
  watch_probe.py idle PID[,PID...] --seconds S
      Samples each process's CPU time (utime+stime, /proc/PID/stat) and resident memory (VmRSS) every second
      for S seconds. Prints one JSON object per PID: CPU seconds used, CPU % of one core, RSS at start, end,
      min and max (KiB).
"""
import argparse
import json
import os
import random
import sys
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def arrived(path, data):
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, 'rb') as f:
            return f.read() == data
    except OSError:
        return False


def latency(args):
    rng = random.Random(args.seed)
    sub = 'lat-' + args.label
    os.makedirs(os.path.join(args.src, sub), exist_ok=True)
    # The directory itself must have arrived before timing files inside it.
    deadline = time.monotonic() + args.timeout * 10
    while not os.path.isdir(os.path.join(args.dst, sub)):
        if time.monotonic() > deadline:
            sys.exit('watch_probe: %s never appeared in %s' % (sub, args.dst))
        time.sleep(0.01)
    times = []
    missed = 0
    for i in range(args.count):
        data = os.urandom(args.size)
        name = 'f%04d' % i
        src = os.path.join(args.src, sub, name)
        dst = os.path.join(args.dst, sub, name)
        t0 = time.monotonic()
        with open(src, 'wb') as f:
            f.write(data)
        end = t0 + args.timeout
        while not arrived(dst, data):
            if time.monotonic() > end:
                missed += 1
                break
            time.sleep(0.002)
        else:
            times.append((time.monotonic() - t0) * 1000.0)
        # Independent changes: the next one after a random pause, past the daemon's debounce.
        time.sleep(args.gap_ms / 1000.0 * (0.5 + rng.random()))
    s = sorted(times)
    print(json.dumps({
        'label': args.label, 'count': args.count, 'size': args.size, 'arrived': len(times), 'missed': missed,
        'p50_ms': round(percentile(s, 50), 1) if s else None,
        'p95_ms': round(percentile(s, 95), 1) if s else None,
        'max_ms': round(s[-1], 1) if s else None,
        'mean_ms': round(sum(s) / len(s), 1) if s else None,
        'min_ms': round(s[0], 1) if s else None,
    }))


def cpu_ticks(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    # After the command: state is field 3; utime and stime are fields 14 and 15 (1-based, whole line).
    return int(fields[11]) + int(fields[12])


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def idle(args):
    pids = [int(p) for p in args.pids.split(',') if p]
    hz = os.sysconf('SC_CLK_TCK')
    start = {p: cpu_ticks(p) for p in pids}
    rss = {p: [rss_kib(p)] for p in pids}
    t0 = time.monotonic()
    while time.monotonic() - t0 < args.seconds:
        time.sleep(1)
        for p in pids:
            rss[p].append(rss_kib(p))
    elapsed = time.monotonic() - t0
    for p in pids:
        used = (cpu_ticks(p) - start[p]) / hz
        print(json.dumps({
            'pid': p, 'seconds': round(elapsed, 1), 'cpu_s': round(used, 2),
            'cpu_pct': round(100.0 * used / elapsed, 2),
            'rss_start_kib': rss[p][0], 'rss_end_kib': rss[p][-1],
            'rss_min_kib': min(rss[p]), 'rss_max_kib': max(rss[p]),
        }))


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest='cmd', required=True)
    lat = sp.add_parser('latency')
    lat.add_argument('src')
    lat.add_argument('dst')
    lat.add_argument('--count', type=int, default=200)
    lat.add_argument('--size', type=int, default=4096)
    lat.add_argument('--gap-ms', type=int, default=400)
    lat.add_argument('--timeout', type=float, default=30.0)
    lat.add_argument('--label', default='a-to-b')
    lat.add_argument('--seed', type=int, default=1)
    idl = sp.add_parser('idle')
    idl.add_argument('pids')
    idl.add_argument('--seconds', type=int, default=60)
    args = ap.parse_args()
    latency(args) if args.cmd == 'latency' else idle(args)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Timeline of one jsync run over SSH, for the breakdown of bench-ssh.sh scenario (c).

usage: ssh_timeline.py --t0 NS --t1 NS --stderr FILE --trace FILE --server-start FILE --server-time FILE
                       [--gap-ms 20] [--tsv OUT]

Inputs, all absolute times on this machine's clock:
  --t0/--t1      epoch ns just before the client was started and just after it exited;
  --stderr       the client's -debug stderr, each line prefixed with the epoch in microseconds at which it
                 arrived ("1795314858096123 jsync:   2611 ms  scanning ..."); the stage lines give the stage
                 start times, and (arrival - ms) the moment the client's Reporter was created;
  --trace        relay.py --trace output of the run's single connection (accept time, then every read);
  --server-start epoch ns at which the remote wrapper started (sshd has run the login shell by then);
  --server-time  GNU time -v of the remote command (its elapsed time ends the server's life).
Prints the marks and phases relative to t0 as Markdown, and the bursts of traffic on the wire (reads closer
than --gap-ms belong to the same burst). --tsv appends one line of phase durations (for medians).
"""
import argparse
import re
import sys

STAGE = re.compile(r"^(\d+) jsync:\s+(\d+) ms\s+(.*)$")


def elapsed(path):
    for line in open(path):
        if "Elapsed (wall clock)" in line:
            v = line.rsplit(": ", 1)[1].strip()
            s = 0.0
            for part in v.split(":"):
                s = s * 60 + float(part)
            return s
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--t0", type=int, required=True)
    ap.add_argument("--t1", type=int, required=True)
    ap.add_argument("--stderr", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--server-start", required=True)
    ap.add_argument("--server-time", required=True)
    ap.add_argument("--gap-ms", type=float, default=20)
    ap.add_argument("--tsv")
    a = ap.parse_args()
    t0 = a.t0 / 1e9
    t1 = a.t1 / 1e9

    stages = []   # (abs time of stage start, name)
    created = None
    for line in open(a.stderr):
        m = STAGE.match(line.rstrip("\n"))
        if not m:
            continue
        arrived = int(m.group(1)) / 1e6
        ms = int(m.group(2))
        stages.append((arrived, ms, m.group(3)))
        c = arrived - ms / 1000
        created = c if created is None else min(created, c)
    # stage start = Reporter creation + its ms (the arrival can lag by a scheduling delay)
    stage_at = {}
    for arrived, ms, name in stages:
        # "scanning LOCAL while connecting to HOST": the local replica scanned ahead (docs/ssh.md)
        key = "scanning-ahead" if " while connecting to " in name else name.split()[0]
        stage_at.setdefault(key, created + ms / 1000)

    reads = []
    accept = None
    for line in open(a.trace):
        cid, t, kind, n = line.split("\t")
        if kind == "connect":
            accept = float(t)
        else:
            reads.append((float(t), kind, int(n)))
    reads.sort()
    srv_start = int(open(a.server_start).read().strip()) / 1e9
    srv_wall = elapsed(a.server_time)
    srv_end = srv_start + srv_wall if srv_wall is not None else None

    # first traffic after the server started = the jsync server's handshake (SSH itself is done by then)
    first_down_after_srv = next((t for t, k, n in reads if k == "down" and t > srv_start), None)

    def rel(t):
        return "–" if t is None else f"{(t - t0) * 1000:8.0f}"

    marks = [
        ("client started (bin/jsync exec'd)", t0),
        ("jsync CLI ready (profile read, Reporter created)", created),
        ("TCP connect reaches the relay", accept),
        ("remote command started (wrapper, after SSH login and login shell)", srv_start),
        ("first bytes from the remote after that (jsync handshake)", first_down_after_srv),
    ]
    for key in ("scanning-ahead", "scanning", "reconciling", "propagating", "deleting", "recording", "done"):
        if key in stage_at:
            marks.append((f"stage: {key}", stage_at[key]))
    marks.append(("client exited", t1))
    marks.append(("remote command exited (start + its elapsed time, 10 ms resolution)", srv_end))
    print("| mark | ms after start |")
    print("|---|---|")
    for name, t in marks:
        print(f"| {name} | {rel(t).strip()} |")
    print()

    def d(x, y):
        return None if x is None or y is None else (y - x) * 1000

    phases = [
        ("client JVM start + CLI setup", d(t0, created)),
        ("client: SSH client set-up until TCP connect", d(created, accept)),
        ("SSH key exchange, login, session, remote login shell", d(accept, srv_start)),
        ("remote jsync JVM start until its handshake", d(srv_start, first_down_after_srv)),
        ("handshake until scanning starts", d(first_down_after_srv, stage_at.get("scanning"))),
        ("scanning (both replicas, or the remote one if the local one was scanned ahead)",
         d(stage_at.get("scanning"), stage_at.get("reconciling"))),
        ("reconcile, propagate, delete, record", d(stage_at.get("reconciling"), stage_at.get("done"))),
        ("after 'done' until the client exited", d(stage_at.get("done"), t1)),
        ("total (client wall)", d(t0, t1)),
    ]
    print("| phase | ms |")
    print("|---|---|")
    for name, v in phases:
        print(f"| {name} | {'–' if v is None else f'{v:.0f}'} |")
    print()

    # bursts on the wire
    bursts = []
    for t, k, n in reads:
        if bursts and (t - bursts[-1]["end"]) * 1000 <= a.gap_ms:
            b = bursts[-1]
        else:
            b = {"start": t, "end": t, "up": 0, "down": 0, "reads": 0}
            bursts.append(b)
        b["end"] = t
        b[k] += n
        b["reads"] += 1
    print(f"Traffic through the relay, in bursts (reads less than {a.gap_ms:.0f} ms apart):")
    print()
    print("| from ms | to ms | bytes up | bytes down | reads |")
    print("|---|---|---|---|---|")
    for b in bursts:
        print(f"| {rel(b['start']).strip()} | {rel(b['end']).strip()} | {b['up']} | {b['down']} | {b['reads']} |")
    print()
    if a.tsv:
        with open(a.tsv, "a") as f:
            f.write("\t".join("" if v is None else f"{v:.1f}" for _, v in phases) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

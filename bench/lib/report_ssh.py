#!/usr/bin/env python3
"""Summarise a bench-ssh.sh results TSV as one Markdown table per scenario (medians over reps).

usage: report_ssh.py RESULTS.tsv [--tools jsync,unison,rsync]
"""
import argparse
import csv
import statistics
import sys

SCENARIOS = [
    ("delta", "(a) delta: 1 big incompressible file, 100 changes + 1 MiB inserted, re-sync"),
    ("initial", "(b) initial: mixed files into an empty remote replica"),
    ("nochange", "(c) no-change re-sync of many small files"),
    ("delta-first", "(a') first sync of the big file (not a target; the set-up of (a))"),
    ("nochange-first", "(c') first sync of the small files (not a target; the set-up of (c); a failed attempt is run again)"),
]
COLS = [  # key, header, format
    ("wall", "wall s", "{:.3f}"),
    ("cpu", "client CPU s", "{:.2f}"),
    ("rss", "client RSS MiB", "{:.1f}"),
    ("srss", "server RSS MiB", "{:.1f}"),
    ("scpu", "server CPU s", "{:.2f}"),
    ("up", "bytes up", "{:,.0f}"),
    ("down", "bytes down", "{:,.0f}"),
]


def num(r, k, scale=1.0):
    v = r.get(k, "")
    return None if v in ("", None) else float(v) * scale


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tsv")
    ap.add_argument("--tools", default="jsync,unison,rsync")
    a = ap.parse_args()
    with open(a.tsv, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if not rows:
        print("(no results)")
        return 0
    tools = [t for t in a.tools.split(",") if t]

    def med(tool, scen):
        rs = [r for r in rows if r["tool"] == tool and r["scenario"] == scen]
        if not rs:
            return None
        out = {"n": len(rs), "bad": any(r["rc"] != "0" or r["verify"] not in ("ok", "skipped") for r in rs)}
        for key, col, scale in (("wall", "wall_s", 1), ("cpu", "cpu_s", 1), ("rss", "maxrss_kib", 1 / 1024),
                                ("srss", "srv_maxrss_kib", 1 / 1024), ("scpu", "srv_cpu_s", 1),
                                ("up", "bytes_up", 1), ("down", "bytes_down", 1)):
            vals = [v for v in (num(r, col, scale) for r in rs) if v is not None]
            out[key] = statistics.median(vals) if vals else None
        out["walls"] = [float(r["wall_s"]) for r in rs]
        return out

    flagged = False
    for key, label in SCENARIOS:
        m = {t: med(t, key) for t in tools}
        if not any(m.values()):
            continue
        n = max(v["n"] for v in m.values() if v)
        print(f"**{label}** (median of {n})")
        print()
        print("| tool | " + " | ".join(h for _, h, _ in COLS) + " | wall per run s |")
        print("|---|" + "---|" * (len(COLS) + 1))
        for t in tools:
            v = m[t]
            if v is None:
                continue
            flagged |= v["bad"]
            cells = [(fmt.format(v[k]) if v[k] is not None else "–") for k, _, fmt in COLS]
            if v["bad"]:
                cells[0] += " !"
            print(f"| {t} | " + " | ".join(cells) + " | " + " / ".join(f"{w:.2f}" for w in v["walls"]) + " |")
        j = m.get("jsync")
        for other in ("rsync", "unison", "jsync-openssh"):
            o = m.get(other)
            if not j or not o:
                continue
            cells = []
            for k, _, _ in COLS:
                cells.append(f"{j[k] / o[k]:.2f}" if j[k] is not None and o[k] else "n/a")
            print(f"| jsync/{other} | " + " | ".join(cells) + " | |")
        print()
    print("wall = elapsed time of the client; client CPU = user+sys of the client and its children (for rsync "
          "and unison that includes the ssh client); RSS = peak RSS of the largest single process (GNU time -v); "
          "server = the remote command under GNU time (not sshd); bytes = TCP payload through the relay "
          "(SSH-encrypted), up = client to server.")
    loads = [float(r["load1"]) for r in rows if r.get("load1")]
    if loads:
        print(f"1-min load average before the runs: {min(loads):.2f}–{max(loads):.2f}.")
    if flagged:
        print("`!` = at least one run exited non-zero or failed the post-sync check; see the TSV and logs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

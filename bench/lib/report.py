#!/usr/bin/env python3
"""Summarise a bench-local.sh results TSV as a Markdown table (medians over reps).

usage: report.py RESULTS.tsv [--tools jsync,unison,rsync]
"""
import argparse
import csv
import statistics
import sys

SCENARIOS = [
    ("initial", "(a) initial sync into empty replica"),
    ("nochange", "(b) re-sync, nothing changed"),
    ("changes", "(c) re-sync after {changes} changes"),
]


def fmt(x, nd):
    return "–" if x is None else f"{x:.{nd}f}"


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
    present = {r["tool"] for r in rows}
    changes = rows[0].get("changes", "300")

    def med(tool, scen):
        rs = [r for r in rows if r["tool"] == tool and r["scenario"] == scen]
        if not rs:
            return None
        bad = any(r["rc"] != "0" or r["verify"] not in ("ok", "skipped") for r in rs)
        return dict(
            n=len(rs),
            wall=statistics.median(float(r["wall_s"]) for r in rs),
            cpu=statistics.median(float(r["cpu_s"]) for r in rs),
            rss=statistics.median(int(r["maxrss_kib"]) for r in rs) / 1024,
            bad=bad,
        )

    head = ["scenario"]
    for t in tools:
        head += [f"{t} wall s", f"{t} CPU s", f"{t} RSS MiB"]
    head += ["jsync/unison wall", "jsync/rsync wall"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    flagged = False
    for key, label in SCENARIOS:
        cells = [label.format(changes=changes)]
        m = {t: med(t, key) for t in tools}
        for t in tools:
            v = m[t]
            if v is None:
                cells += ["–"] * 3
                continue
            mark = " !" if v["bad"] else ""
            flagged |= v["bad"]
            cells += [fmt(v["wall"], 3) + mark, fmt(v["cpu"], 2), fmt(v["rss"], 1)]
        for other in ("unison", "rsync"):
            j, o = m.get("jsync"), m.get(other)
            cells.append(f"{j['wall'] / o['wall']:.2f}" if j and o and o["wall"] > 0 else "n/a")
        out.append("| " + " | ".join(cells) + " |")
    print("\n".join(out))
    reps = sorted({int(r["rep"]) for r in rows})
    print()
    print(f"Medians over {len(reps)} rep(s) per scenario; wall = elapsed time, "
          "CPU = user+sys of the tool and its waited-for children, RSS = peak RSS "
          "of the largest single process (GNU time -v).")
    loads = [float(r["load1"]) for r in rows if r.get("load1")]
    if loads:
        print(f"1-min load average before the runs: {min(loads):.2f}–{max(loads):.2f} "
              "(anything well above 0 means other work competed for the CPUs).")
    missing = [t for t in tools if t not in present]
    if missing:
        print(f"Not measured (binary missing or not selected): {', '.join(missing)}.")
    if flagged:
        print("`!` = at least one run exited non-zero or failed the post-sync check; "
              "see the TSV and logs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Deterministically modify, add and delete files in a tree (bench/mutate-tree.sh).

--changes C is split into ceil(C/3) modifications, round(C/3) additions and
floor(C/3) deletions (300 -> 100/100/100). Which files are touched depends only
on the seed and on the sorted list of regular files in the tree, so the same
tree + the same seed always gets the same mutation. Files to modify and delete
are a random sample of the whole tree (spread over all directories); added files
go into randomly chosen existing directories that already hold files.

Modified files get new content and a different size (so that size+mtime
quick checks cannot miss them) and the current time as mtime; they are
rewritten in place (same inode). Added files get the current time.
"""
import argparse
import math
import os
import random
import sys


def size_for(rng: random.Random) -> int:
    if rng.random() < 0.97:
        lo, hi = 100, 8 * 1024
    else:
        lo, hi = 8 * 1024, 64 * 1024
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--changes", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--list", metavar="FILE",
                    help="write the touched paths as 'M|A|D<TAB>path' lines")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()

    root = a.dir.rstrip("/") or "/"
    if not os.path.isdir(root):
        print(f"mutate-tree: {root} is not a directory", file=sys.stderr)
        return 2
    c = a.changes
    if c < 0:
        print("mutate-tree: --changes must be >= 0", file=sys.stderr)
        return 2
    nmod, nadd, ndel = (c + 2) // 3, (c + 1) // 3, c // 3

    files, dirs_with_files = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        regular = [f for f in sorted(filenames)
                   if os.path.isfile(os.path.join(dirpath, f))
                   and not os.path.islink(os.path.join(dirpath, f))]
        if regular:
            dirs_with_files.append(rel)
        files.extend(f if rel == "." else f"{rel}/{f}" for f in regular)
    if nmod + ndel > len(files) or (nadd and not dirs_with_files):
        print(f"mutate-tree: tree has only {len(files)} files, cannot apply "
              f"{nmod} modifications + {ndel} deletions", file=sys.stderr)
        return 2

    rng = random.Random(f"mutate:{a.seed}:{c}")
    picked = rng.sample(files, nmod + ndel)
    to_mod, to_del = picked[:nmod], picked[nmod:]
    log = []

    for rel in to_mod:
        p = os.path.join(root, rel)
        old = os.path.getsize(p)
        new = size_for(rng)
        if new == old:
            new += 1
        header = f"jsync-bench mutated seed={a.seed} {rel}\n".encode()
        data = (header + rng.randbytes(max(0, new - len(header))))[:new]
        fd = os.open(p, os.O_WRONLY | os.O_TRUNC)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        log.append(("M", rel))

    for i in range(nadd):
        d = rng.choice(dirs_with_files)
        n = 0
        while True:
            name = f"n{a.seed}-{i:06d}{'' if n == 0 else f'-{n}'}.html"
            rel = name if d == "." else f"{d}/{name}"
            if not os.path.lexists(os.path.join(root, rel)):
                break
            n += 1
        size = size_for(rng)
        header = f"jsync-bench added seed={a.seed} {rel}\n".encode()
        data = (header + rng.randbytes(max(0, size - len(header))))[:size]
        fd = os.open(os.path.join(root, rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        log.append(("A", rel))

    for rel in to_del:
        os.unlink(os.path.join(root, rel))
        log.append(("D", rel))

    if a.list:
        with open(a.list, "w") as f:
            for kind, rel in log:
                f.write(f"{kind}\t{rel}\n")
    if not a.quiet:
        print(f"mutate-tree: {root}: {nmod} modified, {nadd} added, {ndel} deleted "
              f"(seed {a.seed}, {len(files)} files before)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

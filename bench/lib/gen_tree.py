#!/usr/bin/env python3
"""Deterministic generator of a web-root-like tree of small files.

Called by bench/gen-tree.sh; stdlib only (Python >= 3.9 for Random.randbytes).

Layout: D leaf directories arranged in three levels, dTTT/dM/dL (100 leaves per
top-level directory, 10 per middle directory). About 10% of the files live in
the middle directories (2 levels deep), the rest in the leaves (3 levels deep).

Sizes (web-root-like, log-uniform inside each band):
  97% 100 B .. 8 KiB, 3% 8 KiB .. 64 KiB   -> mean about 2.6 KiB per file.

Content: bytes from random.Random(seed). Every file starts with a unique
header line, so no two files have the same content (tools that look for
identical content to copy locally gain nothing from the data set).

Modification times are set to a fixed, seed-derived point in 2024 (spread over
a year) so that the tree is byte-for-byte and metadata-for-metadata the same
for a given (files, dirs, seed) and Python version.
"""
import argparse
import math
import os
import random
import sys
import time

EXTS = (".html", ".html", ".html", ".css", ".js", ".js", ".json", ".txt",
        ".svg", ".png", ".jpg", ".md")
BASE_MTIME = 1704067200  # 2024-01-01T00:00:00Z


def size_for(rng: random.Random) -> int:
    if rng.random() < 0.97:
        lo, hi = 100, 8 * 1024
    else:
        lo, hi = 8 * 1024, 64 * 1024
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def leaf_dir(i: int, topw: int) -> str:
    return f"d{i // 100:0{topw}d}/d{(i // 10) % 10}/d{i % 10}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--dirs", type=int, default=None,
                    help="leaf directories (default: files/50, i.e. 2000 for 100k)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()

    nfiles = a.files
    ndirs = a.dirs if a.dirs is not None else max(1, nfiles // 50)
    if nfiles < 0 or ndirs < 1:
        print("gen-tree: --files must be >= 0 and --dirs >= 1", file=sys.stderr)
        return 2
    root = a.dir
    if os.path.exists(root) and (not os.path.isdir(root) or os.listdir(root)):
        print(f"gen-tree: {root} exists and is not an empty directory; refusing",
              file=sys.stderr)
        return 2
    os.makedirs(root, exist_ok=True)

    topw = max(3, len(str((ndirs - 1) // 100)))
    t0 = time.monotonic()
    # Separate streams so that changing one aspect does not shift the others.
    rng_place = random.Random(f"place:{a.seed}")
    rng_size = random.Random(f"size:{a.seed}")
    rng_data = random.Random(f"data:{a.seed}")
    rng_time = random.Random(f"time:{a.seed}")

    made = set()
    total = 0
    for k in range(nfiles):
        d = rng_place.randrange(ndirs)
        rel = leaf_dir(d, topw)
        if rng_place.random() < 0.10:
            rel = rel.rsplit("/", 1)[0]  # middle level
        if rel not in made:
            os.makedirs(os.path.join(root, rel), exist_ok=True)
            made.add(rel)
        name = f"f{k:07d}{EXTS[k % len(EXTS)]}"
        path = os.path.join(root, rel, name)
        size = size_for(rng_size)
        header = f"jsync-bench seed={a.seed} file={k} {rel}/{name}\n".encode()
        body = rng_data.randbytes(max(0, size - len(header)))
        data = (header + body)[:size] if size < len(header) else header + body
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        mt = BASE_MTIME + rng_time.randrange(365 * 86400)
        os.utime(path, (mt, mt))
        total += len(data)
        if not a.quiet and k and k % 100_000 == 0:
            print(f"gen-tree: {k} files ...", file=sys.stderr)
    # Make sure every leaf directory exists even if no file landed in it.
    for i in range(ndirs):
        rel = leaf_dir(i, topw)
        if rel not in made:
            os.makedirs(os.path.join(root, rel), exist_ok=True)
    # Directory mtimes are deterministic too.
    for dirpath, _dirs, _files in os.walk(root):
        os.utime(dirpath, (BASE_MTIME, BASE_MTIME))

    if not a.quiet:
        print(f"gen-tree: {nfiles} files, {ndirs} leaf dirs, {total / 2**20:.1f} MiB "
              f"in {time.monotonic() - t0:.1f} s -> {root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

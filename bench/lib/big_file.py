#!/usr/bin/env python3
"""A big incompressible file and a deterministic edit of it, for the delta scenario of bench-ssh.sh.

    big_file.py gen FILE [--size BYTES] [--seed S]
    big_file.py mutate SRC DST [--changes N] [--change-bytes B] [--insert BYTES] [--seed S]

gen: SIZE bytes (default 1 GiB) from random.Random(f"big:{seed}").randbytes, so the same size and seed give
the same bytes (Python >= 3.9); incompressible. mtime fixed at 2024-01-01T00:00:00Z.

mutate: writes DST = SRC with
  - N (default 100) overwrites of B (default 100) new random bytes each, at offsets spread over the whole
    file (one per N-th of the file, at a random position inside it), and
  - an insertion of INSERT (default 1 MiB) new random bytes at the middle of the file, shifted by an odd
    amount (size/2 + 12345) so that it is not aligned to any block size;
all drawn from random.Random(f"mutate:{seed}"). DST is a new file (the insertion shifts the whole second half).
"""
import argparse
import os
import random
import sys

CHUNK = 4 << 20
BASE_MTIME = 1704067200


def gen(a) -> int:
    rng = random.Random(f"big:{a.seed}")
    tmp = a.file + ".tmp"
    left = a.size
    with open(tmp, "wb") as f:
        while left:
            n = min(CHUNK, left)
            f.write(rng.randbytes(n))
            left -= n
    os.utime(tmp, (BASE_MTIME, BASE_MTIME))
    os.replace(tmp, a.file)
    print(f"big_file: {a.size} bytes (seed {a.seed}) -> {a.file}", file=sys.stderr)
    return 0


def mutate(a) -> int:
    size = os.path.getsize(a.src)
    rng = random.Random(f"mutate:{a.seed}")
    span = size // a.changes if a.changes else size
    if a.changes and span < a.change_bytes:
        print("big_file: file too small for that many changes", file=sys.stderr)
        return 2
    # (offset, bytes to skip in SRC, bytes to write) sorted by offset
    edits = []
    for i in range(a.changes):
        off = i * span + rng.randrange(span - a.change_bytes + 1)
        edits.append((off, a.change_bytes, rng.randbytes(a.change_bytes)))
    ins_at = min(size, size // 2 + 12345)
    # keep the insertion clear of the overwrites (an overwrite straddling it would be ambiguous)
    edits = [e for e in edits if not (e[0] < ins_at < e[0] + e[1])]
    edits.append((ins_at, 0, rng.randbytes(a.insert)))
    edits.sort(key=lambda e: (e[0], e[1]))
    tmp = a.dst + ".tmp"
    with open(a.src, "rb") as src, open(tmp, "wb") as dst:
        pos = 0
        for off, skip, data in edits:
            while pos < off:
                buf = src.read(min(CHUNK, off - pos))
                dst.write(buf)
                pos += len(buf)
            dst.write(data)
            src.seek(skip, os.SEEK_CUR)
            pos += skip
        while True:
            buf = src.read(CHUNK)
            if not buf:
                break
            dst.write(buf)
    os.replace(tmp, a.dst)
    n_over = sum(1 for e in edits if e[1])
    print(f"big_file: {a.dst}: {n_over} overwrites of {a.change_bytes} B, {a.insert} B inserted at {ins_at} "
          f"(seed {a.seed}), {os.path.getsize(a.dst)} bytes", file=sys.stderr)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("file")
    g.add_argument("--size", type=int, default=1 << 30)
    g.add_argument("--seed", type=int, default=1)
    m = sub.add_parser("mutate")
    m.add_argument("src")
    m.add_argument("dst")
    m.add_argument("--changes", type=int, default=100)
    m.add_argument("--change-bytes", type=int, default=100)
    m.add_argument("--insert", type=int, default=1 << 20)
    m.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    return gen(a) if a.cmd == "gen" else mutate(a)


if __name__ == "__main__":
    sys.exit(main())

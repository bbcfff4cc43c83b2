#!/usr/bin/env python3
"""Deterministic tree of mixed files (~1 GiB in 10,000 files up to 20 MiB) for bench-ssh.sh scenario (b).

    gen_mixed.py DIR [--files N] [--seed S] [--quiet]

Sizes, log-uniform inside each band, with exact band counts (scaled to N; for 10,000 files):

    band               files   share   text share   expected bytes
    100 B - 16 KiB      7540   75.4%      70%          ~24 MB
    16 KiB - 256 KiB    2000   20.0%      50%         ~177 MB
    256 KiB - 2 MiB      400    4.0%      35%         ~353 MB
    2 MiB - 20 MiB        60    0.6%      35%         ~492 MB

so about 1 GiB in all, ~40% of it text. The largest file of the top band is exactly 20 MiB.

Content: "text" files (.html .css .js .json .txt .md .svg .csv .log .sql) are lines of pseudo-words drawn
with Zipf-like weights from a fixed vocabulary (compressible: LZ4 ~2x, gzip ~3x); the others (.png .jpg
.gz .zip .pdf .woff2 .mp4 .bin) are random bytes (incompressible). A text file is built from slices of a
16 MiB corpus made once per seed, so generation stays fast; every file starts with a unique header line,
so no two files are equal. Layout as bench/lib/gen_tree.py: files/50 leaf directories dTTT/dM/dL, ~10% of
the files one level up. mtimes are fixed, seed-derived times in 2024. Same N and seed -> same tree
(Python >= 3.9).
"""
import argparse
import math
import os
import random
import sys
import time

BASE_MTIME = 1704067200
MiB = 1 << 20
# (lo, hi, share of files, share of text files)
BANDS = [(100, 16 * 1024, 0.754, 0.70),
         (16 * 1024, 256 * 1024, 0.200, 0.50),
         (256 * 1024, 2 * MiB, 0.040, 0.35),
         (2 * MiB, 20 * MiB, 0.006, 0.35)]
TEXT_EXTS = (".html", ".css", ".js", ".json", ".txt", ".md", ".svg", ".csv", ".log", ".sql")
BIN_EXTS = (".png", ".jpg", ".gz", ".zip", ".pdf", ".woff2", ".mp4", ".bin")
CORPUS = 16 * MiB


def leaf_dir(i: int, topw: int) -> str:
    return f"d{i // 100:0{topw}d}/d{(i // 10) % 10}/d{i % 10}"


def make_corpus(seed: int) -> bytes:
    rng = random.Random(f"corpus:{seed}")
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    lw = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0, 1.9,
          1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1]
    vocab = ["".join(rng.choices(letters, lw, k=rng.randint(2, 10))) for _ in range(4000)]
    vocab += ["<div>", "</div>", "{", "}", "=", ";", "\"id\":", "the", "and", "of"]
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    out, n = [], 0
    while n < CORPUS:
        words = rng.choices(vocab, weights, k=rng.randint(6, 18))
        line = " ".join(words) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:CORPUS]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    n = a.files
    if n < 1:
        print("gen-mixed: --files must be >= 1", file=sys.stderr)
        return 2
    root = a.dir
    if os.path.exists(root) and (not os.path.isdir(root) or os.listdir(root)):
        print(f"gen-mixed: {root} exists and is not an empty directory; refusing", file=sys.stderr)
        return 2
    os.makedirs(root, exist_ok=True)
    t0 = time.monotonic()

    # exact counts per band, the rounding remainder going to the first band
    counts = [int(round(n * b[2])) for b in BANDS[1:]]
    counts = [n - sum(counts)] + counts
    rng_plan = random.Random(f"mixplan:{a.seed}")
    plan = []   # (size, is_text)
    for (lo, hi, _share, text), c in zip(BANDS, counts):
        for j in range(c):
            size = int(math.exp(rng_plan.uniform(math.log(lo), math.log(hi))))
            plan.append((size, rng_plan.random() < text))
    if counts[-1] > 0:   # one file at the top of the range
        i = max(k for k in range(len(plan)) if plan[k][0] >= BANDS[-1][0])
        plan[i] = (BANDS[-1][1], plan[i][1])
    rng_plan.shuffle(plan)

    corpus = make_corpus(a.seed)
    ndirs = max(1, n // 50)
    topw = max(3, len(str((ndirs - 1) // 100)))
    rng_place = random.Random(f"place:{a.seed}")
    rng_data = random.Random(f"mixdata:{a.seed}")
    rng_time = random.Random(f"time:{a.seed}")
    made = set()
    total = text_bytes = 0
    for k, (size, is_text) in enumerate(plan):
        rel = leaf_dir(rng_place.randrange(ndirs), topw)
        if rng_place.random() < 0.10:
            rel = rel.rsplit("/", 1)[0]
        if rel not in made:
            os.makedirs(os.path.join(root, rel), exist_ok=True)
            made.add(rel)
        exts = TEXT_EXTS if is_text else BIN_EXTS
        name = f"m{k:06d}{exts[k % len(exts)]}"
        path = os.path.join(root, rel, name)
        header = f"jsync-bench mixed seed={a.seed} file={k} {rel}/{name}\n".encode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            data = header[:size]
            os.write(fd, data)
            left = size - len(data)
            while left > 0:
                if is_text:
                    ln = min(left, rng_data.randint(4096, 65536))
                    off = rng_data.randrange(CORPUS - ln + 1)
                    chunk = corpus[off:off + ln]
                else:
                    chunk = rng_data.randbytes(min(left, 4 * MiB))
                os.write(fd, chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
        mt = BASE_MTIME + rng_time.randrange(365 * 86400)
        os.utime(path, (mt, mt))
        total += size
        text_bytes += size if is_text else 0
    for dirpath, _dirs, _files in os.walk(root):
        os.utime(dirpath, (BASE_MTIME, BASE_MTIME))
    if not a.quiet:
        print(f"gen-mixed: {n} files ({counts} per band), {total / MiB:.1f} MiB, {100 * text_bytes / total:.0f}% "
              f"of it text, largest {max(p[0] for p in plan) / MiB:.1f} MiB, in {time.monotonic() - t0:.1f} s "
              f"-> {root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

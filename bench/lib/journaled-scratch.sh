#!/usr/bin/env bash
# A scratch directory on ext4 *with* a journal, for benchmarks on a machine whose own filesystem has none
# (the development VM's: docs/benchmarks.md, "Filesystem caveat"). There, creating files shortly after a
# big tree was deleted costs 2-8x the system time for minutes (ext4's recently_deleted() check, made only
# without a journal), which turns every A/B that deletes its copies into noise. Most servers run journaled
# filesystems; this measures what they see. Needs root (a loop device); nothing outside IMAGE and MOUNT is
# touched.
#   journaled-scratch.sh start IMAGE MOUNT [SIZE]   IMAGE (default 48G), mkfs.ext4, mounted on MOUNT
#   journaled-scratch.sh stop IMAGE MOUNT           unmounts MOUNT and deletes IMAGE
# Then: BENCH_DIR=MOUNT bench/bench-ssh.sh ...   (no settle wait: the journal makes it unnecessary)
set -euo pipefail
cmd=${1:?start|stop}
image=${2:?image file}
mnt=${3:?mount point}
case $cmd in
  start)
    size=${4:-48G}
    [[ $(id -u) -eq 0 ]] || { echo "journaled-scratch: needs root (losetup, mount)" >&2; exit 2; }
    if mountpoint -q "$mnt"; then echo "journaled-scratch: $mnt is already a mount point" >&2; exit 2; fi
    [[ -e $image ]] && { echo "journaled-scratch: $image exists" >&2; exit 2; }
    # Allocated up front where the host filesystem can: writes into holes of a sparse image make the host
    # allocate blocks during the measured runs.
    fallocate -l "$size" "$image" 2>/dev/null || truncate -s "$size" "$image"
    mkfs.ext4 -q -F "$image"
    mkdir -p "$mnt"
    mount -o loop "$image" "$mnt"
    dev=$(findmnt -n -o SOURCE -T "$mnt")
    # Direct I/O on the backing file: otherwise every page is cached twice (the loop device's and the
    # image file's), which doubles the memory a 1 GiB benchmark file takes and adds a copy per write.
    losetup --direct-io=on "$dev" 2>/dev/null || echo "journaled-scratch: no direct I/O for $dev (cached twice)"
    echo "$mnt: $(findmnt -n -o SOURCE,FSTYPE -T "$mnt"), journal: $(cat "/sys/fs/ext4/${dev##*/}/journal_task" 2>/dev/null || echo '?')"
    ;;
  stop)
    if mountpoint -q "$mnt"; then umount "$mnt"; fi
    rm -f -- "$image"
    ;;
  *) echo "usage: journaled-scratch.sh start|stop IMAGE MOUNT [SIZE]" >&2; exit 2 ;;
esac

#!/usr/bin/env python3
"""Byte-counting TCP relay for bench/bench-ssh.sh (stdlib only, Python >= 3.8).

    relay.py --target HOST:PORT --port-file FILE --counts FILE [--log FILE]

Listens on a free port of 127.0.0.1 (written to --port-file once listening) and
forwards every connection to --target, counting the bytes each way:
"up" = client -> server, "down" = server -> client (payload bytes as TCP sees
them, i.e. SSH packets with their encryption and MAC overhead, not IP headers).

- --counts FILE gets one line "up=N down=N connections=N active=N" (totals since
  start) on SIGUSR1 and on SIGTERM/SIGINT (then the relay exits); written to a
  temporary file and renamed, so a reader never sees half a line.
- --log FILE gets one TSV line per connection when both directions have ended:
  "id  start_epoch_s  end_epoch_s  up  down". bench-ssh.sh sums the lines that
  appear during a run, so each run is charged exactly its own connection(s).
- --trace FILE (for timelines) gets, when a connection ends, one line per read:
  "id  epoch_s  up|down  bytes", after a line "id  accept_epoch_s  connect  0".
- --delay-ms D delivers every chunk D ms after it arrived, each way (a round trip of
  2D, as over a long link; implies --copy recv), and --rate-mbps R (with it) at most
  R megabits per second each way. The relay then buffers without bound: SSH's channel
  windows are what bound the bytes in flight, as on a real link.

Not a bottleneck: by default each direction is copied by splice(2) through a
1 MiB pipe in a thread (the data never enters Python; much less CPU than a
recv/send loop, which --copy recv selects), TCP_NODELAY on both sockets (SSH
is full of small packets: without it Nagle's algorithm adds delayed-ACK waits
to every round trip), and an EOF on one side is passed on as a half-close
(shutdown SHUT_WR), so protocols that finish with a one-way EOF work.
"""
import argparse
import asyncio
import concurrent.futures
import fcntl
import os
import signal
import socket
import sys
import time

BUF = 1 << 20
# Two threads per connection in splice mode; the default executor would cap concurrent connections.
EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=64)

totals = {"up": 0, "down": 0, "connections": 0, "active": 0}


def write_counts(path):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write("up={up} down={down} connections={connections} active={active}\n".format(**totals))
    os.replace(tmp, path)


def counted(conn, key, n):
    """Adds n bytes passed on in direction key to the connection's and the relay's totals (and trace).
    Only the one thread or task moving a direction calls it for that key: += on an int under the GIL."""
    conn[key] += n
    totals[key] += n
    if conn["trace"] is not None:
        conn["trace"].append((time.time(), key, n))


def shut_wr(sock):
    try:
        sock.shutdown(socket.SHUT_WR)   # pass the EOF on
    except OSError:
        pass


async def pump_recv(loop, src, dst, key, conn):
    """Copies through a user-space buffer (portable fallback, --copy recv)."""
    buf = bytearray(BUF)
    view = memoryview(buf)
    try:
        while True:
            n = await loop.sock_recv_into(src, view)
            if n == 0:
                break
            await loop.sock_sendall(dst, view[:n])
            counted(conn, key, n)
    except (ConnectionError, OSError):
        pass
    finally:
        shut_wr(dst)


async def pump_delayed(loop, src, dst, key, conn, delay, rate):
    """Delivers each chunk `delay` seconds after it arrived, at most `rate` bytes/s (0: no limit)."""
    queue = asyncio.Queue()

    async def receive():
        buf = bytearray(BUF)
        try:
            while True:
                n = await loop.sock_recv_into(src, buf)
                if n == 0:
                    break
                await queue.put((time.monotonic() + delay, bytes(buf[:n])))
        except (ConnectionError, OSError):
            pass
        await queue.put(None)

    async def deliver():
        line_free = 0.0   # when the emulated link has sent everything queued before
        broken = False    # dst failed: what still arrives is dropped, so the queue cannot grow
        try:
            while True:
                item = await queue.get()
                if item is None:
                    break
                if broken:
                    continue
                due, data = item
                if rate:
                    line_free = max(due, line_free) + len(data) / rate
                    due = line_free
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    await loop.sock_sendall(dst, data)
                except (ConnectionError, OSError):
                    broken = True
                    continue
                counted(conn, key, len(data))
        finally:
            shut_wr(dst)

    await asyncio.gather(receive(), deliver())


def splice_blocking(src, dst, key, conn):
    """Copies socket -> pipe -> socket with splice(2): the bytes never enter user space, so the relay
    costs a fraction of the CPU of a recv/send loop (default, --copy splice; Linux only). Runs in a
    thread on blocking sockets; os.splice releases the GIL."""
    r, w = os.pipe()
    try:
        try:
            fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, BUF)
        except OSError:
            pass
        sfd, dfd = src.fileno(), dst.fileno()
        while True:
            n = os.splice(sfd, w, BUF, flags=os.SPLICE_F_MOVE)
            if n == 0:
                break
            left = n
            while left:
                left -= os.splice(r, dfd, left, flags=os.SPLICE_F_MOVE)
            counted(conn, key, n)
    except (ConnectionError, OSError):
        pass
    finally:
        os.close(r)
        os.close(w)
        shut_wr(dst)


async def pump(loop, src, dst, key, conn, mode):
    if isinstance(mode, tuple):   # (delay s, rate bytes/s)
        await pump_delayed(loop, src, dst, key, conn, *mode)
    elif mode == "splice":
        await loop.run_in_executor(EXECUTOR, splice_blocking, src, dst, key, conn)
    else:
        await pump_recv(loop, src, dst, key, conn)


async def handle(loop, client, target, log_path, ids, mode, trace_path):
    ids[0] += 1
    cid = ids[0]
    start = time.time()
    totals["connections"] += 1
    totals["active"] += 1
    conn = {"up": 0, "down": 0, "trace": [] if trace_path else None}
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.setblocking(False)
        await loop.sock_connect(server, target)
        if mode == "splice":   # (a delayed relay stays on the event loop)
            for s in (client, server):
                s.setblocking(True)
        await asyncio.gather(pump(loop, client, server, "up", conn, mode),
                             pump(loop, server, client, "down", conn, mode))
    except OSError as e:
        print(f"relay: connection {cid}: {e}", file=sys.stderr)
    finally:
        client.close()
        server.close()
        totals["active"] -= 1
        if trace_path:
            with open(trace_path, "a") as f:
                f.write(f"{cid}\t{start:.6f}\tconnect\t0\n")
                for t, key, n in conn["trace"]:
                    f.write(f"{cid}\t{t:.6f}\t{key}\t{n}\n")
        if log_path:
            with open(log_path, "a") as f:
                f.write(f"{cid}\t{start:.6f}\t{time.time():.6f}\t{conn['up']}\t{conn['down']}\n")


async def main_async(a):
    host, port = a.target.rsplit(":", 1)
    target = (host, int(port))
    loop = asyncio.get_running_loop()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", a.port))
    lsock.listen(64)
    lsock.setblocking(False)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, write_counts, a.counts)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tmp = f"{a.port_file}.tmp"
    with open(tmp, "w") as f:
        f.write(f"{lsock.getsockname()[1]}\n")
    os.replace(tmp, a.port_file)
    write_counts(a.counts)
    ids = [0]
    tasks = set()

    async def accept_loop():
        while True:
            client, _ = await loop.sock_accept(lsock)
            mode = (a.delay_ms / 1000.0, a.rate_mbps * 125000.0) if a.delay_ms > 0 else a.copy
            t = loop.create_task(handle(loop, client, target, a.log, ids, mode, a.trace))
            tasks.add(t)
            t.add_done_callback(tasks.discard)

    acceptor = loop.create_task(accept_loop())
    await stop.wait()
    acceptor.cancel()
    lsock.close()
    write_counts(a.counts)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", required=True, help="HOST:PORT to forward to")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--counts", required=True)
    ap.add_argument("--log")
    ap.add_argument("--trace", help="append 'id  epoch_s  up|down  bytes' per read, per connection at its end")
    ap.add_argument("--copy", choices=("splice", "recv"), default="splice",
                    help="splice(2) through a pipe (default, Linux) or recv_into/sendall")
    ap.add_argument("--delay-ms", type=float, default=0,
                    help="one-way delay added to every chunk, each way (implies --copy recv)")
    ap.add_argument("--rate-mbps", type=float, default=0,
                    help="with --delay-ms: at most this many megabits per second each way (0: no limit)")
    a = ap.parse_args()
    if a.rate_mbps and not a.delay_ms:
        ap.error("--rate-mbps needs --delay-ms")
    asyncio.run(main_async(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())

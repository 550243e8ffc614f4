#!/usr/bin/env python3
"""A fallback TCP proxy for run.sh's cluster failover scenario: the smallest "load balancer route
that prefers the node and falls back to the others" of docs/cluster.md.

It listens on a free 127.0.0.1 port (written to --port-file once listening). For each incoming
connection it connects to the first backend; if that fails (refused: the node is dead), to the
next one, and so on; then it copies bytes both ways until both sides are done. A side that ends
is passed on as a half-close (FIN), never as a reset, so a client whose node died sees its
WebSocket end (close 1006) and reconnects. Every connection and the backend it went to is
logged on stdout.

Usage: failover_proxy.py --port-file FILE --backend NAME=HOST:PORT [--backend ...]
                         [--max-seconds N]

The proxy exits after --max-seconds (default 900) or as soon as the process that started it is
gone, so it never outlives the run even if the runner is killed without running its traps.
"""

import argparse
import asyncio
import itertools
import os
import signal
import sys
import time

CONNECT_TIMEOUT = 5.0  # seconds for one backend connection attempt
DRAIN_GRACE = 5.0      # seconds the other direction may still run after one direction ended
CHUNK = 65536


def log(message):
    stamp = time.strftime("%H:%M:%S") + f".{int(time.time() * 1000) % 1000:03d}"
    print(f"{stamp} proxy: {message}", flush=True)


def parse_backend(text):
    name, sep, addr = text.partition("=")
    host, sep2, port = addr.rpartition(":")
    if not sep or not sep2 or not name or not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=HOST:PORT, got {text!r}")
    return name, host, int(port)


async def pipe(reader, writer, counter, key):
    """Copies reader to writer until EOF or an error, then half-closes writer."""
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            counter[key] += len(data)
            writer.write(data)
            await writer.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            if writer.can_write_eof() and not writer.is_closing():
                writer.write_eof()
        except OSError:
            pass


async def open_backend(conn_id, backends):
    """Connects to the first backend that answers; returns (name, reader, writer) or None."""
    refusals = []
    for name, host, port in backends:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), CONNECT_TIMEOUT)
        except (OSError, asyncio.TimeoutError) as err:
            refusals.append(f"{name} {host}:{port} {type(err).__name__}")
            continue
        via = f" ({'; '.join(refusals)})" if refusals else ""
        log(f"conn {conn_id} -> {name} {host}:{port}{via}")
        return name, reader, writer
    log(f"conn {conn_id}: no backend answered ({'; '.join(refusals)}); closing it")
    return None


async def handle(client_reader, client_writer, backends, ids):
    conn_id = next(ids)
    peer = client_writer.get_extra_info("peername")
    log(f"conn {conn_id} from {peer[0]}:{peer[1]}")
    backend = await open_backend(conn_id, backends)
    if backend is None:
        client_writer.close()
        return
    name, up_reader, up_writer = backend
    counter = {"up": 0, "down": 0}
    tasks = {
        asyncio.ensure_future(pipe(client_reader, up_writer, counter, "up")),
        asyncio.ensure_future(pipe(up_reader, client_writer, counter, "down")),
    }
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    if pending:
        _, pending = await asyncio.wait(pending, timeout=DRAIN_GRACE)
    for task in pending:
        task.cancel()
    for writer in (up_writer, client_writer):
        writer.close()
    log(f"conn {conn_id} ({name}) closed: {counter['up']} bytes up, {counter['down']} bytes down")


async def watch_parent(parent, limit):
    """Returns when the starting process is gone or after `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if os.getppid() != parent:
            log("the process that started the proxy is gone; exiting")
            return
        await asyncio.sleep(0.5)
    log(f"lifetime limit of {limit:.0f} s reached; exiting")


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--backend", action="append", type=parse_backend, required=True,
                        help="NAME=HOST:PORT, in order of preference")
    parser.add_argument("--max-seconds", type=float, default=900)
    args = parser.parse_args()
    parent = os.getppid()

    ids = itertools.count(1)
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, args.backend, ids), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    tmp = f"{args.port_file}.tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, args.port_file)
    log(f"listening on 127.0.0.1:{port}, backends in order: "
        + ", ".join(f"{n} {h}:{p}" for n, h, p in args.backend))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watcher = asyncio.ensure_future(watch_parent(parent, args.max_seconds))
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({watcher, stopper}, return_when=asyncio.FIRST_COMPLETED)
    watcher.cancel()
    stopper.cancel()
    server.close()
    log("stopped")


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)

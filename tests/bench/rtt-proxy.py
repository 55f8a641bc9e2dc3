#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A round-trip injector: a TCP proxy that delays each direction by RTT/2.

    rtt-proxy.py --listen 127.0.0.1:0 --target 127.0.0.1:PORT --rtt-ms 50

Every byte read from one side is written to the other RTT/2 later, in the
order it came (the delay is the same for all, so order is kept by a FIFO per
direction). A direction holding more than --buffer bytes not yet written
stops reading until it drains: memory stays bounded, and TCP's own flow
control slows the sender, as a long link would. Placed between clients and
kvs-signaling-server, it makes every REST call, TLS handshake and WebSocket
message pay the round trips a user pays on the internet (TLS passes
through untouched: the proxy only moves bytes). A new connection's first
byte is held one extra round trip, for the TCP handshake a real link takes.

Prints "rtt-proxy listening on 127.0.0.1:PORT" once ready; SIGTERM or
SIGINT stops it. With --log-connections, one line "connection N" follows
for each connection accepted. Loopback only: --listen and --target must be 127.0.0.1 or
::1 addresses.
"""

import argparse
import asyncio
import collections
import ipaddress
import signal
import sys


def loopback_hostport(text):
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not ipaddress.ip_address(host).is_loopback:
        raise argparse.ArgumentTypeError("%s is not a loopback address" % host)
    return host, int(port)


class Direction:
    """One way of one connection: reads @reader, writes @writer @delay later."""

    def __init__(self, reader, writer, delay, limit):
        self.reader, self.writer = reader, writer
        self.delay, self.limit = delay, limit
        self.queue = collections.deque()   # (due time, bytes)
        self.pending = 0
        self.drained = asyncio.Event()
        self.drained.set()
        self.wake = asyncio.Event()

    async def pump_in(self):
        loop = asyncio.get_running_loop()
        try:
            while True:
                await self.drained.wait()
                data = await self.reader.read(65536)
                self.queue.append((loop.time() + self.delay, data))
                self.wake.set()
                if not data:
                    return
                self.pending += len(data)
                if self.pending > self.limit:
                    self.drained.clear()
        except (ConnectionError, asyncio.CancelledError):
            self.queue.append((loop.time() + self.delay, b""))
            self.wake.set()

    async def pump_out(self):
        loop = asyncio.get_running_loop()
        try:
            while True:
                while not self.queue:
                    self.wake.clear()
                    await self.wake.wait()
                due, data = self.queue[0]
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self.queue.popleft()
                if not data:
                    if self.writer.can_write_eof():
                        self.writer.write_eof()
                    return
                self.writer.write(data)
                await self.writer.drain()
                self.pending -= len(data)
                if self.pending <= self.limit:
                    self.drained.set()
        except (ConnectionError, asyncio.CancelledError):
            pass


async def handle(client_reader, client_writer, args):
    delay = args.rtt_ms / 2000.0
    if args.log_connections:
        handle.count = getattr(handle, "count", 0) + 1
        print("connection %d" % handle.count, flush=True)
    try:
        # TCP's own handshake: on a real link the client's first byte leaves
        # one round trip after connect() (SYN, SYN-ACK), the proxy accepted
        # at once: hold everything for that round trip.
        await asyncio.sleep(2 * delay)
        server_reader, server_writer = await asyncio.open_connection(*args.target)
    except (OSError, asyncio.CancelledError):
        client_writer.close()
        return
    up = Direction(client_reader, server_writer, delay, args.buffer)
    down = Direction(server_reader, client_writer, delay, args.buffer)
    tasks = [asyncio.ensure_future(t) for t in
             (up.pump_in(), up.pump_out(), down.pump_in(), down.pump_out())]
    try:
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:
        pass
    finally:
        for t in tasks:
            t.cancel()
        for w in (client_writer, server_writer):
            w.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", type=loopback_hostport, default=("127.0.0.1", 0))
    ap.add_argument("--target", type=loopback_hostport, required=True)
    ap.add_argument("--rtt-ms", type=float, required=True)
    ap.add_argument("--buffer", type=int, default=1 << 20,
                    help="bytes held per direction before reading stops")
    ap.add_argument("--log-connections", action="store_true",
                    help='print "connection N" for each connection accepted')
    args = ap.parse_args()

    server = await asyncio.start_server(lambda r, w: handle(r, w, args), *args.listen)
    host, port = server.sockets[0].getsockname()[:2]
    print("rtt-proxy listening on %s:%d" % (host, port), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)

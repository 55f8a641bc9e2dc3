#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The round-trip injector (tests/bench/rtt-proxy.py) does what the join
benchmark relies on (meson test bench_rtt_proxy):

  - every byte arrives, in order, both ways (a 4 MiB stream echoed back);
  - each direction is delayed: a request-response through the proxy takes
    at least one RTT, and a new connection's first reply at least two (the
    TCP handshake a real link takes); lower bounds only, so a slow machine
    cannot fail it;
  - its buffers are bounded: towards a peer that does not read, a sender
    can push only about --buffer bytes plus the kernel's socket buffers;
  - it refuses a non-loopback address.

    rtt-proxy-test.py PROXY_SCRIPT
"""

import os
import socket
import subprocess
import sys
import threading
import time

RTT_MS = 200
BUFFER = 256 * 1024


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


def echo_server(srv, stop):
    srv.settimeout(0.2)
    while not stop.is_set():
        try:
            c, _ = srv.accept()
        except socket.timeout:
            continue

        def serve(c):
            with c:
                while True:
                    d = c.recv(65536)
                    if not d:
                        return
                    c.sendall(d)
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def start_proxy(script, target_port, extra=()):
    p = subprocess.Popen(["/usr/bin/python3", script, "--listen", "127.0.0.1:0",
                          "--target", "127.0.0.1:%d" % target_port,
                          "--rtt-ms", str(RTT_MS), "--buffer", str(BUFFER)] + list(extra),
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if "listening on" not in line:
        p.kill()
        fail("rtt-proxy.py did not start: %r" % line)
    return p, int(line.split()[-1].rsplit(":", 1)[1])


def main():
    script = sys.argv[1]
    procs = []
    stop = threading.Event()
    try:
        # 1. bytes intact and in order, both ways; the delays
        echo = listener()
        threading.Thread(target=echo_server, args=(echo, stop), daemon=True).start()
        p, port = start_proxy(script, echo.getsockname()[1])
        procs.append(p)
        c = socket.create_connection(("127.0.0.1", port), timeout=30)
        t0 = time.monotonic()
        c.sendall(b"x")
        if c.recv(1) != b"x":
            fail("first echo byte lost")
        first = time.monotonic() - t0
        t0 = time.monotonic()
        c.sendall(b"y")
        if c.recv(1) != b"y":
            fail("second echo byte lost")
        second = time.monotonic() - t0
        if first < 2 * RTT_MS / 1000 * 0.95:
            fail("a new connection's first reply took %.3f s, less than 2 RTT" % first)
        if second < RTT_MS / 1000 * 0.95:
            fail("a request-response took %.3f s, less than one RTT" % second)
        data = os.urandom(4 * 1024 * 1024)
        got = bytearray()

        def reader():
            while len(got) < len(data):
                d = c.recv(65536)
                if not d:
                    return
                got.extend(d)
        r = threading.Thread(target=reader)
        r.start()
        c.sendall(data)
        r.join(60)
        if bytes(got) != data:
            fail("the echoed stream differs (%d of %d bytes back)" % (len(got), len(data)))
        c.close()
        print("ok: intact stream; first reply %.3f s (>= 2 RTT), then %.3f s (>= 1 RTT)"
              % (first, second), flush=True)

        # 2. bounded: a peer that accepts and never reads
        sink = listener()
        held = []
        threading.Thread(target=lambda: held.append(sink.accept()), daemon=True).start()
        p2, port2 = start_proxy(script, sink.getsockname()[1])
        procs.append(p2)
        c = socket.create_connection(("127.0.0.1", port2), timeout=30)
        c.setblocking(False)
        sent, chunk, end = 0, b"z" * 65536, time.monotonic() + 3
        while time.monotonic() < end and sent < 256 * 1024 * 1024:
            try:
                sent += c.send(chunk)
            except BlockingIOError:
                time.sleep(0.05)
        c.close()
        # the proxy's buffer plus the kernel's socket buffers of the two
        # hops (loopback: a few MiB each at most)
        if sent >= 64 * 1024 * 1024:
            fail("%d MiB went into a proxy whose peer reads nothing: unbounded"
                 % (sent >> 20))
        print("ok: towards a peer that reads nothing, %.1f MiB were taken, then the "
              "sender was held" % (sent / 1048576), flush=True)

        # 3. loopback only
        r = subprocess.run(["/usr/bin/python3", script, "--listen", "127.0.0.1:0",
                            "--target", "192.0.2.1:80", "--rtt-ms", "10"],
                           capture_output=True, text=True, timeout=30)
        if r.returncode == 0 or "loopback" not in r.stderr:
            fail("a non-loopback target was not refused: %r" % r.stderr[-200:])
        print("ok: non-loopback target refused", flush=True)
    finally:
        stop.set()
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    print("PASS", flush=True)


if __name__ == "__main__":
    main()

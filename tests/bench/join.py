#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The join benchmark's driver (tests/bench/run --only join runs it).

    run-in-netns.sh join.py --server EXE --rtts 0,20,50,150 --rounds N
                            [--clients a,b] [--budget S]

Inside the network namespace of tests/browser/run-in-netns.sh (Chromium's
WebRTC needs a non-loopback interface: KVS_TEST_HOST is its address), it
starts:
  - kvs-signaling-server with TLS (a self-signed certificate made here with
    the openssl CLI) on 127.0.0.1, serving the viewer page (tools/viewer/dist);
  - one master, `videotestsrc ! vp8enc ! kvswebrtcsink`, connected to the
    service directly (no delay: only the viewer's network is varied);
  - per RTT, tests/bench/rtt-proxy.py in front of the service; the viewers
    use the proxy's address, and GetSignalingChannelEndpoint answers with
    the host a client used, so REST, TLS and the WebSocket all go through it.
Then it runs the clients (CLIENTS below) round by round, alternating their
order, and prints one JSON line: every join's times and what it cost the
service (REST calls by operation from the service's debug log, WebSockets
from /_control/counters, TCP connections counted by the proxy).

Media (ICE, DTLS, RTP) goes over the namespace's veth with no delay: the
round trips on the media path are the same for every client and are not
part of what this measures.
"""

import argparse
import collections
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
AK, SK = "AKIDBENCHMARK", "bench-secret-key"
CHANNEL = "bench-join"
VIEWER_DIR = os.path.join(ROOT, "tools", "viewer", "dist")   # the browser client's page
HOST = os.environ.get("KVS_TEST_HOST", "127.0.0.1")

children = []


def log(*a):
    print("[join]", *a, file=sys.stderr, flush=True)


def spawn(argv, env=None, stdin=None, stderr=subprocess.DEVNULL):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, stdin=stdin,
                         env=env, text=True)
    children.append(p)
    return p


def stop(p, sig=signal.SIGTERM):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in children:
        children.remove(p)


class Lines:
    """Reads @p's stdout in a thread: lines matching a key are kept."""

    def __init__(self, p):
        self.lines = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, args=(p,), daemon=True).start()

    def _read(self, p):
        for line in p.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)
            self.cond.notify_all()

    def wait(self, pred, start, timeout):
        """The first line from index @start on that satisfies @pred."""
        end = time.monotonic() + timeout
        with self.cond:
            i = start
            while True:
                while i < len(self.lines):
                    line = self.lines[i]
                    i += 1
                    if line is None:
                        return None
                    if pred(line):
                        return line
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def count(self, pred):
        with self.cond:
            return sum(1 for l in self.lines if l is not None and pred(l))

    def __len__(self):
        with self.cond:
            return len(self.lines)


def make_cert(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class Service:
    def __init__(self, exe, cert, key, tmp, env):
        self.log = os.path.join(tmp, "server.log")
        env = dict(env, GST_DEBUG="kvsserver:5", GST_DEBUG_FILE=self.log,
                   GST_DEBUG_NO_COLOR="1")
        self.proc = spawn([exe, "--listen", "127.0.0.1:0", "--access-key", AK,
                           "--secret-key", SK, "--region", "us-west-2", "--control",
                           "--tls-cert", cert, "--tls-key", key, "--keep-alive",
                           ] + (["--viewer-dir", VIEWER_DIR] if os.path.isdir(VIEWER_DIR) else []),
                          env=env)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError("kvs-signaling-server did not start (%r)" % line)
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
        self.url = line.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.ssl = ssl.create_default_context(cafile=cert)
        self.cert = cert

    def counters(self):
        with urllib.request.urlopen(self.url + "/_control/counters", timeout=5,
                                    context=self.ssl) as r:
            return json.load(r)

    def channel_arn(self, name):
        """DescribeSignalingChannel with botocore (Debian's python3-botocore)."""
        import botocore.session
        for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):   # set empty by tests/bench/run
            if not os.environ.get(k):
                os.environ.pop(k, None)
        s = botocore.session.get_session()
        c = s.create_client("kinesisvideo", region_name="us-west-2", endpoint_url=self.url,
                            verify=self.cert, aws_access_key_id=AK,
                            aws_secret_access_key=SK)
        return c.describe_signaling_channel(ChannelName=name)["ChannelInfo"]["ChannelARN"]

    def log_size(self):
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def operations(self, offset):
        """REST operations (POST /xxx) logged after byte @offset."""
        with open(self.log, errors="replace") as f:
            f.seek(offset)
            text = f.read()
        return dict(collections.Counter(re.findall(r"POST (/[A-Za-z0-9/_-]+)", text)))


# The master process: gst-launch-1.0, plus a dtlsdec made first, as in a
# master that served viewers before: it makes the process-wide DTLS
# certificate (an RSA key, 50-500 ms) now, not when the measured viewer's
# offer arrives.
MASTER = """
import signal, sys
import gi
gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst
Gst.init(None)
Gst.ElementFactory.make("dtlsdec", None)
p = Gst.parse_launch(sys.argv[1])
loop = GLib.MainLoop()
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
p.set_state(Gst.State.PLAYING)
loop.run()
p.set_state(Gst.State.NULL)
"""


def start_master(srv, cert, env, channel):
    """A kvswebrtcsink master of @channel, returned once connected."""
    pipeline = ("videotestsrc is-live=true pattern=ball ! "
                "video/x-raw,width=640,height=480,framerate=30/1 ! "
                "vp8enc deadline=1 target-bitrate=1000000 ! "
                "kvswebrtcsink channel-name=%s endpoint=%s ca-file=%s access-key=%s "
                "secret-key=%s aws-region=us-west-2 local-addresses=%s create-channel=true"
                % (channel, srv.url, cert, AK, SK, HOST))
    c0 = srv.counters()["connectionsTotal"]
    p = spawn(["/usr/bin/python3", "-c", MASTER, pipeline], env=env,
              stderr=None if os.environ.get("KVS_JOIN_VERBOSE") else subprocess.DEVNULL)
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    end = time.monotonic() + 20
    while time.monotonic() < end:
        if p.poll() is not None:
            raise RuntimeError("the kvswebrtcsink master exited (%s)" % p.returncode)
        try:
            if srv.counters()["connectionsTotal"] > c0:
                return p
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the kvswebrtcsink master did not connect within 20 s")


# ---- the clients --------------------------------------------------------------

def gst_viewer(ctx, endpoint, channel, client_id, cache_dir, arn=None):
    """A new process: /usr/bin/python3 join-viewer.py (kvswebrtcsrc)."""
    env = dict(ctx["env"], KVS_SIGNALING_CACHE_DIR=os.path.join(cache_dir, "kvssignaling"),
               KVS_SIGNALING_CACHE_TTL="")
    t0 = time.monotonic()
    p = spawn(["/usr/bin/python3", os.path.join(HERE, "join-viewer.py"), endpoint,
               ctx["cert"], channel, client_id, AK, SK, HOST] + ([arn] if arn else []),
              env=env)
    try:
        out, _ = p.communicate(timeout=45)
    except subprocess.TimeoutExpired:
        stop(p)
        return {"error": "the viewer process did not finish within 45 s"}
    children.remove(p)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines:
        return {"error": "the viewer process printed nothing (exit %s)" % p.returncode}
    d = json.loads(lines[-1])
    if "error" in d:
        return {"error": d["error"]}
    return {"join_ms": (d["frame"] - d["playing"]) * 1000,
            "process_ms": (d["frame"] - t0) * 1000}


def gst_cold(ctx, endpoint, channel, client_id):
    with tempfile.TemporaryDirectory(prefix="kvs-join-cache-") as cache:
        return gst_viewer(ctx, endpoint, channel, client_id, cache)


def gst_cold_arn(ctx, endpoint, channel, client_id):
    """Cold, but given the channel's ARN (channel-arn), as an application
    that stored it at set-up: no DescribeSignalingChannel. The ARN is read
    before the clock starts (one_join), as AWS's CLI would print it."""
    with tempfile.TemporaryDirectory(prefix="kvs-join-cache-") as cache:
        return gst_viewer(ctx, endpoint, channel, client_id, cache, ctx["arn"])


def gst_warm(ctx, endpoint, channel, client_id):
    """The on-disk channel cache (gstkvschannelcache.c) of the viewers that
    joined this channel through this endpoint before: one directory kept
    across joins, filled by the unmeasured warm-up join of each RTT."""
    return gst_viewer(ctx, endpoint, channel, client_id, ctx["warm_cache"])


def browser(ctx, endpoint, channel, client_id):
    b = ctx["browser"]
    url = ("%s/viewer?channel=%s&region=us-west-2&clientId=%s#accessKeyId=%s"
           "&secretAccessKey=%s" % (endpoint, channel, client_id, AK, SK))
    start = len(b["lines"])
    b["proc"].stdin.write(json.dumps({"url": url}) + "\n")
    b["proc"].stdin.flush()
    line = b["lines"].wait(lambda l: l.startswith("{"), start, 60)
    if line is None:
        return {"error": "the browser driver did not answer"}
    d = json.loads(line)
    if d.get("frame_ms") is None or d.get("errors"):
        return {"error": "; ".join(d.get("errors") or ["no frame"])}
    return {"join_ms": d["frame_ms"], "script_ms": d.get("script_ms")}


# name -> (what it is, how to run one join).
CLIENTS = {
    "kvswebrtcsrc-cold": ("kvswebrtcsrc, cold (new process, nothing cached): "
                          "PLAYING → first decoded frame", gst_cold),
    "kvswebrtcsrc-cold-arn": ("kvswebrtcsrc, cold with the channel's ARN given "
                              "(channel-arn; new process, nothing cached): PLAYING → "
                              "first decoded frame", gst_cold_arn),
    "kvswebrtcsrc-warm": ("kvswebrtcsrc, warm (new process, the channel's ARN and "
                          "endpoints in the on-disk cache): PLAYING → first decoded "
                          "frame", gst_warm),
    "browser": ("AWS's JS SDK: the viewer page in headless Chromium: "
                "navigation start → first rendered frame", browser),
}


def one_join(ctx, srv, client, endpoint, n, tcp_count=lambda: 0):
    """One join of @client with a new master on a new channel, connected
    before the clock starts, stopped after. (With one master for every
    join, each Chromium viewer after the first reached 'connected' and then
    received no media, its master no RTCP: see docs/performance.md.)"""
    # a warm viewer joins the channel its cache knows (the previous
    # masters are gone; each join still has a new one)
    channel = "%s-%d" % (CHANNEL, n) if client != "kvswebrtcsrc-warm" else CHANNEL + "-warm"
    master = start_master(srv, ctx["cert"], ctx["env"], channel)
    # a master that has been running a while: its encoder past its first
    # frames, its process past its start-up work
    time.sleep(ctx.get("settle", 0))
    try:
        if client == "kvswebrtcsrc-cold-arn":
            ctx["arn"] = srv.channel_arn(channel)
        c0, off, p0 = srv.counters(), srv.log_size(), tcp_count()
        res = CLIENTS[client][1](ctx, endpoint, channel, "bench-join-viewer-%d" % n)
        time.sleep(0.3)   # late requests of this join are counted
        c1 = srv.counters()
        res.update(rest_calls=c1["restRequests"] - c0["restRequests"],
                   websockets=c1["connectionsTotal"] - c0["connectionsTotal"],
                   tcp_connections=tcp_count() - p0,
                   operations=srv.operations(off))
        return res
    finally:
        stop(master, signal.SIGINT)


def start_browser(env):
    p = spawn(["node", os.path.join(HERE, "join-browser.mjs")], env=env,
              stdin=subprocess.PIPE)
    lines = Lines(p)
    if lines.wait(lambda l: '"ready"' in l, 0, 60) is None:
        raise RuntimeError("headless Chromium did not start")
    return {"proc": p, "lines": lines}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--rtts", default="0,20,50,150")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--clients", default=",".join(CLIENTS))
    ap.add_argument("--budget", type=float, default=540, help="seconds")
    ap.add_argument("--master-settle", type=float, default=1.0,
                    help="seconds between the master's connect and the viewer's start")
    args = ap.parse_args()
    rtts = [int(x) for x in args.rtts.split(",")]
    clients = args.clients.split(",")
    t_end = time.monotonic() + args.budget
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="kvs-join-")
    result = {"rtts": rtts, "clients": {c: CLIENTS[c][0] for c in clients},
              "host": HOST, "joins": []}
    try:
        cert, key = make_cert(tmp)
        srv = Service(args.server, cert, key, tmp, env)
        ctx = {"env": env, "cert": cert, "warm_cache": os.path.join(tmp, "warm-cache"),
               "settle": args.master_settle}
        os.makedirs(ctx["warm_cache"], mode=0o700)
        if "browser" in clients:
            ctx["browser"] = start_browser(env)
        n = 0
        # one join per client first, not measured: the binaries and the page
        # in the page cache, and Chromium past its network-change check
        # (ERR_NETWORK_CHANGED right after the namespace comes up)
        time.sleep(1)
        for c in clients:
            for attempt in range(3):
                n += 1
                r = one_join(ctx, srv, c, srv.url, n)
                log("warm-up %s: %s" % (c, r.get("join_ms", r.get("error"))))
                if "error" not in r:
                    break
        for rtt in rtts:
            proxy = spawn(["/usr/bin/python3", os.path.join(HERE, "rtt-proxy.py"),
                           "--listen", "127.0.0.1:0", "--target", "127.0.0.1:%d" % srv.port,
                           "--rtt-ms", str(rtt), "--log-connections"], env=env)
            plines = Lines(proxy)
            first = plines.wait(lambda l: "listening on" in l, 0, 10)
            if first is None:
                raise RuntimeError("rtt-proxy.py did not start")
            endpoint = "https://" + first.split()[-1]
            if os.environ.get("KVS_JOIN_DIRECT"):
                endpoint = srv.url
            if "kvswebrtcsrc-warm" in clients:
                # fills the warm cache for this endpoint (the proxy's
                # address is part of an entry's key)
                n += 1
                res = one_join(ctx, srv, "kvswebrtcsrc-warm", endpoint, n)
                log("RTT %d ms, warm-up of the cache: %s (REST %s)" % (
                    rtt, res.get("join_ms", res.get("error")), res.get("operations")))
            for r in range(args.rounds):
                if r > 1 and time.monotonic() > t_end:
                    log("budget spent: RTT %d ms stops after %d rounds" % (rtt, r))
                    break
                order = clients if r % 2 == 0 else list(reversed(clients))
                for c in order:
                    n += 1
                    res = one_join(ctx, srv, c, endpoint, n, lambda: plines.count(
                        lambda l: l.startswith("connection ")))
                    res.update(client=c, rtt_ms=rtt, round=r)
                    log("RTT %d ms, round %d, %s: %s" % (rtt, r, c, res.get("join_ms", res.get("error"))))
                    result["joins"].append(res)
            stop(proxy)
    except Exception as e:  # report what was measured
        result["error"] = str(e)
    finally:
        for p in list(children):
            stop(p)
        subprocess.run(["rm", "-rf", tmp])
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kvssignaling demo: a master and a viewer streaming through the local
KVS-compatible signaling service.

Starts kvs-signaling-server on 127.0.0.1, a master pipeline (test pattern
in VP8 and a tone in Opus into kvswebrtcsink) and a viewer pipeline
(kvswebrtcsrc ! decodebin) in this process on the channel "demo", prints a
timeline of what happened on each side and a summary, stops the viewer and
exits 0 (1 when no video arrived).

    scripts/demo.py BUILD_DIR [--frames N] [--timeout S] [--keep]

--keep leaves the service and the master running after the summary, serving
every viewer that comes (the browser viewer page among them) until Ctrl-C
or SIGTERM.
"""

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request

REGION = "us-west-2"
CHANNEL = "demo"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("build_dir")
    p.add_argument("--frames", type=int, default=150,
                   help="frames the viewer decodes before the summary")
    p.add_argument("--timeout", type=float, default=40.0,
                   help="seconds before giving up")
    p.add_argument("--keep", action="store_true",
                   help="keep the service and master running afterwards")
    return p.parse_args()


args = parse_args()
build = os.path.abspath(args.build_dir)
# Only this build's plugin, plus the system's.
os.environ["GST_PLUGIN_PATH"] = os.path.join(build, "plugin")

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstWebRTC  # noqa: E402

T0 = time.monotonic()
timeline = []


def event(side, what):
    t = time.monotonic() - T0
    timeline.append((t, side, what))
    print("  %7.3f s  %-7s %s" % (t, side, what), flush=True)


def first(side, what):
    for t, s, w in timeline:
        if s == side and w.startswith(what):
            return t
    return None


class Server:
    def __init__(self):
        exe = os.path.join(build, "tools", "kvs-signaling-server",
                           "kvs-signaling-server")
        if not os.access(exe, os.X_OK):
            sys.exit("demo: %s is missing: build first (scripts/run build)"
                     % exe)
        # Local, throw-away credentials: the service accepts exactly these.
        self.access_key = "AKIDLOCALDEMO" + secrets.token_hex(4).upper()
        self.secret_key = secrets.token_urlsafe(30)
        self.proc = subprocess.Popen(
            [exe, "--listen", "127.0.0.1:0", "--region", REGION,
             "--access-key", self.access_key, "--secret-key", self.secret_key,
             "--create-channel", CHANNEL, "--control"],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"(https?://\S+)", line)
        if not m:
            self.proc.kill()
            sys.exit("demo: the service did not start (it said %r)" % line)
        self.url = m.group(1).rstrip("/")

    def counters(self):
        try:
            with urllib.request.urlopen(self.url + "/_control/counters",
                                        timeout=2) as r:
                return json.load(r)
        except Exception:  # noqa: BLE001 - the summary just omits them
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode


class Side:
    """One pipeline around a kvswebrtcsink (master) or kvswebrtcsrc (viewer)
    bin; the timeline comes from the kvssignalingsrc/kvssignalingsink pair
    inside it and from the bus."""

    def __init__(self, role, server, desc):
        self.role = role
        self.pipeline = Gst.parse_launch(desc)
        self.pipeline.set_name(role)
        self.bin = self.pipeline.get_by_name(role)
        props = {"channel-name": CHANNEL, "aws-region": REGION,
                 "endpoint": server.url, "access-key": server.access_key,
                 "secret-key": server.secret_key,
                 # Both pipelines share this host: ICE over loopback only.
                 "local-addresses": "127.0.0.1"}
        if role == "viewer":
            props["client-id"] = "demo-viewer"
        for name, value in props.items():
            self.bin.set_property(name, value)
        # The pair's signals come from the signaling thread: only record.
        sink = self.bin.get_by_name("signaling-sink")
        src = self.bin.get_by_name("signaling-src")
        self.pair = (sink, src)
        sink.connect("offer-sent", lambda *a: event(role, "offer sent"))
        sink.connect("answer-sent", lambda *a: event(role, "answer sent"))
        src.connect("offer-received",
                    lambda *a: event(role, "offer received"))
        src.connect("answer-received",
                    lambda *a: event(role, "answer received"))
        self.ice_candidates = 0
        src.connect("ice-candidate-received", self.on_candidate)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        self.errors = []

    def on_candidate(self, *a):
        self.ice_candidates += 1

    def on_message(self, bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            self.errors.append(err.message)
            event(self.role, "ERROR from %s: %s" % (msg.src.get_name(),
                                                   err.message))
            loop.quit()
        elif msg.type == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            event(self.role, "warning: %s" % err.message)
        elif msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == "kvssignaling-state" and msg.src in self.pair:
                nick = s.get_value("state").value_nick
                if nick in ("connected", "disconnected", "failed"):
                    event(self.role, "signaling " + nick)
            elif s.get_name() == "kvssignaling-peer":
                state = s.get_value("connection-state")
                if state in (GstWebRTC.WebRTCPeerConnectionState.CONNECTED,
                             GstWebRTC.WebRTCPeerConnectionState.FAILED):
                    peer = s.get_value("peer") or "the master"
                    event(self.role, "peer connection %s (%s)"
                          % (state.value_nick, peer))

    def start(self):
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            event(self.role, "could not start the pipeline")
            return False
        return True

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)


class Master(Side):
    """The one-line camera: a test pattern (VP8) and a tone (Opus) into
    kvswebrtcsink, which serves every viewer that comes."""

    def __init__(self, server):
        super().__init__(
            "master", server,
            "kvswebrtcsink name=master "
            "videotestsrc is-live=true pattern=ball ! "
            "video/x-raw,width=320,height=240,framerate=30/1 ! "
            "vp8enc deadline=1 keyframe-max-dist=30 ! master.video_0 "
            "audiotestsrc is-live=true wave=ticks ! audioconvert ! "
            "audioresample ! opusenc ! master.audio_0")
        self.bin.connect("viewer-added", lambda b, peer, *a:
                         event("master", "viewer added: %s" % peer))
        self.bin.connect("viewer-removed", lambda b, peer, *a:
                         event("master", "viewer removed: %s" % peer))


class Viewer(Side):
    """The one-line viewer: kvswebrtcsrc ! decodebin, counting frames."""

    def __init__(self, server):
        super().__init__(
            "viewer", server,
            "kvswebrtcsrc name=viewer ! decodebin ! videoconvert ! "
            "fakesink name=frames signal-handoffs=true sync=false")
        self.frames = 0
        self.first_frame_at = None
        self.pipeline.get_by_name("frames").connect("handoff", self.on_frame)

    def on_frame(self, sink, buf, pad):
        self.frames += 1
        if self.frames == 1:
            self.first_frame_at = time.monotonic()
            GLib.idle_add(event, "viewer", "first frame decoded")
        if self.frames == args.frames:
            GLib.idle_add(loop.quit)


def ms(a, b):
    return "%.0f ms" % ((b - a) * 1000) if a is not None and b is not None \
        else "n/a"


def main():
    global loop
    Gst.init(None)
    for factory in ("kvswebrtcsink", "kvswebrtcsrc", "webrtcbin",
                    "vp8enc", "vp8dec", "opusenc", "nicesrc"):
        if not Gst.ElementFactory.find(factory):
            sys.exit("demo: GStreamer element %s is missing" % factory)

    print("kvssignaling demo: a master and a viewer through the local "
          "signaling service\n")
    server = Server()
    sides = []
    try:
        return run(server, sides)
    finally:
        for side in sides:
            side.stop()
        rc = server.stop()
        if rc != 0:
            print("  the service exited with status %d" % rc)


def run(server, sides):
    global loop
    print("  service   %s (region %s, channel %r)" % (server.url, REGION,
                                                       CHANNEL))
    viewer_page = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "..", "tools", "viewer", "dist")
    if os.path.isdir(viewer_page):
        print("  browser   %s/viewer?channel=%s&region=%s#accessKeyId=%s"
              "&secretAccessKey=%s" % (server.url, CHANNEL, REGION,
                                       server.access_key, server.secret_key))
        print("            (add &audio=1 for the sound; with --keep the "
              "page keeps working after the summary)")
    print("\ntimeline:")

    loop = GLib.MainLoop()
    master = Master(server)
    sides.append(master)
    viewer = Viewer(server)
    sides.append(viewer)
    timed_out = []

    def on_timeout():
        timed_out.append(True)
        event("demo", "timeout after %.0f s" % args.timeout)
        loop.quit()
        return False

    ok = master.start() and viewer.start()
    timeout = None
    if ok:
        timeout = GLib.timeout_add(int(args.timeout * 1000), on_timeout)
        loop.run()
    if timeout is not None and not timed_out:
        GLib.source_remove(timeout)
    viewer.stop()
    end = time.monotonic()
    counters = server.counters()

    print("\nsummary:")
    v_conn = first("viewer", "signaling connected")
    m_conn = first("master", "signaling connected")
    print("  signaling connected   master %s, viewer %s after start"
          % (ms(0, m_conn) if m_conn else "n/a",
             ms(0, v_conn) if v_conn else "n/a"))
    print("  offer -> answer       %s (viewer's offer sent to its answer "
          "received)" % ms(first("viewer", "offer sent"),
                           first("viewer", "answer received")))
    print("  peer connected        %s after the offer"
          % ms(first("viewer", "offer sent"),
               first("viewer", "peer connection connected")))
    print("  first frame           %s after start"
          % ms(0, first("viewer", "first frame")))
    print("  ICE candidates        master received %d, viewer received %d"
          % (master.ice_candidates, viewer.ice_candidates))
    if viewer.first_frame_at:
        secs = end - viewer.first_frame_at
        print("  frames decoded        %d in %.1f s (%.1f fps)"
              % (viewer.frames, secs, viewer.frames / secs if secs else 0))
    else:
        print("  frames decoded        0")
    if counters is not None:
        print("  service counters      %s" % json.dumps(counters,
                                                        sort_keys=True))

    if args.keep and viewer.frames and not master.errors:
        print("\n--keep: the service and the master keep running and serve "
              "every viewer that comes (up to ten at once); Ctrl-C ends "
              "them.")
        if os.path.isdir(viewer_page):
            print("  browser   %s/viewer?channel=%s&region=%s&audio=1"
                  "#accessKeyId=%s&secretAccessKey=%s"
                  % (server.url, CHANNEL, REGION, server.access_key,
                     server.secret_key))
        for signum in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
        loop.run()
    good = viewer.frames >= min(args.frames, 30) and not master.errors \
        and not viewer.errors
    print("\nresult: %s" % ("OK: video flowed from master to viewer through "
                            "the local service" if good else "FAILED"))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())

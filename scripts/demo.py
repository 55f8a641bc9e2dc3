#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kvssignaling demo: a master and a viewer streaming through the local
KVS-compatible signaling service.

Starts kvs-signaling-server on 127.0.0.1, a master pipeline (test pattern,
VP8) and a viewer pipeline (VP8 decode) in this process, each with a
kvssignalingsink/kvssignalingsrc pair on the channel "demo", prints a
timeline of what happened on each side and a summary, stops everything and
exits 0 (1 when no video arrived).

    scripts/demo.py BUILD_DIR [--frames N] [--timeout S] [--keep]

--keep leaves the service and the master running after the summary, so the
browser viewer page can be opened; Ctrl-C ends it.
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
VP8_CAPS = ("application/x-rtp,media=video,encoding-name=VP8,payload=96,"
            "clock-rate=90000")


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
    """One pipeline: webrtcbin plus the kvssignalingsink/src pair."""

    def __init__(self, role, server, desc):
        self.role = role
        parsed = Gst.parse_launch(desc)
        if isinstance(parsed, Gst.Pipeline):
            self.pipeline = parsed
        else:  # a single element
            self.pipeline = Gst.Pipeline.new(None)
            self.pipeline.add(parsed)
        self.pipeline.set_name(role)
        self.webrtc = self.pipeline.get_by_name("wb")
        self.sink = Gst.ElementFactory.make("kvssignalingsink", None)
        self.src = Gst.ElementFactory.make("kvssignalingsrc", None)
        for element in (self.sink, self.src):
            element.set_property("webrtcbin", self.webrtc)
            Gst.util_set_object_arg(element, "role", role)
            element.set_property("channel-name", CHANNEL)
            element.set_property("aws-region", REGION)
            element.set_property("endpoint", server.url)
            element.set_property("access-key", server.access_key)
            element.set_property("secret-key", server.secret_key)
            # Both pipelines share this host: ICE over loopback only.
            element.set_property("local-addresses", "127.0.0.1")
            if role == "viewer":
                element.set_property("client-id", "demo-viewer")
            self.pipeline.add(element)
        # The elements' signals come from the signaling thread: only record.
        self.sink.connect("offer-sent", lambda *a: event(role, "offer sent"))
        self.sink.connect("answer-sent",
                          lambda *a: event(role, "answer sent"))
        self.src.connect("offer-received",
                         lambda *a: event(role, "offer received"))
        self.src.connect("answer-received",
                         lambda *a: event(role, "answer received"))
        self.src.connect("peer-added",
                         lambda s, peer: event(role, "peer added: %s" % peer))
        self.ice_candidates = 0
        self.src.connect("ice-candidate-received", self.on_candidate)
        self.webrtc.connect("notify::ice-connection-state", self.on_ice)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        self.errors = []

    def on_candidate(self, *a):
        self.ice_candidates += 1

    def on_ice(self, webrtc, pspec):
        state = webrtc.get_property("ice-connection-state")
        if state in (GstWebRTC.WebRTCICEConnectionState.CONNECTED,
                     GstWebRTC.WebRTCICEConnectionState.COMPLETED,
                     GstWebRTC.WebRTCICEConnectionState.FAILED):
            event(self.role, "ICE " + state.value_nick)

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
            if s.get_name() == "kvssignaling-state" and msg.src == self.src:
                nick = s.get_value("state").value_nick
                if nick in ("connected", "disconnected", "failed"):
                    event(self.role, "signaling " + nick)

    def start(self):
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            event(self.role, "could not start the pipeline")
            return False
        return True

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)


class Viewer(Side):
    def __init__(self, server):
        super().__init__("viewer", server,
                         "webrtcbin name=wb bundle-policy=max-bundle")
        self.src.set_property("recv-caps", Gst.Caps.from_string(VP8_CAPS))
        self.frames = 0
        self.first_frame_at = None
        self.webrtc.connect("pad-added", self.on_pad_added)

    def on_pad_added(self, webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        branch = Gst.parse_bin_from_description(
            "queue ! rtpvp8depay ! vp8dec ! "
            "fakesink name=frames signal-handoffs=true sync=false", True)
        branch.get_by_name("frames").connect("handoff", self.on_frame)
        self.pipeline.add(branch)
        branch.sync_state_with_parent()
        pad.link(branch.get_static_pad("sink"))

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
    for factory in ("kvssignalingsink", "kvssignalingsrc", "webrtcbin",
                    "vp8enc", "vp8dec", "nicesrc"):
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
        print("            (the master serves one viewer at a time: run "
              "with --keep to watch it there)")
    print("\ntimeline:")

    loop = GLib.MainLoop()
    master = Side("master", server,
                  "videotestsrc is-live=true pattern=ball ! "
                  "video/x-raw,width=320,height=240,framerate=30/1 ! "
                  "vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay ! "
                  "%s ! webrtcbin name=wb bundle-policy=max-bundle"
                  % VP8_CAPS.replace(",clock-rate=90000", ""))
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
    if ok:
        GLib.timeout_add(int(args.timeout * 1000), on_timeout)
        loop.run()
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
    print("  ICE connected         %s after the offer"
          % ms(first("viewer", "offer sent"), first("viewer", "ICE")))
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

    if args.keep and viewer.frames:
        print("\n--keep: the service and the master keep running; "
              "Ctrl-C ends them.")
        try:
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT,
                                 loop.quit)
            loop.run()
        except KeyboardInterrupt:
            pass
    good = viewer.frames >= min(args.frames, 30) and not master.errors \
        and not viewer.errors
    print("\nresult: %s" % ("OK: video flowed from master to viewer through "
                            "the local service" if good else "FAILED"))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())

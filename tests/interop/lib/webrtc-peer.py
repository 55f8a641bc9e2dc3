#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A plain webrtcbin peer (no kvssignaling element) for the interop tests,
driven over stdin/stdout with one JSON object per line.

    webrtc-peer.py offerer   receives VP8: creates the offer, decodes frames
    webrtc-peer.py answerer  sends VP8: answers the offer it is given
    webrtc-peer.py viewer    sends nothing: answers the offer it is given
                             (H.264 + Opus), decodes the H.264 video

The Node test carries the descriptions and candidates between this process
and AWS's JavaScript SignalingClient. Out (stdout):
    {"type": "offer"|"answer", "sdp": "..."}
    {"type": "candidate", "candidate": "...", "sdpMid": "...",
     "sdpMLineIndex": n}
    {"type": "ice", "state": "connected"}      ICE connection state changes
    {"type": "frames", "count": n}              every 10 decoded frames
    {"type": "error", "message": "..."}         then exit 1
In (stdin):
    {"type": "offer"|"answer", "sdp": "..."}
    {"type": "candidate", "candidate": "...", "sdpMid": "...",
     "sdpMLineIndex": n}
    EOF or {"type": "quit"}: stop and exit 0.

ICE runs on 127.0.0.1 only (libnice skips loopback unless told).
"""

import json
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

VP8_CAPS = ("application/x-rtp,media=video,encoding-name=VP8,payload=96,"
            "clock-rate=90000")

out_lock = threading.Lock()


def say(**obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


class Peer:
    def __init__(self, role):
        self.role = role
        self.loop = GLib.MainLoop()
        self.frames = 0
        if role in ("offerer", "viewer"):
            self.pipe = Gst.Pipeline.new("peer")
            self.pipe.add(Gst.ElementFactory.make("webrtcbin", "wb"))
        else:
            desc = ("videotestsrc is-live=true ! "
                    "video/x-raw,width=160,height=120,framerate=30/1 ! "
                    "vp8enc deadline=1 ! rtpvp8pay ! "
                    "application/x-rtp,media=video,encoding-name=VP8,"
                    "payload=96 ! webrtcbin name=wb")
            self.pipe = Gst.parse_launch(desc)
        self.wb = self.pipe.get_by_name("wb")
        self.wb.set_property("bundle-policy",
                             GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        # Keep the ICE agent referenced for the pipeline's lifetime.
        self.ice = self.wb.get_property("ice-agent")
        if not self.ice.emit("add-local-ip-address", "127.0.0.1"):
            raise RuntimeError("the ICE agent refused 127.0.0.1")
        self.nice = self.ice.get_property("agent")
        self.nice.set_property("upnp", False)
        if role == "offerer":
            self.wb.emit("add-transceiver",
                         GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY,
                         Gst.Caps.from_string(VP8_CAPS))
            self.wb.connect("on-negotiation-needed", self.on_negotiation)
        self.wb.connect("on-ice-candidate", self.on_candidate)
        self.wb.connect("pad-added", self.on_pad)
        self.wb.connect("notify::ice-connection-state", self.on_ice_state)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_error)
        self.failed = False
        # A thread reads the lines (a GLib watch on a buffered file object
        # would miss lines already in Python's buffer).
        threading.Thread(target=self.read_stdin, daemon=True).start()

    # -- local side -------------------------------------------------------

    def on_negotiation(self, wb):
        promise = Gst.Promise.new_with_change_func(self.on_created, "offer")
        wb.emit("create-offer", None, promise)

    def on_created(self, promise, kind):
        promise.wait()
        reply = promise.get_reply()
        if reply is None or reply.has_field("error"):
            self.fail("create-%s failed: %s" % (kind, reply))
            return
        desc = reply.get_value(kind)
        self.wb.emit("set-local-description", desc, None)
        say(type=kind, sdp=desc.sdp.as_text())

    def on_candidate(self, wb, mline, candidate):
        if not candidate:
            return
        mid = None
        local = wb.get_property("local-description")
        if local is not None:
            # From the text: PyGObject crashes on GstSDPMedia of a boxed
            # description's message.
            text = local.sdp.as_text()
            sections = text.split("\r\nm=")[1:]
            if mline < len(sections):
                for line in sections[mline].split("\r\n"):
                    if line.startswith("a=mid:"):
                        mid = line[len("a=mid:"):]
        say(type="candidate", candidate=candidate, sdpMid=mid,
            sdpMLineIndex=mline)

    def on_ice_state(self, wb, pspec):
        state = wb.get_property("ice-connection-state")
        say(type="ice", state=state.value_nick)

    def on_pad(self, wb, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_string("encoding-name")
        if self.role != "viewer":
            desc = "rtpvp8depay ! vp8dec ! "
        elif name == "H264":
            desc = "rtph264depay ! h264parse ! openh264dec ! "
        else:
            desc = "fakesink sync=false"
        if desc.endswith("! "):
            desc += "fakesink name=frames signal-handoffs=true sync=false"
        dec = Gst.parse_bin_from_description(desc, True)
        self.pipe.add(dec)
        if dec.get_by_name("frames"):
            dec.get_by_name("frames").connect("handoff", self.on_frame)
        dec.sync_state_with_parent()
        pad.link(dec.get_static_pad("sink"))

    def on_frame(self, sink, buf, pad):
        self.frames += 1
        if self.frames % 10 == 0:
            say(type="frames", count=self.frames)

    # -- remote side ------------------------------------------------------

    def read_stdin(self):
        for line in sys.stdin:
            GLib.idle_add(self.on_line, line)
        GLib.idle_add(self.loop.quit)

    def on_line(self, line):
        try:
            msg = json.loads(line)
        except ValueError as e:
            self.fail("bad input line %r: %s" % (line, e))
            return False
        kind = msg.get("type")
        if kind in ("offer", "answer"):
            self.apply_description(kind, msg["sdp"])
        elif kind == "candidate":
            index = msg.get("sdpMLineIndex")
            if index is None:
                self.fail("candidate without sdpMLineIndex: %r" % msg)
                return False
            self.wb.emit("add-ice-candidate", index, msg["candidate"])
        elif kind == "quit":
            self.loop.quit()
        return False

    def apply_description(self, kind, text):
        ok, sdp = GstSdp.SDPMessage.new_from_text(text)
        if ok != GstSdp.SDPResult.OK:
            self.fail("the %s is not SDP" % kind)
            return
        sdp_type = (GstWebRTC.WebRTCSDPType.OFFER if kind == "offer"
                    else GstWebRTC.WebRTCSDPType.ANSWER)
        desc = GstWebRTC.WebRTCSessionDescription.new(sdp_type, sdp)
        promise = Gst.Promise.new_with_change_func(self.on_remote_set, kind)
        self.wb.emit("set-remote-description", desc, promise)

    def on_remote_set(self, promise, kind):
        promise.wait()
        reply = promise.get_reply()
        if reply is not None and reply.has_field("error"):
            self.fail("set-remote-description(%s) failed" % kind)
            return
        if kind == "offer":
            answer = Gst.Promise.new_with_change_func(self.on_created,
                                                      "answer")
            self.wb.emit("create-answer", None, answer)

    # -- life cycle -------------------------------------------------------

    def on_error(self, bus, message):
        err, debug = message.parse_error()
        self.fail("%s: %s (%s)" % (message.src.get_name(), err.message,
                                   debug))

    def fail(self, text):
        say(type="error", message=text)
        self.failed = True
        GLib.idle_add(self.loop.quit)

    def run(self):
        self.pipe.set_state(Gst.State.PLAYING)
        self.loop.run()
        self.pipe.set_state(Gst.State.NULL)
        return 1 if self.failed else 0


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("offerer", "answerer",
                                                 "viewer"):
        sys.exit("usage: webrtc-peer.py offerer|answerer|viewer")
    Gst.init(None)
    sys.exit(Peer(sys.argv[1]).run())


if __name__ == "__main__":
    main()

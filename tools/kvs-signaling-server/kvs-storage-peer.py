#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kvs-signaling-server's storage peer: one WebRTC ingestion session.

Started by the service (kvsstoragepeer.c) for JoinStorageSession, as
    kvs-storage-peer.py OUTPUT.mkv
it offers to receive H.264 video and Opus audio (a webrtcbin offer, as
AWS's storage peer does) and records what the master sends into the
Matroska file OUTPUT.mkv. One JSON object per line, the KVS signaling
message payloads (base64) carried unchanged:
  out (stdout): {"action": "SDP_OFFER"|"ICE_CANDIDATE", "messagePayload": B64}
                {"action": "STATE", "state": "connected"|"failed"|...}
                {"action": "ERROR", "message": "..."}   then exit 1
  in (stdin):   {"action": "SDP_ANSWER"|"ICE_CANDIDATE", "messagePayload": B64}
                EOF: end the session: the file is finished, exit 0.
ICE runs on 127.0.0.1 (the service's own address) only.
"""

import base64
import json
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

H264_CAPS = ("application/x-rtp,media=video,encoding-name=H264,"
             "clock-rate=90000,payload=96,packetization-mode=(string)1,"
             "profile-level-id=(string)42e01f")
OPUS_CAPS = ("application/x-rtp,media=audio,encoding-name=OPUS,"
             "clock-rate=48000,payload=111,encoding-params=(string)2")
# How long the file may take to be finished after the end of the session.
FINISH_TIMEOUT_S = 5

out_lock = threading.Lock()


def say(**obj):
    # The service stops reading once the session ended: the recording is
    # finished all the same.
    with out_lock:
        try:
            sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()
        except (BrokenPipeError, OSError):
            pass


def b64(obj):
    return base64.b64encode(json.dumps(obj).encode()).decode()


class StoragePeer:
    def __init__(self, output):
        self.loop = GLib.MainLoop()
        self.failed = False
        self.finishing = False
        self.pipe = Gst.parse_launch(
            "webrtcbin name=wb bundle-policy=max-bundle "
            "matroskamux name=mux ! filesink name=file "
            "rtph264depay name=vdepay ! h264parse config-interval=-1 ! "
            "video/x-h264,stream-format=avc,alignment=au ! queue ! mux. "
            "rtpopusdepay name=adepay ! opusparse ! queue ! mux.")
        self.pipe.get_by_name("file").set_property("location", output)
        self.wb = self.pipe.get_by_name("wb")
        self.ice = self.wb.get_property("ice-agent")
        if not self.ice.emit("add-local-ip-address", "127.0.0.1"):
            raise RuntimeError("the ICE agent refused 127.0.0.1")
        self.nice = self.ice.get_property("agent")
        self.nice.set_property("upnp", False)
        recv = GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY
        self.wb.emit("add-transceiver", recv, Gst.Caps.from_string(H264_CAPS))
        self.wb.emit("add-transceiver", recv, Gst.Caps.from_string(OPUS_CAPS))
        self.wb.connect("on-negotiation-needed", self.on_negotiation)
        self.wb.connect("on-ice-candidate", self.on_candidate)
        self.wb.connect("pad-added", self.on_pad)
        self.wb.connect("notify::ice-connection-state", self.on_ice_state)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_error)
        bus.connect("message::eos", self.on_eos)
        threading.Thread(target=self.read_stdin, daemon=True).start()

    # -- the offer and our candidates --------------------------------------

    def on_negotiation(self, wb):
        promise = Gst.Promise.new_with_change_func(self.on_offer, None)
        wb.emit("create-offer", None, promise)

    def on_offer(self, promise, _):
        promise.wait()
        reply = promise.get_reply()
        if reply is None or reply.has_field("error"):
            self.fail("create-offer failed: %s" % reply)
            return
        desc = reply.get_value("offer")
        self.wb.emit("set-local-description", desc, None)
        say(action="SDP_OFFER",
            messagePayload=b64({"type": "offer", "sdp": desc.sdp.as_text()}))

    def on_candidate(self, wb, mline, candidate):
        if not candidate:
            return
        mid = None
        local = wb.get_property("local-description")
        if local is not None:
            sections = local.sdp.as_text().split("\r\nm=")[1:]
            if mline < len(sections):
                for line in sections[mline].split("\r\n"):
                    if line.startswith("a=mid:"):
                        mid = line[len("a=mid:"):]
        say(action="ICE_CANDIDATE",
            messagePayload=b64({"candidate": candidate, "sdpMid": mid,
                                "sdpMLineIndex": mline}))

    def on_ice_state(self, wb, pspec):
        state = wb.get_property("ice-connection-state")
        say(action="STATE", state=state.value_nick)

    def on_pad(self, wb, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        media = caps.get_structure(0).get_string("media")
        depay = self.pipe.get_by_name("vdepay" if media == "video"
                                      else "adepay")
        sink = depay.get_static_pad("sink")
        if sink.is_linked() or pad.link(sink) != Gst.PadLinkReturn.OK:
            self.fail("cannot record the master's %s stream" % media)

    # -- the master's answer and candidates --------------------------------

    def read_stdin(self):
        for line in sys.stdin:
            GLib.idle_add(self.on_line, line)
        GLib.idle_add(self.finish)

    def on_line(self, line):
        try:
            msg = json.loads(line)
            payload = json.loads(base64.b64decode(msg["messagePayload"]))
        except (ValueError, KeyError, TypeError) as e:
            self.fail("bad input line %r: %s" % (line[:200], e))
            return False
        action = msg.get("action")
        if action == "SDP_ANSWER":
            ok, sdp = GstSdp.SDPMessage.new_from_text(payload.get("sdp", ""))
            if ok != GstSdp.SDPResult.OK:
                self.fail("the master's answer is not SDP")
                return False
            desc = GstWebRTC.WebRTCSessionDescription.new(
                GstWebRTC.WebRTCSDPType.ANSWER, sdp)
            self.wb.emit("set-remote-description", desc, None)
        elif action == "ICE_CANDIDATE":
            index = payload.get("sdpMLineIndex")
            if index is None or not payload.get("candidate"):
                return False
            self.wb.emit("add-ice-candidate", int(index),
                         payload["candidate"])
        return False

    # -- life cycle ---------------------------------------------------------

    def finish(self):
        """The session ends: EOS through the recording branches, then
        exit once matroskamux has written its index (bounded)."""
        if self.finishing:
            return False
        self.finishing = True
        for name in ("vdepay", "adepay"):
            self.pipe.get_by_name(name).get_static_pad("sink").send_event(
                Gst.Event.new_eos())
        GLib.timeout_add_seconds(FINISH_TIMEOUT_S, self.loop.quit)
        return False

    def on_eos(self, bus, message):
        self.loop.quit()

    def on_error(self, bus, message):
        err, debug = message.parse_error()
        self.fail("%s: %s (%s)" % (message.src.get_name(), err.message,
                                   debug))

    def fail(self, text):
        say(action="ERROR", message=text)
        self.failed = True
        GLib.idle_add(self.loop.quit)

    def run(self):
        self.pipe.set_state(Gst.State.PLAYING)
        self.loop.run()
        self.pipe.set_state(Gst.State.NULL)
        return 1 if self.failed else 0


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: kvs-storage-peer.py OUTPUT.mkv")
    Gst.init(None)
    sys.exit(StoragePeer(sys.argv[1]).run())


if __name__ == "__main__":
    main()

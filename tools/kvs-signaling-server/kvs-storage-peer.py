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
Viewers joined to the session (JoinStorageSessionAsViewer) get the master's
media as it arrives (H.264 and Opus repayloaded, not decoded), each through
its own webrtcbin; their lines carry "viewer": CLIENT_ID:
  in:  {"action": "VIEWER_JOINED"|"VIEWER_LEFT", "viewer": ID}
       {"action": "SDP_ANSWER"|"ICE_CANDIDATE", "viewer": ID,
        "messagePayload": B64}
  out: {"action": "SDP_OFFER"|"ICE_CANDIDATE", "viewer": ID,
        "messagePayload": B64}
       {"action": "STATE", "viewer": ID, "state": ...}
A viewer's failure ends its branch only; the recording goes on.
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
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstVideo, GstWebRTC  # noqa: E402

H264_CAPS = ("application/x-rtp,media=video,encoding-name=H264,"
             "clock-rate=90000,payload=96,packetization-mode=(string)1,"
             "profile-level-id=(string)42e01f")
OPUS_CAPS = ("application/x-rtp,media=audio,encoding-name=OPUS,"
             "clock-rate=48000,payload=111,encoding-params=(string)2")
# What a viewer is offered: the master's stream as it is (its profile).
VIEWER_H264_CAPS = ("application/x-rtp,media=video,encoding-name=H264,"
                    "clock-rate=90000,payload=96")
VIEWER_OPUS_CAPS = ("application/x-rtp,media=audio,encoding-name=OPUS,"
                    "clock-rate=48000,payload=111")
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


class Offerer:
    """What the recording (StoragePeer) and each viewer (ViewerBranch) do
    with their webrtcbin @wb, whose transceivers are in place: ICE on
    127.0.0.1 only, no UPnP; the offer and the local candidates go out
    through send(), the peer's answer and candidates come in through
    on_message(); failures go to error(text), ICE states to send() and
    ice_state_changed()."""

    ANSWER_NOT_SDP = "the answer is not SDP"

    def __init__(self, wb):
        self.wb = wb
        self.ice = wb.get_property("ice-agent")
        if not self.ice.emit("add-local-ip-address", "127.0.0.1"):
            raise RuntimeError("the ICE agent refused 127.0.0.1")
        self.ice.get_property("agent").set_property("upnp", False)
        wb.connect("on-negotiation-needed", self.on_negotiation)
        wb.connect("on-ice-candidate", self.on_candidate)
        wb.connect("notify::ice-connection-state", self.on_ice_state)

    def send(self, **obj):
        raise NotImplementedError

    def error(self, text):
        raise NotImplementedError

    def ice_state_changed(self, state):
        pass

    # -- the offer and our candidates --------------------------------------

    def on_negotiation(self, wb):
        promise = Gst.Promise.new_with_change_func(self.on_offer, None)
        wb.emit("create-offer", None, promise)

    def on_offer(self, promise, _):
        promise.wait()
        reply = promise.get_reply()
        if reply is None or reply.has_field("error"):
            self.error("create-offer failed: %s" % reply)
            return
        desc = reply.get_value("offer")
        self.wb.emit("set-local-description", desc, None)
        self.send(action="SDP_OFFER",
                  messagePayload=b64({"type": "offer",
                                      "sdp": desc.sdp.as_text()}))

    def on_candidate(self, wb, mline, candidate):
        if not candidate:
            return
        self.send(action="ICE_CANDIDATE",
                  messagePayload=b64({"candidate": candidate,
                                      "sdpMid": mid_of(wb, mline),
                                      "sdpMLineIndex": mline}))

    def on_ice_state(self, wb, pspec):
        state = wb.get_property("ice-connection-state")
        self.send(action="STATE", state=state.value_nick)
        self.ice_state_changed(state)

    # -- the peer's answer and candidates ----------------------------------

    def on_message(self, action, payload):
        if action == "SDP_ANSWER":
            ok, sdp = GstSdp.SDPMessage.new_from_text(payload.get("sdp", ""))
            if ok != GstSdp.SDPResult.OK:
                self.error(self.ANSWER_NOT_SDP)
                return
            desc = GstWebRTC.WebRTCSessionDescription.new(
                GstWebRTC.WebRTCSDPType.ANSWER, sdp)
            self.wb.emit("set-remote-description", desc, None)
        elif action == "ICE_CANDIDATE":
            index = payload.get("sdpMLineIndex")
            if index is not None and payload.get("candidate"):
                self.wb.emit("add-ice-candidate", int(index),
                             payload["candidate"])


class StoragePeer(Offerer):
    """The recording: offers to the master (recvonly H.264 and Opus) and
    records what it sends."""

    ANSWER_NOT_SDP = "the master's answer is not SDP"

    def __init__(self, output):
        self.loop = GLib.MainLoop()
        self.failed = False
        self.finishing = False
        self.pipe = Gst.parse_launch(
            "webrtcbin name=wb bundle-policy=max-bundle "
            "matroskamux name=mux ! filesink name=file "
            "rtph264depay name=vdepay ! h264parse config-interval=-1 ! "
            "video/x-h264,stream-format=avc,alignment=au ! "
            "tee name=vtee ! queue ! mux. "
            "rtpopusdepay name=adepay ! opusparse ! "
            "tee name=atee ! queue ! mux.")
        self.viewers = {}
        self.pipe.get_by_name("file").set_property("location", output)
        wb = self.pipe.get_by_name("wb")
        recv = GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY
        wb.emit("add-transceiver", recv, Gst.Caps.from_string(H264_CAPS))
        wb.emit("add-transceiver", recv, Gst.Caps.from_string(OPUS_CAPS))
        Offerer.__init__(self, wb)
        wb.connect("pad-added", self.on_pad)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_error)
        bus.connect("message::eos", self.on_eos)
        threading.Thread(target=self.read_stdin, daemon=True).start()

    def send(self, **obj):
        say(**obj)

    def error(self, text):
        self.fail(text)

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
            viewer = msg.get("viewer")
            action = msg.get("action")
            if viewer is not None and action in ("VIEWER_JOINED",
                                                 "VIEWER_LEFT"):
                payload = None
            else:
                payload = json.loads(base64.b64decode(msg["messagePayload"]))
        except (ValueError, KeyError, TypeError) as e:
            self.fail("bad input line %r: %s" % (line[:200], e))
            return False
        if viewer is not None:
            self.on_viewer_line(viewer, action, payload)
        else:
            self.on_message(action, payload)
        return False

    # -- viewers (JoinStorageSessionAsViewer) --------------------------------

    def on_viewer_line(self, viewer, action, payload):
        if self.finishing:
            return
        if action == "VIEWER_JOINED":
            # Joining again: a new connection, a new offer.
            self.drop_viewer(viewer)
            try:
                self.viewers[viewer] = ViewerBranch(self, viewer)
            except RuntimeError as e:
                say(action="ERROR", viewer=viewer, message=str(e))
        elif action == "VIEWER_LEFT":
            self.drop_viewer(viewer)
        elif viewer in self.viewers:
            self.viewers[viewer].on_message(action, payload)

    def drop_viewer(self, viewer):
        branch = self.viewers.pop(viewer, None)
        if branch is not None:
            branch.remove()

    def request_key_frame(self):
        # Upstream to the master (webrtcbin turns it into a PLI): a viewer
        # that just connected decodes from the next key frame.
        event = GstVideo.video_event_new_upstream_force_key_unit(
            Gst.CLOCK_TIME_NONE, True, 0)
        self.pipe.get_by_name("vdepay").get_static_pad("src").send_event(
            event)
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
        # A viewer's branch failing ends that viewer only.
        for viewer, branch in list(self.viewers.items()):
            if message.src.has_as_ancestor(branch.bin) or \
                    message.src == branch.bin:
                say(action="ERROR", viewer=viewer,
                    message="%s: %s" % (message.src.get_name(), err.message))
                GLib.idle_add(self.drop_viewer, viewer)
                return
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


class ViewerBranch(Offerer):
    """One joined viewer: the master's H.264 and Opus from the tees,
    repayloaded into a webrtcbin of its own that offers sendonly."""

    def __init__(self, peer, viewer):
        self.peer = peer
        self.viewer = viewer
        self.removed = False
        self.bin = Gst.parse_bin_from_description(
            "webrtcbin name=wb bundle-policy=max-bundle "
            "queue name=vq leaky=downstream max-size-buffers=200 ! "
            "rtph264pay config-interval=-1 aggregate-mode=zero-latency ! "
            + VIEWER_H264_CAPS + " ! wb. "
            "queue name=aq leaky=downstream max-size-buffers=200 ! "
            "rtpopuspay ! " + VIEWER_OPUS_CAPS + " ! wb.", False)
        self.bin.set_name("viewer-" + viewer)
        wb = self.bin.get_by_name("wb")
        for i in range(wb.emit("get-transceivers").len):
            trans = wb.emit("get-transceiver", i)
            trans.set_property(
                "direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
        Offerer.__init__(self, wb)
        peer.pipe.add(self.bin)
        self.tee_pads = []
        for tee, queue in (("vtee", "vq"), ("atee", "aq")):
            src = peer.pipe.get_by_name(tee).request_pad_simple("src_%u")
            sink = self.bin.get_by_name(queue).get_static_pad("sink")
            ghost = Gst.GhostPad.new(queue + "_sink", sink)
            ghost.set_active(True)
            self.bin.add_pad(ghost)
            if src.link(ghost) != Gst.PadLinkReturn.OK:
                raise RuntimeError("cannot branch the master's media to "
                                   "viewer %s" % viewer)
            self.tee_pads.append((tee, src))
        self.bin.sync_state_with_parent()
        peer.request_key_frame()

    def send(self, **obj):
        say(viewer=self.viewer, **obj)

    def error(self, text):
        self.send(action="ERROR", message=text)

    def ice_state_changed(self, state):
        if state == GstWebRTC.WebRTCICEConnectionState.CONNECTED:
            GLib.idle_add(self.peer.request_key_frame)

    def remove(self):
        """The viewer left: its branch goes, the tees' pads are released
        (the recording branches are not touched)."""
        if self.removed:
            return
        self.removed = True
        for tee_name, pad in self.tee_pads:
            tee = self.peer.pipe.get_by_name(tee_name)
            peer_pad = pad.get_peer()
            if peer_pad is not None:
                pad.unlink(peer_pad)
            tee.release_request_pad(pad)
        self.bin.set_state(Gst.State.NULL)
        self.peer.pipe.remove(self.bin)


def mid_of(wb, mline):
    local = wb.get_property("local-description")
    if local is not None:
        sections = local.sdp.as_text().split("\r\nm=")[1:]
        if mline < len(sections):
            for line in sections[mline].split("\r\n"):
                if line.startswith("a=mid:"):
                    return line[len("a=mid:"):]
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: kvs-storage-peer.py OUTPUT.mkv")
    Gst.init(None)
    sys.exit(StoragePeer(sys.argv[1]).run())


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A KVS WebRTC viewer in Python (GObject introspection).

Joins a signaling channel as a viewer, receives the master's VP8 video
(and Opus audio with --audio), decodes it, prints a timeline (connected, offer, answer, ICE connected,
first frame) and exits 0 after --frames decoded frames (1 on error or
timeout).

    /usr/bin/python3 examples/viewer.py --channel demo \\
        --endpoint http://127.0.0.1:4566 --region us-west-2 \\
        --access-key AK --secret-key SK --local-addresses 127.0.0.1

Credentials, region and endpoint follow the AWS chain when not given.
Use Debian's /usr/bin/python3: it is the one with gi and GStreamer.
"""

import argparse
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstWebRTC  # noqa: E402

VP8 = ("application/x-rtp,media=video,encoding-name=VP8,payload=96,"
       "clock-rate=90000")
OPUS = ("application/x-rtp,media=audio,encoding-name=OPUS,payload=97,"
        "clock-rate=48000")


class Viewer:
    def __init__(self, args):
        self.args = args
        self.start = time.monotonic()
        self.frames = 0
        self.audio_buffers = 0
        self.finished = False
        self.loop = GLib.MainLoop()
        self.status = 1

        self.pipeline = Gst.Pipeline.new("viewer")
        self.webrtc = Gst.ElementFactory.make("webrtcbin", "wb")
        self.webrtc.set_property("bundle-policy",
                                 GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        self.webrtc.connect("pad-added", self.on_pad_added)
        self.pipeline.add(self.webrtc)

        # The pair: the sink carries our offer and candidates to the
        # channel, the src brings the master's answer and candidates.
        for factory in ("kvssignalingsink", "kvssignalingsrc"):
            element = Gst.ElementFactory.make(factory, None)
            element.set_property("webrtcbin", self.webrtc)
            Gst.util_set_object_arg(element, "role", "viewer")
            props = {
                "channel-name": args.channel,
                "client-id": args.client_id,
                "aws-region": args.region,
                "endpoint": args.endpoint,
                "access-key": args.access_key,
                "secret-key": args.secret_key,
                "local-addresses": args.local_addresses,
            }
            for name, value in props.items():
                if value:
                    element.set_property(name, value)
            self.pipeline.add(element)
            if factory == "kvssignalingsrc":
                # Receive-only: one recvonly transceiver per caps structure.
                caps = VP8 + (";" + OPUS if args.audio else "")
                element.set_property("recv-caps", Gst.Caps.from_string(caps))
                element.connect("answer-received", self.on_answer)
            else:
                element.connect("offer-sent", self.on_offer_sent)

        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    def event(self, what):
        print("%7.3f s  %s" % (time.monotonic() - self.start, what),
              flush=True)

    # Signals of the elements come from the signaling thread: only print.
    def on_offer_sent(self, sink, recipient, offer, correlation_id):
        self.event("offer sent")

    def on_answer(self, src, sender, answer):
        self.event("answer received")

    def on_pad_added(self, webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        # Link by the pad's current caps: webrtcbin 1.22 answers caps
        # queries on its source pads with a bare application/x-rtp.
        media = pad.get_current_caps().get_structure(0).get_string("media")
        if media == "audio":
            desc = ("queue ! rtpopusdepay ! opusdec ! "
                    "fakesink name=out signal-handoffs=true sync=false")
            handler = self.on_audio
        else:
            desc = ("queue ! rtpvp8depay ! vp8dec ! "
                    "fakesink name=out signal-handoffs=true sync=false")
            handler = self.on_frame
        branch = Gst.parse_bin_from_description(desc, True)
        branch.get_by_name("out").connect("handoff", handler)
        self.pipeline.add(branch)
        branch.sync_state_with_parent()
        pad.link(branch.get_static_pad("sink"))

    def on_frame(self, sink, buf, pad):
        self.frames += 1
        if self.frames == 1:
            GLib.idle_add(self.event, "first frame decoded")
        self.check_done()

    def on_audio(self, sink, buf, pad):
        self.audio_buffers += 1
        if self.audio_buffers == 1:
            GLib.idle_add(self.event, "first audio decoded")
        self.check_done()

    # Streaming threads: hand over to the main loop once.
    def check_done(self):
        if self.finished or self.frames < self.args.frames:
            return
        if self.args.audio and self.audio_buffers < self.args.frames:
            return
        self.finished = True
        GLib.idle_add(self.done)

    def done(self):
        self.event("frames decoded: %d" % self.frames)
        if self.args.audio:
            self.event("audio buffers decoded: %d" % self.audio_buffers)
        self.status = 0
        self.loop.quit()
        return False

    def on_message(self, bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            self.event("error from %s: %s" % (msg.src.get_name(),
                                               err.message))
            self.loop.quit()
        elif msg.type == Gst.MessageType.WARNING:
            err, debug = msg.parse_warning()
            self.event("warning: %s" % err.message)
        elif msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == "kvssignaling-state":
                state = s.get_value("state")
                if state.value_nick == "connected":
                    self.event("signaling connected")
            elif s.get_name() == "kvssignaling-peer":
                state = s.get_value("connection-state")
                if state == GstWebRTC.WebRTCPeerConnectionState.CONNECTED:
                    self.event("ICE/DTLS connected")

    def timeout(self):
        self.event("timeout: %d frames decoded" % self.frames)
        self.loop.quit()
        return False

    def run(self):
        GLib.timeout_add_seconds(self.args.timeout, self.timeout)
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            self.event("could not start the pipeline")
            # The error message on the bus says why.
            msg = self.pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
            if msg:
                print(msg.parse_error()[0].message, file=sys.stderr)
            self.pipeline.set_state(Gst.State.NULL)
            return 1
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        return self.status


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channel", required=True)
    p.add_argument("--client-id", default=None)
    p.add_argument("--region", default=None)
    p.add_argument("--endpoint", default=None)
    p.add_argument("--access-key", default=None)
    p.add_argument("--secret-key", default=None)
    p.add_argument("--local-addresses", default=None,
                   help="e.g. 127.0.0.1 when master and viewer share a host")
    p.add_argument("--audio", action="store_true",
                   help="receive Opus audio too (and wait for --frames of it)")
    p.add_argument("--frames", type=int, default=30)
    p.add_argument("--timeout", type=int, default=30)
    args = p.parse_args()

    Gst.init(None)
    return Viewer(args).run()


if __name__ == "__main__":
    sys.exit(main())

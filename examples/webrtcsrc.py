#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A KVS WebRTC viewer in Python (gi) with kvswebrtcsrc.

The bin does the signaling and the WebRTC session; this program only links
its source pads (video_0, audio_0, ...: encoded media) to decoders as they
appear, counts decoded frames, and prints a timeline. When the master
restarts, kvswebrtcsrc offers again and the same pads carry the new
session: the decoders linked here keep running. Exits 0 after --frames
decoded video frames (and as many audio buffers with --audio), 1 on error
or timeout.

    /usr/bin/python3 examples/webrtcsrc.py --channel demo \\
        --endpoint http://127.0.0.1:4566 --region us-west-2 \\
        --access-key AK --secret-key SK --local-addresses 127.0.0.1

Credentials, region and endpoint follow the AWS chain when not given.
Use Debian's /usr/bin/python3: it is the one with gi and GStreamer.
"""

import argparse
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


class Viewer:
    def __init__(self, args):
        self.args = args
        self.start = time.monotonic()
        self.lock = threading.Lock()
        self.counts = {"video": 0, "audio": 0}
        self.finished = False
        self.status = 1
        self.loop = GLib.MainLoop()

        self.pipeline = Gst.Pipeline.new("viewer")
        self.src = Gst.ElementFactory.make("kvswebrtcsrc", "src")
        if self.src is None:
            sys.exit("kvswebrtcsrc not found: set GST_PLUGIN_PATH")
        props = {
            "channel-name": args.channel,
            "client-id": args.client_id,
            "aws-region": args.region,
            "endpoint": args.endpoint,
            "access-key": args.access_key,
            "secret-key": args.secret_key,
            "local-addresses": args.local_addresses,
            "video-codecs": args.video_codecs,
            "audio-codecs": "OPUS" if args.audio else "",
        }
        for name, value in props.items():
            if value is not None:
                self.src.set_property(name, value)
        # Sometimes pads: one per stream the master sends.
        self.src.connect("pad-added", self.on_pad_added)
        self.pipeline.add(self.src)

        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    def event(self, what):
        print("%7.3f s  %s" % (time.monotonic() - self.start, what),
              flush=True)
        return False

    # pad-added comes from a streaming thread; linking a branch there is
    # what GStreamer expects (decodebin does the same).
    def on_pad_added(self, src, pad):
        kind = "audio" if pad.get_name().startswith("audio") else "video"
        convert = "audioconvert" if kind == "audio" else "videoconvert"
        branch = Gst.parse_bin_from_description(
            "queue name=in ! decodebin ! %s ! fakesink name=out "
            "signal-handoffs=true sync=false" % convert, False)
        # Ghosted by hand: with ghost_unlinked_pads, the sink pad of
        # the converter (decodebin links it later) would be the one.
        branch.add_pad(Gst.GhostPad.new(
            "sink", branch.get_by_name("in").get_static_pad("sink")))
        branch.get_by_name("out").connect("handoff", self.on_decoded, kind)
        self.pipeline.add(branch)
        branch.sync_state_with_parent()
        pad.link(branch.get_static_pad("sink"))
        GLib.idle_add(self.event, "pad %s linked" % pad.get_name())

    def on_decoded(self, sink, buf, pad, kind):
        with self.lock:
            self.counts[kind] += 1
            n = self.counts[kind]
            done = (not self.finished and
                    self.counts["video"] >= self.args.frames and
                    (not self.args.audio or
                     self.counts["audio"] >= self.args.frames))
            if done:
                self.finished = True
        if n == 1:
            GLib.idle_add(self.event, "first %s decoded" % kind)
        if done:
            GLib.idle_add(self.done)

    def done(self):
        self.event("frames decoded: %d" % self.counts["video"])
        if self.args.audio:
            self.event("audio buffers decoded: %d" % self.counts["audio"])
        stats = self.src.get_property("stats")
        self.event("sessions: %d, restarts: %d" % (
            stats.get_uint64("sessions")[1], stats.get_uint64("restarts")[1]))
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
            with self.lock:
                frames = self.counts["video"]
            self.event("warning after %d frames: %s" % (frames, err.message))
        elif msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == "kvssignaling-state":
                if s.get_value("state").value_nick == "connected":
                    self.event("signaling connected")

    def timeout(self):
        self.event("timeout: %d frames decoded" % self.counts["video"])
        self.loop.quit()
        return False

    def run(self):
        GLib.timeout_add_seconds(self.args.timeout, self.timeout)
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            self.event("could not start the pipeline")
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
    p.add_argument("--client-id", default=None,
                   help="default: a generated one")
    p.add_argument("--region", default=None)
    p.add_argument("--endpoint", default=None)
    p.add_argument("--access-key", default=None)
    p.add_argument("--secret-key", default=None)
    p.add_argument("--local-addresses", default=None,
                   help="e.g. 127.0.0.1 when master and viewer share a host")
    p.add_argument("--video-codecs", default=None,
                   help="e.g. VP8,H264 (the element's default)")
    p.add_argument("--audio", action="store_true",
                   help="receive Opus audio too (and wait for --frames of it)")
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--timeout", type=int, default=30)
    args = p.parse_args()

    Gst.init(None)
    return Viewer(args).run()


if __name__ == "__main__":
    sys.exit(main())

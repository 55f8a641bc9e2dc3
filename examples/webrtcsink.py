#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A KVS WebRTC master in Python (gi) with kvswebrtcsink, for every viewer.

A test pattern (VP8) and, with --audio, a tone (Opus) are encoded once and
handed to kvswebrtcsink, which gives each viewer that comes its own
webrtcbin and releases it when the viewer goes. This program only prints
the viewers as they come and go (the viewer-added and viewer-removed
signals) and the bin's stats once a second with --stats. Ctrl-C or SIGTERM
stops it; with --seconds N it stops by itself.

    /usr/bin/python3 examples/webrtcsink.py --channel demo \\
        --endpoint http://127.0.0.1:4566 --region us-west-2 \\
        --access-key AK --secret-key SK --local-addresses 127.0.0.1

Credentials, region and endpoint follow the AWS chain when not given.
Use Debian's /usr/bin/python3: it is the one with gi and GStreamer.
"""

import argparse
import signal
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


class Master:
    def __init__(self, args):
        self.args = args
        self.start = time.monotonic()
        self.status = 0
        self.loop = GLib.MainLoop()

        desc = ("kvswebrtcsink name=sink "
                "videotestsrc is-live=true pattern=ball ! "
                "video/x-raw,width=320,height=240,framerate=30/1 ! "
                "vp8enc deadline=1 keyframe-max-dist=60 ! sink.video_0")
        if args.audio:
            desc += (" audiotestsrc is-live=true wave=ticks ! audioconvert ! "
                     "audioresample ! opusenc ! sink.audio_0")
        self.pipeline = Gst.parse_launch(desc)
        self.sink = self.pipeline.get_by_name("sink")
        props = {
            "channel-name": args.channel,
            "aws-region": args.region,
            "endpoint": args.endpoint,
            "access-key": args.access_key,
            "secret-key": args.secret_key,
            "local-addresses": args.local_addresses,
            "create-channel": args.create_channel,
            "max-viewers": args.max_viewers,
        }
        for name, value in props.items():
            if value is not None:
                self.sink.set_property(name, value)
        # Both come from GStreamer's threads (the signaling client's,
        # webrtcbin's): print from the main loop.
        self.sink.connect("viewer-added", self.on_viewer, "added")
        self.sink.connect("viewer-removed", self.on_viewer, "removed")

        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    def event(self, what):
        print("%7.3f s  %s" % (time.monotonic() - self.start, what),
              flush=True)
        return False

    def on_viewer(self, sink, client_id, webrtcbin, what):
        GLib.idle_add(self.event, "viewer %s: %s" % (what, client_id))

    def print_stats(self):
        stats = self.sink.get_property("stats")
        ok, viewers = stats.get_uint("viewers")
        ok, served = stats.get_uint64("viewers-served")
        self.event("viewers now: %d, served: %d" % (viewers, served))
        return True

    def on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            self.event("error from %s: %s" % (msg.src.get_name(),
                                              err.message))
            self.status = 1
            self.loop.quit()
        elif t == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            self.event("warning: %s" % err.message)
        elif t == Gst.MessageType.LATENCY:
            # Viewers join a running pipeline: their latency must be
            # accounted for, as gst-launch-1.0 does.
            self.pipeline.recalculate_latency()
        elif t == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == "kvssignaling-state":
                nick = s.get_value("state").value_nick
                if nick in ("connected", "disconnected", "failed"):
                    self.event("signaling " + nick)

    def stop(self):
        self.event("stopping")
        self.loop.quit()
        return False

    def run(self):
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            print("could not start the pipeline", file=sys.stderr)
            return 1
        for signum in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, self.stop)
        if self.args.seconds:
            GLib.timeout_add_seconds(self.args.seconds, self.stop)
        if self.args.stats:
            GLib.timeout_add_seconds(1, self.print_stats)
        self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        return self.status


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channel", required=True)
    p.add_argument("--region")
    p.add_argument("--endpoint")
    p.add_argument("--access-key")
    p.add_argument("--secret-key")
    p.add_argument("--local-addresses")
    p.add_argument("--create-channel", action="store_true", default=None)
    p.add_argument("--max-viewers", type=int)
    p.add_argument("--audio", action="store_true",
                   help="also send a tone in Opus")
    p.add_argument("--stats", action="store_true",
                   help="print the number of viewers every second")
    p.add_argument("--seconds", type=int, help="stop after N seconds")
    args = p.parse_args()
    Gst.init(None)
    return Master(args).run()


if __name__ == "__main__":
    sys.exit(main())

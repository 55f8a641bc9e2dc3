#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A KVS WebRTC master in Python (GObject introspection).

Streams a VP8 test pattern to the viewer that offers (one webrtcbin, one
viewer; see multi-viewer-master.c for several) and prints what happens.

    /usr/bin/python3 examples/master.py --channel demo \\
        --endpoint http://127.0.0.1:4566 --region us-west-2 \\
        --access-key AK --secret-key SK --local-addresses 127.0.0.1

Runs until Ctrl-C, or --seconds. Credentials, region and endpoint follow
the AWS chain when not given.
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

PIPELINE = (
    "webrtcbin name=wb bundle-policy=max-bundle "
    "videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
    "framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay ! "
    "application/x-rtp,media=video,encoding-name=VP8,payload=96 ! wb. "
    "kvssignalingsink name=ksink webrtcbin-name=wb role=master "
    "kvssignalingsrc name=ksrc webrtcbin-name=wb role=master")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channel", required=True)
    p.add_argument("--region", default=None)
    p.add_argument("--endpoint", default=None)
    p.add_argument("--access-key", default=None)
    p.add_argument("--secret-key", default=None)
    p.add_argument("--local-addresses", default=None)
    p.add_argument("--seconds", type=int, default=0)
    args = p.parse_args()

    Gst.init(None)
    pipeline = Gst.parse_launch(PIPELINE)
    for name in ("ksink", "ksrc"):
        element = pipeline.get_by_name(name)
        for prop, value in (("channel-name", args.channel),
                            ("aws-region", args.region),
                            ("endpoint", args.endpoint),
                            ("access-key", args.access_key),
                            ("secret-key", args.secret_key),
                            ("local-addresses", args.local_addresses)):
            if value:
                element.set_property(prop, value)

    # From the signaling thread: print only.
    pipeline.get_by_name("ksrc").connect(
        "offer-received",
        lambda src, viewer, offer: print("offer from %s" % viewer,
                                         flush=True))
    pipeline.get_by_name("ksink").connect(
        "answer-sent",
        lambda sink, viewer, answer, corr: print(
            "answer sent to %s (%s)" % (viewer, corr), flush=True))

    loop = GLib.MainLoop()
    status = [0]

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            print("error: %s" % err.message, file=sys.stderr, flush=True)
            status[0] = 1
            loop.quit()
        elif msg.type == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            print("warning: %s" % err.message, file=sys.stderr, flush=True)
        elif msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == "kvssignaling-state" and \
                    s.get_value("state").value_nick == "connected":
                print("signaling connected", flush=True)

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    if args.seconds:
        GLib.timeout_add_seconds(args.seconds, loop.quit)

    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        msg = bus.pop_filtered(Gst.MessageType.ERROR)
        print("error: %s" % (msg.parse_error()[0].message if msg else
                             "could not start"), file=sys.stderr)
        pipeline.set_state(Gst.State.NULL)
        return 1
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    return status[0]


if __name__ == "__main__":
    sys.exit(main())

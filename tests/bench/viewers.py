#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Viewers for the viewers benchmark (tests/bench/run --only viewers).

    viewers.py ENDPOINT AK SK CHANNEL[,CHANNEL...] N

Runs N kvswebrtcsrc viewers in this process, spread over the channels
round-robin, each `kvswebrtcsrc ! fakesink` (the encoded video is counted,
not decoded: the benchmark measures the master, and ten decoders would take
the CPU it needs). Prints one JSON line {"ready": N} once every viewer has
received 30 buffers, and on SIGTERM or SIGINT one line {"buffers": [...]}
with each viewer's count, then exits.
"""

import json
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

READY_BUFFERS = 30


def main():
    endpoint, ak, sk, channels, n = sys.argv[1:6]
    channels = channels.split(",")
    n = int(n)
    Gst.init(None)
    loop = GLib.MainLoop()
    counts = [0] * n
    state = {"ready": False}
    pipelines = []

    def on_buffer(pad, info, i):
        counts[i] += 1
        return Gst.PadProbeReturn.OK

    def check_ready():
        if not state["ready"] and all(c >= READY_BUFFERS for c in counts):
            state["ready"] = True
            print(json.dumps({"ready": n}), flush=True)
        return True

    def on_message(bus, msg, i):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print("viewer %d: %s (%s)" % (i, err.message, dbg), file=sys.stderr, flush=True)

    for i in range(n):
        ch = channels[i % len(channels)]
        p = Gst.parse_launch(
            "kvswebrtcsrc name=src channel-name=%s endpoint=%s access-key=%s "
            "secret-key=%s aws-region=us-west-2 local-addresses=127.0.0.1 "
            "client-id=bench-viewer-%d video-codecs=VP8 "
            "! fakesink name=sink sync=false async=false"
            % (ch, endpoint, ak, sk, i))
        pad = p.get_by_name("sink").get_static_pad("sink")
        pad.add_probe(Gst.PadProbeType.BUFFER, on_buffer, i)
        bus = p.get_bus()
        bus.add_signal_watch()
        bus.connect("message", on_message, i)
        p.set_state(Gst.State.PLAYING)
        pipelines.append(p)

    def finish(*_):
        print(json.dumps({"buffers": counts}), flush=True)
        loop.quit()
        return False

    GLib.timeout_add(100, check_ready)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, finish)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, finish)
    loop.run()
    for p in pipelines:
        p.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One kvswebrtcsrc viewer for the join benchmark (tests/bench/run --only
join): a new process; cold or warm as the channel cache directory it is
given (KVS_SIGNALING_CACHE_DIR, set by join.py) is empty or not. With
CHANNEL_ARN, the viewer is given the channel's ARN (its channel-arn
property) as an application that stored it would be.

    join-viewer.py ENDPOINT CA_FILE CHANNEL CLIENT_ID AK SK LOCAL_ADDRESS [CHANNEL_ARN]

Runs `kvswebrtcsrc ! decodebin ! fakesink`, and prints one JSON line
{"playing": T0, "frame": T1} (CLOCK_MONOTONIC seconds, the clock of the
parent too): T0 just before the pipeline goes to PLAYING, T1 when the first
decoded video buffer reaches the fakesink. Then it stops. On failure or after
30 s: {"error": "..."}.
"""

import json
import sys
import time

T_START = time.monotonic()

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

TIMEOUT_S = 30


def main():
    endpoint, ca_file, channel, client_id, ak, sk, local = sys.argv[1:8]
    arn = sys.argv[8] if len(sys.argv) > 8 else None
    Gst.init(None)
    loop = GLib.MainLoop()
    out = {"start": T_START}
    pipeline = Gst.parse_launch(
        "kvswebrtcsrc name=src channel-name=%s endpoint=%s ca-file=%s "
        "access-key=%s secret-key=%s aws-region=us-west-2 local-addresses=%s "
        "client-id=%s video-codecs=VP8 audio-codecs=\"\" %s"
        "! decodebin ! video/x-raw ! fakesink name=sink sync=false async=false"
        % (channel, endpoint, ca_file, ak, sk, local, client_id,
           "channel-arn=%s " % arn if arn else ""))

    def on_buffer(pad, info):
        if "frame" not in out:
            out["frame"] = time.monotonic()
            GLib.idle_add(loop.quit)
        return Gst.PadProbeReturn.REMOVE

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ERROR and "error" not in out:
            err, dbg = msg.parse_error()
            out["error"] = "%s (%s)" % (err.message, dbg)
            loop.quit()

    def on_timeout():
        out.setdefault("error", "no decoded frame within %d s" % TIMEOUT_S)
        loop.quit()
        return False

    pipeline.get_by_name("sink").get_static_pad("sink").add_probe(
        Gst.PadProbeType.BUFFER, on_buffer)
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.timeout_add_seconds(TIMEOUT_S, on_timeout)
    out["playing"] = time.monotonic()
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    if "frame" in out:
        out.pop("error", None)
    print(json.dumps(out), flush=True)
    pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()

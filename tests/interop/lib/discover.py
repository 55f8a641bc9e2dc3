#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What GStreamer's discoverer (gst-discoverer-1.0's library) finds in a
media file, as one JSON line: {"duration": seconds, "streams": [{"type":
"video"|"audio"|..., "caps": "..."}]}, or {"error": "..."}.

    discover.py FILE
"""

import json
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstPbutils", "1.0")
from gi.repository import GLib, Gst, GstPbutils  # noqa: E402


def main():
    Gst.init(None)
    try:
        info = GstPbutils.Discoverer.new(10 * Gst.SECOND).discover_uri(
            Gst.filename_to_uri(sys.argv[1]))
    except GLib.Error as e:
        print(json.dumps({"error": e.message}))
        return
    print(json.dumps({
        "duration": info.get_duration() / Gst.SECOND,
        "streams": [{"type": s.get_stream_type_nick(),
                     "caps": s.get_caps().to_string() if s.get_caps() else ""}
                    for s in info.get_stream_list()],
    }))


if __name__ == "__main__":
    main()

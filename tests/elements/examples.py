#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The examples, end to end through the local service, as users run them:
gst-launch-1.0 master and viewer (examples/master.sh, viewer.sh: VP8 video
and Opus audio), the C master serving several viewers
(examples/multi-viewer-master.c) with two Python viewers (examples/viewer.py).

usage: examples.py SERVER MULTI_VIEWER_MASTER EXAMPLES_DIR

Under scripts/check-sanitizers: every deadline is scaled by
$KVS_TIMEOUT_MULTIPLIER; under asan, each child runs through
$KVS_ASAN_WRAPPER (tests/sanitizers/preload: the ASan runtime and options
for its kind of program) and a sanitizer report in a child's output fails
the test (and is printed, for check-sanitizers' report).
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

from elementutil import (check, failures, log, secs, spawn, start_service,
                         stop_service)

AK = "AKIDEXAMPLESTEST"
SK = "examples-secret"
CHANNEL = "examples"
SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:|"
                       r"SUMMARY: UndefinedBehaviorSanitizer")
# The GStreamer leaks tracer's records (check-sanitizers leaks): judged by
# check-sanitizers against its allow-list, so only printed here.
LEAKS_TRACER = re.compile(r"object-alive, type-name=|Leaks detected")


def decoded(out, what="frames"):
    """The count of a viewer's '<what> decoded: N' line, or 0."""
    m = re.search(r"%s decoded: (\d+)" % what, out)
    return int(m.group(1)) if m else 0


def sanitizer_reports(name, lines):
    """Fails on (and prints) a sanitizer report in a child's output; prints
    the leaks tracer's records."""
    records = [line for line in lines if LEAKS_TRACER.search(line)]
    if records:
        log("-- %s, leaks tracer:\n%s" % (name, "".join(records)))
    for i, line in enumerate(lines):
        if SANITIZER.search(line):
            check(False, "%s: sanitizer report" % name)
            log("-- %s:\n%s" % (name, "".join(lines[i:i + 200])))
            return


def env_for(endpoint, **extra):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK,
        "AWS_REGION": "us-west-2", "KVS_ENDPOINT": endpoint,
        "KVS_CHANNEL": CHANNEL, "KVS_LOCAL_ADDRESSES": "127.0.0.1",
    })
    env.update(extra)
    return env


def stop(p, name, timeout=10, reader=None, lines=None):
    """SIGINT (gst-launch sets the pipeline to NULL), then kill if needed;
    then the rest of its output (reader: its drain thread) is searched for
    sanitizer reports."""
    timeout = secs(timeout)
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            check(False, "%s did not stop within %d s of SIGINT" %
                  (name, timeout))
            p.kill()
            p.wait()
    if reader is not None:
        reader.join(timeout)
        sanitizer_reports(name, lines)


def drain(p, lines):
    for line in p.stdout:
        lines.append(line)


def test_launch_lines(examples, endpoint):
    """A gst-launch master sending VP8 + Opus serves, one after the other
    (one webrtcbin serves one viewer), a gst-launch viewer (video) and a
    Python viewer (video and audio, linked by the pads' current caps)."""
    log("== gst-launch master (VP8 + Opus), gst-launch viewer")
    master = spawn(["sh", os.path.join(examples, "master.sh")],
                   env=env_for(endpoint), stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True)
    mlines = []
    mreader = threading.Thread(target=drain, args=(master, mlines),
                               daemon=True)
    mreader.start()
    time.sleep(0.5)
    viewer = spawn(
        ["sh", os.path.join(examples, "viewer.sh"), "-v"],
        env=env_for(endpoint, KVS_CLIENT_ID="launch-viewer",
                    KVS_VIDEO_SINK="fakesink name=video silent=false "
                                   "sync=false"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    video = 0
    deadline = time.monotonic() + secs(30)
    vlines = []
    reader = threading.Thread(target=drain, args=(viewer, vlines),
                              daemon=True)
    reader.start()
    while time.monotonic() < deadline and video < 30:
        time.sleep(0.1)
        video = sum(1 for l in vlines if "video: last-message = chain" in l)
        if viewer.poll() is not None or master.poll() is not None:
            break
    stop(viewer, "gst-launch viewer", reader=reader, lines=vlines)
    log("gst-launch viewer: %d video frames" % video)
    if not check(video >= 30, "gst-launch viewer decoded %d frames" % video):
        log("".join(l for l in vlines if "last-message" not in l)[-3000:])
    errors = [l for l in vlines if l.startswith("ERROR")]
    check(not errors, "viewer errors: %s" % errors)
    stop(master, "gst-launch master", reader=mreader, lines=mlines)
    errors = [l for l in mlines if l.startswith("ERROR")]
    check(not errors, "master errors: %s" % errors)

    log("== gst-launch master (VP8 + Opus), Python viewer with audio")
    master = spawn(["sh", os.path.join(examples, "master.sh")],
                   env=env_for(endpoint), stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True)
    mlines = []
    mreader = threading.Thread(target=drain, args=(master, mlines),
                               daemon=True)
    mreader.start()
    time.sleep(0.5)
    viewer = spawn(
        ["/usr/bin/python3", os.path.join(examples, "viewer.py"),
         "--channel", CHANNEL, "--client-id", "py-av-viewer",
         "--endpoint", endpoint, "--region", "us-west-2",
         "--access-key", AK, "--secret-key", SK,
         "--local-addresses", "127.0.0.1", "--audio", "--frames", "30",
         "--timeout", str(secs(30))],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = viewer.communicate(timeout=secs(40))
    except subprocess.TimeoutExpired:
        viewer.kill()
        out, _ = viewer.communicate()
    log("-- viewer:\n" + out)
    check(viewer.returncode == 0, "the audio+video viewer exited %s" %
          viewer.returncode)
    check(decoded(out) >= 30 and decoded(out, "audio buffers") >= 30,
          "the audio+video viewer did not get both")
    stop(master, "gst-launch master", reader=mreader, lines=mlines)


def test_c_master_python_viewers(master_exe, examples, endpoint):
    log("== C master (request-webrtcbin) with two Python viewers")
    master = spawn(
        [master_exe, "--channel", CHANNEL, "--endpoint", endpoint,
         "--region", "us-west-2", "--access-key", AK, "--secret-key", SK,
         "--local-addresses", "127.0.0.1", "--seconds", str(secs(40))],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    mlines = []
    mreader = threading.Thread(target=drain, args=(master, mlines),
                               daemon=True)
    mreader.start()
    viewers = []
    for i in range(2):
        viewers.append(spawn(
            ["/usr/bin/python3", os.path.join(examples, "viewer.py"),
             "--channel", CHANNEL, "--client-id", "py-viewer-%d" % i,
             "--endpoint", endpoint, "--region", "us-west-2",
             "--access-key", AK, "--secret-key", SK,
             "--local-addresses", "127.0.0.1", "--frames", "30",
             "--timeout", str(secs(30))],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for i, v in enumerate(viewers):
        try:
            out, _ = v.communicate(timeout=secs(40))
        except subprocess.TimeoutExpired:
            v.kill()
            out, _ = v.communicate()
        log("-- viewer %d:\n%s" % (i, out))
        check(v.returncode == 0, "Python viewer %d exited %s" %
              (i, v.returncode))
        check(decoded(out) >= 30, "Python viewer %d decoded no 30 frames"
              % i)
        for step in ("signaling connected", "offer sent", "answer received",
                     "ICE/DTLS connected", "first frame decoded"):
            check(step in out, "viewer %d timeline lacks '%s'" % (i, step))
    stop(master, "C master", reader=mreader, lines=mlines)
    out = "".join(mlines)
    log("-- master:\n" + out)
    check(master.returncode == 0, "the C master exited %s after SIGINT" %
          master.returncode)
    for i in range(2):
        check("viewer py-viewer-%d: new webrtcbin" % i in out,
              "the master made no webrtcbin for viewer %d" % i)


def test_python_master_python_viewer(examples, endpoint):
    log("== Python master with a Python viewer")
    master = spawn(
        ["/usr/bin/python3", os.path.join(examples, "master.py"),
         "--channel", CHANNEL, "--endpoint", endpoint, "--region",
         "us-west-2", "--access-key", AK, "--secret-key", SK,
         "--local-addresses", "127.0.0.1", "--seconds", str(secs(40))],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    mlines = []
    mreader = threading.Thread(target=drain, args=(master, mlines),
                               daemon=True)
    mreader.start()
    viewer = spawn(
        ["/usr/bin/python3", os.path.join(examples, "viewer.py"),
         "--channel", CHANNEL, "--client-id", "py-viewer-solo",
         "--endpoint", endpoint, "--region", "us-west-2",
         "--access-key", AK, "--secret-key", SK,
         "--local-addresses", "127.0.0.1", "--frames", "30",
         "--timeout", str(secs(30))],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = viewer.communicate(timeout=secs(40))
    except subprocess.TimeoutExpired:
        viewer.kill()
        out, _ = viewer.communicate()
    log("-- viewer:\n" + out)
    check(viewer.returncode == 0 and decoded(out) >= 30,
          "the Python viewer of the Python master failed")
    stop(master, "Python master", reader=mreader, lines=mlines)
    out = "".join(mlines)
    log("-- master:\n" + out)
    check("offer from py-viewer-solo" in out, "the Python master saw no "
          "offer")
    check("answer sent to py-viewer-solo" in out, "the Python master sent "
          "no answer")
    check(master.returncode == 0, "the Python master exited %s" %
          master.returncode)


def main():
    server_path, master_exe, examples = sys.argv[1:4]
    server, endpoint = start_service(
        server_path, ["--access-key", AK, "--secret-key", SK,
                      "--region", "us-west-2", "--create-channel", CHANNEL])
    try:
        test_launch_lines(examples, endpoint)
        test_c_master_python_viewers(master_exe, examples, endpoint)
        test_python_master_python_viewer(examples, endpoint)
    finally:
        stop_service(server)
    if failures:
        log("%d failure(s)" % len(failures))
        return 1
    log("all examples passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kvswebrtcsrc examples, end to end through the local service, as
users run them, against the gst-launch master of examples/master.sh (VP8
and Opus): examples/webrtcsrc.sh (gst-launch-1.0, video and audio pads
linked by name) and examples/webrtcsrc.py (Python gi), the latter also
across a restart of the master; and a line with two unnamed decodebin
branches.

usage: webrtcsrc-examples.py SERVER EXAMPLES_DIR

Deadlines scale with $KVS_TIMEOUT_MULTIPLIER; under the sanitizer stage
each child runs through $KVS_ASAN_WRAPPER, as in examples.py.
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

AK = "AKIDEXAMPLESRCTEST"
SK = "webrtcsrc-examples-secret"
CHANNEL = "webrtcsrc-examples"


def drain(p, lines):
    for line in p.stdout:
        lines.append(line)


class Child:
    """A child process whose output is collected by a thread."""

    def __init__(self, argv, env=None):
        self.lines = []
        self.p = spawn(argv, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
        self.reader = threading.Thread(target=drain,
                                       args=(self.p, self.lines), daemon=True)
        self.reader.start()

    def text(self):
        return "".join(self.lines)

    def stop(self, timeout=10):
        """SIGINT (gst-launch and the examples set the pipeline to NULL),
        then SIGKILL; returns the exit code."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(secs(timeout))
            except subprocess.TimeoutExpired:
                check(False, "%s did not stop within %d s of SIGINT" %
                      (self.p.args, timeout))
                self.p.kill()
                self.p.wait()
        self.reader.join(secs(timeout))
        return self.p.returncode

    def wait(self, timeout):
        try:
            self.p.wait(secs(timeout))
        except subprocess.TimeoutExpired:
            check(False, "%s still running after %d s" % (self.p.args,
                                                          timeout))
            self.p.kill()
            self.p.wait()
        self.reader.join(secs(10))
        return self.p.returncode


def start_server(path):
    """The service with this test's credentials and channel (also
    webrtcsink-examples.py's): (process, URL)."""
    return start_service(path, ["--access-key", AK, "--secret-key", SK,
                                "--region", "us-west-2",
                                "--create-channel", CHANNEL])


def env_for(endpoint, **extra):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK,
        "AWS_REGION": "us-west-2", "KVS_ENDPOINT": endpoint,
        "KVS_CHANNEL": CHANNEL, "KVS_LOCAL_ADDRESSES": "127.0.0.1",
    })
    env.update(extra)
    return env


def master(examples, endpoint):
    m = Child(["sh", os.path.join(examples, "master.sh")],
              env=env_for(endpoint))
    time.sleep(0.5)
    return m


def python_viewer(examples, endpoint, frames, client_id):
    return Child(["/usr/bin/python3", os.path.join(examples, "webrtcsrc.py"),
                  "--channel", CHANNEL, "--client-id", client_id,
                  "--endpoint", endpoint, "--region", "us-west-2",
                  "--access-key", AK, "--secret-key", SK,
                  "--local-addresses", "127.0.0.1", "--audio",
                  "--frames", str(frames), "--timeout", str(secs(40))])


def count(text, what):
    m = re.search(r"%s decoded: (\d+)" % what, text)
    return int(m.group(1)) if m else 0


def test_launch_line(examples, endpoint):
    log("== examples/webrtcsrc.sh (KVS_AUDIO=1) against master.sh")
    m = master(examples, endpoint)
    v = Child(["sh", os.path.join(examples, "webrtcsrc.sh"), "-v"],
              env=env_for(endpoint, KVS_AUDIO="1", KVS_CLIENT_ID="launch",
                          KVS_VIDEO_SINK="fakesink name=video silent=false "
                                         "sync=false",
                          KVS_AUDIO_SINK="fakesink name=audio silent=false "
                                         "sync=false"))
    deadline = time.monotonic() + secs(30)
    video = audio = 0
    while time.monotonic() < deadline and (video < 30 or audio < 30):
        time.sleep(0.1)
        text = v.text()
        video = text.count("video: last-message = chain")
        audio = text.count("audio: last-message = chain")
        if v.p.poll() is not None:
            break
    v.stop()
    m.stop()
    log("gst-launch viewer: %d video, %d audio buffers" % (video, audio))
    check(video >= 30 and audio >= 30, "webrtcsrc.sh decoded %d video "
          "frames and %d audio buffers" % (video, audio))
    errors = [line for line in v.lines if line.startswith("ERROR")]
    check(not errors, "webrtcsrc.sh errors: %s" % errors)


def test_two_branches(examples, endpoint):
    """The line of two unnamed branches: each pad to one decodebin."""
    log("== kvswebrtcsrc name=s s. ! decodebin s. ! decodebin, master.sh")
    m = master(examples, endpoint)
    v = Child(["gst-launch-1.0", "-v", "kvswebrtcsrc", "name=s",
               "channel-name=" + CHANNEL, "endpoint=" + endpoint,
               "local-addresses=127.0.0.1", "client-id=branches",
               "s.", "!", "queue", "!", "decodebin", "!",
               "fakesink", "name=one", "silent=false", "sync=false",
               "s.", "!", "queue", "!", "decodebin", "!",
               "fakesink", "name=two", "silent=false", "sync=false"],
              env=env_for(endpoint))
    deadline = time.monotonic() + secs(30)
    one = two = 0
    while time.monotonic() < deadline and (one < 30 or two < 30):
        time.sleep(0.1)
        text = v.text()
        one = text.count("one: last-message = chain")
        two = text.count("two: last-message = chain")
        if v.p.poll() is not None:
            break
    v.stop()
    m.stop()
    log("two branches: %d and %d buffers" % (one, two))
    check(one >= 30 and two >= 30, "the two branches got %d and %d buffers"
          % (one, two))
    errors = [line for line in v.lines if line.startswith("ERROR")]
    check(not errors, "two-branch line errors: %s" % errors)


def test_python(examples, endpoint):
    log("== examples/webrtcsrc.py (video and audio) against master.sh")
    m = master(examples, endpoint)
    v = python_viewer(examples, endpoint, 60, "py-src")
    rc = v.wait(50)
    m.stop()
    out = v.text()
    log("-- viewer:\n" + out)
    check(rc == 0, "webrtcsrc.py exited %s" % rc)
    check(count(out, "frames") >= 60 and count(out, "audio buffers") >= 60,
          "webrtcsrc.py did not decode 60 frames and 60 audio buffers")
    check("pad video_0 linked" in out and "pad audio_0 linked" in out,
          "webrtcsrc.py did not link video_0 and audio_0")


def test_python_master_restart(examples, endpoint):
    log("== examples/webrtcsrc.py across a restart of master.sh")
    m = master(examples, endpoint)
    # 240 frames: 8 s at 30 fps, so the restart falls in the middle.
    v = python_viewer(examples, endpoint, 240, "py-src-restart")
    deadline = time.monotonic() + secs(20)
    while "first video decoded" not in v.text() and \
            time.monotonic() < deadline and v.p.poll() is None:
        time.sleep(0.1)
    time.sleep(1)
    m.stop()
    time.sleep(1)
    m = master(examples, endpoint)
    rc = v.wait(50)
    m.stop()
    out = v.text()
    log("-- viewer:\n" + out)
    check(rc == 0, "webrtcsrc.py exited %s across the restart" % rc)
    r = re.search(r"sessions: (\d+), restarts: (\d+)", out)
    check(r is not None and int(r.group(2)) >= 1,
          "webrtcsrc.py reports no restart")
    w = re.search(r"warning after (\d+) frames: .*offering again", out)
    check(w is not None and count(out, "frames") >= int(w.group(1)) + 60,
          "no 60 frames decoded after the bin offered again")
    check(out.count("pad video_0 linked") == 1,
          "the pad was exposed again instead of kept")


def main():
    server_path, examples = sys.argv[1:3]
    server, endpoint = start_server(server_path)
    try:
        test_launch_line(examples, endpoint)
        test_two_branches(examples, endpoint)
        test_python(examples, endpoint)
        test_python_master_restart(examples, endpoint)
    finally:
        stop_service(server)
    if failures:
        log("%d failure(s)" % len(failures))
        return 1
    log("all kvswebrtcsrc examples passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kvswebrtcsink examples and the demo's --keep, end to end through the
local service, as users run them:

- examples/webrtcsink.sh (the gst-launch-1.0 one-liner) serves two
  examples/webrtcsrc.py viewers at once;
- examples/webrtcsink.py (Python gi, VP8 and Opus) serves a viewer with
  audio and one without, reports both with viewer-added, and warns about
  neither (a viewer that asks for no audio is no problem);
- scripts/demo --keep (scripts/demo.py) keeps serving after its summary, past its --timeout,
  a second viewer decodes from it, and Ctrl-C ends it with status 0.

usage: webrtcsink-examples.py SERVER EXAMPLES_DIR DEMO BUILD_DIR

The process helpers are those of webrtcsrc-examples.py (same folder).
"""

import importlib.util
import os
import re
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "webrtcsrc_examples", os.path.join(HERE, "webrtcsrc-examples.py"))
ex = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ex)
check, log, secs, Child = ex.check, ex.log, ex.secs, ex.Child


def sink_master(examples, endpoint, python=False, audio=False):
    if python:
        argv = ["/usr/bin/python3", os.path.join(examples, "webrtcsink.py"),
                "--channel", ex.CHANNEL, "--endpoint", endpoint,
                "--region", "us-west-2", "--access-key", ex.AK,
                "--secret-key", ex.SK, "--local-addresses", "127.0.0.1"]
        if audio:
            argv.append("--audio")
        m = Child(argv)
    else:
        m = Child(["sh", os.path.join(examples, "webrtcsink.sh")],
                  env=ex.env_for(endpoint))
    time.sleep(0.5)
    return m


def viewer(examples, endpoint, client_id, frames=30, audio=False, **kw):
    argv = ["/usr/bin/python3", os.path.join(examples, "webrtcsrc.py"),
            "--frames", str(frames), "--timeout", str(secs(40))]
    defaults = {"--channel": ex.CHANNEL, "--client-id": client_id,
                "--endpoint": endpoint, "--region": "us-west-2",
                "--access-key": ex.AK, "--secret-key": ex.SK,
                "--local-addresses": "127.0.0.1"}
    defaults.update(kw)
    for k, v in defaults.items():
        argv += [k, v]
    if audio:
        argv.append("--audio")
    return Child(argv)


def test_launch_line(examples, endpoint):
    log("== examples/webrtcsink.sh serving two webrtcsrc.py viewers at once")
    m = sink_master(examples, endpoint)
    viewers = [viewer(examples, endpoint, "sink-line-%d" % i)
               for i in range(2)]
    codes = [v.wait(50) for v in viewers]
    rc = m.stop()
    for i, v in enumerate(viewers):
        out = v.text()
        check(codes[i] == 0 and ex.count(out, "frames") >= 30,
              "viewer %d of webrtcsink.sh: exit %s, %d frames\n%s"
              % (i, codes[i], ex.count(out, "frames"), out))
    errors = [line for line in m.lines if line.startswith("ERROR")]
    check(not errors, "webrtcsink.sh errors: %s" % errors)
    log("webrtcsink.sh stopped with %s" % rc)


def test_python(examples, endpoint):
    log("== examples/webrtcsink.py (VP8 and Opus): a viewer with audio, "
        "one without")
    m = sink_master(examples, endpoint, python=True, audio=True)
    with_audio = viewer(examples, endpoint, "sink-py-av", audio=True)
    video_only = viewer(examples, endpoint, "sink-py-v")
    codes = [with_audio.wait(50), video_only.wait(50)]
    rc = m.stop()
    out = m.text()
    log("-- master:\n" + out)
    check(rc == 0, "webrtcsink.py exited %s" % rc)
    check(codes == [0, 0], "the viewers exited %s" % codes)
    check(ex.count(with_audio.text(), "audio buffers") >= 30,
          "the viewer with audio decoded no 30 audio buffers:\n"
          + with_audio.text())
    for cid in ("sink-py-av", "sink-py-v"):
        check("viewer added: %s" % cid in out,
              "webrtcsink.py did not report viewer %s" % cid)
    check("warning" not in out, "webrtcsink.py warned:\n" + out)


def test_demo_keep(demo, build):
    log("== scripts/demo --keep: serves past its summary, until Ctrl-C")
    # demo.py run by Python directly (what scripts/demo does), so that the
    # sanitizer stage's wrapper gives it the Python preload
    d = Child(["/usr/bin/python3", demo, build, "--frames", "30",
               "--timeout", "5", "--keep"])
    started = time.monotonic()
    deadline = started + secs(40)
    m = None
    while time.monotonic() < deadline and d.p.poll() is None:
        m = re.search(r"--keep:.*\n\s*browser\s+(http://[0-9.:]+)/viewer\?"
                      r"channel=(\w+)&region=([\w-]+)&audio=1#accessKeyId="
                      r"(\w+)&secretAccessKey=(\S+)", d.text())
        if m:
            break
        time.sleep(0.1)
    if not check(m is not None, "the demo printed no --keep address:\n"
                 + d.text()):
        d.stop()
        return
    url, channel, region, ak, sk = m.groups()
    examples = os.path.join(os.path.dirname(os.path.abspath(demo)), "..",
                            "examples")
    v = viewer(examples, url,
               "after-the-demo", frames=30, **{
                   "--channel": channel, "--region": region,
                   "--access-key": ak, "--secret-key": sk})
    rc = v.wait(50)
    check(rc == 0 and ex.count(v.text(), "frames") >= 30,
          "a viewer after the demo's summary: exit %s\n%s" % (rc, v.text()))
    # past the demo's --timeout 5: still serving
    time.sleep(max(0, started + 8 - time.monotonic()))
    check(d.p.poll() is None, "the demo exited before Ctrl-C:\n" + d.text())
    rc = d.stop()
    check(rc == 0 and "result: OK" in d.text(),
          "the demo ended with %s after Ctrl-C:\n%s" % (rc, d.text()))


def main():
    server_path, examples, demo, build = sys.argv[1:5]
    server, endpoint = ex.start_server(server_path)
    try:
        test_launch_line(examples, endpoint)
        test_python(examples, endpoint)
    finally:
        ex.stop_service(server)
    test_demo_keep(demo, build)
    if ex.failures:
        log("%d failure(s)" % len(ex.failures))
        return 1
    log("all kvswebrtcsink examples passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

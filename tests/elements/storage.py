#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kvswebrtcsink join-storage-session (WebRTC ingestion) against the local
service and its real storage peer (kvs-storage-peer.py, webrtcbin):

- bad input, before anything is sent: VP8-only video, no audio (each an
  error naming what to fix, the pipeline does not start), storage not
  configured for the channel (a warning naming the service's
  InvalidArgumentException; the viewers' side runs on); no recording;
- a master (max-viewers=1) joins, a viewer joins beside the storage session
  (it takes no slot), ~10 s of H.264 + Opus are sent, and the recording
  under --storage-dir plays: GStreamer's discoverer finds H.264 video and
  audio, its duration within 1 s of the time the storage session was
  connected;
- a master restart gets a new storage session; the storage peer killed
  (SIGKILL), the master joins again and a further recording appears;
- the kvssignalingsink/kvssignalingsrc pair (join-storage-session=true on
  a master pair driving its webrtcbin): VP8-only video is an error naming
  it, role=viewer a warning naming the fix, H.264 at another payload type
  than the storage peer's offer an error naming it (not webrtcbin's
  abort); H.264 + Opus RTP are answered
  to the storage peer (named by the `kvssignaling-storage` message) and
  the recording has H.264 video and audio.

usage: storage.py SERVER

Deadlines scale with $KVS_TIMEOUT_MULTIPLIER.
"""

import glob
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstPbutils", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import Gst, GstPbutils, GstWebRTC  # noqa: E402

import elementutil  # noqa: E402
from elementutil import (failures, log, start_service,  # noqa: E402
                         stop_service)

AK = "AKIDSTORAGEELEMENT01"
SK = "storage-element-secret"
CHANNEL = "storage-master"
BAD_CHANNEL = "storage-bad-media"
NOSTORE_CHANNEL = "storage-not-configured"
STREAM = "storage-stream"
BAD_STREAM = "storage-bad-stream"
PAIR_CHANNEL = "storage-pair"
PAIR_STREAM = "storage-pair-stream"
PT_CHANNEL = "storage-pair-pt"
PT_STREAM = "storage-pair-pt-stream"
SLOW = float(os.environ.get("KVS_TIMEOUT_MULTIPLIER") or 1)
SEND_S = 10
CONNECTED = int(GstWebRTC.WebRTCPeerConnectionState.CONNECTED)


def check(cond, msg):
    return elementutil.check(cond, msg, log_ok=True)


class Service:
    def __init__(self, path, storage_dir):
        self.log = tempfile.TemporaryFile(mode="w+")
        env = dict(os.environ)
        # Under the sanitizers' stage the service and its Python storage
        # peer get only the ASan runtime preloaded (with GnuTLS too,
        # python3 deadlocks at start), as tests/interop/lib/harness.mjs does.
        if os.environ.get("KVS_ASAN_LD_PRELOAD_PYTHON") is not None:
            env["LD_PRELOAD"] = os.environ["KVS_ASAN_LD_PRELOAD_PYTHON"]
        self.p, self.url = start_service(
            path, ["--access-key", AK, "--secret-key", SK,
                   "--region", "us-west-2", "--no-auth", "--no-turn",
                   "--storage-dir", storage_dir, "--create-channel", CHANNEL],
            wrapped=False, stderr=self.log, env=env)

    def post(self, path, body):
        req = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
        return json.loads(text) if text else {}

    def channel_arn(self, name):
        try:
            return self.post("/describeSignalingChannel",
                             {"ChannelName": name})["ChannelInfo"]["ChannelARN"]
        except urllib.error.HTTPError:
            return self.post("/createSignalingChannel",
                             {"ChannelName": name})["ChannelARN"]

    def enable_storage(self, channel, stream):
        arn = self.channel_arn(channel)
        stream_arn = self.post("/createStream", {
            "StreamName": stream, "DataRetentionInHours": 1})["StreamARN"]
        self.post("/updateMediaStorageConfiguration", {
            "ChannelARN": arn, "MediaStorageConfiguration": {
                "StreamARN": stream_arn, "Status": "ENABLED"}})

    def storage_peers(self, output):
        """PIDs of the service's storage peers (its children) recording
        into @output."""
        pids = []
        for d in glob.glob("/proc/[0-9]*"):
            try:
                with open(d + "/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(d + "/cmdline", "rb") as f:
                    cmd = f.read()
            except (OSError, ValueError, IndexError):
                continue
            if (ppid == self.p.pid and b"kvs-storage-peer.py" in cmd and
                    output.encode() in cmd):
                pids.append(int(os.path.basename(d)))
        return pids

    def stop(self):
        stop_service(self.p)
        if failures:
            self.log.seek(0)
            log("service's log (end):\n" + self.log.read()[-4000:])


def props(service, channel, extra=""):
    return ("channel-name=%s endpoint=%s aws-region=us-west-2 access-key=%s "
            "secret-key=%s local-addresses=127.0.0.1 %s" %
            (channel, service.url, AK, SK, extra))


H264 = ("videotestsrc is-live=true ! "
        "video/x-raw,width=320,height=240,framerate=30/1 ! "
        "openh264enc ! h264parse ! s.video_0 ")
VP8 = ("videotestsrc is-live=true ! "
       "video/x-raw,width=320,height=240,framerate=30/1 ! "
       "vp8enc deadline=1 ! s.video_0 ")
OPUS = "audiotestsrc is-live=true ! opusenc ! s.audio_0 "
# The pair: RTP into the webrtcbin it drives (the payload types of the
# storage peer's offer, as kvswebrtcsink payloads for it).
PAIR_H264 = ("videotestsrc is-live=true ! "
             "video/x-raw,width=320,height=240,framerate=30/1 ! "
             "openh264enc ! h264parse ! "
             "rtph264pay config-interval=-1 aggregate-mode=zero-latency ! "
             "application/x-rtp,media=video,encoding-name=H264,"
             "clock-rate=90000,payload=96 ! wb. ")
PAIR_VP8 = ("videotestsrc is-live=true ! "
            "video/x-raw,width=320,height=240,framerate=30/1 ! "
            "vp8enc deadline=1 ! rtpvp8pay ! "
            "application/x-rtp,media=video,encoding-name=VP8,"
            "clock-rate=90000,payload=96 ! wb. ")
PAIR_OPUS = ("audiotestsrc is-live=true ! opusenc ! rtpopuspay ! "
             "application/x-rtp,media=audio,encoding-name=OPUS,"
             "clock-rate=48000,payload=111 ! wb. ")


class Pipeline:
    def __init__(self, desc):
        self.pipe = Gst.parse_launch(desc)
        self.bus = self.pipe.get_bus()
        self.errors, self.warnings, self.events = [], [], []
        self.peer_states = {}

    def play(self):
        return self.pipe.set_state(Gst.State.PLAYING)

    def poll(self, seconds=0.1):
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            msg = self.bus.timed_pop(int(max(left, 0) * Gst.SECOND))
            if msg is None:
                return
            if msg.type == Gst.MessageType.ERROR:
                self.errors.append(msg.parse_error()[0].message)
                log("error: " + self.errors[-1])
            elif msg.type == Gst.MessageType.WARNING:
                self.warnings.append(msg.parse_warning()[0].message)
                log("warning: " + self.warnings[-1])
            elif msg.type == Gst.MessageType.ELEMENT:
                s = msg.get_structure()
                if s and s.get_name() in ("kvswebrtcsink-storage",
                                          "kvssignaling-storage"):
                    ev = (s.get_string("event"), s.get_string("client-id"))
                    self.events.append(ev)
                    log("%s event: %s %s" % ((s.get_name(),) + ev))
                elif s and s.get_name() == "kvssignaling-peer":
                    self.peer_states[s.get_string("peer")] = int(
                        s.get_value("connection-state"))

    def wait(self, what, cond, timeout):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            self.poll(0.1)
            if cond():
                return True
        return check(False, what)

    def storage_state(self, client_id):
        stats = self.pipe.get_by_name("s").get_property("stats")
        ok, viewers = stats.get_array("viewer-stats")
        for i in range(viewers.n_values if ok else 0):
            v = viewers.get_nth(i)
            if v.get_string("client-id") == client_id:
                return int(v.get_value("connection-state"))
        return None

    def stop(self):
        self.pipe.set_state(Gst.State.NULL)


def recordings(storage_dir, stream):
    return sorted(glob.glob(os.path.join(storage_dir, stream, "*.mkv")))


def discover(path):
    try:
        info = GstPbutils.Discoverer.new(10 * Gst.SECOND).discover_uri(
            Gst.filename_to_uri(path))
    except Exception as e:  # GLib.Error
        return None, str(e)
    return info, None


CUES = b"\x1c\x53\xbb\x6b"


def finished(path):
    """The storage peer writes the Matroska index (Cues) last."""
    try:
        with open(path, "rb") as f:
            return f.read().rfind(CUES) > 4096
    except OSError:
        return False


def wait_finished(path, timeout=15):
    end = time.monotonic() + timeout * SLOW
    while time.monotonic() < end:
        if finished(path):
            return True
        time.sleep(0.2)
    return check(False, "%s finished (its index written)" % path)


def bad_input(service, storage_dir):
    service.enable_storage(BAD_CHANNEL, BAD_STREAM)
    cases = [
        ("VP8-only video", VP8 + OPUS, "no video input is H.264"),
        ("no audio", H264, "no audio input"),
    ]
    for name, media, needle in cases:
        p = Pipeline("kvswebrtcsink name=s %s %s" % (
            props(service, BAD_CHANNEL, "join-storage-session=true"), media))
        ret = p.play()
        p.poll(0.5)
        check(ret == Gst.StateChangeReturn.FAILURE,
              "%s: the pipeline does not start" % name)
        check(any(needle in e and "join-storage-session" in e and
                  "Opus" in e for e in p.errors),
              "%s: an error naming it (%r)" % (name, p.errors))
        p.stop()

    # Storage not configured: a warning with the service's error; the
    # master runs on and nothing is recorded.
    service.channel_arn(NOSTORE_CHANNEL)
    p = Pipeline("kvswebrtcsink name=s %s %s" % (
        props(service, NOSTORE_CHANNEL, "join-storage-session=true"),
        H264 + OPUS))
    check(p.play() != Gst.StateChangeReturn.FAILURE,
          "storage not configured: the master starts")
    p.wait("storage not configured: a warning naming it",
           lambda: any("InvalidArgumentException" in w and
                       "media storage" in w for w in p.warnings), 15)
    check(not p.errors, "storage not configured: no error (%r)" % p.errors)
    check(("failed", None) in p.events, "storage not configured: "
          "a 'failed' storage event")
    p.poll(2)
    p.stop()
    check(recordings(storage_dir, BAD_STREAM) == [],
          "bad input: nothing recorded (%r)" %
          os.listdir(storage_dir))


def storage_id(p, after=0):
    ids = [c for e, c in p.events[after:] if e == "offer"]
    return ids[-1] if ids else None


def record_and_view(service, storage_dir):
    """One storage session with a viewer beside it (max-viewers=1)."""
    service.enable_storage(CHANNEL, STREAM)
    p = Pipeline("kvswebrtcsink name=s %s %s" % (
        props(service, CHANNEL, "join-storage-session=true max-viewers=1"),
        H264 + OPUS))
    p.play()
    if not p.wait("the storage peer's offer", lambda: storage_id(p), 20):
        p.stop()
        return
    sid = storage_id(p)
    if not p.wait("the storage session connected",
                  lambda: p.storage_state(sid) == CONNECTED, 20):
        p.stop()
        return
    connected = time.monotonic()

    viewer = Gst.parse_launch(
        "kvswebrtcsrc name=v %s client-id=viewer-beside-storage "
        "audio-codecs=\"\" ! fakesink name=vs signal-handoffs=true" %
        props(service, CHANNEL))
    frames = [0]

    def on_handoff(*args):
        frames[0] += 1
    viewer.get_by_name("vs").connect("handoff", on_handoff)
    viewer.set_state(Gst.State.PLAYING)
    p.wait("the viewer gets video while the storage session runs",
           lambda: frames[0] >= 30, 20)
    stats = p.pipe.get_by_name("s").get_property("stats")
    check(stats.get_uint("viewers")[1] == 1 and
          stats.get_uint64("viewers-refused")[1] == 0,
          "the storage session took no viewer slot (viewers %d, refused %d)"
          % (stats.get_uint("viewers")[1],
             stats.get_uint64("viewers-refused")[1]))
    viewer.set_state(Gst.State.NULL)
    check(not any("Refusing" in w for w in p.warnings),
          "no viewer refused")

    while time.monotonic() < connected + SEND_S:
        p.poll(0.1)
    sent = time.monotonic() - connected
    p.stop()                    # the master leaves: the session ends
    check(not p.errors, "the master ran without error (%r)" % p.errors)

    files = recordings(storage_dir, STREAM)
    if not check(len(files) == 1, "one recording (%r)" % files):
        return
    if not wait_finished(files[0]):
        return
    info, err = discover(files[0])
    if not check(info is not None, "the recording plays (%s)" % err):
        return
    streams = {s.get_stream_type_nick(): s.get_caps().to_string()
               for s in info.get_stream_list()}
    check(streams.get("video", "").startswith("video/x-h264"),
          "H.264 video recorded (%.60s)" % streams.get("video"))
    check("audio" in streams, "audio recorded (%.60s)" % streams.get("audio"))
    duration = info.get_duration() / Gst.SECOND
    if not os.environ.get("KVS_ASAN_WRAPPER"):
        check(abs(duration - sent) <= 1.0,
              "recorded %.2f s of the %.2f s sent" % (duration, sent))
    else:
        # under AddressSanitizer the media start seconds later (see
        # tests/interop/storage-session.test.mjs)
        check(0.5 <= duration <= sent + 1.0,
              "recorded %.2f s of the %.2f s sent (ASan)" % (duration, sent))


def rejoin(service, storage_dir):
    """A master restart gets a new session; the storage peer killed, the
    master joins again."""
    before = len(recordings(storage_dir, STREAM))
    p = Pipeline("kvswebrtcsink name=s %s %s" % (
        props(service, CHANNEL, "join-storage-session=true "
              "viewer-timeout=10000000000"), H264 + OPUS))
    p.play()
    if not p.wait("a new storage session after the master's restart",
                  lambda: storage_id(p), 20):
        p.stop()
        return
    first = storage_id(p)
    p.wait("the new session connected",
           lambda: p.storage_state(first) == CONNECTED, 20)
    check(len(recordings(storage_dir, STREAM)) == before + 1,
          "a second recording")
    peers = service.storage_peers(recordings(storage_dir, STREAM)[-1])
    check(len(peers) == 1, "its storage peer running (%r)" % peers)
    n = len(p.events)
    for pid in peers:
        os.kill(pid, signal.SIGKILL)
    # found silent after viewer-timeout (10 s: RTCP comes every 2.5 to
    # 7.5 s), the session ends and the master joins again
    p.wait("the master joins again after the storage peer was killed",
           lambda: storage_id(p, n) not in (None, first), 30)
    check(("ended", first) in p.events, "the killed session ended")
    p.wait("a further recording",
           lambda: len(recordings(storage_dir, STREAM)) == before + 2, 10)
    second = storage_id(p, n)
    p.wait("the rejoined session connected",
           lambda: p.storage_state(second) == CONNECTED, 20)
    p.poll(2)
    p.stop()
    check(not p.errors, "no error across the rejoin (%r)" % p.errors)
    last = recordings(storage_dir, STREAM)[-1]
    if wait_finished(last):
        info, err = discover(last)
        check(info is not None and len(info.get_video_streams()) == 1 and
              len(info.get_audio_streams()) == 1,
              "the rejoined session's recording has video and audio (%s)" %
              err)


def pair_pipeline(service, role, media, channel=PAIR_CHANNEL):
    extra = "role=%s join-storage-session=true webrtcbin-name=wb" % role
    return Pipeline(
        "webrtcbin name=wb bundle-policy=max-bundle %s "
        "kvssignalingsink name=ks %s kvssignalingsrc name=kr %s" % (
            media, props(service, channel, extra),
            props(service, channel, extra)))


def pair(service, storage_dir):
    """join-storage-session on the kvssignalingsink/src pair."""
    service.enable_storage(PAIR_CHANNEL, PAIR_STREAM)

    # VP8-only video: an error naming it, before anything is sent.
    p = pair_pipeline(service, "master", PAIR_VP8 + PAIR_OPUS)
    ret = p.play()
    p.poll(0.5)
    check(ret == Gst.StateChangeReturn.FAILURE,
          "pair, VP8-only video: the pipeline does not start")
    check(any("no video stream of webrtcbin 'wb' is H.264 (sink_0 sends "
              "VP8)" in e and "join-storage-session" in e and "Opus" in e
              for e in p.errors),
          "pair, VP8-only video: an error naming it (%r)" % p.errors)
    p.stop()

    # role=viewer: a warning naming the fix (the viewer runs on). On a
    # channel of its own: its offer would wait there for the master below.
    service.channel_arn(NOSTORE_CHANNEL)
    p = pair_pipeline(service, "viewer", PAIR_H264 + PAIR_OPUS,
                      NOSTORE_CHANNEL)
    p.play()
    p.wait("pair, role=viewer: a warning naming the fix",
           lambda: any("join-storage-session is ignored with role=viewer"
                       in w and "role=master" in w for w in p.warnings), 5)
    check(not p.errors, "pair, role=viewer: no error (%r)" % p.errors)
    p.stop()
    check(recordings(storage_dir, PAIR_STREAM) == [],
          "pair, bad input: nothing recorded")

    # H.264 at another payload type than the storage peer's offer: webrtcbin
    # 1.22 would abort the process; an error naming the fix instead.
    service.enable_storage(PT_CHANNEL, PT_STREAM)
    p = pair_pipeline(service, "master", PAIR_H264.replace(
        "payload=96", "payload=97") + PAIR_OPUS, PT_CHANNEL)
    p.play()
    p.wait("pair, payload type 97: an error naming the fix",
           lambda: any("sink_0 sends H264 at payload type 97 where the "
                       "offer has 96" in e and "rtph264pay pt=96" in e
                       for e in p.errors), 20)
    p.stop()

    # H.264 + Opus: the storage peer's offer answered by the pair's
    # webrtcbin; the recording plays.
    p = pair_pipeline(service, "master", PAIR_H264 + PAIR_OPUS)
    p.play()
    if not p.wait("pair: the storage peer's offer (kvssignaling-storage)",
                  lambda: storage_id(p), 20):
        p.stop()
        return
    sid = storage_id(p)
    check(("joined", None) in p.events, "pair: a 'joined' event")
    if not p.wait("pair: the storage session connected",
                  lambda: p.peer_states.get(sid) == CONNECTED, 20):
        p.stop()
        return
    p.poll(4)
    p.stop()
    check(not p.errors, "pair: ran without error (%r)" % p.errors)
    files = recordings(storage_dir, PAIR_STREAM)
    if not check(len(files) == 1, "pair: one recording (%r)" % files):
        return
    if not wait_finished(files[0]):
        return
    info, err = discover(files[0])
    if not check(info is not None, "pair: the recording plays (%s)" % err):
        return
    streams = {s.get_stream_type_nick(): s.get_caps().to_string()
               for s in info.get_stream_list()}
    check(streams.get("video", "").startswith("video/x-h264"),
          "pair: H.264 video recorded (%.60s)" % streams.get("video"))
    check("audio" in streams,
          "pair: audio recorded (%.60s)" % streams.get("audio"))
    duration = info.get_duration() / Gst.SECOND
    check(duration >= 2.0, "pair: %.2f s recorded of the ~4 s sent" %
          duration)


def asan_reexec():
    """Under the sanitizers' stage (tests/sanitizers/preload gives Python
    the ASan runtime only) openh264enc, C++ in this process, throws through
    ASan's __cxa_throw interceptor, which needs libstdc++ loaded at start:
    run again with it preloaded too."""
    rt = os.environ.get("KVS_ASAN_LD_PRELOAD_PYTHON")
    if not rt or os.environ.get("KVS_STORAGE_REEXEC"):
        return
    libs = glob.glob("/usr/lib/*/libstdc++.so.6")
    if not libs:
        return
    env = dict(os.environ, KVS_STORAGE_REEXEC="1",
               LD_PRELOAD=rt + ":" + libs[0])
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    asan_reexec()
    Gst.init(None)
    for f in ("openh264enc", "vp8enc", "opusenc", "h264parse",
              "matroskamux", "webrtcbin", "rtph264pay", "rtpvp8pay",
              "rtpopuspay"):
        if Gst.ElementFactory.find(f) is None:
            log("SKIP: %s is not installed" % f)
            sys.exit(77)
    storage_dir = tempfile.mkdtemp(prefix="kvs-storage-element-")
    service = Service(sys.argv[1], storage_dir)
    try:
        which = os.environ.get("KVS_STORAGE_TEST", "all")
        if which in ("all", "bad"):
            bad_input(service, storage_dir)
        if which in ("all", "record"):
            record_and_view(service, storage_dir)
        if which in ("all", "record"):
            rejoin(service, storage_dir)
        if which in ("all", "pair"):
            pair(service, storage_dir)
    finally:
        service.stop()
        shutil.rmtree(storage_dir, ignore_errors=True)
    if failures:
        log("%d failure(s):\n  %s" % (len(failures), "\n  ".join(failures)))
        sys.exit(1)
    log("all passed")


if __name__ == "__main__":
    main()

// Interop of the kvssignaling elements with AWS's JavaScript SignalingClient
// (amazon-kinesis-video-streams-webrtc) through the local service, with
// real video:
//  - our master (gst-launch-1.0 with kvssignalingsink/src) answers the offer
//    of a JS viewer; the viewer's media end is a plain webrtcbin in a helper
//    process (lib/webrtc-peer.py offerer) that decodes the master's video;
//  - our viewer (gst-launch-1.0) offers to a JS master whose answer comes
//    from a plain webrtcbin (lib/webrtc-peer.py answerer) sending video; our
//    viewer decodes it.
// The JS client carries every SDP and ICE message between the helper and
// the service; ICE runs on 127.0.0.1 only.
//
// Needs GST_PLUGIN_PATH_1_0 naming the build's plugin directory and
// KVS_GST_LAUNCH / KVS_PYTHON (meson test sets them).
//
// Under scripts/check-sanitizers: the deadlines are scaled by
// $KVS_TIMEOUT_MULTIPLIER; under asan, gst-launch-1.0 runs through
// $KVS_ASAN_WRAPPER (tests/sanitizers/preload: the ASan runtime and
// options of a native program), the Python helper with the harness's
// pythonEnv() (the ASan runtime only), and a sanitizer report in a child's
// output fails the test (and is printed, for check-sanitizers' report).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import {
  ACCESS_KEY, INTEROP_DIR, PYTHON, REGION, SECRET_KEY, awsCli, b64json, createChannel,
  openSignalingClient, require, spawnPython, startServer, unb64json, waitFor,
} from './lib/harness.mjs';

const { Role } = require('amazon-kinesis-video-streams-webrtc');

const GST_LAUNCH = process.env.KVS_GST_LAUNCH || 'gst-launch-1.0';
const PEER = join(INTEROP_DIR, 'lib', 'webrtc-peer.py');
const VP8_CAPS = 'application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000';
const MIN_FRAMES = 30;
// Deadlines: scaled when the programs run slower (sanitizers).
const SLOW = Number(process.env.KVS_TIMEOUT_MULTIPLIER) || 1;
const MEDIA_TIMEOUT_MS = 30000 * SLOW;
const SANITIZER_RE = /ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer/;
const LEAKS_TRACER_RE = /object-alive, type-name=|Leaks detected/;

// ---- processes ------------------------------------------------------------

// Credentials go through the environment (the AWS chain), never argv.
function childEnv() {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  };
}

// A child process with its stdout split in lines; kept output for failures.
// Python through the harness (spawnPython), the others under check-
// sanitizers asan through its wrapper.
function startChild(cmd, args, onLine) {
  const wrapper = process.env.KVS_ASAN_WRAPPER;
  const options = { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] };
  let proc;
  if (cmd === PYTHON) {
    proc = spawnPython(args[0], args.slice(1), options);
  } else {
    proc = wrapper ? spawn(wrapper, [cmd, ...args], options) : spawn(cmd, args, options);
  }
  const child = { proc, out: [], err: '', exit: null };
  child.exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      child.exit = { code, signal };
      resolve(child.exit);
    });
  });
  proc.on('error', (e) => {
    child.err += `spawn error: ${e.message}\n`;
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    // Long enough for a sanitizer report with its stacks.
    child.err = (child.err + d).slice(-200000);
  });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    child.out.push(line);
    if (child.out.length > 5000) {
      child.out.splice(0, 1000);
    }
    onLine?.(line);
  });
  child.describe = () => `${cmd} ${args.join(' ')}\n` +
    `exit: ${JSON.stringify(child.exit)}\nstdout tail:\n${child.out.slice(-40).join('\n')}\n` +
    `stderr tail:\n${child.err.slice(-4000)}`;
  return child;
}

async function stopChild(child) {
  if (!child || child.exit) {
    return;
  }
  try {
    child.proc.stdin.end();
  } catch {
    // already closed
  }
  child.proc.kill('SIGINT');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 5000 * SLOW);
  await child.exited;
  clearTimeout(timer);
}

// The sanitizer reports in the stderr of stopped children, printed; ok: the
// test got through its assertions (then a report fails it). The records of
// the GStreamer leaks tracer (check-sanitizers leaks) are printed only:
// check-sanitizers judges them against its allow-list.
function checkSanitizers(children, ok) {
  const reports = [];
  for (const child of children) {
    if (!child) {
      continue;
    }
    const records = child.err.split('\n').filter((l) => LEAKS_TRACER_RE.test(l));
    if (records.length > 0) {
      console.error(`${child.proc.spawnargs.slice(0, 3).join(' ')}, leaks tracer:\n` +
        records.join('\n'));
    }
    const at = child.err.search(SANITIZER_RE);
    if (at >= 0) {
      reports.push(`${child.proc.spawnargs.slice(0, 3).join(' ')}:\n${child.err.slice(at)}`);
    }
  }
  if (reports.length > 0) {
    console.error(reports.join('\n'));
    if (ok) {
      assert.fail(`sanitizer report from a child process:\n${reports.join('\n').slice(0, 3000)}`);
    }
  }
}

// The plain-webrtcbin helper; messages (parsed JSON) go to onMessage.
function startPeer(role, onMessage) {
  const errors = [];
  const peer = startChild(PYTHON, [PEER, role], (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not ours (a library printing on stdout)
    }
    if (msg.type === 'error') {
      errors.push(msg.message);
    }
    onMessage(msg);
  });
  peer.errors = errors;
  peer.send = (obj) => peer.proc.stdin.write(JSON.stringify(obj) + '\n');
  return peer;
}

function elementProps(role, channel, url, extra = '') {
  return `role=${role} channel-name=${channel} aws-region=${REGION} endpoint=${url} ` +
    `local-addresses=127.0.0.1 ${extra}`;
}

// Our master: a test pattern in VP8 through webrtcbin, as a user types it.
function startOurMaster(channel, url) {
  const props = elementProps('master', channel, url);
  const desc = 'videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! ' +
    'vp8enc deadline=1 ! rtpvp8pay ! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! ' +
    `webrtcbin name=wb bundle-policy=max-bundle kvssignalingsink ${props} kvssignalingsrc ${props}`;
  return startChild(GST_LAUNCH, ['-m', ...desc.split(/\s+/)]);
}

// Our viewer: receive-only, each decoded frame printed by gst-launch -v as
// a last-message notification of the fakesink named "frames".
function startOurViewer(channel, url, clientId) {
  const props = elementProps('viewer', channel, url, `client-id=${clientId}`);
  const args = ['-v', '-m', 'webrtcbin', 'name=wb', 'bundle-policy=max-bundle',
    'wb.', '!', 'rtpvp8depay', '!', 'vp8dec', '!', 'fakesink', 'name=frames', 'silent=false',
    'sync=false',
    'kvssignalingsink', ...props.trim().split(/\s+/),
    'kvssignalingsrc', ...props.trim().split(/\s+/), `recv-caps=${VP8_CAPS}`];
  return startChild(GST_LAUNCH, args);
}

// The one-line camera (issue 13): kvswebrtcsink serving every viewer.
function startOurBinMaster(channel, url) {
  const props = elementProps('master', channel, url);
  const desc = 'videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! ' +
    `vp8enc deadline=1 ! kvswebrtcsink ${props}`;
  return startChild(GST_LAUNCH, ['-m', ...desc.trim().split(/\s+/)]);
}

// The one-line viewer: kvswebrtcsrc ! decodebin, each decoded frame printed
// by gst-launch -v as a last-message notification of the fakesink "frames".
function startOurBinViewer(channel, url, clientId) {
  const props = elementProps('viewer', channel, url, `client-id=${clientId}`);
  const desc = `kvswebrtcsrc ${props} ! decodebin ! videoconvert ! ` +
    'fakesink name=frames silent=false sync=false';
  return startChild(GST_LAUNCH, ['-v', '-m', ...desc.trim().split(/\s+/)]);
}

function connectedLine(child) {
  return child.out.some((l) => /kvssignaling-state.*state=\(GstKvsSignalingState\)connected/.test(l));
}

// Waits until @child (one of ours, started by startOur*Master) says it is
// connected to the service; fails with its output if it does not, or exits.
async function untilConnected(child, what) {
  await waitFor(() => connectedLine(child) || child.exit, 10000 * SLOW,
    `${what} to connect`).catch((e) => {
    throw new Error(`${e.message}\n${child.describe()}`);
  });
  assert.equal(child.exit, null, `${what} exited early\n${child.describe()}`);
  return child;
}

function decodedFrames(child) {
  return child.out.filter((l) => /GstFakeSink:frames: last-message = chain/.test(l)).length;
}

// ---- AWS's SignalingClient ----------------------------------------------------

// The offering helper (lib/webrtc-peer.py offerer) behind the JS viewer
// @viewer: its offer and candidates go out through the viewer, the answer
// and the master's candidates come back. helper.frames: frames it decoded;
// helper.offerSdp: its offer.
function startOffererBehind(viewer) {
  const helper = startPeer('offerer', (msg) => {
    if (msg.type === 'offer') {
      helper.offerSdp = msg.sdp;
      viewer.sendSdpOffer({ type: 'offer', sdp: msg.sdp });
    } else if (msg.type === 'candidate') {
      viewer.sendIceCandidate({
        candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex,
      });
    } else if (msg.type === 'frames') {
      helper.frames = msg.count;
    }
  });
  helper.frames = 0;
  viewer.on('sdpAnswer', (answer) => helper.send({ type: 'answer', sdp: answer.sdp }));
  viewer.on('iceCandidate', (candidate) => helper.send({ type: 'candidate', ...candidate }));
  return helper;
}

// Runs body(track): track(x) registers a child process or a SignalingClient
// it started, and returns it. Whatever happens, they are stopped afterwards
// (the last started first), then the children's sanitizer reports checked
// (failing the test if body got through).
async function withProcesses(body) {
  const started = [];
  const track = (x) => {
    started.push(x);
    return x;
  };
  let ok = false;
  try {
    await body(track);
    ok = true;
  } finally {
    for (const x of started.reverse()) {
      await (x.proc ? stopChild(x) : closeClient(x));
    }
    checkSanitizers(started.filter((x) => x.proc), ok);
  }
}

async function closeClient(client) {
  if (!client || client.readyState === 3) {
    return;
  }
  const closed = once(client, 'close', { signal: AbortSignal.timeout(3000 * SLOW) }).catch(() => {});
  client.close();
  await closed;
}

// ---- tests --------------------------------------------------------------------

describe('kvssignaling elements with AWS SignalingClient', () => {
  let server;

  before(async () => {
    // --no-turn: see tests/elements/elementutil.c (webrtcbin 1.22 leaks a
    // NiceAgent's TURN refreshes; the AWS CLI offer below needs no relay)
    server = await startServer(['--no-turn']);
  });
  after(async () => {
    await server?.stop();
  });

  test('our master answers a JS viewer\'s offer; the viewer decodes video', async () => {
    const channel = 'elements-interop-master';
    const arn = await createChannel(server.url, channel);
    await withProcesses(async (track) => {
      const master = await untilConnected(track(startOurMaster(channel, server.url)),
        'our master');
      const viewer = track(await openSignalingClient(server.url, arn, Role.VIEWER, 'js-viewer-1'));
      const answers = [];
      const remoteCandidates = [];
      viewer.on('sdpAnswer', (answer, sender) => answers.push([answer, sender]));
      viewer.on('iceCandidate', (candidate) => remoteCandidates.push(candidate));
      const peer = track(startOffererBehind(viewer));

      await waitFor(() => peer.frames >= MIN_FRAMES || peer.exit || peer.errors.length,
        MEDIA_TIMEOUT_MS, `${MIN_FRAMES} frames decoded by the JS viewer's webrtcbin`)
        .catch((e) => {
          throw new Error(`${e.message} (got ${peer.frames})\nhelper:\n${peer.describe()}\n` +
            `master:\n${master.describe()}`);
        });
      assert.deepEqual(peer.errors, [], peer.describe());
      assert.ok(peer.frames >= MIN_FRAMES, `${peer.frames} frames\n${peer.describe()}`);

      // One answer, in AWS's payload form, from the master (no sender id).
      assert.equal(answers.length, 1);
      assert.equal(answers[0][0].type, 'answer');
      assert.match(answers[0][0].sdp, /^v=0\r\n/);
      assert.equal(answers[0][1], undefined);
      assert.match(peer.offerSdp, /^v=0\r\n/);
      // Trickled candidates carry the real mid of the answer's m-line.
      assert.ok(remoteCandidates.length > 0, 'no ICE candidate from our master');
      const mids = [...answers[0][0].sdp.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]);
      for (const c of remoteCandidates) {
        assert.match(c.candidate, /^candidate:/);
        assert.equal(c.sdpMid, mids[c.sdpMLineIndex]);
      }
      assert.deepEqual(viewer.errors, []);
      assert.equal(master.exit, null, `our master exited\n${master.describe()}`);
    });
  });

  test('our viewer\'s offer reaches a JS master; its answer is applied and video decodes', async () => {
    const channel = 'elements-interop-viewer';
    const arn = await createChannel(server.url, channel);
    const viewerId = 'our-viewer-1';
    await withProcesses(async (track) => {
      const master = track(await openSignalingClient(server.url, arn, Role.MASTER));
      const offers = [];
      const remoteCandidates = [];
      let answerSdp;
      let peerIce = '';
      const peer = track(startPeer('answerer', (msg) => {
        if (msg.type === 'answer') {
          answerSdp = msg.sdp;
          master.sendSdpAnswer({ type: 'answer', sdp: msg.sdp }, viewerId);
        } else if (msg.type === 'candidate') {
          master.sendIceCandidate({
            candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex,
          }, viewerId);
        } else if (msg.type === 'ice') {
          peerIce = msg.state;
        }
      }));
      master.on('sdpOffer', (offer, sender) => {
        offers.push([offer, sender]);
        peer.send({ type: 'offer', sdp: offer.sdp });
      });
      master.on('iceCandidate', (candidate, sender) => {
        remoteCandidates.push([candidate, sender]);
        peer.send({ type: 'candidate', ...candidate });
      });

      const ours = track(startOurViewer(channel, server.url, viewerId));
      await waitFor(() => decodedFrames(ours) >= MIN_FRAMES || ours.exit || peer.exit ||
        peer.errors.length, MEDIA_TIMEOUT_MS, `${MIN_FRAMES} frames decoded by our viewer`)
        .catch((e) => {
          throw new Error(`${e.message} (got ${decodedFrames(ours)}, helper ICE ${peerIce})\n` +
            `viewer:\n${ours.describe()}\nhelper:\n${peer.describe()}`);
        });
      assert.deepEqual(peer.errors, [], peer.describe());
      assert.equal(peer.exit, null, `the helper exited\n${peer.describe()}`);
      assert.equal(ours.exit, null, `our viewer exited\n${ours.describe()}`);
      assert.ok(decodedFrames(ours) >= MIN_FRAMES, ours.describe());

      // One offer, from our viewer's client id, in AWS's payload form.
      assert.equal(offers.length, 1);
      assert.equal(offers[0][1], viewerId);
      assert.equal(offers[0][0].type, 'offer');
      assert.match(offers[0][0].sdp, /^v=0\r\n/);
      assert.match(answerSdp, /^v=0\r\n/);
      const mids = [...offers[0][0].sdp.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]);
      assert.ok(remoteCandidates.length > 0, 'no ICE candidate from our viewer');
      for (const [c, sender] of remoteCandidates) {
        assert.equal(sender, viewerId);
        assert.equal(c.sdpMid, mids[c.sdpMLineIndex]);
      }
      // The answer was applied: our viewer posted no warning or error.
      assert.ok(!ours.out.some((l) => /^(ERROR|WARNING):/.test(l)), ours.describe());
      assert.deepEqual(master.errors, []);
    });
  });

  test('one kvswebrtcsink master serves a JS viewer and a kvswebrtcsrc viewer together', async () => {
    const channel = 'elements-interop-bins';
    const arn = await createChannel(server.url, channel);
    await withProcesses(async (track) => {
      const master = await untilConnected(track(startOurBinMaster(channel, server.url)),
        'our kvswebrtcsink master');
      const ours = track(startOurBinViewer(channel, server.url, 'our-bin-viewer'));
      const jsViewer = track(await openSignalingClient(server.url, arn, Role.VIEWER, 'js-bin-viewer'));
      const peer = track(startOffererBehind(jsViewer));

      await waitFor(() => (peer.frames >= MIN_FRAMES && decodedFrames(ours) >= MIN_FRAMES) ||
        peer.exit || ours.exit || master.exit || peer.errors.length, MEDIA_TIMEOUT_MS,
      `${MIN_FRAMES} frames decoded by both viewers`).catch((e) => {
        throw new Error(`${e.message} (JS viewer ${peer.frames}, kvswebrtcsrc ` +
          `${decodedFrames(ours)})\nhelper:\n${peer.describe()}\nkvswebrtcsrc:\n` +
          `${ours.describe()}\nmaster:\n${master.describe()}`);
      });
      assert.deepEqual(peer.errors, [], peer.describe());
      assert.ok(peer.frames >= MIN_FRAMES, `JS viewer: ${peer.frames} frames\n${peer.describe()}`);
      assert.ok(decodedFrames(ours) >= MIN_FRAMES, ours.describe());
      assert.equal(master.exit, null, `our master exited\n${master.describe()}`);
      assert.ok(!master.out.some((l) => /^ERROR:/.test(l)), master.describe());
      assert.deepEqual(jsViewer.errors, []);
    });
  });

  // SendAlexaOfferToMaster: the AWS CLI v2 (Debian's awscli) sends a real
  // webrtcbin offer; our kvswebrtcsink master answers it like any viewer's
  // and the CLI prints the answer; the offerer takes it, and with the ICE
  // candidates exchanged as viewer SenderClientId, decodes the video.
  test('AWS CLI send-alexa-offer-to-master gets a kvswebrtcsink master\'s answer', async () => {
    const channel = 'elements-interop-alexa';
    const arn = await createChannel(server.url, channel);
    const sender = 'alexa-device';
    await withProcesses(async (track) => {
      const master = await untilConnected(track(startOurBinMaster(channel, server.url)),
        'our kvswebrtcsink master');
      let ice;
      let offer = null;
      const candidates = [];
      let frames = 0;
      const peer = track(startPeer('offerer', (msg) => {
        if (msg.type === 'offer') {
          offer = msg.sdp;
        } else if (msg.type === 'candidate') {
          candidates.push(msg);
          ice?.sendIceCandidate({
            candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex,
          });
        } else if (msg.type === 'frames') {
          frames = msg.count;
        }
      }));
      await waitFor(() => offer || peer.exit, 10000 * SLOW, 'the offer of webrtcbin');
      const r = await awsCli(server.url, ['kinesis-video-signaling', 'send-alexa-offer-to-master',
        '--channel-arn', arn, '--sender-client-id', sender,
        '--message-payload', b64json({ type: 'offer', sdp: offer })]);
      assert.equal(r.code, 0, `aws: ${r.err}\nmaster:\n${master.describe()}`);
      const answer = unb64json(r.json.Answer);
      assert.equal(answer.type, 'answer');
      for (const line of [/^v=0\r\n/, /\r\nm=video \d+ UDP\/TLS\/RTP\/SAVPF 96/, /\r\na=fingerprint:sha-256 /,
        /\r\na=ice-ufrag:/, /\r\na=setup:(active|passive)\r\n/, /\r\na=rtpmap:96 VP8\/90000/]) {
        assert.match(answer.sdp, line, `a valid SDP answer to the VP8 offer:\n${answer.sdp}`);
      }
      peer.send({ type: 'answer', sdp: answer.sdp });

      // The trickled candidates: the master's were held for viewer
      // alexa-device; its connection as that viewer gets them and sends ours.
      ice = track(await openSignalingClient(server.url, arn, Role.VIEWER, sender));
      ice.on('iceCandidate', (candidate) => peer.send({ type: 'candidate', ...candidate }));
      for (const c of candidates) {
        ice.sendIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
      }
      await waitFor(() => frames >= MIN_FRAMES || peer.exit || master.exit || peer.errors.length,
        MEDIA_TIMEOUT_MS, `${MIN_FRAMES} frames decoded by the offerer`).catch((e) => {
        throw new Error(`${e.message} (${frames})\nhelper:\n${peer.describe()}\nmaster:\n${master.describe()}`);
      });
      assert.deepEqual(peer.errors, [], peer.describe());
      assert.ok(frames >= MIN_FRAMES, `offerer: ${frames} frames\n${peer.describe()}`);
      assert.equal(master.exit, null, `our master exited\n${master.describe()}`);
    });
  });
});

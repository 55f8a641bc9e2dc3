// The browser viewer page end to end: a GStreamer master (videotestsrc, VP8,
// webrtcbin driven by kvssignalingsink/kvssignalingsrc) streams through the
// real kvs-signaling-server to its /viewer page in Debian's headless
// Chromium (driven by playwright-core), twice at once: one channel and master
// per page, one page opened from http://198.51.100.1:PORT and one from
// http://127.0.0.1:PORT. Passes when
// both pages have decoded at least MIN_FRAMES video frames of the right size
// with no error. Then one kvswebrtcsink master serving pages (with audio,
// reloaded), and pages one after the other: the second, answered by a master
// already streaming, must decode too (the join benchmark's lost joins).
//
// Runs inside the network namespace made by run-in-netns.sh (KVS_TEST_HOST
// is its veth address); nothing here reaches outside that namespace. Every
// process started here is stopped by PID in all cases.
//
// Environment: KVS_SERVER (the server executable), KVS_VIEWER_DIST
// (tools/viewer/dist), GST_* (this build's plugin), CHROMIUM (default
// /usr/bin/chromium), KVS_BROWSER_SCREENSHOT (a PNG path: a screenshot of
// the first page playing, for people).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const HERE = dirname(fileURLToPath(import.meta.url));
const HOST = process.env.KVS_TEST_HOST;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const VIEWER_DIST = process.env.KVS_VIEWER_DIST ||
  join(HERE, '..', '..', 'tools', 'viewer', 'dist');
const REGION = 'us-west-2';
const ACCESS_KEY = 'AKIABROWSERTEST00001';
const SECRET_KEY = 'browser/Secret+Key/0123456789abcdefghijk';
// One channel (and one master: a gst-launch master's single webrtcbin serves
// one viewer) per page.
const CHANNELS = ['browser-viewer-test-1', 'browser-viewer-test-2'];
// One kvswebrtcsink master for every page (issue 13).
const BIN_CHANNEL = 'browser-viewer-test-bin';
const MIN_FRAMES = 30;
const PLAY_TIMEOUT_MS = 45000;

// What Chromium needs on this machine (closed network, root, no GPU), plus
// raw IP ICE candidates instead of mDNS names, and autoplay without a click.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

function checkSetup() {
  assert.ok(HOST, 'KVS_TEST_HOST is not set: run this test through run-in-netns.sh ' +
    '(meson test -C <builddir> --suite browser), which makes its network namespace');
  assert.ok(process.env.KVS_SERVER && existsSync(process.env.KVS_SERVER),
    `KVS_SERVER must name the kvs-signaling-server executable (got '${process.env.KVS_SERVER}')`);
  assert.ok(existsSync(join(VIEWER_DIST, 'index.html')) &&
      existsSync(join(VIEWER_DIST, 'viewer.js')),
    `the viewer page is not built in ${VIEWER_DIST}: run ` +
      '`npm ci --legacy-peer-deps && npm run build` in tools/viewer');
  assert.ok(existsSync(join(HERE, 'node_modules', 'playwright-core', 'package.json')),
    `playwright-core is not installed: run \`npm ci\` in ${HERE}`);
  assert.ok(existsSync(CHROMIUM),
    `${CHROMIUM} not found: install Debian's chromium package`);
}

// Every child still running when this process exits is killed by its PID
// (playwright-core kills its Chromium on exit the same way), also when
// run-in-netns.sh or meson stops this process with a signal.
const running = new Set();
process.on('exit', () => {
  for (const proc of running) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => process.exit(128 + osConstants.signals[signal]));
}

// A child process whose output is kept for the failure message and which is
// stopped by its PID: signal first, SIGKILL after a grace period.
function start(name, command, args, env = process.env) {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = { name, proc, output: '', exited: null };
  running.add(proc);
  const keep = (d) => {
    child.output += d;
    if (child.output.length > 200000) {
      child.output = child.output.slice(-100000);
    }
  };
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  child.exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      running.delete(proc);
      resolve({ code, signal });
    });
    proc.on('error', (error) => {
      running.delete(proc);
      resolve({ code: null, signal: null, error });
    });
  });
  child.stop = async (signal = 'SIGTERM', graceMs = 5000) => {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) {
      return child.exited;
    }
    try {
      process.kill(proc.pid, signal);
    } catch {
      return child.exited;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    const result = await child.exited;
    clearTimeout(timer);
    return result;
  };
  child.tail = (n = 6000) => `--- ${name} output (last ${n} chars) ---\n` +
    child.output.slice(-n);
  return child;
}

// Listens on every address of the test's own namespace (lo and the veth):
// the page is opened once as http://198.51.100.1:PORT (no secure context)
// and once as http://127.0.0.1:PORT (a secure context). The server answers
// GetSignalingChannelEndpoint with the host each client used.
async function startServer() {
  const server = start('kvs-signaling-server', process.env.KVS_SERVER, [
    '--listen', '0.0.0.0:0', '--region', REGION,
    '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY,
    ...[...CHANNELS, BIN_CHANNEL].flatMap((c) => ['--create-channel', c]),
  ]);
  const re = /kvs-signaling-server listening on http:\/\/[^\s]+:(\d+)\s/;
  for (let i = 0; i < 100; i++) {
    const m = re.exec(server.output);
    if (m) {
      server.port = Number(m[1]);
      server.url = `http://${HOST}:${server.port}`;
      server.loopbackUrl = `http://127.0.0.1:${server.port}`;
      return server;
    }
    if (server.proc.exitCode !== null) {
      break;
    }
    await sleep(100);
  }
  await server.stop('SIGKILL');
  throw new Error(`the server printed no 'listening on' line within 10 s\n${server.tail()}`);
}

function startMaster(serverUrl, channel) {
  const common = [
    'role=master', `channel-name=${channel}`, `endpoint=${serverUrl}`,
    `access-key=${ACCESS_KEY}`, `secret-key=${SECRET_KEY}`, `aws-region=${REGION}`,
    'webrtcbin-name=wb', `local-addresses=${HOST}`,
  ];
  const pipeline = [
    'webrtcbin', 'name=wb', 'bundle-policy=max-bundle',
    'videotestsrc', 'is-live=true', 'pattern=ball', '!',
    'video/x-raw,width=320,height=240,framerate=30/1', '!',
    'vp8enc', 'deadline=1', '!', 'rtpvp8pay', '!',
    'application/x-rtp,media=video,encoding-name=VP8,payload=96', '!', 'wb.',
    'kvssignalingsink', ...common,
    'kvssignalingsrc', ...common,
  ];
  return start(`gst-launch-1.0 master of ${channel}`, 'gst-launch-1.0', pipeline, {
    ...process.env,
    GST_DEBUG: process.env.GST_DEBUG || 'kvs*:4,webrtcbin:3',
    GST_DEBUG_NO_COLOR: '1',
  });
}

// The one-line camera: kvswebrtcsink, VP8 video and Opus audio, serving every
// viewer that comes (Chromium offers Opus at 111, not the 97 a hand-written
// payloader would use).
function startBinMaster(serverUrl, channel) {
  const pipeline = [
    'kvswebrtcsink', 'name=k', `channel-name=${channel}`, `endpoint=${serverUrl}`,
    `access-key=${ACCESS_KEY}`, `secret-key=${SECRET_KEY}`, `aws-region=${REGION}`,
    `local-addresses=${HOST}`,
    'videotestsrc', 'is-live=true', 'pattern=ball', '!',
    'video/x-raw,width=320,height=240,framerate=30/1', '!',
    'vp8enc', 'deadline=1', '!', 'k.video_0',
    'audiotestsrc', 'is-live=true', 'wave=ticks', '!', 'audioconvert', '!',
    'audioresample', '!', 'opusenc', '!', 'k.audio_0',
  ];
  return start(`gst-launch-1.0 kvswebrtcsink master of ${channel}`, 'gst-launch-1.0',
    pipeline, {
      ...process.env,
      GST_DEBUG: process.env.GST_DEBUG || 'kvs*:4,webrtcbin:3',
      GST_DEBUG_NO_COLOR: '1',
    });
}

async function checkPageServed(serverUrl) {
  const page = await fetch(`${serverUrl}/viewer?channel=${CHANNELS[0]}`);
  const body = await page.text();
  assert.equal(page.status, 200, `GET /viewer answered ${page.status}: is ` +
    `kvs_viewer_page_register() called by the server, with the right folder?\n${body}`);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(body, /<script src="\/viewer\/viewer\.js">/);
  const js = await fetch(`${serverUrl}/viewer/viewer.js`);
  assert.equal(js.status, 200, 'GET /viewer/viewer.js');
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  await js.arrayBuffer();
}

async function pageStatus(page) {
  return page.evaluate(() => {
    const s = window.kvsViewer;
    return s && {
      state: s.state,
      framesDecoded: s.framesDecoded,
      audioPacketsReceived: s.audioPacketsReceived,
      audioCodec: s.audioCodec,
      framesPresented: s.framesPresented,
      videoWidth: s.videoWidth,
      videoHeight: s.videoHeight,
      iceConnectionState: s.iceConnectionState,
      connectionState: s.connectionState,
      channelARN: s.channelARN,
      wssEndpoint: s.wssEndpoint,
      signerCrypto: s.signerCrypto,
      errors: s.errors.slice(),
      log: s.log.slice(-80),
    };
  });
}

async function openViewer(browser, baseUrl, channel, clientId, secretKey = SECRET_KEY,
  extra = '') {
  const page = await browser.newPage();
  const viewer = { page, baseUrl, channel, clientId, console: [], status: null };
  page.on('console', (m) => viewer.console.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => viewer.console.push(`page error: ${e.message}`));
  // Keys in the fragment: never sent to the server, as the page advises.
  const url = `${baseUrl}/viewer?channel=${channel}&region=${REGION}` +
    `&clientId=${clientId}${extra}#accessKeyId=${encodeURIComponent(ACCESS_KEY)}` +
    `&secretAccessKey=${encodeURIComponent(secretKey)}`;
  await page.goto(url, { waitUntil: 'load', timeout: 15000 });
  return viewer;
}

function viewerDone(v) {
  return !v.status || v.status.state === 'failed' || v.status.framesDecoded >= MIN_FRAMES;
}

function viewerContext(v) {
  return [
    `${v.baseUrl} (${v.channel}, ${v.clientId}) page status: ${JSON.stringify({ ...v.status, log: undefined })}`,
    '--- page log ---', ...(v.status ? v.status.log : []),
    '--- browser console ---', ...v.console.slice(-60),
  ].join('\n');
}

function checkViewer(v, expectedCrypto, context) {
  const status = v.status;
  const what = `viewer at ${v.baseUrl}`;
  assert.ok(status, `${what}: window.kvsViewer is missing\n${context}`);
  assert.deepEqual(status.errors, [], `${what} reported errors\n${context}`);
  assert.ok(status.framesDecoded >= MIN_FRAMES,
    `${what}: ${status.framesDecoded} frames decoded, expected at least ${MIN_FRAMES} ` +
      `(state ${status.state})\n${context}`);
  assert.equal(status.state, 'playing', `${what}\n${context}`);
  assert.equal(status.connectionState, 'connected', `${what}\n${context}`);
  assert.equal(status.videoWidth, 320, `${what}: the video's width\n${context}`);
  assert.equal(status.videoHeight, 240, `${what}: the video's height\n${context}`);
  assert.match(status.channelARN, new RegExp(`:channel/${v.channel}/\\d{13}$`));
  // The signaling endpoint is the host the page was loaded from.
  assert.equal(status.wssEndpoint, v.baseUrl.replace(/^http:/, 'ws:'));
  // How AWS's WebSocket signer hashed: 198.51.100.1 over http is no secure
  // context (no crypto.subtle: the SDK's JS SHA-256), 127.0.0.1 is one.
  assert.equal(status.signerCrypto, expectedCrypto, `${what}\n${context}`);
}

test('the viewer page shows a GStreamer master\'s video in headless Chromium, twice at once', {
  timeout: 120000,
}, async () => {
  checkSetup();
  const require = createRequire(join(HERE, 'package.json'));
  const { chromium } = require('playwright-core');

  const children = [];
  let browser = null;
  let viewers = [];
  let masters = [];
  try {
    const server = await startServer();
    children.push(server);
    await checkPageServed(server.url);

    masters = CHANNELS.map((c) => startMaster(server.url, c));
    children.push(...masters);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
      timeout: 30000,
    });
    viewers = [
      await openViewer(browser, server.url, CHANNELS[0], 'browser-test-viewer-1'),
      await openViewer(browser, server.loopbackUrl, CHANNELS[1], 'browser-test-viewer-2'),
    ];
    // A person who typed the wrong secret key is told so, in AWS's words.
    const badKey = await openViewer(browser, server.url, CHANNELS[0], 'browser-test-bad-key',
      'not-the-secret-key');
    viewers.push(badKey);

    const deadline = Date.now() + PLAY_TIMEOUT_MS;
    let masterExit = null;
    while (Date.now() < deadline) {
      for (const v of viewers) {
        v.status = await pageStatus(v.page);
      }
      if (viewers.every(viewerDone)) {
        break;
      }
      const gone = masters.find((m) => m.proc.exitCode !== null || m.proc.signalCode !== null);
      if (gone) {
        masterExit = `${gone.name} exited early (code ${gone.proc.exitCode}, ` +
          `signal ${gone.proc.signalCode})`;
        break;
      }
      await sleep(250);
    }

    const context = [
      masterExit || '', ...viewers.map(viewerContext), ...masters.map((m) => m.tail()),
      server.tail(3000),
    ].join('\n');
    checkViewer(viewers[0], 'javascript', context);
    checkViewer(viewers[1], 'webcrypto', context);
    assert.equal(badKey.status.state, 'failed', `the viewer with a wrong key\n${context}`);
    assert.equal(badKey.status.errors.length, 1, context);
    assert.match(badKey.status.errors[0],
      /^control plane: InvalidSignatureException: .+ \(HTTP 403\)$/, context);
    for (const v of viewers) {
      const shown = JSON.stringify(v.status) + v.console.join('\n');
      assert.ok(!shown.includes(SECRET_KEY) && !shown.includes('not-the-secret-key'),
        `the page at ${v.baseUrl} shows a secret key in its log or status`);
    }

    if (process.env.KVS_BROWSER_SCREENSHOT) {
      await viewers[0].page.screenshot({
        path: process.env.KVS_BROWSER_SCREENSHOT, fullPage: true,
      });
    }
    console.log(`# wrong key: ${badKey.status.errors[0]}`);
    for (const v of viewers.slice(0, 2)) {
      console.log(`# ${v.baseUrl}: ${v.status.framesDecoded} frames decoded, ` +
        `${v.status.framesPresented} presented, ${v.status.videoWidth}x${v.status.videoHeight}`);
    }
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
    }
    // The masters first (they say goodbye through the server), then the server.
    for (const child of children.reverse()) {
      await child.stop(child.name.startsWith('gst') ? 'SIGINT' : 'SIGTERM');
    }
  }
});

// Polls @viewers until each has decoded MIN_FRAMES (or failed), or the master
// is gone, or PLAY_TIMEOUT_MS passed.
async function waitPlaying(viewers, master) {
  const deadline = Date.now() + PLAY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const v of viewers) {
      v.status = await pageStatus(v.page);
    }
    if (viewers.every((v) => viewerDone(v) && (!v.audio || v.status.audioPacketsReceived >= 20))) {
      return null;
    }
    if (master.proc.exitCode !== null || master.proc.signalCode !== null) {
      return `${master.name} exited early (code ${master.proc.exitCode}, signal ${master.proc.signalCode})`;
    }
    await sleep(250);
  }
  return null;
}

test('one kvswebrtcsink master serves the page with audio, reloaded twice, and a second page', {
  timeout: 150000,
}, async () => {
  checkSetup();
  const require = createRequire(join(HERE, 'package.json'));
  const { chromium } = require('playwright-core');

  const children = [];
  let browser = null;
  try {
    const server = await startServer();
    children.push(server);
    const master = startBinMaster(server.url, BIN_CHANNEL);
    children.push(master);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
      timeout: 30000,
    });
    const first = await openViewer(browser, server.loopbackUrl, BIN_CHANNEL,
      'browser-bin-viewer-1', SECRET_KEY, '&audio=1');
    first.audio = true;
    const second = await openViewer(browser, server.url, BIN_CHANNEL, 'browser-bin-viewer-2');
    for (let load = 0; load < 3; load++) {
      if (load > 0) {
        // A person reloads the page: a new peer connection, same client id.
        await first.page.reload({ waitUntil: 'load', timeout: 15000 });
      }
      const viewers = load === 0 ? [first, second] : [first];
      const exit = await waitPlaying(viewers, master);
      const context = [exit || '', ...viewers.map(viewerContext), master.tail(),
        server.tail(3000)].join('\n');
      checkViewer(first, 'webcrypto', context);
      assert.ok(first.status.audioPacketsReceived >= 20,
        `load ${load + 1}: ${first.status.audioPacketsReceived} audio packets received ` +
          `(codec ${first.status.audioCodec})\n${context}`);
      if (load === 0) {
        checkViewer(second, 'javascript', context);
      }
      console.log(`# load ${load + 1}: ${first.status.framesDecoded} frames decoded, ` +
        `${first.status.audioPacketsReceived} audio packets (${first.status.audioCodec})`);
    }
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
    }
    for (const child of children.reverse()) {
      await child.stop(child.name.startsWith('gst') ? 'SIGINT' : 'SIGTERM');
    }
  }
});

// What a page's peer connection saw, for a failure message: the nominated
// candidate pair, DTLS/SRTP, inbound-rtp (chrome://webrtc-internals' view).
async function peerStats(page) {
  return page.evaluate(async () => {
    const pc = window.__pcs && window.__pcs[window.__pcs.length - 1];
    if (!pc) {
      return 'no peer connection';
    }
    const out = [];
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp') {
        out.push(`inbound-rtp ${s.kind} ssrc ${s.ssrc}: ${s.packetsReceived} packets, ` +
          `${s.framesDecoded} frames, ${s.keyFramesDecoded} keyframes decoded`);
      } else if (s.type === 'candidate-pair' && s.nominated) {
        out.push(`nominated pair ${s.state} sent ${s.bytesSent} received ${s.bytesReceived}`);
      } else if (s.type === 'transport') {
        out.push(`transport dtls ${s.dtlsState} srtp ${s.srtpCipher}`);
      }
    });
    // The answer's SSRC lines: without them (and without a MID header
    // extension) Chromium gives the master's RTP to no receiver.
    const sdp = pc.remoteDescription ? pc.remoteDescription.sdp : '';
    out.push(`answer: ${sdp.split(/\r?\n/).filter((l) => /^a=(ssrc|extmap|mid):/.test(l))
      .join(' ') || 'no a=ssrc, a=extmap nor a=mid'}`);
    return out.join(', ');
  }).catch((e) => String(e));
}

// The join benchmark's case: one master, a page closed, then a new page.
// The second viewer's answer came in a few ms, before its payloader had put
// an SSRC in its caps: webrtcbin wrote no a=ssrc, and Chromium (no MID
// header extension either) gave the RTP to no receiver: connected, bytes
// received, no inbound-rtp, no frame. At 2 frames/s the window between a
// branch's start and its first buffer is up to 500 ms, so that race is lost
// nearly every time without the fix (at 30 frames/s, about half the time).
const REJOIN_FRAMES = 4;
test('one kvswebrtcsink master serves a page opened after another was closed', {
  timeout: 60000,
}, async () => {
  checkSetup();
  const require = createRequire(join(HERE, 'package.json'));
  const { chromium } = require('playwright-core');

  const children = [];
  let browser = null;
  try {
    const server = await startServer();
    children.push(server);
    // Video only, as the join benchmark's master.
    const master = start(`gst-launch-1.0 kvswebrtcsink master of ${BIN_CHANNEL}`,
      'gst-launch-1.0', [
        'kvswebrtcsink', 'name=k', `channel-name=${BIN_CHANNEL}`,
        `endpoint=${server.url}`, `access-key=${ACCESS_KEY}`, `secret-key=${SECRET_KEY}`,
        `aws-region=${REGION}`, `local-addresses=${HOST}`,
        'videotestsrc', 'is-live=true', 'pattern=ball', '!',
        'video/x-raw,width=320,height=240,framerate=2/1', '!',
        'vp8enc', 'deadline=1', '!', 'k.video_0',
      ], {
        ...process.env,
        GST_DEBUG: process.env.GST_DEBUG || 'kvs*:4,webrtcbin:3',
        GST_DEBUG_NO_COLOR: '1',
      });
    children.push(master);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
      timeout: 30000,
    });
    const keepPcs = () => {
      window.__pcs = [];
      const Native = window.RTCPeerConnection;
      window.RTCPeerConnection = function (...args) {
        const pc = new Native(...args);
        window.__pcs.push(pc);
        return pc;
      };
      window.RTCPeerConnection.prototype = Native.prototype;
    };
    for (let n = 1; n <= 2; n++) {
      // A new page (a new tab) each time, with a client id of its own; the
      // first is closed as a person closes a tab: hang-up, then the page.
      const tab = await browser.newContext();
      await tab.addInitScript(keepPcs);
      const v = await openViewer(tab, server.url, BIN_CHANNEL, `browser-rejoin-${n}`);
      const deadline = Date.now() + 15000;
      while (Date.now() < deadline) {
        v.status = await pageStatus(v.page);
        if (v.status.state === 'failed' || v.status.framesDecoded >= REJOIN_FRAMES ||
            master.proc.exitCode !== null) {
          break;
        }
        await sleep(250);
      }
      const stats = await peerStats(v.page);
      const context = [`page ${n}: ${stats}`, viewerContext(v), master.tail(),
        server.tail(3000)].join('\n');
      assert.deepEqual(v.status.errors, [], `page ${n} reported errors\n${context}`);
      assert.ok(v.status.framesDecoded >= REJOIN_FRAMES, `page ${n}: ` +
        `${v.status.framesDecoded} frames decoded, expected at least ${REJOIN_FRAMES} ` +
        `(state ${v.status.state})\n${context}`);
      assert.equal(v.status.videoWidth, 320, `page ${n}: the video's width\n${context}`);
      console.log(`# page ${n}: ${v.status.framesDecoded} frames decoded; ${stats}`);
      await v.page.evaluate(() => window.kvsViewer.stop());
      await tab.close();
    }
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
    }
    for (const child of children.reverse()) {
      await child.stop(child.name.startsWith('gst') ? 'SIGINT' : 'SIGTERM');
    }
  }
});

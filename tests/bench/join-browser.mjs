// SPDX-License-Identifier: LGPL-2.1-or-later
// The browser side of the join benchmark (tests/bench/run --only join): the
// project's viewer page (tools/viewer, AWS's JavaScript SDKs) in Debian's
// headless Chromium, driven by playwright-core (from tests/browser).
//
//   node join-browser.mjs
//
// Prints {"ready": true}, then reads one JSON line per join from stdin,
// {"url": "https://..."}, and for each launches Chromium, opens the URL (no
// HTTP cache, no connection kept from an earlier join), waits for the first
// rendered video frame, closes Chromium and prints one JSON line:
//   {"frame_ms": F, "script_ms": S, "state": ..., "errors": [...]}
// F: navigation start -> the first requestVideoFrameCallback (the page's own
// clock, performance.now()); S: navigation start -> viewer.js received.
// Chromium's start is not in F. Runs inside the network namespace
// of tests/browser/run-in-netns.sh (Chromium's WebRTC needs a non-loopback
// interface); the service's certificate is self-signed: the contexts
// ignore certificate errors (ignoreHTTPSErrors).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(HERE, '..', 'browser', 'package.json'));
const { chromium } = require('playwright-core');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 30000;

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

// Registered before the page's own script: the first presented frame.
function initScript() {
  window.__join = { pcs: [] };
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    window.__join.pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
  document.addEventListener('DOMContentLoaded', () => {
    const v = document.getElementById('video');
    if (v && typeof v.requestVideoFrameCallback === 'function') {
      v.requestVideoFrameCallback((now) => {
        window.__join.frame = now;
      });
    }
  });
}

async function joinOnce(browser, url) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`page error: ${e.message}`));
    await page.addInitScript(initScript);
    await page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT_MS });
    const deadline = Date.now() + TIMEOUT_MS;
    let r = null;
    while (Date.now() < deadline) {
      r = await page.evaluate(() => {
        const s = window.kvsViewer;
        const js = performance.getEntriesByType('resource')
          .find((e) => e.name.endsWith('/viewer/viewer.js'));
        return {
          frame_ms: window.__join ? window.__join.frame : undefined,
          script_ms: js ? js.responseEnd : undefined,
          state: s ? s.state : null,
          errors: s ? s.errors.slice() : [],
          framesDecoded: s ? s.framesDecoded : 0,
          framesPresented: s ? s.framesPresented : 0,
          packets: 0,
          log: s ? s.log.slice(-12) : [],
        };
      });
      if (r.frame_ms !== undefined || r.state === 'failed') {
        break;
      }
      await sleep(50);
    }
    if (r.frame_ms === undefined) {
      // what the peer connection saw: for the failure message
      r.media = await page.evaluate(async () => {
        const pc = window.__join.pcs[window.__join.pcs.length - 1];
        if (!pc) {
          return 'no peer connection';
        }
        const out = [];
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp') {
            out.push(`inbound-rtp ${s.kind}: ${s.packetsReceived} packets`);
          } else if (s.type === 'candidate-pair' && s.nominated) {
            out.push(`pair ${s.state} sent ${s.bytesSent} received ${s.bytesReceived}`);
          } else if (s.type === 'transport') {
            out.push(`transport dtls ${s.dtlsState} srtp ${s.srtpCipher}`);
          }
        });
        return out.join(', ');
      }).catch((e) => String(e));
    }
    if (r.frame_ms === undefined && r.state !== 'failed') {
      r.errors.push(`no frame within ${TIMEOUT_MS / 1000} s (state ${r.state}, ` +
        `${r.framesDecoded} frames decoded, ${r.framesPresented} presented; ${r.media}; ` +
        `page log: ${r.log.join(' | ')}; console: ${consoleLines.slice(-8).join(' | ')})`);
    }
    delete r.log;
    // hang up as a person closing the page would (the master frees the
    // session now, not after its silence timeout)
    await page.evaluate(() => window.kvsViewer && window.kvsViewer.stop()).catch(() => {});
    return r;
  } finally {
    await context.close().catch(() => {});
  }
}

// A new Chromium per join: in one Chromium, every peer connection after
// the first reached 'connected' and then received nothing (Chromium 1xx in
// a network namespace; the master saw no RTCP from it either).
let browser = null;
const launch = () => chromium.launch({
  executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: ARGS,
  timeout: 30000,
});
const stop = async () => {
  if (browser) {
    await browser.close().catch(() => {});
  }
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) {
    continue;
  }
  const { url } = JSON.parse(line);
  let r;
  try {
    browser = await launch();
    r = await joinOnce(browser, url);
  } catch (e) {
    r = { errors: [String(e && e.message || e)] };
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
      browser = null;
    }
  }
  console.log(JSON.stringify(r));
}
await stop();

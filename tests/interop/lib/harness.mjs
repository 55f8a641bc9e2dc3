// Shared helpers of the interop tests: start and stop the real
// kvs-signaling-server, sign WebSocket URLs, talk raw WebSocket and REST.
//
// The npm packages are loaded through createRequire() only after checking
// that node_modules exists, so that a missing install fails every test file
// with an explanation instead of a bare ERR_MODULE_NOT_FOUND.

import { execFile, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';

export const INTEROP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

const REQUIRED_PACKAGES = [
  'ws',
  'amazon-kinesis-video-streams-webrtc',
  '@aws-sdk/client-kinesis-video',
  '@aws-sdk/client-kinesis-video-signaling',
];

for (const pkg of REQUIRED_PACKAGES) {
  if (!existsSync(join(INTEROP_DIR, 'node_modules', pkg, 'package.json'))) {
    throw new Error(
      `npm package '${pkg}' is not installed in ${INTEROP_DIR}/node_modules: ` +
        `run \`npm ci --legacy-peer-deps\` in ${INTEROP_DIR} first ` +
        '(the versions are pinned in package-lock.json)');
  }
}

if (!process.env.KVS_SERVER) {
  throw new Error('KVS_SERVER is not set: it must name the kvs-signaling-server ' +
    'executable (meson test sets it; by hand: KVS_SERVER=<builddir>/tools/' +
    'kvs-signaling-server/kvs-signaling-server node --test ...)');
}

// The pinned SDK runs on Node 20; its notice that later releases will not
// would only clutter the test log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const require = createRequire(join(INTEROP_DIR, 'package.json'));
export const WebSocket = require('ws');
// AWS's SignalingClient uses the global WebSocket (Node 20 has none).
globalThis.WebSocket ??= WebSocket;

export const REGION = 'us-west-2';
export const ACCESS_KEY = 'AKIAINTEROPTEST00001';
export const SECRET_KEY = 'interop/Secret+Key/0123456789abcdefghijklmn';
export const CREDENTIALS = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
export const ARN_RE = /^arn:aws:kinesisvideo:us-west-2:\d{12}:channel\/([a-zA-Z0-9_.-]+)\/\d{13}$/;

const LISTEN_RE = /^kvs-signaling-server listening on (https?:\/\/127\.0\.0\.1:(\d+))\s*$/;

// ---- Python children ------------------------------------------------------

// Under scripts/check-sanitizers asan the programs the tests start get the
// ASan runtime and GnuTLS preloaded (KVS_ASAN_LD_PRELOAD, inherited from
// meson's wrapper) -- except Python: with p11-kit (a GnuTLS dependency)
// preloaded after the ASan runtime, /usr/bin/python3 3.11 deadlocks on
// glibc's locale lock at start-up. Every Python child of the tests gets
// the ASan runtime only (KVS_ASAN_LD_PRELOAD_PYTHON) and no leak detection,
// as tests/sanitizers/preload gives the Python programs meson runs; so does
// the service when it starts Python children itself (the storage peer:
// startServer's pythonChildren), its own leak detection kept. Outside
// asan the environment is left as it is.
export const PYTHON = process.env.KVS_PYTHON || '/usr/bin/python3';
const NO_LEAKS = ':detect_leaks=0';

export function pythonEnv(env = process.env, { leaks = false } = {}) {
  const out = { ...env };
  if (process.env.KVS_ASAN_LD_PRELOAD_PYTHON === undefined) {
    return out;
  }
  out.LD_PRELOAD = process.env.KVS_ASAN_LD_PRELOAD_PYTHON;
  if (!leaks && !(out.ASAN_OPTIONS ?? '').endsWith(NO_LEAKS)) {
    out.ASAN_OPTIONS = `${out.ASAN_OPTIONS ?? ''}${NO_LEAKS}`;
  }
  return out;
}

// PYTHON script args..., with pythonEnv(options.env): child_process.spawn().
export function spawnPython(script, args = [], options = {}) {
  return spawn(PYTHON, [script, ...args], { ...options, env: pythonEnv(options.env) });
}

// The same with child_process.execFile().
export function execPython(script, args, options, callback) {
  return execFile(PYTHON, [script, ...args], { ...options, env: pythonEnv(options.env) },
    callback);
}

// ---- the service ----------------------------------------------------------

// Starts the server with the test credentials, --control and extra args.
// pythonChildren: the service will start Python programs (the storage peer
// of JoinStorageSession): its environment is pythonEnv()'s.
// Resolves to { port, url, proc, stop() }. stop() sends SIGTERM to its PID
// and asserts a clean exit (code 0).
export async function startServer(extraArgs = [], { auth = true, pythonChildren = false } = {}) {
  const args = ['--listen', '127.0.0.1:0', '--region', REGION, '--control'];
  if (auth) {
    args.push('--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY);
  }
  args.push(...extraArgs);
  const env = pythonChildren ? pythonEnv(process.env, { leaks: true }) : { ...process.env };
  const proc = spawn(process.env.KVS_SERVER, args, {
    stdio: ['ignore', 'pipe', 'pipe'], env,
  });
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 4000000) {
      stderr = stderr.slice(-2000000);
    }
  });
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      reject(new Error(`server printed no 'listening on' line within 10 s ` +
        `(args ${args.join(' ')}); stdout: ${out}; stderr: ${stderr}`));
    }, 10000);
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => {
      out += d;
      for (const line of out.split('\n')) {
        const m = LISTEN_RE.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
          return;
        }
      }
    });
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before ` +
        `listening; args ${args.join(' ')}; stdout: ${out}; stderr: ${stderr}`));
    });
  });
  const port = Number(new URL(url).port);
  let stopped = false;
  return {
    port,
    url,
    proc,
    get stderr() {
      return stderr;
    },
    // Open file descriptors of the server process (Linux /proc).
    fdCount() {
      return readdirSync(`/proc/${proc.pid}/fd`).length;
    },
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      process.kill(proc.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(proc.pid, 'SIGKILL'), 10000);
      const { code, signal } = await exited;
      clearTimeout(timer);
      if (signal !== null || code !== 0) {
        // Keep the whole stderr (sanitizer reports can be long).
        const log = join(tmpdir(), `kvs-interop-server-${proc.pid}.log`);
        writeFileSync(log, stderr);
        const tail = stderr.slice(-3000);
        assert.equal(signal, null,
          `server was killed by ${signal} instead of exiting on SIGTERM; full stderr in ${log}; tail: ${tail}`);
        assert.equal(code, 0, `server exit code after SIGTERM; full stderr in ${log}; tail: ${tail}`);
      }
    },
  };
}

// ---- SigV4 ---------------------------------------------------------------

// RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()*).
export function rfc3986(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function amzDate(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[:-]/g, '');
}

function hmac(key, data) {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data) {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

// Presigns a WebSocket URL the way AWS's SignalingClient does (its
// SigV4RequestSigner), with knobs to produce bad ones. Returns the ws:// URL.
//   params: extra query params (X-Amz-ChannelARN, X-Amz-ClientId)
//   date, expires, accessKey, secretKey, region, token
//   mutate(query): called on the final params object after signing
//   order: 'sorted' | 'reversed' (order of the parameters on the wire)
export function presignUrl(port, params, opts = {}) {
  const {
    date = new Date(),
    expires = '299',
    accessKey = ACCESS_KEY,
    secretKey = SECRET_KEY,
    region = REGION,
    token,
    mutate,
    order = 'sorted',
  } = opts;
  const host = `127.0.0.1:${port}`;
  const dt = amzDate(date);
  const d = dt.slice(0, 8);
  const scope = `${d}/${region}/kinesisvideo/aws4_request`;
  const q = {
    ...params,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${accessKey}/${scope}`,
    'X-Amz-Date': dt,
    'X-Amz-Expires': String(expires),
    'X-Amz-SignedHeaders': 'host',
  };
  if (token) {
    q['X-Amz-Security-Token'] = token;
  }
  const cq = Object.keys(q).sort().map((k) => `${rfc3986(k)}=${rfc3986(q[k])}`).join('&');
  const creq = ['GET', '/', cq, `host:${host}\n`, 'host', sha256Hex('')].join('\n');
  const sts = ['AWS4-HMAC-SHA256', dt, scope, sha256Hex(creq)].join('\n');
  let k = hmac('AWS4' + secretKey, d);
  k = hmac(k, region);
  k = hmac(k, 'kinesisvideo');
  k = hmac(k, 'aws4_request');
  q['X-Amz-Signature'] = createHmac('sha256', k).update(sts, 'utf8').digest('hex');
  if (mutate) {
    mutate(q);
  }
  let keys = Object.keys(q).sort();
  if (order === 'reversed') {
    keys = keys.reverse();
  }
  return `ws://${host}/?` + keys.map((k2) => `${rfc3986(k2)}=${rfc3986(q[k2])}`).join('&');
}

// A requestSigner for AWS's SignalingClient: AWS's own SigV4RequestSigner
// signs the wss:// form (it refuses ws://); the scheme is not signed, so
// swapping it back keeps the signature valid.
export function plainWsSigner(region = REGION, credentials = CREDENTIALS) {
  const { SigV4RequestSigner } = require('amazon-kinesis-video-streams-webrtc');
  const inner = new SigV4RequestSigner(region, credentials);
  return {
    async getSignedURL(endpoint, queryParams, date) {
      const wss = endpoint.replace(/^ws:\/\//, 'wss://');
      const url = await inner.getSignedURL(wss, queryParams, date);
      return url.replace(/^wss:\/\//, 'ws://');
    },
  };
}

// A REST call signed with SigV4 header auth (as the SDK signs it), for
// requests the SDK cannot make (bad bodies, unknown operations).
export async function signedFetch(baseUrl, path, body, opts = {}) {
  const { method = 'POST', date = new Date(), secretKey = SECRET_KEY } = opts;
  const url = new URL(path, baseUrl);
  const dt = amzDate(date);
  const d = dt.slice(0, 8);
  const scope = `${d}/${REGION}/kinesisvideo/aws4_request`;
  const headers = {
    'content-type': 'application/json',
    host: url.host,
    'x-amz-date': dt,
  };
  const signed = Object.keys(headers).sort();
  const creq = [
    method,
    url.pathname,
    '',
    signed.map((h) => `${h}:${headers[h]}\n`).join(''),
    signed.join(';'),
    sha256Hex(body ?? ''),
  ].join('\n');
  const sts = ['AWS4-HMAC-SHA256', dt, scope, sha256Hex(creq)].join('\n');
  let k = hmac('AWS4' + secretKey, d);
  k = hmac(k, REGION);
  k = hmac(k, 'kinesisvideo');
  k = hmac(k, 'aws4_request');
  const sig = createHmac('sha256', k).update(sts, 'utf8').digest('hex');
  const res = await fetch(url, {
    method,
    headers: {
      'content-type': headers['content-type'],
      'x-amz-date': dt,
      authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${scope}, ` +
        `SignedHeaders=${signed.join(';')}, Signature=${sig}`,
    },
    body: method === 'GET' ? undefined : body,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json };
}

// ---- raw WebSocket peers -------------------------------------------------

// Tries a WebSocket upgrade. Resolves to { status: 101, peer } on success or
// { status, headers, body } when the server refused the upgrade.
export function tryUpgrade(url, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer to the upgrade of ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, headers: res.headers, body });
        req.destroy();
      });
    });
    ws.on('open', () => {
      clearTimeout(timer);
      resolve({ status: 101, peer: new Peer(ws) });
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

// A connected raw WebSocket with a queue of received frames.
export class Peer {
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        for (const w of this.waiters.splice(0)) {
          w();
        }
      });
    });
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      let frame;
      const text = data.toString('utf8');
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { unparsable: text, isBinary };
      }
      this.frames.push(frame);
      for (const w of this.waiters.splice(0)) {
        w();
      }
    });
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' || Buffer.isBuffer(obj) ? obj : JSON.stringify(obj));
  }

  // Next received frame (parsed JSON), failing after timeoutMs.
  async next(timeoutMs = 3000, what = 'a frame') {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closeInfo) {
        throw new Error(`connection closed (${this.closeInfo.code} ` +
          `${this.closeInfo.reason}) while waiting for ${what}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no frame within ${timeoutMs} ms while waiting for ${what}`);
      }
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.frames.shift();
  }

  // Asserts that no frame arrives within ms.
  async expectNothing(ms, why = '') {
    await sleep(ms);
    assert.deepEqual(this.frames, [], `expected no frame ${why}`);
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close();
    }
  }

  terminate() {
    this.ws.terminate();
  }
}

export async function connectPeer(port, params, opts = {}) {
  const r = await tryUpgrade(presignUrl(port, params, opts));
  assert.equal(r.status, 101,
    `upgrade refused: HTTP ${r.status} ${r.body ?? ''}`);
  return r.peer;
}

export function connectMaster(port, channelArn, opts) {
  return connectPeer(port, { 'X-Amz-ChannelARN': channelArn }, opts);
}

export function connectViewer(port, channelArn, clientId, opts) {
  return connectPeer(port, { 'X-Amz-ChannelARN': channelArn, 'X-Amz-ClientId': clientId }, opts);
}

// ---- payloads ------------------------------------------------------------

export function b64json(obj) {
  return Buffer.from(JSON.stringify(obj), 'utf8').toString('base64');
}

export function unb64json(s) {
  return JSON.parse(Buffer.from(s, 'base64').toString('utf8'));
}

export function fakeSdp(type, tag) {
  return {
    type,
    sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n` +
      'a=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n' +
      `a=mid:0\r\na=rtpmap:96 VP8/90000\r\na=x-tag:${tag}\r\n`,
  };
}

export function fakeIce(n) {
  return {
    candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 ${50000 + n} typ host`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
}

// ---- REST ----------------------------------------------------------------

// extra: more client options (e.g. requestHandler for a private CA).
export function kvsClient(url, credentials = CREDENTIALS, extra = {}) {
  const { KinesisVideoClient } = require('@aws-sdk/client-kinesis-video');
  return new KinesisVideoClient({ region: REGION, endpoint: url, credentials, maxAttempts: 1, ...extra });
}

export function signalingRestClient(url, credentials = CREDENTIALS, extra = {}) {
  const { KinesisVideoSignalingClient } = require('@aws-sdk/client-kinesis-video-signaling');
  return new KinesisVideoSignalingClient({ region: REGION, endpoint: url, credentials, maxAttempts: 1, ...extra });
}

export async function createChannel(url, name, ttl) {
  const { CreateSignalingChannelCommand } = require('@aws-sdk/client-kinesis-video');
  const input = { ChannelName: name, ChannelType: 'SINGLE_MASTER' };
  if (ttl !== undefined) {
    input.SingleMasterConfiguration = { MessageTtlSeconds: ttl };
  }
  const client = kvsClient(url);
  try {
    const out = await client.send(new CreateSignalingChannelCommand(input));
    assert.match(out.ChannelARN, ARN_RE);
    return out.ChannelARN;
  } finally {
    client.destroy();
  }
}

export async function control(url, path, body) {
  const res = await fetch(`${url}/_control/${path}`, body === undefined ? {} : {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, text, json };
}

// Opens a TCP connection to port and closes it without sending anything.
export function tcpTouch(port) {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect(port, '127.0.0.1', () => sock.end());
    sock.resume();
    sock.on('error', reject);
    sock.on('close', resolve);
  });
}

// Asserts that the server's descriptor count comes back to baseline (+slack)
// within timeoutMs: connections closed by clients must be released.
export async function expectFdsReleased(server, baseline, what, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  let n = server.fdCount();
  while (n > baseline + 2 && Date.now() < deadline) {
    await sleep(100);
    n = server.fdCount();
  }
  assert.ok(n <= baseline + 2,
    `${what}: the server holds ${n} descriptors, ${baseline} before ` +
    `(sockets closed by the clients are not released: CLOSE-WAIT)`);
}

// Polls fn() until it returns a truthy value or timeoutMs passes.
export async function waitFor(fn, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(50);
  }
}

export { sleep };

// The WSS endpoint of a channel for a role, as AWS's clients ask for it
// (GetSignalingChannelEndpoint through @aws-sdk/client-kinesis-video).
export async function wssEndpoint(url, arn, role) {
  const { GetSignalingChannelEndpointCommand } = require('@aws-sdk/client-kinesis-video');
  const kv = kvsClient(url);
  try {
    const out = await kv.send(new GetSignalingChannelEndpointCommand({
      ChannelARN: arn,
      SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: role },
    }));
    return out.ResourceEndpointList.find((e) => e.Protocol === 'WSS').ResourceEndpoint;
  } finally {
    kv.destroy();
  }
}

// AWS's JS SignalingClient (amazon-kinesis-video-streams-webrtc) as @role
// (Role.MASTER, or Role.VIEWER with @clientId) of the channel @arn of the
// service at @url, with the test credentials, once open (its 'open' event
// within 5 s, scaled by $KVS_TIMEOUT_MULTIPLIER). client.errors collects
// its 'error' events.
export async function openSignalingClient(url, arn, role, clientId) {
  const { SignalingClient } = require('amazon-kinesis-video-streams-webrtc');
  const client = new SignalingClient({
    channelARN: arn,
    channelEndpoint: await wssEndpoint(url, arn, role),
    role,
    region: REGION,
    clientId,
    credentials: CREDENTIALS,
    requestSigner: plainWsSigner(),
  });
  client.errors = [];
  client.on('error', (e) => client.errors.push(e));
  const timeoutMs = 5000 * (Number(process.env.KVS_TIMEOUT_MULTIPLIER) || 1);
  const opened = once(client, 'open', { signal: AbortSignal.timeout(timeoutMs) })
    .catch((e) => {
      throw new Error(`no 'open' event within ${timeoutMs} ms (${e.message})`);
    });
  client.open();
  await opened;
  return client;
}

// ---- the AWS CLI v2 ------------------------------------------------------

// Debian's awscli (meson sets KVS_AWS_CLI: not another aws on PATH).
export const AWS_CLI = process.env.KVS_AWS_CLI || '/usr/bin/aws';

// The AWS CLI v2 against the service: credentials through the environment,
// no configuration files, JSON output. Resolves to { code, out, err, json }.
export function awsCli(url, args) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME || '/nonexistent',
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: '/nonexistent/kvs-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/kvs-test/credentials',
    AWS_PAGER: '',
  };
  return new Promise((resolve) => {
    execFile(AWS_CLI, ['--endpoint-url', url, '--output', 'json', '--no-cli-pager', ...args],
      { env, timeout: 20000 }, (error, out, err) => {
        if (error && error.code === 'ENOENT') {
          assert.fail(`${AWS_CLI} is missing: install Debian's awscli ` +
            '(scripts/apt-packages.txt)');
        }
        let json = null;
        try {
          json = out.trim() ? JSON.parse(out) : null;
        } catch {
          // not JSON
        }
        resolve({ code: error ? error.code : 0, out, err, json });
      });
  });
}


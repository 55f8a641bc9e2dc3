// A minimal Node `ws` relay with the KVS signaling routing, the comparator
// of the service-scale benchmark. No authentication, no validation, no
// quotas, no holding: a viewer's message goes to its channel's master with
// senderClientId added; a master's message goes to the viewer named by
// recipientClientId. Channel from X-Amz-ChannelARN, viewer id from
// X-Amz-ClientId (none = the master), as on the service.
//
//   node node-relay.mjs [port]   (prints "node-relay listening on ws://127.0.0.1:PORT")
//
// `ws` comes from tests/interop/node_modules (pinned there), found through
// NODE_PATH or the relative path below.
// SPDX-License-Identifier: LGPL-2.1-or-later
import { createRequire } from 'node:module';
import path from 'node:path';
import url from 'node:url';

const here = path.dirname(url.fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'interop', 'package.json'));
const { WebSocketServer } = require('ws');

const channels = new Map(); // arn -> { master, viewers: Map(id -> ws) }
let relayed = 0;

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] || 0), perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  const q = new URL(req.url, 'ws://x').searchParams;
  const arn = q.get('X-Amz-ChannelARN') || '';
  const id = q.get('X-Amz-ClientId');
  let ch = channels.get(arn);
  if (!ch) {
    ch = { master: null, viewers: new Map() };
    channels.set(arn, ch);
  }
  if (id) ch.viewers.set(id, ws); else ch.master = ws;

  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let m;
    try { m = JSON.parse(data); } catch { return; }
    const out = { messageType: m.action, messagePayload: m.messagePayload };
    let to;
    if (id) { to = ch.master; out.senderClientId = id; }
    else to = ch.viewers.get(m.recipientClientId);
    if (to && to.readyState === 1) { to.send(JSON.stringify(out)); relayed++; }
  });
  ws.on('close', () => {
    if (id) { if (ch.viewers.get(id) === ws) ch.viewers.delete(id); }
    else if (ch.master === ws) ch.master = null;
  });
});

wss.on('listening', () => {
  console.log(`node-relay listening on ws://127.0.0.1:${wss.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

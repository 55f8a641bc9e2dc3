// AWS's clients against the server in TLS mode (--tls-cert/--tls-key):
// https:// and wss:// as on AWS, so SignalingClient runs with its own
// SigV4RequestSigner, nothing adapted but the endpoint, the credentials and
// trust in the test's self-signed certificate.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import {
  CREDENTIALS, REGION, WebSocket, fakeIce, fakeSdp, kvsClient, presignUrl, require,
  signalingRestClient, startServer, tryUpgrade,
} from './lib/harness.mjs';

const { SignalingClient, Role } = require('amazon-kinesis-video-streams-webrtc');
const {
  CreateSignalingChannelCommand, GetSignalingChannelEndpointCommand,
} = require('@aws-sdk/client-kinesis-video');
const { GetIceServerConfigCommand } = require('@aws-sdk/client-kinesis-video-signaling');

function haveOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const OPENSSL = haveOpenssl();

describe('TLS: https:// and wss:// with AWS clients unchanged', { skip: !OPENSSL && 'openssl not installed' }, () => {
  let dir;
  let ca;
  let server;
  let requestHandler;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kvs-interop-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    ca = readFileSync(join(dir, 'cert.pem'));
    // The SignalingClient makes its socket with the global WebSocket: trust
    // the test certificate there.
    globalThis.WebSocket = class extends WebSocket {
      constructor(url, protocols, options) {
        super(url, protocols, { ...options, ca });
      }
    };
    requestHandler = { httpsAgent: new Agent({ ca }) };
    server = await startServer(['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
  });
  after(async () => {
    await server?.stop();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the start line and the endpoints are https:// and wss://', async () => {
    assert.equal(server.url, `https://127.0.0.1:${server.port}`);
    const kv = kvsClient(server.url, CREDENTIALS, { requestHandler });
    try {
      const { ChannelARN } = await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'tls' }));
      for (const Role of ['MASTER', 'VIEWER']) {
        const out = await kv.send(new GetSignalingChannelEndpointCommand({
          ChannelARN,
          SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role },
        }));
        const ep = Object.fromEntries(out.ResourceEndpointList.map((e) => [e.Protocol, e.ResourceEndpoint]));
        assert.deepEqual(ep, { WSS: `wss://127.0.0.1:${server.port}`, HTTPS: `https://127.0.0.1:${server.port}` });
      }
      const sig = signalingRestClient(server.url, CREDENTIALS, { requestHandler });
      try {
        const ice = await sig.send(new GetIceServerConfigCommand({ ChannelARN }));
        // the service's own TURN server (plain TURN on loopback)
        assert.equal(ice.IceServerList.length, 1, JSON.stringify(ice.IceServerList));
        assert.match(ice.IceServerList[0].Uris[0], /^turn:127\.0\.0\.1:\d+\?transport=udp$/);
      } finally {
        sig.destroy();
      }
    } finally {
      kv.destroy();
    }
  });

  test('SignalingClient with its own signer: offer, answer, ICE over wss://', async () => {
    const kv = kvsClient(server.url, CREDENTIALS, { requestHandler });
    let ChannelARN;
    const endpoints = {};
    try {
      ({ ChannelARN } = await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'tls-sig' })));
      for (const Role of ['MASTER', 'VIEWER']) {
        const out = await kv.send(new GetSignalingChannelEndpointCommand({
          ChannelARN,
          SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role },
        }));
        endpoints[Role] = out.ResourceEndpointList.find((e) => e.Protocol === 'WSS').ResourceEndpoint;
      }
    } finally {
      kv.destroy();
    }
    const make = (role, clientId) => new SignalingClient({
      channelARN: ChannelARN,
      channelEndpoint: endpoints[role],
      role,
      region: REGION,
      clientId,
      credentials: CREDENTIALS,
    });
    const master = make(Role.MASTER);
    const viewer = make(Role.VIEWER, 'tls-viewer');
    const timeout = { signal: AbortSignal.timeout(5000) };
    try {
      let opened = once(master, 'open', timeout);
      master.open();
      await opened;
      opened = once(viewer, 'open', timeout);
      viewer.open();
      await opened;

      const offer = once(master, 'sdpOffer', timeout);
      viewer.sendSdpOffer(fakeSdp('offer', 'tls'));
      assert.deepEqual(await offer, [fakeSdp('offer', 'tls'), 'tls-viewer']);
      const answer = once(viewer, 'sdpAnswer', timeout);
      master.sendSdpAnswer(fakeSdp('answer', 'tls'), 'tls-viewer');
      assert.deepEqual(await answer, [fakeSdp('answer', 'tls'), undefined]);
      const ice = once(master, 'iceCandidate', timeout);
      viewer.sendIceCandidate(fakeIce(1));
      assert.deepEqual(await ice, [fakeIce(1), 'tls-viewer']);
    } finally {
      for (const c of [viewer, master]) {
        if (c.readyState !== 3) {
          const closed = new Promise((resolve) => c.once('close', resolve));
          c.close();
          await closed;
        }
      }
    }
  });

  test('a plain ws:// upgrade on the TLS port does not connect', async () => {
    await assert.rejects(tryUpgrade(presignUrl(server.port, { 'X-Amz-ChannelARN': 'arn:x' })),
      (e) => {
        assert.doesNotMatch(e.message, /no answer/, 'refused at once, not left hanging');
        return true;
      });
  });
});

// Conformance of the signaling WebSocket with AWS's own JavaScript client
// (amazon-kinesis-video-streams-webrtc SignalingClient) as master and viewer.
// Endpoints come from GetSignalingChannelEndpoint; the only adaptation is
// the signer wrapper for plain ws:// (see lib/harness.mjs plainWsSigner).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  CREDENTIALS, REGION, control, createChannel, fakeIce, fakeSdp, kvsClient, openSignalingClient,
  plainWsSigner, require, sleep, startServer, waitFor, wssEndpoint,
} from './lib/harness.mjs';

const { SignalingClient, Role } = require('amazon-kinesis-video-streams-webrtc');

function nextEvent(emitter, name, timeoutMs = 3000) {
  return once(emitter, name, { signal: AbortSignal.timeout(timeoutMs) })
    .catch((e) => {
      throw new Error(`no '${name}' event within ${timeoutMs} ms (${e.message})`);
    });
}

async function closeClient(client) {
  if (!client || client.readyState === 3) {
    return;
  }
  const closed = nextEvent(client, 'close', 3000);
  client.close();
  await closed;
}

describe('AWS SignalingClient as master and viewer', () => {
  let server;
  let arn;
  let master;
  let viewer;
  const viewerId = 'viewer-aws-js-1';

  before(async () => {
    server = await startServer();
    arn = await createChannel(server.url, 'sig-conformance');
    master = await openSignalingClient(server.url, arn, Role.MASTER);
    viewer = await openSignalingClient(server.url, arn, Role.VIEWER, viewerId);
  });
  after(async () => {
    await closeClient(viewer);
    await closeClient(master);
    await server?.stop();
  });

  test('viewer offer reaches the master with the viewer id', async () => {
    const offer = fakeSdp('offer', 'viewer-offer-1');
    const got = nextEvent(master, 'sdpOffer');
    viewer.sendSdpOffer(offer);
    const [payload, sender] = await got;
    assert.deepEqual(payload, offer);
    assert.equal(sender, viewerId);
  });

  test('master answer reaches the viewer without a sender id', async () => {
    const answer = fakeSdp('answer', 'master-answer-1');
    const got = nextEvent(viewer, 'sdpAnswer');
    master.sendSdpAnswer(answer, viewerId);
    const [payload, sender] = await got;
    assert.deepEqual(payload, answer);
    assert.equal(sender, undefined);
  });

  test('ICE candidates both ways, in order', async () => {
    const toMaster = [];
    const toViewer = [];
    const onMaster = (c, s) => toMaster.push([c, s]);
    const onViewer = (c, s) => toViewer.push([c, s]);
    master.on('iceCandidate', onMaster);
    viewer.on('iceCandidate', onViewer);
    try {
      for (let i = 1; i <= 3; i++) {
        viewer.sendIceCandidate(fakeIce(i));
        master.sendIceCandidate(fakeIce(100 + i), viewerId);
      }
      await waitFor(() => toMaster.length === 3 && toViewer.length === 3, 3000,
        `3 candidates each way (got ${toMaster.length} and ${toViewer.length})`);
      assert.deepEqual(toMaster, [1, 2, 3].map((i) => [fakeIce(i), viewerId]));
      assert.deepEqual(toViewer, [101, 102, 103].map((i) => [fakeIce(i), undefined]));
    } finally {
      master.off('iceCandidate', onMaster);
      viewer.off('iceCandidate', onViewer);
    }
  });

  test('a master message without recipient and with a correlationId: statusResponse', async () => {
    const got = nextEvent(master, 'statusResponse');
    master.sendSdpAnswer(fakeSdp('answer', 'no-recipient'), undefined, 'corr-no-recipient-1');
    const [status] = await got;
    assert.equal(status.correlationId, 'corr-no-recipient-1');
    assert.equal(status.errorType, 'InvalidArgumentException');
    assert.equal(status.statusCode, '400');
    assert.equal(typeof status.description, 'string');
  });

  test('raw STATUS_RESPONSE frame has AWS shape', async () => {
    // Read the raw frame as the SDK's socket receives it.
    const ws = master.websocket;
    const raw = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no frame within 3 s')), 3000);
      ws.addEventListener('message', function h(ev) {
        ws.removeEventListener('message', h);
        clearTimeout(t);
        resolve(JSON.parse(ev.data));
      });
    });
    master.sendIceCandidate(fakeIce(9), undefined, 'corr-raw-2');
    const frame = await raw;
    assert.equal(frame.messageType, 'STATUS_RESPONSE');
    assert.equal(frame.statusResponse.correlationId, 'corr-raw-2');
    assert.equal(frame.statusResponse.errorType, 'InvalidArgumentException');
    assert.equal(frame.statusResponse.statusCode, '400');
    assert.equal(frame.senderClientId, undefined);
  });

  test('early ICE from the master is held by the SDK until the answer', async () => {
    await closeClient(viewer);
    viewer = await openSignalingClient(server.url, arn, Role.VIEWER, viewerId);
    const events = [];
    viewer.on('iceCandidate', (c) => events.push(['ice', c]));
    viewer.on('sdpAnswer', (a) => events.push(['answer', a]));
    viewer.sendSdpOffer(fakeSdp('offer', 'viewer-offer-2'));
    await nextEvent(master, 'sdpOffer');
    master.sendIceCandidate(fakeIce(201), viewerId);
    master.sendIceCandidate(fakeIce(202), viewerId);
    // Both candidates went through the server and now wait inside the SDK.
    await waitFor(() => viewer.getPendingIceCandidates().length === 2, 3000,
      'two candidates pending in the viewer SDK');
    assert.deepEqual(events, []);
    master.sendSdpAnswer(fakeSdp('answer', 'master-answer-2'), viewerId);
    await waitFor(() => events.length === 3, 3000, 'answer then two candidates');
    assert.deepEqual(events, [
      ['answer', fakeSdp('answer', 'master-answer-2')],
      ['ice', fakeIce(201)],
      ['ice', fakeIce(202)],
    ]);
  });

  test('early ICE from a viewer is held by the master SDK per viewer', async () => {
    const other = await openSignalingClient(server.url, arn, Role.VIEWER, 'viewer-aws-js-2');
    try {
      other.sendIceCandidate(fakeIce(301));
      await waitFor(() => master.getPendingIceCandidates('viewer-aws-js-2').length === 1, 3000,
        'one candidate pending for viewer-aws-js-2 in the master SDK');
      const events = [];
      const onIce = (c, s) => events.push(['ice', c, s]);
      const onOffer = (o, s) => events.push(['offer', o, s]);
      master.on('iceCandidate', onIce);
      master.on('sdpOffer', onOffer);
      try {
        other.sendSdpOffer(fakeSdp('offer', 'viewer2-offer'));
        await waitFor(() => events.length === 2, 3000, 'offer then the held candidate');
        assert.deepEqual(events, [
          ['offer', fakeSdp('offer', 'viewer2-offer'), 'viewer-aws-js-2'],
          ['ice', fakeIce(301), 'viewer-aws-js-2'],
        ]);
      } finally {
        master.off('iceCandidate', onIce);
        master.off('sdpOffer', onOffer);
      }
    } finally {
      await closeClient(other);
    }
  });

  test('a 30 KB offer (over the documented 10,000 characters) is relayed', async () => {
    const offer = fakeSdp('offer', 'big-offer');
    for (let i = 0; offer.sdp.length < 30000; i++) {
      offer.sdp += `a=candidate:${i} 1 udp 2122260223 127.0.0.1 ${40000 + i} typ host\r\n`;
    }
    const got = nextEvent(master, 'sdpOffer');
    viewer.sendSdpOffer(offer);
    const [payload, sender] = await got;
    assert.deepEqual(payload, offer);
    assert.equal(sender, viewerId);
  });

  test('GO_AWAY and RECONNECT_ICE_SERVER do not disturb the SDK (it ignores them)', async () => {
    let r = await control(server.url, 'go-away', { channelArn: arn, clientId: viewerId });
    assert.deepEqual(r.json, { affected: 1 });
    r = await control(server.url, 'reconnect-ice-server', { channelArn: arn, role: 'master' });
    assert.deepEqual(r.json, { affected: 1 });
    await sleep(200);
    // Both still work within the GO_AWAY grace (60 s by default).
    const got = nextEvent(master, 'sdpOffer');
    viewer.sendSdpOffer(fakeSdp('offer', 'after-go-away'));
    assert.deepEqual(await got, [fakeSdp('offer', 'after-go-away'), viewerId]);
  });

  test('no client saw a socket error', () => {
    assert.deepEqual(master.errors, []);
    assert.deepEqual(viewer.errors, []);
  });
});

describe('AWS SignalingClient handshake failures', () => {
  let server;
  let arn;
  before(async () => {
    server = await startServer();
    arn = await createChannel(server.url, 'sig-handshake');
  });
  after(async () => {
    await server?.stop();
  });

  test('wrong secret: the SDK reports an error and closes', async () => {
    const client = new SignalingClient({
      channelARN: arn,
      channelEndpoint: await wssEndpoint(server.url, arn, Role.MASTER),
      role: Role.MASTER,
      region: REGION,
      credentials: CREDENTIALS,
      requestSigner: plainWsSigner(REGION, { ...CREDENTIALS, secretAccessKey: 'wrong-secret' }),
    });
    const err = nextEvent(client, 'error', 5000);
    // events.once(…, 'close') would reject on the 'error' event.
    const closed = new Promise((resolve) => client.once('close', resolve));
    let opened = false;
    client.on('open', () => {
      opened = true;
    });
    client.open();
    const [e] = await err;
    await closed;
    assert.equal(opened, false);
    assert.match(String(e.message ?? e), /403/);
  });
});

// Conformance of the REST API with AWS's own SDK for JavaScript v3
// (@aws-sdk/client-kinesis-video and @aws-sdk/client-kinesis-video-signaling):
// only endpoint and credentials differ from a call to AWS.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Agent } from 'node:http';
import {
  ARN_RE, CREDENTIALS, REGION, expectFdsReleased, kvsClient, require, signalingRestClient,
  signedFetch, startServer, tcpTouch,
} from './lib/harness.mjs';

const {
  CreateSignalingChannelCommand,
  DeleteSignalingChannelCommand,
  DescribeSignalingChannelCommand,
  GetSignalingChannelEndpointCommand,
  ListSignalingChannelsCommand,
} = require('@aws-sdk/client-kinesis-video');
const { GetIceServerConfigCommand } = require('@aws-sdk/client-kinesis-video-signaling');

// Runs promise and returns the error it rejects with (fails if it resolves).
async function rejection(promise, what) {
  try {
    const out = await promise;
    assert.fail(`${what} succeeded but should have failed: ${JSON.stringify(out)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) {
      throw e;
    }
    return e;
  }
}

describe('REST control plane with @aws-sdk/client-kinesis-video', () => {
  let server;
  let kv;
  before(async () => {
    server = await startServer();
    kv = kvsClient(server.url);
  });
  after(async () => {
    kv?.destroy();
    await server?.stop();
  });

  let arn;
  let version;

  test('CreateSignalingChannel returns an AWS-shaped ARN', async () => {
    const before = Date.now();
    const out = await kv.send(new CreateSignalingChannelCommand({
      ChannelName: 'rest-demo',
      ChannelType: 'SINGLE_MASTER',
      SingleMasterConfiguration: { MessageTtlSeconds: 30 },
    }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.ok(out.$metadata.requestId, 'x-amzn-RequestId header surfaced as requestId');
    assert.match(out.ChannelARN, ARN_RE);
    assert.equal(ARN_RE.exec(out.ChannelARN)[1], 'rest-demo');
    const ms = Number(out.ChannelARN.split('/').pop());
    assert.ok(ms >= before - 5000 && ms <= Date.now() + 5000,
      `ARN timestamp ${ms} is the creation time in epoch ms`);
    arn = out.ChannelARN;
  });

  test('DescribeSignalingChannel by name and by ARN', async () => {
    const byName = await kv.send(new DescribeSignalingChannelCommand({ ChannelName: 'rest-demo' }));
    const info = byName.ChannelInfo;
    assert.equal(info.ChannelName, 'rest-demo');
    assert.equal(info.ChannelARN, arn);
    assert.equal(info.ChannelType, 'SINGLE_MASTER');
    assert.equal(info.ChannelStatus, 'ACTIVE');
    assert.equal(info.SingleMasterConfiguration.MessageTtlSeconds, 30);
    assert.equal(typeof info.Version, 'string');
    assert.ok(info.Version.length >= 1 && info.Version.length <= 64, `Version '${info.Version}'`);
    assert.ok(info.CreationTime instanceof Date && !Number.isNaN(info.CreationTime.getTime()),
      'CreationTime parsed by the SDK as a timestamp');
    assert.ok(Math.abs(info.CreationTime.getTime() - Date.now()) < 60000,
      `CreationTime ${info.CreationTime.toISOString()} is about now`);
    version = info.Version;

    const byArn = await kv.send(new DescribeSignalingChannelCommand({ ChannelARN: arn }));
    assert.deepEqual(byArn.ChannelInfo, info);
  });

  test('CreateSignalingChannel defaults MessageTtlSeconds to 60', async () => {
    const out = await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'rest-default-ttl' }));
    assert.match(out.ChannelARN, ARN_RE);
    const d = await kv.send(new DescribeSignalingChannelCommand({ ChannelARN: out.ChannelARN }));
    assert.equal(d.ChannelInfo.SingleMasterConfiguration.MessageTtlSeconds, 60);
    assert.equal(d.ChannelInfo.ChannelType, 'SINGLE_MASTER');
  });

  test('ListSignalingChannels lists both channels', async () => {
    const out = await kv.send(new ListSignalingChannelsCommand({}));
    const names = out.ChannelInfoList.map((c) => c.ChannelName).sort();
    assert.deepEqual(names, ['rest-default-ttl', 'rest-demo']);
    const demo = out.ChannelInfoList.find((c) => c.ChannelName === 'rest-demo');
    assert.equal(demo.ChannelARN, arn);
    assert.equal(demo.ChannelStatus, 'ACTIVE');
  });

  for (const role of ['MASTER', 'VIEWER']) {
    test(`GetSignalingChannelEndpoint for ${role} points back at the server`, async () => {
      const out = await kv.send(new GetSignalingChannelEndpointCommand({
        ChannelARN: arn,
        SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: role },
      }));
      const byProto = Object.fromEntries(out.ResourceEndpointList.map(
        (e) => [e.Protocol, e.ResourceEndpoint]));
      assert.deepEqual(Object.keys(byProto).sort(), ['HTTPS', 'WSS']);
      assert.equal(byProto.WSS, `ws://127.0.0.1:${server.port}`);
      assert.equal(byProto.HTTPS, `http://127.0.0.1:${server.port}`);
    });
  }

  test('DescribeSignalingChannel of an unknown channel: ResourceNotFoundException', async () => {
    const e = await rejection(kv.send(new DescribeSignalingChannelCommand({ ChannelName: 'no-such-channel' })),
      'describe unknown');
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.$metadata.httpStatusCode, 404);
    assert.ok(e.message.length > 0, 'the error carries a message');
  });

  test('GetSignalingChannelEndpoint of an unknown channel: ResourceNotFoundException', async () => {
    const e = await rejection(kv.send(new GetSignalingChannelEndpointCommand({
      ChannelARN: arn.replace(/\/\d{13}$/, '/1000000000000'),
      SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'MASTER' },
    })), 'endpoint of an unknown channel');
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.$metadata.httpStatusCode, 404);
  });

  test('DescribeSignalingChannel with neither name nor ARN: InvalidArgumentException', async () => {
    const e = await rejection(kv.send(new DescribeSignalingChannelCommand({})), 'describe without name');
    assert.equal(e.name, 'InvalidArgumentException');
    assert.equal(e.$metadata.httpStatusCode, 400);
  });

  test('ListSignalingChannels pages with MaxResults/NextToken and filters BEGINS_WITH', async () => {
    const { paginateListSignalingChannels } = require('@aws-sdk/client-kinesis-video');
    for (const n of ['page-a', 'page-b', 'page-c']) {
      await kv.send(new CreateSignalingChannelCommand({ ChannelName: n }));
    }
    const pages = [];
    for await (const page of paginateListSignalingChannels({ client: kv, pageSize: 2 }, {
      ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'page-' },
    })) {
      pages.push(page.ChannelInfoList.map((c) => c.ChannelName));
    }
    assert.deepEqual(pages.map((p) => p.length), [2, 1]);
    assert.deepEqual(pages.flat().sort(), ['page-a', 'page-b', 'page-c']);
    for (const n of ['page-a', 'page-b', 'page-c']) {
      const d = await kv.send(new DescribeSignalingChannelCommand({ ChannelName: n }));
      await kv.send(new DeleteSignalingChannelCommand({ ChannelARN: d.ChannelInfo.ChannelARN }));
    }
  });

  test('CreateSignalingChannel with a name in use: ResourceInUseException', async () => {
    const e = await rejection(kv.send(new CreateSignalingChannelCommand({ ChannelName: 'rest-demo' })),
      'duplicate create');
    assert.equal(e.name, 'ResourceInUseException');
    assert.equal(e.$metadata.httpStatusCode, 400);
  });

  for (const [label, input] of [
    ['a bad channel name', { ChannelName: 'bad name!' }],
    ['an empty channel name', { ChannelName: '' }],
    ['a 257-character channel name', { ChannelName: 'x'.repeat(257) }],
    ['MessageTtlSeconds 4', { ChannelName: 'ttl-low', SingleMasterConfiguration: { MessageTtlSeconds: 4 } }],
    ['MessageTtlSeconds 121', { ChannelName: 'ttl-high', SingleMasterConfiguration: { MessageTtlSeconds: 121 } }],
  ]) {
    test(`CreateSignalingChannel with ${label}: InvalidArgumentException`, async () => {
      const e = await rejection(kv.send(new CreateSignalingChannelCommand(input)), label);
      assert.equal(e.name, 'InvalidArgumentException');
      assert.equal(e.$metadata.httpStatusCode, 400);
    });
  }

  test('a wrong secret key is refused with 403 InvalidSignatureException', async () => {
    const bad = kvsClient(server.url, { ...CREDENTIALS, secretAccessKey: 'not-the-secret' });
    try {
      const e = await rejection(bad.send(new DescribeSignalingChannelCommand({ ChannelName: 'rest-demo' })),
        'describe with a wrong secret');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.equal(e.name, 'InvalidSignatureException');
      assert.match(e.message, /signature we calculated does not match/i);
    } finally {
      bad.destroy();
    }
  });

  test('an unknown access key is refused with 403', async () => {
    const bad = kvsClient(server.url, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: CREDENTIALS.secretAccessKey });
    try {
      const e = await rejection(bad.send(new ListSignalingChannelsCommand({})), 'list with an unknown key');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.equal(e.name, 'UnrecognizedClientException');
    } finally {
      bad.destroy();
    }
  });

  test('a request signed for another region is refused with 403', async () => {
    const { KinesisVideoClient } = require('@aws-sdk/client-kinesis-video');
    const other = new KinesisVideoClient({ region: 'eu-west-1', endpoint: server.url, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const e = await rejection(other.send(new ListSignalingChannelsCommand({})), 'list signed for eu-west-1');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.equal(e.name, 'InvalidSignatureException');
    } finally {
      other.destroy();
    }
  });

  test('a clock 10 minutes slow: 403 Signature expired, then the SDK corrects from Date', async () => {
    const { KinesisVideoClient } = require('@aws-sdk/client-kinesis-video');
    const slow = new KinesisVideoClient({
      region: REGION, endpoint: server.url, credentials: CREDENTIALS, maxAttempts: 1,
      systemClockOffset: -600e3,
    });
    try {
      const e = await rejection(slow.send(new ListSignalingChannelsCommand({})), 'list with a slow clock');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.equal(e.name, 'InvalidSignatureException');
      assert.match(e.message, /Signature expired/);
    } finally {
      slow.destroy();
    }
    // With a retry allowed, the SDK takes the server's Date header as the
    // clock (as it does against AWS) and the second attempt succeeds.
    const retrying = new KinesisVideoClient({
      region: REGION, endpoint: server.url, credentials: CREDENTIALS, maxAttempts: 2,
      systemClockOffset: -600e3,
    });
    try {
      const out = await retrying.send(new ListSignalingChannelsCommand({}));
      assert.equal(out.$metadata.attempts, 2);
      assert.ok(Math.abs(retrying.config.systemClockOffset) < 60e3,
        `clock offset corrected to ${retrying.config.systemClockOffset} ms`);
    } finally {
      retrying.destroy();
    }
  });

  test('a clock 10 minutes fast: 403 Signature not yet current', async () => {
    const { KinesisVideoClient } = require('@aws-sdk/client-kinesis-video');
    const fast = new KinesisVideoClient({
      region: REGION, endpoint: server.url, credentials: CREDENTIALS, maxAttempts: 1,
      systemClockOffset: 600e3,
    });
    try {
      const e = await rejection(fast.send(new ListSignalingChannelsCommand({})), 'list with a fast clock');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.equal(e.name, 'InvalidSignatureException');
      assert.match(e.message, /Signature not yet current/);
    } finally {
      fast.destroy();
    }
  });

  test('errors carry AWS headers: x-amzn-ErrorType, x-amzn-RequestId, Date, JSON message', async () => {
    const res = await fetch(`${server.url}/describeSignalingChannel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ChannelName: 'rest-demo' }),
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.ok(res.headers.get('x-amzn-requestid'), 'x-amzn-RequestId header');
    const date = Date.parse(res.headers.get('date'));
    assert.ok(Math.abs(date - Date.now()) < 60000, `Date header '${res.headers.get('date')}'`);
    const body = await res.json();
    assert.equal(typeof body.message, 'string');
    assert.ok(body.message.length > 0);
  });

  test('the raw signer is accepted (control for the raw error tests below)', async () => {
    const r = await signedFetch(server.url, '/describeSignalingChannel', JSON.stringify({ ChannelName: 'rest-demo' }));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ChannelInfo.ChannelARN, arn);
    const bad = await signedFetch(server.url, '/describeSignalingChannel',
      JSON.stringify({ ChannelName: 'rest-demo' }), { secretKey: 'wrong' });
    assert.equal(bad.status, 403);
    assert.equal(bad.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
  });

  test('a body that is not a JSON object: 400 SerializationException', async () => {
    for (const body of ['{"ChannelName": ', '[1,2]']) {
      const r = await signedFetch(server.url, '/describeSignalingChannel', body);
      assert.equal(r.status, 400, `${body}: ${r.text}`);
      assert.equal(r.headers.get('x-amzn-errortype'), 'SerializationException');
      assert.equal(typeof r.json.message, 'string');
    }
  });

  test('wrong field types: 400, never a crash', async () => {
    const r = await signedFetch(server.url, '/createSignalingChannel',
      JSON.stringify({ ChannelName: 42, SingleMasterConfiguration: 'x' }));
    assert.equal(r.status, 400, r.text);
    assert.ok(['InvalidArgumentException', 'SerializationException'].includes(r.headers.get('x-amzn-errortype')),
      r.headers.get('x-amzn-errortype'));
  });

  test('an unknown operation: 404 UnknownOperationException', async () => {
    const r = await signedFetch(server.url, '/describeStreamFoo', '{}');
    assert.equal(r.status, 404, r.text);
    assert.equal(r.headers.get('x-amzn-errortype'), 'UnknownOperationException');
  });

  test('by default each call of an SDK client opens its own connection (Connection: close)', async () => {
    const { sockets, closes } = await callsOverKeepAliveAgent(server.url, 5);
    assert.equal(closes, 5, `${closes} of 5 replies said Connection: close`);
    assert.equal(sockets, 5, `5 calls opened ${sockets} TCP connections ` +
      '(without --keep-alive the service closes each REST connection after its reply)');
  });

  test('connections closed by REST clients are released (no descriptor leak)', async () => {
    const baseline = server.fdCount();
    for (let i = 0; i < 20; i++) {
      const c = kvsClient(server.url);
      await c.send(new ListSignalingChannelsCommand({}));
      c.destroy(); // closes its keep-alive connection
    }
    await expectFdsReleased(server, baseline, '20 SDK clients that closed their keep-alive connection');
    for (let i = 0; i < 20; i++) {
      await tcpTouch(server.port);
    }
    await expectFdsReleased(server, baseline, '20 TCP connections closed without a request');
  });

  test('DeleteSignalingChannel with a stale version: VersionMismatchException', async () => {
    const e = await rejection(kv.send(new DeleteSignalingChannelCommand({
      ChannelARN: arn, CurrentVersion: version + 'x',
    })), 'delete with a wrong version');
    assert.equal(e.name, 'VersionMismatchException');
    assert.equal(e.$metadata.httpStatusCode, 400);
  });

  test('DeleteSignalingChannel removes the channel', async () => {
    const out = await kv.send(new DeleteSignalingChannelCommand({ ChannelARN: arn, CurrentVersion: version }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const e = await rejection(kv.send(new DescribeSignalingChannelCommand({ ChannelARN: arn })),
      'describe after delete');
    assert.equal(e.name, 'ResourceNotFoundException');
    const e2 = await rejection(kv.send(new DeleteSignalingChannelCommand({ ChannelARN: arn })),
      'second delete');
    assert.equal(e2.name, 'ResourceNotFoundException');
    const list = await kv.send(new ListSignalingChannelsCommand({}));
    assert.deepEqual(list.ChannelInfoList.map((c) => c.ChannelName), ['rest-default-ttl']);
  });

  test('the name is free again after delete, with a new ARN', async () => {
    const out = await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'rest-demo' }));
    assert.match(out.ChannelARN, ARN_RE);
    assert.notEqual(out.ChannelARN, arn);
  });
});

async function endpointsFor(kv, arn, role) {
  const out = await kv.send(new GetSignalingChannelEndpointCommand({
    ChannelARN: arn,
    SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: role },
  }));
  return Object.fromEntries(out.ResourceEndpointList.map((e) => [e.Protocol, e.ResourceEndpoint]));
}

// @calls ListSignalingChannels of one SDK client through node's keep-alive
// agent (the SDK's own request handler around it): how many TCP connections
// it opened, how many replies said Connection: close.
async function callsOverKeepAliveAgent(url, calls) {
  const agent = new Agent({ keepAlive: true });
  let sockets = 0;
  let closes = 0;
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (...args) => {
    sockets++;
    return createConnection(...args);
  };
  const c = kvsClient(url, CREDENTIALS, { requestHandler: { httpAgent: agent } });
  c.middlewareStack.add((next) => async (args) => {
    const out = await next(args);
    if (/\bclose\b/i.test(out.response?.headers?.connection ?? '')) closes++;
    return out;
  }, { step: 'deserialize', name: 'countConnectionClose' });
  try {
    for (let i = 0; i < calls; i++) {
      const out = await c.send(new ListSignalingChannelsCommand({}));
      assert.equal(out.$metadata.httpStatusCode, 200);
    }
    return { sockets, closes };
  } finally {
    c.destroy();
    agent.destroy();
  }
}

describe('REST keep-alive with --keep-alive', () => {
  let server;
  before(async () => {
    server = await startServer(['--keep-alive']);
  });
  after(async () => {
    await server?.stop();
  });

  test('consecutive calls of one SDK client share one kept-alive connection, as on AWS', async () => {
    const { sockets, closes } = await callsOverKeepAliveAgent(server.url, 5);
    assert.equal(closes, 0, `${closes} of 5 replies said Connection: close`);
    assert.equal(sockets, 1, `5 calls opened ${sockets} TCP connections ` +
      '(the service closes its REST connections after each reply)');
  });
});

describe('GetIceServerConfig with @aws-sdk/client-kinesis-video-signaling, --no-turn', () => {
  let server;
  before(async () => {
    server = await startServer(['--no-turn']);
  });
  after(async () => {
    await server?.stop();
  });

  test('with --no-turn the list is empty', async () => {
    const kv = kvsClient(server.url);
    const { ChannelARN } = await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'ice-none' }));
    const ep = await endpointsFor(kv, ChannelARN, 'VIEWER');
    kv.destroy();
    const sig = signalingRestClient(ep.HTTPS);
    try {
      const out = await sig.send(new GetIceServerConfigCommand({ ChannelARN, ClientId: 'viewer-1', Service: 'TURN' }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.deepEqual(out.IceServerList, []);
      const e = await rejection(sig.send(new GetIceServerConfigCommand({
        ChannelARN: ChannelARN.replace('/ice-none/', '/ice-unknown/'),
      })), 'ice config of an unknown channel');
      assert.equal(e.name, 'ResourceNotFoundException');
      assert.equal(e.$metadata.httpStatusCode, 404);
    } finally {
      sig.destroy();
    }
  });
});

describe('GetIceServerConfig with --turn-uri/--turn-secret', () => {
  const TURN_URI = 'turn:127.0.0.1:3478?transport=udp';
  const TURN_SECRET = 'interop-turn-static-auth-secret';
  let server;
  before(async () => {
    server = await startServer(['--turn-uri', TURN_URI, '--turn-secret', TURN_SECRET]);
  });
  after(async () => {
    await server?.stop();
  });

  test('TURN REST credentials: <expiry>:<name>, base64 HMAC-SHA1 password, Ttl 300', async () => {
    const kv = kvsClient(server.url);
    const { ChannelARN } = await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'ice-turn' }));
    const ep = await endpointsFor(kv, ChannelARN, 'MASTER');
    kv.destroy();
    const sig = signalingRestClient(ep.HTTPS);
    try {
      const now = Math.floor(Date.now() / 1000);
      const out = await sig.send(new GetIceServerConfigCommand({ ChannelARN, ClientId: 'viewer-7', Service: 'TURN' }));
      assert.equal(out.IceServerList.length, 1, JSON.stringify(out.IceServerList));
      const s = out.IceServerList[0];
      assert.deepEqual(s.Uris, [TURN_URI]);
      assert.equal(s.Ttl, 300);
      const m = /^(\d+):(.+)$/.exec(s.Username);
      assert.ok(m, `Username '${s.Username}' has the form <expiry>:<name>`);
      const expiry = Number(m[1]);
      assert.ok(Math.abs(expiry - (now + 300)) <= 60,
        `expiry ${expiry} is about now + Ttl (${now + 300})`);
      const expected = createHmac('sha1', TURN_SECRET).update(s.Username).digest('base64');
      assert.equal(s.Password, expected, 'Password = base64(HMAC-SHA1(turn secret, Username))');
    } finally {
      sig.destroy();
    }
  });

  test('GetIceServerConfig with a wrong secret key is refused with 403', async () => {
    const sig = signalingRestClient(server.url, { ...CREDENTIALS, secretAccessKey: 'wrong' });
    try {
      const e = await rejection(sig.send(new GetIceServerConfigCommand({
        ChannelARN: `arn:aws:kinesisvideo:${REGION}:123456789012:channel/x/1234567890123`,
      })), 'ice config with a wrong secret');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.equal(e.name, 'InvalidSignatureException');
    } finally {
      sig.destroy();
    }
  });
});

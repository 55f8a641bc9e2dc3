// WebRTC ingestion's API with AWS's own clients, unchanged but for the
// endpoint and the credentials: @aws-sdk/client-kinesis-video (CreateStream,
// DescribeStream, ListStreams, DeleteStream, UpdateMediaStorageConfiguration,
// DescribeMediaStorageConfiguration, GetSignalingChannelEndpoint with
// WEBRTC), @aws-sdk/client-kinesis-video-webrtc-storage (JoinStorageSession,
// JoinStorageSessionAsViewer on the WEBRTC endpoint) and the AWS CLI v2
// (Debian's awscli, $KVS_AWS_CLI); AWS's error names on bad input.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CREDENTIALS, REGION, awsCli, connectMaster, connectViewer, createChannel,
  kvsClient, require, startServer,
} from './lib/harness.mjs';

const {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeMediaStorageConfigurationCommand,
  DescribeStreamCommand,
  GetSignalingChannelEndpointCommand,
  ListStreamsCommand,
  UpdateMediaStorageConfigurationCommand,
} = require('@aws-sdk/client-kinesis-video');
const {
  JoinStorageSessionAsViewerCommand,
  JoinStorageSessionCommand,
  KinesisVideoWebRTCStorageClient,
} = require('@aws-sdk/client-kinesis-video-webrtc-storage');

const STREAM_ARN_RE = /^arn:aws:kinesisvideo:us-west-2:\d{12}:stream\/([a-zA-Z0-9_.-]+)\/\d{13}$/;

// The server sees a closed viewer go a moment after the client: retried.
async function waitForJoin(storage, channelArn, clientId) {
  for (let i = 0; ; i++) {
    try {
      const v = await storage.send(new JoinStorageSessionAsViewerCommand({ channelArn, clientId }));
      assert.equal(v.$metadata.httpStatusCode, 200);
      return;
    } catch (e) {
      if (e.name !== 'ClientLimitExceededException' || i >= 30) {
        throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function expectError(promise, name, status, what) {
  let out;
  try {
    out = await promise;
  } catch (e) {
    assert.equal(e.name, name, `${what}: ${e.name}: ${e.message}`);
    assert.equal(e.$metadata.httpStatusCode, status, what);
    assert.ok(e.message && e.message.length > 0, `${what}: a message`);
    return e;
  }
  assert.fail(`${what} succeeded but should have failed: ${JSON.stringify(out)}`);
}

function cliError(r, name, what) {
  assert.notEqual(r.code, 0, `${what} succeeded: ${r.out}`);
  assert.match(r.err, new RegExp(`An error occurred \\(${name}\\)`), `${what}: ${r.err}`);
}

// The recordings of the joins (storage sessions that get no answer) go
// into a temporary folder, removed after.
const STORAGE_DIR = mkdtempSync(join(tmpdir(), 'kvs-storage-api-'));
after(() => rmSync(STORAGE_DIR, { recursive: true, force: true }));

function storageClient(url) {
  return new KinesisVideoWebRTCStorageClient({
    region: REGION, endpoint: url, credentials: CREDENTIALS, maxAttempts: 1,
  });
}

describe('Kinesis video streams with @aws-sdk/client-kinesis-video', () => {
  let server;
  let kv;
  before(async () => {
    server = await startServer(['--no-turn', '--storage-dir', STORAGE_DIR], { pythonChildren: true });
    kv = kvsClient(server.url);
  });
  after(async () => {
    kv?.destroy();
    await server?.stop();
  });

  test('create, describe, list, delete; AWS errors', async () => {
    const { StreamARN } = await kv.send(new CreateStreamCommand({
      StreamName: 'cam-1', DataRetentionInHours: 24, MediaType: 'video/h264',
      DeviceName: 'front-door',
    }));
    assert.match(StreamARN, STREAM_ARN_RE);
    const info = (await kv.send(new DescribeStreamCommand({ StreamName: 'cam-1' }))).StreamInfo;
    assert.equal(info.StreamARN, StreamARN);
    assert.equal(info.StreamName, 'cam-1');
    assert.equal(info.Status, 'ACTIVE');
    assert.equal(info.DataRetentionInHours, 24);
    assert.equal(info.MediaType, 'video/h264');
    assert.equal(info.DeviceName, 'front-door');
    assert.ok(info.CreationTime instanceof Date && !isNaN(info.CreationTime), 'CreationTime');
    assert.ok(info.Version && info.KmsKeyId, 'Version and KmsKeyId');
    const byArn = (await kv.send(new DescribeStreamCommand({ StreamARN }))).StreamInfo;
    assert.equal(byArn.StreamName, 'cam-1');

    await kv.send(new CreateStreamCommand({ StreamName: 'cam-2' }));
    await kv.send(new CreateStreamCommand({ StreamName: 'other' }));
    const all = (await kv.send(new ListStreamsCommand({}))).StreamInfoList.map((s) => s.StreamName);
    assert.deepEqual(all, ['cam-1', 'cam-2', 'other']);
    const cams = await kv.send(new ListStreamsCommand({
      StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'cam' },
    }));
    assert.deepEqual(cams.StreamInfoList.map((s) => s.StreamName), ['cam-1', 'cam-2']);
    const page1 = await kv.send(new ListStreamsCommand({ MaxResults: 2 }));
    assert.equal(page1.StreamInfoList.length, 2);
    assert.ok(page1.NextToken, 'a NextToken for the rest');
    const page2 = await kv.send(new ListStreamsCommand({ MaxResults: 2, NextToken: page1.NextToken }));
    assert.deepEqual(page2.StreamInfoList.map((s) => s.StreamName), ['other']);
    assert.equal(page2.NextToken, undefined);

    await expectError(kv.send(new CreateStreamCommand({ StreamName: 'cam-1' })),
      'ResourceInUseException', 400, 'a second stream of the same name');
    await expectError(kv.send(new CreateStreamCommand({ StreamName: 'bad name!' })),
      'InvalidArgumentException', 400, 'a name outside [a-zA-Z0-9_.-]');
    await expectError(kv.send(new CreateStreamCommand({ StreamName: 'neg', DataRetentionInHours: -1 })),
      'InvalidArgumentException', 400, 'a negative retention');
    await expectError(kv.send(new DescribeStreamCommand({ StreamName: 'nope' })),
      'ResourceNotFoundException', 404, 'describe an unknown stream');
    await expectError(kv.send(new DeleteStreamCommand({ StreamARN, CurrentVersion: 'old' })),
      'VersionMismatchException', 400, 'delete with the wrong version');

    await kv.send(new DeleteStreamCommand({ StreamARN, CurrentVersion: info.Version }));
    await expectError(kv.send(new DescribeStreamCommand({ StreamARN })),
      'ResourceNotFoundException', 404, 'describe a deleted stream');
    await expectError(kv.send(new DeleteStreamCommand({ StreamARN })),
      'ResourceNotFoundException', 404, 'delete a deleted stream');
  });
});

describe('media storage and JoinStorageSession with AWS clients', () => {
  let server;
  let kv;
  let storage;
  let channelArn;
  let streamArn;
  before(async () => {
    server = await startServer(['--no-turn', '--storage-dir', STORAGE_DIR], { pythonChildren: true });
    kv = kvsClient(server.url);
    channelArn = await createChannel(server.url, 'storage-chan');
    streamArn = (await kv.send(new CreateStreamCommand({
      StreamName: 'storage-stream', DataRetentionInHours: 1,
    }))).StreamARN;
  });
  after(async () => {
    kv?.destroy();
    storage?.destroy();
    await server?.stop();
  });

  test('GetSignalingChannelEndpoint returns a WEBRTC endpoint', async () => {
    const out = await kv.send(new GetSignalingChannelEndpointCommand({
      ChannelARN: channelArn,
      SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS', 'WEBRTC'], Role: 'MASTER' },
    }));
    const protocols = out.ResourceEndpointList.map((e) => e.Protocol);
    assert.deepEqual(protocols, ['WSS', 'HTTPS', 'WEBRTC']);
    const webrtc = out.ResourceEndpointList.find((e) => e.Protocol === 'WEBRTC').ResourceEndpoint;
    assert.equal(new URL(webrtc).protocol, 'http:');
    assert.equal(new URL(webrtc).port, String(server.port));
    storage = storageClient(webrtc);
  });

  test('media storage configuration: DISABLED by default, AWS errors', async () => {
    const d = await kv.send(new DescribeMediaStorageConfigurationCommand({ ChannelARN: channelArn }));
    assert.deepEqual(d.MediaStorageConfiguration, { Status: 'DISABLED' });
    await expectError(storage.send(new JoinStorageSessionCommand({ channelArn })),
      'InvalidArgumentException', 400, 'join before storage is enabled');

    const noRetention = (await kv.send(new CreateStreamCommand({ StreamName: 'no-retention' }))).StreamARN;
    await expectError(kv.send(new UpdateMediaStorageConfigurationCommand({
      ChannelARN: channelArn,
      MediaStorageConfiguration: { StreamARN: noRetention, Status: 'ENABLED' },
    })), 'NoDataRetentionException', 400, 'a stream that keeps nothing');
    await expectError(kv.send(new UpdateMediaStorageConfigurationCommand({
      ChannelARN: channelArn,
      MediaStorageConfiguration: { StreamARN: streamArn.replace('storage-stream', 'gone'), Status: 'ENABLED' },
    })), 'ResourceNotFoundException', 404, 'an unknown stream');
    await expectError(kv.send(new UpdateMediaStorageConfigurationCommand({
      ChannelARN: channelArn.replace('storage-chan', 'gone'),
      MediaStorageConfiguration: { StreamARN: streamArn, Status: 'ENABLED' },
    })), 'ResourceNotFoundException', 404, 'an unknown channel');
    await expectError(kv.send(new UpdateMediaStorageConfigurationCommand({
      ChannelARN: channelArn, MediaStorageConfiguration: { StreamARN: streamArn, Status: 'ON' },
    })), 'InvalidArgumentException', 400, 'a Status outside ENABLED/DISABLED');

    await kv.send(new UpdateMediaStorageConfigurationCommand({
      ChannelARN: channelArn, MediaStorageConfiguration: { StreamARN: streamArn, Status: 'ENABLED' },
    }));
    const e = await kv.send(new DescribeMediaStorageConfigurationCommand({ ChannelName: 'storage-chan' }));
    assert.deepEqual(e.MediaStorageConfiguration, { StreamARN: streamArn, Status: 'ENABLED' });

    const other = await createChannel(server.url, 'storage-other');
    await expectError(kv.send(new UpdateMediaStorageConfigurationCommand({
      ChannelARN: other, MediaStorageConfiguration: { StreamARN: streamArn, Status: 'ENABLED' },
    })), 'ResourceInUseException', 400, 'a stream mapped to another channel');
  });

  test('JoinStorageSession and JoinStorageSessionAsViewer', async () => {
    await expectError(storage.send(new JoinStorageSessionCommand({ channelArn })),
      'ResourceNotFoundException', 404, 'join without a connected master');
    await expectError(storage.send(new JoinStorageSessionCommand({
      channelArn: channelArn.replace('storage-chan', 'gone'),
    })), 'ResourceNotFoundException', 404, 'join an unknown channel');
    await expectError(storage.send(new JoinStorageSessionCommand({ channelArn: 'not-an-arn' })),
      'InvalidArgumentException', 400, 'join with a malformed ARN');

    const master = await connectMaster(server.port, channelArn);
    try {
      const out = await storage.send(new JoinStorageSessionCommand({ channelArn }));
      assert.equal(out.$metadata.httpStatusCode, 200);

      await expectError(storage.send(new JoinStorageSessionAsViewerCommand({ channelArn, clientId: 'v1' })),
        'ResourceNotFoundException', 404, 'a viewer that is not connected');
      const viewers = [];
      try {
        for (const id of ['v1', 'v2', 'v3', 'v4']) {
          viewers.push(await connectViewer(server.port, channelArn, id));
        }
        // AWS's limit: 3 viewers joined to a storage session; joining again
        // with the same client id takes no other place.
        for (const id of ['v1', 'v2', 'v3', 'v1']) {
          const v = await storage.send(new JoinStorageSessionAsViewerCommand({ channelArn, clientId: id }));
          assert.equal(v.$metadata.httpStatusCode, 200);
        }
        await expectError(storage.send(new JoinStorageSessionAsViewerCommand({ channelArn, clientId: 'v4' })),
          'ClientLimitExceededException', 400, 'a fourth viewer');
        // A viewer leaving frees its place.
        viewers[2].close();
        await viewers[2].closed;
        await waitForJoin(storage, channelArn, 'v4');
      } finally {
        for (const viewer of viewers) {
          viewer.close();
        }
      }
    } finally {
      master.close();
    }

    await kv.send(new UpdateMediaStorageConfigurationCommand({
      ChannelARN: channelArn, MediaStorageConfiguration: { StreamARN: streamArn, Status: 'DISABLED' },
    }));
    const d = await kv.send(new DescribeMediaStorageConfigurationCommand({ ChannelARN: channelArn }));
    assert.deepEqual(d.MediaStorageConfiguration, { StreamARN: streamArn, Status: 'DISABLED' });
    await expectError(storage.send(new JoinStorageSessionCommand({ channelArn })),
      'InvalidArgumentException', 400, 'join after storage is disabled');
  });
});

describe('the AWS CLI v2 (Debian awscli) on streams and storage', () => {
  let server;
  before(async () => {
    server = await startServer(['--no-turn', '--storage-dir', STORAGE_DIR], { pythonChildren: true });
  });
  after(async () => {
    await server?.stop();
  });

  test('create-stream … join-storage-session, errors included', async () => {
    const c = await awsCli(server.url, ['kinesisvideo', 'create-stream', '--stream-name', 'cli-stream',
      '--data-retention-in-hours', '2']);
    assert.equal(c.code, 0, c.err);
    assert.match(c.json.StreamARN, STREAM_ARN_RE);
    const streamArn = c.json.StreamARN;
    cliError(await awsCli(server.url, ['kinesisvideo', 'create-stream', '--stream-name', 'cli-stream']),
      'ResourceInUseException', 'a second create-stream');
    const d = await awsCli(server.url, ['kinesisvideo', 'describe-stream', '--stream-arn', streamArn]);
    assert.equal(d.code, 0, d.err);
    assert.equal(d.json.StreamInfo.StreamName, 'cli-stream');
    const l = await awsCli(server.url, ['kinesisvideo', 'list-streams']);
    assert.equal(l.code, 0, l.err);
    assert.deepEqual(l.json.StreamInfoList.map((s) => s.StreamName), ['cli-stream']);

    const ch = await awsCli(server.url, ['kinesisvideo', 'create-signaling-channel', '--channel-name', 'cli-chan']);
    assert.equal(ch.code, 0, ch.err);
    const channelArn = ch.json.ChannelARN;
    const u = await awsCli(server.url, ['kinesisvideo', 'update-media-storage-configuration',
      '--channel-arn', channelArn, '--media-storage-configuration', `StreamARN=${streamArn},Status=ENABLED`]);
    assert.equal(u.code, 0, u.err);
    const m = await awsCli(server.url, ['kinesisvideo', 'describe-media-storage-configuration',
      '--channel-arn', channelArn]);
    assert.equal(m.code, 0, m.err);
    assert.deepEqual(m.json.MediaStorageConfiguration, { StreamARN: streamArn, Status: 'ENABLED' });

    const ep = await awsCli(server.url, ['kinesisvideo', 'get-signaling-channel-endpoint',
      '--channel-arn', channelArn, '--single-master-channel-endpoint-configuration',
      'Protocols=WEBRTC,Role=MASTER']);
    assert.equal(ep.code, 0, ep.err);
    const webrtc = ep.json.ResourceEndpointList[0];
    assert.equal(webrtc.Protocol, 'WEBRTC');

    cliError(await awsCli(webrtc.ResourceEndpoint, ['kinesis-video-webrtc-storage', 'join-storage-session',
      '--channel-arn', channelArn]), 'ResourceNotFoundException', 'join without a master');
    const master = await connectMaster(server.port, channelArn);
    try {
      const j = await awsCli(webrtc.ResourceEndpoint, ['kinesis-video-webrtc-storage', 'join-storage-session',
        '--channel-arn', channelArn]);
      assert.equal(j.code, 0, j.err);
    } finally {
      master.close();
    }

    const del = await awsCli(server.url, ['kinesisvideo', 'delete-stream', '--stream-arn', streamArn]);
    assert.equal(del.code, 0, del.err);
    cliError(await awsCli(server.url, ['kinesisvideo', 'describe-stream', '--stream-arn', streamArn]),
      'ResourceNotFoundException', 'describe a deleted stream');
    const after = await awsCli(server.url, ['kinesisvideo', 'describe-media-storage-configuration',
      '--channel-name', 'cli-chan']);
    assert.equal(after.code, 0, after.err);
    assert.deepEqual(after.json.MediaStorageConfiguration, { Status: 'DISABLED' },
      'a deleted stream no longer stores the channel');
  });
});

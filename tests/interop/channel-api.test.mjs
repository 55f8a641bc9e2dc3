// The rest of the channel API with AWS's own clients, unchanged but for the
// endpoint and the credentials: @aws-sdk/client-kinesis-video
// (UpdateSignalingChannel, TagResource, UntagResource, ListTagsForResource,
// Tags on CreateSignalingChannel), @aws-sdk/client-kinesis-video-signaling
// (SendAlexaOfferToMaster), and the AWS CLI v2 (Debian's awscli,
// $KVS_AWS_CLI) for each of them, AWS's error names on bad input.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  awsCli, b64json, connectMaster, control, createChannel, fakeSdp,
  kvsClient, require, signalingRestClient, startServer, unb64json,
} from './lib/harness.mjs';

const {
  CreateSignalingChannelCommand,
  DescribeSignalingChannelCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSignalingChannelCommand,
} = require('@aws-sdk/client-kinesis-video');
const { SendAlexaOfferToMasterCommand } = require('@aws-sdk/client-kinesis-video-signaling');

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

async function expectError(promise, name, status, what) {
  const e = await rejection(promise, what);
  assert.equal(e.name, name, `${what}: ${e.name}: ${e.message}`);
  assert.equal(e.$metadata.httpStatusCode, status, what);
  assert.ok(e.message && e.message.length > 0, `${what}: a message`);
  return e;
}

function cliError(r, name, what) {
  assert.notEqual(r.code, 0, `${what} succeeded: ${r.out}`);
  assert.match(r.err, new RegExp(`An error occurred \\(${name}\\)`), `${what}: ${r.err}`);
}

describe('UpdateSignalingChannel with @aws-sdk/client-kinesis-video', () => {
  let server;
  let kv;
  before(async () => {
    server = await startServer(['--no-turn']);
    kv = kvsClient(server.url);
  });
  after(async () => {
    kv?.destroy();
    await server?.stop();
  });

  test('CurrentVersion checked, the new MessageTtlSeconds and Version reported', async () => {
    const arn = await createChannel(server.url, 'update-sdk', 60);
    const before = (await kv.send(new DescribeSignalingChannelCommand({ ChannelARN: arn }))).ChannelInfo;
    const out = await kv.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn, CurrentVersion: before.Version,
      SingleMasterConfiguration: { MessageTtlSeconds: 7 },
    }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const now = (await kv.send(new DescribeSignalingChannelCommand({ ChannelARN: arn }))).ChannelInfo;
    assert.equal(now.SingleMasterConfiguration.MessageTtlSeconds, 7);
    assert.notEqual(now.Version, before.Version, 'a new Version after the update');
    assert.equal(now.ChannelARN, arn);

    await expectError(kv.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn, CurrentVersion: before.Version,
      SingleMasterConfiguration: { MessageTtlSeconds: 8 },
    })), 'VersionMismatchException', 400, 'update with the old version');
    await expectError(kv.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn, CurrentVersion: now.Version,
      SingleMasterConfiguration: { MessageTtlSeconds: 121 },
    })), 'InvalidArgumentException', 400, 'MessageTtlSeconds 121');
    await expectError(kv.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn, SingleMasterConfiguration: { MessageTtlSeconds: 8 },
    })), 'InvalidArgumentException', 400, 'no CurrentVersion');
    await expectError(kv.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn.replace('/update-sdk/', '/update-none/'), CurrentVersion: now.Version,
    })), 'ResourceNotFoundException', 404, 'unknown channel');
    const still = (await kv.send(new DescribeSignalingChannelCommand({ ChannelARN: arn }))).ChannelInfo;
    assert.equal(still.SingleMasterConfiguration.MessageTtlSeconds, 7, 'failed updates change nothing');
    assert.equal(still.Version, now.Version);
  });

  test('the new MessageTtlSeconds is in force: a held message lives that long', async () => {
    const arn = await createChannel(server.url, 'update-ttl', 60);
    const { ChannelInfo } = await kv.send(new DescribeSignalingChannelCommand({ ChannelARN: arn }));
    await kv.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn, CurrentVersion: ChannelInfo.Version,
      SingleMasterConfiguration: { MessageTtlSeconds: 5 },
    }));
    // An offer for the absent master is held for the channel's TTL, and
    // SendAlexaOfferToMaster waits that long for an answer.
    const sig = signalingRestClient(server.url);
    const started = Date.now();
    const call = sig.send(new SendAlexaOfferToMasterCommand({
      ChannelARN: arn, SenderClientId: 'alexa-ttl', MessagePayload: b64json(fakeSdp('offer', 'ttl')),
    }));
    try {
      let held;
      for (let i = 0; i < 40 && !held; i++) {
        const q = await control(server.url, 'queues');
        held = q.json.channels.find((c) => c.channelArn === arn)?.recipients[0]?.messages[0];
        if (!held) {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assert.ok(held, 'the offer is held for the absent master');
      assert.equal(held.messageType, 'SDP_OFFER');
      assert.equal(held.senderClientId, 'alexa-ttl');
      assert.ok(held.expiresInMs <= 5000 && held.expiresInMs > 3000,
        `held for the updated 5 s, not 60 s: expiresInMs ${held.expiresInMs}`);
      const e = await expectError(call, 'ResourceNotFoundException', 404, 'no master answers');
      const waited = Date.now() - started;
      assert.ok(waited >= 4500 && waited < 9000, `answered after the 5 s TTL: ${waited} ms`);
      assert.match(e.message, /No master answered/);
    } finally {
      sig.destroy();
    }
  });
});

describe('tags with @aws-sdk/client-kinesis-video', () => {
  let server;
  let kv;
  before(async () => {
    server = await startServer(['--no-turn']);
    kv = kvsClient(server.url);
  });
  after(async () => {
    kv?.destroy();
    await server?.stop();
  });

  const tagsOf = async (arn) => (await kv.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags;

  test('Tags on create, TagResource adds and replaces, UntagResource removes', async () => {
    const { ChannelARN: arn } = await kv.send(new CreateSignalingChannelCommand({
      ChannelName: 'tags-sdk', Tags: [{ Key: 'team', Value: 'video' }, { Key: 'env', Value: '' }],
    }));
    assert.deepEqual(await tagsOf(arn), { team: 'video', env: '' });
    const out = await kv.send(new TagResourceCommand({
      ResourceARN: arn, Tags: [{ Key: 'team', Value: 'audio' }, { Key: 'cost:center/1', Value: 'a b+c=d@e' }],
    }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(await tagsOf(arn), { team: 'audio', env: '', 'cost:center/1': 'a b+c=d@e' });
    await kv.send(new UntagResourceCommand({ ResourceARN: arn, TagKeyList: ['env', 'absent'] }));
    assert.deepEqual(await tagsOf(arn), { team: 'audio', 'cost:center/1': 'a b+c=d@e' });
  });

  test('AWS\'s limits and errors', async () => {
    const arn = await createChannel(server.url, 'tags-limits');
    const many = (n, prefix) => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: 'v' }));
    await expectError(kv.send(new TagResourceCommand({ ResourceARN: arn, Tags: many(51, 'k') })),
      'InvalidArgumentException', 400, '51 tags in one call');
    await kv.send(new TagResourceCommand({ ResourceARN: arn, Tags: many(30, 'a') }));
    await expectError(kv.send(new TagResourceCommand({ ResourceARN: arn, Tags: many(21, 'b') })),
      'TagsPerResourceExceededLimitException', 400, '30 + 21 tags');
    assert.equal(Object.keys(await tagsOf(arn)).length, 30, 'the refused call added nothing');
    // replacing existing keys does not count against the limit
    await kv.send(new TagResourceCommand({ ResourceARN: arn, Tags: [...many(20, 'a'), ...many(20, 'c')] }));
    assert.equal(Object.keys(await tagsOf(arn)).length, 50);

    const bad = [
      [[], 'no tags'],
      [[{ Key: '', Value: 'v' }], 'empty key'],
      [[{ Key: 'k'.repeat(129), Value: 'v' }], 'key of 129 characters'],
      [[{ Key: 'k', Value: 'v'.repeat(257) }], 'value of 257 characters'],
      [[{ Key: 'bad#key', Value: 'v' }], 'key outside the pattern'],
      [[{ Key: 'k', Value: 'bad;value' }], 'value outside the pattern'],
      [[{ Key: 'aws:reserved', Value: 'v' }], 'aws: prefix'],
    ];
    for (const [tags, what] of bad) {
      await expectError(kv.send(new TagResourceCommand({ ResourceARN: arn, Tags: tags })),
        'InvalidArgumentException', 400, what);
    }
    await kv.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'ü'.repeat(128), Value: 'é'.repeat(256) }] })
    ).then(() => assert.fail('a 51st tag accepted'), (e) => assert.equal(e.name, 'TagsPerResourceExceededLimitException'));
    await expectError(kv.send(new UntagResourceCommand({ ResourceARN: arn, TagKeyList: [] })),
      'InvalidArgumentException', 400, 'untag no keys');
    await expectError(kv.send(new UntagResourceCommand({ ResourceARN: arn, TagKeyList: ['a1', 'bad#'] })),
      'InvalidArgumentException', 400, 'untag a bad key');
    assert.equal((await tagsOf(arn)).a1, 'v', 'a refused untag removes nothing');
    const unknown = arn.replace('/tags-limits/', '/tags-none/');
    await expectError(kv.send(new ListTagsForResourceCommand({ ResourceARN: unknown })),
      'ResourceNotFoundException', 404, 'list tags of an unknown channel');
    await expectError(kv.send(new TagResourceCommand({ ResourceARN: unknown, Tags: many(1, 'x') })),
      'ResourceNotFoundException', 404, 'tag an unknown channel');
    await expectError(kv.send(new UntagResourceCommand({ ResourceARN: unknown, TagKeyList: ['x'] })),
      'ResourceNotFoundException', 404, 'untag an unknown channel');
    await expectError(kv.send(new ListTagsForResourceCommand({ ResourceARN: 'not-an-arn' })),
      'InvalidArgumentException', 400, 'list tags of a malformed ARN');
    await expectError(kv.send(new CreateSignalingChannelCommand({ ChannelName: 'tags-bad', Tags: many(51, 'k') })),
      'InvalidArgumentException', 400, 'create with 51 tags');
    await expectError(kv.send(new DescribeSignalingChannelCommand({ ChannelName: 'tags-bad' })),
      'ResourceNotFoundException', 404, 'the refused create made no channel');
  });
});

describe('SendAlexaOfferToMaster with @aws-sdk/client-kinesis-video-signaling', () => {
  let server;
  before(async () => {
    server = await startServer(['--no-turn']);
  });
  after(async () => {
    await server?.stop();
  });

  test('the master gets a viewer\'s offer from SenderClientId; its answer is returned', async () => {
    const arn = await createChannel(server.url, 'alexa-sdk', 5);
    const master = await connectMaster(server.port, arn);
    const sig = signalingRestClient(server.url);
    try {
      const offer = b64json(fakeSdp('offer', 'alexa'));
      const answer = b64json(fakeSdp('answer', 'master'));
      const call = sig.send(new SendAlexaOfferToMasterCommand({
        ChannelARN: arn, SenderClientId: 'alexa-1', MessagePayload: offer,
      }));
      const frame = await master.next(3000, 'the relayed offer');
      assert.deepEqual(frame, { messageType: 'SDP_OFFER', messagePayload: offer, senderClientId: 'alexa-1' });
      // a newer offer of the same sender (a client that gave up and
      // retries) replaces the waiting one, which gets an error
      const offer2 = b64json(fakeSdp('offer', 'alexa-retry'));
      const call2 = sig.send(new SendAlexaOfferToMasterCommand({
        ChannelARN: arn, SenderClientId: 'alexa-1', MessagePayload: offer2,
      }));
      await expectError(call, 'ClientLimitExceededException', 400, 'the replaced offer');
      assert.equal((await master.next(3000, 'the newer offer')).messagePayload, offer2);
      master.send({ action: 'SDP_ANSWER', recipientClientId: 'alexa-1', messagePayload: answer });
      const out = await call2;
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.Answer, answer);
      assert.equal(unb64json(out.Answer).type, 'answer');
    } finally {
      sig.destroy();
      master.close();
    }
  });

  test('a channel deleted while an offer waits: ResourceNotFoundException at once', async () => {
    const arn = await createChannel(server.url, 'alexa-deleted', 60);
    const sig = signalingRestClient(server.url);
    const kv = kvsClient(server.url);
    try {
      const started = Date.now();
      const call = sig.send(new SendAlexaOfferToMasterCommand({
        ChannelARN: arn, SenderClientId: 'alexa-gone', MessagePayload: b64json(fakeSdp('offer', 'gone')),
      }));
      const { DeleteSignalingChannelCommand } = require('@aws-sdk/client-kinesis-video');
      await new Promise((r) => setTimeout(r, 200));
      await kv.send(new DeleteSignalingChannelCommand({ ChannelARN: arn }));
      const e = await expectError(call, 'ResourceNotFoundException', 404, 'the channel deleted');
      assert.match(e.message, /deleted/);
      assert.ok(Date.now() - started < 5000, 'answered when the channel went, not after the TTL');
    } finally {
      sig.destroy();
      kv.destroy();
    }
  });

  test('bad input gets AWS\'s errors', async () => {
    const arn = await createChannel(server.url, 'alexa-bad', 5);
    const sig = signalingRestClient(server.url);
    const offer = b64json(fakeSdp('offer', 'x'));
    try {
      await expectError(sig.send(new SendAlexaOfferToMasterCommand({
        ChannelARN: arn, SenderClientId: 'has space', MessagePayload: offer,
      })), 'InvalidArgumentException', 400, 'SenderClientId with a space');
      await expectError(sig.send(new SendAlexaOfferToMasterCommand({
        ChannelARN: arn, SenderClientId: 'a', MessagePayload: 'not base64!',
      })), 'InvalidArgumentException', 400, 'payload not base64');
      await expectError(sig.send(new SendAlexaOfferToMasterCommand({
        ChannelARN: arn, SenderClientId: 'a', MessagePayload: 'A'.repeat(10001),
      })), 'InvalidArgumentException', 400, 'payload of 10001 characters');
      await expectError(sig.send(new SendAlexaOfferToMasterCommand({
        ChannelARN: arn, MessagePayload: offer,
      })), 'InvalidArgumentException', 400, 'no SenderClientId');
      await expectError(sig.send(new SendAlexaOfferToMasterCommand({
        ChannelARN: arn.replace('/alexa-bad/', '/alexa-none/'), SenderClientId: 'a', MessagePayload: offer,
      })), 'ResourceNotFoundException', 404, 'unknown channel');
    } finally {
      sig.destroy();
    }
  });
});

describe('the AWS CLI v2 (Debian awscli) on the new operations', () => {
  let server;
  before(async () => {
    server = await startServer(['--no-turn']);
  });
  after(async () => {
    await server?.stop();
  });

  test('update-signaling-channel, tags, send-alexa-offer-to-master, errors', async () => {
    const url = server.url;
    let r = await awsCli(url, ['kinesisvideo', 'create-signaling-channel', '--channel-name', 'cli',
      '--single-master-configuration', 'MessageTtlSeconds=5', '--tags', 'Key=team,Value=video']);
    assert.equal(r.code, 0, r.err);
    const arn = r.json.ChannelARN;
    r = await awsCli(url, ['kinesisvideo', 'list-tags-for-resource', '--resource-arn', arn]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json.Tags, { team: 'video' });
    r = await awsCli(url, ['kinesisvideo', 'tag-resource', '--resource-arn', arn,
      '--tags', 'Key=site,Value=lab', 'Key=team,Value=audio']);
    assert.equal(r.code, 0, r.err);
    r = await awsCli(url, ['kinesisvideo', 'untag-resource', '--resource-arn', arn, '--tag-key-list', 'site']);
    assert.equal(r.code, 0, r.err);
    r = await awsCli(url, ['kinesisvideo', 'list-tags-for-resource', '--resource-arn', arn]);
    assert.deepEqual(r.json.Tags, { team: 'audio' });
    r = await awsCli(url, ['kinesisvideo', 'tag-resource', '--resource-arn', arn, '--tags', 'Key=bad#,Value=x']);
    cliError(r, 'InvalidArgumentException', 'tag-resource with a bad key');

    r = await awsCli(url, ['kinesisvideo', 'describe-signaling-channel', '--channel-arn', arn]);
    const version = r.json.ChannelInfo.Version;
    r = await awsCli(url, ['kinesisvideo', 'update-signaling-channel', '--channel-arn', arn,
      '--current-version', version, '--single-master-configuration', 'MessageTtlSeconds=6']);
    assert.equal(r.code, 0, r.err);
    r = await awsCli(url, ['kinesisvideo', 'describe-signaling-channel', '--channel-arn', arn]);
    assert.equal(r.json.ChannelInfo.SingleMasterConfiguration.MessageTtlSeconds, 6);
    r = await awsCli(url, ['kinesisvideo', 'update-signaling-channel', '--channel-arn', arn,
      '--current-version', version, '--single-master-configuration', 'MessageTtlSeconds=7']);
    cliError(r, 'VersionMismatchException', 'update with the old version');

    const master = await connectMaster(server.port, arn);
    try {
      const offer = b64json(fakeSdp('offer', 'cli'));
      const answer = b64json(fakeSdp('answer', 'cli-master'));
      const call = awsCli(url, ['kinesis-video-signaling', 'send-alexa-offer-to-master',
        '--channel-arn', arn, '--sender-client-id', 'alexa-cli', '--message-payload', offer]);
      const frame = await master.next(10000, 'the offer of the CLI');
      assert.equal(frame.senderClientId, 'alexa-cli');
      assert.equal(frame.messagePayload, offer);
      master.send({ action: 'SDP_ANSWER', recipientClientId: 'alexa-cli', messagePayload: answer });
      r = await call;
      assert.equal(r.code, 0, r.err);
      assert.equal(r.json.Answer, answer);
    } finally {
      master.close();
    }
    r = await awsCli(url, ['kinesis-video-signaling', 'send-alexa-offer-to-master',
      '--channel-arn', arn.replace('/cli/', '/cli-none/'), '--sender-client-id', 'a',
      '--message-payload', 'AAAA']);
    cliError(r, 'ResourceNotFoundException', 'send-alexa-offer-to-master to an unknown channel');
  });
});

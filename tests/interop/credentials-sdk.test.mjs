// Judge of the service's credential emulation (issue 15) with AWS's SDK for
// JavaScript v3: @aws-sdk/credential-providers (pinned) obtains credentials
// from each emulated source, configured by AWS's own environment variables
// and files with only endpoint settings pointing at the service, and
// @aws-sdk/client-kinesis-video uses them for DescribeSignalingChannel.
// This judge covers the endpoint settings Debian's botocore 1.29 predates
// (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO, the token file of EKS Pod
// Identity); credentials-botocore.py judges with botocore and awscli.
// The IoT credentials provider has no JavaScript client: tests/server/server_iot.c.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CREDENTIALS, REGION, control, kvsClient, plainWsSigner, require, startServer,
} from './lib/harness.mjs';

const {
  fromContainerMetadata, fromHttp, fromInstanceMetadata, fromSSO, fromTemporaryCredentials,
  fromTokenFile, fromIni,
} = require('@aws-sdk/credential-providers');
const { DescribeSignalingChannelCommand } = require('@aws-sdk/client-kinesis-video');
const { SignalingClient, Role } = require('amazon-kinesis-video-streams-webrtc');

const CHANNEL = 'sdk-judge-channel';
const ROLE = 'arn:aws:iam::123456789012:role/kvs-sdk-judge';

// Runs fn with these environment variables set (undefined: unset), then
// puts the environment back.
async function withEnv(vars, fn) {
  const saved = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) {
      delete process.env[k];
    } else {
      process.env[k] = v;
    }
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  }
}

describe('@aws-sdk/credential-providers against the emulated credential sources', () => {
  let server;
  let dir;
  before(async () => {
    server = await startServer([
      '--create-channel', CHANNEL, '--emulate-credentials', '--viewer-dir', 'none',
      '--container-token', 'sdk-container-token', '--sso-token', 'sdk-sso-token',
      '--web-identity-token', 'sdk-oidc-token',
    ]);
    dir = mkdtempSync(join(tmpdir(), 'kvs-sdk-judge-'));
  });
  after(async () => {
    await server?.stop();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The provider's credentials, checked and used on the service.
  async function describeWith(provider, env = {}) {
    const creds = await withEnv(env, () => provider());
    assert.match(creds.accessKeyId, /^ASIA/);
    assert.ok(creds.sessionToken);
    assert.ok(creds.expiration instanceof Date, 'credentials carry their expiry');
    assert.ok(creds.expiration.getTime() > Date.now());
    const kv = kvsClient(server.url, creds);
    let out;
    try {
      out = await kv.send(new DescribeSignalingChannelCommand({ ChannelName: CHANNEL }));
      assert.equal(out.ChannelInfo.ChannelName, CHANNEL);
    } finally {
      kv.destroy();
    }
    creds.channelARN = out.ChannelInfo.ChannelARN;
    return creds;
  }

  // AWS's SignalingClient presigns the WebSocket with @creds (session token
  // in the query): resolves 'open' or 'error'.
  async function connectMaster(creds) {
    const client = new SignalingClient({
      channelARN: creds.channelARN,
      channelEndpoint: server.url.replace(/^http:/, 'ws:'),
      role: Role.MASTER,
      region: REGION,
      credentials: creds,
      requestSigner: plainWsSigner(REGION, creds),
    });
    const result = new Promise((resolve) => {
      client.on('open', () => resolve('open'));
      client.on('error', (e) => { client.lastError = e; resolve('error'); });
      setTimeout(() => resolve('timeout'), 5000).unref();
    });
    client.open();
    const r = await result;
    if (r !== 'open') {
      console.log(`SignalingClient: ${r} ${client.lastError?.message ?? ''}`);
    }
    if (r === 'open') {
      const closed = once(client, 'close');
      client.close();
      await closed;
    }
    return r;
  }

  test('@aws-sdk/credential-providers fromTemporaryCredentials: STS AssumeRole via AWS_ENDPOINT_URL_STS', async () => {
    await describeWith(fromTemporaryCredentials({
      masterCredentials: CREDENTIALS,
      params: { RoleArn: ROLE, RoleSessionName: 'sdk-judge' },
      clientConfig: { region: REGION },
    }), { AWS_ENDPOINT_URL_STS: server.url });
  });

  test('@aws-sdk/credential-providers fromIni: role_arn + source_profile (STS AssumeRole) via AWS_ENDPOINT_URL_STS', async () => {
    const config = join(dir, 'config-role');
    const credentials = join(dir, 'credentials-role');
    writeFileSync(config, `[profile kvs-role]\nrole_arn = ${ROLE}\nsource_profile = base\n` +
      `region = ${REGION}\n`);
    writeFileSync(credentials, `[base]\naws_access_key_id = ${CREDENTIALS.accessKeyId}\n` +
      `aws_secret_access_key = ${CREDENTIALS.secretAccessKey}\n`);
    await describeWith(fromIni({ profile: 'kvs-role', clientConfig: { region: REGION } }), {
      AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_ENDPOINT_URL_STS: server.url,
    });
  });

  test('@aws-sdk/credential-providers fromTokenFile: STS AssumeRoleWithWebIdentity via AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ENDPOINT_URL_STS', async () => {
    const file = join(dir, 'web-identity-token');
    writeFileSync(file, 'sdk-oidc-token');
    await describeWith(fromTokenFile({ clientConfig: { region: REGION } }), {
      AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: ROLE,
      AWS_ROLE_SESSION_NAME: 'sdk-web', AWS_ENDPOINT_URL_STS: server.url,
    });
  });

  test('@aws-sdk/credential-providers fromTokenFile: an unknown web identity token is refused (InvalidIdentityToken)', async () => {
    const file = join(dir, 'bad-web-identity-token');
    writeFileSync(file, 'another-oidc-token');
    await assert.rejects(withEnv({
      AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: ROLE,
      AWS_ROLE_SESSION_NAME: 'sdk-web', AWS_ENDPOINT_URL_STS: server.url,
    }, () => fromTokenFile({ clientConfig: { region: REGION, maxAttempts: 1 } })()),
    (e) => e.name === 'InvalidIdentityTokenException' || e.name === 'InvalidIdentityToken');
  });

  test('@aws-sdk/credential-providers fromInstanceMetadata: IMDSv2 via AWS_EC2_METADATA_SERVICE_ENDPOINT', async () => {
    await describeWith(fromInstanceMetadata({ timeout: 2000, maxRetries: 0 }), {
      AWS_EC2_METADATA_DISABLED: 'false', AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url,
      AWS_EC2_METADATA_V1_DISABLED: 'true',
    });
  });

  test('@aws-sdk/credential-providers fromContainerMetadata: ECS via AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN', async () => {
    await describeWith(fromContainerMetadata({ timeout: 2000, maxRetries: 0 }), {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/v2/credentials/sdk-task`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'sdk-container-token',
    });
  });

  test('@aws-sdk/credential-providers fromHttp: EKS Pod Identity via AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', async () => {
    const file = join(dir, 'eks-pod-identity-token');
    writeFileSync(file, 'sdk-container-token');
    await describeWith(fromHttp({ timeout: 2000, maxRetries: 0 }), {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined,
    });
  });

  test('@aws-sdk/credential-providers fromHttp: a wrong container authorization token gets no credentials', async () => {
    await assert.rejects(withEnv({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'wrong-token',
    }, () => fromHttp({ timeout: 2000, maxRetries: 0 })()));
  });

  test('@aws-sdk/credential-providers fromSSO: sso_session profile, the token cache, GetRoleCredentials via AWS_ENDPOINT_URL_SSO', async () => {
    const home = join(dir, 'home');
    const cache = join(home, '.aws', 'sso', 'cache');
    mkdirSync(cache, { recursive: true });
    const config = join(dir, 'config-sso');
    writeFileSync(config, '[profile kvs-sso]\nsso_session = kvs\nsso_account_id = 123456789012\n' +
      `sso_role_name = kvs-sso-role\nregion = ${REGION}\n\n[sso-session kvs]\n` +
      `sso_start_url = https://kvs-test.awsapps.com/start\nsso_region = ${REGION}\n`);
    const name = createHash('sha1').update('kvs').digest('hex');
    writeFileSync(join(cache, `${name}.json`), JSON.stringify({
      startUrl: 'https://kvs-test.awsapps.com/start', region: REGION,
      accessToken: 'sdk-sso-token',
      expiresAt: new Date(Date.now() + 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    }));
    await describeWith(fromSSO({ profile: 'kvs-sso' }), {
      HOME: home, AWS_CONFIG_FILE: config, AWS_ENDPOINT_URL_SSO: server.url,
    });
  });

  test('@aws-sdk/client-kinesis-video + SignalingClient: vended credentials work on REST and the WebSocket, then get ExpiredTokenException once expired', async () => {
    const creds = await describeWith(fromTemporaryCredentials({
      masterCredentials: CREDENTIALS,
      params: { RoleArn: ROLE, RoleSessionName: 'sdk-expiry' },
      clientConfig: { region: REGION },
    }), { AWS_ENDPOINT_URL_STS: server.url });
    assert.equal(await connectMaster(creds), 'open',
      'SignalingClient connects with the vended credentials');
    const r = await control(server.url, 'expire-credentials', {});
    assert.equal(r.status, 200);
    assert.ok(r.json.affected >= 1);
    const kv = kvsClient(server.url, creds);
    try {
      await assert.rejects(kv.send(new DescribeSignalingChannelCommand({ ChannelName: CHANNEL })),
        (e) => e.name === 'ExpiredTokenException' && e.$metadata.httpStatusCode === 403);
    } finally {
      kv.destroy();
    }
    assert.equal(await connectMaster(creds), 'error',
      'SignalingClient is refused with expired credentials');
  });
});

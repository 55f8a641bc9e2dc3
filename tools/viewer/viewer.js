// Browser viewer of kvs-signaling-server, built on AWS's own JavaScript SDKs.
//
// The flow is the one of AWS's KVS WebRTC test page, as a VIEWER:
// DescribeSignalingChannel -> GetSignalingChannelEndpoint(VIEWER) ->
// GetIceServerConfig (REST, SigV4 by @aws-sdk/client-kinesis-video{,-signaling})
// -> SignalingClient (amazon-kinesis-video-streams-webrtc) as VIEWER, a
// recvonly RTCPeerConnection with trickle ICE. The REST endpoint is this
// page's own origin: the server that serves the page is the service.
//
// window.kvsViewer exposes the state for people (devtools) and for tests:
//   state: idle | describing | endpoints | ice-config | connecting |
//          offer-sent | answered | connected | playing | failed | stopped
//   framesDecoded (inbound-rtp getStats), audioPacketsReceived and
//   audioCodec (inbound-rtp audio, with audio=1), framesPresented
//   (requestVideoFrameCallback), videoWidth, videoHeight, iceConnectionState,
//   connectionState, channelARN, clientId, signerCrypto, errors[], log[],
//   start(), stop().
// Secrets (secret key, session token, signatures) are never logged.

import {
  DescribeSignalingChannelCommand,
  GetSignalingChannelEndpointCommand,
  KinesisVideoClient,
} from '@aws-sdk/client-kinesis-video';
import {
  GetIceServerConfigCommand,
  KinesisVideoSignalingClient,
} from '@aws-sdk/client-kinesis-video-signaling';
import {
  Role,
  SigV4RequestSigner,
  SignalingClient,
} from 'amazon-kinesis-video-streams-webrtc';
import { usesNativeSubtle } from './webcrypto.js';

const STATS_INTERVAL_MS = 500;
const ANSWER_HINT_MS = 10000;
const CLIENT_ID_RE = /^[a-zA-Z0-9_.-]{1,256}$/;
const PARAM_NAMES = ['channel', 'region', 'clientId', 'accessKeyId', 'secretAccessKey',
  'sessionToken', 'audio'];

const $ = (id) => document.getElementById(id);

const status = {
  state: 'idle',
  framesDecoded: 0,
  audioPacketsReceived: 0,
  audioCodec: null,
  framesPresented: 0,
  videoWidth: 0,
  videoHeight: 0,
  iceConnectionState: 'new',
  connectionState: 'new',
  channelARN: null,
  clientId: null,
  wssEndpoint: null,
  httpsEndpoint: null,
  iceServerCount: 0,
  // How AWS's WebSocket signer hashes: the browser's WebCrypto (a secure
  // context: https or localhost) or the SDK's JavaScript SHA-256.
  signerCrypto: usesNativeSubtle ? 'webcrypto' : 'javascript',
  errors: [],
  log: [],
};
window.kvsViewer = status;

let session = null;

function log(message) {
  const line = `${new Date().toISOString().slice(11, 23)} ${message}`;
  status.log.push(line);
  if (status.log.length > 500) {
    status.log.splice(0, status.log.length - 500);
  }
  const el = $('log');
  el.textContent += line + '\n';
  el.scrollTop = el.scrollHeight;
  console.log('[kvs-viewer]', message);
}

function setState(state) {
  if (status.state === state) {
    return;
  }
  status.state = state;
  const el = $('status');
  el.textContent = state;
  el.className = state;
  log(`state: ${state}`);
}

function describeError(err) {
  if (!err) {
    return 'unknown error';
  }
  // AWS SDK v3 errors carry the AWS error name (x-amzn-ErrorType) and the
  // HTTP status; say both, as AWS spells them.
  const name = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  const code = err.$metadata && err.$metadata.httpStatusCode
    ? ` (HTTP ${err.$metadata.httpStatusCode})` : '';
  return `${name}${err.message || String(err)}${code}`;
}

// Reports the error, ends the session (the state stays 'failed'); the form
// can start a new one.
function fail(what, err) {
  const message = `${what}: ${describeError(err)}`;
  status.errors.push(message);
  log(`error: ${message}`);
  setState('failed');
  stop();
}

// Parameters from the query string, then the fragment (which wins: secrets
// belong there, as the fragment is never sent to the server).
function readParams() {
  const out = {};
  const sources = [
    new URLSearchParams(window.location.search),
    new URLSearchParams(window.location.hash.replace(/^#/, '')),
  ];
  for (const params of sources) {
    for (const name of PARAM_NAMES) {
      if (params.has(name)) {
        out[name] = params.get(name);
      }
    }
  }
  return out;
}

function randomClientId() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return 'viewer-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function formSettings() {
  return {
    channel: $('channel').value.trim(),
    region: $('region').value.trim() || 'us-east-1',
    clientId: $('clientId').value.trim(),
    accessKeyId: $('accessKeyId').value.trim(),
    secretAccessKey: $('secretAccessKey').value,
    sessionToken: $('sessionToken').value || undefined,
    audio: $('audio').checked,
  };
}

// AWS's signer only signs wss:// URLs. The local service is plain ws:// unless
// it runs with --tls-cert: sign as wss:// and put the scheme back (the scheme
// is not part of what SigV4 signs).
class PlainWebSocketSigner {
  constructor(region, credentials) {
    this.signer = new SigV4RequestSigner(region, credentials);
  }

  async getSignedURL(endpoint, queryParams, date) {
    if (!endpoint.startsWith('ws://')) {
      return this.signer.getSignedURL(endpoint, queryParams, date);
    }
    const signed = await this.signer.getSignedURL('wss://' + endpoint.slice(5), queryParams, date);
    return 'ws://' + signed.slice(6);
  }
}

function updateVideoSize(video) {
  status.videoWidth = video.videoWidth;
  status.videoHeight = video.videoHeight;
}

function watchFrames(s, video) {
  if (typeof video.requestVideoFrameCallback !== 'function') {
    return;
  }
  const onFrame = () => {
    if (s.stopped) {
      return;
    }
    status.framesPresented++;
    updateVideoSize(video);
    if (status.state === 'connected') {
      setState('playing');
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

async function pollStats(s) {
  if (s.stopped || !s.pc) {
    return;
  }
  try {
    const report = await s.pc.getStats();
    report.forEach((stat) => {
      if (stat.type === 'inbound-rtp' && (stat.kind === 'video' || stat.mediaType === 'video')) {
        status.framesDecoded = stat.framesDecoded || 0;
      }
      if (stat.type === 'inbound-rtp' && (stat.kind === 'audio' || stat.mediaType === 'audio')) {
        status.audioPacketsReceived = stat.packetsReceived || 0;
        const codec = stat.codecId && report.get(stat.codecId);
        status.audioCodec = codec ? `${codec.mimeType}/${codec.payloadType}` : null;
      }
    });
    $('frames').textContent = String(status.framesDecoded);
    if (status.framesDecoded > 0 && status.state === 'connected') {
      setState('playing');
    }
  } catch (err) {
    log(`getStats failed: ${describeError(err)}`);
  }
}

function stop() {
  const s = session;
  session = null;
  if (!s) {
    return;
  }
  s.stopped = true;
  clearInterval(s.statsTimer);
  clearTimeout(s.answerTimer);
  if (s.signalingClient) {
    s.signalingClient.close();
  }
  if (s.pc) {
    s.pc.close();
  }
  $('video').srcObject = null;
  $('start').disabled = false;
  $('stop').disabled = true;
  if (status.state !== 'failed') {
    setState('stopped');
  }
}

async function start(settings) {
  stop();
  status.errors = [];
  status.framesDecoded = 0;
  status.audioPacketsReceived = 0;
  status.audioCodec = null;
  status.framesPresented = 0;
  if (!settings.channel) {
    fail('settings', new Error('the channel name is missing (?channel=NAME)'));
    return;
  }
  if (!settings.accessKeyId || !settings.secretAccessKey) {
    fail('settings', new Error('the access key id and the secret access key are missing: ' +
      'use the keys kvs-signaling-server was started with (any non-empty value with --no-auth)'));
    return;
  }
  const clientId = settings.clientId || randomClientId();
  if (!CLIENT_ID_RE.test(clientId) || clientId.startsWith('AWS_')) {
    fail('settings', new Error(`client id '${clientId}' must be 1 to 256 characters ` +
      "of [a-zA-Z0-9_.-] and must not start with AWS_"));
    return;
  }
  status.clientId = clientId;

  const s = {
    stopped: false, pc: null, signalingClient: null, statsTimer: null, answerTimer: null,
  };
  session = s;
  $('start').disabled = true;
  $('stop').disabled = false;

  const region = settings.region;
  const credentials = {
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    sessionToken: settings.sessionToken,
  };
  const endpoint = window.location.origin;
  log(`channel '${settings.channel}', region ${region}, client id '${clientId}', ` +
    `service ${endpoint}`);

  let kinesisVideo;
  let channelARN;
  let wssEndpoint;
  let httpsEndpoint;
  try {
    kinesisVideo = new KinesisVideoClient({ region, credentials, endpoint });
    setState('describing');
    const described = await kinesisVideo.send(
      new DescribeSignalingChannelCommand({ ChannelName: settings.channel }));
    channelARN = described.ChannelInfo.ChannelARN;
    status.channelARN = channelARN;
    log(`channel ARN ${channelARN}`);

    setState('endpoints');
    const endpoints = await kinesisVideo.send(new GetSignalingChannelEndpointCommand({
      ChannelARN: channelARN,
      SingleMasterChannelEndpointConfiguration: {
        Protocols: ['WSS', 'HTTPS'],
        Role: Role.VIEWER,
      },
    }));
    for (const e of endpoints.ResourceEndpointList) {
      if (e.Protocol === 'WSS') {
        wssEndpoint = e.ResourceEndpoint;
      } else if (e.Protocol === 'HTTPS') {
        httpsEndpoint = e.ResourceEndpoint;
      }
    }
    if (!wssEndpoint || !httpsEndpoint) {
      throw new Error('GetSignalingChannelEndpoint returned no WSS or no HTTPS endpoint');
    }
    status.wssEndpoint = wssEndpoint;
    status.httpsEndpoint = httpsEndpoint;
    log(`endpoints: WSS ${wssEndpoint}, HTTPS ${httpsEndpoint}`);
  } catch (err) {
    if (!s.stopped) {
      fail('control plane', err);
    }
    return;
  }
  if (s.stopped) {
    return;
  }

  const iceServers = [];
  try {
    setState('ice-config');
    const signaling = new KinesisVideoSignalingClient({
      region, credentials, endpoint: httpsEndpoint,
    });
    const ice = await signaling.send(new GetIceServerConfigCommand({
      ChannelARN: channelARN,
      ClientId: clientId,
    }));
    for (const server of ice.IceServerList || []) {
      iceServers.push({
        urls: server.Uris,
        username: server.Username,
        credential: server.Password,
      });
    }
    status.iceServerCount = iceServers.length;
    log(`${iceServers.length} ICE server set(s) from GetIceServerConfig`);
  } catch (err) {
    if (!s.stopped) {
      fail('GetIceServerConfig', err);
    }
    return;
  }
  if (s.stopped) {
    return;
  }

  const pc = new RTCPeerConnection({ iceServers });
  s.pc = pc;
  const video = $('video');
  pc.addTransceiver('video', { direction: 'recvonly' });
  if (settings.audio) {
    pc.addTransceiver('audio', { direction: 'recvonly' });
  }
  pc.addEventListener('iceconnectionstatechange', () => {
    status.iceConnectionState = pc.iceConnectionState;
    log(`ICE connection state: ${pc.iceConnectionState}`);
  });
  pc.addEventListener('connectionstatechange', () => {
    status.connectionState = pc.connectionState;
    log(`peer connection state: ${pc.connectionState}`);
    if (pc.connectionState === 'connected' && ['offer-sent', 'answered'].includes(status.state)) {
      setState('connected');
    } else if (pc.connectionState === 'failed') {
      fail('WebRTC', new Error('the peer connection failed (no ICE candidate pair worked)'));
    }
  });
  pc.addEventListener('track', (event) => {
    log(`remote ${event.track.kind} track`);
    if (!video.srcObject) {
      video.srcObject = event.streams[0] || new MediaStream();
    }
    if (!video.srcObject.getTracks().includes(event.track)) {
      video.srcObject.addTrack(event.track);
    }
  });
  video.addEventListener('resize', () => updateVideoSize(video));
  watchFrames(s, video);

  const signalingClient = new SignalingClient({
    channelARN,
    channelEndpoint: wssEndpoint,
    clientId,
    role: Role.VIEWER,
    region,
    credentials,
    requestSigner: new PlainWebSocketSigner(region, credentials),
    systemClockOffset: kinesisVideo.config.systemClockOffset,
  });
  s.signalingClient = signalingClient;

  signalingClient.on('open', async () => {
    if (s.stopped) {
      return;
    }
    log('signaling WebSocket open');
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      signalingClient.sendSdpOffer(pc.localDescription);
      setState('offer-sent');
      s.answerTimer = setTimeout(() => {
        if (!s.stopped && status.state === 'offer-sent') {
          log(`no answer after ${ANSWER_HINT_MS / 1000} s: is a master connected to ` +
            `channel '${settings.channel}'? (the service holds the offer for the ` +
            "channel's message TTL, so a master that connects soon still gets it)");
        }
      }, ANSWER_HINT_MS);
    } catch (err) {
      fail('SDP offer', err);
    }
  });
  signalingClient.on('sdpAnswer', async (answer) => {
    if (s.stopped) {
      return;
    }
    log('SDP answer received');
    try {
      await pc.setRemoteDescription(answer);
      if (status.state === 'offer-sent') {
        setState('answered');
      }
    } catch (err) {
      fail('SDP answer', err);
    }
  });
  signalingClient.on('iceCandidate', (candidate) => {
    if (s.stopped) {
      return;
    }
    log(`remote ICE candidate: ${candidate.candidate}`);
    pc.addIceCandidate(candidate).catch((err) => {
      log(`remote ICE candidate refused: ${describeError(err)}`);
    });
  });
  signalingClient.on('statusResponse', (response) => {
    const message = `STATUS_RESPONSE ${response.errorType || ''} ` +
      `${response.statusCode || ''} ${response.description || ''}`.trim();
    status.errors.push(message);
    log(message);
  });
  signalingClient.on('close', () => {
    log('signaling WebSocket closed');
  });
  signalingClient.on('error', (err) => {
    if (!s.stopped) {
      fail('signaling', err);
    }
  });

  pc.addEventListener('icecandidate', ({ candidate }) => {
    if (s.stopped) {
      return;
    }
    if (candidate) {
      log(`local ICE candidate: ${candidate.candidate}`);
      signalingClient.sendIceCandidate(candidate);
    } else {
      log('local ICE gathering complete');
    }
  });

  s.statsTimer = setInterval(() => pollStats(s), STATS_INTERVAL_MS);
  setState('connecting');
  signalingClient.open();
}

status.start = (overrides = {}) => start({ ...formSettings(), ...overrides });
status.stop = stop;

function init() {
  const params = readParams();
  for (const name of ['channel', 'region', 'clientId', 'accessKeyId', 'secretAccessKey',
    'sessionToken']) {
    if (params[name] !== undefined) {
      $(name).value = params[name];
    }
  }
  if (params.audio !== undefined) {
    $('audio').checked = !['0', 'false', 'no', 'off'].includes(params.audio.toLowerCase());
  }
  $('settings').addEventListener('submit', (event) => {
    event.preventDefault();
    status.start();
  });
  $('stop').addEventListener('click', stop);
  if (params.channel && params.accessKeyId && params.secretAccessKey) {
    status.start();
  }
}

init();

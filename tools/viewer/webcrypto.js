// Stands in for the `isomorphic-webcrypto` package in the browser bundle.
//
// AWS's SigV4RequestSigner (amazon-kinesis-video-streams-webrtc) signs the
// WebSocket URL with crypto.subtle, which browsers only offer in a secure
// context: https://, or http:// on localhost/127.0.0.1. The local service is
// usually plain http://, and may be reached on another address (a LAN IP, a
// test network namespace). There crypto.subtle is missing, so the signer's
// SHA-256 and HMAC-SHA-256 fall back to the pure-JavaScript SHA-256 of AWS's
// JS SDK v3 (@smithy/core), the one the SDK's own REST signer falls back to.
// Only the three calls the signer makes are provided.

import { Sha256Js } from '@smithy/core/checksum';

const native = globalThis.crypto && globalThis.crypto.subtle;

async function sha256(key, data) {
  const hash = new Sha256Js(key);
  hash.update(new Uint8Array(data));
  const digest = await hash.digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength);
}

const fallbackSubtle = {
  digest(algorithm, data) {
    return sha256(undefined, data);
  },
  importKey(format, keyData) {
    return Promise.resolve({ raw: new Uint8Array(keyData).slice() });
  },
  sign(algorithm, key, data) {
    return sha256(key.raw, data);
  },
};

export const usesNativeSubtle = Boolean(native);

export default {
  subtle: native || fallbackSubtle,
  getRandomValues: (array) => globalThis.crypto.getRandomValues(array),
};

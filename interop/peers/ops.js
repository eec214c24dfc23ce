'use strict';
// The ops of the peer protocol that a libsignal-backed peer offers, in terms
// of a backend. The backend sees validated parameters (Buffers, numbers,
// camelCase) and reports failures as ProtocolErrors; this module reads the
// requests and writes the results.

const {
  PROTOCOL_OPS,
  hexField,
  optionalHexField,
  intField,
  optionalIntField,
  stringField,
  addressField,
  messageTypeField,
  optionalBoolField,
  choicesField,
  bundleField,
  bundleJson,
} = require('./protocol');

const hex = (bytes) => Buffer.from(bytes).toString('hex');

/**
 * @typedef {object} Backend
 * @property {number[]} sessionVersions the session versions it speaks
 * @property {() => boolean} initialised whether `init` has run
 * @property {(params: object) => Promise<Buffer>} init returns the identity key
 * @property {(message: Buffer) => Promise<Buffer>} sign
 * @property {(publicKey: Buffer, message: Buffer, signature: Buffer) => Promise<boolean>} verify
 * @property {(ids: object) => Promise<object>} prekeyBundle
 * @property {(peer: object, bundle: object) => Promise<void>} processBundle
 * @property {(peer: object, identityKey: Buffer) => Promise<void>} trust
 * @property {(peer: object, plaintext: Buffer) => Promise<{type: string, ciphertext: Buffer}>} encrypt
 * @property {(peer: object, type: string, ciphertext: Buffer) => Promise<Buffer>} decrypt
 * @property {(peer: object) => Promise<void>} [archiveSession] (1.1)
 * @property {(peer: object) => Promise<void>} [deleteSession] (1.1)
 * @property {(peer: object, now: number, require: string[]) => Promise<boolean>} [sessionUsable] (1.1)
 * @property {(peer: object, type: string, ciphertext: Buffer, timestamp: number) => Promise<Buffer>} [retryRequest]
 *   the PlaintextContent a device sends back for a message it could not decrypt (peer protocol 1.1)
 * @property {(content: Buffer) => Promise<{timestamp: number, deviceId: number, ratchetKey: Buffer|null}>}
 *   [readRetryRequest] what such a PlaintextContent says
 */

/**
 * Builds the op table for `backend`.
 * @param {Backend} backend
 * @returns {Map<string, {handler: Function, requiresInit: boolean}>}
 */
function makeOps(backend) {
  const ops = new Map();
  const define = (name, handler, requiresInit = true) => ops.set(name, { handler, requiresInit });

  define('init', async (request) => {
    const identityKey = await backend.init({
      name: stringField(request, 'name'),
      deviceId: intField(request, 'device_id'),
      registrationId: intField(request, 'registration_id'),
      identityPrivate: optionalHexField(request, 'identity_private'),
    });
    return { identity_key: hex(identityKey) };
  }, false);

  define('sign', async (request) => ({
    signature: hex(await backend.sign(hexField(request, 'message'))),
  }));

  define('verify', async (request) => ({
    valid: await backend.verify(hexField(request, 'public_key'), hexField(request, 'message'),
      hexField(request, 'signature')),
  }), false);

  define('capabilities', async () => ({
    ops: ['quit', ...PROTOCOL_OPS.filter((name) => ops.has(name))],
    session_versions: backend.sessionVersions,
  }), false);

  define('prekey_bundle', async (request) => ({
    bundle: bundleJson(await backend.prekeyBundle({
      preKeyId: optionalIntField(request, 'pre_key_id'),
      signedPreKeyId: intField(request, 'signed_pre_key_id'),
      kyberPreKeyId: optionalIntField(request, 'kyber_pre_key_id'),
      kyberLastResort: optionalBoolField(request, 'kyber_last_resort', false),
    })),
  }));

  define('process_bundle', async (request) => {
    await backend.processBundle(addressField(request, 'peer'), bundleField(request, 'bundle'));
  });

  define('trust', async (request) => {
    await backend.trust(addressField(request, 'peer'), hexField(request, 'identity_key'));
  });

  define('encrypt', async (request) => {
    const { type, ciphertext } = await backend.encrypt(addressField(request, 'peer'),
      hexField(request, 'plaintext'));
    return { type, ciphertext: hex(ciphertext) };
  });

  define('decrypt', async (request) => ({
    plaintext: hex(await backend.decrypt(addressField(request, 'peer'),
      messageTypeField(request, 'type'), hexField(request, 'ciphertext'))),
  }));

  // Keys and sessions over time (1.1), where the backend offers them.
  if (backend.archiveSession) {
    define('archive_session', async (request) => {
      await backend.archiveSession(addressField(request, 'peer'));
    });
  }
  if (backend.deleteSession) {
    define('delete_session', async (request) => {
      await backend.deleteSession(addressField(request, 'peer'));
    });
  }
  if (backend.sessionUsable) {
    define('session_usable', async (request) => ({
      usable: await backend.sessionUsable(addressField(request, 'peer'),
        intField(request, 'now', 0, Number.MAX_SAFE_INTEGER),
        choicesField(request, 'require', ['not_stale', 'pqxdh', 'spqr'])),
    }));
  }
  // Retry requests (1.1), where the backend's release has them. Neither
  // needs the device: the request names the original sender's device.
  if (backend.retryRequest) {
    define('retry_request', async (request) => ({
      content: hex(await backend.retryRequest(addressField(request, 'peer'), messageTypeField(request, 'type'),
        hexField(request, 'ciphertext'), intField(request, 'timestamp', 0, Number.MAX_SAFE_INTEGER))),
    }), false);
  }
  if (backend.readRetryRequest) {
    define('read_retry_request', async (request) => {
      const { timestamp, deviceId, ratchetKey } = await backend.readRetryRequest(hexField(request, 'content'));
      return { timestamp, device_id: deviceId, ratchet_key: ratchetKey === null ? null : hex(ratchetKey) };
    }, false);
  }

  return ops;
}

module.exports = { makeOps };

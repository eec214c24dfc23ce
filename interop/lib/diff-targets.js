'use strict';
// What each kind of input the differential fuzzer makes (lib/differential.js)
// is, and how it reaches each side: the request cliquet-state-peer gets, the
// libsignal 0.103 calls that read the same bytes, and the output both are
// compared on. Certificates are also mutated here, below their signatures.

const lib = require('@signalapp/libsignal-client');
const { protocolError } = require('../peers/client-backend');
const { hex } = require('./peer');
const { mutate, serializeField } = require('./mutate');
const { bytesField } = require('./forge');

/** The kinds of input, in the order a campaign runs them. */
const KINDS = Object.freeze(['whisper', 'prekey', 'sealed_v1', 'sealed_v2', 'sender_key', 'sender_certificate',
  'retry_request']);

const CONTENT_TYPES = Object.freeze({
  [lib.CiphertextMessageType.Whisper]: 'whisper',
  [lib.CiphertextMessageType.PreKey]: 'prekey',
  [lib.CiphertextMessageType.SenderKey]: 'sender_key',
  [lib.CiphertextMessageType.Plaintext]: 'plaintext',
});

/**
 * A libsignal failure as a verdict, its code as the peer protocol would
 * name it (`fallback` for a failure it names no other way).
 */
function refusal(error, fallback = 'invalid_message') {
  if (error.verdict) return { ok: false, code: error.verdict, message: error.message };
  if (/missing sender key state/.test(error.message)) return { ok: false, code: 'no_session', message: error.message };
  const { code, message } = protocolError(lib, error, fallback);
  return { ok: false, code, message };
}

// How each kind of input reaches each side. `cliquet` returns the request
// to send; `libsignal` runs the library and returns a verdict's output or
// throws; `output` turns cliquet's response into the same shape.
const TARGETS = {
  whisper: {
    cliquet: (bytes, input) => ['decrypt', { peer: input.sender, type: 'whisper', ciphertext: hex(bytes) }],
    async libsignal(bytes, input, bob) {
      const address = lib.ProtocolAddress.new(input.sender.name, input.sender.device_id);
      const message = lib.SignalMessage.deserialize(bytes);
      return { plaintext: hex(await lib.signalDecrypt(message, address, bob.address, bob.stores.sessions,
        bob.stores.identities)) };
    },
    output: (response) => ({ plaintext: response.plaintext }),
  },
  prekey: {
    cliquet: (bytes, input) => ['decrypt', { peer: input.sender, type: 'prekey', ciphertext: hex(bytes) }],
    async libsignal(bytes, input, bob) {
      const address = lib.ProtocolAddress.new(input.sender.name, input.sender.device_id);
      const message = lib.PreKeySignalMessage.deserialize(bytes);
      const s = bob.stores;
      return { plaintext: hex(await lib.signalDecryptPreKey(message, address, bob.address, s.sessions, s.identities,
        s.preKeys, s.signedPreKeys, s.kyberPreKeys)) };
    },
    output: (response) => ({ plaintext: response.plaintext }),
  },
  sender_key: {
    cliquet: (bytes, input) => ['group_decrypt', { sender: input.sender, ciphertext: hex(bytes) }],
    async libsignal(bytes, input, bob) {
      const address = lib.ProtocolAddress.new(input.sender.name, input.sender.device_id);
      return { plaintext: hex(await lib.groupDecrypt(address, bob.stores.senderKeys, bytes)) };
    },
    output: (response) => ({ plaintext: response.plaintext }),
  },
  sealed_v1: sealedTarget(),
  sealed_v2: sealedTarget(),
  sender_certificate: {
    fallback: 'invalid_certificate',
    cliquet: (bytes, input, world) => ['validate_sender_certificate', {
      certificate: hex(bytes), trust_root: hex(world.trustRoot.getPublicKey().serialize()), timestamp: world.now,
    }],
    async libsignal(bytes, input, bob, world) {
      const certificate = lib.SenderCertificate.deserialize(bytes);
      if (!certificate.validate(world.trustRoot.getPublicKey(), world.now)) {
        throw Object.assign(new Error('the certificate does not validate'), { verdict: 'invalid_certificate' });
      }
      return certificateFields(certificate);
    },
    output: (response) => (response.valid ? {
      sender_uuid: response.sender_uuid, sender_e164: response.sender_e164, sender_device_id: response.sender_device_id,
      sender_identity_key: response.sender_identity_key, expiration: response.expiration,
    } : null),
  },
  // Read in two steps, as an app does (interop/peers/client-backend.js).
  retry_request: {
    cliquet: (bytes) => ['read_retry_request', { content: hex(bytes) }],
    async libsignal(bytes) {
      const message = lib.DecryptionErrorMessage.extractFromSerializedBody(lib.PlaintextContent.deserialize(bytes).body());
      const ratchetKey = message.ratchetKey();
      return {
        timestamp: message.timestamp(), device_id: message.deviceId(),
        ratchet_key: ratchetKey ? hex(ratchetKey.serialize()) : null,
      };
    },
    output: (r) => ({ timestamp: r.timestamp, device_id: r.device_id, ratchet_key: r.ratchet_key }),
  },
};

function certificateFields(certificate) {
  return {
    sender_uuid: certificate.senderUuid(),
    sender_e164: certificate.senderE164(),
    sender_device_id: certificate.senderDeviceId(),
    sender_identity_key: hex(certificate.key().serialize()),
    expiration: certificate.expiration(),
  };
}

function sealedTarget() {
  return {
    cliquet: (bytes, input, world) => ['unseal', {
      ciphertext: hex(bytes), trust_root: hex(world.trustRoot.getPublicKey().serialize()), timestamp: world.now,
    }],
    async libsignal(bytes, input, bob, world) {
      const usmc = await lib.sealedSenderDecryptToUsmc(bytes, bob.stores.identities);
      const certificate = usmc.senderCertificate();
      if (!certificate.validate(world.trustRoot.getPublicKey(), world.now)) {
        throw Object.assign(new Error('the sender certificate does not validate'), { verdict: 'invalid_certificate' });
      }
      const { sender_uuid: uuid, sender_e164: e164, sender_device_id: deviceId } = certificateFields(certificate);
      return {
        sender_uuid: uuid, sender_e164: e164, sender_device_id: deviceId,
        content_type: CONTENT_TYPES[usmc.msgType()] ?? `unknown ${usmc.msgType()}`,
        content: hex(usmc.contents()), content_hint: usmc.contentHint(),
        group_id: usmc.groupId() ? hex(usmc.groupId()) : null,
      };
    },
    output: (r) => ({
      sender_uuid: r.sender_uuid, sender_e164: r.sender_e164, sender_device_id: r.sender_device_id,
      content_type: r.content_type, content: r.content, content_hint: r.content_hint, group_id: r.group_id,
    }),
  };
}

/**
 * Sender-certificate mutants that get past the signatures: the body of the
 * sender certificate, or of the server certificate inside it, is mutated
 * and signed again with the key that signed it (the server's, the trust
 * root's), which the fuzzer holds.
 */
function mutateCertificate(random, genuine, donors, world) {
  const mode = random.below(3);
  if (mode === 0) return mutate(random, genuine, donors);
  const sign = (key, body) => Buffer.concat([bytesField(1, body), bytesField(2, Buffer.from(key.sign(body)))]);
  const bodyOf = (tree) => tree.fields.find((f) => f.number === 1 && f.child)?.child;
  const senderBody = bodyOf(genuine);
  if (!senderBody) return mutate(random, genuine, donors);
  const donorBodies = donors.map(bodyOf).filter(Boolean);
  if (mode === 1) {
    const { bytes, mutations } = mutate(random, senderBody, donorBodies);
    return { bytes: sign(world.serverKey, bytes), mutations: ['resigned_body', ...mutations] };
  }
  const serverField = senderBody.fields.find((f) => f.number === 5 && f.child);
  const serverBody = serverField && bodyOf(serverField.child);
  if (!serverBody) return mutate(random, genuine, donors);
  const donorServerBodies = donorBodies.map((b) => b.fields.find((f) => f.number === 5 && f.child))
    .filter(Boolean).map((f) => bodyOf(f.child)).filter(Boolean);
  const { bytes, mutations } = mutate(random, serverBody, donorServerBodies);
  const server = sign(world.trustRoot, bytes);
  const body = Buffer.concat(senderBody.fields.map((f) => (f === serverField ? bytesField(5, server) : serializeField(f))));
  return { bytes: sign(world.serverKey, body), mutations: ['resigned_server_certificate', ...mutations] };
}

module.exports = { KINDS, TARGETS, refusal, mutateCertificate };

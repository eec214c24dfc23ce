'use strict';
// A peer backed by libsignal-node 6.0.0 (npm `libsignal`), the JavaScript
// implementation that speaks session version 3 only: X3DH, no Kyber, every
// message framed with the version byte 0x33.
//
// Three of its habits would make it a poor reference, and are corrected
// here without touching its protocol code:
//  - SessionBuilder does not check the signed pre-key's signature; this
//    backend checks it before handing the bundle over.
//  - SessionCipher tries each session of a record in turn and keeps what a
//    failed attempt changed (a stepped ratchet, derived message keys), then
//    reports every failure alike. Here a failed attempt is rolled back, and
//    a replay (a message key already used) is told apart from a bad message.
//  - Its protobuf reader fills absent fields with zeros; a pre-key message
//    missing a required field is refused here as malformed.
//
// It also reads only the range of the version byte (at least 3 for the
// message, at most 3 for the sender's highest) and puts a fixed 0x33 under
// the MAC, so it takes a whisper message re-framed 0x43 or 0x32 as genuine;
// the tampering scenarios use only version bytes it refuses.

const libsignal = require('libsignal');
const { PreKeyWhisperMessage } = require('libsignal/src/protobufs');
const { ProtocolError } = require('./protocol');
const { initDevice, addressKey } = require('./device');

const {
  curve, keyhelper, ProtocolAddress, SessionBuilder, SessionCipher, SessionRecord,
  SessionError, MessageCounterError, PreKeyError, UntrustedIdentityKeyError,
} = libsignal;

// libsignal-node's CiphertextMessage types.
const PREKEY_TYPE = 3;

/** The reasons no session of a record could decrypt a message. */
class NoMatchingSessionError extends SessionError {
  constructor(reasons) {
    super(`no session decrypted the message: ${reasons.map((reason) => reason.message).join('; ')}`);
    this.name = 'NoMatchingSessionError';
    this.reasons = reasons;
  }
}

class RollbackSessionCipher extends SessionCipher {
  async decryptWithSessions(data, sessions) {
    if (sessions.length === 0) throw new SessionError('No sessions available');
    const reasons = [];
    for (const session of sessions) {
      const saved = session.serialize();
      try {
        const plaintext = await this.doDecryptWhisperMessage(data, session);
        session.indexInfo.used = Date.now();
        return { session, plaintext };
      } catch (error) {
        const restored = session.constructor.deserialize(saved);
        for (const field of Object.keys(session)) delete session[field];
        Object.assign(session, restored);
        reasons.push(error);
      }
    }
    throw new NoMatchingSessionError(reasons);
  }
}

/** A 33-byte public key (0x05 then 32 bytes), or an invalid_key error. */
function publicKey(bytes, what) {
  if (bytes.length !== 33 || bytes[0] !== 0x05) {
    throw new ProtocolError('invalid_key', `${what}: not a 33-byte Curve25519 public key`);
  }
  return bytes;
}

/**
 * Reads a pre-key message's body. libsignal-node takes an absent field for
 * zero or an empty key; here a message without its keys, its signed
 * pre-key id or its inner message is malformed, as it is for libsignal.
 */
function readPreKeyMessage(ciphertext) {
  let message;
  try {
    message = PreKeyWhisperMessage.decode(ciphertext.subarray(1));
  } catch (error) {
    throw new ProtocolError('invalid_message', `pre-key message: ${error.message}`);
  }
  for (const field of ['baseKey', 'identityKey', 'signedPreKeyId', 'message']) {
    if (!Object.hasOwn(message, field)) throw new ProtocolError('invalid_message', `pre-key message without ${field}`);
  }
  return message;
}

/** The protocol's error code for a failed decrypt. */
function decryptError(error) {
  if (error instanceof ProtocolError) return error;
  const code = (() => {
    if (error instanceof UntrustedIdentityKeyError) return 'untrusted_identity';
    if (error instanceof MessageCounterError) return 'duplicate_message';
    if (error instanceof NoMatchingSessionError) {
      return error.reasons.some((reason) => reason instanceof MessageCounterError)
        ? 'duplicate_message' : 'invalid_message';
    }
    if (error instanceof PreKeyError) return 'invalid_prekey';
    if (error instanceof SessionError && /^No session/.test(error.message)) return 'no_session';
    return 'invalid_message';
  })();
  return new ProtocolError(code, describe(error));
}

/** A failure of libsignal-node, for a message. */
function describe(error) {
  if (error instanceof UntrustedIdentityKeyError) return `untrusted identity key for ${error.addr}`;
  return `${error.name}: ${error.message}`;
}

/**
 * Makes a backend for libsignal-node.
 * @returns {import('./ops').Backend}
 */
function node6Backend() {
  let device = null;
  const sessions = new Map();       // address key -> serialized SessionRecord (JSON)
  const identities = new Map();     // address key -> identity key
  const preKeys = new Map();        // id -> key pair
  const signedPreKeys = new Map();  // id -> key pair

  // libsignal-node's storage interface, for one peer address: its callers
  // name the peer inconsistently (bare name or name.device), so the
  // address is bound here instead.
  const storageFor = (peer) => {
    const key = addressKey(peer);
    return {
      async loadSession() {
        const json = sessions.get(key);
        return json === undefined ? undefined : SessionRecord.deserialize(JSON.parse(json));
      },
      async storeSession(_, record) {
        sessions.set(key, JSON.stringify(record.serialize()));
      },
      async isTrustedIdentity(_, identityKey) {
        const known = identities.get(key);
        return known === undefined || known.equals(identityKey);
      },
      async loadPreKey(id) {
        return preKeys.get(id);
      },
      async removePreKey(id) {
        preKeys.delete(id);
      },
      async loadSignedPreKey(id) {
        return signedPreKeys.get(id);
      },
      getOurRegistrationId: () => device.registrationId,
      getOurIdentity: () => device.identity,
    };
  };
  const protocolAddress = (peer) => {
    try {
      return new ProtocolAddress(peer.name, peer.deviceId);
    } catch (error) {
      throw new ProtocolError('bad_request', `address ${peer.name}.${peer.deviceId}: ${error.message}`);
    }
  };
  const cipherFor = (peer) => new RollbackSessionCipher(storageFor(peer), protocolAddress(peer));

  const identityKeys = {
    fromPrivate(bytes) {
      if (bytes.length !== 32) throw new ProtocolError('invalid_key', 'identity_private: not 32 bytes');
      return { privKey: bytes, pubKey: curve.getPublicFromPrivateKey(bytes) };
    },
    generate: () => curve.generateKeyPair(),
    publicBytes: (identity) => identity.pubKey,
  };

  return {
    sessionVersions: [3],

    initialised: () => device !== null,

    async init(params) {
      device = initDevice(device, params, identityKeys);
      return device.identity.pubKey;
    },

    async sign(message) {
      return curve.calculateSignature(device.identity.privKey, message);
    },

    async verify(key, message, signature) {
      publicKey(key, 'public_key');
      if (signature.length !== 64) return false;
      return curve.verifySignature(key, message, signature, false);
    },

    async prekeyBundle({ preKeyId, signedPreKeyId, kyberPreKeyId }) {
      if (kyberPreKeyId !== null) {
        throw new ProtocolError('unsupported', 'libsignal-node has no Kyber pre-keys (version 3 only)');
      }
      const preKey = preKeyId === null ? null : keyhelper.generatePreKey(preKeyId);
      const signedPreKey = keyhelper.generateSignedPreKey(device.identity, signedPreKeyId);
      if (preKey) preKeys.set(preKeyId, preKey.keyPair);
      signedPreKeys.set(signedPreKeyId, signedPreKey.keyPair);
      return {
        registrationId: device.registrationId,
        deviceId: device.deviceId,
        identityKey: device.identity.pubKey,
        preKeyId,
        preKey: preKey && preKey.keyPair.pubKey,
        signedPreKeyId,
        signedPreKey: signedPreKey.keyPair.pubKey,
        signedPreKeySignature: signedPreKey.signature,
        kyberPreKeyId: null,
        kyberPreKey: null,
        kyberPreKeySignature: null,
      };
    },

    async processBundle(peer, bundle) {
      if (bundle.kyberPreKey !== null) {
        throw new ProtocolError('unsupported', 'libsignal-node has no PQXDH (version 3 only)');
      }
      const identityKey = publicKey(bundle.identityKey, 'identity_key');
      const signedPreKey = publicKey(bundle.signedPreKey, 'signed_pre_key');
      const preKey = bundle.preKey && publicKey(bundle.preKey, 'pre_key');
      if (bundle.signedPreKeySignature.length !== 64 ||
          !curve.verifySignature(identityKey, signedPreKey, bundle.signedPreKeySignature, false)) {
        throw new ProtocolError('invalid_signature', 'the signed pre-key signature does not verify');
      }
      const builder = new SessionBuilder(storageFor(peer), protocolAddress(peer));
      try {
        await builder.initOutgoing({
          registrationId: bundle.registrationId,
          identityKey,
          signedPreKey: { keyId: bundle.signedPreKeyId, publicKey: signedPreKey, signature: bundle.signedPreKeySignature },
          preKey: preKey ? { keyId: bundle.preKeyId, publicKey: preKey } : undefined,
        });
      } catch (error) {
        const code = error instanceof UntrustedIdentityKeyError ? 'untrusted_identity' : 'invalid_key';
        throw new ProtocolError(code, describe(error));
      }
      identities.set(addressKey(peer), identityKey);
    },

    async trust(peer, identityKey) {
      identities.set(addressKey(peer), publicKey(identityKey, 'identity_key'));
    },

    async encrypt(peer, plaintext) {
      let message;
      try {
        message = await cipherFor(peer).encrypt(plaintext);
      } catch (error) {
        const code = error instanceof UntrustedIdentityKeyError ? 'untrusted_identity' : 'no_session';
        throw new ProtocolError(code, describe(error));
      }
      return { type: message.type === PREKEY_TYPE ? 'prekey' : 'whisper', ciphertext: message.body };
    },

    async decrypt(peer, type, ciphertext) {
      if (type !== 'prekey' && type !== 'whisper') {
        throw new ProtocolError('unsupported', `decrypt of ${type} messages is not offered`);
      }
      const preKeyMessage = type === 'prekey' ? readPreKeyMessage(ciphertext) : null;
      const cipher = cipherFor(peer);
      let plaintext;
      try {
        plaintext = type === 'prekey'
          ? await cipher.decryptPreKeyWhisperMessage(ciphertext)
          : await cipher.decryptWhisperMessage(ciphertext);
      } catch (error) {
        throw decryptError(error);
      }
      if (preKeyMessage) {
        // Trust on first use: keep the identity the message came with.
        identities.set(addressKey(peer), Buffer.from(preKeyMessage.identityKey));
      }
      return plaintext;
    },
  };
}

module.exports = { node6Backend };

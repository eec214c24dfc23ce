'use strict';
// A peer backed by @signalapp/libsignal-client, Signal's Rust core with its
// Node binding. Several releases are pinned side by side (npm aliases); the
// differences between them that matter here are described by a `flavour`:
//
//   name             the release, for messages
//   sessionVersions  what its handshakes produce: 0.72 does X3DH (3) and
//                    PQXDH (4); from 0.90 on a bundle must carry a Kyber
//                    pre-key, so only 4
//   localAddress     whether the session functions take our own address
//                    after the peer's (0.103 does)
//
// Every store keeps serialized records and hands out fresh copies, so
// nothing the library does to a record it loaded is kept unless it saves it
// back, which it does only once a message has decrypted.

const { ProtocolError, badRequest } = require('./protocol');
const { initDevice, addressKey } = require('./device');

/** Releases this backend knows, and how they differ. */
const FLAVOURS = Object.freeze({
  '0.72': { name: 'libsignal 0.72.1', module: 'libsignal-client-0.72', sessionVersions: [3, 4], localAddress: false },
  '0.90': { name: 'libsignal 0.90.0', module: 'libsignal-client-0.90', sessionVersions: [4], localAddress: false },
  '0.103': { name: 'libsignal 0.103.0', module: '@signalapp/libsignal-client', sessionVersions: [4], localAddress: true },
});

/**
 * Makes the in-memory stores for `lib`. The library checks that stores
 * extend its own abstract classes, so they are made per module.
 * @param {object} lib the libsignal-client module
 * @param {() => object} device returns the initialised device
 */
function makeStores(lib, device) {
  const sameKey = (a, b) => Buffer.from(a.serialize()).equals(Buffer.from(b.serialize()));
  const keyOf = (address) => addressKey({ name: address.name(), deviceId: address.deviceId() });

  // Keyed records kept serialized; `kind` names them in errors.
  class RecordMap {
    constructor(kind, Record) {
      this.kind = kind;
      this.Record = Record;
      this.records = new Map();
    }

    save(id, record) {
      this.records.set(id, Buffer.from(record.serialize()));
    }

    load(id) {
      const bytes = this.records.get(id);
      return bytes === undefined ? null : this.Record.deserialize(bytes);
    }

    require(id) {
      const record = this.load(id);
      if (record === null) throw new Error(`no ${this.kind} with id ${id}`);
      return record;
    }

    remove(id) {
      this.records.delete(id);
    }
  }

  class Sessions extends lib.SessionStore {
    constructor() {
      super();
      this.records = new RecordMap('session', lib.SessionRecord);
    }

    async saveSession(address, record) {
      this.records.save(keyOf(address), record);
    }

    async getSession(address) {
      return this.records.load(keyOf(address));
    }

    async getExistingSessions(addresses) {
      return addresses.map((address) => this.records.require(keyOf(address)));
    }
  }

  // Trusts a peer's first identity key and refuses a different one later;
  // `trust` (a verified safety number) replaces it.
  class Identities extends lib.IdentityKeyStore {
    constructor() {
      super();
      this.keys = new Map();
    }

    async getIdentityKey() {
      return device().identity;
    }

    async getLocalRegistrationId() {
      return device().registrationId;
    }

    async saveIdentity(address, key) {
      const known = await this.getIdentity(address);
      this.keys.set(keyOf(address), Buffer.from(key.serialize()));
      return known !== null && !sameKey(known, key)
        ? lib.IdentityChange.ReplacedExisting
        : lib.IdentityChange.NewOrUnchanged;
    }

    async isTrustedIdentity(address, key) {
      const known = await this.getIdentity(address);
      return known === null || sameKey(known, key);
    }

    async getIdentity(address) {
      const bytes = this.keys.get(keyOf(address));
      return bytes === undefined ? null : lib.PublicKey.deserialize(bytes);
    }
  }

  class PreKeys extends lib.PreKeyStore {
    constructor() {
      super();
      this.records = new RecordMap('pre-key', lib.PreKeyRecord);
    }

    async savePreKey(id, record) {
      this.records.save(id, record);
    }

    async getPreKey(id) {
      return this.records.require(id);
    }

    async removePreKey(id) {
      this.records.remove(id);
    }
  }

  class SignedPreKeys extends lib.SignedPreKeyStore {
    constructor() {
      super();
      this.records = new RecordMap('signed pre-key', lib.SignedPreKeyRecord);
    }

    async saveSignedPreKey(id, record) {
      this.records.save(id, record);
    }

    async getSignedPreKey(id) {
      return this.records.require(id);
    }
  }

  // One-time and last-resort Kyber pre-keys, as libsignal's store contract
  // has it (KyberPreKeyStore::mark_kyber_pre_key_used): a one-time key is
  // removed on use; a last-resort key is kept, and remembers each signed
  // pre-key id and base key it was used with, refusing a repeat. Releases
  // before 0.103 pass only the id: their last-resort keys are simply kept.
  class KyberPreKeys extends lib.KyberPreKeyStore {
    constructor() {
      super();
      this.records = new RecordMap('Kyber pre-key', lib.KyberPreKeyRecord);
      this.lastResort = new Set();
      this.baseKeysSeen = new Map();  // `${kyber id}/${signed pre-key id}` -> Set of base keys (hex)
    }

    async saveKyberPreKey(id, record, lastResort = false) {
      this.records.save(id, record);
      if (lastResort) this.lastResort.add(id);
      else this.lastResort.delete(id);
    }

    async getKyberPreKey(id) {
      return this.records.require(id);
    }

    async markKyberPreKeyUsed(id, signedPreKeyId, baseKey) {
      this.records.require(id);
      if (!this.lastResort.has(id)) {
        this.records.remove(id);
        return;
      }
      if (baseKey === undefined) return;
      const pair = `${id}/${signedPreKeyId}`;
      const seen = this.baseKeysSeen.get(pair) ?? new Set();
      const key = Buffer.from(baseKey.serialize()).toString('hex');
      if (seen.has(key)) throw new Error('reused base key');
      seen.add(key);
      this.baseKeysSeen.set(pair, seen);
    }
  }

  return {
    sessions: new Sessions(),
    identities: new Identities(),
    preKeys: new PreKeys(),
    signedPreKeys: new SignedPreKeys(),
    kyberPreKeys: new KyberPreKeys(),
  };
}

/**
 * Turns a libsignal failure into the protocol's error code: the specific
 * cases by the error's code or message, anything else as `fallback`.
 */
function protocolError(lib, error, fallback) {
  if (error instanceof ProtocolError) return error;
  const message = String(error && error.message);
  const code = (() => {
    if (error && error.code === lib.ErrorCode.DuplicatedMessage) return 'duplicate_message';
    if (error && error.code === lib.ErrorCode.UntrustedIdentity) return 'untrusted_identity';
    if (/session with .* not found/.test(message)) return 'no_session';
    if (/invalid (signed |Kyber )?prekey identifier|no (signed |Kyber )?pre-key with id/i.test(message)) {
      return 'invalid_prekey';
    }
    if (/invalid signature/i.test(message)) return 'invalid_signature';
    return fallback;
  })();
  return new ProtocolError(code, message);
}

/**
 * Makes a backend for one release of libsignal-client.
 * @param {'0.72'|'0.90'|'0.103'} release
 * @returns {import('./ops').Backend}
 */
function clientBackend(release) {
  const flavour = FLAVOURS[release];
  const lib = require(flavour.module);
  let device = null;
  const stores = makeStores(lib, () => device);

  // Runs a library call, reporting its failures as protocol errors.
  const attempt = async (fallback, action) => {
    try {
      return await action();
    } catch (error) {
      throw protocolError(lib, error, fallback);
    }
  };
  const publicKey = (bytes, what) => {
    try {
      return lib.PublicKey.deserialize(bytes);
    } catch (error) {
      throw new ProtocolError('invalid_key', `${what}: ${error.message}`);
    }
  };
  const address = ({ name, deviceId }) => {
    try {
      return lib.ProtocolAddress.new(name, deviceId);
    } catch (error) {
      throw badRequest(`address ${name}.${deviceId}: ${error.message}`);
    }
  };
  // The session functions' address arguments: the peer's, then ours if
  // this release wants it.
  const addresses = (peer) => (flavour.localAddress
    ? [address(peer), address({ name: device.name, deviceId: device.deviceId })]
    : [address(peer)]);

  const identities = {
    fromPrivate(bytes) {
      try {
        return lib.PrivateKey.deserialize(bytes);
      } catch (error) {
        throw new ProtocolError('invalid_key', `identity_private: ${error.message}`);
      }
    },
    generate: () => lib.PrivateKey.generate(),
    publicBytes: (identity) => Buffer.from(identity.getPublicKey().serialize()),
  };

  return {
    sessionVersions: flavour.sessionVersions,

    initialised: () => device !== null,

    async init(params) {
      device = initDevice(device, params, identities);
      return identities.publicBytes(device.identity);
    },

    async sign(message) {
      return Buffer.from(device.identity.sign(message));
    },

    async verify(key, message, signature) {
      return publicKey(key, 'public_key').verify(message, signature);
    },

    async prekeyBundle({ preKeyId, signedPreKeyId, kyberPreKeyId, kyberLastResort }) {
      if (kyberPreKeyId === null && !flavour.sessionVersions.includes(3)) {
        throw new ProtocolError('unsupported', `${flavour.name} needs a Kyber pre-key in every bundle`);
      }
      const now = Date.now();
      const sign = (key) => device.identity.sign(key.serialize());
      // Everything is made before anything is stored.
      let preKey = null;
      if (preKeyId !== null) {
        const secret = lib.PrivateKey.generate();
        preKey = lib.PreKeyRecord.new(preKeyId, secret.getPublicKey(), secret);
      }
      const signedSecret = lib.PrivateKey.generate();
      const signedPublic = signedSecret.getPublicKey();
      const signedPreKey = lib.SignedPreKeyRecord.new(signedPreKeyId, now, signedPublic, signedSecret,
        sign(signedPublic));
      let kyberPreKey = null;
      if (kyberPreKeyId !== null) {
        const pair = lib.KEMKeyPair.generate();
        kyberPreKey = lib.KyberPreKeyRecord.new(kyberPreKeyId, now, pair, sign(pair.getPublicKey()));
      }

      if (preKey) await stores.preKeys.savePreKey(preKeyId, preKey);
      await stores.signedPreKeys.saveSignedPreKey(signedPreKeyId, signedPreKey);
      if (kyberPreKey) await stores.kyberPreKeys.saveKyberPreKey(kyberPreKeyId, kyberPreKey, kyberLastResort);
      return {
        registrationId: device.registrationId,
        deviceId: device.deviceId,
        identityKey: identities.publicBytes(device.identity),
        preKeyId,
        preKey: preKey && preKey.publicKey().serialize(),
        signedPreKeyId,
        signedPreKey: signedPublic.serialize(),
        signedPreKeySignature: signedPreKey.signature(),
        kyberPreKeyId,
        kyberPreKey: kyberPreKey && kyberPreKey.publicKey().serialize(),
        kyberPreKeySignature: kyberPreKey && kyberPreKey.signature(),
      };
    },

    async processBundle(peer, bundle) {
      if (bundle.kyberPreKey === null && !flavour.sessionVersions.includes(3)) {
        throw new ProtocolError('unsupported', `${flavour.name} starts sessions only from bundles with a Kyber pre-key`);
      }
      const kyber = [];
      if (bundle.kyberPreKey !== null) {
        let kyberKey;
        try {
          kyberKey = lib.KEMPublicKey.deserialize(bundle.kyberPreKey);
        } catch (error) {
          throw new ProtocolError('invalid_key', `kyber_pre_key: ${error.message}`);
        }
        kyber.push(bundle.kyberPreKeyId, kyberKey, bundle.kyberPreKeySignature);
      }
      const keys = [
        bundle.preKeyId, bundle.preKey && publicKey(bundle.preKey, 'pre_key'),
        bundle.signedPreKeyId, publicKey(bundle.signedPreKey, 'signed_pre_key'), bundle.signedPreKeySignature,
        publicKey(bundle.identityKey, 'identity_key'),
        ...kyber,
      ];
      const args = addresses(peer);
      await attempt('invalid_key', () => lib.processPreKeyBundle(
        lib.PreKeyBundle.new(bundle.registrationId, bundle.deviceId, ...keys),
        ...args, stores.sessions, stores.identities));
    },

    async trust(peer, identityKey) {
      const key = publicKey(identityKey, 'identity_key');
      await stores.identities.saveIdentity(address(peer), key);
    },

    async encrypt(peer, plaintext) {
      const message = await attempt('invalid_message', () => lib.signalEncrypt(plaintext, ...addresses(peer),
        stores.sessions, stores.identities));
      const type = message.type() === lib.CiphertextMessageType.PreKey ? 'prekey' : 'whisper';
      return { type, ciphertext: Buffer.from(message.serialize()) };
    },

    async decrypt(peer, type, ciphertext) {
      const parse = (Message) => {
        try {
          return Message.deserialize(ciphertext);
        } catch (error) {
          throw new ProtocolError('invalid_message', error.message);
        }
      };
      const args = addresses(peer);
      if (type === 'prekey') {
        const message = parse(lib.PreKeySignalMessage);
        return Buffer.from(await attempt('invalid_message', () => lib.signalDecryptPreKey(message, ...args,
          stores.sessions, stores.identities, stores.preKeys, stores.signedPreKeys, stores.kyberPreKeys)));
      }
      if (type === 'whisper') {
        const message = parse(lib.SignalMessage);
        return Buffer.from(await attempt('invalid_message', () => lib.signalDecrypt(message, ...args,
          stores.sessions, stores.identities)));
      }
      throw new ProtocolError('unsupported', `decrypt of ${type} messages is not offered`);
    },

    async archiveSession(peer) {
      const record = await stores.sessions.getSession(address(peer));
      if (record === null) return;
      record.archiveCurrentState();
      await stores.sessions.saveSession(address(peer), record);
    },

    async deleteSession(peer) {
      stores.sessions.records.remove(addressKey(peer));
    },

    // The Node binding asks only whether a session is stale (its
    // hasCurrentState); the other requirements are not offered.
    async sessionUsable(peer, now, require) {
      if (require.length !== 1 || require[0] !== 'not_stale') {
        throw new ProtocolError('unsupported', `${flavour.name}'s Node binding judges only "not_stale"`);
      }
      const record = await stores.sessions.getSession(address(peer));
      return record !== null && record.hasCurrentState(new Date(now));
    },

    async retryRequest(peer, type, ciphertext, timestamp) {
      const types = {
        whisper: lib.CiphertextMessageType.Whisper,
        prekey: lib.CiphertextMessageType.PreKey,
        sender_key: lib.CiphertextMessageType.SenderKey,
      };
      if (!Object.hasOwn(types, type)) throw badRequest(`a retry request is for an encrypted message, not ${type}`);
      const message = await attempt('invalid_message',
        () => lib.DecryptionErrorMessage.forOriginal(ciphertext, types[type], timestamp, peer.deviceId));
      return Buffer.from(lib.PlaintextContent.from(message).serialize());
    },

    // libsignal reads a PlaintextContent in two steps, as an app does: the
    // content (its first byte), then the retry request in its body. Any
    // failure of either is a malformed message.
    async readRetryRequest(content) {
      try {
        const body = lib.PlaintextContent.deserialize(content).body();
        const message = lib.DecryptionErrorMessage.extractFromSerializedBody(body);
        const ratchetKey = message.ratchetKey();
        return {
          timestamp: message.timestamp(),
          deviceId: message.deviceId(),
          ratchetKey: ratchetKey ? Buffer.from(ratchetKey.serialize()) : null,
        };
      } catch (error) {
        throw new ProtocolError('invalid_message', error.message);
      }
    },
  };
}

module.exports = { clientBackend, makeStores, protocolError };

'use strict';
// One device held twice, for the differential fuzzer: by libsignal 0.103 in
// this process (the peers' own in-memory stores, interop/peers/client-backend.js,
// plus a sender-key store), and by cliquet-state-peer (tools/state_peer), a
// cliquet-peer with ops that load, dump and restore its stores. Both store
// libsignal's record protobufs, so the state libsignal reaches is handed to
// cliquet byte for byte (load), and after every input each side is checked
// against, and reset to, that snapshot.

const lib = require('@signalapp/libsignal-client');
const { makeStores } = require('../peers/client-backend');
const { addressKey } = require('../peers/device');
const { Peer, hex } = require('./peer');
const { parseFields, serializeField } = require('./mutate');

// Sender keys, kept serialized like the other stores.
class SenderKeys extends lib.SenderKeyStore {
  constructor() {
    super();
    this.records = new Map();  // JSON [name, deviceId, distributionId] -> Buffer
  }

  async saveSenderKey(sender, distributionId, record) {
    this.records.set(JSON.stringify([sender.name(), sender.deviceId(), distributionId]), Buffer.from(record.serialize()));
  }

  async getSenderKey(sender, distributionId) {
    const bytes = this.records.get(JSON.stringify([sender.name(), sender.deviceId(), distributionId]));
    return bytes === undefined ? null : lib.SenderKeyRecord.deserialize(bytes);
  }
}

/** A libsignal device in this process: address, identity and stores. */
class LibsignalDevice {
  constructor({ name, deviceId, registrationId, identity = lib.PrivateKey.generate() }) {
    this.device = { name, deviceId, registrationId, identity };
    this.address = lib.ProtocolAddress.new(name, deviceId);
    this.stores = { ...makeStores(lib, () => this.device), senderKeys: new SenderKeys() };
  }

  get identity() {
    return this.device.identity;
  }

  // Every container the stores keep their state in, by a stable name.
  containers() {
    const s = this.stores;
    return {
      identities: [s.identities, 'keys'],
      sessions: [s.sessions.records, 'records'],
      preKeys: [s.preKeys.records, 'records'],
      signedPreKeys: [s.signedPreKeys.records, 'records'],
      kyberPreKeys: [s.kyberPreKeys.records, 'records'],
      lastResort: [s.kyberPreKeys, 'lastResort'],
      kyberUses: [s.kyberPreKeys, 'baseKeysSeen'],
      senderKeys: [s.senderKeys, 'records'],
    };
  }

  /** A deep copy of every store. */
  snapshot() {
    const out = {};
    for (const [name, [owner, property]] of Object.entries(this.containers())) out[name] = deepCopy(owner[property]);
    return out;
  }

  /** Whether the stores differ from `snapshot`; resets them to it if so. */
  restore(snapshot) {
    let changed = false;
    for (const [name, [owner, property]] of Object.entries(this.containers())) {
      if (!deepEqual(owner[property], snapshot[name])) {
        owner[property] = deepCopy(snapshot[name]);
        changed = true;
      }
    }
    return changed;
  }

  /** The stores as cliquet-state-peer's state_load takes them. */
  state() {
    const s = this.stores;
    const peer = (key) => {
      const [name, deviceId] = JSON.parse(key);
      return { name, device_id: deviceId };
    };
    const kyberUses = [];
    for (const [pair, baseKeys] of s.kyberPreKeys.baseKeysSeen) {
      const [kyberId, signedId] = pair.split('/').map(Number);
      for (const baseKey of baseKeys) {
        kyberUses.push({ kyber_pre_key_id: kyberId, signed_pre_key_id: signedId, base_key: baseKey });
      }
    }
    return {
      identities: [...s.identities.keys].map(([key, bytes]) => ({ peer: peer(key), identity_key: hex(bytes) })),
      sessions: [...s.sessions.records.records].map(([key, bytes]) => ({ peer: peer(key), record: hex(bytes) })),
      pre_keys: [...s.preKeys.records.records.values()].map(hex),
      signed_pre_keys: [...s.signedPreKeys.records.records.values()].map(hex),
      kyber_pre_keys: [...s.kyberPreKeys.records.records].map(([id, bytes]) => ({
        record: hex(bytes), last_resort: s.kyberPreKeys.lastResort.has(id),
      })),
      kyber_uses: kyberUses,
      sender_keys: [...s.senderKeys.records].map(([key, bytes]) => {
        const [name, deviceId, distributionId] = JSON.parse(key);
        return { sender: { name, device_id: deviceId }, distribution_id: distributionId, record: hex(bytes) };
      }),
    };
  }
}

function deepCopy(value) {
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, deepCopy(v)]));
  if (value instanceof Set) return new Set(value);
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  return value;
}

function deepEqual(a, b) {
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set) return b instanceof Set && a.size === b.size && [...a].every((v) => b.has(v));
  if (Buffer.isBuffer(a)) return Buffer.isBuffer(b) && a.equals(b);
  return a === b;
}

// SessionStructure fields that the two implementations cannot agree on
// byte for byte: the root key (4) and the sending chain (6), which a
// receiver's first ratchet step derives from a key pair it draws at random;
// SPQR's state (15), each in its own encoding; and cliquet's own times
// (1001, 1002), which libsignal skips (docs/storage.md).
const OWN_SESSION_FIELDS = new Set([4, 6, 15, 1001, 1002]);
const RECEIVER_CHAINS = 7;
const MESSAGE_KEYS = 4;

// A receiver chain with its skipped message keys in a fixed order: libsignal
// lists them newest first, cliquet oldest first (docs/testing.md).
function sortedMessageKeys(chain) {
  const fields = parseFields(chain);
  if (!fields) return chain;
  const keys = fields.filter((f) => f.number === MESSAGE_KEYS).map(serializeField).sort(Buffer.compare);
  return Buffer.concat([...fields.filter((f) => f.number !== MESSAGE_KEYS).map(serializeField), ...keys]);
}

/**
 * A session record (RecordStructure: current session 1, previous sessions
 * 2) as hex, without the fields of each state that cannot agree, so that
 * the rest compares byte for byte.
 */
function comparableSession(recordHex) {
  const record = parseFields(Buffer.from(recordHex, 'hex'));
  if (!record) return `unparsed ${recordHex}`;
  const parts = record.map((field) => {
    const session = field.wireType === 2 && (field.number === 1 || field.number === 2) ? parseFields(field.value) : null;
    if (!session) return serializeField(field);
    const kept = session.filter((f) => !OWN_SESSION_FIELDS.has(f.number))
      .map((f) => (f.number === RECEIVER_CHAINS ? serializeField({ ...f, value: sortedMessageKeys(f.value) }) : serializeField(f)));
    return serializeField({ ...field, value: Buffer.concat(kept) });
  });
  return Buffer.concat(parts).toString('hex');
}

/**
 * Every record of a state (LibsignalDevice.state() or state_dump's), keyed
 * by what it is for, so that two states compare entry by entry whatever
 * order each side lists them in.
 * @returns {Map<string, string>}
 */
function stateEntries(state) {
  const entries = new Map();
  for (const e of state.identities) entries.set(`identity ${addressKey({ name: e.peer.name, deviceId: e.peer.device_id })}`, e.identity_key);
  for (const e of state.sessions) entries.set(`session ${addressKey({ name: e.peer.name, deviceId: e.peer.device_id })}`, comparableSession(e.record));
  state.pre_keys.forEach((record) => entries.set(`pre-key ${record}`, record));
  state.signed_pre_keys.forEach((record) => entries.set(`signed pre-key ${record}`, record));
  for (const e of state.kyber_pre_keys) entries.set(`Kyber pre-key ${e.record}`, String(e.last_resort));
  for (const e of state.kyber_uses) {
    entries.set(`Kyber use ${e.kyber_pre_key_id}/${e.signed_pre_key_id}/${e.base_key}`, '');
  }
  for (const e of state.sender_keys) {
    entries.set(`sender key ${addressKey({ name: e.sender.name, deviceId: e.sender.device_id })} ${e.distribution_id}`, e.record);
  }
  return entries;
}

/** What differs between two states, as a list of entry names (empty if nothing). */
function stateDifferences(a, b) {
  const left = stateEntries(a);
  const right = stateEntries(b);
  const names = new Set([...left.keys(), ...right.keys()]);
  return [...names].filter((name) => left.get(name) !== right.get(name))
    .map((name) => (left.has(name) && right.has(name) ? `${name}: differs`
      : `${name}: only ${left.has(name) ? 'libsignal' : 'cliquet'}`));
}

/**
 * Starts cliquet-state-peer as `device` (same address, registration id
 * and identity key).
 * @param {LibsignalDevice} device
 */
async function cliquetTwin(device) {
  const program = process.env.CLIQUET_STATE_PEER;
  if (!program) throw new Error('CLIQUET_STATE_PEER is not set: it must name the cliquet-state-peer binary');
  const peer = await Peer.spawn(program);
  const { name, deviceId, registrationId, identity } = device.device;
  await peer.ok('init', {
    name, device_id: deviceId, registration_id: registrationId, identity_private: hex(identity.serialize()),
  });
  return peer;
}

module.exports = { LibsignalDevice, cliquetTwin, stateDifferences };

'use strict';
// The session benchmarks of cliquet-bench, run in libsignal 0.103 through its
// Node binding (@signalapp/libsignal-client, installed in interop/), and
// printed beside cliquet's figures from a cliquet-bench JSON run.
//
//   ninja -C build/perf cliquet-bench
//   build/perf/bench/cliquet-bench --benchmark_filter='BM_Session|BM_Ratchet|BM_Group|BM_UnsealV1|BM_Pqxdh' \
//       --benchmark_format=json --benchmark_out=/tmp/cliquet.json
//   cd interop && node ../bench/compare/libsignal_compare.js /tmp/cliquet.json
//
// Both columns are CPU time per operation (process.cpuUsage() here, cpu_time
// there). libsignal's column includes the cost of its Node binding (the
// async store calls, the JS <-> Rust conversions), which any Node
// application pays; its stores keep record objects in a Map, with no
// serialization of their own.
//
// libsignal 0.103 sessions run SPQR, the post-quantum ratchet, on every
// message. So libsignal is set beside two cliquet figures: a version-4
// session with SPQR (the *V4Spqr benchmarks: the same cryptographic work)
// and the classic version-3 session (the unsuffixed names, which the
// libolm comparison uses).

const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

// Resolve the binding from interop/, wherever this script is run from.
const interopRequire = createRequire(path.resolve(__dirname, '../../interop/package.json'));
const lib = interopRequire('@signalapp/libsignal-client');
const libVersion = interopRequire('@signalapp/libsignal-client/package.json').version;

const DEVICE_ID = 1;

class Device {
  constructor(name, registrationId) {
    this.name = name;
    this.address = lib.ProtocolAddress.new(name, DEVICE_ID);
    this.identity = lib.PrivateKey.generate();
    this.registrationId = registrationId;
    this.stores = makeStores(this);
  }

  // A bundle with fresh pre-keys under `id` (one-time, signed and Kyber).
  async bundle(id) {
    const sign = (bytes) => this.identity.sign(bytes);
    const preKey = lib.PrivateKey.generate();
    const signedPreKey = lib.PrivateKey.generate();
    const signedSignature = sign(signedPreKey.getPublicKey().serialize());
    const kyber = lib.KEMKeyPair.generate();
    const kyberSignature = sign(kyber.getPublicKey().serialize());
    await this.stores.preKeys.savePreKey(id, lib.PreKeyRecord.new(id, preKey.getPublicKey(), preKey));
    await this.stores.signedPreKeys.saveSignedPreKey(id,
      lib.SignedPreKeyRecord.new(id, Date.now(), signedPreKey.getPublicKey(), signedPreKey, signedSignature));
    await this.stores.kyberPreKeys.saveKyberPreKey(id, lib.KyberPreKeyRecord.new(id, Date.now(), kyber, kyberSignature));
    return lib.PreKeyBundle.new(this.registrationId, DEVICE_ID, id, preKey.getPublicKey(), id,
      signedPreKey.getPublicKey(), signedSignature, this.identity.getPublicKey(), id, kyber.getPublicKey(),
      kyberSignature);
  }

  encrypt(to, plaintext) {
    return lib.signalEncrypt(plaintext, to.address, this.address, this.stores.sessions, this.stores.identities);
  }

  decrypt(from, message) {
    const s = this.stores;
    if (message.type() === lib.CiphertextMessageType.PreKey) {
      return lib.signalDecryptPreKey(lib.PreKeySignalMessage.deserialize(message.serialize()), from.address,
        this.address, s.sessions, s.identities, s.preKeys, s.signedPreKeys, s.kyberPreKeys);
    }
    return lib.signalDecrypt(lib.SignalMessage.deserialize(message.serialize()), from.address, this.address,
      s.sessions, s.identities);
  }
}

function makeStores(device) {
  const key = (address) => `${address.name()}.${address.deviceId()}`;
  class Sessions extends lib.SessionStore {
    constructor() { super(); this.records = new Map(); }
    async saveSession(address, record) { this.records.set(key(address), record); }
    async getSession(address) { return this.records.get(key(address)) ?? null; }
    async getExistingSessions(addresses) { return addresses.map((a) => this.records.get(key(a))); }
  }
  class Identities extends lib.IdentityKeyStore {
    constructor() { super(); this.keys = new Map(); }
    async getIdentityKey() { return device.identity; }
    async getLocalRegistrationId() { return device.registrationId; }
    async saveIdentity(address, publicKey) {
      const known = this.keys.get(key(address));
      this.keys.set(key(address), publicKey);
      return known && !known.equals(publicKey) ? lib.IdentityChange.ReplacedExisting : lib.IdentityChange.NewOrUnchanged;
    }
    async isTrustedIdentity(address, publicKey) {
      const known = this.keys.get(key(address));
      return !known || known.equals(publicKey);
    }
    async getIdentity(address) { return this.keys.get(key(address)) ?? null; }
  }
  class Records {
    constructor() { this.records = new Map(); }
    get(id) {
      const record = this.records.get(id);
      if (!record) throw new Error(`no record ${id}`);
      return record;
    }
  }
  class PreKeys extends lib.PreKeyStore {
    constructor() { super(); this.r = new Records(); }
    async savePreKey(id, record) { this.r.records.set(id, record); }
    async getPreKey(id) { return this.r.get(id); }
    async removePreKey(id) { this.r.records.delete(id); }
  }
  class SignedPreKeys extends lib.SignedPreKeyStore {
    constructor() { super(); this.r = new Records(); }
    async saveSignedPreKey(id, record) { this.r.records.set(id, record); }
    async getSignedPreKey(id) { return this.r.get(id); }
  }
  class KyberPreKeys extends lib.KyberPreKeyStore {
    constructor() { super(); this.r = new Records(); }
    async saveKyberPreKey(id, record) { this.r.records.set(id, record); }
    async getKyberPreKey(id) { return this.r.get(id); }
    async markKyberPreKeyUsed() {}
  }
  return {
    sessions: new Sessions(), identities: new Identities(), preKeys: new PreKeys(),
    signedPreKeys: new SignedPreKeys(), kyberPreKeys: new KyberPreKeys(),
  };
}

// Alice and Bob in steady state: Bob has answered Alice's pre-key message.
async function conversation() {
  const alice = new Device('alice', 1111);
  const bob = new Device('bob', 2222);
  await lib.processPreKeyBundle(await bob.bundle(1), bob.address, alice.address, alice.stores.sessions,
    alice.stores.identities);
  const hello = new Uint8Array(16);
  await bob.decrypt(alice, await alice.encrypt(bob, hello));
  await alice.decrypt(bob, await bob.encrypt(alice, hello));
  return { alice, bob };
}

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

// Runs `step` (async, one operation) until `seconds` of CPU have passed, in
// rounds of `batch` operations; `prepare`, if given, runs untimed before each
// round and returns what the round's steps take.
async function measure({ seconds = 1, batch = 256, prepare = null, step }) {
  let spent = 0;
  let operations = 0;
  while (spent < seconds * 1e6) {
    const inputs = prepare ? await prepare(batch) : [];
    const start = cpuMicros();
    for (let i = 0; i < batch; i++) await step(inputs[i]);
    spent += cpuMicros() - start;
    operations += batch;
  }
  return spent / operations;
}

async function libsignalFigures() {
  const figures = {};
  for (const size of [100, 1024]) {
    const plaintext = new Uint8Array(size).fill(0x42);
    {
      const { alice, bob } = await conversation();
      await measure({ seconds: 0.2, step: () => alice.encrypt(bob, plaintext) });  // warm-up
      figures[`BM_SessionEncrypt/${size}`] = await measure({ step: () => alice.encrypt(bob, plaintext) });
    }
    {
      const { alice, bob } = await conversation();
      const prepare = async (n) => {
        const messages = [];
        for (let i = 0; i < n; i++) messages.push(await alice.encrypt(bob, plaintext));
        return messages;
      };
      figures[`BM_SessionDecrypt/${size}`] = await measure({ prepare, step: (m) => bob.decrypt(alice, m) });
    }
  }
  {
    const { alice, bob } = await conversation();
    const plaintext = new Uint8Array(100).fill(0x42);
    let fromAlice = true;
    figures.BM_RatchetRoundTrip = await measure({
      step: async () => {
        const [sender, receiver] = fromAlice ? [alice, bob] : [bob, alice];
        await receiver.decrypt(sender, await sender.encrypt(receiver, plaintext));
        fromAlice = !fromAlice;
      },
    });
  }
  Object.assign(figures, await groupFigures(), await sealedFigures(), await handshakeFigures());
  return figures;
}

// A SenderKeyStore keeping record objects in a Map, as the session stores do.
class SenderKeys extends lib.SenderKeyStore {
  constructor() { super(); this.records = new Map(); }
  async saveSenderKey(sender, distributionId, record) { this.records.set(`${sender.toString()}/${distributionId}`, record); }
  async getSenderKey(sender, distributionId) { return this.records.get(`${sender.toString()}/${distributionId}`) ?? null; }
}

// BM_GroupEncrypt/100 and BM_GroupDecrypt/100: a sender and one member who
// holds its distribution message.
async function groupFigures() {
  const sender = lib.ProtocolAddress.new('sender', DEVICE_ID);
  const distributionId = '5e7d3a10-424b-4f0c-9a11-223344556677';
  const senderStore = new SenderKeys();
  const member = new SenderKeys();
  const skdm = await lib.SenderKeyDistributionMessage.create(sender, distributionId, senderStore);
  await lib.processSenderKeyDistributionMessage(sender, skdm, member);
  const plaintext = new Uint8Array(100).fill(0x2a);
  const encrypt = () => lib.groupEncrypt(sender, distributionId, senderStore, plaintext);
  const prepare = async (n) => {
    const messages = [];
    for (let i = 0; i < n; i++) messages.push((await encrypt()).serialize());
    return messages;
  };
  return {
    'BM_GroupEncrypt/100': await measure({ step: encrypt }),
    'BM_GroupDecrypt/100': await measure({ prepare, step: (m) => lib.groupDecrypt(sender, member, m) }),
  };
}

// BM_UnsealV1 and BM_UnsealV1Validated: opening a sealed (version 1)
// envelope, then also validating its sender certificate, as a recipient of
// the same sender's messages does for each.
async function sealedFigures() {
  const trustRoot = lib.PrivateKey.generate();
  const serverKey = lib.PrivateKey.generate();
  const server = lib.ServerCertificate.new(1, serverKey.getPublicKey(), trustRoot);
  const { alice, bob } = await conversation();
  const certificate = lib.SenderCertificate.new('3e0a4b6c-1d2e-4f30-8a41-5b6c7d8e9f00', null, DEVICE_ID,
    alice.identity.getPublicKey(), 1_800_000_000_000, server, serverKey);
  const inner = await alice.encrypt(bob, new Uint8Array(100).fill(0x42));
  const content = lib.UnidentifiedSenderMessageContent.new(inner, certificate, 0, null);
  const envelope = await lib.sealedSenderEncrypt(content, bob.address, alice.stores.identities);
  const root = trustRoot.getPublicKey();
  const open = () => lib.sealedSenderDecryptToUsmc(envelope, bob.stores.identities);
  return {
    BM_UnsealV1: await measure({ step: open }),
    BM_UnsealV1Validated: await measure({
      step: async () => {
        const opened = await open();
        if (!opened.senderCertificate().validate(root, 1_700_000_000_000)) throw new Error('certificate refused');
      },
    }),
  };
}

// BM_PqxdhInitiate (a bundle processed into fresh stores) and
// BM_PqxdhRespond (a new contact's first message decrypted).
async function handshakeFigures() {
  const bob = new Device('bob', 2222);
  const bundle = await bob.bundle(1);
  const initiate = () => {
    const alice = new Device('alice', 1111);
    return lib.processPreKeyBundle(bundle, bob.address, alice.address, alice.stores.sessions, alice.stores.identities);
  };
  let nextId = 2;
  const prepare = async (n) => {
    const inputs = [];
    for (let i = 0; i < n; i++) {
      const alice = new Device(`alice-${nextId}`, 1111);
      const fresh = await bob.bundle(nextId++);
      await lib.processPreKeyBundle(fresh, bob.address, alice.address, alice.stores.sessions, alice.stores.identities);
      inputs.push({ alice, message: await alice.encrypt(bob, new Uint8Array(100).fill(0x42)) });
    }
    return inputs;
  };
  return {
    BM_PqxdhInitiate: await measure({ batch: 64, step: initiate }),
    BM_PqxdhRespond: await measure({ batch: 64, prepare, step: ({ alice, message }) => bob.decrypt(alice, message) }),
  };
}

function cliquetFigures(file) {
  const run = JSON.parse(fs.readFileSync(file, 'utf8'));
  const scale = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6 };
  const figures = {};
  for (const b of run.benchmarks) {
    if ((b.run_type ?? 'iteration') === 'iteration' && !b.error_occurred) {
      figures[b.name] = b.cpu_time * scale[b.time_unit];
    }
  }
  return figures;
}

async function main() {
  if (process.argv.length !== 3) {
    console.error('usage: node bench/compare/libsignal_compare.js <cliquet-bench JSON output>');
    process.exit(2);
  }
  const cliquet = cliquetFigures(process.argv[2]);
  const libsignal = await libsignalFigures();
  // [label, libsignal's figure and cliquet's version-3 name, cliquet's version-4 + SPQR name]
  const rows = [
    ['Encrypt 100 B (steady state)', 'BM_SessionEncrypt/100', 'BM_SessionEncryptV4Spqr/100'],
    ['Decrypt 100 B (steady state)', 'BM_SessionDecrypt/100', 'BM_SessionDecryptV4Spqr/100'],
    ['Encrypt 1 KiB (steady state)', 'BM_SessionEncrypt/1024', 'BM_SessionEncryptV4Spqr/1024'],
    ['Decrypt 1 KiB (steady state)', 'BM_SessionDecrypt/1024', 'BM_SessionDecryptV4Spqr/1024'],
    ['Ratchet round trip, per message', 'BM_RatchetRoundTrip', 'BM_RatchetRoundTripV4Spqr'],
  ];
  // Operations with one cliquet figure: [label, the benchmark's name on both sides].
  const single = [
    ['Group encrypt 100 B', 'BM_GroupEncrypt/100'],
    ['Group decrypt 100 B', 'BM_GroupDecrypt/100'],
    ['Sealed v1 open', 'BM_UnsealV1'],
    ['Sealed v1 open, certificate validated', 'BM_UnsealV1Validated'],
    ['PQXDH initiate (bundle processed)', 'BM_PqxdhInitiate'],
    ['PQXDH respond (first message decrypted)', 'BM_PqxdhRespond'],
  ];
  const us = (v) => (v === undefined ? '—' : `${v.toFixed(2)} µs`);
  console.log(`libsignal ${libVersion} (Node ${process.version}) beside cliquet (${process.argv[2]}), CPU time per operation.`);
  console.log('libsignal 0.103 sessions run SPQR (the post-quantum ratchet) on every message, as cliquet\'s version-4');
  console.log('sessions do; libsignal\'s figures include its Node binding, which Node applications pay.\n');
  console.log('| operation | libsignal (Node) | cliquet v4 + SPQR | libsignal / cliquet v4 | cliquet v3 |');
  console.log('|---|---:|---:|---:|---:|');
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : '—');
  for (const [label, name, spqrName] of rows) {
    console.log(`| ${label} | ${us(libsignal[name])} | ${us(cliquet[spqrName])} | ${ratio(libsignal[name], cliquet[spqrName])} | ${us(cliquet[name])} |`);
  }
  console.log('\n| operation | libsignal (Node) | cliquet | libsignal / cliquet |');
  console.log('|---|---:|---:|---:|');
  for (const [label, name] of single) {
    console.log(`| ${label} | ${us(libsignal[name])} | ${us(cliquet[name])} | ${ratio(libsignal[name], cliquet[name])} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

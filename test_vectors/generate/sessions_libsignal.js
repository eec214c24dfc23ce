'use strict';
// Writes test_vectors/session_libsignal.json: decrypt-only session vectors
// whose messages were sent by real libsignal releases (libsignal-node 6.0.0,
// @signalapp/libsignal-client 0.72.1 and 0.90.0) and are received by a
// device described by its private keys, so that any implementation can
// replay the receiving side.
//
// The sender is the reference peer interop/peers/libsignal-peer.js. The
// receiver's keys are drawn here from a seeded stream; its public keys and
// signatures come from libsignal 0.72.1, its Kyber1024 key pair from
// cliquet-peer's kem_keygen hook (from the 64-byte seed the vector
// publishes). Each case sends several pre-key messages (libsignal 0.72
// frames X3DH ones 0x34) and delivers them out of order, then refuses a
// replay, a tampered MAC, a wrong version byte and a truncation, each with
// the receiver's stores unchanged. Reruns differ where libsignal draws its
// own randomness. Finally it runs `cliquet-vectors verify` on the file.
//
// Usage: node test_vectors/generate/sessions_libsignal.js \
//          [--cliquet-peer PATH] [--cliquet-vectors PATH] [--out FILE]
// PATHs default to $CLIQUET_PEER and $CLIQUET_VECTORS.

const { execFileSync } = require('node:child_process');
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const INTEROP = path.resolve(__dirname, '../../interop');
const interopRequire = createRequire(path.join(INTEROP, 'package.json'));
const signal = interopRequire('libsignal-client-0.72');
const { Peer } = require(path.join(INTEROP, 'lib', 'peer.js'));
const { toFormatV2 } = require('./cli');
const LIBSIGNAL_PEER = path.join(INTEROP, 'peers', 'libsignal-peer.js');

function parseArgs(argv) {
  const options = {
    cliquetPeer: process.env.CLIQUET_PEER,
    cliquetVectors: process.env.CLIQUET_VECTORS,
    out: path.resolve(__dirname, '..', 'session_libsignal.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cliquet-peer') options.cliquetPeer = argv[++i];
    else if (arg === '--cliquet-vectors') options.cliquetVectors = argv[++i];
    else if (arg === '--out') options.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.cliquetPeer) throw new Error('give --cliquet-peer PATH or set CLIQUET_PEER');
  return options;
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');

// A reproducible byte stream: SHA-256(label || counter) blocks.
class SeededBytes {
  constructor(label) {
    this.label = label;
    this.counter = 0;
  }

  take(size) {
    const out = [];
    let have = 0;
    while (have < size) {
      const block = nodeCrypto.createHash('sha256').update(`${this.label}/${this.counter++}`).digest();
      out.push(block);
      have += block.length;
    }
    return Buffer.concat(out).subarray(0, size);
  }

  int(below) {
    return this.take(4).readUInt32BE(0) % below;
  }
}

// The top-level fields of a protobuf message: [{field, wire, start, end, valueStart}].
function protobufFields(bytes) {
  const fields = [];
  let at = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (at < bytes.length) {
    const start = at;
    const key = varint();
    const wire = key & 7;
    let valueStart = at;
    if (wire === 0) varint();
    else if (wire === 2) {
      const length = varint();
      valueStart = at;
      at += length;
    } else throw new Error(`unexpected wire type ${wire}`);
    fields.push({ field: Math.floor(key / 8), wire, start, end: at, valueStart });
  }
  return fields;
}

// A pre-key message whose embedded SignalMessage has its last MAC byte flipped.
function withTamperedMac(prekeyMessage) {
  const out = Buffer.from(prekeyMessage);
  const inner = protobufFields(out.subarray(1)).find((f) => f.field === 4);
  out[1 + inner.end - 1] ^= 0x01;
  return out;
}

async function bobKeys(seeded, name, withOneTime, withKyber, cliquet) {
  const identity = signal.PrivateKey.deserialize(seeded.take(32));
  const signedPreKey = signal.PrivateKey.deserialize(seeded.take(32));
  const keys = {
    name,
    registrationId: 1 + seeded.int(16000),
    identityPrivate: hex(identity.serialize()),
    identityKey: hex(identity.getPublicKey().serialize()),
    signedPreKeyId: 1 + seeded.int(1000),
    signedPreKeyPrivate: hex(signedPreKey.serialize()),
    signedPreKeySignature: hex(identity.sign(signedPreKey.getPublicKey().serialize())),
    preKeyId: null,
    preKeyPrivate: '',
    kyberPreKeyId: null,
    kyberKeySeed: '',
    kyberPreKeySignature: '',
  };
  const bundle = {
    registration_id: keys.registrationId,
    device_id: 1,
    identity_key: keys.identityKey,
    pre_key_id: null,
    pre_key: null,
    signed_pre_key_id: keys.signedPreKeyId,
    signed_pre_key: hex(signedPreKey.getPublicKey().serialize()),
    signed_pre_key_signature: keys.signedPreKeySignature,
    kyber_pre_key_id: null,
    kyber_pre_key: null,
    kyber_pre_key_signature: null,
  };
  if (withOneTime) {
    const preKey = signal.PrivateKey.deserialize(seeded.take(32));
    keys.preKeyId = 100 + seeded.int(1000);
    keys.preKeyPrivate = hex(preKey.serialize());
    bundle.pre_key_id = keys.preKeyId;
    bundle.pre_key = hex(preKey.getPublicKey().serialize());
  }
  if (withKyber) {
    keys.kyberKeySeed = hex(seeded.take(64));
    const { public_key: raw } = await cliquet.ok('kem_keygen', { kem_type: 'kyber1024', seed: keys.kyberKeySeed });
    const typed = Buffer.concat([Buffer.from([0x08]), Buffer.from(raw, 'hex')]);
    keys.kyberPreKeyId = 2000 + seeded.int(1000);
    keys.kyberPreKeySignature = hex(identity.sign(typed));
    bundle.kyber_pre_key_id = keys.kyberPreKeyId;
    bundle.kyber_pre_key = hex(typed);
    bundle.kyber_pre_key_signature = keys.kyberPreKeySignature;
  }
  return { keys, bundle };
}

async function makeCase(impl, label, flag, version, withOneTime, cliquet) {
  const seeded = new SeededBytes(`cliquet session_libsignal ${impl} v${version} ${withOneTime}`);
  const alicePrivate = signal.PrivateKey.deserialize(seeded.take(32));
  const alice = { name: 'alice', registrationId: 1 + seeded.int(16000), identityPrivate: hex(alicePrivate.serialize()) };
  const bob = await bobKeys(seeded, 'bob', withOneTime, version === 4, cliquet);

  const sender = await Peer.spawn(process.execPath, [LIBSIGNAL_PEER, '--impl', impl]);
  const messages = [];
  try {
    await sender.ok('init', {
      name: alice.name, device_id: 1, registration_id: alice.registrationId, identity_private: alice.identityPrivate,
    });
    await sender.ok('process_bundle', { peer: { name: 'bob', device_id: 1 }, bundle: bob.bundle });
    for (let i = 0; i < 5; i++) {
      const plaintext = seeded.take(seeded.int(200));
      const { type, ciphertext } = await sender.ok('encrypt', { peer: { name: 'bob', device_id: 1 }, plaintext: hex(plaintext) });
      messages.push({ type, ciphertext, plaintext: hex(plaintext) });
    }
  } finally {
    sender.close();
  }
  for (const message of messages) {
    if (message.type !== 'prekey') throw new Error(`${label} sent a ${message.type} message before any reply`);
  }

  const events = [];
  const receive = (message) => events.push({ op: 'decrypt', by: 'bob', ...message });
  const refuse = (ciphertext, error) => events.push({ op: 'decrypt', by: 'bob', type: 'prekey', ciphertext, error });
  receive(messages[2]);
  receive(messages[0]);
  refuse(messages[0].ciphertext, 'duplicate_message');
  refuse(hex(withTamperedMac(Buffer.from(messages[1].ciphertext, 'hex'))), 'invalid_message');
  const wrongVersion = Buffer.from(messages[1].ciphertext, 'hex');
  wrongVersion[0] = 0x23;
  refuse(hex(wrongVersion), 'invalid_message');
  refuse(messages[1].ciphertext.slice(0, 2 * Math.floor(messages[1].ciphertext.length / 4)), 'invalid_message');
  receive(messages[4]);
  receive(messages[1]);
  receive(messages[3]);

  const firstByte = messages[0].ciphertext.slice(0, 2);
  return {
    comment: `sent by ${label}, session version ${version} (first byte ${firstByte}), ` +
      `${withOneTime ? 'with' : 'without'} a one-time pre-key; out of order, then refusals`,
    flags: [flag, version === 4 ? 'Version4' : 'Version3', 'OutOfOrder', 'Refusals'],
    result: 'invalid',
    alice,
    bob: bob.keys,
    events,
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const cliquet = await Peer.spawn(options.cliquetPeer);
  const tests = [];
  try {
    await cliquet.ok('init', { name: 'keygen', device_id: 1, registration_id: 1 });
    const runs = [
      ['node6', 'libsignal-node 6.0.0', 'LibsignalNode', 3],
      ['0.72', 'libsignal 0.72.1', 'Libsignal072', 3],
      ['0.72', 'libsignal 0.72.1', 'Libsignal072', 4],
      ['0.90', 'libsignal 0.90.0', 'Libsignal090', 4],
    ];
    for (const [impl, label, flag, version] of runs) {
      for (const withOneTime of [true, false]) {
        tests.push(await makeCase(impl, label, flag, version, withOneTime, cliquet));
      }
    }
  } finally {
    cliquet.close();
  }
  tests.forEach((test, index) => { test.tcId = index + 1; });
  const file = {
    category: 'session',
    algorithm: 'Signal 1:1 sessions',
    schema: 'session_test_schema.json',
    generatorVersion: 'cliquet test_vectors/generate/sessions_libsignal.js 1',
    numberOfTests: tests.length,
    header: [
      'Decrypt-only session vectors: pre-key messages sent by libsignal-node 6.0.0 and by',
      '@signalapp/libsignal-client 0.72.1 and 0.90.0 to a receiver given by its private keys (Kyber1024',
      'pair generated from kyberKeySeed = d || z). Same schema as session.json; the sender draws its own',
      'randomness, so only the receiving side replays. Bytes are hex.',
    ],
    notes: {
      LibsignalNode: 'sent by libsignal-node 6.0.0 (npm libsignal)',
      Libsignal072: 'sent by libsignal 0.72.1 (npm @signalapp/libsignal-client, the Rust core before SPQR)',
      Libsignal090: 'sent by libsignal 0.90.0 (SPQR optional; its pq_ratchet field is ignored by the receiver)',
      Version3: 'an X3DH session: libsignal-node frames its messages 0x33, libsignal 0.72 frames them 0x34',
      Version4: 'a PQXDH session with Kyber1024 (messages 0x44)',
      OutOfOrder: 'pre-key messages delivered out of order',
      Refusals: 'a replay (duplicate_message), a tampered MAC, a wrong version and a truncation (invalid_message), stores unchanged',
    },
    testGroups: [{ type: 'SessionTranscriptTest', tests }],
  };
  fs.writeFileSync(options.out, `${JSON.stringify(file, null, 2)}\n`);
  toFormatV2(options.out);
  process.stderr.write(`wrote ${tests.length} tests to ${options.out}\n`);
  if (options.cliquetVectors) {
    process.stdout.write(execFileSync(options.cliquetVectors, ['verify', options.out]));
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

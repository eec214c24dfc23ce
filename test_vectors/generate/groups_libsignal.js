'use strict';
// Writes test_vectors/{sender_keys,fingerprint}.json from two sources:
//   - cases computed by the official libsignal 0.103.0 through its Node
//     binding (flag Libsignal), with invalid cases that libsignal itself is
//     shown to refuse;
//   - cases computed by cliquet (`cliquet-vectors generate CATEGORY`, flag
//     Cliquet), each replayed here through libsignal, which must agree.
// Finally it runs `cliquet-vectors verify` on what it wrote.
//
// Usage (from anywhere; packages are loaded from interop/node_modules):
//   node test_vectors/generate/groups_libsignal.js --cliquet-vectors PATH [--out DIR]
// PATH defaults to $CLIQUET_VECTORS; DIR to test_vectors/. Inputs come from a
// seeded generator; reruns differ where libsignal draws its own randomness
// (signatures, and the chains that SenderKeyDistributionMessage.create makes).

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { parseGeneratorArgs, hex, unhex, toFormatV2 } = require('./cli');

const interopRequire = createRequire(path.resolve(__dirname, '../../interop/package.json'));
const signal = interopRequire('@signalapp/libsignal-client');

// ---- helpers --------------------------------------------------------------------

// A reproducible byte stream: SHA-256(seed || counter) blocks.
class SeededBytes {
  constructor(label) {
    this.seed = nodeCrypto.createHash('sha256').update(`cliquet test vectors: ${label}`).digest();
    this.counter = 0;
  }
  bytes(n) {
    const chunks = [];
    for (let have = 0; have < n; have += 32) {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(BigInt(this.counter++));
      chunks.push(nodeCrypto.createHash('sha256').update(this.seed).update(counter).digest());
    }
    return new Uint8Array(Buffer.concat(chunks).subarray(0, n));
  }
  u31() {
    return Buffer.from(this.bytes(4)).readUInt32BE(0) >>> 1;
  }
}

const uuidString = (bytes) => {
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

function refusal(operation) {
  try {
    operation();
  } catch (e) {
    return e;
  }
  return null;
}

async function asyncRefusal(operation) {
  try {
    await operation();
  } catch (e) {
    return e;
  }
  return null;
}

function testCase(comment, valid, flags, fields) {
  return { tcId: 0, comment, flags, ...fields, result: valid ? 'valid' : 'invalid' };
}

// Cliquet's file for `category`, as `cliquet-vectors generate` prints it.
function cliquetFile(options, category) {
  const text = execFileSync(options.cliquetVectors, ['generate', category], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(text);
}

// Cliquet's groups followed by libsignal's, renumbered, with the notes of
// the flags in use.
function combine(cliquet, libsignalGroups, extraNotes) {
  const groups = [];
  for (const group of [...cliquet.testGroups, ...libsignalGroups]) {
    const same = groups.find((g) => g.type === group.type);
    if (same) same.tests.push(...group.tests);
    else groups.push({ ...group, tests: [...group.tests] });
  }
  let id = 0;
  for (const group of groups) for (const test of group.tests) test.tcId = ++id;
  const notes = { ...cliquet.notes, ...extraNotes };
  const used = new Set(groups.flatMap((g) => g.tests.flatMap((t) => t.flags)));
  for (const flag of used) assert.ok(notes[flag], `${cliquet.category}: flag ${flag} has no note`);
  return {
    category: cliquet.category,
    algorithm: cliquet.algorithm,
    schema: cliquet.schema,
    generatorVersion: 'cliquet test_vectors/generate/groups_libsignal.js 1',
    numberOfTests: id,
    header: cliquet.header,
    notes: Object.fromEntries(Object.entries(notes).filter(([flag]) => used.has(flag))),
    testGroups: groups,
  };
}

const LIBSIGNAL_NOTE = {
  Libsignal: 'Computed by the official libsignal 0.103.0 (npm @signalapp/libsignal-client) through its Node ' +
    'binding; invalid cases are refused by it too.',
  Cliquet: 'Computed by cliquet (cliquet-vectors generate) from a fixed seed, and replayed through libsignal ' +
    '0.103.0 by test_vectors/generate/groups_libsignal.js, which agrees.',
};

// ---- fingerprint ------------------------------------------------------------------

function libsignalFingerprint(test) {
  return signal.Fingerprint.new(test.iterations, test.version, unhex(test.localId),
    signal.PublicKey.deserialize(unhex(test.localKey)), unhex(test.remoteId),
    signal.PublicKey.deserialize(unhex(test.remoteKey)));
}

function libsignalCompare(test) {
  return signal.ScannableFingerprint._fromBuffer(unhex(test.ours))
    .compare(signal.ScannableFingerprint._fromBuffer(unhex(test.theirs)));
}

// Replays one case (either source) through libsignal.
function checkFingerprintCase(type, test) {
  const what = `fingerprint "${test.comment}"`;
  if (type === 'FingerprintTest') {
    if (test.result === 'invalid') {
      assert.ok(refusal(() => libsignalFingerprint(test)), `${what}: libsignal accepts it`);
      return;
    }
    const fingerprint = libsignalFingerprint(test);
    assert.equal(fingerprint.displayableFingerprint().toString(), test.displayable, what);
    assert.equal(hex(fingerprint.scannableFingerprint().toBuffer()), test.scannable, what);
  } else if (type === 'ScannableCompareTest') {
    if (test.result === 'invalid') {
      assert.ok(refusal(() => libsignalCompare(test)), `${what}: libsignal accepts it`);
      return;
    }
    assert.equal(libsignalCompare(test), test.match, what);
  } else {
    throw new Error(`unknown fingerprint group type ${type}`);
  }
}

function fingerprintFile(options) {
  const cliquet = cliquetFile(options, 'fingerprint');
  for (const group of cliquet.testGroups) for (const test of group.tests) checkFingerprintCase(group.type, test);

  const seeded = new SeededBytes('fingerprint/libsignal');
  const key = () => signal.PrivateKey.deserialize(seeded.bytes(32)).getPublicKey();
  const e164 = (n) => Buffer.from(`+1202555${String(n).padStart(4, '0')}`);
  const fingerprints = [];
  const compares = [];
  let n = 0;
  const configurations = [[1, 5200], [2, 5200], [1, 2], [2, 3], [2, 31337]];
  for (const [version, iterations] of configurations) {
    const local = { id: version === 1 ? e164(n++) : seeded.bytes(16), key: key() };
    const remote = { id: version === 1 ? e164(n++) : seeded.bytes(16), key: key() };
    const atLocal = signal.Fingerprint.new(iterations, version, local.id, local.key, remote.id, remote.key);
    const atRemote = signal.Fingerprint.new(iterations, version, remote.id, remote.key, local.id, local.key);
    fingerprints.push(testCase(`version ${version}, ${iterations} iterations`, true, ['Libsignal'], {
      version, iterations,
      localId: hex(local.id), localKey: hex(local.key.serialize()),
      remoteId: hex(remote.id), remoteKey: hex(remote.key.serialize()),
      displayable: atLocal.displayableFingerprint().toString(),
      scannable: hex(atLocal.scannableFingerprint().toBuffer()),
    }));
    const ours = hex(atLocal.scannableFingerprint().toBuffer());
    const theirs = hex(atRemote.scannableFingerprint().toBuffer());
    compares.push(testCase(`version ${version}: the other side's code`, true, ['Libsignal', 'Match'],
      { ours, theirs, match: true }));
    compares.push(testCase(`version ${version}: our own code`, true, ['Libsignal', 'NoMatch'],
      { ours, theirs: ours, match: false }));
  }
  {
    const local = { id: seeded.bytes(16), key: key() };
    const remote = { id: seeded.bytes(16), key: key() };
    for (const iterations of [0, 1, 1000001]) {
      const fields = {
        version: 2, iterations, localId: hex(local.id), localKey: hex(local.key.serialize()),
        remoteId: hex(remote.id), remoteKey: hex(remote.key.serialize()),
      };
      fingerprints.push(testCase(`iteration count ${iterations}`, false, ['Libsignal', 'IterationCount'], fields));
    }
    const v1 = hex(signal.Fingerprint.new(2, 1, local.id, local.key, remote.id, remote.key).scannableFingerprint().toBuffer());
    const v2 = hex(signal.Fingerprint.new(2, 2, remote.id, remote.key, local.id, local.key).scannableFingerprint().toBuffer());
    compares.push(testCase('a version 2 code scanned by version 1', false, ['Libsignal', 'VersionMismatch'],
      { ours: v1, theirs: v2 }));
    compares.push(testCase('a truncated code', false, ['Libsignal', 'Malformed'],
      { ours: v2, theirs: v1.slice(0, 60) }));
  }
  const libsignalGroups = [
    { type: 'FingerprintTest', tests: fingerprints },
    { type: 'ScannableCompareTest', tests: compares },
  ];
  for (const group of libsignalGroups) for (const test of group.tests) checkFingerprintCase(group.type, test);
  return combine(cliquet, libsignalGroups, LIBSIGNAL_NOTE);
}

// ---- sender keys ----------------------------------------------------------------

const SENDER = signal.ProtocolAddress.new('sender', 1);

class MemorySenderKeyStore extends signal.SenderKeyStore {
  constructor() {
    super();
    this.records = new Map();
  }
  async saveSenderKey(sender, distributionId, record) {
    this.records.set(`${sender.name()}.${sender.deviceId()}/${distributionId}`, record.serialize());
  }
  async getSenderKey(sender, distributionId) {
    const bytes = this.records.get(`${sender.name()}.${sender.deviceId()}/${distributionId}`);
    return bytes ? signal.SenderKeyRecord.deserialize(bytes) : null;
  }
}

// Just enough protobuf to write a SenderKeyRecordStructure (libsignal's
// storage.proto), so that libsignal can be handed a chain at a chosen point.
function varint(value) {
  const out = [];
  let v = BigInt(value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Buffer.from(out);
}
const field = (number, bytes) => Buffer.concat([varint((number << 3) | 2), varint(bytes.length), Buffer.from(bytes)]);
const uintField = (number, value) => Buffer.concat([varint(number << 3), varint(value)]);

function senderRecord({ chainId, iteration, chainKey, signing }) {
  const state = Buffer.concat([
    uintField(1, chainId),
    field(2, Buffer.concat([uintField(1, iteration), field(2, chainKey)])),
    field(3, Buffer.concat([field(1, signing.getPublicKey().serialize()), field(2, signing.serialize())])),
    uintField(5, 3),
  ]);
  return signal.SenderKeyRecord.deserialize(new Uint8Array(field(1, state)));
}

// Replays one case (either source) through libsignal.
async function checkSenderKeysCase(type, test) {
  const what = `sender_keys "${test.comment}"`;
  if (type === 'SenderKeyEncryptTest') {
    const signing = signal.PrivateKey.deserialize(unhex(test.signingPrivate));
    const member = new MemorySenderKeyStore();
    const distributionId = test.distributionId;  // a UUID string in format version 2
    const skdm = signal.SenderKeyDistributionMessage._new(3, distributionId, test.chainId, test.iteration,
      unhex(test.chainKey), signing.getPublicKey());
    await signal.processSenderKeyDistributionMessage(SENDER, skdm, member);
    const plaintext = await signal.groupDecrypt(SENDER, member, unhex(test.message));
    assert.equal(hex(plaintext), test.plaintext, what);
    assert.ok(test.message.startsWith(test.body), `${what}: body is not the message's prefix`);
  } else if (type === 'SenderKeyDecryptTest') {
    const member = new MemorySenderKeyStore();
    if (test.distributionMessage) {
      await signal.processSenderKeyDistributionMessage(SENDER,
        signal.SenderKeyDistributionMessage.deserialize(unhex(test.distributionMessage)), member);
    }
    for (const prior of test.priorMessages) await signal.groupDecrypt(SENDER, member, unhex(prior));
    if (test.result === 'valid') {
      assert.equal(hex(await signal.groupDecrypt(SENDER, member, unhex(test.ciphertext))), test.plaintext, what);
      return;
    }
    const before = new Map(member.records);
    const error = await asyncRefusal(() => signal.groupDecrypt(SENDER, member, unhex(test.ciphertext)));
    assert.ok(error, `${what}: libsignal accepts it`);
    if (test.error === 'duplicate_message') assert.equal(error.code, signal.ErrorCode.DuplicatedMessage, what);
    assert.deepEqual(member.records, before, `${what}: libsignal changed its store`);
  } else if (type === 'DistributionMessageTest') {
    const bytes = unhex(test.distributionMessage);
    if (test.result === 'invalid') {
      assert.ok(refusal(() => signal.SenderKeyDistributionMessage.deserialize(bytes)), `${what}: libsignal accepts it`);
      return;
    }
    const message = signal.SenderKeyDistributionMessage.deserialize(bytes);
    assert.equal(message.distributionId(), test.distributionId, what);
    assert.equal(message.chainId(), test.chainId, what);
    assert.equal(message.iteration(), test.iteration, what);
    assert.equal(hex(message.chainKey()), test.chainKey, what);
    assert.ok(test.distributionMessage.endsWith(test.signingKey), `${what}: signing key`);
  } else if (type === 'SenderKeyRecordTest') {
    const bytes = unhex(test.record);
    if (test.result === 'invalid') {
      assert.ok(refusal(() => signal.SenderKeyRecord.deserialize(bytes)), `${what}: libsignal accepts it`);
      return;
    }
    assert.equal(hex(signal.SenderKeyRecord.deserialize(bytes).serialize()), test.record, what);
  } else {
    throw new Error(`unknown sender_keys group type ${type}`);
  }
}

async function libsignalEncryptTests(seeded) {
  const tests = [];
  for (const [iteration, size] of [[0, 0], [0, 1], [3, 16], [500, 33], [0xfffffffe, 64]]) {
    const distributionId = seeded.bytes(16);
    const chainId = seeded.u31();
    const chainKey = seeded.bytes(32);
    const signing = signal.PrivateKey.deserialize(seeded.bytes(32));
    const plaintext = seeded.bytes(size);
    const store = new MemorySenderKeyStore();
    await store.saveSenderKey(SENDER, uuidString(distributionId), senderRecord({ chainId, iteration, chainKey, signing }));
    const message = (await signal.groupEncrypt(SENDER, uuidString(distributionId), store, plaintext)).serialize();
    tests.push(testCase(`iteration ${iteration}, ${size} bytes`, true, ['Libsignal'], {
      distributionId: uuidString(distributionId), chainId, iteration, chainKey: hex(chainKey),
      signingPrivate: hex(signing.serialize()), plaintext: hex(plaintext),
      body: hex(message.subarray(0, message.length - 64)), message: hex(message),
    }));
  }
  return tests;
}

async function libsignalDecryptTests(seeded) {
  const sender = new MemorySenderKeyStore();
  const distributionId = uuidString(seeded.bytes(16));
  const skdm = hex((await signal.SenderKeyDistributionMessage.create(SENDER, distributionId, sender)).serialize());
  // Messages 0..25001; only a few are kept.
  const wanted = new Set([0, 1, 2, 3, 2001, 25000, 25001]);
  const messages = new Map();
  for (let i = 0; i <= 25001; i++) {
    const plaintext = wanted.has(i) ? seeded.bytes(7 * (i % 5) + 3) : new Uint8Array(0);
    const message = (await signal.groupEncrypt(SENDER, distributionId, sender, plaintext)).serialize();
    if (wanted.has(i)) messages.set(i, { plaintext: hex(plaintext), ciphertext: hex(message) });
  }
  const other = new MemorySenderKeyStore();
  const otherSkdm = hex((await signal.SenderKeyDistributionMessage.create(SENDER, distributionId, other)).serialize());

  const m = (i) => messages.get(i).ciphertext;
  const tampered = (i, index, mask) => {
    const bytes = unhex(m(i));
    bytes[index < 0 ? bytes.length + index : index] ^= mask;
    return hex(bytes);
  };
  const valid = (comment, flag, prior, i) => testCase(comment, true, ['Libsignal', flag],
    { distributionMessage: skdm, priorMessages: prior.map(m), ciphertext: m(i), plaintext: messages.get(i).plaintext });
  const invalid = (comment, flag, distributionMessage, prior, ciphertext, error) => testCase(comment, false,
    ['Libsignal', flag], { distributionMessage, priorMessages: prior.map(m), ciphertext, error });
  return [
    valid('the first message', 'InOrder', [], 0),
    valid('messages in order', 'InOrder', [0, 1, 2], 3),
    valid('a late message', 'OutOfOrder', [3], 1),
    valid('the largest jump ahead', 'OutOfOrder', [], 25000),
    invalid('a replay', 'Duplicate', skdm, [0], m(0), 'duplicate_message'),
    invalid('a replay of a late message', 'Duplicate', skdm, [3, 1], m(1), 'duplicate_message'),
    invalid('a message whose kept key was dropped', 'Duplicate', skdm, [2001], m(0), 'duplicate_message'),
    invalid('one more than the largest jump', 'FutureIteration', skdm, [], m(25001), 'invalid_message'),
    invalid('no distribution message', 'NoDistribution', '', [], m(0), 'no_session'),
    invalid('another chain of the same sender', 'UnknownChain', otherSkdm, [], m(0), 'no_session'),
    invalid('a flipped signature bit', 'BadSignature', skdm, [], tampered(0, -1, 0x01), 'invalid_signature'),
    invalid('a flipped ciphertext bit', 'BadSignature', skdm, [], tampered(0, -70, 0x01), 'invalid_signature'),
    invalid('version 2', 'WrongVersion', skdm, [], tampered(0, 0, 0x10), 'invalid_message'),
    invalid('version 4', 'WrongVersion', skdm, [], tampered(0, 0, 0x70), 'invalid_message'),
    invalid('truncated to 64 bytes', 'Malformed', skdm, [], m(0).slice(0, 128), 'invalid_message'),
  ];
}

async function libsignalDistributionTests(seeded) {
  const store = new MemorySenderKeyStore();
  const distributionId = uuidString(seeded.bytes(16));
  const message = await signal.SenderKeyDistributionMessage.create(SENDER, distributionId, store);
  const good = message.serialize();
  const signingKey = good.subarray(good.length - 33);
  const mutated = (index, value) => {
    const bytes = new Uint8Array(good);
    bytes[index < 0 ? bytes.length + index : index] = value;
    return hex(bytes);
  };
  return [
    testCase('a distribution message', true, ['Libsignal', 'Parse'], {
      distributionMessage: hex(good), distributionId,
      chainId: message.chainId(), iteration: message.iteration(), chainKey: hex(message.chainKey()),
      signingKey: hex(signingKey),
    }),
    testCase('version 2', false, ['Libsignal', 'WrongVersion'], { distributionMessage: mutated(0, 0x23), error: 'invalid_message' }),
    testCase('version 4', false, ['Libsignal', 'WrongVersion'], { distributionMessage: mutated(0, 0x43), error: 'invalid_message' }),
    testCase('too short', false, ['Libsignal', 'Malformed'], { distributionMessage: hex(good.subarray(0, 64)), error: 'invalid_message' }),
    testCase('a signing key of type 6', false, ['Libsignal', 'BadKey'], { distributionMessage: mutated(-33, 0x06), error: 'invalid_key' }),
  ];
}

async function libsignalRecordTests(seeded) {
  const distributionId = uuidString(seeded.bytes(16));
  const sender = new MemorySenderKeyStore();
  const member = new MemorySenderKeyStore();
  const stored = (store) => hex([...store.records.values()][0]);
  const skdm = await signal.SenderKeyDistributionMessage.create(SENDER, distributionId, sender);
  const freshSender = stored(sender);
  await signal.processSenderKeyDistributionMessage(SENDER, skdm, member);
  const messages = [];
  for (let i = 0; i < 4; i++) messages.push((await signal.groupEncrypt(SENDER, distributionId, sender, seeded.bytes(1))).serialize());
  await signal.groupDecrypt(SENDER, member, messages[3]);
  const withSkipped = stored(member);
  const other = await signal.SenderKeyDistributionMessage.create(SENDER, distributionId, new MemorySenderKeyStore());
  await signal.processSenderKeyDistributionMessage(SENDER, other, member);
  const twoChains = stored(member);
  const record = (comment, flag, bytes, valid) => testCase(comment, valid, ['Libsignal', flag], { record: bytes });
  return [
    record("a sender's new chain", 'Record', freshSender, true),
    record("a sender's chain after four messages", 'Record', stored(sender), true),
    record("a member's chain keeping three skipped keys", 'Record', withSkipped, true),
    record("a member's record with two chains", 'Record', twoChains, true),
    record('not a protobuf', 'Malformed', 'ff', false),
    record('a truncated record', 'Malformed', twoChains.slice(0, -2), false),
  ];
}

async function senderKeysFile(options) {
  const cliquet = cliquetFile(options, 'sender_keys');
  for (const group of cliquet.testGroups) for (const test of group.tests) await checkSenderKeysCase(group.type, test);

  const seeded = new SeededBytes('sender_keys/libsignal');
  const libsignalGroups = [
    { type: 'SenderKeyEncryptTest', tests: await libsignalEncryptTests(seeded) },
    { type: 'SenderKeyDecryptTest', tests: await libsignalDecryptTests(seeded) },
    { type: 'DistributionMessageTest', tests: await libsignalDistributionTests(seeded) },
    { type: 'SenderKeyRecordTest', tests: await libsignalRecordTests(seeded) },
  ];
  for (const group of libsignalGroups) for (const test of group.tests) await checkSenderKeysCase(group.type, test);
  return combine(cliquet, libsignalGroups, LIBSIGNAL_NOTE);
}

// ---- main -----------------------------------------------------------------------

async function main() {
  const options = parseGeneratorArgs(process.argv.slice(2), 'groups_libsignal.js');
  const written = [];
  for (const [category, make] of [['fingerprint', fingerprintFile], ['sender_keys', senderKeysFile]]) {
    const file = await make(options);
    const target = path.join(options.out, `${category}.json`);
    fs.writeFileSync(target, JSON.stringify(file, null, 2) + '\n');
    toFormatV2(target);
    console.log(`${target}: ${file.numberOfTests} cases`);
    written.push(target);
  }
  try {
    const verdict = execFileSync(options.cliquetVectors, ['verify', ...written], { encoding: 'utf8' }).trim().split('\n');
    console.log(`cliquet-vectors verify: ${verdict[verdict.length - 1]}`);
  } catch (e) {
    process.stdout.write(e.stdout || '');
    console.error('cliquet-vectors verify failed on the files just written');
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

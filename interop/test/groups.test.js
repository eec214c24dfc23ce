'use strict';
// Sender keys and safety numbers of cliquet-peer (CLIQUET_PEER) against
// libsignal 0.103 (@signalapp/libsignal-client) running in this process with
// an in-memory SenderKeyStore, in both directions: group messages in order
// and shuffled, replays, tampering, a member without the distribution
// message, a signing key that only X25519 takes for the same, and
// fingerprints computed on both sides; and a shorter round
// against the older releases 0.72 and 0.90.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const lib = require('@signalapp/libsignal-client');
const { Peer } = require('../lib/peer');

const MESSAGES = 300;
const REPLAYS = 20;

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

// A SenderKeyStore of the libsignal release `signal`, kept in a Map of
// serialized records.
function senderKeyStoreClass(signal) {
  return class MemorySenderKeyStore extends signal.SenderKeyStore {
    constructor() {
      super();
      this.records = new Map();
    }
    static key(sender, distributionId) {
      return `${sender.name()}.${sender.deviceId()}/${distributionId}`;
    }
    async saveSenderKey(sender, distributionId, record) {
      this.records.set(MemorySenderKeyStore.key(sender, distributionId), record.serialize());
    }
    async getSenderKey(sender, distributionId) {
      const bytes = this.records.get(MemorySenderKeyStore.key(sender, distributionId));
      return bytes ? signal.SenderKeyRecord.deserialize(bytes) : null;
    }
  };
}
const MemorySenderKeyStore = senderKeyStoreClass(lib);

// A reproducible permutation of 0..n-1 (Fisher-Yates over SHA-256 of a label).
function shuffledIndices(n, label) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const digest = crypto.createHash('sha256').update(`${label}/${i}`).digest();
    const j = digest.readUInt32BE(0) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

// Plaintexts of varied sizes, around and across the AES block size.
const plaintextFor = (i) => crypto.randomBytes((i * 37) % 300);

async function startPeer(t, name, identityPrivate) {
  const peer = await Peer.spawn(process.env.CLIQUET_PEER);
  t.after(() => peer.close());
  const params = { name, device_id: 1, registration_id: 1 + (crypto.randomInt(0x3ffe)) };
  if (identityPrivate) params.identity_private = hex(identityPrivate);
  await peer.ok('init', params);
  return peer;
}

// Flips the bits `mask` of byte `index` (negative: from the end).
function flipped(bytes, index, mask = 0x01) {
  const copy = new Uint8Array(bytes);
  copy[index < 0 ? copy.length + index : index] ^= mask;
  return copy;
}

for (const order of ['in order', 'shuffled']) {
  test(`cliquet sends ${MESSAGES} group messages ${order}, libsignal 0.103 receives`, async (t) => {
    const sender = await startPeer(t, 'cliquet-sender');
    const senderAddress = lib.ProtocolAddress.new('cliquet-sender', 1);
    const distributionId = crypto.randomUUID();
    const { distribution_message: skdm } = await sender.ok('group_start', { distribution_id: distributionId });

    const member = new MemorySenderKeyStore();
    await lib.processSenderKeyDistributionMessage(
      senderAddress, lib.SenderKeyDistributionMessage.deserialize(unhex(skdm)), member);

    const sent = [];
    for (let i = 0; i < MESSAGES; i++) {
      const plaintext = plaintextFor(i);
      const { ciphertext } = await sender.ok('group_encrypt', { distribution_id: distributionId, plaintext: hex(plaintext) });
      sent.push({ plaintext, ciphertext: unhex(ciphertext) });
    }
    const indices = order === 'in order' ? sent.map((_, i) => i) : shuffledIndices(MESSAGES, `groups/${order}`);
    for (const i of indices) {
      const plaintext = await lib.groupDecrypt(senderAddress, member, sent[i].ciphertext);
      assert.equal(hex(plaintext), hex(sent[i].plaintext), `message ${i}`);
    }

    for (const i of indices.slice(0, REPLAYS)) {
      await assert.rejects(lib.groupDecrypt(senderAddress, member, sent[i].ciphertext),
        (e) => e.code === lib.ErrorCode.DuplicatedMessage, `replay of message ${i}`);
    }

    const next = unhex((await sender.ok('group_encrypt', { distribution_id: distributionId, plaintext: '6e657874' })).ciphertext);
    for (const [index, mask] of [[-1, 0x01], [-40, 0x01], [30, 0x01], [0, 0x10]]) {
      await assert.rejects(lib.groupDecrypt(senderAddress, member, flipped(next, index, mask)), undefined,
        `tampered at ${index}`);
    }
    assert.equal(Buffer.from(await lib.groupDecrypt(senderAddress, member, next)).toString(), 'next');

    const stranger = new MemorySenderKeyStore();
    await assert.rejects(lib.groupDecrypt(senderAddress, stranger, next), /missing sender key state/,
      'a member without the distribution message');
  });

  test(`libsignal 0.103 sends ${MESSAGES} group messages ${order}, cliquet receives`, async (t) => {
    const senderAddress = lib.ProtocolAddress.new('libsignal-sender', 1);
    const sender = { name: 'libsignal-sender', device_id: 1 };
    const senderStore = new MemorySenderKeyStore();
    const distributionId = crypto.randomUUID();
    const skdm = await lib.SenderKeyDistributionMessage.create(senderAddress, distributionId, senderStore);

    const member = await startPeer(t, 'cliquet-member');
    await member.ok('group_join', { sender, distribution_message: hex(skdm.serialize()) });

    const sent = [];
    for (let i = 0; i < MESSAGES; i++) {
      const plaintext = plaintextFor(i);
      const message = await lib.groupEncrypt(senderAddress, distributionId, senderStore, plaintext);
      assert.equal(message.type(), lib.CiphertextMessageType.SenderKey);
      sent.push({ plaintext, ciphertext: message.serialize() });
    }
    const indices = order === 'in order' ? sent.map((_, i) => i) : shuffledIndices(MESSAGES, `groups/${order}`);
    for (const i of indices) {
      const { plaintext } = await member.ok('group_decrypt', { sender, ciphertext: hex(sent[i].ciphertext) });
      assert.equal(plaintext, hex(sent[i].plaintext), `message ${i}`);
    }

    for (const i of indices.slice(0, REPLAYS)) {
      const response = await member.call('group_decrypt', { sender, ciphertext: hex(sent[i].ciphertext) });
      assert.equal(response.ok, false, `replay of message ${i} accepted`);
      assert.equal(response.error.code, 'duplicate_message', `replay of message ${i}`);
    }

    const next = (await lib.groupEncrypt(senderAddress, distributionId, senderStore, Buffer.from('next'))).serialize();
    const tamperings = [
      { index: -1, code: 'invalid_signature' },   // the signature
      { index: -40, code: 'invalid_signature' },  // the signature, further in
      { index: 30, code: 'invalid_signature' },   // the body: the signature no longer covers it
      { index: 0, mask: 0x10, code: 'invalid_message' },  // the version nibble: 3 becomes 2
      { index: 0, mask: 0x01, code: 'invalid_signature' }, // the other nibble is only signed
    ];
    for (const { index, mask, code } of tamperings) {
      const response = await member.call('group_decrypt', { sender, ciphertext: hex(flipped(next, index, mask)) });
      assert.equal(response.ok, false, `message tampered at ${index} accepted`);
      assert.equal(response.error.code, code, `message tampered at ${index}`);
    }
    const { plaintext } = await member.ok('group_decrypt', { sender, ciphertext: hex(next) });
    assert.equal(Buffer.from(unhex(plaintext)).toString(), 'next');

    const stranger = await startPeer(t, 'cliquet-stranger');
    const response = await stranger.call('group_decrypt', { sender, ciphertext: hex(next) });
    assert.equal(response.ok, false);
    assert.equal(response.error.code, 'no_session');
  });
}

test('distribution messages from either side describe the same chain', async (t) => {
  const sender = await startPeer(t, 'cliquet-sender');
  const distributionId = crypto.randomUUID();
  const { distribution_message: first } = await sender.ok('group_start', { distribution_id: distributionId });
  await sender.ok('group_encrypt', { distribution_id: distributionId, plaintext: '00' });
  const { distribution_message: later } = await sender.ok('group_start', { distribution_id: distributionId });

  const parsedFirst = lib.SenderKeyDistributionMessage.deserialize(unhex(first));
  const parsedLater = lib.SenderKeyDistributionMessage.deserialize(unhex(later));
  assert.equal(parsedFirst.distributionId(), distributionId);
  assert.equal(parsedFirst.iteration(), 0);
  assert.equal(parsedLater.iteration(), 1);
  assert.equal(parsedLater.chainId(), parsedFirst.chainId());
  assert.ok(parsedFirst.chainId() < 2 ** 31);
  // libsignal re-encodes the same fields into the same bytes.
  const rebuilt = lib.SenderKeyDistributionMessage._new(3, distributionId, parsedFirst.chainId(), 0,
    parsedFirst.chainKey(), lib.PublicKey.deserialize(unhex(first).subarray(unhex(first).length - 33)));
  assert.equal(hex(rebuilt.serialize()), first);
});

test('a signing key that differs only in the bit X25519 ignores replaces the chain on both sides', async (t) => {
  // Both compare signing keys byte for byte, so the flipped key is another
  // key and the chain starts again (a message already read reads again);
  // XEdDSA ignores the bit, so the sender's signatures still verify.
  const senderAddress = lib.ProtocolAddress.new('libsignal-sender', 1);
  const sender = { name: 'libsignal-sender', device_id: 1 };
  const senderStore = new MemorySenderKeyStore();
  const distributionId = crypto.randomUUID();
  const skdm = (await lib.SenderKeyDistributionMessage.create(senderAddress, distributionId, senderStore)).serialize();
  const g1 = (await lib.groupEncrypt(senderAddress, distributionId, senderStore, Buffer.from('g1'))).serialize();
  const g2 = (await lib.groupEncrypt(senderAddress, distributionId, senderStore, Buffer.from('g2'))).serialize();
  const equivalent = flipped(skdm, -1, 0x80);  // the signing key's u-coordinate ends the message

  const member = new MemorySenderKeyStore();
  const peer = await startPeer(t, 'cliquet-member');
  const theirs = async (message) => Buffer.from(await lib.groupDecrypt(senderAddress, member, message)).toString();
  const ours = async (message) => {
    const response = await peer.call('group_decrypt', { sender, ciphertext: hex(message) });
    return response.ok ? Buffer.from(unhex(response.plaintext)).toString() : response.error.code;
  };

  await lib.processSenderKeyDistributionMessage(senderAddress, lib.SenderKeyDistributionMessage.deserialize(skdm), member);
  await peer.ok('group_join', { sender, distribution_message: hex(skdm) });
  assert.equal(await theirs(g1), 'g1');
  assert.equal(await ours(g1), 'g1');
  await assert.rejects(theirs(g1), (e) => e.code === lib.ErrorCode.DuplicatedMessage);
  assert.equal(await ours(g1), 'duplicate_message');

  await lib.processSenderKeyDistributionMessage(senderAddress, lib.SenderKeyDistributionMessage.deserialize(equivalent), member);
  await peer.ok('group_join', { sender, distribution_message: hex(equivalent) });
  assert.equal(await theirs(g1), 'g1');
  assert.equal(await ours(g1), 'g1');
  assert.equal(await theirs(g2), 'g2');
  assert.equal(await ours(g2), 'g2');
});

test('both sides compute the same safety numbers', async (t) => {
  const alicePrivate = lib.PrivateKey.generate();
  const alicePublic = alicePrivate.getPublicKey();
  const alice = await startPeer(t, 'alice', alicePrivate.serialize());

  const cases = [
    { version: 1, iterations: 5200, aliceId: Buffer.from('+14152222222'), bobId: Buffer.from('+14153333333') },
    { version: 2, iterations: 5200, aliceId: unhex(crypto.randomUUID().replaceAll('-', '')), bobId: unhex(crypto.randomUUID().replaceAll('-', '')) },
    { version: 2, iterations: 2, aliceId: new Uint8Array(0), bobId: Buffer.from('x') },
    { version: 1, iterations: 1024, aliceId: crypto.randomBytes(40), bobId: crypto.randomBytes(3) },
  ];
  for (const { version, iterations, aliceId, bobId } of cases) {
    const bobPublic = lib.PrivateKey.generate().getPublicKey();
    const ours = await alice.ok('fingerprint', {
      iterations, version, local_id: hex(aliceId), remote_id: hex(bobId), remote_identity_key: hex(bobPublic.serialize()),
    });
    const atAlice = lib.Fingerprint.new(iterations, version, aliceId, alicePublic, bobId, bobPublic);
    const atBob = lib.Fingerprint.new(iterations, version, bobId, bobPublic, aliceId, alicePublic);
    const what = `version ${version}, ${iterations} iterations`;

    assert.match(ours.displayable, /^[0-9]{60}$/, what);
    assert.equal(ours.displayable, atAlice.displayableFingerprint().toString(), what);
    assert.equal(ours.displayable, atBob.displayableFingerprint().toString(), what);
    assert.equal(ours.scannable, hex(atAlice.scannableFingerprint().toBuffer()), what);
    const scanned = lib.ScannableFingerprint._fromBuffer(unhex(ours.scannable));
    assert.equal(atBob.scannableFingerprint().compare(scanned), true, what);

    // Another key for bob: the numbers differ and the codes do not match.
    const impostor = lib.PrivateKey.generate().getPublicKey();
    const atImpostor = lib.Fingerprint.new(iterations, version, bobId, impostor, aliceId, alicePublic);
    assert.notEqual(ours.displayable, atImpostor.displayableFingerprint().toString(), what);
    assert.equal(atImpostor.scannableFingerprint().compare(scanned), false, what);
  }

  for (const iterations of [0, 1, 1_000_001]) {
    const response = await alice.call('fingerprint', {
      iterations, version: 2, local_id: '00', remote_id: '01', remote_identity_key: hex(alicePublic.serialize()),
    });
    assert.equal(response.ok, false, `${iterations} iterations accepted`);
    assert.equal(response.error.code, 'bad_request');
    assert.throws(() => lib.Fingerprint.new(iterations, 2, unhex('00'), alicePublic, unhex('01'), alicePublic));
  }
});

for (const [release, name] of [['0.72', 'libsignal-client-0.72'], ['0.90', 'libsignal-client-0.90']]) {
  test(`sender keys and safety numbers against libsignal ${release}`, async (t) => {
    const older = require(name);
    const OlderStore = senderKeyStoreClass(older);
    const count = 30;
    const order = shuffledIndices(count, `groups/${release}`);

    // cliquet sends, the older release receives.
    const sender = await startPeer(t, 'cliquet-sender');
    const cliquetAddress = older.ProtocolAddress.new('cliquet-sender', 1);
    const outgoing = crypto.randomUUID();
    const { distribution_message: skdm } = await sender.ok('group_start', { distribution_id: outgoing });
    const member = new OlderStore();
    await older.processSenderKeyDistributionMessage(cliquetAddress,
      older.SenderKeyDistributionMessage.deserialize(Buffer.from(skdm, 'hex')), member);
    const sent = [];
    for (let i = 0; i < count; i++) {
      const plaintext = plaintextFor(i);
      const { ciphertext } = await sender.ok('group_encrypt', { distribution_id: outgoing, plaintext: hex(plaintext) });
      sent.push({ plaintext, ciphertext: Buffer.from(ciphertext, 'hex') });
    }
    for (const i of order) {
      assert.equal(hex(await older.groupDecrypt(cliquetAddress, member, sent[i].ciphertext)), hex(sent[i].plaintext));
    }
    await assert.rejects(older.groupDecrypt(cliquetAddress, member, sent[order[0]].ciphertext),
      (e) => e.code === older.ErrorCode.DuplicatedMessage);

    // The older release sends, cliquet receives.
    const olderAddress = older.ProtocolAddress.new('older-sender', 1);
    const olderSender = { name: 'older-sender', device_id: 1 };
    const senderStore = new OlderStore();
    const incoming = crypto.randomUUID();
    const theirSkdm = await older.SenderKeyDistributionMessage.create(olderAddress, incoming, senderStore);
    const receiver = await startPeer(t, 'cliquet-member');
    await receiver.ok('group_join', { sender: olderSender, distribution_message: hex(theirSkdm.serialize()) });
    const received = [];
    for (let i = 0; i < count; i++) {
      const plaintext = Buffer.from(plaintextFor(i));
      received.push({ plaintext, ciphertext: (await older.groupEncrypt(olderAddress, incoming, senderStore, plaintext)).serialize() });
    }
    for (const i of order) {
      const { plaintext } = await receiver.ok('group_decrypt', { sender: olderSender, ciphertext: hex(received[i].ciphertext) });
      assert.equal(plaintext, hex(received[i].plaintext));
    }
    const replay = await receiver.call('group_decrypt', { sender: olderSender, ciphertext: hex(received[order[0]].ciphertext) });
    assert.equal(replay.ok, false);
    assert.equal(replay.error.code, 'duplicate_message');

    // Safety numbers.
    const alicePrivate = older.PrivateKey.generate();
    const alice = await startPeer(t, 'alice', alicePrivate.serialize());
    const bobPublic = older.PrivateKey.generate().getPublicKey();
    const aliceId = Buffer.from(unhex(crypto.randomUUID().replaceAll('-', '')));
    const bobId = Buffer.from(unhex(crypto.randomUUID().replaceAll('-', '')));
    const ours = await alice.ok('fingerprint', {
      iterations: 5200, version: 2, local_id: hex(aliceId), remote_id: hex(bobId), remote_identity_key: hex(bobPublic.serialize()),
    });
    const atAlice = older.Fingerprint.new(5200, 2, aliceId, alicePrivate.getPublicKey(), bobId, bobPublic);
    assert.equal(ours.displayable, atAlice.displayableFingerprint().toString());
    assert.equal(ours.scannable, hex(atAlice.scannableFingerprint().toBuffer()));
  });
}

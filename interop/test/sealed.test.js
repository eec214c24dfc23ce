'use strict';
// Sealed sender of cliquet-peer (CLIQUET_PEER) against libsignal 0.103
// (@signalapp/libsignal-client) in this process, in both directions:
// certificates made by each validate in the other; version 1 envelopes and
// version 2 messages made by each open in the other, for every content type,
// hint and group id; each side's fan-out of the other's version 2 message,
// compared byte for byte with its own; and the refusals (tampering, the wrong
// recipient, unknown versions, expired certificates, foreign trust roots,
// revoked server key ids, malformed sent messages); and version 0x22 sent
// messages whose 17-byte excluded entries outnumber 18-byte ones.
//
// libsignal 0.103 sessions need SPQR, which cliquet lacks, so the content
// sealed here is UnidentifiedSenderMessageContent with arbitrary inner bytes
// and message types rather than real session messages. Sessions exist only
// where version 2 needs them: for the recipients' registration ids.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const lib = require('@signalapp/libsignal-client');
const { Peer } = require('../lib/peer');
const SealedSenderMultiRecipientMessage = require("@signalapp/libsignal-client/dist/SealedSenderMultiRecipientMessage.js").default;

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

const NOW = 1_750_000_000_000;
const EXPIRATION = NOW + 86_400_000;

// libsignal's CiphertextMessageType numbers, the protobuf's, and the peer's names.
const CONTENT_TYPES = [
  { name: 'prekey', libsignal: 3, proto: 1 },
  { name: 'whisper', libsignal: 2, proto: 2 },
  { name: 'sender_key', libsignal: 7, proto: 7 },
  { name: 'plaintext', libsignal: 8, proto: 8 },
];
const HINTS = [0, 1, 2, 42];
const GROUP_IDS = [null, crypto.randomBytes(32)];

// ---- libsignal's side: stores ----------------------------------------------

class IdentityStore extends lib.IdentityKeyStore {
  constructor(pair, registrationId) {
    super();
    this.pair = pair;
    this.registrationId = registrationId;
    this.known = new Map();
  }
  async getIdentityKey() { return this.pair.privateKey; }
  async getLocalRegistrationId() { return this.registrationId; }
  async saveIdentity(address, key) {
    const name = address.toString();
    const old = this.known.get(name);
    this.known.set(name, key);
    return old && !old.equals(key) ? lib.IdentityChange.ReplacedExisting : lib.IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity() { return true; }
  async getIdentity(address) { return this.known.get(address.toString()) ?? null; }
}

class SessionStore extends lib.SessionStore {
  constructor() {
    super();
    this.records = new Map();
  }
  async saveSession(address, record) { this.records.set(address.toString(), record.serialize()); }
  async getSession(address) {
    const bytes = this.records.get(address.toString());
    return bytes ? lib.SessionRecord.deserialize(bytes) : null;
  }
  async getExistingSessions(addresses) {
    return Promise.all(addresses.map(async (address) => {
      const record = await this.getSession(address);
      if (!record) throw new Error(`no session with ${address.toString()}`);
      return record;
    }));
  }
}

// ---- the server's role -----------------------------------------------------

// A trust root and a server key with its certificate, made by libsignal.
function libsignalAuthority(keyId = 1) {
  const trustRoot = lib.PrivateKey.generate();
  const serverKey = lib.PrivateKey.generate();
  const server = lib.ServerCertificate.new(keyId, serverKey.getPublicKey(), trustRoot);
  return { trustRoot, serverKey, server };
}

function libsignalSenderCertificate(authority, { uuid, e164 = null, deviceId, identityKey, expiration = EXPIRATION }) {
  return lib.SenderCertificate.new(uuid, e164, deviceId, identityKey, expiration, authority.server, authority.serverKey);
}

// ---- unidentified sender message content, built by hand -------------------
// libsignal's UnidentifiedSenderMessageContent.new takes only real
// CiphertextMessages; deserialize takes any content, which is what these
// tests need. The protobuf is small enough to write out.

function varint(value) {
  const out = [];
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n; // int32 enums: negatives take ten bytes
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
const varintField = (number, value) => Buffer.concat([varint(number << 3), varint(value)]);
const bytesField = (number, bytes) => Buffer.concat([varint((number << 3) | 2), varint(bytes.length), Buffer.from(bytes)]);

function usmcBytes({ type, certificate, content, hint, groupId }) {
  const parts = [varintField(1, type.proto), bytesField(2, certificate), bytesField(3, content)];
  if (hint) parts.push(varintField(4, hint));
  if (groupId) parts.push(bytesField(5, groupId));
  return new Uint8Array(Buffer.concat(parts));
}

function* contentCases() {
  let n = 0;
  for (const type of CONTENT_TYPES) {
    for (const hint of HINTS) {
      for (const groupId of GROUP_IDS) {
        yield { type, hint, groupId, content: crypto.randomBytes(1 + ((n++ * 53) % 400)) };
      }
    }
  }
}

// What cliquet's unseal must report for a case.
function assertUnsealed(result, c, sender, version) {
  assert.equal(result.version, version);
  assert.equal(result.sender_uuid, sender.uuid);
  assert.equal(result.sender_e164, sender.e164 ?? null);
  assert.equal(result.sender_device_id, sender.deviceId);
  assert.equal(result.content_type, c.type.name);
  assert.equal(result.content, hex(c.content));
  assert.equal(result.content_hint, c.hint);
  assert.equal(result.group_id, c.groupId ? hex(c.groupId) : null);
}

// What libsignal's decryptToUsmc must report for a case.
function assertUsmc(usmc, c, certificate) {
  assert.equal(usmc.msgType(), c.type.libsignal);
  assert.equal(hex(usmc.contents()), hex(c.content));
  assert.equal(usmc.contentHint(), c.hint);
  assert.equal(usmc.groupId() ? hex(usmc.groupId()) : null, c.groupId ? hex(c.groupId) : null);
  assert.equal(hex(usmc.senderCertificate().serialize()), hex(certificate));
}

function sealParams(c, certificateHex) {
  return {
    sender_certificate: certificateHex,
    content_type: c.type.name,
    content: hex(c.content),
    content_hint: c.hint,
    group_id: c.groupId ? hex(c.groupId) : null,
  };
}

// ---- cliquet's side ----------------------------------------------------------

// One cliquet device; several share an account when given the same identity.
async function startPeer(t, { name, deviceId = 1, identity, registrationId }) {
  const peer = await Peer.spawn(process.env.CLIQUET_PEER);
  t.after(() => peer.close());
  identity ??= lib.IdentityKeyPair.generate();
  registrationId ??= crypto.randomInt(1, 0x3fff);
  await peer.ok('init', {
    name, device_id: deviceId, registration_id: registrationId, identity_private: hex(identity.privateKey.serialize()),
  });
  return { peer, name, deviceId, identity, registrationId };
}

async function expectError(peer, op, params, code) {
  const response = await peer.call(op, params);
  assert.equal(response.ok, false, `${op} should have been refused`);
  assert.equal(response.error.code, code, response.error.message);
}

const flip = (bytes, index, mask = 0x01) => {
  const copy = new Uint8Array(bytes);
  copy[index] ^= mask;
  return copy;
};

// Positions spread over a message, including both ends.
const positions = (length, count = 24) =>
  [...new Set(Array.from({ length: count }, (_, i) => Math.min(length - 1, Math.floor((i * length) / (count - 1)))))];

// A libsignal pre-key bundle for a device whose identity is `identity`,
// enough for libsignal to hold a session that names its registration id.
function bundleFor(identity, registrationId, deviceId) {
  const preKey = lib.PrivateKey.generate();
  const signedPreKey = lib.PrivateKey.generate();
  const kyber = lib.KEMKeyPair.generate();
  const signedPreKeyPublic = signedPreKey.getPublicKey();
  return lib.PreKeyBundle.new(
    registrationId, deviceId, 11, preKey.getPublicKey(), 22, signedPreKeyPublic,
    identity.privateKey.sign(signedPreKeyPublic.serialize()), identity.publicKey,
    33, kyber.getPublicKey(), identity.privateKey.sign(kyber.getPublicKey().serialize()));
}

// ---- certificates -------------------------------------------------------------

test('certificates made by libsignal validate in cliquet', async (t) => {
  const { peer } = await startPeer(t, { name: crypto.randomUUID() });
  const authority = libsignalAuthority(0x1234);
  const identity = lib.IdentityKeyPair.generate();
  for (const e164 of [null, '+14155550123']) {
    const sender = { uuid: crypto.randomUUID(), e164, deviceId: 7, identityKey: identity.publicKey };
    const certificate = libsignalSenderCertificate(authority, sender);
    const params = { certificate: hex(certificate.serialize()), trust_root: hex(authority.trustRoot.getPublicKey().serialize()) };
    const r = await peer.ok('validate_sender_certificate', { ...params, timestamp: EXPIRATION });
    assert.equal(r.valid, true);
    assert.equal(r.sender_uuid, sender.uuid);
    assert.equal(r.sender_e164, e164);
    assert.equal(r.sender_device_id, 7);
    assert.equal(r.sender_identity_key, hex(identity.publicKey.serialize()));
    assert.equal(r.expiration, EXPIRATION);

    assert.equal((await peer.ok('validate_sender_certificate', { ...params, timestamp: EXPIRATION + 1 })).valid, false);
    const foreign = hex(lib.PrivateKey.generate().getPublicKey().serialize());
    assert.equal((await peer.ok('validate_sender_certificate', { ...params, trust_root: foreign, timestamp: NOW })).valid, false);
  }
});

test('certificates made by cliquet validate in libsignal, with the same signed bytes', async (t) => {
  const { peer } = await startPeer(t, { name: crypto.randomUUID() });
  const trustRoot = lib.PrivateKey.generate();
  const serverKey = lib.PrivateKey.generate();
  const { certificate: serverHex } = await peer.ok('server_certificate', {
    key_id: 0x1234, server_key: hex(serverKey.getPublicKey().serialize()), trust_root_private: hex(trustRoot.serialize()),
  });
  const server = lib.ServerCertificate.deserialize(unhex(serverHex));
  assert.equal(server.keyId(), 0x1234);
  assert.equal(hex(server.key().serialize()), hex(serverKey.getPublicKey().serialize()));
  assert.equal(hex(server.certificateData()),
    hex(lib.ServerCertificate.new(0x1234, serverKey.getPublicKey(), trustRoot).certificateData()));

  const identity = lib.IdentityKeyPair.generate();
  for (const e164 of [null, '+14155550123']) {
    const uuid = crypto.randomUUID();
    const { certificate } = await peer.ok('sender_certificate', {
      sender_uuid: uuid, sender_e164: e164, sender_device_id: 3, sender_identity_key: hex(identity.publicKey.serialize()),
      expiration: EXPIRATION, server_certificate: serverHex, server_private: hex(serverKey.serialize()),
    });
    const parsed = lib.SenderCertificate.deserialize(unhex(certificate));
    assert.equal(parsed.senderUuid(), uuid);
    assert.equal(parsed.senderE164(), e164);
    assert.equal(parsed.senderDeviceId(), 3);
    assert.equal(parsed.expiration(), EXPIRATION);
    assert.equal(hex(parsed.key().serialize()), hex(identity.publicKey.serialize()));
    assert.equal(parsed.validate(trustRoot.getPublicKey(), EXPIRATION), true);
    assert.equal(parsed.validate(trustRoot.getPublicKey(), EXPIRATION + 1), false);
    assert.equal(parsed.validate(lib.PrivateKey.generate().getPublicKey(), NOW), false);
    const theirs = lib.SenderCertificate.new(uuid, e164, 3, identity.publicKey, EXPIRATION, server, serverKey);
    assert.equal(hex(parsed.certificate()), hex(theirs.certificate()));
  }
});

test('a revoked server key id is refused by both', async (t) => {
  const { peer } = await startPeer(t, { name: crypto.randomUUID() });
  const authority = libsignalAuthority(0xDEADC357);
  const identity = lib.IdentityKeyPair.generate();
  const theirs = libsignalSenderCertificate(authority, { uuid: crypto.randomUUID(), deviceId: 1, identityKey: identity.publicKey });
  const root = hex(authority.trustRoot.getPublicKey().serialize());
  assert.equal((await peer.ok('validate_sender_certificate', { certificate: hex(theirs.serialize()), trust_root: root, timestamp: NOW })).valid, false);

  const { certificate: serverHex } = await peer.ok('server_certificate', {
    key_id: 0xDEADC357, server_key: hex(authority.serverKey.getPublicKey().serialize()), trust_root_private: hex(authority.trustRoot.serialize()),
  });
  const { certificate } = await peer.ok('sender_certificate', {
    sender_uuid: crypto.randomUUID(), sender_e164: null, sender_device_id: 1, sender_identity_key: hex(identity.publicKey.serialize()),
    expiration: EXPIRATION, server_certificate: serverHex, server_private: hex(authority.serverKey.serialize()),
  });
  assert.equal(lib.SenderCertificate.deserialize(unhex(certificate)).validate(authority.trustRoot.getPublicKey(), NOW), false);
});

// ---- version 1 -----------------------------------------------------------------

test('version 1: libsignal seals, cliquet opens every content type, hint and group id', async (t) => {
  const authority = libsignalAuthority();
  const root = hex(authority.trustRoot.getPublicKey().serialize());
  const recipient = await startPeer(t, { name: crypto.randomUUID() });
  const other = await startPeer(t, { name: crypto.randomUUID() });
  const senderIdentity = lib.IdentityKeyPair.generate();
  const sender = { uuid: crypto.randomUUID(), e164: '+14155550199', deviceId: 2, identityKey: senderIdentity.publicKey };
  const certificate = libsignalSenderCertificate(authority, sender).serialize();

  const store = new IdentityStore(senderIdentity, 1);
  const recipientAddress = lib.ProtocolAddress.new(recipient.name, 1);
  await store.saveIdentity(recipientAddress, recipient.identity.publicKey);

  let envelope;
  for (const c of contentCases()) {
    const usmc = lib.UnidentifiedSenderMessageContent.deserialize(usmcBytes({ ...c, certificate }));
    envelope = await lib.sealedSenderEncrypt(usmc, recipientAddress, store);
    assert.equal(envelope[0], 0x11);
    const r = await recipient.peer.ok('unseal', { ciphertext: hex(envelope), trust_root: root, timestamp: NOW });
    assertUnsealed(r, c, sender, 1);
  }

  // A content libsignal built itself from a real message.
  const original = lib.SenderKeyMessage._new(3, crypto.randomUUID(), 1, 2, crypto.randomBytes(40), lib.PrivateKey.generate());
  const plaintext = lib.PlaintextContent.from(lib.DecryptionErrorMessage.forOriginal(
    original.serialize(), lib.CiphertextMessageType.SenderKey, NOW, 5));
  const usmc = lib.UnidentifiedSenderMessageContent.new(
    lib.CiphertextMessage.from(plaintext), lib.SenderCertificate.deserialize(certificate), lib.ContentHint.Implicit, null);
  const real = await lib.sealedSenderEncrypt(usmc, recipientAddress, store);
  const r = await recipient.peer.ok('unseal', { ciphertext: hex(real), trust_root: root, timestamp: NOW });
  assert.equal(r.content_type, 'plaintext');
  assert.equal(r.content, hex(plaintext.serialize()));
  assert.equal(r.content_hint, 2);

  // Refusals: tampering anywhere, the wrong recipient, unknown versions, an
  // expired certificate, a foreign trust root.
  const unseal = (bytes, peer = recipient.peer, params = {}) =>
    peer.call('unseal', { ciphertext: hex(bytes), trust_root: root, timestamp: NOW, ...params });
  for (const i of positions(envelope.length).filter((i) => i > 0)) {
    const response = await unseal(flip(envelope, i));
    assert.equal(response.ok, false, `byte ${i} tampered was accepted`);
    assert.equal(response.error.code, 'invalid_message');
  }
  await expectError(other.peer, 'unseal', { ciphertext: hex(envelope), trust_root: root, timestamp: NOW }, 'invalid_message');
  for (const version of [0x21, 0x31, 0x41, 0xf1]) {
    const changed = new Uint8Array(envelope);
    changed[0] = version;
    await expectError(recipient.peer, 'unseal', { ciphertext: hex(changed), trust_root: root, timestamp: NOW }, 'invalid_message');
  }
  await expectError(recipient.peer, 'unseal', { ciphertext: hex(envelope.subarray(0, envelope.length - 1)), trust_root: root, timestamp: NOW }, 'invalid_message');
  await expectError(recipient.peer, 'unseal', { ciphertext: hex(envelope), trust_root: root, timestamp: EXPIRATION + 1 }, 'invalid_certificate');
  await expectError(recipient.peer, 'unseal', {
    ciphertext: hex(envelope), trust_root: hex(lib.PrivateKey.generate().getPublicKey().serialize()), timestamp: NOW,
  }, 'invalid_certificate');
  // A failed open changes nothing: the good envelope still opens.
  assert.equal((await unseal(envelope)).ok, true);
});

test('version 1: cliquet seals, libsignal opens every content type, hint and group id', async (t) => {
  const authority = libsignalAuthority();
  const sender = await startPeer(t, { name: crypto.randomUUID(), deviceId: 3 });
  const certificate = libsignalSenderCertificate(authority, {
    uuid: sender.name, deviceId: 3, identityKey: sender.identity.publicKey,
  }).serialize();

  const recipientIdentity = lib.IdentityKeyPair.generate();
  const recipientStore = new IdentityStore(recipientIdentity, 1);
  const recipientAddress = { name: crypto.randomUUID(), device_id: 1 };
  await sender.peer.ok('trust', { peer: recipientAddress, identity_key: hex(recipientIdentity.publicKey.serialize()) });

  let envelope;
  for (const c of contentCases()) {
    ({ ciphertext: envelope } = await sender.peer.ok('seal', { peer: recipientAddress, ...sealParams(c, hex(certificate)) }));
    const usmc = await lib.sealedSenderDecryptToUsmc(unhex(envelope), recipientStore);
    assertUsmc(usmc, c, certificate);
    assert.equal(usmc.senderCertificate().validate(authority.trustRoot.getPublicKey(), NOW), true);
  }

  // Refusals on libsignal's side.
  const bytes = unhex(envelope);
  for (const i of positions(bytes.length).filter((i) => i > 0)) {
    await assert.rejects(lib.sealedSenderDecryptToUsmc(flip(bytes, i), recipientStore), `byte ${i} tampered was accepted`);
  }
  await assert.rejects(lib.sealedSenderDecryptToUsmc(bytes, new IdentityStore(lib.IdentityKeyPair.generate(), 1)));
  const unknownVersion = new Uint8Array(bytes);
  unknownVersion[0] = 0x31;
  await assert.rejects(lib.sealedSenderDecryptToUsmc(unknownVersion, recipientStore));

  // Sealing needs the recipient's identity key.
  await expectError(sender.peer, 'seal', { peer: { name: crypto.randomUUID(), device_id: 1 }, ...sealParams([...contentCases()][0], hex(certificate)) }, 'no_session');
});

// ---- version 2 -----------------------------------------------------------------

// Compares two fan-outs of one sent message: cliquet's peer `fanout` result
// and libsignal's SealedSenderMultiRecipientMessage.
function assertSameFanout(cliquet, sent) {
  const theirs = new SealedSenderMultiRecipientMessage(Buffer.from(sent));
  const recipients = theirs.recipientsByServiceIdString();
  assert.deepEqual(cliquet.recipients.map((r) => r.service_id).sort(), Object.keys(recipients).sort());
  for (const r of cliquet.recipients) {
    const their = recipients[r.service_id];
    assert.deepEqual(r.device_ids, their.deviceIds);
    assert.deepEqual(r.registration_ids, their.registrationIds);
    assert.equal(r.message, hex(theirs.messageForRecipient(their)));
  }
  assert.deepEqual([...cliquet.excluded].sort(), [...theirs.excludedRecipientServiceIdStrings()].sort());
}

test('version 2: libsignal seals to many cliquet devices; both fan-outs agree; every device opens its own', async (t) => {
  const authority = libsignalAuthority();
  const root = hex(authority.trustRoot.getPublicKey().serialize());
  const aci = crypto.randomUUID();
  const aciIdentity = lib.IdentityKeyPair.generate();
  const devices = [
    await startPeer(t, { name: aci, deviceId: 1, identity: aciIdentity }),
    await startPeer(t, { name: aci, deviceId: 4, identity: aciIdentity }),
    await startPeer(t, { name: `PNI:${crypto.randomUUID()}`, deviceId: 1 }),
  ];
  const server = await startPeer(t, { name: crypto.randomUUID() });
  const excluded = [lib.Aci.fromUuid(crypto.randomUUID()), lib.Pni.fromUuid(crypto.randomUUID())];

  const senderIdentity = lib.IdentityKeyPair.generate();
  const sender = { uuid: crypto.randomUUID(), e164: null, deviceId: 1, identityKey: senderIdentity.publicKey };
  const certificate = libsignalSenderCertificate(authority, sender).serialize();
  const identityStore = new IdentityStore(senderIdentity, 1);
  const sessionStore = new SessionStore();
  const senderAddress = lib.ProtocolAddress.new(sender.uuid, 1);
  const addresses = [];
  for (const d of devices) {
    const address = lib.ProtocolAddress.new(d.name, d.deviceId);
    await lib.processPreKeyBundle(bundleFor(d.identity, d.registrationId, d.deviceId), address, senderAddress, sessionStore, identityStore);
    addresses.push(address);
  }

  let sent;
  for (const c of contentCases()) {
    const usmc = lib.UnidentifiedSenderMessageContent.deserialize(usmcBytes({ ...c, certificate }));
    sent = await lib.sealedSenderMultiRecipientEncrypt({
      content: usmc, recipients: addresses, excludedRecipients: excluded, identityStore, sessionStore,
    });
    const fanout = await server.peer.ok('fanout', { ciphertext: hex(sent) });
    assertSameFanout(fanout, sent);
    for (const d of devices) {
      const entry = fanout.recipients.find((r) => r.service_id === d.name);
      assert.ok(entry.device_ids.includes(d.deviceId));
      assert.equal(entry.registration_ids[entry.device_ids.indexOf(d.deviceId)], d.registrationId);
      assertUnsealed(await d.peer.ok('unseal', { ciphertext: entry.message, trust_root: root, timestamp: NOW }), c, sender, 2);
    }
  }
  assert.deepEqual((await server.peer.ok('fanout', { ciphertext: hex(sent) })).excluded,
    excluded.map((id) => id.getServiceIdString()));

  // Refusals: another recipient's message, tampering, an expired certificate.
  const fanout = await server.peer.ok('fanout', { ciphertext: hex(sent) });
  const pni = fanout.recipients.find((r) => r.service_id === devices[2].name).message;
  const params = { trust_root: root, timestamp: NOW };
  await expectError(devices[0].peer, 'unseal', { ciphertext: pni, ...params }, 'invalid_message');
  const received = unhex(pni);
  for (const i of positions(received.length).filter((i) => i > 0)) {
    await expectError(devices[2].peer, 'unseal', { ciphertext: hex(flip(received, i)), ...params }, 'invalid_message');
  }
  await expectError(devices[2].peer, 'unseal', { ciphertext: pni, trust_root: root, timestamp: EXPIRATION + 1 }, 'invalid_certificate');
  assert.equal((await devices[2].peer.call('unseal', { ciphertext: pni, ...params })).ok, true);
});

test('version 2: cliquet seals to many libsignal devices; both fan-outs agree; every device opens its own', async (t) => {
  const authority = libsignalAuthority();
  const sender = await startPeer(t, { name: crypto.randomUUID(), deviceId: 2 });
  const server = await startPeer(t, { name: crypto.randomUUID() });
  const certificate = libsignalSenderCertificate(authority, {
    uuid: sender.name, deviceId: 2, identityKey: sender.identity.publicKey,
  }).serialize();

  const aci = crypto.randomUUID();
  const aciIdentity = lib.IdentityKeyPair.generate();
  const recipients = [
    { name: aci, deviceId: 1, identity: aciIdentity, registrationId: 0x1111 },
    { name: aci, deviceId: 3, identity: aciIdentity, registrationId: 0x3fff },
    { name: `PNI:${crypto.randomUUID()}`, deviceId: 1, identity: lib.IdentityKeyPair.generate(), registrationId: 1 },
    { name: crypto.randomUUID(), deviceId: 127, identity: lib.IdentityKeyPair.generate(), registrationId: 77 },
  ];
  for (const r of recipients) {
    // The bundle as the peer protocol carries it; libsignal signs it.
    const preKey = lib.PrivateKey.generate();
    const signedPreKey = lib.PrivateKey.generate();
    const kyber = lib.KEMKeyPair.generate();
    const bundle = {
      registration_id: r.registrationId, device_id: r.deviceId, identity_key: hex(r.identity.publicKey.serialize()),
      pre_key_id: 5, pre_key: hex(preKey.getPublicKey().serialize()),
      signed_pre_key_id: 6, signed_pre_key: hex(signedPreKey.getPublicKey().serialize()),
      signed_pre_key_signature: hex(r.identity.privateKey.sign(signedPreKey.getPublicKey().serialize())),
      kyber_pre_key_id: 7, kyber_pre_key: hex(kyber.getPublicKey().serialize()),
      kyber_pre_key_signature: hex(r.identity.privateKey.sign(kyber.getPublicKey().serialize())),
    };
    await sender.peer.ok('process_bundle', { peer: { name: r.name, device_id: r.deviceId }, bundle });
  }
  const addresses = recipients.map((r) => ({ name: r.name, device_id: r.deviceId }));
  const excluded = [crypto.randomUUID(), `PNI:${crypto.randomUUID()}`];

  let sent;
  for (const c of contentCases()) {
    ({ ciphertext: sent } = await sender.peer.ok('seal_multi', { recipients: addresses, excluded, ...sealParams(c, hex(certificate)) }));
    assert.equal(unhex(sent)[0], 0x23);
    const fanout = await server.peer.ok('fanout', { ciphertext: sent });
    assertSameFanout(fanout, unhex(sent));
    const theirs = new SealedSenderMultiRecipientMessage(Buffer.from(unhex(sent)));
    const byServiceId = theirs.recipientsByServiceIdString();
    for (const r of recipients) {
      const their = byServiceId[r.name];
      assert.equal(their.registrationIds[their.deviceIds.indexOf(r.deviceId)], r.registrationId);
      const usmc = await lib.sealedSenderDecryptToUsmc(theirs.messageForRecipient(their), new IdentityStore(r.identity, r.registrationId));
      assertUsmc(usmc, c, certificate);
    }
  }
  assert.deepEqual(new SealedSenderMultiRecipientMessage(Buffer.from(unhex(sent))).excludedRecipientServiceIdStrings(), excluded);

  // Refusals on libsignal's side: another recipient's message, tampering.
  const theirs = new SealedSenderMultiRecipientMessage(Buffer.from(unhex(sent)));
  const received = theirs.messageForRecipient(theirs.recipientsByServiceIdString()[recipients[2].name]);
  const store = new IdentityStore(recipients[2].identity, 1);
  await assert.rejects(lib.sealedSenderDecryptToUsmc(received, new IdentityStore(aciIdentity, 1)));
  for (const i of positions(received.length).filter((i) => i > 0)) {
    await assert.rejects(lib.sealedSenderDecryptToUsmc(flip(received, i), store), `byte ${i} tampered was accepted`);
  }

  // Sealing needs a session with every recipient device.
  await expectError(sender.peer, 'seal_multi', {
    recipients: [...addresses, { name: aci, device_id: 9 }], excluded: [], ...sealParams([...contentCases()][0], hex(certificate)),
  }, 'no_session');
});

// ---- fan-out of malformed sent messages ---------------------------------------

test('fan-out: cliquet and libsignal accept and refuse the same mutated sent messages', async (t) => {
  const authority = libsignalAuthority();
  const server = await startPeer(t, { name: crypto.randomUUID() });
  const senderIdentity = lib.IdentityKeyPair.generate();
  const certificate = libsignalSenderCertificate(authority, {
    uuid: crypto.randomUUID(), deviceId: 1, identityKey: senderIdentity.publicKey,
  }).serialize();
  const identityStore = new IdentityStore(senderIdentity, 1);
  const sessionStore = new SessionStore();
  const me = lib.ProtocolAddress.new(crypto.randomUUID(), 1);
  const addresses = [];
  const account = lib.IdentityKeyPair.generate();
  const aci = crypto.randomUUID();
  for (const [name, deviceId, identity] of [[aci, 1, account], [aci, 2, account], [crypto.randomUUID(), 1, lib.IdentityKeyPair.generate()]]) {
    const address = lib.ProtocolAddress.new(name, deviceId);
    await lib.processPreKeyBundle(bundleFor(identity, 100 + deviceId, deviceId), address, me, sessionStore, identityStore);
    addresses.push(address);
  }
  const usmc = lib.UnidentifiedSenderMessageContent.deserialize(usmcBytes({
    type: CONTENT_TYPES[1], certificate, content: crypto.randomBytes(20), hint: 0, groupId: null,
  }));
  const sent = await lib.sealedSenderMultiRecipientEncrypt({
    content: usmc, recipients: addresses, excludedRecipients: [lib.Aci.fromUuid(crypto.randomUUID())], identityStore, sessionStore,
  });

  // Layout: 0x23, count (1 byte), ACI entry (17 + 2×3 + 48), ACI entry (17 + 3 + 48), excluded (17 + 1), E, payload.
  const mutations = [];
  for (let length = 0; length < 200; length += 7) mutations.push([`truncated to ${length}`, sent.subarray(0, length)]);
  for (const version of [0x11, 0x21, 0x22, 0x24, 0x32]) {
    const m = new Uint8Array(sent);
    m[0] = version;
    mutations.push([`version ${version.toString(16)}`, m]);
  }
  for (const count of [0, 1, 2, 4, 0x7f]) {
    const m = new Uint8Array(sent);
    m[1] = count;
    mutations.push([`count ${count}`, m]);
  }
  const firstDevice = 2 + 17;
  for (const device of [0, 1, 127, 128, 255]) {
    const m = new Uint8Array(sent);
    m[firstDevice] = device;
    mutations.push([`first device id ${device}`, m]);
  }
  for (const kind of [1, 2, 0xff]) {
    const m = new Uint8Array(sent);
    m[2] = kind;
    mutations.push([`service id kind ${kind}`, m]);
  }
  const m = new Uint8Array(sent);
  m[firstDevice + 1] &= 0x7f; // the first account's list ends after one device
  mutations.push(['has-more bit cleared', m]);
  for (let i = 0; i < 64; i++) {
    const p = 2 + ((i * 13) % 160);
    mutations.push([`byte ${p} xor ${i + 1}`, flip(sent, p, i + 1)]);
  }

  let accepted = 0;
  for (const [label, bytes] of mutations) {
    let theirs = null;
    try {
      theirs = new SealedSenderMultiRecipientMessage(Buffer.from(bytes));
      theirs.recipientsByServiceIdString();
    } catch {
      theirs = null;
    }
    const ours = await server.peer.call('fanout', { ciphertext: hex(bytes) });
    assert.equal(ours.ok, theirs !== null, `${label}: cliquet ${ours.ok ? 'accepted' : `refused (${ours.error.message})`}, libsignal ${theirs ? 'accepted' : 'refused'}`);
    if (ours.ok) {
      accepted++;
      assertSameFanout(ours, bytes);
    } else {
      assert.equal(ours.error.code, 'invalid_message');
    }
  }
  assert.ok(accepted > 0 && accepted < mutations.length);
});

// ---- version 0x22 sent messages ---------------------------------------------------

// A version 0x22 sent message (the first version, which names ACIs by bare
// UUID): `head` holds `headCount` entries already in that form; each UUID of
// `excluded` follows with 0x00, then `tail` (E ‖ payload).
function uuidSentMessage(headCount, head, excluded, tail) {
  const parts = [Buffer.from([0x22]), varint(headCount + excluded.length), Buffer.from(head)];
  for (const uuid of excluded) parts.push(Buffer.from(uuid.replaceAll('-', ''), 'hex'), Buffer.from([0]));
  parts.push(Buffer.from(tail));
  return new Uint8Array(Buffer.concat(parts));
}

// Issue 22, defect 8: cliquet bounded the recipient count with 0x23's
// 18-byte smallest entry, and refused 0x22 messages that libsignal reads.
test('fan-out: version 0x22 messages whose excluded accounts take 17 bytes each parse in both, alike', async (t) => {
  const server = await startPeer(t, { name: crypto.randomUUID() });

  // 40 excluded accounts and only an ephemeral key after them.
  const forty = Array.from({ length: 40 }, () => crypto.randomUUID());
  const bare = uuidSentMessage(0, [], forty, crypto.randomBytes(32));
  const parsed = await server.peer.ok('fanout', { ciphertext: hex(bare) });
  assert.deepEqual(parsed.recipients, []);
  assertSameFanout(parsed, bare);
  assert.deepEqual(parsed.excluded, forty);

  // libsignal seals to a cliquet device; the message, reframed as 0x22 among
  // more excluded accounts than 18-byte entries would fit, still fans out
  // alike and opens.
  const authority = libsignalAuthority();
  const recipient = await startPeer(t, { name: crypto.randomUUID(), deviceId: 3 });
  const senderIdentity = lib.IdentityKeyPair.generate();
  const sender = { uuid: crypto.randomUUID(), e164: null, deviceId: 1, identityKey: senderIdentity.publicKey };
  const certificate = libsignalSenderCertificate(authority, sender).serialize();
  const identityStore = new IdentityStore(senderIdentity, 1);
  const sessionStore = new SessionStore();
  const address = lib.ProtocolAddress.new(recipient.name, recipient.deviceId);
  await lib.processPreKeyBundle(bundleFor(recipient.identity, recipient.registrationId, recipient.deviceId), address,
    lib.ProtocolAddress.new(sender.uuid, 1), sessionStore, identityStore);
  const c = { type: CONTENT_TYPES[1], hint: 0, groupId: null, content: crypto.randomBytes(60) };
  const sent = await lib.sealedSenderMultiRecipientEncrypt({
    content: lib.UnidentifiedSenderMessageContent.deserialize(usmcBytes({ ...c, certificate })),
    recipients: [address], excludedRecipients: [], identityStore, sessionStore,
  });
  // 0x23 ‖ count ‖ kind ‖ UUID ‖ one device (3) ‖ C ‖ AT, then E ‖ payload.
  const entryEnd = 2 + 17 + 3 + 48;
  const tail = sent.subarray(entryEnd);
  const many = Array.from({ length: 50 + tail.length }, () => crypto.randomUUID());
  const reframed = uuidSentMessage(1, sent.subarray(3, entryEnd), many, tail);
  const countSize = varint(1 + many.length).length;
  assert.ok((1 + many.length) * 18 > reframed.length - 1 - countSize, 'not past the 18-byte bound');
  const fanout = await server.peer.ok('fanout', { ciphertext: hex(reframed) });
  assertSameFanout(fanout, reframed);
  assert.deepEqual(fanout.excluded, many);
  assert.equal(fanout.recipients.length, 1);
  const root = hex(authority.trustRoot.getPublicKey().serialize());
  assertUnsealed(await recipient.peer.ok('unseal', { ciphertext: fanout.recipients[0].message, trust_root: root, timestamp: NOW }),
    c, sender, 2);
});
